//! `ltmc patterns calibrate` end to end with the real model (called from the
//! example-set flow in `fix_patterns.rs`, which has loaded the data set and
//! recorded a success and a failure): too few outcomes change nothing; after
//! outcomes on the audited files (the recommended pattern applied: success
//! where it is the audit's own, failure elsewhere) a dry run shows before and
//! after without storing, a refit is stored and `recommend` says it used the
//! team's calibration, and `--undo` brings the shipped default back. The
//! history is small (a data set of 25 patterns), so the refit's minimum is
//! lowered to 10 pairs here; its quality is not judged, its plumbing is.

use crate::support::Ltmc;
use serde_json::Value;

fn recommend(ltmc: &Ltmc, audit: i64) -> Value {
    ltmc.run(&[
        "--json",
        "patterns",
        "recommend",
        "--audit",
        &audit.to_string(),
    ])
    .ok()
    .json()
}

fn source_of(rec: &Value) -> Option<String> {
    rec["candidates"][0]["calibration"]["source"]
        .as_str()
        .map(str::to_owned)
}

pub fn calibrate_refits_from_outcomes_and_undoes(ltmc: &Ltmc) {
    let few = ltmc.run(&["--json", "patterns", "calibrate"]).ok().json();
    assert_eq!(few["enough"], false, "{few:#}");
    assert_eq!(few["stored_id"], Value::Null);
    assert!(few["message"].as_str().unwrap().contains("not enough"));

    // Outcomes on the imported audits: the top candidate applied; it worked
    // when it is a pattern extracted from that audit's own kind of debt.
    let audits = ltmc.run(&["--json", "audit", "list"]).ok().json();
    let mut recorded = 0;
    let mut first = None;
    for audit in audits["audits"].as_array().unwrap() {
        if audit["technical_debt"].is_null() {
            continue;
        }
        let id = audit["id"].as_i64().unwrap();
        let rec = recommend(ltmc, id);
        let Some(pattern) = rec["pattern_id"].as_i64() else {
            continue;
        };
        first.get_or_insert(id);
        let success = rec["decision"] == "apply";
        let outcome = if success { "--success" } else { "--failure" };
        ltmc.run(&[
            "patterns",
            "outcome",
            &pattern.to_string(),
            outcome,
            "--audit",
            &id.to_string(),
        ])
        .ok();
        recorded += 1;
    }
    assert!(recorded >= 10, "only {recorded} outcomes recorded");

    let dry = ltmc
        .run(&[
            "--json",
            "patterns",
            "calibrate",
            "--dry-run",
            "--min-pairs",
            "10",
        ])
        .ok()
        .json();
    assert_eq!(dry["enough"], true, "{dry:#}");
    assert_eq!(dry["stored_id"], Value::Null);
    assert_eq!(dry["before_calibration"]["source"], "default");
    assert_eq!(dry["calibration"]["source"], "team");
    assert!(dry["after"]["apply_precision"].is_number(), "{dry:#}");
    let first = first.expect("an audit with a candidate");
    assert_eq!(
        source_of(&recommend(ltmc, first)).as_deref(),
        Some("default")
    );

    let stored = ltmc
        .run(&["--json", "patterns", "calibrate", "--min-pairs", "10"])
        .ok()
        .json();
    assert!(stored["stored_id"].is_i64(), "{stored:#}");
    let text = ltmc
        .run(&["patterns", "calibrate", "--dry-run", "--min-pairs", "10"])
        .ok()
        .stdout;
    assert!(text.contains("before: the team calibration"), "{text}");
    assert!(text.contains("apply precision"), "{text}");
    let rec = recommend(ltmc, first);
    if rec["candidates"][0].is_object() {
        // (A refit may keep no candidate for this debt: then none to show.)
        assert_eq!(source_of(&rec).as_deref(), Some("team"), "{rec:#}");
    }

    let undone = ltmc
        .run(&["--json", "patterns", "calibrate", "--undo"])
        .ok()
        .json();
    assert_eq!(undone["undone_id"], stored["stored_id"], "{undone:#}");
    assert_eq!(undone["active"]["source"], "default");
    assert_eq!(
        source_of(&recommend(ltmc, first)).as_deref(),
        Some("default")
    );
    let nothing = ltmc
        .run(&["--json", "patterns", "calibrate", "--undo"])
        .ok()
        .json();
    assert_eq!(nothing["undone_id"], Value::Null);
}
