//! File audits (seed 000's `file_audit` table): one file of a layered code
//! base, its architecture layer, the workflows it serves, the technical debt
//! found in it and how far its remediation got.
//!
//! Values and validation only; storing them (and recording status changes)
//! is each backend's business, importing CSV/JSON is the service's.

use crate::{AuditId, CoreError, PatternId, present};
use serde::{Deserialize, Serialize};

/// The seed's architecture layers are numbered 1 to 7.
pub const LAYERS: std::ops::RangeInclusive<i64> = 1..=7;

/// How far the remediation of a file got.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AuditStatus {
    #[serde(rename = "Not Started")]
    NotStarted,
    #[serde(rename = "In Progress")]
    InProgress,
    #[serde(rename = "Complete")]
    Complete,
    #[serde(rename = "Failed")]
    Failed,
}

impl AuditStatus {
    pub const ALL: [Self; 4] = [
        Self::NotStarted,
        Self::InProgress,
        Self::Complete,
        Self::Failed,
    ];

    /// The seed's spelling: `Not Started`, `In Progress`, `Complete`, `Failed`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotStarted => "Not Started",
            Self::InProgress => "In Progress",
            Self::Complete => "Complete",
            Self::Failed => "Failed",
        }
    }

    /// Parses the seed's spelling in any case, with a space, `_` or `-`
    /// between the words, or none (`not_started`, `InProgress`), and
    /// `completed` for `Complete`.
    pub fn parse(field: &'static str, value: &str) -> Result<Self, CoreError> {
        let key: String = value
            .trim()
            .chars()
            .filter(|c| !matches!(c, ' ' | '_' | '-'))
            .flat_map(char::to_lowercase)
            .collect();
        match key.as_str() {
            "notstarted" | "todo" | "open" => Ok(Self::NotStarted),
            "inprogress" | "started" => Ok(Self::InProgress),
            "complete" | "completed" | "done" => Ok(Self::Complete),
            "failed" | "fail" => Ok(Self::Failed),
            _ => Err(CoreError::invalid(
                field,
                format!(
                    "{value:?} is not an audit status; use \"Not Started\", \"In Progress\", \"Complete\" or \"Failed\""
                ),
            )),
        }
    }
}

/// Splits the seed's comma-separated workflow string (`"WF3,WF5"`) into
/// trimmed, non-empty names, keeping their order and dropping repeats.
pub fn parse_workflows(value: &str) -> Vec<String> {
    normalize_list(value.split(','))
}

/// Trims each name and drops empty ones and repeats, keeping the order.
pub fn normalize_list<'a>(values: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for v in values {
        let v = v.trim();
        if !v.is_empty() && !out.iter().any(|o| o == v) {
            out.push(v.to_owned());
        }
    }
    out
}

/// Checks a layer number (1 to 7).
pub fn check_layer(field: &'static str, layer: i64) -> Result<i64, CoreError> {
    if LAYERS.contains(&layer) {
        Ok(layer)
    } else {
        Err(CoreError::invalid(
            field,
            format!("layer {layer} is outside 1-7 (1 Models & ENUMs ... 7 Testing)"),
        ))
    }
}

/// A file audit to create or update (by `file_path`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewFileAudit {
    /// The file's path relative to the project root; unique per project.
    pub file_path: String,
    /// 1 to 7.
    pub layer_number: i64,
    pub workflows: Vec<String>,
    /// The debt found; none when the file is clean.
    pub technical_debt: Option<String>,
    pub status: AuditStatus,
    pub notes: Option<String>,
}

impl NewFileAudit {
    /// Checks the fields and normalizes them (trimmed path with `/`
    /// separators, workflows de-duplicated, blank debt or notes as none).
    pub fn validated(mut self) -> Result<Self, CoreError> {
        let path = self.file_path.trim().replace('\\', "/");
        if path.is_empty() {
            return Err(CoreError::invalid(
                "file_path",
                "is empty; give the audited file's path relative to the project root",
            ));
        }
        self.file_path = path;
        check_layer("layer_number", self.layer_number)?;
        self.workflows = normalize_list(self.workflows.iter().map(String::as_str));
        self.technical_debt = present(self.technical_debt);
        self.notes = present(self.notes);
        Ok(self)
    }
}

/// A stored file audit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileAudit {
    pub id: AuditId,
    pub file_path: String,
    pub layer_number: i64,
    pub workflows: Vec<String>,
    pub technical_debt: Option<String>,
    pub status: AuditStatus,
    pub notes: Option<String>,
    /// The fix pattern last applied to this file.
    pub pattern_id: Option<PatternId>,
    /// When the status first became `In Progress` (or went straight to an end).
    pub work_started_at: Option<String>,
    /// When the status last became `Complete` or `Failed`.
    pub work_completed_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

impl FileAudit {
    /// The file's extension with its dot (`.py`), lower-cased; none without one.
    pub fn file_extension(&self) -> Option<String> {
        file_extension(&self.file_path)
    }
}

/// A status change of an audit, recorded with its time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditStatusChange {
    pub audit_id: AuditId,
    /// None when the audit was created.
    pub from: Option<AuditStatus>,
    pub to: AuditStatus,
    pub at: String,
}

/// Which audits a listing returns; every field given must match.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AuditFilter {
    pub layer: Option<i64>,
    /// Audits whose workflows include this one.
    pub workflow: Option<String>,
    pub status: Option<AuditStatus>,
    /// `true`: only audits with technical debt; `false`: only clean ones.
    pub has_debt: Option<bool>,
    pub limit: Option<usize>,
}

/// A file path's extension with its dot, lower-cased (`src/App.TSX` → `.tsx`).
pub fn file_extension(path: &str) -> Option<String> {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    let dot = name.rfind('.')?;
    if dot == 0 || dot + 1 == name.len() {
        return None;
    }
    Some(name[dot..].to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_parse_in_every_spelling() {
        for (text, want) in [
            ("Not Started", AuditStatus::NotStarted),
            ("not_started", AuditStatus::NotStarted),
            ("IN PROGRESS", AuditStatus::InProgress),
            ("in-progress", AuditStatus::InProgress),
            ("Complete", AuditStatus::Complete),
            ("completed", AuditStatus::Complete),
            ("Failed", AuditStatus::Failed),
        ] {
            assert_eq!(AuditStatus::parse("status", text), Ok(want), "{text}");
        }
        let err = AuditStatus::parse("status", "finished").unwrap_err();
        assert!(err.to_string().contains("\"In Progress\""), "{err}");
        for s in AuditStatus::ALL {
            assert_eq!(AuditStatus::parse("status", s.as_str()), Ok(s));
        }
    }

    #[test]
    fn workflows_split_trim_and_dedupe() {
        assert_eq!(parse_workflows(" WF3, WF5,,WF3 "), vec!["WF3", "WF5"]);
        assert!(parse_workflows("").is_empty());
    }

    #[test]
    fn extensions_keep_the_dot_and_lower_case() {
        assert_eq!(file_extension("src/App.TSX").as_deref(), Some(".tsx"));
        assert_eq!(file_extension("a/b.c/Makefile"), None);
        assert_eq!(file_extension(".env"), None);
        assert_eq!(file_extension("x."), None);
    }

    #[test]
    fn validation_names_the_field() {
        let audit = NewFileAudit {
            file_path: " src\\main.py ".into(),
            layer_number: 8,
            workflows: vec![],
            technical_debt: Some("  ".into()),
            status: AuditStatus::NotStarted,
            notes: None,
        };
        let err = audit.clone().validated().unwrap_err();
        assert!(err.to_string().contains("layer_number"), "{err}");
        let ok = NewFileAudit {
            layer_number: 5,
            ..audit
        }
        .validated()
        .unwrap();
        assert_eq!(ok.file_path, "src/main.py");
        assert_eq!(ok.technical_debt, None);
    }
}
