//! The `list_file_audits` tool (patterns group): its arguments, description and run.
//!
//! Not here: the use cases it calls (ltmc-service) or the JSON boundary (`crate::registry`).

use crate::error::ToolError;
use crate::shared::fix::err;
use crate::{Tool, ToolGroup, Tools};
use ltmc_core::fix::{AuditFilter, AuditStatus, FileAudit};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize, Serialize, JsonSchema)]
pub struct ListFileAuditsArgs {
    /// Only audits of this layer (1-7).
    pub layer: Option<i64>,
    /// Only audits serving this workflow, e.g. "WF3".
    pub workflow: Option<String>,
    /// Only audits with this status.
    pub status: Option<String>,
    /// true: only audits with technical debt; false: only clean files.
    pub has_debt: Option<bool>,
    /// At most this many.
    #[serde(default = "crate::args::defaults::hundred")]
    #[schemars(range(min = 1, max = 100_000))]
    pub limit: usize,
}

/// The audits, by layer then path.
#[derive(Debug, Clone, Serialize)]
pub struct ListFileAuditsOutput {
    pub audits: Vec<FileAudit>,
    /// How many.
    pub count: usize,
}

/// `list_file_audits`.
pub struct ListFileAudits;

impl Tool for ListFileAudits {
    const NAME: &'static str = "list_file_audits";
    const DESCRIPTION: &'static str = "List file audits by layer, then path; filter by layer, workflow, status, has_debt. Returns audits, count.";
    const GROUP: ToolGroup = ToolGroup::Patterns;
    const WRITES: bool = false;
    type Args = ListFileAuditsArgs;
    type Output = ListFileAuditsOutput;

    async fn run(tools: &Tools, a: Self::Args) -> Result<ListFileAuditsOutput, ToolError> {
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
        Ok(ListFileAuditsOutput {
            count: audits.len(),
            audits,
        })
    }
}
