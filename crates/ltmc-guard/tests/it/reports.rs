//! The renderings of a scan of the planted tree: text line by line, JSON
//! fields, and SARIF, whose structure is checked here and whose validity is
//! checked against the published SARIF 2.1.0 schemas by `scripts/sarif-schema`
//! (installed on first use from npm and crates.io). Without the validator the
//! SARIF test fails when `CI` is set and is skipped with a note otherwise.

use crate::scan_tree::{FOUND, STRIPE_LINE, options, plant, rules, scan};
use crate::workspace_root;
use ltmc_guard::{ScanReport, report, scan_paths};
use serde_json::{Value, json};
use std::collections::HashSet;
use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Output};

#[test]
fn text_report_lines_and_summary() {
    let dir = tempfile::tempdir().unwrap();
    plant(dir.path());
    let text = report::text(&scan(dir.path(), &options()));
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        &lines[..5],
        [
            "app/client.py:3:1: HIGH detection no-requests-in-async [L4] -> fix what no-requests-in-async flags",
            "app/config.py:3:14: CRITICAL enforcement no-live-stripe-key-literal [L5] -> fix what no-live-stripe-key-literal flags",
            "app/db.py:2:20: CRITICAL enforcement no-fstring-sql [L4] -> fix what no-fstring-sql flags",
            "app/latin.py:2:7: CRITICAL enforcement no-live-stripe-key-literal [L5] -> fix what no-live-stripe-key-literal flags",
            "web/page.ts:2:1: LOW prevention no-console-log [L6] -> fix what no-console-log flags",
        ]
    );
    let summary = lines[5];
    assert!(
        summary.starts_with("5 violations (3 enforcement) in 5 files; 6 files scanned in "),
        "{summary}"
    );
    assert!(summary.ends_with(" ms (2 skipped)"), "{summary}");
    assert_eq!(lines.len(), 6);
    assert!(text.ends_with('\n'));
}

#[test]
fn json_report_fields() {
    let dir = tempfile::tempdir().unwrap();
    plant(dir.path());
    let value = report::json(&scan(dir.path(), &options()));
    assert_eq!(value["violation_count"], 5);
    assert_eq!(value["enforcement_count"], 3);
    assert_eq!(value["files_with_violations"], 5);
    assert_eq!(value["files_scanned"], 6);
    assert_eq!(value["files_skipped"], 2);
    assert_eq!(value["files_without_rules"], 1);
    assert_eq!(value["rules"], 4);
    assert_eq!(value["passed"], false);
    let first = &value["violations"][1];
    assert_eq!(
        first,
        &json!({
            "rule_id": 1,
            "rule_name": "no-live-stripe-key-literal",
            "rule_type": "enforcement",
            "severity": "CRITICAL",
            "layer_number": 5,
            "action_required": "fix what no-live-stripe-key-literal flags",
            "source_pattern_id": 101,
            "file_path": "app/config.py",
            "line": 3,
            "column": 14,
            "end_line": 3,
            "end_column": 40,
            "snippet": STRIPE_LINE,
        })
    );
}

/// The SARIF of the planted tree plus a file whose name needs URI encoding.
fn planted_sarif(root: &Path) -> (ScanReport, Value) {
    plant(root);
    std::fs::write(root.join("web/my page é.py"), format!("{STRIPE_LINE}\n")).unwrap();
    let rules = rules();
    let report = scan(root, &options());
    let sarif = report::sarif(&report, &rules, "0.1.0-test");
    (report, sarif)
}

#[test]
fn sarif_structure() {
    let dir = tempfile::tempdir().unwrap();
    let (report, sarif) = planted_sarif(dir.path());
    assert_eq!(sarif["version"], "2.1.0");
    assert_eq!(
        sarif["$schema"],
        "https://json.schemastore.org/sarif-2.1.0.json"
    );
    let runs = sarif["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    let run = &runs[0];
    assert_eq!(run["invocations"], json!([{ "executionSuccessful": true }]));
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let root_uri = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .unwrap();
    assert!(
        root_uri.starts_with("file:///") && root_uri.ends_with('/'),
        "{root_uri}"
    );

    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "ltmc-guard");
    assert_eq!(driver["version"], "0.1.0-test");
    let descriptors = driver["rules"].as_array().unwrap();
    let ids: Vec<&str> = descriptors
        .iter()
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "L4/no-fstring-sql",
            "L4/no-requests-in-async",
            "L5/no-live-stripe-key-literal",
            "L6/no-console-log",
        ]
    );
    let sql = &descriptors[0];
    assert_eq!(sql["help"]["text"], "fix what no-fstring-sql flags");
    assert_eq!(sql["defaultConfiguration"]["level"], "error");
    assert_eq!(sql["properties"]["rule_type"], "enforcement");
    assert_eq!(sql["properties"]["layer"], 4);
    assert_eq!(sql["properties"]["severity"], "CRITICAL");
    assert_eq!(sql["properties"]["source_pattern_id"], 102);
    assert_eq!(descriptors[3]["defaultConfiguration"]["level"], "note");

    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), report.violations.len());
    assert_eq!(results.len(), FOUND.len() + 1);
    let mut fingerprints = HashSet::new();
    for r in results {
        // ruleIndex points at the descriptor whose id is ruleId.
        let index = usize::try_from(r["ruleIndex"].as_u64().unwrap()).unwrap();
        assert_eq!(descriptors[index]["id"], r["ruleId"]);
        assert!(r["message"]["text"].as_str().unwrap().contains("fix what"));
        let location = &r["locations"][0]["physicalLocation"];
        assert_eq!(location["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        let fingerprint = r["partialFingerprints"]["primaryLocationLineHash"]
            .as_str()
            .unwrap();
        assert!(fingerprints.insert(fingerprint.to_owned()), "{fingerprint}");
    }
    let config = &results[1];
    assert_eq!(config["ruleId"], "L5/no-live-stripe-key-literal");
    assert_eq!(config["level"], "error");
    assert_eq!(
        config["locations"][0]["physicalLocation"],
        json!({
            "artifactLocation": { "uri": "app/config.py", "uriBaseId": "%SRCROOT%" },
            "region": {
                "startLine": 3, "startColumn": 14, "endLine": 3, "endColumn": 40,
                "snippet": { "text": STRIPE_LINE },
            },
        })
    );
    let uri = |r: &Value| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].clone();
    assert_eq!(uri(&results[4]), "web/my%20page%20%C3%A9.py");
    assert_eq!(uri(&results[5]), "web/page.ts");
    assert_eq!(results[5]["level"], "note", "the LOW prevention rule");

    // The same scan gives the same fingerprints.
    let again = report::sarif(&scan(dir.path(), &options()), &rules(), "0.1.0-test");
    assert_eq!(again["runs"][0]["results"], run["results"]);
}

fn sarif_script(args: &[&str]) -> Output {
    Command::new("bash")
        .arg(workspace_root().join("scripts/sarif-schema"))
        .args(args)
        .output()
        .expect("bash runs")
}

fn describe(output: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[test]
fn sarif_validates_against_the_published_schemas() {
    let install = sarif_script(&["install"]);
    if !install.status.success() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set and the SARIF validator cannot be installed:\n{}",
            describe(&install)
        );
        let _ = writeln!(
            std::io::stderr(),
            "skipping SARIF schema validation: the validator cannot be installed \
             (set CI to make this a failure):\n{}",
            describe(&install)
        );
        return;
    }

    let dir = tempfile::tempdir().unwrap();
    let tree = dir.path().join("tree");
    std::fs::create_dir(&tree).unwrap();
    let (_, sarif) = planted_sarif(&tree);
    // A second log whose result lies outside the base: an absolute file URI.
    let elsewhere = tempfile::tempdir().unwrap();
    let outside = report::sarif(
        &scan_paths(
            &rules(),
            &[tree.join("app/config.py")],
            elsewhere.path(),
            &options(),
        )
        .unwrap(),
        &rules(),
        "0.1.0-test",
    );
    let outside_uri =
        &outside["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"];
    assert!(outside_uri["uri"].as_str().unwrap().starts_with("file:///"));
    assert!(outside_uri.get("uriBaseId").is_none());

    let write = |name: &str, value: &Value| {
        let path = dir.path().join(name);
        std::fs::write(&path, serde_json::to_string_pretty(value).unwrap()).unwrap();
        path.to_string_lossy().into_owned()
    };
    let good = write("planted.sarif", &sarif);
    let good_outside = write("outside.sarif", &outside);
    let output = sarif_script(&["validate", &good, &good_outside]);
    assert!(output.status.success(), "{}", describe(&output));

    // The validator must catch a broken log, or this test proves nothing.
    let mut wrong_version = sarif.clone();
    wrong_version["version"] = json!("9");
    let mut bad_uri = sarif.clone();
    bad_uri["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] =
        json!("has space.py");
    let mut bad_level = sarif;
    bad_level["runs"][0]["results"][0]["level"] = json!("fatal");
    for (name, broken) in [
        ("version.sarif", wrong_version),
        ("uri.sarif", bad_uri),
        ("level.sarif", bad_level),
    ] {
        let path = write(name, &broken);
        let output = sarif_script(&["validate", &path]);
        assert!(
            !output.status.success(),
            "{name} passed: {}",
            describe(&output)
        );
        assert!(
            String::from_utf8_lossy(&output.stderr).contains("INVALID"),
            "{}",
            describe(&output)
        );
    }
}
