//! The `jsonrpc` fuzz target: AFL++ (cargo-afl) feeding
//! `ltmc_http::fuzz::request` (the HTTP router in-process: `/jsonrpc`,
//! `/mcp`, `/api/tools/{name}`, `/tools`, `/api/...`), over a real store.
//! Only the entry point; run it with `scripts/fuzz --target jsonrpc`.

fn main() {
    let runtime = ltmc_fuzz::runtime();
    let tools = ltmc_fuzz::tools();
    let (router, _shutdown) =
        runtime.block_on(async { ltmc_http::router(&tools, &ltmc_http::HttpConfig::local()) });
    afl::fuzz!(|data: &[u8]| {
        runtime.block_on(ltmc_http::fuzz::request(&router, data));
    });
}
