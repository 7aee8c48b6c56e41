//! The stdio fuzz target's committed inputs (`fuzz/regressions/stdio/`,
//! crashes found and fixed, and `fuzz/seeds/stdio/`) replayed through the
//! same harness body the fuzzer runs (`ltmc_mcp::fuzz::stdio`), so a fixed
//! crash stays fixed in the normal suite. The campaign itself is
//! `scripts/fuzz`.

use super::tools;

#[tokio::test]
async fn stdio_replays_the_committed_fuzz_inputs() {
    let inputs = ltmc_core::fuzz::committed_inputs("stdio");
    let dir = tempfile::tempdir().unwrap();
    let tools = tools(dir.path());
    for input in inputs {
        ltmc_mcp::fuzz::stdio(&tools, &input).await;
    }
}
