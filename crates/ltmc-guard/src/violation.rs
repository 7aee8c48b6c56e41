//! A violation: one match of one guardian rule in one file, with everything a
//! report needs to show it without the rule set at hand.
//!
//! Not here: finding matches (`rules.rs`) or rendering them (`report`).

use ltmc_core::fix::{RuleType, Severity};
use ltmc_core::{PatternId, RuleId};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

/// The most characters of a matched line a violation keeps.
pub const SNIPPET_CHARS: usize = 200;

/// One match of a rule. Lines and columns are 1-based; columns count
/// characters (Unicode code points); `end_column` is one past the last
/// matched character, as in SARIF. The span is the match without leading and
/// trailing blanks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Violation {
    pub rule_id: RuleId,
    pub rule_name: String,
    pub rule_type: RuleType,
    pub severity: Severity,
    pub layer_number: i64,
    pub action_required: String,
    pub source_pattern_id: Option<PatternId>,
    /// Relative to the scan's base with `/` separators when the file is under
    /// it, else as given.
    pub file_path: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    /// The first matched line, trimmed and cut to [`SNIPPET_CHARS`] characters.
    pub snippet: String,
}

impl Violation {
    pub fn is_enforcement(&self) -> bool {
        self.rule_type == RuleType::Enforcement
    }

    /// Order within a file: line, column, rule name, then the rest so that
    /// the order never depends on thread timing.
    pub(crate) fn cmp_in_file(&self, other: &Self) -> Ordering {
        (self.line, self.column, &self.rule_name)
            .cmp(&(other.line, other.column, &other.rule_name))
            .then_with(|| (self.end_line, self.end_column).cmp(&(other.end_line, other.end_column)))
            .then_with(|| {
                (self.layer_number, self.rule_id).cmp(&(other.layer_number, other.rule_id))
            })
    }

    /// Order across files: path first.
    pub(crate) fn cmp_across_files(&self, other: &Self) -> Ordering {
        self.file_path
            .cmp(&other.file_path)
            .then_with(|| self.cmp_in_file(other))
    }
}

/// A line as a violation shows it: trimmed, at most [`SNIPPET_CHARS`] characters.
pub(crate) fn snippet(line: &str) -> String {
    line.trim().chars().take(SNIPPET_CHARS).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_are_trimmed_and_cut_by_characters() {
        assert_eq!(snippet("   x = 1\t"), "x = 1");
        let long = "é".repeat(SNIPPET_CHARS + 10);
        assert_eq!(snippet(&long).chars().count(), SNIPPET_CHARS);
    }
}
