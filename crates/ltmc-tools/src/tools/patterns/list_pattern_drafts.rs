//! The `list_pattern_drafts` tool (patterns group): a page of the review
//! queue in a chosen order, with each pattern's origin and mined source.
//!
//! Not here: the page's query (`ltmc_store::ReviewStore::review_queue`) or
//! the JSON boundary (`crate::registry`).

use super::list_patterns::PatternSummary;
use crate::error::ToolError;
use crate::shared::fix::err;
use crate::{Tool, ToolGroup, Tools};
use ltmc_store::{PatternOrigin, QueueOrder, QueueQuery};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize, Serialize, JsonSchema)]
pub struct ListPatternDraftsArgs {
    /// newest (default), confidence (highest stored confidence first) or source (mined first, by repository; then from audits; then written by hand).
    pub order: Option<String>,
    /// Only drafts of this origin: mined, audit or manual.
    pub origin: Option<String>,
    /// false (default): drafts waiting for review; true: reviewed patterns; leave out with `all: true` for both.
    #[serde(default)]
    pub reviewed: bool,
    /// Both reviewed and unreviewed patterns (overrides `reviewed`).
    #[serde(default)]
    pub all: bool,
    /// Skip this many (paging).
    #[serde(default)]
    pub offset: usize,
    /// At most this many (1-500).
    #[serde(default = "crate::args::defaults::fifty")]
    #[schemars(range(min = 1, max = 500))]
    pub limit: usize,
}

/// Where a mined draft came from.
#[derive(Debug, Clone, Serialize)]
pub struct DraftSource {
    /// The repository's root commit id.
    pub repo_id: String,
    /// The folding key (equal keys are the same change).
    pub fold_key: String,
    /// Full commit ids, newest first.
    pub commits: Vec<String>,
}

/// One entry of the queue.
#[derive(Debug, Clone, Serialize)]
pub struct QueueEntry {
    #[serde(flatten)]
    pub pattern: PatternSummary,
    pub confidence_score: f64,
    /// mined, audit or manual.
    pub origin: &'static str,
    pub created_by: Option<String>,
    /// Set for mined drafts.
    pub source: Option<DraftSource>,
}

/// A page of the queue.
#[derive(Debug, Clone, Serialize)]
pub struct ListPatternDraftsOutput {
    pub items: Vec<QueueEntry>,
    /// How many match in all.
    pub total: u64,
    pub offset: usize,
    pub limit: usize,
    pub order: &'static str,
    /// Rejected drafts remembered (mining will not bring them back).
    pub tombstones: usize,
}

/// `list_pattern_drafts`.
pub struct ListPatternDrafts;

impl Tool for ListPatternDrafts {
    const NAME: &'static str = "list_pattern_drafts";
    const DESCRIPTION: &'static str = "The review queue, one page at a time: unreviewed fix patterns (drafts) ordered newest first, by confidence, or by source (mined from git, from audits, by hand), filtered by origin, with each mined draft's repository and commits. Returns items, total, offset, limit, order.";
    const GROUP: ToolGroup = ToolGroup::Patterns;
    const WRITES: bool = false;
    type Args = ListPatternDraftsArgs;
    type Output = ListPatternDraftsOutput;

    async fn run(tools: &Tools, a: Self::Args) -> Result<ListPatternDraftsOutput, ToolError> {
        let order = a
            .order
            .as_deref()
            .map(|o| QueueOrder::parse("order", o))
            .transpose()
            .map_err(err)?
            .unwrap_or_default();
        let origin = a
            .origin
            .as_deref()
            .map(|o| PatternOrigin::parse("origin", o))
            .transpose()
            .map_err(err)?;
        let page = tools
            .memory
            .store()
            .review_queue(
                &tools.project,
                &QueueQuery {
                    reviewed: (!a.all).then_some(a.reviewed),
                    origin,
                    order,
                    offset: a.offset,
                    limit: a.limit,
                },
            )
            .await?;
        let tombstones = tools.memory.store().tombstones(&tools.project).await?.len();
        Ok(ListPatternDraftsOutput {
            tombstones,
            items: page
                .items
                .iter()
                .map(|q| QueueEntry {
                    pattern: PatternSummary::from(&q.pattern),
                    confidence_score: q.pattern.confidence_score,
                    origin: q.origin.as_str(),
                    created_by: q.pattern.created_by.clone(),
                    source: q.source.as_ref().map(|s| DraftSource {
                        repo_id: s.repo_id.clone(),
                        fold_key: s.fold_key.clone(),
                        commits: s.commits.clone(),
                    }),
                })
                .collect(),
            total: page.total,
            offset: a.offset,
            limit: a.limit,
            order: order.as_str(),
        })
    }
}
