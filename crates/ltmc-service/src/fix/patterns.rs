//! Fix patterns: extraction (inference of missing classifications, three
//! embeddings, relationships to similar patterns, guardian rules tested on
//! the pattern's own code), search with the seed's confidence, the
//! apply/adapt/new recommendation, and recording outcomes.
//!
//! Not here: storage (`PatternStore`), rule checks (`guardian.rs`), JSON.

use super::guardian::{self, CheckTarget, GuardianCheck};
use crate::{Memory, ServiceError};
use ltmc_core::fix::infer::{
    discover_relationship, infer_code_type, infer_problem_type, infer_severity, infer_tags,
};
use ltmc_core::fix::{
    Confidence, Decision, FileAudit, FixContext, FixPattern, NewApplication, NewFixPattern,
    NewGuardianRule, NewRelationship, PatternEmbeddings, PatternFacts, ProblemType, RelatedPattern,
    RelationshipType, RuleSpec, RuleType, Severity, file_extension, problem_query,
    score_confidence,
};
use ltmc_core::{AuditId, PatternId, Project, present};
use ltmc_store::{PatternMatch, PatternQuery, RecordedApplication, StoredPattern};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The seed's default similarity threshold of `search_patterns_enhanced`,
/// made for OpenAI's 1536-dimension embeddings, whose cosines are bunched
/// high (unrelated texts score about 0.7 there).
pub const DEFAULT_SIMILARITY_THRESHOLD: f64 = 0.65;
/// The same cut for all-MiniLM-L6-v2, whose cosines spread over the whole
/// range: on the example set, debts a pattern covers score 0.40-0.66 against
/// it and the best unrelated pattern stays below 0.30, so 0.65 would find
/// almost nothing. Measured with `ltmc patterns similar` on
/// examples/fix-patterns (see the notes of issue 5).
pub const MINILM_SIMILARITY_THRESHOLD: f64 = 0.35;

/// The default threshold for the store's model: the seed's 0.65, or the
/// calibrated cut for all-MiniLM-L6-v2.
pub fn default_similarity_threshold(model_id: &str) -> f64 {
    if model_id.to_ascii_lowercase().contains("minilm") {
        MINILM_SIMILARITY_THRESHOLD
    } else {
        DEFAULT_SIMILARITY_THRESHOLD
    }
}
/// The seed's default number of results.
pub const DEFAULT_LIMIT: usize = 10;
/// At most this many relationships are discovered for a new pattern.
pub const MAX_DISCOVERED: usize = 5;

/// A fix to turn into a pattern. Everything but the solution may be left
/// out when `source_file_audit_id` names an audit (layers, workflows, file
/// types and problem come from it); problem type, code type, severity, tags
/// and the title are inferred when not given.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
pub struct PatternDraft {
    /// A short name of the fix; made from the problem when left out.
    pub title: Option<String>,
    /// What was wrong, in general terms; the source audit's technical_debt when left out.
    pub problem_description: Option<String>,
    /// The steps of the fix, in order.
    #[serde(default)]
    pub solution_steps: Vec<String>,
    /// The code before the fix.
    pub code_before: Option<String>,
    /// The code after the fix.
    pub code_after: Option<String>,
    /// How the fix was verified.
    pub verification_steps: Option<String>,
    /// What was learned.
    pub learnings: Option<String>,
    /// How to keep the problem out of new code.
    pub prevention_guidance: Option<String>,
    /// Regexes (Rust regex syntax) of the code the fix removed; they become guardian rules for Security and Architecture patterns.
    #[serde(default)]
    pub anti_patterns: Vec<String>,
    /// Named guardian rules made from the anti-patterns.
    #[serde(default)]
    pub guardian_rules: Vec<RuleSpecArg>,
    /// Architecture layers 1-7 (1 Models & ENUMs, 2 Schemas, 3 Routers, 4 Services, 5 Configuration, 6 UI, 7 Testing).
    pub layers: Option<Vec<i64>>,
    /// Workflows, e.g. `["WF1", "WF4"]`.
    pub workflows: Option<Vec<String>>,
    /// File types with the dot, e.g. `[".py"]`.
    pub file_types: Option<Vec<String>>,
    /// Free tags; inferred when left out.
    pub tags: Option<Vec<String>>,
    /// Security, Architecture, Standards or UI-UX; inferred when left out.
    pub problem_type: Option<String>,
    /// e.g. hardcoded_secret, auth_missing; inferred when left out.
    pub code_type: Option<String>,
    /// CRITICAL, HIGH, MEDIUM or LOW; inferred when left out.
    pub severity: Option<String>,
    /// The file audit the fix was made for.
    pub source_file_audit_id: Option<i64>,
    /// Task ids of the fix (DART or any tracker).
    #[serde(default)]
    pub dart_task_ids: Vec<String>,
    /// Files the fix touched.
    #[serde(default)]
    pub related_files: Vec<String>,
    /// Who extracted it.
    pub created_by: Option<String>,
    /// When importing a pattern with a history from elsewhere: times applied (default 0).
    pub applied_count: Option<i64>,
    /// ... its success rate 0-1 (default 1.0).
    pub success_rate: Option<f64>,
    /// ... the minutes it saved on average (default 0).
    pub avg_time_saved: Option<i64>,
    /// ... how confident you are in it, 0-1 (default 1.0).
    pub confidence_score: Option<f64>,
    /// ... when it was last applied (RFC 3339).
    pub last_applied: Option<String>,
}

/// A named guardian rule of a draft (the seed's `guardian_rules` columns, the layer being the pattern's first).
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
pub struct RuleSpecArg {
    /// Unique within the layer.
    pub rule_name: String,
    /// prevention, detection or enforcement.
    pub rule_type: String,
    /// The regex (Rust regex syntax).
    pub rule_pattern: String,
    /// CRITICAL, HIGH, MEDIUM or LOW (default: the pattern's).
    pub severity: Option<String>,
    /// What to do when it fires (default: apply this pattern).
    pub action_required: Option<String>,
}

impl From<RuleSpecArg> for RuleSpec {
    fn from(a: RuleSpecArg) -> Self {
        Self {
            rule_name: a.rule_name,
            rule_type: a.rule_type,
            rule_pattern: a.rule_pattern,
            severity: a.severity,
            action_required: a.action_required,
        }
    }
}

/// A field filled in by inference, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InferredField {
    pub field: &'static str,
    pub value: serde_json::Value,
    pub reason: String,
}

/// What `extract_pattern` stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Extracted {
    pub stored: StoredPattern,
    pub inferred: Vec<InferredField>,
}

/// A title from the problem's first sentence, at most 80 characters.
fn title_from(problem: &str) -> String {
    let first = problem
        .split(['.', '\n'])
        .map(str::trim)
        .find(|s| !s.is_empty())
        .unwrap_or(problem)
        .trim();
    let mut title: String = first.chars().take(77).collect();
    if first.chars().count() > 77 {
        title.push_str("...");
    }
    format!("Fix: {title}")
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
    let pattern = pattern.validated()?;

    for (i, a) in pattern.anti_patterns.iter().enumerate() {
        ltmc_guard::compile_pattern("anti_patterns", a)
            .map_err(|e| ServiceError::invalid("anti_patterns", format!("entry {i}: {e}")))?;
    }
    let rules = rules_from_pattern(&pattern)?;

    let embeddings = embed_pattern(memory, &pattern).await?;
    let relationships = discover(memory, project, &pattern, &embeddings).await?;
    let stored = store
        .put_pattern(project, pattern, embeddings, relationships, rules)
        .await?;
    Ok(Extracted { stored, inferred })
}

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

/// What to search patterns for: a file audit, or free text with context.
#[derive(Debug, Clone, Default)]
pub struct SimilarRequest {
    pub audit_id: Option<AuditId>,
    /// The debt to find a fix for; the audit's technical_debt when left out.
    pub text: Option<String>,
    pub layer: Option<i64>,
    pub workflows: Option<Vec<String>>,
    pub file_path: Option<String>,
    pub min_confidence: f64,
    pub similarity_threshold: Option<f64>,
    pub limit: Option<usize>,
    pub include_unreviewed: bool,
}

/// A pattern found, with the seed's similarities and the confidence factors.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoredPattern {
    pub pattern: FixPattern,
    pub similarity: f64,
    pub problem_similarity: f64,
    pub confidence: Confidence,
}

/// The resolved context of a request: the debt text and where it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolved {
    pub audit: Option<FileAudit>,
    pub debt: String,
    pub context: FixContext,
    pub file_path: Option<String>,
}

async fn resolve(
    memory: &Memory,
    project: &Project,
    request: &SimilarRequest,
) -> Result<Resolved, ServiceError> {
    let audit = match request.audit_id {
        Some(id) => Some(memory.store().get_audit(project, id).await?),
        None => None,
    };
    let debt = match present(request.text.clone()) {
        Some(t) => t,
        None => match audit.as_ref().and_then(|a| a.technical_debt.clone()) {
            Some(d) => d,
            None if audit.is_some() => {
                return Err(ServiceError::invalid(
                    "file_audit_id",
                    "names an audit without technical_debt; give the debt as text or update the audit",
                ));
            }
            None => {
                return Err(ServiceError::invalid(
                    "text",
                    "is missing; describe the debt to fix, or give a file_audit_id",
                ));
            }
        },
    };
    let layer = request.layer.or(audit.as_ref().map(|a| a.layer_number));
    if let Some(l) = layer {
        ltmc_core::fix::audit::check_layer("layer", l)?;
    }
    let workflows = request
        .workflows
        .clone()
        .or_else(|| audit.as_ref().map(|a| a.workflows.clone()))
        .unwrap_or_default();
    let file_path =
        present(request.file_path.clone()).or(audit.as_ref().map(|a| a.file_path.clone()));
    let context = FixContext {
        layer,
        workflows: ltmc_core::fix::normalize_list(workflows.iter().map(String::as_str)),
        file_extension: file_path.as_deref().and_then(file_extension),
    };
    Ok(Resolved {
        audit,
        debt,
        context,
        file_path,
    })
}

/// The seed's `find_similar_patterns`: `search_patterns_enhanced` (content
/// and problem cosine, filtered by layer, workflows and file type, reviewed
/// patterns only unless asked) then `score_pattern_confidence`, best first.
pub async fn find_similar_patterns(
    memory: &Memory,
    project: &Project,
    request: &SimilarRequest,
) -> Result<(Resolved, Vec<ScoredPattern>), ServiceError> {
    let resolved = resolve(memory, project, request).await?;
    let threshold = request
        .similarity_threshold
        .unwrap_or_else(|| default_similarity_threshold(memory.embedder().model_id()));
    if !(-1.0..=1.0).contains(&threshold) {
        return Err(ServiceError::invalid(
            "similarity_threshold",
            format!("is {threshold}; use a cosine similarity from -1 to 1 (default 0.65)"),
        ));
    }
    if !(0.0..=1.0).contains(&request.min_confidence) {
        return Err(ServiceError::invalid(
            "min_confidence",
            format!("is {}; use a number from 0 to 1", request.min_confidence),
        ));
    }
    let limit = request
        .limit
        .unwrap_or(DEFAULT_LIMIT)
        .clamp(1, crate::MAX_TOP_K);
    let scored = search_scored(memory, project, &resolved, threshold, request, limit).await?;
    Ok((resolved, scored))
}

async fn search_scored(
    memory: &Memory,
    project: &Project,
    resolved: &Resolved,
    threshold: f64,
    request: &SimilarRequest,
    limit: usize,
) -> Result<Vec<ScoredPattern>, ServiceError> {
    // The problem query is the debt as written (`problem_query`), so one
    // embedding serves as both the content and the problem query.
    let vector = memory.embed_one(&problem_query(&resolved.debt)).await?;
    let ctx = &resolved.context;
    let matches = memory
        .store()
        .search_patterns(
            project,
            &context_query(
                vector,
                ctx,
                threshold,
                request.min_confidence,
                limit,
                request.include_unreviewed,
            ),
        )
        .await?;
    Ok(rank(matches, ctx))
}

/// The seed's `search_patterns_enhanced` arguments for a debt in its
/// context: its layer, workflows and file type filter the patterns.
pub(crate) fn context_query(
    vector: Vec<f32>,
    ctx: &FixContext,
    similarity_threshold: f64,
    min_confidence: f64,
    limit: usize,
    include_unreviewed: bool,
) -> PatternQuery {
    PatternQuery {
        problem: Some(vector.clone()),
        content: vector,
        layers: ctx.layer.map(|l| vec![l]),
        workflows: Some(ctx.workflows.clone()).filter(|w| !w.is_empty()),
        file_extension: ctx.file_extension.clone(),
        min_confidence,
        similarity_threshold,
        limit,
        include_unreviewed,
    }
}

/// Scores each match with the seed's confidence for `ctx`, best first
/// (equal confidences keep the search's order).
pub(crate) fn rank(matches: Vec<PatternMatch>, ctx: &FixContext) -> Vec<ScoredPattern> {
    let mut scored: Vec<ScoredPattern> = matches
        .into_iter()
        .map(|m| {
            let confidence = score_confidence(
                m.similarity,
                PatternFacts {
                    layers: &m.pattern.layers,
                    workflows: &m.pattern.workflows,
                    file_types: &m.pattern.file_types,
                    applied_count: m.pattern.applied_count,
                    success_rate: m.pattern.success_rate,
                },
                ctx,
            );
            ScoredPattern {
                pattern: m.pattern,
                similarity: m.similarity,
                problem_similarity: m.problem_similarity,
                confidence,
            }
        })
        .collect();
    scored.sort_by(|a, b| b.confidence.confidence.total_cmp(&a.confidence.confidence));
    scored
}

/// What `recommend_fix` answers.
#[derive(Debug, Clone)]
pub struct Recommendation {
    pub resolved: Resolved,
    pub guardian: Option<GuardianCheck>,
    pub candidates: Vec<ScoredPattern>,
    pub decision: Decision,
    /// The steps to follow: the pattern's for `apply`, with checks for
    /// `adapt`, a from-scratch plan for `new`.
    pub steps: Vec<String>,
    /// Patterns the chosen one relates to (prerequisites first).
    pub related: Vec<RelatedPattern>,
}

/// The seed's `execute_fix_with_intelligence` up to the decision: guardian
/// warnings for the file (when it is under the project root), the ranked
/// patterns, and `apply` (confidence > 0.8) / `adapt` / `new` with the steps.
pub async fn recommend_fix(
    memory: &Memory,
    project: &Project,
    project_root: Option<&Path>,
    request: &SimilarRequest,
    force_new: bool,
) -> Result<Recommendation, ServiceError> {
    let (resolved, candidates) = if force_new {
        (resolve(memory, project, request).await?, Vec::new())
    } else {
        find_similar_patterns(memory, project, request).await?
    };
    let guardian = match (&resolved.file_path, project_root) {
        (Some(path), Some(root)) if root.join(path).is_file() => Some(
            guardian::check_rules(
                memory.store().as_ref(),
                project,
                Some(root),
                CheckTarget::Path(path.clone()),
                resolved.context.layer,
                true,
            )
            .await?,
        ),
        _ => None,
    };
    let top = candidates.first();
    let decision = Decision::from_top(top.map(|c| c.confidence.confidence));
    let target = resolved.file_path.as_deref().unwrap_or("the file");
    let steps = match (decision, top) {
        (Decision::Apply, Some(c)) => {
            let mut s: Vec<String> = c.pattern.steps().iter().map(|s| (*s).to_owned()).collect();
            if let Some(v) = &c.pattern.verification_steps {
                s.push(format!("Verify: {v}"));
            }
            s.push(format!(
                "Record the outcome: record_pattern_outcome(pattern_id={}, success, time_taken)",
                c.pattern.id
            ));
            s
        }
        (Decision::Adapt, Some(c)) => {
            let mut s = vec![format!(
                "Check that pattern #{} \"{}\" fits {target}: {}",
                c.pattern.id,
                c.pattern.title,
                differences(c, &resolved.context)
            )];
            s.extend(
                c.pattern
                    .steps()
                    .iter()
                    .map(|step| format!("Adapt: {step}")),
            );
            s.push(match &c.pattern.verification_steps {
                Some(v) => format!("Verify more carefully than usual (the match is partial): {v}"),
                None => "Verify more carefully than usual: the match is partial".to_owned(),
            });
            s.push(format!(
                "Record the outcome with record_pattern_outcome(pattern_id={}); if the fix differed, extract it as a new pattern",
                c.pattern.id
            ));
            s
        }
        _ => vec![
            format!("No proven pattern matches: solve the debt in {target} from scratch"),
            "Capture before/after code, verification and learnings while you fix it".to_owned(),
            format!(
                "Extract the fix with extract_pattern{} so the next file with this debt gets it",
                resolved
                    .audit
                    .as_ref()
                    .map(|a| format!(" (source_file_audit_id={})", a.id))
                    .unwrap_or_default()
            ),
        ],
    };
    let related = match (decision, top) {
        (Decision::Apply | Decision::Adapt, Some(c)) => {
            let mut r = memory
                .store()
                .related_patterns(project, c.pattern.id, &RelationshipType::ALL)
                .await?;
            r.sort_by_key(|x| x.relationship_type != RelationshipType::Prerequisite);
            r
        }
        _ => Vec::new(),
    };
    Ok(Recommendation {
        resolved,
        guardian,
        candidates,
        decision,
        steps,
        related,
    })
}

/// Why a partial match is partial, in words.
fn differences(c: &ScoredPattern, ctx: &FixContext) -> String {
    let f = &c.confidence;
    let mut out = vec![format!("similarity {:.2}", c.similarity)];
    if ctx.layer.is_some() && f.layer_factor <= 1.0 {
        out.push(format!("written for layers {:?}", c.pattern.layers));
    }
    if !ctx.workflows.is_empty() && f.workflow_overlap < 1.0 {
        out.push(format!("workflows {:?}", c.pattern.workflows));
    }
    if ctx.file_extension.is_some() && f.file_type_factor <= 1.0 {
        out.push(format!("file types {:?}", c.pattern.file_types));
    }
    if c.pattern.applied_count > 0 && c.pattern.success_rate < 0.5 {
        out.push(format!(
            "success rate {:.0}% over {} applications",
            c.pattern.success_rate * 100.0,
            c.pattern.applied_count
        ));
    }
    out.join("; ")
}

/// Records the outcome of applying a pattern (metrics, audit status, notes).
pub async fn record_outcome(
    memory: &Memory,
    project: &Project,
    application: NewApplication,
) -> Result<RecordedApplication, ServiceError> {
    let application = application.validated()?;
    Ok(memory
        .store()
        .record_application(project, application)
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn titles_come_from_the_first_sentence() {
        assert_eq!(
            title_from("Keys are committed. More."),
            "Fix: Keys are committed"
        );
    }
}
