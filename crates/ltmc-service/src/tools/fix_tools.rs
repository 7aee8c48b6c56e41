//! The fix-pattern tools (SPEC section 5): file audits, fix patterns,
//! recommendations and outcomes, guardian rules and checks, insights.
//!
//! Parse, call the `fix` use cases, shape the answer (seed column names).
//! Not here: inference, search, scoring or scanning (`crate::fix`, `ltmc-guard`).

use super::Tools;
use super::args::parse;
use super::fix_args::{
    AddGuardianRuleArgs, CheckGuardianArgs, FindSimilarArgs, ImportFileAuditsArgs, InsightsArgs,
    LinkPatternsArgs, ListFileAuditsArgs, ListGuardianRulesArgs, ListPatternsArgs, PatternIdArgs,
    RecommendFixArgs, RecordOutcomeArgs, RelatedPatternsArgs, ReviewPatternArgs, SetRuleActiveArgs,
    UpsertFileAuditArgs,
};
use super::reply::{ToolError, ToolResult};
use crate::ServiceError;
use crate::fix::audits::{ImportFormat, import_audits, upsert_audit};
use crate::fix::guardian::{CheckTarget, add_rule, check_rules, confine};
use crate::fix::insights::pattern_insights;
use crate::fix::patterns::{
    PatternDraft, ScoredPattern, SimilarRequest, extract_pattern, find_similar_patterns,
    recommend_fix, record_outcome,
};
use ltmc_core::fix::{
    AuditFilter, AuditStatus, FileAudit, FixPattern, GuardianRule, NewApplication, NewFileAudit,
    NewGuardianRule, NewRelationship, PatternFilter, ProblemType, RelationshipType, RuleFilter,
    RuleType, Severity, parse_workflows,
};
use ltmc_core::{AuditId, PatternId, RuleId};
use serde_json::{Value, json};

fn err(e: ltmc_core::CoreError) -> ToolError {
    ToolError::from(ServiceError::from(e))
}

fn workflows(values: Option<Vec<String>>) -> Option<Vec<String>> {
    values.map(|v| parse_workflows(&v.join(",")))
}

fn pattern_not_found(e: ServiceError) -> ToolError {
    ToolError::not_found("pattern_id", "list_patterns shows the ids")(e)
}

fn audit_not_found(e: ServiceError) -> ToolError {
    ToolError::not_found("file_audit_id", "list_file_audits shows the ids")(e)
}

/// A pattern in a listing: what a reviewer scans.
pub(super) fn pattern_summary(p: &FixPattern) -> Value {
    json!({
        "id": p.id,
        "title": p.title,
        "problem_type": p.problem_type,
        "code_type": p.code_type,
        "severity": p.severity,
        "layers": p.layers,
        "workflows": p.workflows,
        "file_types": p.file_types,
        "tags": p.tags,
        "reviewed": p.reviewed,
        "applied_count": p.applied_count,
        "success_rate": p.success_rate,
        "avg_time_saved": p.avg_time_saved,
        "created_at": p.created_at,
    })
}

fn scored_json(s: &ScoredPattern) -> Value {
    json!({
        "pattern_id": s.pattern.id,
        "title": s.pattern.title,
        "problem_type": s.pattern.problem_type,
        "code_type": s.pattern.code_type,
        "severity": s.pattern.severity,
        "layers": s.pattern.layers,
        "workflows": s.pattern.workflows,
        "file_types": s.pattern.file_types,
        "problem_description": s.pattern.problem_description,
        "solution_steps": s.pattern.steps(),
        "applied_count": s.pattern.applied_count,
        "success_rate": s.pattern.success_rate,
        "confidence_score": s.pattern.confidence_score,
        "reviewed": s.pattern.reviewed,
        "similarity": s.similarity,
        "problem_similarity": s.problem_similarity,
        "computed_confidence": s.confidence.confidence,
        "confidence_factors": s.confidence,
    })
}

fn rule_json(r: &GuardianRule) -> Value {
    serde_json::to_value(r).unwrap_or(Value::Null)
}

pub(super) async fn upsert_file_audit(tools: &Tools, args: Value) -> ToolResult {
    let a: UpsertFileAuditArgs = parse(args)?;
    let status = match a.status.as_deref() {
        Some(s) => AuditStatus::parse("status", s).map_err(err)?,
        None => AuditStatus::NotStarted,
    };
    let (audit, created) = upsert_audit(
        &tools.memory,
        &tools.project,
        NewFileAudit {
            file_path: a.file_path,
            layer_number: a.layer_number,
            workflows: workflows(a.workflows).unwrap_or_default(),
            technical_debt: a.technical_debt,
            status,
            notes: a.notes,
        },
    )
    .await?;
    Ok(json!({
        "file_audit_id": audit.id,
        "created": created,
        "audit": audit,
        "message": format!(
            "audit {} of {} {}",
            audit.id,
            audit.file_path,
            if created { "created" } else { "updated" }
        ),
    }))
}

pub(super) async fn list_file_audits(tools: &Tools, args: Value) -> ToolResult {
    let a: ListFileAuditsArgs = parse(args)?;
    let status = a
        .status
        .as_deref()
        .map(|s| AuditStatus::parse("status", s))
        .transpose()
        .map_err(err)?;
    let audits = tools
        .memory
        .store()
        .list_audits(
            &tools.project,
            &AuditFilter {
                layer: a.layer,
                workflow: a
                    .workflow
                    .map(|w| w.trim().to_owned())
                    .filter(|w| !w.is_empty()),
                status,
                has_debt: a.has_debt,
                limit: Some(a.limit),
            },
        )
        .await?;
    Ok(json!({"audits": audits, "count": audits.len()}))
}

pub(super) async fn import_file_audits(tools: &Tools, args: Value) -> ToolResult {
    let a: ImportFileAuditsArgs = parse(args)?;
    let (text, name) = match (a.content, a.file_path) {
        (Some(c), None) => (c, None),
        (None, Some(path)) => {
            let root = tools.project_root.as_deref().ok_or_else(|| {
                ToolError::new(
                    "file_path cannot be read: no project root is configured; pass the audits as content",
                )
            })?;
            let real = confine(root, &path)?;
            let text = tokio::fs::read_to_string(&real).await.map_err(|e| {
                ToolError::new(format!(
                    "file_path {path:?} cannot be read as UTF-8 text: {e}"
                ))
            })?;
            (text, Some(path))
        }
        _ => {
            return Err(ToolError::new(
                "give either content (CSV or JSON text) or file_path (a file inside the project root), not both",
            ));
        }
    };
    let format = match a.format.as_deref() {
        Some(f) => ImportFormat::parse(f)?,
        None => name
            .as_deref()
            .and_then(ImportFormat::from_file_name)
            .unwrap_or_else(|| {
                if text.trim_start().starts_with(['[', '{']) {
                    ImportFormat::Json
                } else {
                    ImportFormat::Csv
                }
            }),
    };
    let report = import_audits(&tools.memory, &tools.project, &text, format).await?;
    let imported = report.created + report.updated;
    Ok(json!({
        "rows": report.rows,
        "imported": imported,
        "created": report.created,
        "updated": report.updated,
        "errors": report.errors,
        "ignored_columns": report.ignored_columns,
        "file_audit_ids": report.audits.iter().map(|a| a.id).collect::<Vec<_>>(),
        "message": format!(
            "{imported} of {} rows imported ({} created, {} updated), {} refused",
            report.rows, report.created, report.updated, report.errors.len()
        ),
    }))
}

pub(super) async fn extract_pattern_tool(tools: &Tools, args: Value) -> ToolResult {
    let draft: PatternDraft = parse(args)?;
    let extracted = extract_pattern(&tools.memory, &tools.project, draft)
        .await
        .map_err(audit_not_found)?;
    let s = &extracted.stored;
    let active = s.rules.iter().filter(|r| r.active).count();
    Ok(json!({
        "pattern_id": s.pattern.id,
        "pattern": s.pattern,
        "inferred": extracted.inferred,
        "relationships": s.relationships,
        "guardian_rules": s.rules.iter().map(rule_json).collect::<Vec<_>>(),
        "message": format!(
            "pattern {} \"{}\" stored unreviewed ({} field(s) inferred), linked to {} similar pattern(s), {} guardian rule(s) made ({} active)",
            s.pattern.id,
            s.pattern.title,
            extracted.inferred.len(),
            s.relationships.len(),
            s.rules.len(),
            active
        ),
    }))
}

pub(super) async fn review_pattern(tools: &Tools, args: Value) -> ToolResult {
    let a: ReviewPatternArgs = parse(args)?;
    let p = tools
        .memory
        .store()
        .review_pattern(
            &tools.project,
            PatternId(a.pattern_id),
            a.reviewed,
            a.reviewer_notes,
        )
        .await
        .map_err(|e| pattern_not_found(e.into()))?;
    Ok(json!({
        "pattern_id": p.id,
        "reviewed": p.reviewed,
        "reviewer_notes": p.reviewer_notes,
        "message": format!(
            "pattern {} {}",
            p.id,
            if p.reviewed { "reviewed: searchable by default" } else { "back in the review queue" }
        ),
    }))
}

pub(super) async fn get_pattern(tools: &Tools, args: Value) -> ToolResult {
    let a: PatternIdArgs = parse(args)?;
    let store = tools.memory.store();
    let id = PatternId(a.pattern_id);
    let p = store
        .get_pattern(&tools.project, id)
        .await
        .map_err(|e| pattern_not_found(e.into()))?;
    let related = store
        .related_patterns(&tools.project, id, &RelationshipType::ALL)
        .await?;
    let rules = store
        .list_rules(
            &tools.project,
            &RuleFilter {
                source_pattern_id: Some(id),
                ..RuleFilter::default()
            },
        )
        .await?;
    let applications = store.list_applications(&tools.project, Some(id)).await?;
    Ok(json!({
        "pattern": p,
        "related_patterns": related,
        "guardian_rules": rules.iter().map(rule_json).collect::<Vec<_>>(),
        "applications": applications,
    }))
}

pub(super) async fn list_patterns(tools: &Tools, args: Value) -> ToolResult {
    let a: ListPatternsArgs = parse(args)?;
    let problem_type = a
        .problem_type
        .as_deref()
        .map(|p| ProblemType::parse("problem_type", p))
        .transpose()
        .map_err(err)?;
    let patterns = tools
        .memory
        .store()
        .list_patterns(
            &tools.project,
            &PatternFilter {
                reviewed: a.reviewed,
                problem_type,
                layer: a.layer,
                workflow: a.workflow,
                tag: a.tag,
                limit: Some(a.limit),
            },
        )
        .await?;
    Ok(json!({
        "patterns": patterns.iter().map(pattern_summary).collect::<Vec<_>>(),
        "count": patterns.len(),
    }))
}

pub(super) async fn link_patterns(tools: &Tools, args: Value) -> ToolResult {
    let a: LinkPatternsArgs = parse(args)?;
    let relationship_type =
        RelationshipType::parse("relationship_type", &a.relationship_type).map_err(err)?;
    let rel = NewRelationship {
        source: PatternId(a.source_pattern_id),
        target: PatternId(a.target_pattern_id),
        relationship_type,
        strength: a.strength,
        description: a.description,
    }
    .validated()
    .map_err(err)?;
    let stored = tools
        .memory
        .store()
        .link_patterns(&tools.project, rel)
        .await
        .map_err(|e| pattern_not_found(e.into()))?;
    Ok(json!({
        "relationship_id": stored.id,
        "relationship": stored,
        "message": format!(
            "pattern {} is a {} of pattern {} (strength {})",
            stored.target, stored.relationship_type.as_str(), stored.source, stored.strength
        ),
    }))
}

pub(super) async fn get_related_patterns(tools: &Tools, args: Value) -> ToolResult {
    let a: RelatedPatternsArgs = parse(args)?;
    let types = match a.relationship_types {
        Some(list) if !list.is_empty() => list
            .iter()
            .map(|t| RelationshipType::parse("relationship_types", t))
            .collect::<Result<Vec<_>, _>>()
            .map_err(err)?,
        _ => RelationshipType::DEFAULT_RELATED.to_vec(),
    };
    let related = tools
        .memory
        .store()
        .related_patterns(&tools.project, PatternId(a.pattern_id), &types)
        .await
        .map_err(|e| pattern_not_found(e.into()))?;
    Ok(json!({"related_patterns": related, "count": related.len()}))
}

fn context_json(r: &crate::fix::patterns::Resolved) -> Value {
    json!({
        "file_audit_id": r.audit.as_ref().map(|a| a.id),
        "technical_debt": r.debt,
        "layer": r.context.layer,
        "workflows": r.context.workflows,
        "file_path": r.file_path,
        "file_extension": r.context.file_extension,
    })
}

pub(super) async fn find_similar(tools: &Tools, args: Value) -> ToolResult {
    let a: FindSimilarArgs = parse(args)?;
    let request = SimilarRequest {
        audit_id: a.file_audit_id.map(AuditId),
        text: a.text,
        layer: a.layer,
        workflows: workflows(a.workflows),
        file_path: a.file_path,
        min_confidence: a.min_confidence,
        similarity_threshold: a.similarity_threshold,
        limit: Some(a.limit),
        include_unreviewed: a.include_unreviewed,
    };
    let (resolved, scored) = find_similar_patterns(&tools.memory, &tools.project, &request)
        .await
        .map_err(audit_not_found)?;
    Ok(json!({
        "query": context_json(&resolved),
        "patterns": scored.iter().map(scored_json).collect::<Vec<_>>(),
        "count": scored.len(),
    }))
}

pub(super) async fn recommend(tools: &Tools, args: Value) -> ToolResult {
    let a: RecommendFixArgs = parse(args)?;
    let request = SimilarRequest {
        audit_id: a.file_audit_id.map(AuditId),
        text: a.text,
        layer: a.layer,
        workflows: workflows(a.workflows),
        file_path: a.file_path,
        min_confidence: 0.0,
        similarity_threshold: a.similarity_threshold,
        limit: Some(a.limit),
        include_unreviewed: a.include_unreviewed,
    };
    let r = recommend_fix(
        &tools.memory,
        &tools.project,
        tools.project_root.as_deref(),
        &request,
        a.force_new_solution,
    )
    .await
    .map_err(audit_not_found)?;
    let top = r.candidates.first();
    let warnings: Vec<Value> = r
        .guardian
        .as_ref()
        .map(|g| {
            g.report
                .violations
                .iter()
                .map(|v| serde_json::to_value(v).unwrap_or(Value::Null))
                .collect()
        })
        .unwrap_or_default();
    Ok(json!({
        "decision": r.decision,
        "query": context_json(&r.resolved),
        "pattern_id": top.map(|c| c.pattern.id),
        "confidence": top.map(|c| c.confidence.confidence),
        "recommended_pattern": top.map(scored_json),
        "steps": r.steps,
        "prevention_guidance": top.and_then(|c| c.pattern.prevention_guidance.clone()),
        "code_before": top.and_then(|c| c.pattern.code_before.clone()),
        "code_after": top.and_then(|c| c.pattern.code_after.clone()),
        "related_patterns": r.related,
        "guardian_checked": r.guardian.is_some(),
        "guardian_warnings": warnings,
        "candidates": r.candidates.iter().map(scored_json).collect::<Vec<_>>(),
        "message": match (r.decision, top) {
            (ltmc_core::fix::Decision::Apply, Some(c)) => format!(
                "apply pattern {} \"{}\" (confidence {:.2} > 0.8)", c.pattern.id, c.pattern.title, c.confidence.confidence
            ),
            (ltmc_core::fix::Decision::Adapt, Some(c)) => format!(
                "adapt pattern {} \"{}\" (confidence {:.2}, not above 0.8): verify it fits", c.pattern.id, c.pattern.title, c.confidence.confidence
            ),
            _ => "no pattern matches: solve it new and extract the fix as a pattern".to_owned(),
        },
    }))
}

pub(super) async fn record_pattern_outcome(tools: &Tools, args: Value) -> ToolResult {
    let a: RecordOutcomeArgs = parse(args)?;
    let recorded = record_outcome(
        &tools.memory,
        &tools.project,
        NewApplication {
            pattern_id: PatternId(a.pattern_id),
            audit_id: a.file_audit_id.map(AuditId),
            file_path: a.file_path,
            success: a.success,
            time_taken: a.time_taken,
            time_saved: a.time_saved,
            notes: a.notes,
        },
    )
    .await
    .map_err(|e| {
        ToolError::not_found(
            "pattern_id or file_audit_id",
            "list_patterns and list_file_audits show the ids",
        )(e)
    })?;
    let p = &recorded.pattern;
    Ok(json!({
        "application_id": recorded.application.id,
        "pattern_id": p.id,
        "applied_count": p.applied_count,
        "success_rate": p.success_rate,
        "avg_time_saved": p.avg_time_saved,
        "last_applied": p.last_applied,
        "applied_to_files": p.applied_to_files,
        "file_audit": recorded.audit,
        "message": format!(
            "pattern {} applied {} time(s), success rate {:.0}%{}",
            p.id,
            p.applied_count,
            p.success_rate * 100.0,
            recorded.audit.as_ref().map(|a: &FileAudit| format!("; audit {} is {}", a.id, a.status.as_str())).unwrap_or_default()
        ),
    }))
}

pub(super) async fn add_guardian_rule(tools: &Tools, args: Value) -> ToolResult {
    let a: AddGuardianRuleArgs = parse(args)?;
    let rule = add_rule(
        tools.memory.store().as_ref(),
        &tools.project,
        NewGuardianRule {
            layer_number: a.layer_number,
            rule_name: a.rule_name,
            rule_type: RuleType::parse("rule_type", &a.rule_type).map_err(err)?,
            rule_pattern: a.rule_pattern,
            severity: Severity::parse("severity", &a.severity).map_err(err)?,
            action_required: a.action_required,
            source_pattern_id: a.source_pattern_id.map(PatternId),
            active: a.active,
            inactive_reason: None,
        },
    )
    .await
    .map_err(|e| ToolError::not_found("source_pattern_id", "list_patterns shows the ids")(e))?;
    Ok(json!({
        "rule_id": rule.id,
        "rule": rule_json(&rule),
        "message": format!("guardian rule {} \"{}\" added to layer {}", rule.id, rule.rule_name, rule.layer_number),
    }))
}

pub(super) async fn list_guardian_rules(tools: &Tools, args: Value) -> ToolResult {
    let a: ListGuardianRulesArgs = parse(args)?;
    let rule_type = a
        .rule_type
        .as_deref()
        .map(|t| RuleType::parse("rule_type", t))
        .transpose()
        .map_err(err)?;
    let rules = tools
        .memory
        .store()
        .list_rules(
            &tools.project,
            &RuleFilter {
                layer: a.layer,
                active: a.active,
                rule_type,
                source_pattern_id: None,
            },
        )
        .await?;
    Ok(json!({"rules": rules.iter().map(rule_json).collect::<Vec<_>>(), "count": rules.len()}))
}

pub(super) async fn set_guardian_rule_active(tools: &Tools, args: Value) -> ToolResult {
    let a: SetRuleActiveArgs = parse(args)?;
    let rule = tools
        .memory
        .store()
        .set_rule_active(&tools.project, RuleId(a.rule_id), a.active, a.reason)
        .await
        .map_err(|e| {
            ToolError::not_found("rule_id", "list_guardian_rules shows the ids")(e.into())
        })?;
    Ok(json!({
        "rule_id": rule.id,
        "active": rule.active,
        "inactive_reason": rule.inactive_reason,
        "message": format!("rule {} \"{}\" is {}", rule.id, rule.rule_name, if rule.active { "active" } else { "inactive" }),
    }))
}

pub(super) async fn check_guardian_rules(tools: &Tools, args: Value) -> ToolResult {
    let a: CheckGuardianArgs = parse(args)?;
    let target = match (a.content, a.file_path) {
        (Some(content), file_path) => CheckTarget::Content { content, file_path },
        (None, Some(path)) => CheckTarget::Path(path),
        (None, None) => {
            return Err(ToolError::new(
                "give file_path (a file or directory inside the project root) or content (the code to check)",
            ));
        }
    };
    let check = check_rules(
        tools.memory.store().as_ref(),
        &tools.project,
        tools.project_root.as_deref(),
        target,
        a.layer,
        true,
    )
    .await?;
    let report = &check.report;
    Ok(json!({
        "violations": report.violations,
        "count": report.violations.len(),
        "enforcement_violations": report.enforcement_violations(),
        "files_scanned": report.files_scanned,
        "files_skipped": report.files_skipped,
        "rules_checked": check.rules.len(),
        "passed": report.violations.is_empty(),
        "message": format!(
            "{} violation(s), {} of them enforcement, in {} file(s) checked against {} rule(s)",
            report.violations.len(),
            report.enforcement_violations(),
            report.files_scanned,
            check.rules.len()
        ),
    }))
}

pub(super) async fn insights(tools: &Tools, args: Value) -> ToolResult {
    let a: InsightsArgs = parse(args)?;
    let i = pattern_insights(&tools.memory, &tools.project, a.top, a.gap_threshold).await?;
    serde_json::to_value(i)
        .map_err(|e| ToolError::new(format!("insights cannot be written as JSON: {e}")))
}
