//! A commit's text changes as the miner keeps them (files of hunks of
//! context, removed and added lines) and the bounded `code_before` /
//! `code_after` of a draft made from them. Pure; the git walk fills these.
//!
//! Bounds: at most [`MAX_FILES_SHOWN`] files and [`MAX_LINES_PER_FILE`]
//! lines of each side per file reach a draft; longer lines are cut at
//! [`MAX_LINE_CHARS`].

use serde::Serialize;

/// Files of a change shown in a draft's code.
pub const MAX_FILES_SHOWN: usize = 3;
/// Lines of each side (before, after) per file in a draft's code.
pub const MAX_LINES_PER_FILE: usize = 60;
/// Characters of one line kept.
pub const MAX_LINE_CHARS: usize = 200;

/// One line of a hunk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Line {
    Context(String),
    Removed(String),
    Added(String),
}

/// One hunk: its lines in order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Hunk {
    pub lines: Vec<Line>,
}

/// The changes of one text file in one commit.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FileChange {
    /// The new path (the old one for a deletion), `/`-separated.
    pub path: String,
    pub hunks: Vec<Hunk>,
}

impl FileChange {
    pub fn removed(&self) -> impl Iterator<Item = &str> {
        self.hunks
            .iter()
            .flat_map(|h| &h.lines)
            .filter_map(|l| match l {
                Line::Removed(t) => Some(t.as_str()),
                _ => None,
            })
    }

    pub fn added(&self) -> impl Iterator<Item = &str> {
        self.hunks
            .iter()
            .flat_map(|h| &h.lines)
            .filter_map(|l| match l {
                Line::Added(t) => Some(t.as_str()),
                _ => None,
            })
    }

    /// The file's lines before the change (context and removed) and after
    /// it (context and added), hunks apart by a `...` line, each side at
    /// most `max_lines`; cut sides end with a `...` line.
    pub fn sides(&self, max_lines: usize) -> (Vec<String>, Vec<String>) {
        let mut before = Vec::new();
        let mut after = Vec::new();
        for (i, hunk) in self.hunks.iter().enumerate() {
            if i > 0 {
                before.push("...".to_owned());
                after.push("...".to_owned());
            }
            for line in &hunk.lines {
                match line {
                    Line::Context(t) => {
                        before.push(cut(t));
                        after.push(cut(t));
                    }
                    Line::Removed(t) => before.push(cut(t)),
                    Line::Added(t) => after.push(cut(t)),
                }
            }
        }
        (bound(before, max_lines), bound(after, max_lines))
    }
}

/// A line without its end of line, at most [`MAX_LINE_CHARS`] characters.
pub fn cut(line: &str) -> String {
    let line = line.trim_end_matches(['\n', '\r']);
    if line.chars().count() <= MAX_LINE_CHARS {
        line.to_owned()
    } else {
        let mut s: String = line.chars().take(MAX_LINE_CHARS).collect();
        s.push_str(" ...");
        s
    }
}

fn bound(mut lines: Vec<String>, max: usize) -> Vec<String> {
    if lines.len() > max {
        lines.truncate(max.saturating_sub(1));
        lines.push("...".to_owned());
    }
    lines
}

/// The comment marker of a file's language for the header line of its
/// code: `#` for scripts and configuration, `--` for SQL, else `//`.
fn comment_of(path: &str) -> &'static str {
    let ext = path.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    match ext.as_deref() {
        Some(
            "py" | "rb" | "sh" | "bash" | "yml" | "yaml" | "toml" | "pl" | "r" | "cfg" | "ini",
        ) => "#",
        Some("sql" | "lua" | "hs") => "--",
        _ => "//",
    }
}

/// A draft's `code_before` and `code_after`: the first
/// [`MAX_FILES_SHOWN`] files, each under a comment naming it, each side
/// bounded; `(None, None)` without files.
pub fn draft_code(files: &[&FileChange]) -> (Option<String>, Option<String>) {
    if files.is_empty() {
        return (None, None);
    }
    let mut before = String::new();
    let mut after = String::new();
    for (i, file) in files.iter().take(MAX_FILES_SHOWN).enumerate() {
        if i > 0 {
            before.push('\n');
            after.push('\n');
        }
        let header = format!("{} {}\n", comment_of(&file.path), file.path);
        let (b, a) = file.sides(MAX_LINES_PER_FILE);
        before.push_str(&header);
        before.push_str(&b.join("\n"));
        after.push_str(&header);
        after.push_str(&a.join("\n"));
    }
    if files.len() > MAX_FILES_SHOWN {
        let more = format!(
            "\n// ... and {} more file(s)",
            files.len() - MAX_FILES_SHOWN
        );
        before.push_str(&more);
        after.push_str(&more);
    }
    (Some(before), Some(after))
}

/// `.rs` of `src/main.rs`; none for files without an extension.
pub fn file_type(path: &str) -> Option<String> {
    let name = path.rsplit('/').next().unwrap_or(path);
    let (stem, ext) = name.rsplit_once('.')?;
    (!stem.is_empty()
        && !ext.is_empty()
        && ext.len() <= 10
        && ext.chars().all(char::is_alphanumeric))
    .then(|| format!(".{}", ext.to_ascii_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(path: &str, lines: Vec<Line>) -> FileChange {
        FileChange {
            path: path.to_owned(),
            hunks: vec![Hunk { lines }],
        }
    }

    #[test]
    fn sides_keep_context_on_both_and_changes_on_theirs() {
        let c = change(
            "a.py",
            vec![
                Line::Context("def f():".into()),
                Line::Removed("    return eval(x)".into()),
                Line::Added("    return int(x)".into()),
            ],
        );
        let (b, a) = c.sides(10);
        assert_eq!(b, ["def f():", "    return eval(x)"]);
        assert_eq!(a, ["def f():", "    return int(x)"]);
        assert_eq!(c.removed().collect::<Vec<_>>(), ["    return eval(x)"]);
    }

    #[test]
    fn sides_and_lines_are_bounded() {
        let lines = (0..100)
            .map(|i| Line::Removed(format!("line {i}")))
            .collect();
        let (b, a) = change("a.rs", lines).sides(MAX_LINES_PER_FILE);
        assert_eq!(b.len(), MAX_LINES_PER_FILE);
        assert_eq!(b.last().map(String::as_str), Some("..."));
        assert!(a.is_empty());
        let long = "x".repeat(500);
        assert_eq!(cut(&long).chars().count(), MAX_LINE_CHARS + 4);
    }

    #[test]
    fn draft_code_names_files_and_shows_at_most_three() {
        let files: Vec<FileChange> = (0..5)
            .map(|i| {
                change(
                    &format!("f{i}.py"),
                    vec![Line::Removed("bad()".into()), Line::Added("good()".into())],
                )
            })
            .collect();
        let refs: Vec<&FileChange> = files.iter().collect();
        let (b, a) = draft_code(&refs);
        let (b, a) = (b.unwrap(), a.unwrap());
        assert!(b.starts_with("# f0.py\nbad()"), "{b}");
        assert!(a.contains("# f2.py\ngood()"), "{a}");
        assert!(!b.contains("f3.py"));
        assert!(b.ends_with("and 2 more file(s)"));
        assert_eq!(draft_code(&[]), (None, None));
    }

    #[test]
    fn file_types_from_paths() {
        assert_eq!(file_type("src/Main.RS").as_deref(), Some(".rs"));
        assert_eq!(file_type("Makefile"), None);
        assert_eq!(file_type(".gitignore"), None);
        assert_eq!(file_type("a/b.tar.gz").as_deref(), Some(".gz"));
    }
}
