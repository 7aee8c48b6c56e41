//! The error enum of ltmc-guard: a rule that does not compile, a path that
//! is not there.
//!
//! Files that cannot be read during a scan are not errors: a scan counts them
//! as skipped and goes on, so one unreadable file never hides the violations
//! in the others.

use ltmc_core::RuleId;
use std::path::PathBuf;

/// What went wrong, naming the field, rule or path and how to fix it.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum GuardError {
    /// A regex that the Rust `regex` crate refuses; `message` is its parser's own.
    #[error(
        "invalid {field}: {pattern:?} is not a valid regex: {message}\n\
         hint: use Rust regex syntax (no look-around, no backreferences) and keep the pattern small"
    )]
    InvalidRegex {
        field: &'static str,
        pattern: String,
        message: String,
    },
    /// A stored rule whose `rule_pattern` does not compile.
    #[error(
        "guardian rule {rule_id} ({rule_name:?}, layer {layer}) has an invalid rule_pattern {pattern:?}: {message}\n\
         hint: fix the rule's pattern or deactivate the rule"
    )]
    InvalidRule {
        rule_id: RuleId,
        rule_name: String,
        layer: i64,
        pattern: String,
        message: String,
    },
    /// A path given to a scan that does not exist.
    #[error("{} does not exist; give an existing file or directory", path.display())]
    NotFound { path: PathBuf },
    /// A path given to a scan (or the current directory) that cannot be inspected.
    #[error("cannot read {}: {message}", path.display())]
    Io { path: PathBuf, message: String },
}
