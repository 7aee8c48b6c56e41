//! SARIF 2.1.0 output, in the shape GitHub code scanning accepts: one run,
//! one `reportingDescriptor` per compiled rule, one result per violation with
//! a location relative to `%SRCROOT%` and a `primaryLocationLineHash`
//! fingerprint so alerts survive unrelated edits.
//!
//! Level mapping (also each rule's `defaultConfiguration.level`):
//! `enforcement` rules are `error` whatever their severity; other rules
//! follow severity: CRITICAL and HIGH → `error`, MEDIUM → `warning`,
//! LOW → `note`.
//!
//! Columns are Unicode code points (`columnKind: unicodeCodePoints`), end
//! columns exclusive. Not here: deciding pass or fail (the CLI reads
//! [`ScanReport::has_enforcement`]).

use crate::rules::{CompiledRule, RuleSet};
use crate::scan::ScanReport;
use crate::violation::Violation;
use ltmc_core::fix::{RuleType, Severity};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;

/// The schema URI written into every log (GitHub's documented one).
pub const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

const SRCROOT: &str = "%SRCROOT%";
const TOOL_NAME: &str = "ltmc-guard";

/// The SARIF level of a rule (see the module header).
pub fn level(rule_type: RuleType, severity: Severity) -> &'static str {
    match (rule_type, severity) {
        (RuleType::Enforcement, _) | (_, Severity::Critical | Severity::High) => "error",
        (_, Severity::Medium) => "warning",
        (_, Severity::Low) => "note",
    }
}

/// The report as a SARIF 2.1.0 log. `rules` must be the set the report was
/// scanned with: it supplies the rule descriptors and result indexes.
pub fn sarif(report: &ScanReport, rules: &RuleSet, tool_version: &str) -> Value {
    let descriptors: Vec<Value> = rules.rules().iter().map(descriptor).collect();
    let mut occurrences = HashMap::<(String, String), usize>::new();
    let results: Vec<Value> = report
        .violations
        .iter()
        .map(|v| {
            let position = rules.position_of(v);
            let rule_id = position.map_or_else(
                || format!("L{}/{}", v.layer_number, v.rule_name),
                |i| rules.rules()[i].reporting_id().to_owned(),
            );
            let hash = line_hash(&rule_id, &v.file_path, &v.snippet);
            let seen = occurrences
                .entry((v.file_path.clone(), hash.clone()))
                .or_default();
            *seen += 1;
            result(v, &rule_id, position, &format!("{hash}:{seen}"))
        })
        .collect();

    let mut run = Map::new();
    run.insert(
        "tool".into(),
        json!({
            "driver": {
                "name": TOOL_NAME,
                "version": tool_version,
                "informationUri": env!("CARGO_PKG_REPOSITORY"),
                "rules": descriptors,
            }
        }),
    );
    run.insert(
        "invocations".into(),
        json!([{ "executionSuccessful": true }]),
    );
    if report.base.is_absolute() {
        run.insert(
            "originalUriBaseIds".into(),
            json!({ SRCROOT: { "uri": directory_uri(&report.base) } }),
        );
    }
    run.insert("columnKind".into(), json!("unicodeCodePoints"));
    run.insert("results".into(), Value::Array(results));
    run.insert(
        "properties".into(),
        json!({
            "files_scanned": report.files_scanned,
            "files_skipped": report.files_skipped,
            "files_without_rules": report.files_without_rules,
            "enforcement_violations": report.enforcement_violations(),
        }),
    );
    json!({
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [Value::Object(run)],
    })
}

fn descriptor(compiled: &CompiledRule) -> Value {
    let rule = compiled.rule();
    let files = if compiled.file_types().is_empty() {
        "any file".to_owned()
    } else {
        format!("{} files", compiled.file_types().join(", "))
    };
    json!({
        "id": compiled.reporting_id(),
        "name": rule.rule_name,
        "shortDescription": {
            "text": format!("{} ({} rule, layer {})", rule.rule_name, rule.rule_type.as_str(), rule.layer_number),
        },
        "fullDescription": {
            "text": format!(
                "Flags code in {files} matching the regex {:?}. {}",
                rule.rule_pattern, rule.action_required
            ),
        },
        "help": { "text": rule.action_required },
        "defaultConfiguration": { "level": level(rule.rule_type, rule.severity) },
        "properties": {
            "tags": ["ltmc", "guardian", rule.rule_type.as_str(), format!("layer-{}", rule.layer_number)],
            "rule_type": rule.rule_type.as_str(),
            "layer": rule.layer_number,
            "severity": rule.severity.as_str(),
            "ltmc_rule_id": rule.id,
            "source_pattern_id": rule.source_pattern_id,
            "file_types": compiled.file_types(),
        },
    })
}

fn result(v: &Violation, rule_id: &str, position: Option<usize>, fingerprint: &str) -> Value {
    let artifact = if Path::new(&v.file_path).is_absolute() {
        json!({ "uri": file_uri(Path::new(&v.file_path)) })
    } else {
        json!({ "uri": encode(&v.file_path, false), "uriBaseId": SRCROOT })
    };
    let mut result = Map::new();
    result.insert("ruleId".into(), json!(rule_id));
    if let Some(i) = position {
        result.insert("ruleIndex".into(), json!(i));
    }
    result.insert("level".into(), json!(level(v.rule_type, v.severity)));
    result.insert(
        "message".into(),
        json!({
            "text": format!(
                "{} ({} {}, layer {}): {}",
                v.rule_name,
                v.severity.as_str(),
                v.rule_type.as_str(),
                v.layer_number,
                v.action_required
            )
        }),
    );
    result.insert(
        "locations".into(),
        json!([{
            "physicalLocation": {
                "artifactLocation": artifact,
                "region": {
                    "startLine": v.line,
                    "startColumn": v.column,
                    "endLine": v.end_line,
                    "endColumn": v.end_column,
                    "snippet": { "text": v.snippet },
                },
            }
        }]),
    );
    result.insert(
        "partialFingerprints".into(),
        json!({ "primaryLocationLineHash": fingerprint }),
    );
    Value::Object(result)
}

/// 16 hex digits of sha256 over the rule, the path and the trimmed line, so
/// that moving the line up or down keeps the alert.
fn line_hash(rule_id: &str, path: &str, line: &str) -> String {
    let mut hasher = Sha256::new();
    for part in [rule_id, path, line] {
        hasher.update(part.as_bytes());
        hasher.update([0]);
    }
    hex::encode(&hasher.finalize()[..8])
}

/// `file:///abs/dir/`, percent-encoded, ending with `/` as SARIF requires of
/// a base URI.
fn directory_uri(dir: &Path) -> String {
    let mut uri = file_uri(dir);
    if !uri.ends_with('/') {
        uri.push('/');
    }
    uri
}

fn file_uri(path: &Path) -> String {
    let mut text = path.to_string_lossy().replace('\\', "/");
    if !text.starts_with('/') {
        // A Windows drive path: file:///C:/dir
        text.insert(0, '/');
    }
    format!("file://{}", encode(&text, true))
}

/// Percent-encodes everything but unreserved characters and `/` (and `:`
/// when `keep_colon`; a relative reference must not have one, or its first
/// segment would read as a scheme).
fn encode(text: &str, keep_colon: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for &b in text.as_bytes() {
        let keep = b.is_ascii_alphanumeric()
            || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/')
            || (keep_colon && b == b':');
        if keep {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels() {
        use RuleType::{Detection, Enforcement, Prevention};
        use Severity::{Critical, High, Low, Medium};
        let check = |t, s, want| assert_eq!(level(t, s), want, "{t:?} {s:?}");
        check(Enforcement, Low, "error");
        check(Prevention, Critical, "error");
        check(Detection, High, "error");
        check(Prevention, Medium, "warning");
        check(Detection, Low, "note");
    }

    #[test]
    fn uris_are_percent_encoded() {
        assert_eq!(encode("src/a b/é.py", false), "src/a%20b/%C3%A9.py");
        assert_eq!(encode("c:x", false), "c%3Ax");
        assert_eq!(
            directory_uri(Path::new("/tmp/my repo")),
            "file:///tmp/my%20repo/"
        );
        assert_eq!(directory_uri(Path::new("/")), "file:///");
        assert_eq!(file_uri(Path::new("/a/b.py")), "file:///a/b.py");
    }

    #[test]
    fn line_hash_is_stable_and_separates_parts() {
        let h = line_hash("L1/r", "a.py", "x = 1");
        assert_eq!(h.len(), 16);
        assert_eq!(h, line_hash("L1/r", "a.py", "x = 1"));
        assert_ne!(h, line_hash("L1/r", "a.p", "yx = 1"));
    }
}
