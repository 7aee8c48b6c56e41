//! The storage operations of the review queue (issue 17 item 4), which the
//! dashboard, MCP and the CLI call: a page of the queue in a chosen order,
//! accepting a pattern with edits (its text replaced and its three vectors
//! re-embedded by the caller), and merging two patterns into one. Rejecting
//! is [`crate::MiningStore::reject_pattern`] (it leaves a tombstone).
//!
//! What a merge does to the kept pattern's fields is decided here once, by
//! [`merged_fields`], so that both backends write the same thing; each
//! backend only moves rows and writes the result in one transaction.
//!
//! Not here: embedding, applying a caller's edits to a pattern (the
//! service), SQL.

use crate::StoreError;
use async_trait::async_trait;
use ltmc_core::fix::{FixPattern, NewFixPattern, PatternEmbeddings};
use ltmc_core::{CoreError, PatternId, Project};

/// Where a pattern came from, as the review queue shows and filters it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PatternOrigin {
    /// Mined from a repository's git history (`ltmc patterns mine`).
    Mined,
    /// Extracted from a file audit (it has a `source_file_audit_id`).
    Audit,
    /// Written by an agent or a person, with no audit behind it.
    Manual,
}

impl PatternOrigin {
    pub const ALL: [Self; 3] = [Self::Mined, Self::Audit, Self::Manual];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Mined => "mined",
            Self::Audit => "audit",
            Self::Manual => "manual",
        }
    }

    /// Parses `mined`, `audit` or `manual` (any case); the error names `field`.
    pub fn parse(field: &'static str, text: &str) -> Result<Self, CoreError> {
        parse_name(field, text, &Self::ALL, Self::as_str, "an origin")
    }

    /// Its rank in the `source` order, as the backends' SQL computes it.
    pub fn rank(self) -> i64 {
        match self {
            Self::Mined => 0,
            Self::Audit => 1,
            Self::Manual => 2,
        }
    }

    /// The origin of a rank [`Self::rank`] gave (anything above is manual).
    pub fn from_rank(rank: i64) -> Self {
        match rank {
            0 => Self::Mined,
            1 => Self::Audit,
            _ => Self::Manual,
        }
    }
}

/// One of `all` by its name (any case, trimmed); the error names `field`
/// and lists the names.
fn parse_name<T: Copy>(
    field: &'static str,
    text: &str,
    all: &[T],
    name: fn(T) -> &'static str,
    what: &str,
) -> Result<T, CoreError> {
    let text = text.trim();
    all.iter()
        .copied()
        .find(|x| name(*x).eq_ignore_ascii_case(text))
        .ok_or_else(|| {
            let names: Vec<&str> = all.iter().map(|x| name(*x)).collect();
            let (last, rest) = names.split_last().unwrap_or((&"", &[]));
            CoreError::invalid(
                field,
                format!("{text:?} is not {what}; give {} or {last}", rest.join(", ")),
            )
        })
}

/// The order of a page of the review queue. Ties go newest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum QueueOrder {
    /// Newest first (by id).
    #[default]
    Newest,
    /// Highest stored confidence first.
    Confidence,
    /// By origin (mined, audit, manual), mined ones by repository.
    Source,
}

impl QueueOrder {
    pub const ALL: [Self; 3] = [Self::Newest, Self::Confidence, Self::Source];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Newest => "newest",
            Self::Confidence => "confidence",
            Self::Source => "source",
        }
    }

    /// Parses `newest`, `confidence` or `source` (any case); the error names `field`.
    pub fn parse(field: &'static str, text: &str) -> Result<Self, CoreError> {
        parse_name(field, text, &Self::ALL, Self::as_str, "an order")
    }
}

/// Which page of the queue to read.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueQuery {
    /// `Some(false)`: the drafts waiting for review (the queue proper);
    /// `Some(true)`: the reviewed patterns; `None`: both.
    pub reviewed: Option<bool>,
    pub origin: Option<PatternOrigin>,
    pub order: QueueOrder,
    pub offset: usize,
    /// 1 to [`MAX_PAGE`].
    pub limit: usize,
}

/// The largest page [`ReviewStore::review_queue`] returns.
pub const MAX_PAGE: usize = 500;

impl Default for QueueQuery {
    fn default() -> Self {
        Self {
            reviewed: Some(false),
            origin: None,
            order: QueueOrder::Newest,
            offset: 0,
            limit: 50,
        }
    }
}

impl QueueQuery {
    /// Checks the page bounds (naming the field).
    pub fn checked(&self) -> Result<(), StoreError> {
        if self.limit == 0 || self.limit > MAX_PAGE {
            return Err(crate::validate::invalid(
                "limit",
                format!("is {}; give 1 to {MAX_PAGE}", self.limit),
            ));
        }
        if i64::try_from(self.offset).is_err() {
            return Err(crate::validate::invalid("offset", "is too large"));
        }
        Ok(())
    }
}

/// Where a mined pattern came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MinedSource {
    pub repo_id: String,
    pub fold_key: String,
    /// Full commit ids, newest first.
    pub commits: Vec<String>,
}

/// One entry of the queue.
#[derive(Debug, Clone, PartialEq)]
pub struct QueuedPattern {
    pub pattern: FixPattern,
    pub origin: PatternOrigin,
    /// Set when `origin` is `Mined`.
    pub source: Option<MinedSource>,
}

/// A page of the queue and the number of patterns the query matches.
#[derive(Debug, Clone, PartialEq)]
pub struct QueuePage {
    pub items: Vec<QueuedPattern>,
    pub total: u64,
}

/// The review decision written with an update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewMark {
    pub reviewed: bool,
    /// Replaces the notes when given; kept otherwise.
    pub notes: Option<String>,
}

/// What [`ReviewStore::merge_patterns`] did.
#[derive(Debug, Clone, PartialEq)]
pub struct MergedPatterns {
    /// The kept pattern, as it is now.
    pub pattern: FixPattern,
    /// The pattern merged away (deleted).
    pub removed: PatternId,
    pub relationships_moved: u64,
    pub applications_moved: u64,
    pub rules_moved: u64,
    pub audits_moved: u64,
    /// Commits of the removed pattern's mined source added to the kept one's.
    pub commits_moved: u64,
}

/// The review queue's operations, per project; each is one transaction.
#[async_trait]
pub trait ReviewStore: Send + Sync {
    /// A page of patterns in `query.order`, with their origin and mined
    /// source, and how many match in all. A bad page is `Invalid`.
    async fn review_queue(
        &self,
        project: &Project,
        query: &QueueQuery,
    ) -> Result<QueuePage, StoreError>;

    /// Replaces the pattern's own text and classification (title, types,
    /// severity, tags, layers, workflows, file types, description, steps,
    /// code, verification, learnings, prevention, anti-patterns, related
    /// files) with those of `pattern` (validated here), its three vectors
    /// with `embeddings` when given (kept otherwise), and, when given, its
    /// review state. Metrics,
    /// applications, relationships, rules, `created_*` and the source audit
    /// are kept. Unknown id: `NotFound`; wrong dimension: `WrongDimension`;
    /// nothing written then.
    async fn update_pattern(
        &self,
        project: &Project,
        id: PatternId,
        pattern: NewFixPattern,
        embeddings: Option<PatternEmbeddings>,
        review: Option<ReviewMark>,
    ) -> Result<FixPattern, StoreError>;

    /// Merges `from` into `into` and deletes `from`: its relationships (both
    /// directions, except those between the two; a duplicate keeps the
    /// stronger), applications, guardian rules, audits and mined commits move
    /// to `into`, whose fields become [`merged_fields`]. A mined `from` whose
    /// source cannot move (because `into` is mined too) leaves a tombstone of
    /// its key, so mining does not bring it back. Both must exist
    /// (`NotFound`) and differ (`Invalid`, field `from_pattern_id`).
    async fn merge_patterns(
        &self,
        project: &Project,
        into: PatternId,
        from: PatternId,
        notes: Option<String>,
    ) -> Result<MergedPatterns, StoreError>;
}

/// The fields of the kept pattern after merging `from` into `into`: lists
/// unioned (into's first), applications counted together, success rate,
/// time saved and confidence weighted by applications (plain mean of
/// confidence when neither was applied), the later `last_applied`, reviewed
/// if either was, and a line in the notes naming what was merged.
pub fn merged_fields(into: &FixPattern, from: &FixPattern, notes: Option<&str>) -> FixPattern {
    let applied = into.applied_count.saturating_add(from.applied_count);
    #[allow(clippy::cast_precision_loss)] // counts far below 2^52
    let weighted = |a: f64, b: f64| {
        if applied == 0 {
            f64::midpoint(a, b)
        } else {
            (a * into.applied_count as f64 + b * from.applied_count as f64) / applied as f64
        }
    };
    let time_saved = if applied == 0 {
        into.avg_time_saved.max(from.avg_time_saved)
    } else {
        #[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)]
        let t = weighted(into.avg_time_saved as f64, from.avg_time_saved as f64).round() as i64;
        t
    };
    let success_rate = if applied == 0 {
        into.success_rate
    } else {
        weighted(into.success_rate, from.success_rate)
    };
    let mut line = format!("merged pattern {} ({})", from.id, from.title);
    if let Some(n) = notes.map(str::trim).filter(|n| !n.is_empty()) {
        line.push_str(": ");
        line.push_str(n);
    }
    let reviewer_notes = Some(match into.reviewer_notes.as_deref() {
        Some(old) if !old.trim().is_empty() => format!("{old}\n{line}"),
        _ => line,
    });
    FixPattern {
        tags: union(&into.tags, &from.tags),
        layers: union(&into.layers, &from.layers),
        workflows: union(&into.workflows, &from.workflows),
        file_types: union(&into.file_types, &from.file_types),
        applied_to_files: union(&into.applied_to_files, &from.applied_to_files),
        dart_task_ids: union(&into.dart_task_ids, &from.dart_task_ids),
        related_files: union(&into.related_files, &from.related_files),
        anti_patterns: union(&into.anti_patterns, &from.anti_patterns),
        citations: union(&into.citations, &from.citations),
        applied_count: applied,
        success_rate: success_rate.clamp(0.0, 1.0),
        avg_time_saved: time_saved.max(0),
        confidence_score: weighted(into.confidence_score, from.confidence_score).clamp(0.0, 1.0),
        last_applied: into.last_applied.clone().max(from.last_applied.clone()),
        reviewed: into.reviewed || from.reviewed,
        reviewer_notes,
        ..into.clone()
    }
}

/// `a`, then each item of `b` not in it, in order.
fn union<T: Clone + PartialEq>(a: &[T], b: &[T]) -> Vec<T> {
    let mut out = a.to_vec();
    for x in b {
        if !out.contains(x) {
            out.push(x.clone());
        }
    }
    out
}

/// The kept source's commits followed by those of the merged one it lacks,
/// and how many were added.
pub fn merged_commits(kept: &[String], gone: &[String]) -> (Vec<String>, u64) {
    let commits = union(kept, gone);
    let added = (commits.len() - kept.len()) as u64;
    (commits, added)
}

/// Checks the two ids of a merge before a backend reads anything.
pub fn check_merge(into: PatternId, from: PatternId) -> Result<(), StoreError> {
    if into == from {
        return Err(crate::validate::invalid(
            "from_pattern_id",
            "is the pattern merged into; give two different patterns",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ltmc_core::fix::{ProblemType, Severity};

    fn pattern(id: i64, applied: i64, success: f64, confidence: f64) -> FixPattern {
        FixPattern {
            id: PatternId(id),
            title: format!("p{id}"),
            problem_type: ProblemType::Security,
            code_type: None,
            severity: Severity::High,
            tags: vec!["a".into(), format!("t{id}")],
            layers: vec![id],
            workflows: vec![],
            file_types: vec![".py".into()],
            problem_description: "d".into(),
            solution_steps: "s".into(),
            code_before: None,
            code_after: None,
            verification_steps: None,
            learnings: None,
            prevention_guidance: None,
            related_patterns: vec![],
            source_file_audit_id: None,
            applied_to_files: vec![],
            dart_task_ids: vec![],
            related_files: vec![],
            applied_count: applied,
            success_rate: success,
            avg_time_saved: 10 * id,
            confidence_score: confidence,
            last_applied: Some(format!("2026-0{id}-01T00:00:00Z")),
            guardian_rules: vec![],
            anti_patterns: vec![],
            created_at: String::new(),
            updated_at: String::new(),
            created_by: None,
            reviewed: id == 2,
            reviewer_notes: None,
            citations: Vec::new(),
        }
    }

    #[test]
    fn merge_weights_by_applications_and_unions_lists() {
        let m = merged_fields(
            &pattern(1, 3, 1.0, 0.9),
            &pattern(2, 1, 0.0, 0.5),
            Some("same"),
        );
        assert_eq!(m.id, PatternId(1));
        assert_eq!(m.applied_count, 4);
        assert!((m.success_rate - 0.75).abs() < 1e-9);
        assert!((m.confidence_score - 0.8).abs() < 1e-9);
        assert_eq!(m.avg_time_saved, 13); // (10*3 + 20*1) / 4 = 12.5, rounded
        assert_eq!(m.tags, ["a", "t1", "t2"]);
        assert_eq!(m.layers, [1, 2]);
        assert_eq!(m.file_types, [".py"]);
        assert_eq!(m.last_applied.as_deref(), Some("2026-02-01T00:00:00Z"));
        assert!(m.reviewed);
        assert_eq!(
            m.reviewer_notes.as_deref(),
            Some("merged pattern 2 (p2): same")
        );
    }

    #[test]
    fn merge_of_unapplied_patterns_keeps_success_and_means_confidence() {
        let m = merged_fields(&pattern(1, 0, 0.9, 1.0), &pattern(3, 0, 0.1, 0.5), None);
        assert_eq!(m.applied_count, 0);
        assert!((m.success_rate - 0.9).abs() < 1e-9);
        assert!((m.confidence_score - 0.75).abs() < 1e-9);
        assert_eq!(m.avg_time_saved, 30);
        assert!(!m.reviewed);
    }

    #[test]
    fn bad_queries_name_the_field() {
        let q = QueueQuery {
            limit: 0,
            ..QueueQuery::default()
        };
        assert!(q.checked().unwrap_err().to_string().contains("limit"));
        assert!(check_merge(PatternId(1), PatternId(1)).is_err());
        assert_eq!(
            QueueOrder::parse("order", " Confidence ").unwrap(),
            QueueOrder::Confidence
        );
        let e = PatternOrigin::parse("origin", "git")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("origin") && e.contains("mined, audit or manual"),
            "{e}"
        );
    }
}
