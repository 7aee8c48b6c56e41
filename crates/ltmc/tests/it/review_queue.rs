//! The review queue end to end through the CLI: `patterns drafts` in each
//! order, `patterns accept` with edits (validated, saved, searchable),
//! `patterns merge` (history carried over) and `patterns reject` (gone, with
//! a tombstone), and bad input refused naming the field. Runs on the
//! backend the suite selects (SQLite, or PostgreSQL with
//! `LTMC_TEST_BACKEND=postgres`).

use crate::support::{Ltmc, path_str};
use serde_json::json;

fn extract(ltmc: &Ltmc, name: &str, title: &str, problem: &str, confidence: f64) -> i64 {
    let file = ltmc.file(
        name,
        json!({
            "title": title,
            "problem_description": problem,
            "solution_steps": "1. Read the value from the environment 2. Fail fast when it is missing",
            "problem_type": "Security",
            "severity": "HIGH",
            "layers": 4,
            "workflows": "WF1",
            "file_types": ".py",
            "confidence_score": confidence,
        })
        .to_string(),
    );
    ltmc.run(&["--json", "patterns", "extract", path_str(&file)])
        .ok()
        .json()["pattern_id"]
        .as_i64()
        .unwrap()
}

fn ids(v: &serde_json::Value) -> Vec<i64> {
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_i64().unwrap())
        .collect()
}

#[test]
fn drafts_accept_merge_reject() {
    let ltmc = Ltmc::new(true);
    let a = extract(
        &ltmc,
        "a.json",
        "Token in source",
        "A bearer token is written in the client module",
        0.4,
    );
    let b = extract(
        &ltmc,
        "b.json",
        "Password in settings",
        "A database password is a literal in settings",
        0.9,
    );
    let c = extract(
        &ltmc,
        "c.json",
        "Secret key in code",
        "The signing key is a string constant",
        0.6,
    );

    let newest = ltmc.run(&["--json", "patterns", "drafts"]).ok().json();
    assert_eq!(ids(&newest), [c, b, a], "{newest:#}");
    assert_eq!(newest["total"], 3);
    assert_eq!(newest["items"][0]["origin"], "manual");
    let by_confidence = ltmc
        .run(&[
            "--json",
            "patterns",
            "drafts",
            "--order",
            "confidence",
            "--limit",
            "2",
        ])
        .ok()
        .json();
    assert_eq!(ids(&by_confidence), [b, c], "{by_confidence:#}");
    assert_eq!(by_confidence["total"], 3);
    let text = ltmc.run(&["patterns", "drafts", "--order", "source"]).ok();
    assert!(
        text.stdout.contains("1 to 3 of 3 (source)"),
        "{}",
        text.stdout
    );
    ltmc.run(&["patterns", "drafts", "--order", "oldest"])
        .fails_with("newest, confidence or source");
    ltmc.run(&["patterns", "drafts", "--origin", "git"])
        .fails_with("mined, audit or manual");

    // Accept with edits: saved, re-embedded, out of the queue.
    let accepted = ltmc
        .run(&[
            "--json",
            "patterns",
            "accept",
            &a.to_string(),
            "--title",
            "Bearer token moved to the environment",
            "--layers",
            "3,4",
            "--notes",
            "clearer title",
        ])
        .ok()
        .json();
    assert_eq!(accepted["reviewed"], true, "{accepted:#}");
    assert_eq!(
        accepted["edited"],
        json!(["title", "layers"]),
        "{accepted:#}"
    );
    assert_eq!(accepted["re_embedded"], true);
    assert_eq!(accepted["pattern"]["layers"], json!([3, 4]));
    let shown = ltmc
        .run(&["--json", "patterns", "show", &a.to_string()])
        .ok()
        .json();
    assert_eq!(
        shown["pattern"]["title"], "Bearer token moved to the environment",
        "{shown:#}"
    );
    assert_eq!(shown["pattern"]["reviewer_notes"], "clearer title");
    let queue = ltmc.run(&["--json", "patterns", "drafts"]).ok().json();
    assert_eq!(ids(&queue), [c, b]);
    // A bad edit writes nothing.
    ltmc.run(&["patterns", "accept", &b.to_string(), "--severity", "urgent"])
        .fails_with("severity");
    let edits = ltmc.file("edits.json", r#"{"layers": "nine"}"#);
    ltmc.run(&[
        "patterns",
        "accept",
        &b.to_string(),
        "--edits",
        path_str(&edits),
    ])
    .fails_with("layers");
    ltmc.run(&["patterns", "accept", "9999"])
        .fails_with("not found");
    let queue = ltmc.run(&["--json", "patterns", "drafts"]).ok().json();
    assert_eq!(ids(&queue), [c, b]);

    // Merge c into a: c's application moves, c is gone.
    ltmc.run(&["patterns", "outcome", &c.to_string(), "--file", "app/k.py"])
        .ok();
    let merged = ltmc
        .run(&[
            "--json",
            "patterns",
            "merge",
            &a.to_string(),
            &c.to_string(),
            "--notes",
            "same fix",
        ])
        .ok()
        .json();
    assert_eq!(merged["removed_pattern_id"], c, "{merged:#}");
    assert_eq!(merged["applications_moved"], 1, "{merged:#}");
    assert_eq!(merged["pattern"]["applied_count"], 1, "{merged:#}");
    ltmc.run(&["patterns", "show", &c.to_string()])
        .fails_with("not found");
    ltmc.run(&["patterns", "merge", &a.to_string(), &a.to_string()])
        .fails_with("from_pattern_id");

    // Reject b: gone, remembered.
    let rejected = ltmc
        .run(&[
            "--json",
            "patterns",
            "reject",
            &b.to_string(),
            "--reason",
            "duplicate",
        ])
        .ok()
        .json();
    assert_eq!(rejected["fold_key"], format!("pattern:{b}"), "{rejected:#}");
    let queue = ltmc.run(&["--json", "patterns", "drafts"]).ok().json();
    assert_eq!(queue["total"], 0, "{queue:#}");
    assert_eq!(queue["tombstones"], 1, "{queue:#}");
    let all = ltmc
        .run(&["--json", "patterns", "drafts", "--all"])
        .ok()
        .json();
    assert_eq!(ids(&all), [a]);
}
