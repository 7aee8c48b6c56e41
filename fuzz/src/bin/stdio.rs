//! The `stdio` fuzz target: AFL++ (cargo-afl) feeding
//! `ltmc_mcp::fuzz::stdio` (one MCP stdio session behind the handshake gate
//! per input), over a real store. Only the entry point; run it with
//! `scripts/fuzz --target stdio`.

fn main() {
    let runtime = ltmc_fuzz::runtime();
    let tools = ltmc_fuzz::tools();
    // A panic ends the process (afl reports it); nothing is reused after one.
    let state = std::panic::AssertUnwindSafe((runtime, tools));
    afl::fuzz!(|data: &[u8]| {
        let (runtime, tools) = &*state;
        runtime.block_on(ltmc_mcp::fuzz::stdio(tools, data));
    });
}
