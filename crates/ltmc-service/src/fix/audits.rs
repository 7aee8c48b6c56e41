//! File audits: create or update one, list with filters, and import many
//! from CSV or JSON, where a bad row is reported by its line and the good
//! rows are kept (all good rows in one transaction).
//!
//! Not here: storage (the store's `AuditStore`).

use crate::{Memory, ServiceError};
use ltmc_core::Project;
use ltmc_core::fix::{AuditStatus, FileAudit, NewFileAudit, parse_workflows};
use serde::Serialize;
use serde_json::Value;

/// The format of an import.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportFormat {
    Csv,
    Json,
}

impl ImportFormat {
    pub fn parse(value: &str) -> Result<Self, ServiceError> {
        match value.trim().to_ascii_lowercase().as_str() {
            "csv" => Ok(Self::Csv),
            "json" => Ok(Self::Json),
            other => Err(ServiceError::invalid(
                "format",
                format!("{other:?} is not an import format; use csv or json"),
            )),
        }
    }

    /// The format a file name says (`.csv`, `.json`), if any.
    pub fn from_file_name(name: &str) -> Option<Self> {
        match std::path::Path::new(name)
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase())
            .as_deref()
        {
            Some("csv") => Some(Self::Csv),
            Some("json") => Some(Self::Json),
            _ => None,
        }
    }
}

/// A row that could not be imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    /// 1-based line of the input where the row starts.
    pub line: usize,
    pub error: String,
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImportReport {
    pub rows: usize,
    pub created: usize,
    pub updated: usize,
    pub errors: Vec<RowError>,
    /// Columns the import does not know (ignored).
    pub ignored_columns: Vec<String>,
    pub audits: Vec<FileAudit>,
}

/// The columns an import reads; anything else is reported as ignored.
const COLUMNS: [&str; 7] = [
    "file_path",
    "layer_number",
    "layer",
    "workflows",
    "technical_debt",
    "status",
    "notes",
];
/// Columns that are known but set by ltmc, not by an import.
const SKIPPED: [&str; 6] = [
    "id",
    "pattern_id",
    "created_at",
    "updated_at",
    "work_started_at",
    "work_completed_at",
];

/// Creates or updates the audit of one file.
pub async fn upsert_audit(
    memory: &Memory,
    project: &Project,
    audit: NewFileAudit,
) -> Result<(FileAudit, bool), ServiceError> {
    let audit = audit.validated()?;
    Ok(memory.store().upsert_audit(project, audit).await?)
}

/// Parses and stores audits; bad rows are reported, good rows are stored
/// together in one transaction.
pub async fn import_audits(
    memory: &Memory,
    project: &Project,
    text: &str,
    format: ImportFormat,
) -> Result<ImportReport, ServiceError> {
    let parsed = match format {
        ImportFormat::Csv => parse_csv(text),
        ImportFormat::Json => parse_json(text)?,
    };
    let rows = parsed.good.len() + parsed.errors.len();
    let mut good = Vec::new();
    let mut errors = parsed.errors;
    for (line, audit) in parsed.good {
        match audit.validated() {
            Ok(a) => good.push((line, a)),
            Err(e) => errors.push(RowError {
                line,
                error: e.to_string(),
            }),
        }
    }
    // The same file twice: the later row wins, as a second upsert would.
    let stored = memory
        .store()
        .upsert_audits(project, good.into_iter().map(|(_, a)| a).collect())
        .await?;
    errors.sort_by_key(|e| e.line);
    let created = stored.iter().filter(|(_, c)| *c).count();
    Ok(ImportReport {
        rows,
        created,
        updated: stored.len() - created,
        errors,
        ignored_columns: parsed.ignored_columns,
        audits: stored.into_iter().map(|(a, _)| a).collect(),
    })
}

struct Parsed {
    good: Vec<(usize, NewFileAudit)>,
    errors: Vec<RowError>,
    ignored_columns: Vec<String>,
}

fn note_ignored(ignored: &mut Vec<String>, column: &str) {
    let c = column.trim();
    if !c.is_empty()
        && !COLUMNS.contains(&c)
        && !SKIPPED.contains(&c)
        && !ignored.iter().any(|i| i == c)
    {
        ignored.push(c.to_owned());
    }
}

/// One row from its named cells.
fn audit_from_cells(get: &dyn Fn(&str) -> Option<String>) -> Result<NewFileAudit, String> {
    let file_path = get("file_path").ok_or("file_path is missing; give the file's path")?;
    let layer_text = get("layer_number")
        .or_else(|| get("layer"))
        .ok_or("layer_number is missing; give the layer (1-7)")?;
    let layer_number: i64 = layer_text
        .trim()
        .trim_start_matches(['L', 'l'])
        .parse()
        .map_err(|_| format!("layer_number {layer_text:?} is not a number from 1 to 7"))?;
    let status = match get("status") {
        Some(s) => AuditStatus::parse("status", &s).map_err(|e| e.to_string())?,
        None => AuditStatus::NotStarted,
    };
    Ok(NewFileAudit {
        file_path,
        layer_number,
        workflows: get("workflows")
            .map(|w| parse_workflows(&w))
            .unwrap_or_default(),
        technical_debt: get("technical_debt"),
        status,
        notes: get("notes"),
    })
}

fn parse_csv(text: &str) -> Parsed {
    let mut parsed = Parsed {
        good: Vec::new(),
        errors: Vec::new(),
        ignored_columns: Vec::new(),
    };
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|c| c.trim().to_ascii_lowercase()).collect(),
        Err(e) => {
            parsed.errors.push(RowError {
                line: 1,
                error: format!("the header row cannot be read: {e}"),
            });
            return parsed;
        }
    };
    for h in &headers {
        note_ignored(&mut parsed.ignored_columns, h);
    }
    for record in reader.records() {
        match record {
            Ok(record) => {
                let line = record
                    .position()
                    .and_then(|p| usize::try_from(p.line()).ok())
                    .unwrap_or(0);
                let get = |name: &str| {
                    headers
                        .iter()
                        .position(|h| h == name)
                        .and_then(|i| record.get(i))
                        .map(str::trim)
                        .filter(|v| !v.is_empty())
                        .map(str::to_owned)
                };
                match audit_from_cells(&get) {
                    Ok(a) => parsed.good.push((line, a)),
                    Err(error) => parsed.errors.push(RowError { line, error }),
                }
            }
            Err(e) => {
                let line = e
                    .position()
                    .and_then(|p| usize::try_from(p.line()).ok())
                    .unwrap_or(0);
                parsed.errors.push(RowError {
                    line,
                    error: format!("the row cannot be read as CSV: {e}"),
                });
            }
        }
    }
    parsed
}

fn cell(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(s) => Some(s.trim().to_owned()).filter(|s| !s.is_empty()),
        Value::Array(items) => Some(items.iter().filter_map(cell).collect::<Vec<_>>().join(","))
            .filter(|s| !s.is_empty()),
        other => Some(other.to_string()),
    }
}

fn parse_json(text: &str) -> Result<Parsed, ServiceError> {
    // Rows are kept as raw slices of the input so each error can name its line.
    let rows: Vec<&serde_json::value::RawValue> = match serde_json::from_str(text) {
        Ok(rows) => rows,
        Err(array_err) => {
            #[derive(serde::Deserialize)]
            struct Wrapped<'a> {
                #[serde(borrow)]
                audits: Vec<&'a serde_json::value::RawValue>,
            }
            serde_json::from_str::<Wrapped>(text)
                .map(|w| w.audits)
                .map_err(|_| {
                    ServiceError::invalid(
                        "content",
                        format!(
                            "is not a JSON array of audits (or an object with an \"audits\" array): {array_err}"
                        ),
                    )
                })?
        }
    };
    let mut parsed = Parsed {
        good: Vec::new(),
        errors: Vec::new(),
        ignored_columns: Vec::new(),
    };
    for raw in rows {
        let offset = (raw.get().as_ptr() as usize).saturating_sub(text.as_ptr() as usize);
        let line = text.get(..offset).map_or(0, |t| t.matches('\n').count()) + 1;
        let object = match serde_json::from_str::<Value>(raw.get()) {
            Ok(Value::Object(o)) => o,
            Ok(other) => {
                parsed.errors.push(RowError {
                    line,
                    error: format!("a row must be a JSON object, got {other}"),
                });
                continue;
            }
            Err(e) => {
                parsed.errors.push(RowError {
                    line,
                    error: e.to_string(),
                });
                continue;
            }
        };
        for k in object.keys() {
            note_ignored(&mut parsed.ignored_columns, k);
        }
        let get = |name: &str| object.get(name).and_then(cell);
        match audit_from_cells(&get) {
            Ok(a) => parsed.good.push((line, a)),
            Err(error) => parsed.errors.push(RowError { line, error }),
        }
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_rows_report_their_lines() {
        let text = "file_path,layer_number,workflows,technical_debt,status,owner\n\
                    src/a.py,4,\"WF1,WF2\",raw SQL,In Progress,ann\n\
                    src/b.py,nine,,debt,,bob\n\
                    ,3,,,,\n\
                    src/c.py,L2,WF3,,done,\n";
        let p = parse_csv(text);
        assert_eq!(p.good.len(), 2);
        assert_eq!(p.good[0].0, 2);
        assert_eq!(p.good[0].1.workflows, vec!["WF1", "WF2"]);
        assert_eq!(p.good[0].1.status, AuditStatus::InProgress);
        assert_eq!(p.good[1].1.layer_number, 2);
        assert_eq!(p.good[1].1.status, AuditStatus::Complete);
        let lines: Vec<usize> = p.errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![3, 4], "{:?}", p.errors);
        assert!(p.errors[0].error.contains("layer_number"));
        assert!(p.errors[1].error.contains("file_path"));
        assert_eq!(p.ignored_columns, vec!["owner"]);
    }

    #[test]
    fn json_rows_report_their_lines() {
        let text = "[\n  {\"file_path\": \"a.py\", \"layer_number\": 4, \"workflows\": [\"WF1\"]},\n  {\"file_path\": \"b.py\"},\n  7\n]";
        let p = parse_json(text).unwrap();
        assert_eq!(p.good.len(), 1);
        assert_eq!(p.good[0].1.workflows, vec!["WF1"]);
        assert_eq!(
            p.errors.iter().map(|e| e.line).collect::<Vec<_>>(),
            vec![3, 4]
        );
        assert!(parse_json("{\"x\": 1}").is_err());
        let wrapped =
            parse_json("{\"audits\": [{\"file_path\": \"a\", \"layer\": \"3\"}]}").unwrap();
        assert_eq!(wrapped.good[0].1.layer_number, 3);
    }
}
