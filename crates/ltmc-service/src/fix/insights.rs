//! The seed's weekly intelligence assessment: which patterns are reused and
//! how well they work, where the knowledge gaps are (audited debt no proven
//! pattern covers), which guardian rules fire (and which look like false
//! positives), and the time saved; plus the review queue and the
//! applications per week, for the dashboard's plots.
//!
//! Derived from the stored history; writes nothing.

use super::patterns::{context_query, default_similarity_threshold, rank};
use crate::{Memory, ServiceError};
use ltmc_core::fix::{
    APPLY_THRESHOLD, AuditFilter, AuditStatus, FixContext, PatternFilter, RuleFilter, problem_query,
};
use ltmc_core::{AuditId, PatternId, Project, RuleId};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PatternUse {
    pub pattern_id: PatternId,
    pub title: String,
    pub applied_count: i64,
    pub success_rate: f64,
    pub avg_time_saved: i64,
    pub last_applied: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KnowledgeGap {
    pub audit_id: AuditId,
    pub file_path: String,
    pub layer_number: i64,
    pub technical_debt: String,
    pub status: AuditStatus,
    /// The best pattern found and its confidence, below the threshold.
    pub best_pattern: Option<(PatternId, f64)>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleActivity {
    pub rule_id: RuleId,
    pub rule_name: String,
    pub layer_number: i64,
    pub rule_type: String,
    pub active: bool,
    pub hit_count: i64,
    pub files_hit: i64,
    pub last_hit_at: Option<String>,
    /// Files audited `Complete` or without debt in which the rule fired:
    /// a fixed or clean file should not match, so these hits may be false positives.
    pub false_positive_candidates: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Insights {
    pub patterns: usize,
    pub reviewed: usize,
    pub review_queue: usize,
    pub most_reused: Vec<PatternUse>,
    pub applications: usize,
    pub successes: usize,
    /// Successes over recorded applications; none without applications.
    pub success_rate: Option<f64>,
    /// Σ avg_time_saved × applied_count over all patterns, in minutes.
    pub total_time_saved_minutes: i64,
    /// Minutes saved reported by the recorded applications.
    pub recorded_time_saved_minutes: i64,
    pub knowledge_gaps: Vec<KnowledgeGap>,
    /// The confidence a pattern needs for an audit not to be a gap.
    pub gap_threshold: f64,
    pub guardian: Vec<RuleActivity>,
    /// ISO week (`2026-W47`) → (applications, successes).
    pub applications_by_week: BTreeMap<String, (usize, usize)>,
    pub audits_by_status: BTreeMap<String, usize>,
}

/// Computes the assessment. `gap_threshold` (default 0.8, the `apply`
/// threshold): an open audit with debt whose best reviewed pattern scores
/// below it is a knowledge gap.
pub async fn pattern_insights(
    memory: &Memory,
    project: &Project,
    top: usize,
    gap_threshold: Option<f64>,
) -> Result<Insights, ServiceError> {
    let store = memory.store();
    let gap_threshold = gap_threshold.unwrap_or(APPLY_THRESHOLD);
    if !(0.0..=1.0).contains(&gap_threshold) {
        return Err(ServiceError::invalid(
            "gap_threshold",
            format!("is {gap_threshold}; use a confidence from 0 to 1"),
        ));
    }
    let patterns = store
        .list_patterns(project, &PatternFilter::default())
        .await?;
    let reviewed = patterns.iter().filter(|p| p.reviewed).count();
    let mut reused: Vec<&ltmc_core::fix::FixPattern> =
        patterns.iter().filter(|p| p.applied_count > 0).collect();
    reused.sort_by(|a, b| {
        b.applied_count
            .cmp(&a.applied_count)
            .then(b.success_rate.total_cmp(&a.success_rate))
            .then(a.id.cmp(&b.id))
    });
    let most_reused = reused
        .iter()
        .take(top.max(1))
        .map(|p| PatternUse {
            pattern_id: p.id,
            title: p.title.clone(),
            applied_count: p.applied_count,
            success_rate: p.success_rate,
            avg_time_saved: p.avg_time_saved,
            last_applied: p.last_applied.clone(),
        })
        .collect();
    let total_time_saved_minutes = patterns
        .iter()
        .map(|p| p.avg_time_saved * p.applied_count)
        .sum();

    let applications = store.list_applications(project, None).await?;
    let successes = applications.iter().filter(|a| a.success).count();
    let mut by_week: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for a in &applications {
        let week = iso_week(&a.applied_at);
        let e = by_week.entry(week).or_default();
        e.0 += 1;
        e.1 += usize::from(a.success);
    }

    let audits = store.list_audits(project, &AuditFilter::default()).await?;
    let mut audits_by_status: BTreeMap<String, usize> = BTreeMap::new();
    for a in &audits {
        *audits_by_status
            .entry(a.status.as_str().to_owned())
            .or_default() += 1;
    }
    let open: Vec<_> = audits
        .iter()
        .filter(|a| {
            a.technical_debt.is_some()
                && matches!(
                    a.status,
                    AuditStatus::NotStarted | AuditStatus::InProgress | AuditStatus::Failed
                )
        })
        .collect();
    let mut knowledge_gaps = Vec::new();
    if !open.is_empty() {
        let texts = open
            .iter()
            .map(|a| problem_query(a.technical_debt.as_deref().unwrap_or_default()))
            .collect();
        let vectors = memory.embed_repeated(texts).await?;
        let threshold = default_similarity_threshold(memory.embedder().model_id());
        for (a, vector) in open.into_iter().zip(vectors) {
            let ctx = FixContext {
                layer: Some(a.layer_number),
                workflows: a.workflows.clone(),
                file_extension: a.file_extension(),
            };
            let found = store
                .search_patterns(
                    project,
                    &context_query(vector, &ctx, threshold, 0.0, 5, false),
                )
                .await?;
            let best = rank(found, &ctx)
                .first()
                .map(|s| (s.pattern.id, s.confidence.confidence));
            if best.is_none_or(|(_, c)| c < gap_threshold) {
                knowledge_gaps.push(KnowledgeGap {
                    audit_id: a.id,
                    file_path: a.file_path.clone(),
                    layer_number: a.layer_number,
                    technical_debt: a.technical_debt.clone().unwrap_or_default(),
                    status: a.status,
                    best_pattern: best,
                });
            }
        }
    }

    let rules = store.list_rules(project, &RuleFilter::default()).await?;
    let file_hits = store.rule_file_hits(project).await?;
    let clean_or_done: Vec<&str> = audits
        .iter()
        .filter(|a| a.status == AuditStatus::Complete || a.technical_debt.is_none())
        .map(|a| a.file_path.as_str())
        .collect();
    let mut guardian: Vec<RuleActivity> = rules
        .iter()
        .map(|r| RuleActivity {
            rule_id: r.id,
            rule_name: r.rule_name.clone(),
            layer_number: r.layer_number,
            rule_type: r.rule_type.as_str().to_owned(),
            active: r.active,
            hit_count: r.hit_count,
            files_hit: r.files_hit,
            last_hit_at: r.last_hit_at.clone(),
            false_positive_candidates: file_hits
                .iter()
                .filter(|h| h.rule_id == r.id && clean_or_done.contains(&h.file_path.as_str()))
                .map(|h| h.file_path.clone())
                .collect(),
        })
        .collect();
    guardian.sort_by(|a, b| {
        b.hit_count
            .cmp(&a.hit_count)
            .then(a.rule_id.cmp(&b.rule_id))
    });

    Ok(Insights {
        patterns: patterns.len(),
        reviewed,
        review_queue: patterns.len() - reviewed,
        most_reused,
        applications: applications.len(),
        successes,
        success_rate: (!applications.is_empty())
            .then(|| successes as f64 / applications.len() as f64),
        total_time_saved_minutes,
        recorded_time_saved_minutes: applications.iter().filter_map(|a| a.time_saved).sum(),
        knowledge_gaps,
        gap_threshold,
        guardian,
        applications_by_week: by_week,
        audits_by_status,
    })
}

/// `2026-11-21T10:00:00Z` → `2026-W47`; the date itself when it cannot be parsed.
fn iso_week(rfc3339: &str) -> String {
    match time::OffsetDateTime::parse(rfc3339, &time::format_description::well_known::Rfc3339) {
        Ok(t) => {
            let (year, week, _) = t.to_iso_week_date();
            format!("{year}-W{week:02}")
        }
        Err(_) => rfc3339.chars().take(10).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weeks_are_iso() {
        assert_eq!(iso_week("2026-11-21T10:00:00Z"), "2026-W47");
        assert_eq!(iso_week("2027-01-01T00:00:00Z"), "2026-W53");
        assert_eq!(iso_week("garbage"), "garbage");
    }
}
