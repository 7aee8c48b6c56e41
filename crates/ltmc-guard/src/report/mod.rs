//! Rendering a [`ScanReport`]: text for people, JSON for tools, SARIF 2.1.0
//! for GitHub code scanning and other SARIF viewers.
//!
//! Pure functions of the report (and, for SARIF, the rule set): nothing is
//! printed here; the CLI decides where the text goes.

mod sarif;

pub use sarif::{SARIF_SCHEMA, level, sarif};

use crate::scan::ScanReport;
use serde_json::{Value, json};
use std::fmt::Write as _;

/// One line per violation,
/// `path:line:col: SEVERITY rule_type rule_name [L<layer>] -> action`,
/// then a summary line
/// `N violations (E enforcement) in F files; S files scanned in X ms`
/// (with `(K skipped)` appended when files were skipped).
pub fn text(report: &ScanReport) -> String {
    let mut out = String::new();
    for v in &report.violations {
        let _ = writeln!(
            out,
            "{}:{}:{}: {} {} {} [L{}] -> {}",
            v.file_path,
            v.line,
            v.column,
            v.severity.as_str(),
            v.rule_type.as_str(),
            v.rule_name,
            v.layer_number,
            one_line(&v.action_required),
        );
    }
    let _ = write!(
        out,
        "{} ({} enforcement) in {}; {} scanned in {:.1} ms",
        plural(report.violations.len(), "violation"),
        report.enforcement_violations(),
        plural(report.files_with_violations(), "file"),
        plural(usize_of(report.files_scanned), "file"),
        report.elapsed_ms,
    );
    if report.files_skipped > 0 {
        let _ = write!(out, " ({} skipped)", report.files_skipped);
    }
    out.push('\n');
    out
}

/// The report as a JSON object: the counts, `violation_count`,
/// `enforcement_count`, `files_with_violations`, `passed` (no enforcement
/// violation) and `violations` (the [`crate::Violation`] fields).
pub fn json(report: &ScanReport) -> Value {
    json!({
        "base": report.base.to_string_lossy(),
        "paths": report.roots.iter().map(|p| p.to_string_lossy()).collect::<Vec<_>>(),
        "rules": report.rules,
        "files_scanned": report.files_scanned,
        "files_skipped": report.files_skipped,
        "files_without_rules": report.files_without_rules,
        "bytes_scanned": report.bytes_scanned,
        "elapsed_ms": report.elapsed_ms,
        "violation_count": report.violations.len(),
        "enforcement_count": report.enforcement_violations(),
        "files_with_violations": report.files_with_violations(),
        "passed": !report.has_enforcement(),
        "violations": report.violations,
    })
}

fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

fn usize_of(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

/// Keeps a violation on one line whatever the action text holds.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
