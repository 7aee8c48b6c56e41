//! Fuzz harness bodies of the legacy index readers (issue 21): [`faiss`] and
//! [`pickle`] hand arbitrary bytes to one reader each and check what an
//! accepted file promises (`vectors.len() == ids.len() * dimension`, every
//! row readable). A damaged file must be a `ParseError`; a panic, a hang or a
//! huge allocation is what the fuzzer reports.
//!
//! Called by the coverage-guided targets in `fuzz/` (cargo-afl) and by the
//! replay of `fuzz/regressions/{faiss,pickle}/` and `fuzz/seeds/...` in the
//! test below. Not a fuzzer; the database reader (`db.rs`) is SQLite's.

use crate::index::{LegacyIndex, ParseError};

/// The FAISS reader (`IndexFlatL2`, `IndexIDMap`).
pub fn faiss(data: &[u8]) {
    check(crate::faiss::parse(data));
}

/// The pickle reader (the earliest version's list of numpy arrays).
pub fn pickle(data: &[u8]) {
    check(crate::pickle::parse(data));
}

fn check(parsed: Result<LegacyIndex, ParseError>) {
    let Ok(index) = parsed else {
        return;
    };
    assert_eq!(index.vectors.len(), index.ids.len() * index.dimension);
    for position in 0..index.len() {
        assert_eq!(index.vector(position).len(), index.dimension);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn faiss_and_pickle_replay_the_committed_fuzz_inputs() {
        for (target, harness) in [
            ("faiss", super::faiss as fn(&[u8])),
            ("pickle", super::pickle),
        ] {
            for input in ltmc_core::fuzz::committed_inputs(target) {
                harness(&input);
            }
        }
    }
}
