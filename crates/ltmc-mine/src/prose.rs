//! What a changed line says as code: its "skeleton", the line with comments,
//! prose (comment text, docstring lines, strings of several words) and
//! whitespace taken out and quotes made alike. Two sides of a change with
//! the same skeletons changed only whitespace, comments or prose, which is
//! no fix pattern. Pure, line by line, per language family (by extension);
//! heuristic and deliberately conservative: a line it cannot tell is code,
//! so a doubtful change is kept, not dropped.
//!
//! Not here: which files are source (`noise`), folding keys (`fold`).

/// How a file change reads once comments and prose are set aside.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    /// Code changed.
    Code,
    /// Only whitespace, line breaks or quote style changed.
    Whitespace,
    /// Only comments, docstrings or strings of prose changed.
    Prose,
    /// Only version assignments (`__version__ = ...`, `version = "..."`).
    Version,
}

/// Extensions whose line comments start with `#` (else `//`, or `--`).
pub const HASH_COMMENT_EXTS: &[&str] = &[
    "py", "pyi", "rb", "sh", "bash", "zsh", "pl", "pm", "r", "yml", "yaml", "toml", "cfg", "ini",
    "mk", "cmake", "ps1", "nim", "ex", "exs", "jl", "tcl", "coffee", "cr",
];
/// Extensions whose line comments start with `--`.
pub const DASH_COMMENT_EXTS: &[&str] = &["sql", "lua", "hs", "elm", "ada"];
/// Extensions where `'` opens no string (Rust lifetimes and char literals).
pub const NO_SINGLE_QUOTE_EXTS: &[&str] = &["rs"];

/// Words that start a line of code, never a line of prose (case-sensitive:
/// prose starts sentences with a capital).
pub const CODE_KEYWORDS: &[&str] = &[
    "return",
    "if",
    "elif",
    "else",
    "for",
    "while",
    "try",
    "except",
    "finally",
    "with",
    "as",
    "def",
    "class",
    "import",
    "from",
    "raise",
    "assert",
    "pass",
    "yield",
    "lambda",
    "del",
    "global",
    "nonlocal",
    "break",
    "continue",
    "async",
    "await",
    "not",
    "and",
    "or",
    "is",
    "in",
    "print",
    "let",
    "fn",
    "pub",
    "use",
    "mod",
    "impl",
    "match",
    "const",
    "static",
    "var",
    "function",
    "case",
    "switch",
    "throw",
    "new",
    "typeof",
    "struct",
    "enum",
    "type",
    "interface",
    "package",
    "func",
    "go",
    "defer",
    "select",
    "public",
    "private",
    "protected",
    "void",
    "int",
    "char",
    "bool",
    "string",
    "unsafe",
    "loop",
    "where",
    "do",
    "end",
    "then",
    "local",
    "require",
    "module",
    "export",
    "default",
    "goto",
    "when",
    "unless",
    "begin",
    "rescue",
    "ensure",
    "echo",
    "set",
    "unset",
];

/// Names whose assignment is a version (compared lower-case, quotes dropped).
pub const VERSION_NAMES: &[&str] = &[
    "__version__",
    "__version_info__",
    "__build__",
    "version",
    "version_info",
    "__release__",
];

#[derive(Clone, Copy)]
struct Lang {
    comment: &'static str,
    single_quote: bool,
}

fn lang_of(path: &str) -> Lang {
    let ext = path
        .rsplit('/')
        .next()
        .and_then(|n| n.rsplit_once('.'))
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    let comment = if HASH_COMMENT_EXTS.contains(&ext.as_str()) {
        "#"
    } else if DASH_COMMENT_EXTS.contains(&ext.as_str()) {
        "--"
    } else {
        "//"
    };
    Lang {
        comment,
        single_quote: !NO_SINGLE_QUOTE_EXTS.contains(&ext.as_str()),
    }
}

/// Whether `text` reads as prose: at least two words of two or more
/// letters separated by a space (an error message, a sentence).
fn prose_text(text: &str) -> bool {
    text.contains(' ')
        && text
            .split_whitespace()
            .filter(|w| w.chars().filter(|c| c.is_alphabetic()).count() >= 2)
            .count()
            >= 2
}

/// Whether a whole line (trimmed) is prose rather than code: a doctest or
/// reStructuredText line, or at least three words, mostly letters, not
/// starting with a keyword, without identifiers with `_`, `=;{}[]<>`,
/// calls (`name(`) or attribute access (`a.b`).
pub fn prose_line(line: &str) -> bool {
    let t = line.trim();
    if t.starts_with(">>>") || t.starts_with(".. ") {
        return true;
    }
    let words: Vec<&str> = t.split_whitespace().collect();
    // An identifier with `_` is code (a docstring naming one stays code:
    // doubt keeps a change).
    if words.len() < 3 || CODE_KEYWORDS.contains(&words[0]) || words.iter().any(|w| w.contains('_'))
    {
        return false;
    }
    let chars: Vec<char> = t.chars().filter(|c| !c.is_whitespace()).collect();
    let letters = chars.iter().filter(|c| c.is_alphabetic()).count();
    if letters * 10 < chars.len() * 7 {
        return false;
    }
    if t.contains(['=', ';', '{', '}', '[', ']', '<', '>']) {
        return false;
    }
    let all: Vec<char> = t.chars().collect();
    !all.windows(2)
        .any(|w| (w[0].is_alphanumeric() || w[0] == '_') && w[1] == '(')
        && !all
            .windows(3)
            .any(|w| w[0].is_alphanumeric() && w[1] == '.' && w[2].is_alphabetic())
}

/// The skeleton of one changed line of `path`: empty for comment and prose
/// lines; else the code with comments cut, strings of prose emptied,
/// whitespace removed and `'` written as `"`.
pub fn skeleton(path: &str, line: &str) -> String {
    let lang = lang_of(path);
    let t = line.trim();
    if t.starts_with(lang.comment)
        || t.starts_with("/*")
        || t.starts_with("*/")
        || (t.starts_with('*') && !t.starts_with("**"))
        || prose_line(t)
    {
        return String::new();
    }
    let chars: Vec<char> = t.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let rest: String = chars[i..].iter().take(lang.comment.len()).collect();
        if rest == lang.comment || (c == '/' && chars.get(i + 1) == Some(&'*')) {
            break;
        }
        if c == '"' || c == '`' || (c == '\'' && lang.single_quote) {
            // A string: to its closing quote (backslash escapes), or the end.
            let mut j = i + 1;
            let mut text = String::new();
            while j < chars.len() && chars[j] != c {
                if chars[j] == '\\' {
                    j += 1;
                }
                if let Some(&ch) = chars.get(j) {
                    text.push(ch);
                }
                j += 1;
            }
            out.push('"');
            if !prose_text(&text) {
                out.extend(text.chars().filter(|ch| !ch.is_whitespace()));
            }
            out.push('"');
            i = j + 1;
            continue;
        }
        if !c.is_whitespace() {
            out.push(c);
        }
        i += 1;
    }
    // A docstring's own quotes on a line of their own say nothing.
    if out.chars().all(|ch| ch == '"') {
        return String::new();
    }
    out
}

/// The line as formatting sees it: whitespace removed, `'` as `"`.
fn format_key(line: &str) -> String {
    line.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| if c == '\'' { '"' } else { c })
        .collect()
}

/// Whether a skeleton assigns a version (`__version__="2.1"`).
pub fn version_line(skeleton: &str) -> bool {
    let lower = skeleton.to_ascii_lowercase();
    let Some(end) = lower.find(['=', ':']) else {
        return false;
    };
    let name = lower[..end].trim_matches('"');
    VERSION_NAMES.contains(&name)
}

/// What a change with these removed and added lines of `path` changed.
pub fn change_kind(path: &str, removed: &[&str], added: &[&str]) -> ChangeKind {
    let skel = |lines: &[&str]| -> Vec<String> {
        lines
            .iter()
            .map(|l| skeleton(path, l))
            .filter(|s| !s.is_empty())
            .collect()
    };
    let before = skel(removed);
    let after = skel(added);
    if before == after {
        let fmt = |lines: &[&str]| -> String { lines.iter().map(|l| format_key(l)).collect() };
        return if fmt(removed) == fmt(added) {
            ChangeKind::Whitespace
        } else {
            ChangeKind::Prose
        };
    }
    // Lines on both sides are no change (moved); the rest decides.
    let differing: Vec<&String> = before
        .iter()
        .filter(|l| !after.contains(l))
        .chain(after.iter().filter(|l| !before.contains(l)))
        .collect();
    if !differing.is_empty() && differing.iter().all(|l| version_line(l)) {
        ChangeKind::Version
    } else {
        ChangeKind::Code
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(path: &str, removed: &[&str], added: &[&str]) -> ChangeKind {
        change_kind(path, removed, added)
    }

    #[test]
    fn comments_and_prose_strings_leave_the_skeleton() {
        assert_eq!(skeleton("a.py", "    # a comment"), "");
        assert_eq!(skeleton("a.py", "x = 1  # why"), "x=1");
        assert_eq!(skeleton("a.rs", "let x = 1; // why"), "letx=1;");
        assert_eq!(skeleton("a.c", " * part of a block comment"), "");
        assert_eq!(
            skeleton("a.py", "raise ValueError('Invalid URL: no scheme given')"),
            "raiseValueError(\"\")"
        );
        // A string without prose is code: a header name, a format.
        assert_eq!(
            skeleton("a.py", "h['Content-Type'] = 'json'"),
            "h[\"Content-Type\"]=\"json\""
        );
        assert_eq!(skeleton("a.py", "    \"\"\""), "");
        assert_eq!(
            skeleton("a.rs", "fn f<'a>(x: &'a str) {"),
            "fnf<'a>(x:&'astr){"
        );
    }

    #[test]
    fn prose_lines_are_told_from_code() {
        assert!(prose_line("Returns the response as a string of text."));
        assert!(prose_line(
            ":param url: URL for the new :class:`Request` object."
        ));
        assert!(prose_line(">>> r = requests.get(url)"));
        assert!(!prose_line("return foo or bar"));
        assert!(!prose_line("self.verify or self.cert"));
        assert!(!prose_line("handle(request, response)"));
        assert!(!prose_line("x = compute the thing"));
        assert!(!prose_line("else:"));
        assert!(!prose_line("__version__ as cryptography_version,"));
    }

    #[test]
    fn change_kinds() {
        assert_eq!(
            kind("a.py", &["    x = 1"], &["x  =  1"]),
            ChangeKind::Whitespace
        );
        assert_eq!(
            kind("a.py", &["x = 'a'"], &["x = \"a\""]),
            ChangeKind::Whitespace
        );
        assert_eq!(
            kind(
                "a.py",
                &["    Retruns the resposne."],
                &["    Returns the response."]
            ),
            ChangeKind::Prose
        );
        assert_eq!(
            kind("a.py", &["x = 1  # teh value"], &["x = 1  # the value"]),
            ChangeKind::Prose
        );
        assert_eq!(
            kind(
                "a.py",
                &["raise ValueError('Invlaid URL given')"],
                &["raise ValueError('Invalid URL given')"]
            ),
            ChangeKind::Prose
        );
        assert_eq!(
            kind(
                "a.py",
                &["__version__ = '2.0.0'"],
                &["__version__ = '2.0.1'"]
            ),
            ChangeKind::Version
        );
        assert_eq!(
            kind(
                "Cargo.toml",
                &["version = \"0.1.0\""],
                &["version = \"0.2.0\""]
            ),
            ChangeKind::Version
        );
        assert_eq!(
            kind("a.py", &["    return eval(x)"], &["    return int(x)"]),
            ChangeKind::Code
        );
        assert_eq!(
            kind(
                "a.py",
                &["h['Content-type'] = v"],
                &["h['Content-Type'] = v"]
            ),
            ChangeKind::Code
        );
        // A trailing comment removed from code lines is prose.
        assert_eq!(
            kind(
                "a.py",
                &["    __version__ as crypto_version,  # type: ignore[x]"],
                &["    __version__ as crypto_version,"]
            ),
            ChangeKind::Prose
        );
        // A code change beside a version bump is code.
        assert_eq!(
            kind(
                "a.py",
                &["__version__ = '1'", "f(x)"],
                &["__version__ = '2'", "g(x)"]
            ),
            ChangeKind::Code
        );
    }
}
