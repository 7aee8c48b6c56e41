//! The `jsonrpc` fuzz target: AFL++ (cargo-afl) feeding
//! `ltmc_http::fuzz::request` (the HTTP router in-process: `/jsonrpc`,
//! `/mcp`, `/api/tools/{name}`, `/tools`, `/api/...`), over a real store.
//! Only the entry point; run it with `scripts/fuzz --target jsonrpc`.

fn main() {
    let runtime = ltmc_fuzz::runtime();
    let tools = ltmc_fuzz::tools();
    let (router, _shutdown) =
        runtime.block_on(async { ltmc_http::router(&tools, &ltmc_http::HttpConfig::local()) });
    // A panic ends the process (afl reports it); nothing is reused after one.
    let state = std::panic::AssertUnwindSafe((runtime, router));
    afl::fuzz!(|data: &[u8]| {
        let (runtime, router) = &*state;
        runtime.block_on(ltmc_http::fuzz::request(router, data));
    });
}
