//! Guardian rules proposed from history: a removed line that recurs across
//! at least two fixes (commits) is probably a mistake people make, so its
//! escaped text (whitespace runs as `\s+`, nothing else generalised: a
//! conservative rule) becomes a detection rule of a draft that removed it.
//! Each is self-tested with `ltmc-guard` on that draft's own code (fires on
//! `code_before`, not on `code_after`); one that fails the test is not
//! proposed. Proposed rules are stored inactive, waiting for review. Pure.

use crate::draft::Draft;
use ltmc_core::fix::{NewGuardianRule, RuleType};
use std::collections::HashMap;

/// The layer of a rule proposed for a draft that has none (no path map):
/// a guardian rule needs one (the seed's `layer_number NOT NULL`), and the
/// rule stays inactive until a reviewer activates it. 4, the seed's
/// service layer, is where most mined fixes land.
const UNMAPPED_RULE_LAYER: i64 = 4;

/// Rules proposed per draft at most.
pub const MAX_RULES_PER_DRAFT: usize = 3;
/// Rules proposed per run at most.
pub const MAX_RULES_PER_RUN: usize = 100;

/// The reason a proposed rule is inactive.
pub const UNREVIEWED: &str = "proposed by mining git history; review it before activating";

/// What [`propose`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RuleStats {
    /// Removed lines recurring across at least `min_fixes` fixes.
    pub recurring_lines: usize,
    pub proposed: usize,
    /// Recurring lines whose rule failed its self-test on every draft.
    pub failed_self_test: usize,
}

/// The regex of a removed line: its tokens escaped, whitespace as `\s+`.
pub fn line_regex(line: &str) -> String {
    line.split_whitespace()
        .map(regex::escape)
        .collect::<Vec<_>>()
        .join(r"\s+")
}

/// Proposes rules from the removed lines recurring across at least
/// `min_fixes` commits of `drafts` and attaches each, inactive, to the first
/// (newest) draft that removed it and on whose code it passes its self-test.
pub fn propose(drafts: &mut [Draft], min_fixes: usize) -> RuleStats {
    // line -> (commits removing it, drafts having it, in order)
    let mut seen: HashMap<&str, (usize, Vec<usize>)> = HashMap::new();
    for (i, d) in drafts.iter().enumerate() {
        for line in &d.removed_lines {
            let entry = seen.entry(line.as_str()).or_default();
            entry.0 += d.commits.len();
            entry.1.push(i);
        }
    }
    let mut recurring: Vec<(String, Vec<usize>)> = seen
        .into_iter()
        .filter(|(_, (commits, _))| *commits >= min_fixes)
        .map(|(line, (_, ds))| (line.to_owned(), ds))
        .collect();
    // Deterministic: the lines of the newest drafts first, then by text.
    recurring.sort_by(|a, b| a.1[0].cmp(&b.1[0]).then_with(|| a.0.cmp(&b.0)));
    let mut stats = RuleStats {
        recurring_lines: recurring.len(),
        ..RuleStats::default()
    };
    for (line, owners) in recurring {
        if stats.proposed >= MAX_RULES_PER_RUN {
            break;
        }
        let regex = line_regex(&line);
        let mut placed = false;
        for &i in &owners {
            let d = &drafts[i];
            if d.rules.len() >= MAX_RULES_PER_DRAFT {
                continue;
            }
            let passes = matches!(
                ltmc_guard::test_rule_on_code(
                    &regex,
                    d.pattern.code_before.as_deref(),
                    d.pattern.code_after.as_deref(),
                ),
                Ok(None)
            );
            if !passes {
                continue;
            }
            let d = &mut drafts[i];
            let base = d
                .pattern
                .code_type
                .clone()
                .unwrap_or_else(|| "fix".to_owned())
                .replace('_', "-");
            d.rules.push(NewGuardianRule {
                layer_number: d
                    .pattern
                    .layers
                    .first()
                    .copied()
                    .unwrap_or(UNMAPPED_RULE_LAYER),
                rule_name: format!("mined-{base}-{}", d.rules.len() + 1),
                rule_type: RuleType::Detection,
                rule_pattern: regex.clone(),
                severity: d.pattern.severity,
                action_required: format!("Apply fix pattern \"{}\"", d.pattern.title),
                source_pattern_id: None,
                active: false,
                inactive_reason: Some(UNREVIEWED.to_owned()),
            });
            if !d.pattern.anti_patterns.contains(&regex) {
                d.pattern.anti_patterns.push(regex.clone());
            }
            placed = true;
            break;
        }
        if placed {
            stats.proposed += 1;
        } else {
            stats.failed_self_test += 1;
        }
    }
    stats
}

#[cfg(test)]
mod tests {
    use super::*;
    use ltmc_core::fix::{NewFixPattern, ProblemType, Severity};

    fn draft(commit: &str, removed: &[&str], before: &str, after: &str) -> Draft {
        let mut pattern = NewFixPattern::new(
            format!("Fix {commit}"),
            ProblemType::Security,
            Severity::High,
            vec![4],
            "p",
            "s",
        );
        pattern.code_before = Some(before.to_owned());
        pattern.code_after = Some(after.to_owned());
        Draft {
            pattern,
            fold_key: format!("git:{commit}"),
            commits: vec![commit.to_owned()],
            files: vec!["a.py".to_owned()],
            removed_lines: removed.iter().map(|l| (*l).to_owned()).collect(),
            rules: Vec::new(),
        }
    }

    #[test]
    fn line_regex_escapes_and_generalises_only_whitespace() {
        let r = line_regex("x = eval(input())  + 1");
        assert_eq!(r, r"x\s+=\s+eval\(input\(\)\)\s+\+\s+1");
        let re = ltmc_guard::compile_pattern("rule_pattern", &r).unwrap();
        assert!(re.is_match("    x  =\teval(input()) + 1"));
        assert!(!re.is_match("x = evalXinput()) + 1"));
    }

    #[test]
    fn a_line_removed_by_two_fixes_becomes_an_inactive_tested_rule() {
        let line = "token = \"hard-coded-secret\"";
        let mut drafts = vec![
            draft("c2", &[line, "other line here"], line, "token = env()"),
            draft("c1", &[line], &format!("x\n{line}"), "token = env()"),
        ];
        let stats = propose(&mut drafts, 2);
        assert_eq!(stats.recurring_lines, 1);
        assert_eq!(stats.proposed, 1);
        assert_eq!(drafts[0].rules.len(), 1);
        assert!(drafts[1].rules.is_empty());
        let rule = &drafts[0].rules[0];
        assert!(!rule.active);
        assert_eq!(rule.inactive_reason.as_deref(), Some(UNREVIEWED));
        assert_eq!(
            drafts[0].pattern.anti_patterns,
            std::slice::from_ref(&rule.rule_pattern)
        );
    }

    #[test]
    fn a_rule_firing_on_the_fixed_code_is_not_proposed() {
        let line = "call_the_thing(with_args)";
        // The line is still there after the fix in both drafts.
        let mut drafts = vec![
            draft("c2", &[line], line, line),
            draft("c1", &[line], line, line),
        ];
        let stats = propose(&mut drafts, 2);
        assert_eq!((stats.proposed, stats.failed_self_test), (0, 1));
        assert!(drafts.iter().all(|d| d.rules.is_empty()));
    }

    #[test]
    fn a_line_of_one_fix_is_no_rule() {
        let line = "unique_line_only_once()";
        let mut drafts = vec![draft("c1", &[line], line, "fixed()")];
        assert_eq!(propose(&mut drafts, 2), RuleStats::default());
    }
}
