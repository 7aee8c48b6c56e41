//! Snapshot tests (insta) of the output people read: `ltmc search`, `ltmc
//! patterns recommend` and `ltmc guard check`, in text and JSON (and SARIF),
//! from the real binary. They lock today's wording and shapes so a refactor
//! can prove it changed nothing; an intended change is reviewed with
//! `cargo insta review` (or `INSTA_UPDATE=always`) and committed with the code.
//!
//! Ids, times, temp-dir paths and the tool version are redacted and scores
//! rounded to two decimals, so the snapshots hold on any machine. Always on
//! SQLite: the backends rank keywords differently by design, and their
//! equality is the conformance suite's job, not this file's. Search uses the
//! hash embedder (as `cli` does); recommendations use the real model (as
//! `fix_patterns` does).

use crate::support::{Ltmc, Run, path_str};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// A store in a fresh SQLite file, whatever `LTMC_TEST_BACKEND` says.
fn sqlite(hash_embedder: bool) -> Ltmc {
    Ltmc {
        dir: tempfile::tempdir().unwrap(),
        hash_embedder,
        db: None,
    }
}

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/fix-patterns")
}

/// Insta settings that redact what differs between runs and machines.
fn redacting(ltmc: &Ltmc) -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.add_filter(&regex_escape(path_str(ltmc.dir.path())), "[TMP]");
    // The examples as passed on the command line, and as resolved.
    for examples in [examples(), examples().canonicalize().unwrap()] {
        settings.add_filter(&regex_escape(path_str(&examples)), "[EXAMPLES]");
    }
    // Text output names ids in words: `resource 3`, `chunk 7`, `pattern   12`,
    // `pattern_id=3`.
    settings.add_filter(
        r"\b(resource|chunk|pattern|audit|rule|id)( +#?|_id=)\d+\b",
        "$1$2[id]",
    );
    // How long a scan took: `9 files scanned in 28.2 ms`.
    settings.add_filter(r"\bin \d+(\.\d+)? ?(ns|µs|us|ms|s)\b", "in [duration]");
    // RFC 3339 times.
    settings.add_filter(
        r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?",
        "[time]",
    );
    // Scores and confidences: cut to two decimals (JSON is rounded in `redact_json`).
    settings.add_filter(r"\b(\d+\.\d{2})\d+\b", "$1");
    settings.add_filter(
        &regex_escape(&format!("\"{}\"", env!("CARGO_PKG_VERSION"))),
        "\"[version]\"",
    );
    settings
}

fn regex_escape(text: &str) -> String {
    text.chars()
        .flat_map(|c| {
            let special = "\\.+*?()|[]{}^$#&-~".contains(c);
            special.then_some('\\').into_iter().chain([c])
        })
        .collect()
}

/// Ids, times and durations out, floats rounded to two decimals, recursively.
fn redact_json(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                let is_id = key == "id" || key.ends_with("_id") || key.ends_with("_ids");
                let is_time = key.ends_with("_at") || key == "last_applied" || key == "timestamp";
                let is_duration = key.ends_with("_ms") || key.starts_with("elapsed");
                if is_id && (v.is_number() || v.is_array()) || is_time && v.is_string() {
                    *v = Value::from(if is_id { "[id]" } else { "[time]" });
                } else if is_duration && v.is_number() {
                    *v = Value::from("[duration]");
                } else if key == "applied_to_files" && v.is_array() {
                    *v = Value::from("[ids]");
                } else {
                    redact_json(v);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact_json),
        Value::Number(n) if !n.is_i64() && !n.is_u64() => {
            let x = n.as_f64().unwrap();
            *value = Value::from((x * 100.0).round() / 100.0);
        }
        _ => {}
    }
}

/// The snapshot of one run: its exit code, then stdout (JSON redacted and
/// pretty-printed when `json`).
fn shown(run: &Run, json: bool) -> String {
    assert!(!run.stderr.contains("panicked"), "{run:#?}");
    let body = if json {
        let mut v: Value = serde_json::from_str(run.stdout.trim())
            .unwrap_or_else(|e| panic!("not one JSON value ({e}): {run:#?}"));
        redact_json(&mut v);
        serde_json::to_string_pretty(&v).unwrap()
    } else {
        run.stdout.trim_end().to_owned()
    };
    format!("exit: {}\n{body}\n", run.code)
}

#[test]
fn search_text_and_json() {
    let ltmc = sqlite(true);
    for (name, text) in [
        (
            "ownership.md",
            "Rust ownership moves values. Borrowing lends them without moving.",
        ),
        (
            "sourdough.md",
            "Bake the sourdough bread at high heat with steam for a crisp crust.",
        ),
        (
            "cache.rs",
            "fn cached(key: &str) -> Option<String> { CACHE.get(key).cloned() } // bread crumbs",
        ),
    ] {
        let path = ltmc.file(name, text);
        ltmc.run(&["store", path_str(&path)]).ok();
    }
    let query = ["search", "sourdough bread crust"];
    let text = ltmc.run(&query).ok();
    let json = ltmc.run(&["--json", query[0], query[1]]).ok();
    let keyword = ltmc
        .run(&["search", "--mode", "keyword", "-k", "1", "sourdough"])
        .ok();
    let none = ltmc.run(&["search", "--type", "todo", "bread"]).ok();
    redacting(&ltmc).bind(|| {
        insta::assert_snapshot!("search_text", shown(&text, false));
        insta::assert_snapshot!("search_json", shown(&json, true));
        insta::assert_snapshot!("search_keyword_top1_text", shown(&keyword, false));
        insta::assert_snapshot!("search_no_results_text", shown(&none, false));
    });
}

/// One load of the example set (with the real model) serves the
/// recommendation and the guard snapshots.
#[test]
fn patterns_recommend_and_guard_check() {
    let ltmc = sqlite(false);
    ltmc.run(&["--json", "patterns", "load", path_str(&examples())])
        .ok();
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
    let audit_id = audit["file_audit_id"].as_i64().unwrap().to_string();
    let recommend = ["patterns", "recommend", "--audit", audit_id.as_str()];
    let text = ltmc.run(&recommend).ok();
    let mut with_json = vec!["--json"];
    with_json.extend(recommend);
    let json = ltmc.run(&with_json).ok();

    let guard = |format: &str| {
        let out = ltmc
            .command()
            .args(["guard", "check", "--no-record", "--format", format])
            .arg("--project-root")
            .arg(examples())
            .arg(examples().join("src"))
            .output()
            .unwrap();
        Run::from(out)
    };
    let (guard_text, guard_json, guard_sarif) = (guard("text"), guard("json"), guard("sarif"));
    redacting(&ltmc).bind(|| {
        insta::assert_snapshot!("patterns_recommend_text", shown(&text, false));
        insta::assert_snapshot!("patterns_recommend_json", shown(&json, true));
        insta::assert_snapshot!("guard_check_text", shown(&guard_text, false));
        insta::assert_snapshot!("guard_check_json", shown(&guard_json, true));
        insta::assert_snapshot!("guard_check_sarif", shown(&guard_sarif, true));
    });
}
