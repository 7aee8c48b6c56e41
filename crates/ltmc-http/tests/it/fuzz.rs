//! The HTTP fuzz target's committed inputs (`fuzz/regressions/jsonrpc/`,
//! crashes found and fixed, and `fuzz/seeds/jsonrpc/`) replayed through the
//! same harness body the fuzzer runs (`ltmc_http::fuzz::request`): none may
//! answer a 5xx. The campaign itself is `scripts/fuzz`.

use super::fixture;
use ltmc_http::HttpConfig;

#[tokio::test]
async fn jsonrpc_replays_the_committed_fuzz_inputs() {
    let inputs = ltmc_core::fuzz::committed_inputs("jsonrpc");
    let f = fixture();
    let (router, _shutdown) = ltmc_http::router(&f.tools, &HttpConfig::local());
    for input in inputs {
        ltmc_http::fuzz::request(&router, &input).await;
    }
}
