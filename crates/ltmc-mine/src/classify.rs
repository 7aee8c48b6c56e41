//! Which commits are fixes: keyword rules over the commit message, issue
//! references, and the shape of the diff. Pure and explainable (every
//! decision carries its reasons); no git, no model.
//!
//! A commit is a fix when its message has a fix word (a word starting with
//! one of [`FIX_STEMS`], `fixture` excepted; identifiers, paths and
//! compounds such as `fixed-width` are no words) and its diff modifies code
//! (removes at least one line) without being sweeping (at most
//! [`MAX_CHANGED_LINES`] changed lines in at most [`MAX_FILES`] files). The
//! score (the draft's confidence, 0 to 1) grows with a fix word in the
//! subject rather than the body, issue references, and a small, focused diff.

use serde::Serialize;

/// Word stems that mark a fix, matched at the start of a lower-cased word.
pub const FIX_STEMS: &[&str] = &[
    "fix", "bug", "secur", "vulnerab", "leak", "race", "revert", "hotfix", "crash", "overflow",
    "cve", "regress", "deadlock",
];

/// A diff with more changed (added + removed) lines is a rewrite, not a fix.
pub const MAX_CHANGED_LINES: usize = 600;
/// A diff touching more files is a sweep, not a fix.
pub const MAX_FILES: usize = 20;

/// The shape of a commit's diff (text files only).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct DiffShape {
    pub files: usize,
    pub added: usize,
    pub removed: usize,
}

/// What the classifier decided about a commit, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Classification {
    pub is_fix: bool,
    /// 0 to 1; meaningful when `is_fix`.
    pub score: f64,
    /// The fix words found (stems).
    pub words: Vec<String>,
    /// Issue ids referenced: `#123`, `GH-12`, `JIRA-1`.
    pub issues: Vec<String>,
    pub reasons: Vec<String>,
}

/// The fix stems the message has, subject and body apart.
pub fn fix_words(message: &str) -> (Vec<&'static str>, Vec<&'static str>) {
    let mut parts = message.splitn(2, '\n');
    let subject = parts.next().unwrap_or("");
    let body = parts.next().unwrap_or("");
    (stems_in(subject), stems_in(body))
}

/// The words of `text` a fix stem may start: tokens are cut at spaces and
/// punctuation but not at `_`, `/`, `.` or `-` inside them, so that
/// identifiers and paths (`recommend_fix`, `src/fix/mod.rs`) are no words;
/// of a hyphenated compound only the last part counts, as English puts the
/// head there (`bug-fix`, `memory-leak` are fixes; `fixed-width`,
/// `fix-pattern` are not).
fn words(lower: &str) -> impl Iterator<Item = &str> {
    lower
        .split(|c: char| !(c.is_alphanumeric() || matches!(c, '_' | '/' | '.' | '-')))
        .map(|t| t.trim_matches(|c: char| matches!(c, '.' | '-' | '/' | '_')))
        .filter(|t| !t.contains(['_', '/', '.']))
        .filter_map(|t| t.rsplit('-').next())
}

fn stems_in(text: &str) -> Vec<&'static str> {
    let lower = text.to_lowercase();
    let mut found = Vec::new();
    for word in words(&lower) {
        if word.is_empty() || word.starts_with("fixture") {
            continue;
        }
        for stem in FIX_STEMS {
            if word.starts_with(stem) && !found.contains(stem) {
                found.push(*stem);
            }
        }
    }
    found
}

/// Whether the message alone makes the commit a candidate (a fix word):
/// the walk diffs only candidates.
pub fn is_candidate(message: &str) -> bool {
    let (subject, body) = fix_words(message);
    !subject.is_empty() || !body.is_empty()
}

/// Issue references in the message: `#123`, `GH-12`, and tracker keys such
/// as `JIRA-1` or `PROJ-42` (upper-case letters, a dash, digits). Each once,
/// in order of appearance.
pub fn issue_refs(message: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    let chars: Vec<char> = message.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let prev_ok = i == 0 || !(chars[i - 1].is_alphanumeric() || chars[i - 1] == '_');
        if c == '#' && prev_ok {
            let digits: String = chars[i + 1..]
                .iter()
                .take_while(|d| d.is_ascii_digit())
                .collect();
            let next = chars.get(i + 1 + digits.len());
            if !digits.is_empty() && next.is_none_or(|n| !n.is_alphanumeric()) {
                push_once(&mut found, format!("#{digits}"));
            }
            i += 1 + digits.len();
            continue;
        }
        if c.is_ascii_uppercase() && prev_ok {
            let key: String = chars[i..]
                .iter()
                .take_while(|k| k.is_ascii_uppercase() || k.is_ascii_digit())
                .collect();
            let after = i + key.len();
            if key.len() >= 2 && chars.get(after) == Some(&'-') {
                let digits: String = chars[after + 1..]
                    .iter()
                    .take_while(|d| d.is_ascii_digit())
                    .collect();
                let next = chars.get(after + 1 + digits.len());
                let letters_first = key.chars().next().is_some_and(|k| k.is_ascii_uppercase());
                // `UTF-8`, `SHA-256`, `CVE-2021-...` are not tracker keys
                // (a CVE id is kept whole below).
                if !digits.is_empty()
                    && letters_first
                    && next.is_none_or(|n| !n.is_alphanumeric())
                    && !matches!(key.as_str(), "UTF" | "SHA" | "ISO" | "RFC" | "AES" | "CVE")
                {
                    push_once(&mut found, format!("{key}-{digits}"));
                }
                if key == "CVE" {
                    let id: String = chars[i..]
                        .iter()
                        .take_while(|k| k.is_ascii_alphanumeric() || **k == '-')
                        .collect();
                    push_once(&mut found, id);
                }
                i = after + 1 + digits.len();
                continue;
            }
            i += key.len().max(1);
            continue;
        }
        i += 1;
    }
    found
}

fn push_once(found: &mut Vec<String>, id: String) {
    if !found.contains(&id) {
        found.push(id);
    }
}

/// Decides whether a commit with this message and diff is a fix.
pub fn classify(message: &str, shape: DiffShape) -> Classification {
    let (subject_words, body_words) = fix_words(message);
    let issues = issue_refs(message);
    let mut words: Vec<String> = subject_words.iter().map(|s| (*s).to_owned()).collect();
    for w in &body_words {
        if !subject_words.contains(w) {
            words.push((*w).to_owned());
        }
    }
    let mut reasons = Vec::new();
    let mut score: f64 = 0.0;
    if subject_words.is_empty() {
        if body_words.is_empty() {
            reasons.push("no fix word in the message".to_owned());
        } else {
            score += 0.3;
            reasons.push(format!(
                "fix word(s) in the body: {}",
                body_words.join(", ")
            ));
        }
    } else {
        score += 0.5;
        reasons.push(format!(
            "fix word(s) in the subject: {}",
            subject_words.join(", ")
        ));
    }
    if !issues.is_empty() {
        score += 0.1;
        reasons.push(format!("references {}", issues.join(", ")));
    }
    let changed = shape.added + shape.removed;
    let mut shape_ok = true;
    if shape.removed == 0 {
        shape_ok = false;
        reasons.push("only adds lines: nothing was wrong in place".to_owned());
    } else {
        score += 0.15;
    }
    if changed > MAX_CHANGED_LINES || shape.files > MAX_FILES {
        shape_ok = false;
        reasons.push(format!(
            "{changed} changed lines in {} files: a sweep, not a focused fix",
            shape.files
        ));
    } else if changed <= 60 && shape.files <= 3 {
        score += 0.2;
        reasons.push(format!(
            "small, focused diff ({changed} lines, {} files)",
            shape.files
        ));
    } else {
        score += 0.05;
    }
    let is_fix = !words.is_empty() && shape_ok;
    Classification {
        is_fix,
        score: if is_fix { score.min(1.0) } else { 0.0 },
        words,
        issues,
        reasons,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(files: usize, added: usize, removed: usize) -> DiffShape {
        DiffShape {
            files,
            added,
            removed,
        }
    }

    #[test]
    fn fix_words_match_word_starts_but_not_fixtures() {
        assert_eq!(fix_words("Fix crash on empty input").0, ["fix", "crash"]);
        assert!(fix_words("Update test fixtures").0.is_empty());
        assert!(fix_words("Add prefix and debug output").0.is_empty());
        assert_eq!(
            fix_words("Refactor\n\nThis fixes a memory leak").1,
            ["fix", "leak"]
        );
        assert!(is_candidate("hotfix: bad release"));
        // Identifiers, paths and compounds whose head is not a fix word.
        assert!(
            fix_words("Rename recommend_fix; move src/fix/mod.rs")
                .0
                .is_empty()
        );
        assert!(
            fix_words("Times are fixed-width; fix-pattern tools")
                .0
                .is_empty()
        );
        assert_eq!(
            fix_words("A bug-fix for the memory-leak.").0,
            ["fix", "leak"]
        );
        assert_eq!(fix_words("fix(parser): crash.").0, ["fix", "crash"]);
        assert!(!is_candidate("Add feature"));
    }

    #[test]
    fn issue_refs_find_hashes_and_tracker_keys() {
        assert_eq!(
            issue_refs("Fix #123 and GH-12 (JIRA-1, see #7). UTF-8 and SHA-256 are not issues"),
            ["#123", "GH-12", "JIRA-1", "#7"]
        );
        assert_eq!(
            issue_refs("Fix CVE-2021-44228 in logger"),
            ["CVE-2021-44228"]
        );
        assert!(issue_refs("color #fff and a#1").is_empty());
        assert_eq!(issue_refs("fix #5 #5"), ["#5"]);
    }

    #[test]
    fn small_modifying_fix_is_a_fix_with_a_high_score() {
        let c = classify("Fix token leak (#42)", shape(1, 3, 2));
        assert!(c.is_fix, "{c:?}");
        assert!((c.score - 0.95).abs() < 1e-9, "{}", c.score);
        assert_eq!(c.issues, ["#42"]);
    }

    #[test]
    fn pure_additions_and_sweeps_are_not_fixes() {
        assert!(!classify("Fix docs: add a section", shape(1, 30, 0)).is_fix);
        let sweep = classify("Fix formatting everywhere", shape(40, 500, 500));
        assert!(!sweep.is_fix);
        assert!(
            sweep.reasons.iter().any(|r| r.contains("sweep")),
            "{sweep:?}"
        );
        assert!(!classify("Add a feature", shape(1, 3, 2)).is_fix);
    }

    #[test]
    fn a_fix_word_in_the_body_scores_lower_than_in_the_subject() {
        let body = classify(
            "Tidy the parser\n\nThis also fixes a crash",
            shape(2, 10, 10),
        );
        let subject = classify("Fix a crash in the parser", shape(2, 10, 10));
        assert!(body.is_fix && subject.is_fix);
        assert!(body.score < subject.score);
    }
}
