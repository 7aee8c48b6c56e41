//! The `faiss` fuzz target: AFL++ (cargo-afl) feeding `ltmc_legacy::fuzz::faiss`. The harness body
//! lives in its crate so the normal tests can replay committed inputs; this
//! file is only the entry point. Run it with `scripts/fuzz --target faiss`.

fn main() {
    afl::fuzz!(|data: &[u8]| {
        ltmc_legacy::fuzz::faiss(data);
    });
}
