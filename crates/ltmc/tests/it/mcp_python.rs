//! `ltmc serve` driven by a client we did not write: the official MCP Python
//! SDK runs `tests/mcp_client.py` against `serve --stdio` and `serve --http`,
//! calls all 22 tools and bad inputs, and prints a summary we assert on.
//!
//! The SDK lives in a venv made by `scripts/py-test-env` (`scripts/test`
//! exports its python as `LTMC_TEST_PYTHON`). Without it the test skips with
//! a message, except on CI (`CI=true`), where a skip would hide a regression.

use crate::support::Ltmc;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn test_python() -> Option<PathBuf> {
    if let Some(python) = std::env::var_os("LTMC_TEST_PYTHON").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(python));
    }
    let why = "LTMC_TEST_PYTHON is not set: run `scripts/test`, or \
               `LTMC_TEST_PYTHON=$(scripts/py-test-env) cargo test -p ltmc`";
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "{why} (required on CI)"
    );
    #[allow(clippy::print_stderr)] // a skipped test must say so
    {
        eprintln!("skipping the MCP Python SDK test: {why}");
    }
    None
}

/// Waits for the 22 tools of ltmc-service.
#[test]
fn the_official_python_client_calls_every_tool_over_stdio_and_http() {
    let Some(python) = test_python() else {
        return;
    };
    let ltmc = Ltmc::new(true);
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/mcp_client.py");
    let out = Command::new(&python)
        .arg(&script)
        .arg("--ltmc")
        .arg(env!("CARGO_BIN_EXE_ltmc"))
        .arg("--work-dir")
        .arg(ltmc.dir.path())
        .env_remove("LTMC_PROJECT")
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", python.display()));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let summary: Value = stdout
        .lines()
        .last()
        .and_then(|l| serde_json::from_str(l).ok())
        .unwrap_or_else(|| panic!("no JSON summary\nstdout: {stdout}\nstderr: {stderr}"));
    assert!(out.status.success(), "{summary:#}\nstderr: {stderr}");

    for transport in ["stdio", "http"] {
        let run = &summary["runs"][transport];
        assert!(run["crash"].is_null(), "{transport}: {}", run["crash"]);
        assert_eq!(run["server"]["name"], "ltmc", "{transport}");
        let failures: Vec<String> = ["calls", "bad_inputs"]
            .iter()
            .flat_map(|group| {
                run[group]
                    .as_object()
                    .into_iter()
                    .flatten()
                    .filter(|(_, entry)| entry["ok"] != true)
                    .map(move |(name, entry)| format!("{group}/{name}: {}", entry["problem"]))
            })
            .collect();
        assert!(failures.is_empty(), "{transport}:\n{}", failures.join("\n"));
        assert_eq!(
            run["tools_listed"].as_array().map(Vec::len),
            Some(ltmc_service::Tools::specs().len()),
            "{transport}: {}",
            run["tools_listed"]
        );
        assert_eq!(run["schemas_ok"], true, "{transport}");
        assert_eq!(run["calls"].as_object().map(serde_json::Map::len), Some(22));
        assert_eq!(run["ok"], true, "{transport}: {run:#}");
    }
    assert_eq!(summary["ok"], true, "{summary:#}");
}
