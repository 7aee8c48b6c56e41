//! The guardian rules a Security or Architecture pattern brings: its named
//! rules and anti-patterns, merged by regex, each tested on the pattern's own
//! code and made inactive (with the reason) when it misfires. Not rule checks
//! on files (`fix::guardian`) nor storage.

use crate::ServiceError;
use ltmc_core::fix::{NewFixPattern, NewGuardianRule, RuleType, Severity};

/// The guardian rules of a Security or Architecture pattern: each named rule
/// of its `guardian_rules`, then each anti-pattern no named rule already
/// uses (merged by regex), in its first layer. Each is tested on the
/// pattern's code: a rule that does not fire on `code_before` or fires on
/// `code_after` is made inactive, with the reason.
pub fn rules_from_pattern(pattern: &NewFixPattern) -> Result<Vec<NewGuardianRule>, ServiceError> {
    if !pattern.problem_type.generates_rules() {
        return Ok(Vec::new());
    }
    let layer = pattern.layers[0];
    let default_action = format!(
        "Apply fix pattern \"{}\"{}",
        pattern.title,
        pattern
            .prevention_guidance
            .as_deref()
            .map(|p| format!(": {p}"))
            .unwrap_or_default()
    );
    let mut rules: Vec<NewGuardianRule> = Vec::new();
    for (i, spec) in pattern.guardian_rules.iter().enumerate() {
        ltmc_guard::compile_pattern("guardian_rules", &spec.rule_pattern).map_err(|e| {
            ServiceError::invalid(
                "guardian_rules",
                format!("entry {i} ({}): {e}", spec.rule_name),
            )
        })?;
        let rule_type = RuleType::parse("guardian_rules", &spec.rule_type)
            .map_err(|e| ServiceError::invalid("guardian_rules", format!("entry {i}: {e}")))?;
        let severity = match spec
            .severity
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(s) => Severity::parse("guardian_rules", s)
                .map_err(|e| ServiceError::invalid("guardian_rules", format!("entry {i}: {e}")))?,
            None => pattern.severity,
        };
        rules.push(NewGuardianRule {
            layer_number: layer,
            rule_name: spec.rule_name.trim().to_owned(),
            rule_type,
            rule_pattern: spec.rule_pattern.clone(),
            severity,
            action_required: spec
                .action_required
                .clone()
                .filter(|a| !a.trim().is_empty())
                .unwrap_or_else(|| default_action.clone()),
            source_pattern_id: None,
            active: true,
            inactive_reason: None,
        });
    }
    let base = pattern
        .code_type
        .clone()
        .unwrap_or_else(|| "pattern".to_owned())
        .replace('_', "-");
    for (i, anti) in pattern.anti_patterns.iter().enumerate() {
        if rules.iter().any(|r| r.rule_pattern == *anti) {
            continue;
        }
        rules.push(NewGuardianRule {
            layer_number: layer,
            rule_name: format!("{base}-anti-pattern-{}", i + 1),
            rule_type: if pattern.severity == Severity::Critical {
                RuleType::Enforcement
            } else {
                RuleType::Prevention
            },
            rule_pattern: anti.clone(),
            severity: pattern.severity,
            action_required: default_action.clone(),
            source_pattern_id: None,
            active: true,
            inactive_reason: None,
        });
    }
    for rule in &mut rules {
        if let Some(reason) = ltmc_guard::test_rule_on_code(
            &rule.rule_pattern,
            pattern.code_before.as_deref(),
            pattern.code_after.as_deref(),
        )? {
            rule.active = false;
            rule.inactive_reason = Some(reason);
        }
    }
    Ok(rules)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ltmc_core::fix::{ProblemType, RuleSpec};

    fn pattern(problem_type: ProblemType) -> NewFixPattern {
        let mut p = NewFixPattern::new(
            "Parameterize SQL",
            problem_type,
            Severity::Critical,
            vec![4, 3],
            "SQL built with f-strings",
            "Use bound parameters",
        );
        p.code_type = Some("sql_injection".into());
        p.code_before = Some("cur.execute(f\"SELECT * FROM t WHERE id = {x}\")".into());
        p.code_after = Some("cur.execute(\"SELECT * FROM t WHERE id = %s\", (x,))".into());
        p
    }

    #[test]
    fn rules_come_from_named_rules_and_anti_patterns_merged_by_regex() {
        let mut p = pattern(ProblemType::Security);
        p.anti_patterns = vec![r#"execute\(f""#.into(), "SELECT".into()];
        p.guardian_rules = vec![RuleSpec {
            rule_name: "no-fstring-sql".into(),
            rule_type: "enforcement".into(),
            rule_pattern: r#"execute\(f""#.into(),
            severity: None,
            action_required: Some("Bind parameters".into()),
        }];
        let rules = rules_from_pattern(&p).unwrap();
        assert_eq!(rules.len(), 2, "{rules:?}");
        assert_eq!(rules[0].rule_name, "no-fstring-sql");
        assert_eq!(rules[0].layer_number, 4);
        assert!(rules[0].active);
        assert_eq!(rules[1].rule_name, "sql-injection-anti-pattern-2");
        assert_eq!(rules[1].rule_type, RuleType::Enforcement);
        // "SELECT" also fires on code_after: stored inactive, with the reason.
        assert!(!rules[1].active);
        assert!(
            rules[1]
                .inactive_reason
                .as_deref()
                .unwrap()
                .contains("after")
        );
    }

    #[test]
    fn only_security_and_architecture_make_rules() {
        let mut p = pattern(ProblemType::Standards);
        p.anti_patterns = vec!["x".into()];
        assert!(rules_from_pattern(&p).unwrap().is_empty());
    }

    #[test]
    fn invalid_rule_regex_names_the_entry() {
        let mut p = pattern(ProblemType::Architecture);
        p.guardian_rules = vec![RuleSpec {
            rule_name: "broken".into(),
            rule_type: "prevention".into(),
            rule_pattern: "(unclosed".into(),
            severity: None,
            action_required: None,
        }];
        let err = rules_from_pattern(&p).unwrap_err().to_string();
        assert!(
            err.contains("guardian_rules") && err.contains("broken"),
            "{err}"
        );
    }
}
