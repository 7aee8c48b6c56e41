//! Checks of the fix-pattern knowledge base (seed 000), one module per
//! behaviour: file audits (`audits`), fix patterns as records and their
//! reviews (`patterns`), the similarity search (`search`), links between
//! patterns (`relationships`), applications and the metrics they move
//! (`applications`), guardian rules and their hits (`guardian`), and project
//! isolation of all of it (`isolation`). This file holds the builders and
//! readers the checks share; it asserts nothing itself.
//!
//! Vectors here are built from the standard basis of the suite's 8
//! dimensions, so every similarity is known exactly; none is of unit length
//! unless a check needs it to be.

mod applications;
mod audits;
mod calibrations;
mod guardian;
mod isolation;
mod patterns;
mod relationships;
mod review;
mod search;

pub use applications::*;
pub use audits::*;
pub use calibrations::*;
pub use guardian::*;
pub use isolation::*;
pub use patterns::*;
pub use relationships::*;
pub use review::*;
pub use search::*;

use crate::PatternQuery;
use crate::conformance::{DIMENSION, Project, Store, is_rfc3339, vector_for};
use ltmc_core::fix::{
    AuditFilter, AuditStatus, FileAudit, FixPattern, NewApplication, NewFileAudit, NewFixPattern,
    NewGuardianRule, NewRelationship, PatternEmbeddings, PatternFilter, ProblemType,
    RelationshipType, RuleFilter, RuleType, Severity,
};
use ltmc_core::{AuditId, PatternId};

// ---------------------------------------------------------------- helpers

fn audit(
    path: &str,
    layer: i64,
    workflows: &[&str],
    debt: Option<&str>,
    status: AuditStatus,
) -> NewFileAudit {
    NewFileAudit {
        file_path: path.to_owned(),
        layer_number: layer,
        workflows: workflows.iter().map(|w| (*w).to_owned()).collect(),
        technical_debt: debt.map(str::to_owned),
        status,
        notes: None,
    }
}

async fn upsert(store: &dyn Store, project: &Project, new: NewFileAudit) -> (FileAudit, bool) {
    store
        .upsert_audit(project, new)
        .await
        .expect("upsert_audit")
}

async fn history(
    store: &dyn Store,
    project: &Project,
    id: AuditId,
) -> Vec<(Option<AuditStatus>, AuditStatus)> {
    let changes = store
        .audit_history(project, id)
        .await
        .expect("audit_history");
    for change in &changes {
        assert_eq!(change.audit_id, id);
        assert!(is_rfc3339(&change.at), "{}", change.at);
    }
    changes.iter().map(|c| (c.from, c.to)).collect()
}

async fn audits_listed(store: &dyn Store, project: &Project, filter: &AuditFilter) -> Vec<String> {
    store
        .list_audits(project, filter)
        .await
        .expect("list_audits")
        .into_iter()
        .map(|a| a.file_path)
        .collect()
}

/// `scale` times the `i`-th vector of the standard basis.
fn axis(i: usize, scale: f32) -> Vec<f32> {
    let mut v = vec![0.0; DIMENSION];
    v[i] = scale;
    v
}

/// The sum of the given multiples of basis vectors.
fn mix(parts: &[(usize, f32)]) -> Vec<f32> {
    let mut v = vec![0.0; DIMENSION];
    for &(i, w) in parts {
        v[i] += w;
    }
    v
}

fn embeddings(content: Vec<f32>, problem: Vec<f32>) -> PatternEmbeddings {
    PatternEmbeddings {
        content,
        code: axis(7, 2.0),
        problem,
    }
}

/// A reviewed Security pattern of layer 4 with the seed's defaults.
fn pattern(title: &str) -> NewFixPattern {
    let mut new = NewFixPattern::new(
        title,
        ProblemType::Security,
        Severity::High,
        vec![4],
        format!("the problem {title} fixes"),
        "step one\nstep two",
    );
    new.reviewed = true;
    new
}

async fn put_pattern(
    store: &dyn Store,
    project: &Project,
    new: NewFixPattern,
    embeddings: PatternEmbeddings,
) -> FixPattern {
    store
        .put_pattern(project, new, embeddings, Vec::new(), Vec::new())
        .await
        .expect("put_pattern")
        .pattern
}

/// A pattern whose vectors are derived from its title.
async fn put_plain(store: &dyn Store, project: &Project, title: &str) -> FixPattern {
    let vectors = PatternEmbeddings {
        content: vector_for(title),
        code: vector_for(&format!("{title} code")),
        problem: vector_for(&format!("{title} problem")),
    };
    put_pattern(store, project, pattern(title), vectors).await
}

/// What the seed's search is asked by default: threshold 0.65, 10 results,
/// reviewed patterns only, no filter.
fn query(content: Vec<f32>) -> PatternQuery {
    PatternQuery {
        content,
        problem: None,
        layers: None,
        workflows: None,
        file_extension: None,
        min_confidence: 0.0,
        similarity_threshold: 0.65,
        limit: 10,
        include_unreviewed: false,
    }
}

async fn found(store: &dyn Store, project: &Project, query: &PatternQuery) -> Vec<PatternId> {
    let matches = store
        .search_patterns(project, query)
        .await
        .expect("search_patterns");
    assert!(matches.len() <= query.limit);
    for m in &matches {
        assert!(
            m.similarity > query.similarity_threshold,
            "{} at or below the threshold",
            m.similarity
        );
        assert!(m.pattern.confidence_score >= query.min_confidence);
        if query.problem.is_none() {
            assert!(
                m.problem_similarity.abs() < 1e-12,
                "{}",
                m.problem_similarity
            );
        }
    }
    matches.iter().map(|m| m.pattern.id).collect()
}

async fn patterns_listed(
    store: &dyn Store,
    project: &Project,
    filter: &PatternFilter,
) -> Vec<PatternId> {
    store
        .list_patterns(project, filter)
        .await
        .expect("list_patterns")
        .iter()
        .map(|p| p.id)
        .collect()
}

fn rule(layer: i64, name: &str, rule_type: RuleType) -> NewGuardianRule {
    NewGuardianRule {
        layer_number: layer,
        rule_name: name.to_owned(),
        rule_type,
        rule_pattern: r"api_key\s*=".to_owned(),
        severity: Severity::Critical,
        action_required: "read the key from the environment".to_owned(),
        source_pattern_id: None,
        active: true,
        inactive_reason: None,
    }
}

async fn rules_listed(
    store: &dyn Store,
    project: &Project,
    filter: &RuleFilter,
) -> Vec<(i64, String)> {
    store
        .list_rules(project, filter)
        .await
        .expect("list_rules")
        .into_iter()
        .map(|r| (r.layer_number, r.rule_name))
        .collect()
}

fn relationship(
    source: PatternId,
    target: PatternId,
    relationship_type: RelationshipType,
    strength: f64,
) -> NewRelationship {
    NewRelationship {
        source,
        target,
        relationship_type,
        strength,
        description: None,
    }
}

fn application(pattern: PatternId, audit: Option<AuditId>, success: bool) -> NewApplication {
    NewApplication {
        pattern_id: pattern,
        audit_id: audit,
        file_path: None,
        success,
        time_taken: None,
        time_saved: None,
        notes: None,
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-6
}
