//! The review queue's use cases (issue 17 item 4): accepting a pattern with
//! a reviewer's edits (applied over the stored pattern, validated, the three
//! vectors re-embedded when a text they are made from changed, all written
//! in one store transaction), and the checks in front of a merge.
//!
//! Not here: the queue's pages, merging and rejecting themselves (the store
//! does each in one transaction: `ltmc_store::ReviewStore`,
//! `MiningStore::reject_pattern`), JSON shapes (ltmc-tools).

use super::patterns::embed_pattern;
use crate::{Memory, ServiceError};
use ltmc_core::fix::{FixPattern, NewFixPattern, ProblemType, Severity};
use ltmc_core::{PatternId, Project};
use ltmc_store::ReviewMark;

/// A reviewer's edits: each field given replaces the stored one. An empty
/// text clears an optional field (code, verification, learnings,
/// prevention, code type); required fields cannot be cleared.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PatternEdits {
    pub title: Option<String>,
    pub problem_description: Option<String>,
    /// One step per entry.
    pub solution_steps: Option<Vec<String>>,
    pub code_before: Option<String>,
    pub code_after: Option<String>,
    pub verification_steps: Option<String>,
    pub learnings: Option<String>,
    pub prevention_guidance: Option<String>,
    /// Regexes (Rust syntax), each checked.
    pub anti_patterns: Option<Vec<String>>,
    pub layers: Option<Vec<i64>>,
    pub workflows: Option<Vec<String>>,
    pub file_types: Option<Vec<String>>,
    pub tags: Option<Vec<String>>,
    pub related_files: Option<Vec<String>>,
    pub problem_type: Option<String>,
    pub code_type: Option<String>,
    pub severity: Option<String>,
}

/// What [`accept_pattern`] did.
#[derive(Debug, Clone, PartialEq)]
pub struct Accepted {
    pub pattern: FixPattern,
    /// The fields the edits changed, in the order of [`PatternEdits`].
    pub edited: Vec<&'static str>,
    /// Whether the vectors were made again (a text they come from changed).
    pub re_embedded: bool,
}

/// The stored pattern as a new one, every field as it is.
pub fn as_new(p: &FixPattern) -> NewFixPattern {
    NewFixPattern {
        title: p.title.clone(),
        problem_type: p.problem_type,
        code_type: p.code_type.clone(),
        severity: p.severity,
        tags: p.tags.clone(),
        layers: p.layers.clone(),
        workflows: p.workflows.clone(),
        file_types: p.file_types.clone(),
        problem_description: p.problem_description.clone(),
        solution_steps: p.solution_steps.clone(),
        code_before: p.code_before.clone(),
        code_after: p.code_after.clone(),
        verification_steps: p.verification_steps.clone(),
        learnings: p.learnings.clone(),
        prevention_guidance: p.prevention_guidance.clone(),
        source_file_audit_id: p.source_file_audit_id,
        applied_to_files: p.applied_to_files.clone(),
        dart_task_ids: p.dart_task_ids.clone(),
        related_files: p.related_files.clone(),
        applied_count: p.applied_count,
        success_rate: p.success_rate,
        avg_time_saved: p.avg_time_saved,
        confidence_score: p.confidence_score,
        last_applied: p.last_applied.clone(),
        guardian_rules: p.guardian_rules.clone(),
        anti_patterns: p.anti_patterns.clone(),
        created_by: p.created_by.clone(),
        reviewed: p.reviewed,
        reviewer_notes: p.reviewer_notes.clone(),
        citations: p.citations.clone(),
    }
}

/// Applies `edits` over `base`; returns the fields that changed. Names the
/// field of a bad value (type, severity, regex).
pub fn apply_edits(
    base: &mut NewFixPattern,
    edits: PatternEdits,
) -> Result<Vec<&'static str>, ServiceError> {
    let mut edited = Vec::new();
    let optional = |text: String| {
        let t = text.trim();
        (!t.is_empty()).then(|| t.to_owned())
    };
    macro_rules! set {
        ($field:ident, $value:expr) => {{
            let value = $value;
            if base.$field != value {
                base.$field = value;
                edited.push(stringify!($field));
            }
        }};
    }
    if let Some(v) = edits.title {
        set!(title, v.trim().to_owned());
    }
    if let Some(v) = edits.problem_description {
        set!(problem_description, v.trim().to_owned());
    }
    if let Some(steps) = edits.solution_steps {
        let steps: Vec<String> = steps
            .iter()
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect();
        set!(solution_steps, steps.join("\n"));
    }
    if let Some(v) = edits.code_before {
        set!(code_before, optional(v));
    }
    if let Some(v) = edits.code_after {
        set!(code_after, optional(v));
    }
    if let Some(v) = edits.verification_steps {
        set!(verification_steps, optional(v));
    }
    if let Some(v) = edits.learnings {
        set!(learnings, optional(v));
    }
    if let Some(v) = edits.prevention_guidance {
        set!(prevention_guidance, optional(v));
    }
    if let Some(list) = edits.anti_patterns {
        for (i, re) in list.iter().enumerate() {
            ltmc_guard::compile_pattern("anti_patterns", re)
                .map_err(|e| ServiceError::invalid("anti_patterns", format!("entry {i}: {e}")))?;
        }
        set!(anti_patterns, list);
    }
    if let Some(v) = edits.layers {
        set!(layers, v);
    }
    if let Some(v) = edits.workflows {
        set!(workflows, v);
    }
    if let Some(v) = edits.file_types {
        set!(file_types, v);
    }
    if let Some(v) = edits.tags {
        set!(tags, v);
    }
    if let Some(v) = edits.related_files {
        set!(related_files, v);
    }
    if let Some(v) = edits.problem_type {
        set!(problem_type, ProblemType::parse("problem_type", &v)?);
    }
    if let Some(v) = edits.code_type {
        set!(code_type, optional(v));
    }
    if let Some(v) = edits.severity {
        set!(severity, Severity::parse("severity", &v)?);
    }
    Ok(edited)
}

/// The fields the three vectors are made from.
const EMBEDDED: &[&str] = &[
    "title",
    "problem_description",
    "solution_steps",
    "code_before",
    "code_after",
    "learnings",
    "prevention_guidance",
    "tags",
    "problem_type",
    "code_type",
];

/// Accepts (or, with `reviewed` false, sends back) pattern `id` with the
/// reviewer's edits and notes, in one store transaction. Without edits it is
/// a plain review; with edits the pattern is validated as a whole and its
/// vectors made again when an embedded text changed.
pub async fn accept_pattern(
    memory: &Memory,
    project: &Project,
    id: PatternId,
    edits: PatternEdits,
    reviewed: bool,
    notes: Option<String>,
) -> Result<Accepted, ServiceError> {
    let store = memory.store();
    let stored = store.get_pattern(project, id).await?;
    let mut new = as_new(&stored);
    let edited = apply_edits(&mut new, edits)?;
    if reviewed && new.layers.is_empty() {
        return Err(ltmc_store::validate::no_layers_to_review(id).into());
    }
    if edited.is_empty() {
        let pattern = store.review_pattern(project, id, reviewed, notes).await?;
        return Ok(Accepted {
            pattern,
            edited,
            re_embedded: false,
        });
    }
    // Checked here too, so a bad edit is refused before the model runs.
    let new = new.validated()?;
    let re_embedded = edited.iter().any(|f| EMBEDDED.contains(f));
    let embeddings = if re_embedded {
        Some(embed_pattern(memory, &new).await?)
    } else {
        None
    };
    let pattern = store
        .update_pattern(
            project,
            id,
            new,
            embeddings,
            Some(ReviewMark { reviewed, notes }),
        )
        .await?;
    Ok(Accepted {
        pattern,
        edited,
        re_embedded,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> NewFixPattern {
        NewFixPattern::new(
            "Old",
            ProblemType::Security,
            Severity::High,
            vec![4],
            "problem",
            "one\ntwo",
        )
    }

    #[test]
    fn edits_replace_given_fields_and_name_them() {
        let mut p = base();
        let edited = apply_edits(
            &mut p,
            PatternEdits {
                title: Some(" New ".into()),
                solution_steps: Some(vec!["one".into(), " ".into(), "three".into()]),
                code_before: Some(String::new()),
                severity: Some("low".into()),
                tags: Some(vec![]),
                ..PatternEdits::default()
            },
        )
        .expect("edits");
        assert_eq!(edited, ["title", "solution_steps", "severity"]);
        assert_eq!(p.title, "New");
        assert_eq!(p.solution_steps, "one\nthree");
        assert_eq!(p.severity, Severity::Low);
    }

    #[test]
    fn bad_edits_name_the_field() {
        let e = apply_edits(
            &mut base(),
            PatternEdits {
                anti_patterns: Some(vec!["ok".into(), "(".into()]),
                ..PatternEdits::default()
            },
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("anti_patterns") && e.contains("entry 1"), "{e}");
        let e = apply_edits(
            &mut base(),
            PatternEdits {
                problem_type: Some("Perf".into()),
                ..PatternEdits::default()
            },
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("problem_type"), "{e}");
    }
}
