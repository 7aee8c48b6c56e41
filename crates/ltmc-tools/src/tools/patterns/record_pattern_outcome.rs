//! The `record_pattern_outcome` tool (patterns group): its arguments, description and run.
//!
//! Not here: the use cases it calls (ltmc-service) or the JSON boundary (`crate::registry`).

use crate::error::ToolError;
use crate::{Tool, ToolGroup, Tools};
use ltmc_core::fix::{FileAudit, NewApplication};
use ltmc_core::{ApplicationId, AuditId, PatternId};
use ltmc_service::fix::patterns::record_outcome;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize, Serialize, JsonSchema)]
pub struct RecordOutcomeArgs {
    /// The pattern that was applied.
    pub pattern_id: i64,
    /// Whether the fix worked.
    pub success: bool,
    /// The audited file it was applied to (its status and notes are updated).
    pub file_audit_id: Option<i64>,
    /// The file, when it has no audit.
    pub file_path: Option<String>,
    /// Minutes the fix took.
    pub time_taken: Option<i64>,
    /// Minutes the pattern saved.
    pub time_saved: Option<i64>,
    /// What happened.
    pub notes: Option<String>,
}

/// The recorded application and the pattern's new metrics.
#[derive(Debug, Clone, Serialize)]
pub struct RecordPatternOutcomeOutput {
    pub application_id: ApplicationId,
    pub pattern_id: PatternId,
    pub applied_count: i64,
    pub success_rate: f64,
    /// Minutes saved per application, on average.
    pub avg_time_saved: i64,
    pub last_applied: Option<String>,
    /// The audits the pattern was applied to.
    pub applied_to_files: Vec<AuditId>,
    /// The file audit with its new status and notes (null without one).
    pub file_audit: Option<FileAudit>,
    pub message: String,
}

/// `record_pattern_outcome`.
pub struct RecordPatternOutcome;

impl Tool for RecordPatternOutcome {
    const NAME: &'static str = "record_pattern_outcome";
    const DESCRIPTION: &'static str = "Record that a pattern was applied, and whether it worked: updates applied_count, success_rate, avg_time_saved, last_applied, applied_to_files, and the file audit's status (Complete or Failed) and notes.";
    const GROUP: ToolGroup = ToolGroup::Patterns;
    const WRITES: bool = true;
    type Args = RecordOutcomeArgs;
    type Output = RecordPatternOutcomeOutput;

    async fn run(tools: &Tools, a: Self::Args) -> Result<RecordPatternOutcomeOutput, ToolError> {
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
        let message = format!(
            "pattern {} applied {} time(s), success rate {:.0}%{}",
            p.id,
            p.applied_count,
            p.success_rate * 100.0,
            recorded
                .audit
                .as_ref()
                .map(|a: &FileAudit| format!("; audit {} is {}", a.id, a.status.as_str()))
                .unwrap_or_default()
        );
        Ok(RecordPatternOutcomeOutput {
            application_id: recorded.application.id,
            pattern_id: p.id,
            applied_count: p.applied_count,
            success_rate: p.success_rate,
            avg_time_saved: p.avg_time_saved,
            last_applied: p.last_applied.clone(),
            applied_to_files: p.applied_to_files.clone(),
            file_audit: recorded.audit,
            message,
        })
    }
}
