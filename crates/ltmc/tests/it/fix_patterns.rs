//! The fix-pattern knowledge base end to end from the CLI, with the real
//! model: load the example data set (audits imported, 25 patterns extracted,
//! 15 reviewed, relationships linked), then a new audited file whose debt is
//! described in other words gets the right pattern first with `apply`,
//! recording the outcome moves the pattern's metrics as the seed defines,
//! and `guard check` finds the planted anti-patterns (text, JSON, SARIF,
//! exit codes, a committed rules file).

use crate::support::{Ltmc, path_str};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/fix-patterns")
}

fn loaded() -> Ltmc {
    let ltmc = Ltmc::new(false);
    let out = ltmc
        .run(&["--json", "patterns", "load", path_str(&examples())])
        .ok()
        .json();
    assert_eq!(out["audits"]["imported"], 30, "{out}");
    assert_eq!(out["patterns"]["extracted"], 25, "{out}");
    assert_eq!(out["patterns"]["reviewed"], 15, "{out}");
    assert_eq!(out["patterns"]["relationships_linked"], 20, "{out}");
    ltmc
}

fn pattern_id(ltmc: &Ltmc, title_start: &str) -> i64 {
    let list = ltmc
        .run(&["--json", "patterns", "list", "--limit", "100"])
        .ok()
        .json();
    list["patterns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["title"].as_str().unwrap().starts_with(title_start))
        .unwrap_or_else(|| panic!("no pattern titled {title_start}...: {list}"))["id"]
        .as_i64()
        .unwrap()
}

/// One load of the examples (25 extractions with the real model) serves both
/// halves; loading twice in parallel doubled the machine's load for nothing.
#[test]
fn example_set_recommends_records_outcomes_and_guards() {
    let ltmc = loaded();
    recommend_applies_the_right_pattern_to_a_paraphrased_debt_and_outcomes_move_metrics(&ltmc);
    guard_check_finds_the_planted_anti_patterns_and_fails_on_enforcement(&ltmc);
    crate::calibrate::calibrate_refits_from_outcomes_and_undoes(&ltmc);
}

fn recommend_applies_the_right_pattern_to_a_paraphrased_debt_and_outcomes_move_metrics(
    ltmc: &Ltmc,
) {
    let sql = pattern_id(ltmc, "Replace SQL built");
    let before = ltmc
        .run(&["--json", "patterns", "show", &sql.to_string()])
        .ok()
        .json()["pattern"]
        .clone();

    // A file no audit or pattern mentions, its debt in other words.
    let audit = ltmc
        .run(&[
            "--json",
            "audit",
            "upsert",
            "src/services/search_index.py",
            "--layer",
            "4",
            "--workflows",
            "WF2",
            "--debt",
            "The search service builds its SQL statement by pasting the shopper's query text into \
             the string, so a crafted search can read or delete other tables.",
        ])
        .ok()
        .json();
    let audit_id = audit["file_audit_id"].as_i64().unwrap();

    // Said further from the pattern's words, the right pattern still ranks
    // first (the decision may then be `adapt`: MiniLM cosine ~0.39).
    let far = ltmc
        .run(&[
            "--json",
            "patterns",
            "similar",
            "--layer",
            "4",
            "--workflows",
            "WF2",
            "--file",
            "src/services/lookup.py",
            "The product lookup service builds its SQL statement by pasting whatever the shopper \
             typed into the query text, so a crafted search term can read or wipe other tables.",
        ])
        .ok()
        .json();
    assert_eq!(far["patterns"][0]["pattern_id"], sql, "{far:#}");
    let rec = ltmc
        .run(&[
            "--json",
            "patterns",
            "recommend",
            "--audit",
            &audit_id.to_string(),
        ])
        .ok()
        .json();
    assert_eq!(rec["decision"], "apply", "{rec:#}");
    assert_eq!(rec["pattern_id"], sql, "{rec:#}");
    assert!(rec["confidence"].as_f64().unwrap() > 0.8);
    let factors = &rec["recommended_pattern"]["confidence_factors"];
    assert!(
        (factors["layer_factor"].as_f64().unwrap() - 1.2).abs() < 1e-9,
        "{factors}"
    );
    assert!(!rec["steps"].as_array().unwrap().is_empty());

    // The seed's metrics: applied_count + 1, success rate over applications,
    // average time saved, last_applied, applied_to_files; the audit completes.
    let n = before["applied_count"].as_i64().unwrap();
    let rate = before["success_rate"].as_f64().unwrap();
    let saved = before["avg_time_saved"].as_i64().unwrap();
    let out = ltmc
        .run(&[
            "--json",
            "patterns",
            "outcome",
            &sql.to_string(),
            "--audit",
            &audit_id.to_string(),
            "--time-taken",
            "25",
            "--time-saved",
            "95",
        ])
        .ok()
        .json();
    assert_eq!(out["applied_count"], n + 1, "{out}");
    let want_rate = (rate * n as f64 + 1.0) / (n as f64 + 1.0);
    assert!((out["success_rate"].as_f64().unwrap() - want_rate).abs() < 1e-9);
    #[allow(clippy::cast_possible_truncation)] // minutes
    let want_saved = ((saved as f64 * n as f64 + 95.0) / (n as f64 + 1.0)).round() as i64;
    assert_eq!(out["avg_time_saved"], want_saved);
    assert!(out["last_applied"].is_string());
    assert!(
        out["applied_to_files"]
            .as_array()
            .unwrap()
            .contains(&Value::from(audit_id))
    );
    assert_eq!(out["file_audit"]["status"], "Complete");
    assert_eq!(out["file_audit"]["pattern_id"], sql);
    assert!(
        out["file_audit"]["notes"]
            .as_str()
            .unwrap()
            .contains("success"),
        "{out}"
    );
    let failed = ltmc
        .run(&[
            "--json",
            "patterns",
            "outcome",
            &sql.to_string(),
            "--failure",
            "--file",
            "src/other.py",
        ])
        .ok()
        .json();
    assert_eq!(failed["applied_count"], n + 2);
    let want_rate = (rate * n as f64 + 1.0) / (n as f64 + 2.0);
    assert!((failed["success_rate"].as_f64().unwrap() - want_rate).abs() < 1e-9);

    let insights = ltmc.run(&["--json", "patterns", "insights"]).ok().json();
    assert_eq!(insights["review_queue"], 10, "{insights}");
    assert!(insights["applications"].as_i64().unwrap() >= 2);
    assert!(
        !insights["knowledge_gaps"].as_array().unwrap().is_empty(),
        "the examples have debt no pattern covers: {insights}"
    );
}

fn guard_check_finds_the_planted_anti_patterns_and_fails_on_enforcement(ltmc: &Ltmc) {
    let src = examples().join("src");
    let run = ltmc
        .command()
        .args(["guard", "check", "--format", "json", "--no-record"])
        .arg(&src)
        .arg("--project-root")
        .arg(examples())
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(1), "enforcement rules fire in src/");
    let report: Value = serde_json::from_slice(&run.stdout).unwrap();
    let files: std::collections::BTreeSet<String> = report["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["file_path"].as_str().unwrap().to_owned())
        .collect();
    let want: std::collections::BTreeSet<String> = [
        "src/api/orders/routes.py",
        "src/config/settings.py",
        "src/main.py",
        "src/services/inventory.py",
        "src/services/payments.py",
        "src/services/reports.py",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    assert_eq!(files, want, "{report:#}");

    // A clean file passes with exit 0.
    let clean = ltmc
        .command()
        .args(["guard", "check", "--no-record"])
        .arg(src.join("models/order.py"))
        .output()
        .unwrap();
    assert_eq!(clean.status.code(), Some(0));

    // Exported rules check without any store (CI), and SARIF is written.
    let rules = ltmc.run(&["guard", "export"]).ok();
    let rules_file = ltmc.file("rules.json", rules.stdout.as_bytes());
    let sarif_file = ltmc.dir.path().join("guard.sarif");
    let ci = ltmc
        .command()
        .env("LTMC_DATA_DIR", ltmc.dir.path().join("no-store-here"))
        .args(["guard", "check", "--format", "sarif", "--rules"])
        .arg(&rules_file)
        .arg("-o")
        .arg(&sarif_file)
        .arg("--project-root")
        .arg(examples())
        .arg(&src)
        .output()
        .unwrap();
    assert_eq!(
        ci.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&ci.stderr)
    );
    let sarif: Value = serde_json::from_slice(&std::fs::read(&sarif_file).unwrap()).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    assert!(!sarif["runs"][0]["results"].as_array().unwrap().is_empty());

    // Checking through the tool records hits for the insights.
    let checked = ltmc
        .command()
        .args([
            "--json",
            "tool",
            "call",
            "check_guardian_rules",
            r#"{"file_path": "src"}"#,
        ])
        .arg("--project-root")
        .arg(examples())
        .output()
        .unwrap();
    assert!(
        checked.status.success(),
        "{}",
        String::from_utf8_lossy(&checked.stderr)
    );
    let outside = ltmc
        .command()
        .args([
            "tool",
            "call",
            "check_guardian_rules",
            r#"{"file_path": "../../Cargo.toml"}"#,
        ])
        .arg("--project-root")
        .arg(examples())
        .output()
        .unwrap();
    assert!(!outside.status.success());
    assert!(String::from_utf8_lossy(&outside.stderr).contains("project root"));
}
