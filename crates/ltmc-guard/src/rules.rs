//! A compiled set of guardian rules and the check of one text against it.
//!
//! Each rule keeps the file types it applies to (from its fix pattern; none
//! means every file) and a reporting id unique across layers (`L3/no-raw-sql`)
//! for SARIF. Not here: reading files or walking trees (`scan.rs`), choosing
//! which rules are active for a project (the service).

use crate::error::GuardError;
use crate::lines::{LineIndex, spans};
use crate::pattern::compile_pattern;
use crate::violation::{Violation, snippet};
use ltmc_core::RuleId;
use ltmc_core::fix::{GuardianRule, file_extension, normalize_file_type};
use regex::Regex;
use std::collections::{HashMap, HashSet};

/// A rule to compile, with the file types it applies to (`[".py"]`, any case,
/// with or without the dot; empty = every file).
#[derive(Debug, Clone, PartialEq)]
pub struct RuleInput {
    pub rule: GuardianRule,
    pub file_types: Vec<String>,
}

/// One active rule, compiled.
#[derive(Debug, Clone)]
pub struct CompiledRule {
    rule: GuardianRule,
    file_types: Vec<String>,
    regex: Regex,
    reporting_id: String,
}

impl CompiledRule {
    pub fn rule(&self) -> &GuardianRule {
        &self.rule
    }

    /// Normalized: lower case with the dot; empty = every file.
    pub fn file_types(&self) -> &[String] {
        &self.file_types
    }

    /// `L<layer>/<rule_name>`, with `/<rule id>` appended if two rules of the
    /// set would otherwise share it. Stable across runs for the same rules.
    pub fn reporting_id(&self) -> &str {
        &self.reporting_id
    }

    /// Whether the rule applies to a file with this extension (`.py`).
    pub fn applies_to(&self, extension: Option<&str>) -> bool {
        self.file_types.is_empty()
            || extension.is_some_and(|ext| self.file_types.iter().any(|t| t == ext))
    }

    fn check(&self, file_path: &str, content: &str, out: &mut Vec<Violation>) {
        let mut lines = None;
        for (start, end) in spans(&self.regex, content) {
            let lines = lines.get_or_insert_with(|| LineIndex::new(content));
            let (line, column) = lines.position(start);
            let (end_line, end_column) = lines.position(end);
            out.push(Violation {
                rule_id: self.rule.id,
                rule_name: self.rule.rule_name.clone(),
                rule_type: self.rule.rule_type,
                severity: self.rule.severity,
                layer_number: self.rule.layer_number,
                action_required: self.rule.action_required.clone(),
                source_pattern_id: self.rule.source_pattern_id,
                file_path: file_path.to_owned(),
                line,
                column,
                end_line,
                end_column,
                snippet: snippet(lines.line(line)),
            });
        }
    }
}

/// The active rules of a check, compiled once and shared by every thread of
/// a scan. Rules are kept in (layer, name, id) order; that order is the SARIF
/// rule index.
#[derive(Debug, Clone, Default)]
pub struct RuleSet {
    rules: Vec<CompiledRule>,
    index: HashMap<(RuleId, i64, String), usize>,
}

impl RuleSet {
    /// Compiles the active rules; inactive ones are skipped. A stored regex
    /// that does not compile is `GuardError::InvalidRule` naming the rule.
    pub fn compile(rules: Vec<RuleInput>) -> Result<Self, GuardError> {
        let mut compiled = Vec::with_capacity(rules.len());
        for input in rules.into_iter().filter(|r| r.rule.active) {
            let rule = input.rule;
            let regex = compile_pattern("rule_pattern", &rule.rule_pattern).map_err(|err| {
                let message = match err {
                    GuardError::InvalidRegex { message, .. } => message,
                    other => other.to_string(),
                };
                GuardError::InvalidRule {
                    rule_id: rule.id,
                    rule_name: rule.rule_name.clone(),
                    layer: rule.layer_number,
                    pattern: rule.rule_pattern.clone(),
                    message,
                }
            })?;
            let mut file_types: Vec<String> = input
                .file_types
                .iter()
                .map(|t| normalize_file_type(t))
                .filter(|t| !t.is_empty())
                .collect();
            file_types.sort();
            file_types.dedup();
            compiled.push(CompiledRule {
                rule,
                file_types,
                regex,
                reporting_id: String::new(),
            });
        }
        compiled.sort_by(|a, b| {
            (a.rule.layer_number, &a.rule.rule_name, a.rule.id).cmp(&(
                b.rule.layer_number,
                &b.rule.rule_name,
                b.rule.id,
            ))
        });
        let plain = |r: &CompiledRule| format!("L{}/{}", r.rule.layer_number, r.rule.rule_name);
        let mut seen = HashMap::<String, usize>::new();
        for r in &compiled {
            *seen.entry(plain(r)).or_default() += 1;
        }
        let mut taken = HashSet::new();
        for r in &mut compiled {
            let id = plain(r);
            let mut id = if seen[&id] > 1 {
                format!("{id}/{}", r.rule.id)
            } else {
                id
            };
            // Same layer, name and id twice: number the copies.
            let stem = id.clone();
            let mut n = 2;
            while !taken.insert(id.clone()) {
                id = format!("{stem}~{n}");
                n += 1;
            }
            r.reporting_id = id;
        }
        let mut index = HashMap::new();
        for (i, r) in compiled.iter().enumerate() {
            index
                .entry((r.rule.id, r.rule.layer_number, r.rule.rule_name.clone()))
                .or_insert(i);
        }
        Ok(Self {
            rules: compiled,
            index,
        })
    }

    pub fn len(&self) -> usize {
        self.rules.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The compiled rules in (layer, name, id) order.
    pub fn rules(&self) -> &[CompiledRule] {
        &self.rules
    }

    /// Whether any rule applies to a file at this path (by its extension).
    pub fn applies_to_path(&self, file_path: &str) -> bool {
        let ext = file_extension(file_path);
        self.rules.iter().any(|r| r.applies_to(ext.as_deref()))
    }

    /// Every match of every rule that applies to `file_path` (by extension),
    /// ordered by line, column and rule name. Zero-width matches are not
    /// reported. `file_path` is only used for the extension and copied into
    /// the violations.
    pub fn check_content(&self, file_path: &str, content: &str) -> Vec<Violation> {
        let ext = file_extension(file_path);
        let mut out = Vec::new();
        for rule in self.rules.iter().filter(|r| r.applies_to(ext.as_deref())) {
            rule.check(file_path, content, &mut out);
        }
        out.sort_by(Violation::cmp_in_file);
        out
    }

    /// The position of the rule that produced a violation.
    pub(crate) fn position_of(&self, v: &Violation) -> Option<usize> {
        self.index
            .get(&(v.rule_id, v.layer_number, v.rule_name.clone()))
            .copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ltmc_core::fix::{RuleType, Severity};

    pub(crate) fn rule(id: i64, layer: i64, name: &str, pattern: &str) -> GuardianRule {
        GuardianRule {
            id: RuleId(id),
            layer_number: layer,
            rule_name: name.to_owned(),
            rule_type: RuleType::Prevention,
            rule_pattern: pattern.to_owned(),
            severity: Severity::High,
            action_required: "fix it".to_owned(),
            source_pattern_id: None,
            active: true,
            inactive_reason: None,
            hit_count: 0,
            files_hit: 0,
            last_hit_at: None,
            created_at: "2026-01-01T00:00:00Z".to_owned(),
        }
    }

    fn set(rules: Vec<(GuardianRule, &[&str])>) -> RuleSet {
        RuleSet::compile(
            rules
                .into_iter()
                .map(|(rule, types)| RuleInput {
                    rule,
                    file_types: types.iter().map(|t| (*t).to_owned()).collect(),
                })
                .collect(),
        )
        .unwrap()
    }

    #[test]
    fn every_match_with_positions_in_order() {
        let rules = set(vec![
            (rule(1, 4, "b-rule", r"eval\("), &[]),
            (rule(2, 4, "a-rule", r"eval"), &[]),
        ]);
        let got: Vec<_> = rules
            .check_content("x.py", "é = eval(a)\n  eval(b)\n")
            .into_iter()
            .map(|v| {
                (
                    v.rule_name,
                    v.line,
                    v.column,
                    v.end_line,
                    v.end_column,
                    v.snippet,
                )
            })
            .collect();
        let row = |n: &str, l, c, el, ec, s: &str| (n.to_owned(), l, c, el, ec, s.to_owned());
        assert_eq!(
            got,
            vec![
                row("a-rule", 1, 5, 1, 9, "é = eval(a)"),
                row("b-rule", 1, 5, 1, 10, "é = eval(a)"),
                row("a-rule", 2, 3, 2, 7, "eval(b)"),
                row("b-rule", 2, 3, 2, 8, "eval(b)"),
            ]
        );
    }

    #[test]
    fn multi_line_match_spans_lines() {
        let rules = set(vec![(
            rule(1, 4, "r", r"async def [\s\S]*?requests\.get\("),
            &[],
        )]);
        let v = rules.check_content(
            "a.py",
            "import requests\n\nasync def f(u):\n    return requests.get(u)\n",
        );
        assert_eq!(v.len(), 1);
        assert_eq!(
            (v[0].line, v[0].column, v[0].end_line, v[0].end_column),
            (3, 1, 4, 25)
        );
        assert_eq!(v[0].snippet, "async def f(u):");
    }

    #[test]
    fn file_types_scope_rules() {
        let rules = set(vec![
            (rule(1, 4, "py-only", "TODO"), &["PY"]),
            (rule(2, 4, "ts-only", "TODO"), &["*.ts", ".tsx"]),
            (rule(3, 4, "all", "TODO"), &[]),
        ]);
        let names = |path: &str| -> Vec<String> {
            rules
                .check_content(path, "TODO")
                .into_iter()
                .map(|v| v.rule_name)
                .collect()
        };
        assert_eq!(names("a.py"), ["all", "py-only"]);
        assert_eq!(names("dir/A.TS"), ["all", "ts-only"]);
        assert_eq!(names("b.tsx"), ["all", "ts-only"]);
        assert_eq!(names("Makefile"), ["all"]);
        assert_eq!(rules.rules()[2].file_types(), [".ts", ".tsx"]);
        assert!(rules.applies_to_path("x.rs"));
        let py_only = set(vec![(rule(1, 4, "py-only", "TODO"), &[".py"])]);
        assert!(!py_only.applies_to_path("x.rs"));
        assert!(py_only.applies_to_path("src/x.py"));
    }

    #[test]
    fn inactive_rules_are_skipped_even_when_invalid() {
        let mut off = rule(1, 4, "off", "(");
        off.active = false;
        let rules = set(vec![(off, &[]), (rule(2, 4, "on", "x"), &[])]);
        assert_eq!(rules.len(), 1);
        assert!(!rules.is_empty());
        assert!(RuleSet::default().is_empty());
    }

    #[test]
    fn invalid_rule_error_names_the_rule() {
        let err = RuleSet::compile(vec![RuleInput {
            rule: rule(7, 3, "bad", "a(b"),
            file_types: vec![],
        }])
        .unwrap_err();
        let GuardError::InvalidRule {
            rule_id,
            rule_name,
            layer,
            pattern,
            message,
        } = &err
        else {
            panic!("{err:?}")
        };
        assert_eq!(
            (*rule_id, rule_name.as_str(), *layer),
            (RuleId(7), "bad", 3)
        );
        assert_eq!(pattern, "a(b");
        assert!(message.contains("unclosed group"), "{message}");
        assert!(
            err.to_string()
                .contains("guardian rule 7 (\"bad\", layer 3)"),
            "{err}"
        );
    }

    #[test]
    fn reporting_ids_are_unique_and_ordered() {
        let rules = set(vec![
            (rule(9, 4, "same", "x"), &[]),
            (rule(3, 2, "same", "x"), &[]),
            (rule(5, 4, "same", "y"), &[]),
            (rule(5, 4, "same", "y"), &[]),
        ]);
        let ids: Vec<_> = rules
            .rules()
            .iter()
            .map(CompiledRule::reporting_id)
            .collect();
        assert_eq!(ids, ["L2/same", "L4/same/5", "L4/same/5~2", "L4/same/9"]);
    }
}
