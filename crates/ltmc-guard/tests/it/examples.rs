//! The example fix-pattern knowledge base (`examples/fix-patterns`): rules
//! from every pattern's `guardian_rules` (layer = the pattern's first) over
//! its planted `src/` must find exactly what the README's table "What a
//! guardian check over `src/` should find" says; and every anti-pattern must
//! pass the rule test on its own pattern's code.

use crate::workspace_root;
use ltmc_core::fix::{GuardianRule, RuleType, Severity};
use ltmc_core::{PatternId, RuleId};
use ltmc_guard::{RuleInput, RuleSet, ScanOptions, scan_paths, test_rule_on_code};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

fn examples_dir() -> PathBuf {
    workspace_root().join("examples/fix-patterns")
}

fn patterns() -> Vec<Value> {
    let text = std::fs::read_to_string(examples_dir().join("patterns.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// Rule inputs from every pattern's `guardian_rules`; pattern `i` (0-based)
/// gets `PatternId(i + 1)`.
fn guardian_rules(patterns: &[Value]) -> Vec<RuleInput> {
    let mut out = Vec::new();
    for (i, p) in patterns.iter().enumerate() {
        let layer = p["layers"][0].as_i64().unwrap();
        for r in p["guardian_rules"].as_array().unwrap() {
            let id = i64::try_from(out.len()).unwrap() + 1;
            out.push(RuleInput {
                rule: GuardianRule {
                    id: RuleId(id),
                    layer_number: layer,
                    rule_name: r["rule_name"].as_str().unwrap().to_owned(),
                    rule_type: RuleType::parse("rule_type", r["rule_type"].as_str().unwrap())
                        .unwrap(),
                    rule_pattern: r["rule_pattern"].as_str().unwrap().to_owned(),
                    severity: Severity::parse("severity", r["severity"].as_str().unwrap()).unwrap(),
                    action_required: r["action_required"].as_str().unwrap().to_owned(),
                    source_pattern_id: Some(PatternId(i64::try_from(i).unwrap() + 1)),
                    active: true,
                    inactive_reason: None,
                    hit_count: 0,
                    files_hit: 0,
                    last_hit_at: None,
                    created_at: "2026-01-01T00:00:00Z".to_owned(),
                },
                file_types: strings(&p["file_types"]),
            });
        }
    }
    out
}

/// One row of the README's table: the files, and per pattern key how many
/// rules it says fire (`(2 rules)`; otherwise 1).
struct Expected {
    files: Vec<String>,
    keys: BTreeMap<String, usize>,
}

/// Parses the README's table and its "Enforcement rules fire in" sentence.
fn readme() -> (Vec<Expected>, Vec<String>) {
    let text = std::fs::read_to_string(examples_dir().join("README.md")).unwrap();
    let section = text
        .split("## What a guardian check over `src/` should find")
        .nth(1)
        .expect("the README has the table");
    let backticked =
        |s: &str| -> Vec<String> { s.split('`').skip(1).step_by(2).map(str::to_owned).collect() };
    let mut rows = Vec::new();
    for line in section.lines().filter(|l| l.starts_with("| `")) {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let files = backticked(cells[1]);
        let mut keys = BTreeMap::new();
        if cells[2] != "none" {
            // "a (2 rules), b, c (Standards ...: no guardian rules)"
            let mut depth = 0;
            let mut item = String::new();
            let mut items = Vec::new();
            let mut note = String::new();
            for ch in cells[2].chars().chain([',']) {
                match ch {
                    '(' => depth += 1,
                    ')' => depth -= 1,
                    ',' if depth == 0 => {
                        items.push((item.trim().to_owned(), note.trim().to_owned()));
                        item.clear();
                        note.clear();
                    }
                    c if depth > 0 => note.push(c),
                    c => item.push(c),
                }
            }
            for (key, note) in items {
                let rules = note
                    .strip_suffix(" rules")
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(1);
                keys.insert(key, rules);
            }
        }
        rows.push(Expected { files, keys });
    }
    let sentence = section
        .split("Enforcement rules fire in")
        .nth(1)
        .expect("the README names the enforcement files");
    // "... `inventory.py` and\n`payments.py`, so `ltmc guard check` on `src/` exits ..."
    let enforcement = backticked(sentence.split(", so").next().unwrap_or_default());
    (rows, enforcement)
}

#[test]
fn guardian_check_over_src_matches_the_readme() {
    let patterns = patterns();
    assert_eq!(patterns.len(), 25);
    let key_of = |id: PatternId| -> String {
        let i = usize::try_from(id.0 - 1).unwrap();
        patterns[i]["key"].as_str().unwrap().to_owned()
    };
    let with_rules: BTreeSet<String> = patterns
        .iter()
        .filter(|p| !p["guardian_rules"].as_array().unwrap().is_empty())
        .map(|p| p["key"].as_str().unwrap().to_owned())
        .collect();
    let inputs = guardian_rules(&patterns);
    assert_eq!(
        inputs.len(),
        28,
        "the README's guardian rules column adds up to 28"
    );
    let rules = RuleSet::compile(inputs).unwrap();
    assert_eq!(rules.len(), 28);

    let report = scan_paths(
        &rules,
        &[examples_dir().join("src")],
        &examples_dir(),
        &ScanOptions::default(),
    )
    .unwrap();
    assert_eq!(report.files_scanned + report.files_without_rules, 10);
    assert_eq!(report.files_skipped, 0);

    // Per file: pattern key → the distinct rules of it that fired.
    let mut found: BTreeMap<String, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
    for v in &report.violations {
        found
            .entry(v.file_path.clone())
            .or_default()
            .entry(key_of(v.source_pattern_id.unwrap()))
            .or_default()
            .insert(v.rule_name.clone());
    }
    let (table, enforcement) = readme();
    assert_eq!(table.iter().map(|r| r.files.len()).sum::<usize>(), 10);
    let mut want: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    for row in &table {
        let keys: BTreeMap<String, usize> = row
            .keys
            .iter()
            .filter(|(k, _)| with_rules.contains(*k))
            .map(|(k, n)| (k.clone(), *n))
            .collect();
        for file in &row.files {
            if !keys.is_empty() {
                want.insert(file.clone(), keys.clone());
            }
        }
    }
    let got: BTreeMap<String, BTreeMap<String, usize>> = found
        .iter()
        .map(|(file, keys)| {
            (
                file.clone(),
                keys.iter()
                    .map(|(k, rules)| (k.clone(), rules.len()))
                    .collect(),
            )
        })
        .collect();
    assert_eq!(got, want);
    assert_eq!(got.len(), 6, "the table's files with guardian rules");

    let enforced: BTreeSet<String> = report
        .violations
        .iter()
        .filter(|v| v.is_enforcement())
        .map(|v| v.file_path.clone())
        .collect();
    assert_eq!(enforcement.len(), 5);
    assert_eq!(enforced.len(), 5, "{enforced:?}");
    for name in &enforcement {
        assert!(
            enforced.iter().any(|f| f.ends_with(&format!("/{name}"))),
            "{name} not among {enforced:?}"
        );
    }
    assert!(report.has_enforcement());
}

#[test]
fn every_anti_pattern_passes_its_own_patterns_code() {
    let mut tested = 0;
    for p in patterns() {
        let before = p["code_before"].as_str();
        let after = p["code_after"].as_str();
        let key = p["key"].as_str().unwrap();
        for anti in strings(&p["anti_patterns"]) {
            assert_eq!(
                test_rule_on_code(&anti, before, after).unwrap(),
                None,
                "{key}: {anti}"
            );
            tested += 1;
        }
        for r in p["guardian_rules"].as_array().unwrap() {
            let pattern = r["rule_pattern"].as_str().unwrap();
            assert_eq!(
                test_rule_on_code(pattern, before, after).unwrap(),
                None,
                "{key}"
            );
        }
    }
    assert!(tested >= 25, "{tested}");
}

#[test]
fn a_rule_fails_its_test_on_the_wrong_patterns_code() {
    // The stripe-key rule against the SQL pattern's code: it does not fire
    // on code_before; and against its own pattern's after/before swapped it
    // fires on "code_after".
    let patterns = patterns();
    let by_key = |k: &str| patterns.iter().find(|p| p["key"] == k).unwrap();
    let secret = by_key("hardcoded-secret-to-env");
    let sql = by_key("sql-injection-string-building");
    let rule = secret["guardian_rules"][0]["rule_pattern"]
        .as_str()
        .unwrap();
    assert_eq!(
        test_rule_on_code(rule, sql["code_before"].as_str(), None)
            .unwrap()
            .as_deref(),
        Some("does not fire on the pattern's code_before")
    );
    let reason = test_rule_on_code(rule, None, secret["code_before"].as_str())
        .unwrap()
        .unwrap();
    assert!(
        reason
            .starts_with("fires on the pattern's code_after (line 2: STRIPE_API_KEY = \"sk_live_"),
        "{reason}"
    );
}
