//! Deterministic inference for `extract_pattern`: the problem type, code
//! type, severity and tags of a fix when the caller does not give them, and
//! the type and strength of a relationship discovered between two similar
//! patterns. Plain keyword rules over the text, so the result can be
//! explained and tested; no model is asked.
//!
//! Not here: the similarity itself (the service embeds and searches).

use super::pattern::{ProblemType, RelationshipType, Severity};
use crate::terms::content_terms;

/// Word stems that point at each problem type, matched at the start of the
/// text's lower-cased words (so `auth` matches `authorization`).
const SECURITY: &[&str] = &[
    "secret",
    "password",
    "passwd",
    "credential",
    "token",
    "jwt",
    "api key",
    "apikey",
    "auth",
    "permission",
    "privilege",
    "injection",
    "sqli",
    "xss",
    "csrf",
    "cors",
    "encrypt",
    "hash",
    "vulnerab",
    "exploit",
    "leak",
    "pii",
    "sanitiz",
    "escape",
    "deserializ",
    "pickle",
    "cve",
    "rate limit",
    "brute",
    "session",
    "cookie",
    "owasp",
    "attacker",
];
const UI_UX: &[&str] = &[
    "ui",
    "ux",
    "button",
    "render",
    "component",
    "css",
    "layout",
    "modal",
    "screen",
    "page",
    "spinner",
    "toast",
    "accessib",
    "a11y",
    "frontend",
    "react",
    "stale",
    "refresh",
    "click",
];
const STANDARDS: &[&str] = &[
    "naming",
    "lint",
    "format",
    "convention",
    "style",
    "deprecat",
    "dead code",
    "unused",
    "feature flag",
    "docstring",
    "typing",
    "type hint",
    "test",
    "mock",
    "fixture",
    "readme",
];
const ARCHITECTURE: &[&str] = &[
    "enum",
    "schema",
    "layer",
    "service",
    "router",
    "coupling",
    "n+1",
    "query",
    "queries",
    "index",
    "async",
    "blocking",
    "timeout",
    "race",
    "transaction",
    "idempot",
    "retry",
    "cache",
    "pool",
    "connection",
    "pagination",
    "unbounded",
    "timezone",
    "config",
    "exception",
];
/// Words that make a problem CRITICAL.
const CRITICAL: &[&str] = &[
    "secret",
    "credential",
    "injection",
    "remote code",
    "rce",
    "deserializ",
    "pickle",
    "bypass",
    "any user",
    "another user",
    "other users",
    "double charge",
    "charged twice",
    "data loss",
    "corrupt",
    "oversell",
    "plaintext password",
    "md5",
    "sha1",
];
/// Words that make a problem at least HIGH.
const HIGH: &[&str] = &[
    "leak",
    "auth",
    "outage",
    "crash",
    "block",
    "timeout",
    "race",
    "n+1",
    "production",
    "every request",
    "deadlock",
    "pii",
    "exposed",
];

/// Known code types, each with the stems that reveal it (first match wins).
const CODE_TYPES: &[(&str, &[&str])] = &[
    (
        "hardcoded_secret",
        &[
            "hard-coded secret",
            "hardcoded secret",
            "secret",
            "api key",
            "credential",
        ],
    ),
    (
        "sql_injection",
        &["sql injection", "injection", "f-string sql", "raw sql"],
    ),
    (
        "auth_missing",
        &["authoriz", "authentic", "permission", "owner check", "auth"],
    ),
    (
        "enum_standardization",
        &["enum", "status string", "magic string"],
    ),
    ("n_plus_one", &["n+1", "lazy load", "per row"]),
    ("blocking_io_in_async", &["blocking", "async", "event loop"]),
    ("input_validation", &["validat", "sanitiz"]),
    ("pagination", &["pagination", "unbounded", "limit"]),
    (
        "error_handling",
        &["exception", "swallow", "error handling"],
    ),
    ("timeout_missing", &["timeout"]),
    (
        "race_condition",
        &["race", "concurren", "read-modify-write"],
    ),
    ("idempotency", &["idempot", "retry", "double"]),
    ("logging_hygiene", &["log"]),
    (
        "configuration",
        &["config", "environment", "hard-coded", "hardcoded"],
    ),
    ("ui_refresh", &["stale", "refresh", "re-render"]),
    ("testing", &["test", "mock"]),
];

/// Fields filled in by inference, with the rule that decided each.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Inferred {
    pub problem_type: Option<(ProblemType, String)>,
    pub code_type: Option<(String, String)>,
    pub severity: Option<(Severity, String)>,
    pub tags: Option<(Vec<String>, String)>,
}

/// Stems of `stems` found in `text` (lower case): a one-word stem must start
/// a word, a multi-word stem is matched as written.
pub fn matching_stems<'a>(text: &str, stems: &[&'a str]) -> Vec<&'a str> {
    let lower = text.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !(c.is_alphanumeric() || c == '+'))
        .filter(|w| !w.is_empty())
        .collect();
    stems
        .iter()
        .copied()
        .filter(|stem| {
            if stem.contains(' ') || stem.contains('-') {
                lower.contains(stem)
            } else {
                words.iter().any(|w| w.starts_with(stem))
            }
        })
        .collect()
}

/// The problem type with the most matching stems (ties: Security, then
/// Architecture, UI-UX, Standards); Architecture when nothing matches.
pub fn infer_problem_type(text: &str) -> (ProblemType, String) {
    let candidates = [
        (ProblemType::Security, SECURITY),
        (ProblemType::Architecture, ARCHITECTURE),
        (ProblemType::UiUx, UI_UX),
        (ProblemType::Standards, STANDARDS),
    ];
    let mut best: Option<(ProblemType, Vec<&str>)> = None;
    for (kind, stems) in candidates {
        let found = matching_stems(text, stems);
        if !found.is_empty() && best.as_ref().is_none_or(|(_, b)| found.len() > b.len()) {
            best = Some((kind, found));
        }
    }
    match best {
        Some((kind, found)) => (
            kind,
            format!("{} keyword(s): {}", kind.as_str(), found.join(", ")),
        ),
        None => (
            ProblemType::Architecture,
            "no keyword of any type; Architecture by default".to_owned(),
        ),
    }
}

/// The first known code type whose stems occur; else the first three content
/// words of the title joined by `_`.
pub fn infer_code_type(text: &str, title: &str) -> (String, String) {
    for (code_type, stems) in CODE_TYPES {
        let found = matching_stems(text, stems);
        if let Some(stem) = found.first() {
            return ((*code_type).to_owned(), format!("keyword {stem:?}"));
        }
    }
    let words: Vec<String> = content_terms(title)
        .into_iter()
        .filter(|w| w.chars().all(char::is_alphanumeric))
        .take(3)
        .map(str::to_lowercase)
        .collect();
    let code_type = if words.is_empty() {
        "general_fix".to_owned()
    } else {
        words.join("_")
    };
    (code_type, "no known keyword; from the title".to_owned())
}

/// CRITICAL on a critical keyword; HIGH for Security or a high keyword;
/// LOW for Standards and UI-UX without either; MEDIUM otherwise.
pub fn infer_severity(text: &str, problem_type: ProblemType) -> (Severity, String) {
    let critical = matching_stems(text, CRITICAL);
    if let Some(stem) = critical.first() {
        return (Severity::Critical, format!("critical keyword {stem:?}"));
    }
    let high = matching_stems(text, HIGH);
    if let Some(stem) = high.first() {
        return (Severity::High, format!("high keyword {stem:?}"));
    }
    match problem_type {
        ProblemType::Security => (Severity::High, "Security problem".to_owned()),
        ProblemType::Architecture => (Severity::Medium, "Architecture problem".to_owned()),
        ProblemType::Standards | ProblemType::UiUx => (
            Severity::Low,
            format!("{} problem without a high keyword", problem_type.as_str()),
        ),
    }
}

/// The code type in kebab case and the title's content words (at most 5 tags).
pub fn infer_tags(title: &str, code_type: &str) -> (Vec<String>, String) {
    let mut tags = vec![code_type.replace('_', "-")];
    for w in content_terms(title) {
        let w = w.to_lowercase();
        if w.len() >= 3 && w.chars().all(char::is_alphanumeric) && !tags.contains(&w) {
            tags.push(w);
        }
        if tags.len() == 5 {
            break;
        }
    }
    (tags, "code type and title words".to_owned())
}

/// A relationship to discover between a new pattern (source) and a similar
/// existing one (target), explained.
#[derive(Debug, Clone, PartialEq)]
pub struct DiscoveredRelationship {
    pub relationship_type: RelationshipType,
    pub strength: f64,
    pub description: String,
}

/// Patterns at least this similar (cosine of content embeddings) are linked.
pub const RELATE_THRESHOLD: f64 = 0.6;

/// The type and strength of the link from a new pattern to a similar one:
/// `prerequisite` when the existing pattern works only on lower layers than
/// the new one (it is foundational: models before services), `follows` when
/// only on higher layers, `enhances` when their layers overlap or interleave.
/// Strength is the similarity scaled by 0.8, plus 0.1 for a shared layer and
/// 0.1 for a shared workflow, capped at 1. None below [`RELATE_THRESHOLD`].
pub fn discover_relationship(
    similarity: f64,
    new_layers: &[i64],
    new_workflows: &[String],
    other_layers: &[i64],
    other_workflows: &[String],
) -> Option<DiscoveredRelationship> {
    if similarity < RELATE_THRESHOLD || new_layers.is_empty() || other_layers.is_empty() {
        return None;
    }
    let shared_layers: Vec<i64> = new_layers
        .iter()
        .copied()
        .filter(|l| other_layers.contains(l))
        .collect();
    let shared_workflows: Vec<&str> = new_workflows
        .iter()
        .filter(|w| other_workflows.contains(w))
        .map(String::as_str)
        .collect();
    let new_min = new_layers.iter().min().copied().unwrap_or(0);
    let new_max = new_layers.iter().max().copied().unwrap_or(0);
    let other_min = other_layers.iter().min().copied().unwrap_or(0);
    let other_max = other_layers.iter().max().copied().unwrap_or(0);
    let (relationship_type, why) = if shared_layers.is_empty() && other_max < new_min {
        (
            RelationshipType::Prerequisite,
            format!(
                "it works on lower layers {other_layers:?}, which the new pattern's layers {new_layers:?} build on"
            ),
        )
    } else if shared_layers.is_empty() && other_min > new_max {
        (
            RelationshipType::Follows,
            format!(
                "it works on higher layers {other_layers:?}, after the new pattern's {new_layers:?}"
            ),
        )
    } else {
        (
            RelationshipType::Enhances,
            format!("their layers overlap ({shared_layers:?} shared)"),
        )
    };
    let strength = (similarity * 0.8
        + if shared_layers.is_empty() { 0.0 } else { 0.1 }
        + if shared_workflows.is_empty() {
            0.0
        } else {
            0.1
        })
    .clamp(0.0, 1.0);
    let workflows = if shared_workflows.is_empty() {
        "no shared workflow".to_owned()
    } else {
        format!("shared workflows {}", shared_workflows.join(","))
    };
    Some(DiscoveredRelationship {
        relationship_type,
        strength: (strength * 1000.0).round() / 1000.0,
        description: format!(
            "discovered: similar meaning (cosine {similarity:.3}); {why}; {workflows}"
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problem_types_follow_keywords() {
        assert_eq!(
            infer_problem_type("The Stripe API key and JWT secret are committed").0,
            ProblemType::Security
        );
        assert_eq!(
            infer_problem_type(
                "Listing orders runs one query per row (N+1) and the endpoint is unbounded"
            )
            .0,
            ProblemType::Architecture
        );
        assert_eq!(
            infer_problem_type("The cart page shows a stale list after the button click").0,
            ProblemType::UiUx
        );
        assert_eq!(
            infer_problem_type("something odd").0,
            ProblemType::Architecture
        );
    }

    #[test]
    fn severity_and_code_type_are_explained() {
        let (sev, why) = infer_severity("SQL injection through an f-string", ProblemType::Security);
        assert_eq!(sev, Severity::Critical);
        assert!(why.contains("injection"), "{why}");
        assert_eq!(
            infer_severity("labels are misaligned", ProblemType::UiUx).0,
            Severity::Low
        );
        assert_eq!(
            infer_code_type("a hardcoded secret in settings", "x").0,
            "hardcoded_secret"
        );
        assert_eq!(
            infer_code_type("orders page is slow", "Cache product thumbnails").0,
            "cache_product_thumbnails"
        );
        let (tags, _) = infer_tags("Cache product thumbnails", "cache_product_thumbnails");
        assert_eq!(tags[0], "cache-product-thumbnails");
        assert!(tags.contains(&"thumbnails".to_owned()));
    }

    #[test]
    fn relationships_take_their_type_from_layers() {
        let wf = vec!["WF3".to_owned()];
        let r = discover_relationship(0.7, &[4], &wf, &[1], &wf).unwrap();
        assert_eq!(r.relationship_type, RelationshipType::Prerequisite);
        assert!((r.strength - (0.56 + 0.1)).abs() < 1e-9);
        let r = discover_relationship(0.7, &[1], &wf, &[4, 6], &[]).unwrap();
        assert_eq!(r.relationship_type, RelationshipType::Follows);
        assert!((r.strength - 0.56).abs() < 1e-9);
        let r = discover_relationship(0.9, &[3, 4], &wf, &[4], &wf).unwrap();
        assert_eq!(r.relationship_type, RelationshipType::Enhances);
        assert!((r.strength - 0.92).abs() < 1e-9);
        assert!(r.description.contains("0.900"));
        assert!(discover_relationship(0.59, &[4], &wf, &[4], &wf).is_none());
    }
}
