//! Fuzz harness bodies of ltmc-core (issue 21): [`chunker`] runs
//! `chunk_text` on arbitrary bytes and checks every promise it makes (the
//! spans cover the text exactly, on char boundaries, none empty or too long).
//!
//! Called by the coverage-guided targets in `fuzz/` (cargo-afl) and, in the
//! normal test suite, by the replay of `fuzz/regressions/chunker/` and
//! `fuzz/seeds/chunker/` below. A broken promise is a panic: that is what a
//! fuzzer reports. Not a fuzzer, and no I/O outside its test.

use crate::chunker::{ChunkConfig, chunk_text};

/// Bytes 0 and 1 choose the config (possibly invalid: `chunk_text` clamps
/// it), the rest is the text (lossy UTF-8).
pub fn chunker(data: &[u8]) {
    let [a, b, rest @ ..] = data else {
        return;
    };
    let config = ChunkConfig {
        max_bytes: usize::from(*a) * 4,
        overlap_bytes: usize::from(*b) * 2,
    };
    let text = String::from_utf8_lossy(rest);
    let spans = chunk_text(&text, &config);
    let max_bytes = config.max_bytes.max(16);
    if text.is_empty() {
        assert!(spans.is_empty(), "empty text gave {spans:?}");
        return;
    }
    assert_eq!(spans.first().map(|s| s.start), Some(0), "{config:?}");
    assert_eq!(spans.last().map(|s| s.end), Some(text.len()), "{config:?}");
    for (i, span) in spans.iter().enumerate() {
        assert!(span.start < span.end, "empty span {span:?} ({config:?})");
        assert!(span.end - span.start <= max_bytes, "{span:?} ({config:?})");
        assert!(text.is_char_boundary(span.start) && text.is_char_boundary(span.end));
        if let Some(previous) = i.checked_sub(1).map(|p| spans[p]) {
            assert!(span.start > previous.start, "{previous:?} then {span:?}");
            assert!(
                span.start <= previous.end,
                "gap: {previous:?} then {span:?}"
            );
        }
    }
}

/// Every committed input of a fuzz target: its regressions (crashes found
/// and fixed) and its seeds under the repository's `fuzz/`, for each crate's
/// replay test (the short run in CI). A missing folder is no input.
///
/// # Panics
/// When a committed input cannot be read, or the target has none (its seeds
/// are missing: the replay would test nothing).
pub fn committed_inputs(target: &str) -> Vec<Vec<u8>> {
    let root = fuzz_root();
    let root = root.display();
    let inputs = ["regressions", "seeds"]
        .iter()
        .filter_map(|kind| std::fs::read_dir(format!("{root}/{kind}/{target}")).ok())
        .flatten()
        .map(|entry| std::fs::read(entry.expect("a fuzz input").path()).expect("a fuzz input"))
        .collect::<Vec<_>>();
    assert!(!inputs.is_empty(), "no seeds under fuzz/seeds/{target}");
    inputs
}

/// The repository's `fuzz/`: where this crate was compiled, or else the
/// nearest `fuzz/` above the working directory (cargo runs tests from the
/// package's directory; a build shared between two checkouts of the
/// repository keeps the first one's compile-time path).
fn fuzz_root() -> std::path::PathBuf {
    let compiled = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../fuzz"));
    if compiled.join("seeds").is_dir() {
        return compiled.to_path_buf();
    }
    std::env::current_dir()
        .ok()
        .and_then(|dir| {
            dir.ancestors()
                .map(|d| d.join("fuzz"))
                .find(|f| f.join("seeds").is_dir())
        })
        .unwrap_or_else(|| compiled.to_path_buf())
}

#[cfg(test)]
mod tests {
    #[test]
    fn chunker_replays_the_committed_fuzz_inputs() {
        for input in super::committed_inputs("chunker") {
            super::chunker(&input);
        }
    }
}
