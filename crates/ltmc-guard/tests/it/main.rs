//! ltmc-guard's integration tests: one binary, one module per concern.
//!
//! `scan_tree` plants anti-patterns in a temporary tree and checks exact
//! positions and counts; `examples` runs the rules of the example fix-pattern
//! knowledge base over its planted `src/` and checks the README's table;
//! `reports` checks the text, JSON and SARIF renderings and validates the
//! SARIF against the published SARIF 2.1.0 schemas with `scripts/sarif-schema`.

mod examples;
mod reports;
mod scan_tree;

use ltmc_core::fix::{GuardianRule, RuleType, Severity};
use ltmc_core::{PatternId, RuleId};
use ltmc_guard::RuleInput;
use std::path::{Path, PathBuf};

/// A stored-looking rule.
pub fn rule(
    id: i64,
    layer: i64,
    name: &str,
    rule_type: RuleType,
    severity: Severity,
    pattern: &str,
) -> GuardianRule {
    GuardianRule {
        id: RuleId(id),
        layer_number: layer,
        rule_name: name.to_owned(),
        rule_type,
        rule_pattern: pattern.to_owned(),
        severity,
        action_required: format!("fix what {name} flags"),
        source_pattern_id: Some(PatternId(100 + id)),
        active: true,
        inactive_reason: None,
        hit_count: 0,
        files_hit: 0,
        last_hit_at: None,
        created_at: "2026-01-01T00:00:00Z".to_owned(),
    }
}

pub fn input(rule: GuardianRule, file_types: &[&str]) -> RuleInput {
    RuleInput {
        rule,
        file_types: file_types.iter().map(|t| (*t).to_owned()).collect(),
    }
}

/// The workspace root (for `examples/` and `scripts/`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("the workspace root exists")
}
