//! Citations of memories to code under the project root (issue 22): made
//! when a memory is stored (each path confined to the root, the cited lines
//! hashed, the checked-out commit recorded) and checked when the memory is
//! returned (the file read again, confined the same way: a path that left
//! the root or is gone is `missing`).
//!
//! The citations travel in the resource's metadata (`citations`), so both
//! backends, dumps and copies carry them without a schema change (a fix
//! pattern's in its own `citations` column). [`survey`] counts how a
//! project's citations stand, for `ltmc doctor`. Not here: the hash and the
//! matching (`ltmc_core::citation`), ranking (the tools).

use crate::ServiceError;
use crate::fix::guardian::confine;
use ltmc_core::Project;
use ltmc_core::citation::{
    CheckedCitation, Citation, CitationStatus, MAX_CITATIONS, METADATA_KEY, check, cite,
};
use ltmc_core::fix::PatternFilter;
use ltmc_store::{ResourceFilter, Store};
use serde::Serialize;
use serde_json::Value;
use std::path::Path;

/// A span a caller cites.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CitationRequest {
    pub path: String,
    pub start_line: usize,
    pub end_line: usize,
}

/// Makes the citations of `requests` against the files under `root`; the
/// error names `citations` and the entry.
pub fn make(
    root: Option<&Path>,
    requests: &[CitationRequest],
) -> Result<Vec<Citation>, ServiceError> {
    if requests.is_empty() {
        return Ok(Vec::new());
    }
    let Some(root) = root else {
        return Err(ServiceError::invalid(
            "citations",
            "need a project root to cite files under; start ltmc with --project-root DIR",
        ));
    };
    if requests.len() > MAX_CITATIONS {
        return Err(ServiceError::invalid(
            "citations",
            format!(
                "give at most {MAX_CITATIONS} citations, got {}",
                requests.len()
            ),
        ));
    }
    let real_root = root
        .canonicalize()
        .map_err(|e| ServiceError::invalid("citations", format!("the project root: {e}")))?;
    let commit = head_commit(&real_root);
    let mut out = Vec::with_capacity(requests.len());
    for (i, r) in requests.iter().enumerate() {
        let entry =
            |reason: String| ServiceError::invalid("citations", format!("entry {i}: {reason}"));
        let real = confine(&real_root, &r.path).map_err(|e| entry(e.to_string()))?;
        if !real.is_file() {
            return Err(entry(format!("{} is not a file", r.path)));
        }
        let text = std::fs::read_to_string(&real)
            .map_err(|e| entry(format!("{} cannot be read as text: {e}", r.path)))?;
        let relative = real.strip_prefix(&real_root).map_or_else(
            |_| r.path.clone(),
            |p| p.to_string_lossy().replace('\\', "/"),
        );
        let c = cite(&relative, r.start_line, r.end_line, &text, commit.clone())
            .map_err(|e| entry(e.to_string()))?;
        out.push(c);
    }
    Ok(out)
}

/// The citations kept in a resource's metadata (none when it has none or
/// they do not read as citations).
pub fn of_metadata(metadata: &Value) -> Vec<Citation> {
    metadata
        .get(METADATA_KEY)
        .and_then(|v| serde_json::from_value(v.clone()).ok())
        .unwrap_or_default()
}

/// Why an item whose citations were `checked` may no longer hold (its cited
/// code changed or is gone), naming the stale spans; `None` when all hold.
pub fn stale_reason(checked: &[CheckedCitation]) -> Option<String> {
    let worst = CitationStatus::worst(checked.iter().map(|c| c.status))?;
    if !worst.is_stale() {
        return None;
    }
    let what: Vec<String> = checked
        .iter()
        .filter(|c| c.status.is_stale())
        .map(|c| format!("{}:{}-{}", c.path, c.start_line, c.end_line))
        .collect();
    Some(format!(
        "the cited code is {} ({}): this memory may no longer hold",
        if worst == CitationStatus::Missing {
            "gone"
        } else {
            "changed"
        },
        what.join(", ")
    ))
}

/// Checks each citation against the file as it is now under `root` (all
/// `missing` without a root).
pub fn check_all(root: Option<&Path>, citations: &[Citation]) -> Vec<CheckedCitation> {
    citations
        .iter()
        .map(|c| {
            let text = root
                .and_then(|root| confine(root, &c.path).ok())
                .filter(|p| p.is_file())
                .and_then(|p| std::fs::read_to_string(p).ok());
            check(c, text.as_deref())
        })
        .collect()
}

/// How a project's citations stand now: how many memories (resources:
/// documents, notes, code attempts) and fix patterns cite code, and each
/// citation's status checked against the files under the root.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CitationSurvey {
    pub memories: usize,
    pub memories_citing: usize,
    pub patterns: usize,
    pub patterns_citing: usize,
    pub citations: usize,
    pub verified: usize,
    pub moved: usize,
    pub changed: usize,
    pub missing: usize,
    /// The items whose cited code changed or is gone (the first
    /// [`MAX_STALE_LISTED`]), memories first.
    pub stale_items: Vec<StaleItem>,
}

/// How many stale items a survey lists.
pub const MAX_STALE_LISTED: usize = 100;

/// A memory or fix pattern whose cited code changed or is gone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StaleItem {
    /// `memory` (a resource) or `pattern` (a fix pattern).
    pub kind: &'static str,
    pub id: i64,
    /// The file name of a memory, the title of a pattern.
    pub title: String,
    /// Why it ranks last when used.
    pub reason: String,
    pub citations: Vec<CheckedCitation>,
}

impl CitationSurvey {
    /// Counts one item's checked citations, listing it when stale.
    fn count(&mut self, kind: &'static str, id: i64, title: &str, checked: Vec<CheckedCitation>) {
        self.citations += checked.len();
        for c in &checked {
            match c.status {
                CitationStatus::Verified => self.verified += 1,
                CitationStatus::Moved => self.moved += 1,
                CitationStatus::Changed => self.changed += 1,
                CitationStatus::Missing => self.missing += 1,
            }
        }
        if self.stale_items.len() < MAX_STALE_LISTED
            && let Some(reason) = stale_reason(&checked)
        {
            self.stale_items.push(StaleItem {
                kind,
                id,
                title: title.to_owned(),
                reason,
                citations: checked,
            });
        }
    }

    /// Items whose cited code changed or is gone are ranked down when used.
    pub fn stale(&self) -> usize {
        self.changed + self.missing
    }
}

/// Every memory and fix pattern of `project`, their citations checked
/// against the files under `root` now (reads each cited file once per
/// citation; run on demand, not on a hot path).
pub async fn survey(
    store: &dyn Store,
    project: &Project,
    root: Option<&Path>,
) -> Result<CitationSurvey, ServiceError> {
    let mut survey = CitationSurvey::default();
    let resources = store
        .list_resources(project, &ResourceFilter::default())
        .await?;
    survey.memories = resources.len();
    for r in &resources {
        let cited = of_metadata(&r.metadata);
        if !cited.is_empty() {
            survey.memories_citing += 1;
            survey.count("memory", r.id.0, &r.file_name, check_all(root, &cited));
        }
    }
    let patterns = store
        .list_patterns(project, &PatternFilter::default())
        .await?;
    survey.patterns = patterns.len();
    for p in patterns.iter().filter(|p| !p.citations.is_empty()) {
        survey.patterns_citing += 1;
        survey.count("pattern", p.id.0, &p.title, check_all(root, &p.citations));
    }
    Ok(survey)
}

/// The commit checked out at `root`, when it is (in) a git work tree.
fn head_commit(root: &Path) -> Option<String> {
    let repo = git2::Repository::discover(root).ok()?;
    let commit = repo.head().ok()?.peel_to_commit().ok()?;
    Some(commit.id().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ltmc_core::citation::CitationStatus;

    #[test]
    fn made_under_the_root_and_checked_again() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("src")).unwrap();
        std::fs::write(
            dir.path().join("src/a.py"),
            "x = 1\ndef f():\n    return 2\n",
        )
        .unwrap();
        let req = |path: &str, s, e| CitationRequest {
            path: path.into(),
            start_line: s,
            end_line: e,
        };
        let made = make(Some(dir.path()), &[req("src/a.py", 2, 3)]).unwrap();
        assert_eq!(made[0].path, "src/a.py");
        assert_eq!(made[0].commit, None);
        let checked = check_all(Some(dir.path()), &made);
        assert_eq!(checked[0].status, CitationStatus::Verified);
        std::fs::remove_file(dir.path().join("src/a.py")).unwrap();
        assert_eq!(
            check_all(Some(dir.path()), &made)[0].status,
            CitationStatus::Missing
        );
        for bad in [
            req("../x", 1, 1),
            req("src/none.py", 1, 1),
            req("src", 1, 1),
        ] {
            let e = make(Some(dir.path()), &[bad]).unwrap_err().to_string();
            assert!(e.contains("citations") && e.contains("entry 0"), "{e}");
        }
        let e = make(None, &[req("src/a.py", 1, 1)])
            .unwrap_err()
            .to_string();
        assert!(e.contains("--project-root"), "{e}");
    }
}
