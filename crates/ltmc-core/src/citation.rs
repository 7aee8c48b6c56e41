//! Citations of a memory to code (issue 22): a span of lines of a file
//! under the project root, with a hash of the cited lines (whitespace
//! normalised, so re-indenting is no change) and the commit it was cited at;
//! and checking a citation against the file as it is now: `verified` (the
//! same lines hold the same text), `moved` (the same text elsewhere in the
//! file, nearest first), `changed` (not found) or `missing` (no file).
//!
//! Pure: the caller reads the file (confined to the project root) and
//! resolves the commit. Not here: storage (citations travel in the
//! resource's metadata under [`METADATA_KEY`]), ranking.

use crate::CoreError;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The key of a resource's metadata that holds its citations.
pub const METADATA_KEY: &str = "citations";
/// The most citations one memory may carry.
pub const MAX_CITATIONS: usize = 32;

/// A resource's metadata holding `citations` under [`METADATA_KEY`], or
/// empty (`{}`) when there are none.
pub fn metadata_of(citations: &[Citation]) -> serde_json::Value {
    if citations.is_empty() {
        serde_json::json!({})
    } else {
        serde_json::json!({ METADATA_KEY: citations })
    }
}
/// The most lines one citation may span.
pub const MAX_SPAN_LINES: usize = 2_000;

/// A stored citation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Citation {
    /// Relative to the project root, with `/`.
    pub path: String,
    /// 1-based, inclusive.
    pub start_line: usize,
    /// 1-based, inclusive, ≥ `start_line`.
    pub end_line: usize,
    /// [`span_hash`] of the cited lines when cited.
    pub hash: String,
    /// The commit checked out when cited, when the root is a git checkout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
}

/// What a check found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CitationStatus {
    Verified,
    Moved,
    Changed,
    Missing,
}

impl CitationStatus {
    /// Whether an item citing this should rank below items that do not.
    pub fn is_stale(self) -> bool {
        matches!(self, Self::Changed | Self::Missing)
    }

    /// How bad: verified < moved < changed < missing.
    fn rank(self) -> u8 {
        match self {
            Self::Verified => 0,
            Self::Moved => 1,
            Self::Changed => 2,
            Self::Missing => 3,
        }
    }

    /// The worst of several (verified when there are none).
    pub fn worst(all: impl IntoIterator<Item = Self>) -> Option<Self> {
        all.into_iter().max_by_key(|s| s.rank())
    }
}

/// A citation as checked now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckedCitation {
    pub path: String,
    pub start_line: usize,
    pub end_line: usize,
    pub status: CitationStatus,
    /// Where the cited text is now, when it `moved`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub now_start_line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub now_end_line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
}

/// The hash of lines: each trimmed, runs of whitespace made one space,
/// blank lines dropped, joined by newlines, sha256 in hex.
pub fn span_hash(lines: &[&str]) -> String {
    let mut text = String::new();
    for line in lines {
        let words: Vec<&str> = line.split_whitespace().collect();
        if words.is_empty() {
            continue;
        }
        text.push_str(&words.join(" "));
        text.push('\n');
    }
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// Checks a requested span against a file's text and makes the citation.
pub fn cite(
    path: &str,
    start_line: usize,
    end_line: usize,
    file_text: &str,
    commit: Option<String>,
) -> Result<Citation, CoreError> {
    if start_line == 0 || end_line < start_line {
        return Err(CoreError::invalid(
            "citations",
            format!(
                "{path}: lines {start_line}-{end_line} are not a span; give 1-based start_line ≤ end_line"
            ),
        ));
    }
    if end_line - start_line + 1 > MAX_SPAN_LINES {
        return Err(CoreError::invalid(
            "citations",
            format!("{path}: cite at most {MAX_SPAN_LINES} lines at a time"),
        ));
    }
    let lines: Vec<&str> = file_text.lines().collect();
    if end_line > lines.len() {
        return Err(CoreError::invalid(
            "citations",
            format!(
                "{path} has {} lines; lines {start_line}-{end_line} are past its end",
                lines.len()
            ),
        ));
    }
    Ok(Citation {
        path: path.to_owned(),
        start_line,
        end_line,
        hash: span_hash(&lines[start_line - 1..end_line]),
        commit,
    })
}

/// Checks `c` against the file's current text (`None`: the file is gone).
/// A span that no longer matches is looked for at every other start, the
/// nearest to the old one first, with the same number of lines.
pub fn check(c: &Citation, file_text: Option<&str>) -> CheckedCitation {
    let mut out = CheckedCitation {
        path: c.path.clone(),
        start_line: c.start_line,
        end_line: c.end_line,
        status: CitationStatus::Missing,
        now_start_line: None,
        now_end_line: None,
        commit: c.commit.clone(),
    };
    let Some(text) = file_text else {
        return out;
    };
    let lines: Vec<&str> = text.lines().collect();
    let len = c.end_line.saturating_sub(c.start_line) + 1;
    let matches_at = |start: usize| {
        start + len <= lines.len() && span_hash(&lines[start..start + len]) == c.hash
    };
    let old = c.start_line.saturating_sub(1);
    if matches_at(old) {
        out.status = CitationStatus::Verified;
        return out;
    }
    let last = lines.len().saturating_sub(len);
    for distance in 1..=lines.len() {
        for start in [old.checked_sub(distance), old.checked_add(distance)]
            .into_iter()
            .flatten()
        {
            if start <= last && matches_at(start) {
                out.status = CitationStatus::Moved;
                out.now_start_line = Some(start + 1);
                out.now_end_line = Some(start + len);
                return out;
            }
        }
    }
    out.status = CitationStatus::Changed;
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "fn a() {}\n\nfn pay(amount: u32) {\n    charge(amount);\n}\n";

    #[test]
    fn verified_moved_changed_missing() {
        let c = cite("src/pay.rs", 3, 5, FILE, Some("abc".into())).unwrap();
        assert_eq!(check(&c, Some(FILE)).status, CitationStatus::Verified);
        // Re-indented: still the same text.
        let reindented = FILE.replace("    charge", "\tcharge");
        assert_eq!(
            check(&c, Some(&reindented)).status,
            CitationStatus::Verified
        );
        let moved = format!("{}{FILE}", "// header\n".repeat(40));
        let m = check(&c, Some(&moved));
        assert_eq!(m.status, CitationStatus::Moved);
        assert_eq!((m.now_start_line, m.now_end_line), (Some(43), Some(45)));
        let changed = FILE.replace("charge(amount)", "charge(amount * 2)");
        assert_eq!(check(&c, Some(&changed)).status, CitationStatus::Changed);
        assert_eq!(check(&c, None).status, CitationStatus::Missing);
        assert_eq!(
            CitationStatus::worst([CitationStatus::Moved, CitationStatus::Changed]),
            Some(CitationStatus::Changed)
        );
    }

    #[test]
    fn bad_spans_name_the_field() {
        for (s, e) in [(0, 1), (4, 3), (3, 9)] {
            let err = cite("src/pay.rs", s, e, FILE, None)
                .unwrap_err()
                .to_string();
            assert!(err.contains("citations"), "{err}");
        }
    }
}
