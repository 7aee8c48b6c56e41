//! Citations to code as the tools take and answer them (issue 22): the
//! [`CitationArg`] that `store_memory`, `log_chat`, `log_code_attempt` and
//! `extract_pattern` accept, and the
//! check of a stored memory's citations against the files now ([`Checked`]),
//! which the retrieval tools report per item and rank by: an item whose
//! cited code changed or is gone comes after the others, saying why.
//!
//! Not here: hashing and finding moved spans (`ltmc_core::citation`),
//! resolving paths under the project root (`ltmc_service::citations`).

use crate::Tools;
use crate::error::ToolError;
use ltmc_core::ResourceId;
use ltmc_core::citation::{CheckedCitation, Citation, CitationStatus};
use ltmc_service::citations::{self, CitationRequest};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A span of a file the memory cites.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
pub struct CitationArg {
    /// Relative to the project root.
    pub path: String,
    /// 1-based, inclusive.
    #[schemars(range(min = 1))]
    pub start_line: usize,
    /// 1-based, inclusive.
    #[schemars(range(min = 1))]
    pub end_line: usize,
}

/// The citations to store for `args`: each span read under the project root,
/// hashed, with the commit; a span outside the root or past a file's end is
/// refused, naming it.
pub(crate) fn make(tools: &Tools, args: &[CitationArg]) -> Result<Vec<Citation>, ToolError> {
    let requests: Vec<CitationRequest> = args
        .iter()
        .map(|c| CitationRequest {
            path: c.path.clone(),
            start_line: c.start_line,
            end_line: c.end_line,
        })
        .collect();
    Ok(citations::make(tools.project_root(), &requests)?)
}

/// A memory's citations checked against the files now, as the answers
/// carry them (flattened: `citations?`, `citation_status?`, `ranked_down?`).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Checked {
    /// The citations to code, checked against the files now.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub citations: Vec<CheckedCitation>,
    /// The worst status (verified, moved, changed or missing), when it cites anything.
    #[serde(rename = "citation_status", skip_serializing_if = "Option::is_none")]
    pub status: Option<CitationStatus>,
    /// Why it ranks below the items whose code still holds (changed or missing code).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ranked_down: Option<String>,
}

impl Checked {
    pub(crate) fn is_stale(&self) -> bool {
        self.ranked_down.is_some()
    }
}

/// Checks the citations kept in resource `id`'s metadata.
pub(crate) async fn check_resource(tools: &Tools, id: ResourceId) -> Result<Checked, ToolError> {
    let resource = tools
        .memory
        .store()
        .get_resource(&tools.project, id)
        .await?;
    Ok(check_metadata(tools, &resource.metadata))
}

/// Checks the citations kept in a record's metadata (a resource's or a chat
/// message's) against the files now.
pub(crate) fn check_metadata(tools: &Tools, metadata: &serde_json::Value) -> Checked {
    let cited = citations::of_metadata(metadata);
    if cited.is_empty() {
        return Checked::default();
    }
    let checked = citations::check_all(tools.project_root(), &cited);
    let status = CitationStatus::worst(checked.iter().map(|c| c.status));
    let ranked_down = citations::stale_reason(&checked);
    Checked {
        citations: checked,
        status,
        ranked_down,
    }
}
