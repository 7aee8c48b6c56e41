//! Turning a fix into a stored pattern: `extract_pattern` fills in what
//! the draft leaves out (from the source audit or by inference, saying so),
//! validates, makes the guardian rules, embeds content, code and problem, and
//! links the most similar patterns, all stored in one transaction. Not the
//! rules' construction (`rules`) nor storage (`PatternStore`).

use super::MAX_DISCOVERED;
use super::draft::{InferredField, PatternDraft, title_from};
use super::rules::rules_from_pattern;
use crate::{Memory, ServiceError};
use ltmc_core::fix::infer::{
    discover_relationship, infer_code_type, infer_problem_type, infer_severity, infer_tags,
};
use ltmc_core::fix::{
    FileAudit, NewFixPattern, NewRelationship, PatternEmbeddings, ProblemType, RuleSpec, Severity,
    file_extension,
};
use ltmc_core::{AuditId, PatternId, Project, present};
use ltmc_store::{PatternQuery, StoreError, StoredPattern};

/// What `extract_pattern` stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Extracted {
    pub stored: StoredPattern,
    pub inferred: Vec<InferredField>,
}

/// Turns a fix into a pattern: fills what is missing (saying so), checks
/// every regex, makes the rules (Security and Architecture patterns), embeds
/// content, code and problem, links similar patterns, stores it all in one
/// transaction. The new pattern is unreviewed.
#[allow(clippy::single_match_else)] // each field: given, or inferred and explained
pub async fn extract_pattern(
    memory: &Memory,
    project: &Project,
    draft: PatternDraft,
) -> Result<Extracted, ServiceError> {
    let store = memory.store();
    let audit: Option<FileAudit> = match draft.source_file_audit_id {
        Some(id) => Some(store.get_audit(project, AuditId(id)).await?),
        None => None,
    };
    let mut inferred = Vec::new();
    let mut infer = |field: &'static str, value: serde_json::Value, reason: String| {
        inferred.push(InferredField {
            field,
            value,
            reason,
        });
    };

    let problem = match present(draft.problem_description) {
        Some(p) => p,
        None => match audit.as_ref().and_then(|a| a.technical_debt.clone()) {
            Some(debt) => {
                infer(
                    "problem_description",
                    debt.clone().into(),
                    "the source audit's technical_debt".into(),
                );
                debt
            }
            None => {
                return Err(ServiceError::invalid(
                    "problem_description",
                    "is missing; describe what was wrong (or give a source_file_audit_id whose audit has technical_debt)",
                ));
            }
        },
    };
    let steps: Vec<String> = draft
        .solution_steps
        .iter()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect();
    if steps.is_empty() {
        return Err(ServiceError::invalid(
            "solution_steps",
            "is empty; give the steps of the fix, in order",
        ));
    }
    let title = match present(draft.title) {
        Some(t) => t,
        None => {
            let t = title_from(&problem);
            infer(
                "title",
                t.clone().into(),
                "the problem's first sentence".into(),
            );
            t
        }
    };
    let layers = match draft.layers.filter(|l| !l.is_empty()) {
        Some(l) => l,
        None => match &audit {
            Some(a) => {
                infer(
                    "layers",
                    serde_json::json!([a.layer_number]),
                    "the source audit's layer".into(),
                );
                vec![a.layer_number]
            }
            None => {
                return Err(ServiceError::invalid(
                    "layers",
                    "is missing; give the architecture layers 1-7 (or a source_file_audit_id)",
                ));
            }
        },
    };
    let workflows = match draft.workflows {
        Some(w) => w,
        None => match &audit {
            Some(a) if !a.workflows.is_empty() => {
                infer(
                    "workflows",
                    serde_json::json!(a.workflows),
                    "the source audit's workflows".into(),
                );
                a.workflows.clone()
            }
            _ => Vec::new(),
        },
    };
    let file_types = match draft.file_types {
        Some(t) => t,
        None => {
            let from_audit = audit.as_ref().and_then(FileAudit::file_extension);
            let from_files: Vec<String> = draft
                .related_files
                .iter()
                .filter_map(|f| file_extension(f))
                .collect();
            let mut types: Vec<String> = from_audit.into_iter().chain(from_files).collect();
            types.dedup();
            if !types.is_empty() {
                infer(
                    "file_types",
                    serde_json::json!(types),
                    "the extensions of the source audit's file and the related files".into(),
                );
            }
            types
        }
    };
    let text = format!("{title}\n{problem}\n{}", steps.join("\n"));
    let problem_type = match present(draft.problem_type) {
        Some(p) => ProblemType::parse("problem_type", &p)?,
        None => {
            let (p, why) = infer_problem_type(&text);
            infer("problem_type", p.as_str().into(), why);
            p
        }
    };
    let code_type = match present(draft.code_type) {
        Some(c) => c,
        None => {
            let (c, why) = infer_code_type(&text, &title);
            infer("code_type", c.clone().into(), why);
            c
        }
    };
    let severity = match present(draft.severity) {
        Some(s) => Severity::parse("severity", &s)?,
        None => {
            let (s, why) = infer_severity(&text, problem_type);
            infer("severity", s.as_str().into(), why);
            s
        }
    };
    let tags = match draft.tags.filter(|t| !t.is_empty()) {
        Some(t) => t,
        None => {
            let (t, why) = infer_tags(&title, &code_type);
            infer("tags", serde_json::json!(t), why);
            t
        }
    };

    let mut pattern = NewFixPattern::new(
        title,
        problem_type,
        severity,
        layers,
        problem,
        steps.join("\n"),
    );
    pattern.code_type = Some(code_type);
    pattern.tags = tags;
    pattern.workflows = workflows;
    pattern.file_types = file_types;
    pattern.code_before = draft.code_before;
    pattern.code_after = draft.code_after;
    pattern.verification_steps = draft.verification_steps;
    pattern.learnings = draft.learnings;
    pattern.prevention_guidance = draft.prevention_guidance;
    pattern.anti_patterns = draft.anti_patterns;
    pattern.guardian_rules = draft
        .guardian_rules
        .into_iter()
        .map(RuleSpec::from)
        .collect();
    pattern.source_file_audit_id = audit.as_ref().map(|a| a.id);
    pattern.dart_task_ids = draft.dart_task_ids;
    pattern.related_files = draft.related_files;
    pattern.created_by = draft.created_by;
    pattern.applied_count = draft.applied_count.unwrap_or(0);
    pattern.success_rate = draft.success_rate.unwrap_or(1.0);
    pattern.avg_time_saved = draft.avg_time_saved.unwrap_or(0);
    pattern.confidence_score = draft.confidence_score.unwrap_or(1.0);
    pattern.last_applied = draft.last_applied;
    pattern.citations = draft.citations;
    let pattern = pattern.validated()?;

    for (i, a) in pattern.anti_patterns.iter().enumerate() {
        ltmc_guard::compile_pattern("anti_patterns", a)
            .map_err(|e| ServiceError::invalid("anti_patterns", format!("entry {i}: {e}")))?;
    }
    let rules = rules_from_pattern(&pattern)?;

    let embeddings = embed_pattern(memory, &pattern).await?;
    let mut tries = 0;
    let stored = loop {
        let relationships = discover(memory, project, &pattern, &embeddings).await?;
        let put = store
            .put_pattern(
                project,
                pattern.clone(),
                embeddings.clone(),
                relationships,
                rules.clone(),
            )
            .await;
        match put {
            // A pattern found by the search was removed (rejected, merged)
            // by another client before the write: search again without it.
            Err(StoreError::NotFound { entity, .. })
                if entity == ltmc_store::entity::FIX_PATTERN && tries < DISCOVERY_RETRIES =>
            {
                tries += 1;
                tracing::debug!(tries, "a related pattern went away; discovering again");
            }
            other => break other?,
        }
    };
    Ok(Extracted { stored, inferred })
}

/// How often `extract_pattern` searches again when a pattern it was about to
/// link is removed by another client meanwhile (each retry sees a store
/// without it, so more than one is needed only under steady removals).
const DISCOVERY_RETRIES: usize = 4;

/// Embeds a pattern's content, code and problem texts in one batch.
pub async fn embed_pattern(
    memory: &Memory,
    pattern: &NewFixPattern,
) -> Result<PatternEmbeddings, ServiceError> {
    let mut v = memory
        .embed_owned(vec![
            pattern.content_text(),
            pattern.code_text(),
            pattern.problem_text(),
        ])
        .await?;
    if v.len() != 3 {
        return Err(ServiceError::Internal(format!(
            "embedder returned {} vectors for 3 texts",
            v.len()
        )));
    }
    let problem = v.pop().unwrap_or_default();
    let code = v.pop().unwrap_or_default();
    let content = v.pop().unwrap_or_default();
    Ok(PatternEmbeddings {
        content,
        code,
        problem,
    })
}

/// Relationships from a new pattern to the most similar existing ones
/// (reviewed or not), typed and weighted by `discover_relationship`.
async fn discover(
    memory: &Memory,
    project: &Project,
    pattern: &NewFixPattern,
    embeddings: &PatternEmbeddings,
) -> Result<Vec<NewRelationship>, ServiceError> {
    let found = memory
        .store()
        .search_patterns(
            project,
            &PatternQuery {
                content: embeddings.content.clone(),
                problem: None,
                layers: None,
                workflows: None,
                file_extension: None,
                min_confidence: 0.0,
                similarity_threshold: ltmc_core::fix::infer::RELATE_THRESHOLD - 1e-9,
                limit: MAX_DISCOVERED,
                include_unreviewed: true,
            },
        )
        .await?;
    Ok(found
        .into_iter()
        .filter_map(|m| {
            let d = discover_relationship(
                m.similarity,
                &pattern.layers,
                &pattern.workflows,
                &m.pattern.layers,
                &m.pattern.workflows,
            )?;
            Some(NewRelationship {
                source: PatternId(0),
                target: m.pattern.id,
                relationship_type: d.relationship_type,
                strength: d.strength,
                description: Some(d.description),
            })
        })
        .collect())
}
