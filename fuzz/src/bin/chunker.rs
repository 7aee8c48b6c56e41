//! The `chunker` fuzz target: AFL++ (cargo-afl) feeding `ltmc_core::fuzz::chunker`. The harness body
//! lives in its crate so the normal tests can replay committed inputs; this
//! file is only the entry point. Run it with `scripts/fuzz --target chunker`.

fn main() {
    afl::fuzz!(|data: &[u8]| {
        ltmc_core::fuzz::chunker(data);
    });
}
