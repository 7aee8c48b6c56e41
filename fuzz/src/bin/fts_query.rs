//! The `fts_query` fuzz target: AFL++ (cargo-afl) feeding `ltmc_store_sqlite::fuzz::fts_query`. The harness body
//! lives in its crate so the normal tests can replay committed inputs; this
//! file is only the entry point. Run it with `scripts/fuzz --target fts_query`.

fn main() {
    afl::fuzz!(|data: &[u8]| {
        ltmc_store_sqlite::fuzz::fts_query(data);
    });
}
