//! The `import_file_audits` tool (patterns group): its arguments, description and run.
//!
//! Not here: the use cases it calls (ltmc-service) or the JSON boundary (`crate::registry`).

use crate::error::ToolError;
use crate::{Tool, ToolGroup, Tools};
use ltmc_core::AuditId;
use ltmc_service::fix::audits::{ImportFormat, RowError, import_audits};
use ltmc_service::fix::guardian::confine;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize, Serialize, JsonSchema)]
pub struct ImportFileAuditsArgs {
    /// The audits as CSV (a header row: file_path, layer_number, workflows, technical_debt, status, notes) or JSON (an array of objects with those fields).
    pub content: Option<String>,
    /// Or a CSV/JSON file to read, inside the project root.
    pub file_path: Option<String>,
    /// csv or json; guessed from the file name or the content when left out.
    pub format: Option<String>,
}

/// What the import did, row by row.
#[derive(Debug, Clone, Serialize)]
pub struct ImportFileAuditsOutput {
    /// Rows read.
    pub rows: usize,
    /// Rows created or updated.
    pub imported: usize,
    pub created: usize,
    pub updated: usize,
    /// The rows refused, by line.
    pub errors: Vec<RowError>,
    /// Columns the import does not know (ignored).
    pub ignored_columns: Vec<String>,
    /// The audits created or updated.
    pub file_audit_ids: Vec<AuditId>,
    pub message: String,
}

/// `import_file_audits`.
pub struct ImportFileAudits;

impl Tool for ImportFileAudits {
    const NAME: &'static str = "import_file_audits";
    const DESCRIPTION: &'static str = "Import file audits from CSV or JSON (content, or a file inside the project root). Bad rows are reported by line; good rows are kept. Returns rows, imported, created, updated, errors [{line, error}], file_audit_ids.";
    const GROUP: ToolGroup = ToolGroup::Patterns;
    const WRITES: bool = true;
    type Args = ImportFileAuditsArgs;
    type Output = ImportFileAuditsOutput;

    async fn run(tools: &Tools, a: Self::Args) -> Result<ImportFileAuditsOutput, ToolError> {
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
        Ok(ImportFileAuditsOutput {
            imported,
            message: format!(
                "{imported} of {} rows imported ({} created, {} updated), {} refused",
                report.rows,
                report.created,
                report.updated,
                report.errors.len()
            ),
            rows: report.rows,
            created: report.created,
            updated: report.updated,
            file_audit_ids: report.audits.iter().map(|a| a.id).collect(),
            errors: report.errors,
            ignored_columns: report.ignored_columns,
        })
    }
}
