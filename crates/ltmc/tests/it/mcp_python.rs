//! `ltmc serve` driven by a client we did not write, the official MCP Python
//! SDK, through two scripts whose JSON summaries we assert on:
//! `tests/mcp_client.py` runs against `serve --stdio` and `serve --http` and
//! calls all 22 LTMC tools and bad inputs (hash embedder);
//! `tests/mcp_fix_client.py` runs the fix-pattern flow of issue 5 over
//! `serve --stdio` with the real model (import audits, extract and review the
//! example patterns, recommend a fix for a paraphrased debt, record outcomes).
//! Both take the SDK plumbing (result spellings, bad-input checks, starting
//! the server per transport, the summary) from `tests/mcp_common.py`.
//! Not here: what each tool computes (the ltmc-service tests) or the ranking's
//! details (`fix_patterns.rs`, from the CLI).
//!
//! The SDK lives in a venv made by `scripts/py-test-env` (`scripts/test`
//! exports its python as `LTMC_TEST_PYTHON`). Without it the tests skip with
//! a message, except on CI (`CI=true`), where a skip would hide a regression.

use crate::support::Ltmc;
use ltmc_core::fix::PatternMetrics;
use serde_json::{Value, json};
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

/// Runs `tests/<script>` with the SDK's python and returns the JSON summary
/// on its last stdout line; the script must exit 0.
fn run_script(python: &Path, script: &str, ltmc: &Ltmc, args: &[&str]) -> Value {
    let script = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join(script);
    let out = Command::new(python)
        .arg(&script)
        .arg("--ltmc")
        .arg(env!("CARGO_BIN_EXE_ltmc"))
        .arg("--work-dir")
        .arg(ltmc.dir.path())
        .args(args)
        .env_remove("LTMC_PROJECT")
        .env_remove("LTMC_DATABASE_URL")
        .envs(ltmc.backend_env())
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
    summary
}

/// Waits for the 22 tools of ltmc-service.
#[test]
fn the_official_python_client_calls_every_tool_over_stdio_and_http() {
    let Some(python) = test_python() else {
        return;
    };
    let ltmc = Ltmc::new(true);
    let summary = run_script(&python, "mcp_client.py", &ltmc, &[]);

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
            Some(ltmc_tools::Tools::specs().len()),
            "{transport}: {}",
            run["tools_listed"]
        );
        assert_eq!(run["schemas_ok"], true, "{transport}");
        assert_eq!(run["calls"].as_object().map(serde_json::Map::len), Some(22));
        assert_eq!(run["ok"], true, "{transport}: {run:#}");
    }
    assert_eq!(summary["ok"], true, "{summary:#}");
}

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/fix-patterns")
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Asserts that `got` (from the script: an outcome or `get_pattern`'s
/// pattern) carries `want` and a fresh `last_applied`.
#[track_caller]
fn assert_metrics(got: &Value, want: PatternMetrics, seed_last_applied: &Value, what: &str) {
    assert_eq!(got["applied_count"], want.applied_count, "{what}: {got}");
    let rate = got["success_rate"].as_f64().unwrap();
    assert!(
        (rate - want.success_rate).abs() < 1e-9,
        "{what}: success_rate {rate}, want {}",
        want.success_rate
    );
    assert_eq!(got["avg_time_saved"], want.avg_time_saved, "{what}: {got}");
    assert!(got["last_applied"].is_string(), "{what}: {got}");
    assert_ne!(&got["last_applied"], seed_last_applied, "{what}: {got}");
}

/// Issue 5 over MCP: the audits imported by path, every example pattern
/// extracted and reviewed, a new audited file with its SQL-injection debt in
/// other words gets that pattern first with `apply`, and a success then a
/// failure move its metrics as `PatternMetrics::after` (the seed) defines.
#[test]
fn the_official_python_client_runs_the_fix_pattern_flow_with_the_real_model() {
    let Some(python) = test_python() else {
        return;
    };
    let ltmc = Ltmc::new(false);
    let examples = examples();
    let examples_arg = examples.to_str().unwrap();
    let summary = run_script(
        &python,
        "mcp_fix_client.py",
        &ltmc,
        &["--examples", examples_arg, "--transports", "stdio"],
    );
    let run = &summary["runs"]["stdio"];
    assert!(run["crash"].is_null(), "{}", run["crash"]);
    assert_eq!(run["server"]["name"], "ltmc");
    assert_eq!(run["fix_tools_missing"], Value::Array(vec![]), "{run:#}");
    assert_eq!(run["unknown_draft_fields"], Value::Array(vec![]), "{run:#}");

    // The data set, as the script read it.
    let audits = read_json(&examples.join("audits.json"));
    let patterns = read_json(&examples.join("patterns.json"));
    let relationships = read_json(&examples.join("relationships.json"));
    let n_patterns = patterns.as_array().unwrap().len();
    assert!(n_patterns >= 20);
    assert_eq!(run["audits"]["imported"], audits.as_array().unwrap().len());
    assert_eq!(run["audits"]["errors"], Value::Array(vec![]), "{run:#}");
    assert_eq!(run["extracted"], n_patterns, "{run:#}");
    assert_eq!(run["reviewed"], n_patterns, "{run:#}");
    assert_eq!(
        run["relationships_linked"],
        relationships.as_array().unwrap().len()
    );

    // The SQL-injection pattern: its title from the data set, its id from
    // what extract_pattern answered for it.
    let seed = patterns
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["key"] == "sql-injection-string-building")
        .expect("patterns.json has the SQL-injection pattern");
    let title = seed["title"].as_str().unwrap();
    let sql = run["patterns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["title"] == title)
        .unwrap_or_else(|| panic!("no extracted pattern titled {title}: {run:#}"))["pattern_id"]
        .as_i64()
        .unwrap();

    let rec = &run["recommend"];
    assert_eq!(rec["decision"], "apply", "{rec:#}");
    assert_eq!(rec["pattern_id"], sql, "{rec:#}");
    assert_eq!(rec["title"], title, "{rec:#}");
    assert!(rec["confidence"].as_f64().unwrap() > 0.8, "{rec:#}");
    assert!(rec["steps"].as_u64().unwrap() > 0, "{rec:#}");

    // The metrics: the data set's, then one success (95 minutes saved) and
    // one failure (no time reported), as the seed moves them.
    let before = PatternMetrics {
        applied_count: seed["applied_count"].as_i64().unwrap(),
        success_rate: seed["success_rate"].as_f64().unwrap(),
        avg_time_saved: seed["avg_time_saved"].as_i64().unwrap(),
    };
    let got = &run["before"];
    assert_eq!(got["applied_count"], before.applied_count, "{got}");
    assert_eq!(got["avg_time_saved"], before.avg_time_saved, "{got}");
    assert!((got["success_rate"].as_f64().unwrap() - before.success_rate).abs() < 1e-9);
    let after_success = before.after(true, Some(95));
    let after_failure = after_success.after(false, None);
    let seed_last = &seed["last_applied"];
    for (step, want, applications) in [
        ("after_success", after_success, 1),
        ("after_failure", after_failure, 2),
    ] {
        for source in ["outcome", "pattern"] {
            let got = &run[step][source];
            assert_metrics(got, want, seed_last, &format!("{step}/{source}"));
            assert!(
                got["applied_to_files"]
                    .as_array()
                    .unwrap()
                    .contains(&run["audit_id"]),
                "{step}/{source}: {got}"
            );
        }
        assert_eq!(run[step]["applications"], applications, "{step}");
    }

    // The audit the success was recorded for is complete, with a note.
    let audit = &run["audit_after"];
    assert_eq!(audit["status"], "Complete", "{audit}");
    assert_eq!(audit["pattern_id"], sql, "{audit}");
    assert!(
        audit["notes"].as_str().unwrap().contains("success"),
        "{audit}"
    );

    for (label, entry) in run["bad_inputs"].as_object().unwrap() {
        assert_eq!(entry["ok"], true, "bad input {label}: {}", entry["problem"]);
    }
    assert_eq!(run["bad_inputs"].as_object().unwrap().len(), 4);
    let merge_error = run["bad_inputs"]["bad merge"]["error"].to_string();
    assert!(merge_error.contains("from_pattern_id"), "{merge_error}");

    // The review queue over MCP.
    let review = &run["review"];
    assert_eq!(review["queue_order"], "confidence", "{review:#}");
    assert!(review["queue_total"].as_u64().unwrap() >= 1, "{review:#}");
    assert_eq!(
        review["accepted_edited"],
        json!(["solution_steps", "workflows"]),
        "{review:#}"
    );
    assert_eq!(
        review["accepted_steps"], "Read the token from the environment\nRotate it",
        "{review:#}"
    );
    assert_eq!(review["accepted_reviewed"], true, "{review:#}");
    assert_eq!(review["merged_removed"], true, "{review:#}");
    assert_eq!(review["rejected_key"], true, "{review:#}");
    assert_eq!(review["tombstones"], 1, "{review:#}");
    let left: Vec<i64> = serde_json::from_value(review["left_in_queue"].clone()).unwrap();
    for gone in review["gone"].as_array().unwrap() {
        assert!(!left.contains(&gone.as_i64().unwrap()), "{review:#}");
    }
    let steps_error = run["bad_inputs"]["steps as a number"]["error"].to_string();
    assert!(
        steps_error.contains("solution_steps must be a string or an array of strings"),
        "{steps_error}"
    );

    // The seed's shapes: text split as the seed's columns hold it.
    let seed = &run["seed_shapes"];
    assert_eq!(seed["audit_workflows"], json!(["WF1", "WF4"]), "{seed}");
    assert_eq!(
        seed["solution_steps"],
        "Read the token from the PAYMENTS_TOKEN environment variable\n\
         Fail at start-up when it is missing (never fall back to a default)\n\
         Rotate the leaked token",
        "{seed}"
    );
    assert_eq!(seed["workflows"], json!(["WF1", "WF4"]), "{seed}");
    assert_eq!(seed["layers"], json!([4]), "{seed}");
    assert_eq!(
        seed["tags"],
        json!(["hardcoded-token", "secrets"]),
        "{seed}"
    );
    assert_eq!(seed["file_types"], json!([".py"]), "{seed}");
    assert_eq!(
        seed["dart_task_ids"],
        json!(["DART-101", "DART-102"]),
        "{seed}"
    );
    assert_eq!(
        seed["anti_patterns"],
        json!([r#"TOKEN\s*=\s*"sk_live_[0-9a-f]+""#]),
        "{seed}"
    );
    assert_eq!(summary["ok"], true, "{summary:#}");
}
