//! The `tool_args` fuzz target: AFL++ (cargo-afl) feeding `ltmc_tools::fuzz::tool_args`. The harness body
//! lives in its crate so the normal tests can replay committed inputs; this
//! file is only the entry point. Run it with `scripts/fuzz --target tool_args`.

fn main() {
    afl::fuzz!(|data: &[u8]| {
        ltmc_tools::fuzz::tool_args(data);
    });
}
