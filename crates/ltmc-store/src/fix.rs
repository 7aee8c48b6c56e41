//! The storage traits of the fix-pattern knowledge base (seed 000): file
//! audits, fix patterns with their three embeddings, relationships and
//! applications, and guardian rules with their hit statistics.
//!
//! Same rules as `traits.rs`: async, backend-neutral, one use-case-sized
//! operation per method, every write one transaction, every record scoped to
//! a project (an id of another project is `NotFound`). Not here: regexes
//! (rules are stored as text; `ltmc-guard` compiles them), inference,
//! confidence, embedding (service).

use crate::StoreError;
use async_trait::async_trait;
use ltmc_core::fix::{
    AuditFilter, AuditStatus, AuditStatusChange, FileAudit, FixPattern, GuardianRule,
    NewApplication, NewFileAudit, NewFixPattern, NewGuardianRule, NewRelationship,
    PatternApplication, PatternEmbeddings, PatternFilter, PatternRelationship, RelatedPattern,
    RelationshipType, RuleFilter, RuleHit,
};
use ltmc_core::{AuditId, PatternId, Project, RuleId};

/// File audits, unique per project by `file_path`.
#[async_trait]
pub trait AuditStore: Send + Sync {
    /// Creates the audit of `file_path`, or replaces the fields of the
    /// existing one (keeping its id, pattern and work times). A status change
    /// (and the creation) is recorded in the audit's history with its time;
    /// the first `In Progress` sets `work_started_at`, `Complete` or `Failed`
    /// sets `work_completed_at`. Returns the audit and whether it was created.
    async fn upsert_audit(
        &self,
        project: &Project,
        audit: NewFileAudit,
    ) -> Result<(FileAudit, bool), StoreError>;

    /// [`AuditStore::upsert_audit`] for many, in one transaction: all or none.
    async fn upsert_audits(
        &self,
        project: &Project,
        audits: Vec<NewFileAudit>,
    ) -> Result<Vec<(FileAudit, bool)>, StoreError>;

    async fn get_audit(&self, project: &Project, id: AuditId) -> Result<FileAudit, StoreError>;

    async fn find_audit_by_path(
        &self,
        project: &Project,
        file_path: &str,
    ) -> Result<Option<FileAudit>, StoreError>;

    /// Ordered by layer, then path.
    async fn list_audits(
        &self,
        project: &Project,
        filter: &AuditFilter,
    ) -> Result<Vec<FileAudit>, StoreError>;

    /// The audit's status changes, oldest first.
    async fn audit_history(
        &self,
        project: &Project,
        id: AuditId,
    ) -> Result<Vec<AuditStatusChange>, StoreError>;
}

/// What the seed's `search_patterns_enhanced` takes.
#[derive(Debug, Clone, PartialEq)]
pub struct PatternQuery {
    pub content: Vec<f32>,
    pub problem: Option<Vec<f32>>,
    /// Patterns sharing at least one of these layers; none or empty: any.
    pub layers: Option<Vec<i64>>,
    /// Patterns sharing at least one of these workflows; none or empty: any.
    pub workflows: Option<Vec<String>>,
    /// Patterns listing this file type (`.py`); none: any.
    pub file_extension: Option<String>,
    /// Patterns whose stored `confidence_score` is at least this.
    pub min_confidence: f64,
    /// Patterns whose content similarity is above this.
    pub similarity_threshold: f64,
    pub limit: usize,
    /// Also unreviewed patterns (the seed searches reviewed ones only).
    pub include_unreviewed: bool,
}

/// One pattern found, with the seed's two similarities (cosine).
#[derive(Debug, Clone, PartialEq)]
pub struct PatternMatch {
    pub pattern: FixPattern,
    /// Of the content embeddings.
    pub similarity: f64,
    /// Of the problem embeddings; 0 when the query had none.
    pub problem_similarity: f64,
    /// Of the query's content vector and the pattern's code embedding.
    pub code_similarity: f64,
}

/// What [`PatternStore::record_application`] changed.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedApplication {
    pub application: PatternApplication,
    /// The pattern with its new metrics.
    pub pattern: FixPattern,
    /// The file audit with its new status and notes, when there is one.
    pub audit: Option<FileAudit>,
}

/// A pattern as stored by [`PatternStore::put_pattern`], with what was stored beside it.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredPattern {
    pub pattern: FixPattern,
    pub relationships: Vec<PatternRelationship>,
    pub rules: Vec<GuardianRule>,
}

/// Fix patterns, their relationships and applications.
#[async_trait]
pub trait PatternStore: Send + Sync {
    /// Stores a pattern with its three embeddings, the relationships from it
    /// (`source` of each is ignored: it is the new pattern), and the guardian
    /// rules made from it (`source_pattern_id` likewise), in one transaction.
    /// A rule whose name is taken in its layer gets `-2`, `-3`... appended.
    /// An unknown related pattern or source audit is `NotFound`, a vector of
    /// the wrong dimension `WrongDimension`; nothing is written then.
    async fn put_pattern(
        &self,
        project: &Project,
        pattern: NewFixPattern,
        embeddings: PatternEmbeddings,
        relationships: Vec<NewRelationship>,
        rules: Vec<NewGuardianRule>,
    ) -> Result<StoredPattern, StoreError>;

    async fn get_pattern(&self, project: &Project, id: PatternId)
    -> Result<FixPattern, StoreError>;

    /// Newest first.
    async fn list_patterns(
        &self,
        project: &Project,
        filter: &PatternFilter,
    ) -> Result<Vec<FixPattern>, StoreError>;

    /// Marks a pattern reviewed (or not) with the reviewer's notes (kept
    /// when `notes` is none).
    async fn review_pattern(
        &self,
        project: &Project,
        id: PatternId,
        reviewed: bool,
        notes: Option<String>,
    ) -> Result<FixPattern, StoreError>;

    /// The seed's `search_patterns_enhanced` with cosine similarity: the
    /// patterns passing the filters whose content similarity is above the
    /// threshold, ordered by the mean of content and problem similarity (the
    /// content similarity alone without a problem vector), then stored
    /// confidence, then applied count; at most `limit`. Exact, not approximate.
    async fn search_patterns(
        &self,
        project: &Project,
        query: &PatternQuery,
    ) -> Result<Vec<PatternMatch>, StoreError>;

    /// Adds a relationship, or updates strength and description of the one
    /// with the same source, target and type.
    async fn link_patterns(
        &self,
        project: &Project,
        relationship: NewRelationship,
    ) -> Result<PatternRelationship, StoreError>;

    /// The seed's `get_related_patterns`: the targets of the pattern's
    /// relationships of these types, strongest first, then by type.
    async fn related_patterns(
        &self,
        project: &Project,
        id: PatternId,
        types: &[RelationshipType],
    ) -> Result<Vec<RelatedPattern>, StoreError>;

    /// Records one application and, in the same transaction, moves the
    /// pattern's metrics (`PatternMetrics::after`), `last_applied` and
    /// `applied_to_files`, and the audit's pattern, status (`Complete` on
    /// success, `Failed` on failure, recorded in its history) and notes (a
    /// line appended).
    async fn record_application(
        &self,
        project: &Project,
        application: NewApplication,
    ) -> Result<RecordedApplication, StoreError>;

    /// Every application, oldest first; of one pattern when given.
    async fn list_applications(
        &self,
        project: &Project,
        pattern: Option<PatternId>,
    ) -> Result<Vec<PatternApplication>, StoreError>;
}

/// Hits of one rule, per file, for insights.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleFileHits {
    pub rule_id: RuleId,
    pub file_path: String,
    pub hits: i64,
    pub last_hit_at: String,
}

/// Guardian rules and their hit statistics.
#[async_trait]
pub trait GuardianStore: Send + Sync {
    /// Adds a rule. A name taken in the layer is `Conflict`; an unknown
    /// source pattern `NotFound`.
    async fn add_rule(
        &self,
        project: &Project,
        rule: NewGuardianRule,
    ) -> Result<GuardianRule, StoreError>;

    async fn get_rule(&self, project: &Project, id: RuleId) -> Result<GuardianRule, StoreError>;

    /// Ordered by layer, then name.
    async fn list_rules(
        &self,
        project: &Project,
        filter: &RuleFilter,
    ) -> Result<Vec<GuardianRule>, StoreError>;

    /// Activates or deactivates a rule; `reason` is kept as the inactive
    /// reason (cleared on activation).
    async fn set_rule_active(
        &self,
        project: &Project,
        id: RuleId,
        active: bool,
        reason: Option<String>,
    ) -> Result<GuardianRule, StoreError>;

    /// Adds matches found by a check to the rules' statistics (hit count,
    /// files hit, last hit), in one transaction. Unknown rules are `NotFound`.
    async fn record_rule_hits(
        &self,
        project: &Project,
        hits: Vec<RuleHit>,
    ) -> Result<(), StoreError>;

    /// Recorded hits per rule and file, most hits first.
    async fn rule_file_hits(&self, project: &Project) -> Result<Vec<RuleFileHits>, StoreError>;
}

/// Convenience: the status an application's outcome gives its audit.
pub fn outcome_status(success: bool) -> AuditStatus {
    if success {
        AuditStatus::Complete
    } else {
        AuditStatus::Failed
    }
}
