//! The seed's field shapes, accepted as agents send them: the fix-pattern
//! seed types `solution_steps` as TEXT, `workflows` as `"WF1,WF4"` text (the
//! file_audit column) or TEXT[], `layers` as INTEGER[], and tags, file types
//! and anti-patterns as TEXT[]; an agent that read it, or a team exporting
//! its table, sends one string where ltmc's schema once wanted an array.
//! [`TextList`] takes a string or an array of strings and [`IntList`] an
//! integer or an array of integers; each says how one string is split.
//!
//! Written by hand: the splitting rules (numbered steps, PostgreSQL array
//! literals, JSON text) are this product's contract, not a library's.
//! Not here: the schema checks and their error messages (`crate::args`).

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// A string or an array of strings (`"WF1,WF4"` or `["WF1", "WF4"]`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(untagged)]
pub enum TextList {
    One(String),
    Many(Vec<String>),
}

impl Default for TextList {
    fn default() -> Self {
        Self::Many(Vec::new())
    }
}

impl JsonSchema for TextList {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        "TextList".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({"type": ["string", "array"], "items": {"type": "string"}})
    }
}

impl TextList {
    /// A list: an array as given (items trimmed, empty ones and repeats
    /// dropped); one string split on commas, also when it is written as a
    /// JSON array (`'["a", "b"]'`) or a PostgreSQL array literal (`{a,b}`).
    pub fn into_list(self) -> Vec<String> {
        match self {
            Self::Many(items) => tidy(items),
            Self::One(text) => {
                if let Some(items) = json_array(&text) {
                    tidy(items)
                } else {
                    let t = text.trim();
                    let inner = t
                        .strip_prefix('{')
                        .and_then(|s| s.strip_suffix('}'))
                        .unwrap_or(t);
                    tidy(inner.split(',').map(unquote).collect())
                }
            }
        }
    }

    /// One item per line (for regexes, which may hold commas): an array as
    /// given; one string split on line breaks (or read as a JSON array).
    pub fn into_lines(self) -> Vec<String> {
        match self {
            Self::Many(items) => tidy(items),
            Self::One(text) => match json_array(&text) {
                Some(items) => tidy(items),
                None => tidy(text.lines().map(str::to_owned).collect()),
            },
        }
    }

    /// The steps of a fix: an array as given; one text split into steps on
    /// its lines and numbering (see [`split_steps`]).
    pub fn into_steps(self) -> Vec<String> {
        match self {
            Self::Many(items) => items
                .into_iter()
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect(),
            Self::One(text) => match json_array(&text) {
                Some(items) => Self::Many(items).into_steps(),
                None => split_steps(&text),
            },
        }
    }
}

/// An integer or an array of integers (`3` or `[1, 3]`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(untagged)]
pub enum IntList {
    One(i64),
    Many(Vec<i64>),
}

impl JsonSchema for IntList {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        "IntList".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({"type": ["integer", "array"], "items": {"type": "integer"}})
    }
}

impl IntList {
    pub fn into_list(self) -> Vec<i64> {
        match self {
            Self::One(n) => vec![n],
            Self::Many(items) => items,
        }
    }
}

/// `'["a", "b"]'`: a JSON array of strings written as text.
fn json_array(text: &str) -> Option<Vec<String>> {
    let t = text.trim();
    if !t.starts_with('[') {
        return None;
    }
    serde_json::from_str::<Vec<String>>(t).ok()
}

fn unquote(item: &str) -> String {
    let t = item.trim();
    let unquoted = ['"', '\'']
        .iter()
        .find_map(|q| t.strip_prefix(*q).and_then(|s| s.strip_suffix(*q)))
        .unwrap_or(t);
    unquoted.trim().to_owned()
}

/// Trims, drops empty items and repeats, keeps the order.
fn tidy(items: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for item in items {
        let item = item.trim();
        if !item.is_empty() && !out.iter().any(|o| o == item) {
            out.push(item.to_owned());
        }
    }
    out
}

/// The length of a step marker at the start of `line` ("1.", "2)", "(3)",
/// "Step 4:", "-", "*", "•"), with the spaces after it; `None` when the
/// line opens with none.
fn marker_len(line: &str) -> Option<usize> {
    let bytes = line.as_bytes();
    let rest_after = |n: usize| -> Option<usize> {
        let spaces = line[n..].len() - line[n..].trim_start().len();
        (spaces > 0 || n == line.len()).then_some(n + spaces)
    };
    if let Some(bullet) = ["- ", "* ", "• "].iter().find(|b| line.starts_with(**b)) {
        return rest_after(bullet.len() - 1);
    }
    let lower = line.to_ascii_lowercase();
    let (start, closers): (usize, &[u8]) = if lower.starts_with("step ") {
        (5, b".):")
    } else if line.starts_with('(') {
        (1, b")")
    } else {
        (0, b".)")
    };
    let digits = bytes[start..]
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .count();
    if digits == 0 || digits > 3 {
        return None;
    }
    let end = start + digits;
    match bytes.get(end) {
        Some(c) if closers.contains(c) => rest_after(end + 1),
        None if start == 5 => Some(end),
        _ => None,
    }
}

/// Positions in a one-line text where an inline numbered step begins
/// ("1. Do a. 2. Do b."): a number followed by `.` or `)` and a space, at the
/// start or after a space, counting up from 1. Fewer than two: none.
fn inline_steps(text: &str) -> Vec<usize> {
    let mut starts = Vec::new();
    let mut next = 1;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let at_boundary = i == 0 || bytes[i - 1] == b' ';
        if at_boundary && bytes[i].is_ascii_digit() {
            let digits = bytes[i..].iter().take_while(|b| b.is_ascii_digit()).count();
            let number: usize = text[i..i + digits].parse().unwrap_or(0);
            let closer = bytes.get(i + digits);
            let space = bytes.get(i + digits + 1);
            if number == next && matches!(closer, Some(b'.' | b')')) && space == Some(&b' ') {
                starts.push(i);
                next += 1;
                i += digits + 2;
                continue;
            }
        }
        i += 1;
    }
    if starts.len() < 2 { Vec::new() } else { starts }
}

/// One text of steps, as the seed's `solution_steps TEXT` holds it, split
/// into steps: one per line, the numbering or bullet taken off; where some
/// lines are numbered, an unnumbered line continues the step above it; a
/// single line numbered inline ("1. a 2. b") is split at its numbers.
pub fn split_steps(text: &str) -> Vec<String> {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    if let [only] = lines.as_slice() {
        let starts = inline_steps(only);
        if !starts.is_empty() {
            let mut steps = Vec::new();
            if starts[0] > 0 {
                steps.push(only[..starts[0]].trim().to_owned());
            }
            for (k, &s) in starts.iter().enumerate() {
                let end = starts.get(k + 1).copied().unwrap_or(only.len());
                let step = &only[s..end];
                let body = marker_len(step).map_or(step, |m| &step[m..]);
                steps.push(body.trim().to_owned());
            }
            return steps.into_iter().filter(|s| !s.is_empty()).collect();
        }
    }
    let numbered = lines.iter().any(|l| marker_len(l).is_some());
    let mut steps: Vec<String> = Vec::new();
    for line in lines {
        match marker_len(line) {
            Some(m) => steps.push(line[m..].trim().to_owned()),
            None if numbered && !steps.is_empty() => {
                let last = steps.last_mut().expect("a step");
                last.push(' ');
                last.push_str(line);
            }
            None => steps.push(line.to_owned()),
        }
    }
    steps.into_iter().filter(|s| !s.is_empty()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(s: &str) -> TextList {
        TextList::One(s.to_owned())
    }

    #[test]
    fn lists_from_commas_json_text_and_postgres_literals() {
        let want = vec!["WF1".to_owned(), "WF4".to_owned()];
        assert_eq!(one("WF1,WF4").into_list(), want);
        assert_eq!(one(" WF1 , WF4 ,, WF1").into_list(), want);
        assert_eq!(one(r#"["WF1", "WF4"]"#).into_list(), want);
        assert_eq!(one("{WF1,WF4}").into_list(), want);
        assert_eq!(one(r#"{"WF1","WF4"}"#).into_list(), want);
        assert_eq!(one("'WF1', 'WF4'").into_list(), want);
        assert_eq!(
            TextList::Many(vec!["WF1".into(), " WF4 ".into(), String::new()]).into_list(),
            want
        );
        assert!(one("").into_list().is_empty());
        assert!(one("{}").into_list().is_empty());
    }

    #[test]
    fn regexes_split_on_lines_only() {
        let got = one("token\\s*=\\s*\"[A-Za-z0-9]{8,}\"\n\nsecret,key").into_lines();
        assert_eq!(got, ["token\\s*=\\s*\"[A-Za-z0-9]{8,}\"", "secret,key"]);
    }

    #[test]
    fn steps_from_numbered_lines_with_continuations() {
        let text = "1. Move the token to the environment\n   (read it at start-up)\n2) Rotate the leaked key\n(3) Add a guardian rule";
        assert_eq!(
            split_steps(text),
            [
                "Move the token to the environment (read it at start-up)",
                "Rotate the leaked key",
                "Add a guardian rule"
            ]
        );
        assert_eq!(
            split_steps("Step 1: read\nStep 2. write\n- check\n* ship"),
            ["read", "write", "check", "ship"]
        );
    }

    #[test]
    fn steps_from_plain_lines_and_inline_numbering() {
        assert_eq!(
            split_steps("Read the token from env\nRotate it\n"),
            ["Read the token from env", "Rotate it"]
        );
        assert_eq!(
            split_steps("1. Read the token from env. 2. Rotate it. 3. Add a rule for 10. cases"),
            [
                "Read the token from env.",
                "Rotate it.",
                "Add a rule for 10. cases"
            ]
        );
        assert_eq!(
            split_steps("Use a parameterised query"),
            ["Use a parameterised query"]
        );
        assert_eq!(
            split_steps("Bump to 2.0 and retest"),
            ["Bump to 2.0 and retest"]
        );
        assert!(split_steps(" \n ").is_empty());
        assert_eq!(one(r#"["a", " b "]"#).into_steps(), ["a", "b"]);
    }

    #[test]
    fn tool_arguments_take_either_form_and_name_the_field_otherwise() {
        use crate::args::{input_schema, parse};
        use crate::tools::patterns::extract_pattern::ExtractPatternArgs;
        use serde_json::json;
        let schema = input_schema::<ExtractPatternArgs>();
        let steps = &schema["properties"]["solution_steps"];
        assert_eq!(steps["type"], json!(["string", "array"]), "{steps}");
        assert_eq!(
            schema["properties"]["layers"]["type"],
            json!(["integer", "array"])
        );
        let a: ExtractPatternArgs = parse(json!({
            "solution_steps": "1. a\n2. b", "layers": 3.0, "workflows": "WF1,WF4",
        }))
        .unwrap();
        assert_eq!(a.solution_steps.into_steps(), ["a", "b"]);
        assert_eq!(a.layers.map(IntList::into_list), Some(vec![3]));
        assert_eq!(
            a.workflows.map(TextList::into_list),
            Some(vec!["WF1".into(), "WF4".into()])
        );
        let e = |args| parse::<ExtractPatternArgs>(args).unwrap_err().to_string();
        assert!(
            e(json!({"solution_steps": 5}))
                .contains("solution_steps must be a string or an array of strings, got 5")
        );
        assert!(
            e(json!({"layers": "4"})).contains("layers must be an integer or an array of integers")
        );
        assert!(e(json!({"tags": ["a", 1]})).contains("tags[1] must be a string"));
    }

    #[test]
    fn shapes_deserialise_from_either_form() {
        let t: TextList = serde_json::from_str(r#""a,b""#).unwrap();
        assert_eq!(t.into_list(), ["a", "b"]);
        let t: TextList = serde_json::from_str(r#"["a","b"]"#).unwrap();
        assert_eq!(t.into_list(), ["a", "b"]);
        let n: IntList = serde_json::from_str("3").unwrap();
        assert_eq!(n.into_list(), [3]);
        let n: IntList = serde_json::from_str("[1,3]").unwrap();
        assert_eq!(n.into_list(), [1, 3]);
    }
}
