//! The `upsert_file_audit` tool (patterns group): its arguments, description and run.
//!
//! Not here: the use cases it calls (ltmc-service) or the JSON boundary (`crate::registry`).

use crate::error::ToolError;
use crate::shapes::TextList;
use crate::shared::fix::{err, workflows};
use crate::{Tool, ToolGroup, Tools};
use ltmc_core::AuditId;
use ltmc_core::fix::{AuditStatus, FileAudit, NewFileAudit};
use ltmc_service::fix::audits::upsert_audit;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize, Serialize, JsonSchema)]
pub struct UpsertFileAuditArgs {
    /// The file's path relative to the project root; an audit per path (an existing one is updated).
    pub file_path: String,
    /// Architecture layer 1-7 (1 Models & ENUMs, 2 Schemas, 3 Routers, 4 Services, 5 Configuration, 6 UI, 7 Testing).
    pub layer_number: i64,
    /// Workflows the file serves: `"WF1,WF4"` (the seed's text column) or `["WF1", "WF4"]`.
    pub workflows: Option<TextList>,
    /// The technical debt found in the file; leave out for a clean file.
    pub technical_debt: Option<String>,
    /// Not Started, In Progress, Complete or Failed (default Not Started).
    pub status: Option<String>,
    /// Implementation notes.
    pub notes: Option<String>,
}

/// The audit as stored, and whether it is new.
#[derive(Debug, Clone, Serialize)]
pub struct UpsertFileAuditOutput {
    pub file_audit_id: AuditId,
    /// Created (true) or updated (false).
    pub created: bool,
    pub audit: FileAudit,
    pub message: String,
}

/// `upsert_file_audit`.
pub struct UpsertFileAudit;

impl Tool for UpsertFileAudit {
    const NAME: &'static str = "upsert_file_audit";
    const DESCRIPTION: &'static str = "Create or update the audit of one file (by file_path): its architecture layer (1-7), workflows, technical debt, status (Not Started, In Progress, Complete, Failed) and notes. Status changes are recorded with their time. Returns file_audit_id, created, audit.";
    const GROUP: ToolGroup = ToolGroup::Patterns;
    const WRITES: bool = true;
    type Args = UpsertFileAuditArgs;
    type Output = UpsertFileAuditOutput;

    async fn run(tools: &Tools, a: Self::Args) -> Result<UpsertFileAuditOutput, ToolError> {
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
        Ok(UpsertFileAuditOutput {
            file_audit_id: audit.id,
            created,
            message: format!(
                "audit {} of {} {}",
                audit.id,
                audit.file_path,
                if created { "created" } else { "updated" }
            ),
            audit,
        })
    }
}
