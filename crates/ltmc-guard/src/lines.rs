//! Byte offsets to 1-based lines and columns, and what a match's location is.
//!
//! Columns count characters (Unicode code points), as SARIF's
//! `unicodeCodePoints` column kind does; end columns are exclusive (one past
//! the last character). Not here: which rule matched or how it is reported.

use regex::Regex;

/// Where each line of a text starts, built only for texts that have a match.
pub(crate) struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i + 1),
        );
        Self { text, starts }
    }

    /// The 1-based line and character column of a byte offset (a char boundary).
    pub(crate) fn position(&self, offset: usize) -> (usize, usize) {
        let line = self.starts.partition_point(|&s| s <= offset);
        let start = self.starts[line - 1];
        let column = self.text[start..offset].chars().count() + 1;
        (line, column)
    }

    /// The text of a 1-based line, without its line break.
    pub(crate) fn line(&self, line: usize) -> &'a str {
        let start = self.starts[line - 1];
        let end = self
            .starts
            .get(line)
            .map_or(self.text.len(), |&next| next - 1);
        let text = &self.text[start..end.max(start)];
        text.strip_suffix('\r').unwrap_or(text)
    }
}

/// The spans a rule reports in `text`: every non-empty match, narrowed to its
/// non-blank part. An empty match has nothing to show, and narrowing keeps a
/// pattern's leading `\s*` (which may start on a blank line above) from
/// pointing at the wrong line. A match that is all blanks keeps its span.
pub(crate) fn spans<'r, 't>(
    regex: &'r Regex,
    text: &'t str,
) -> impl Iterator<Item = (usize, usize)> + use<'r, 't> {
    regex
        .find_iter(text)
        .filter(|m| !m.is_empty())
        .map(move |m| narrow(text, m.start(), m.end()))
}

fn narrow(text: &str, start: usize, end: usize) -> (usize, usize) {
    let matched = &text[start..end];
    let head = matched.trim_start();
    if head.is_empty() {
        return (start, end);
    }
    let new_start = end - head.len();
    (new_start, new_start + head.trim_end().len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_and_count_characters() {
        let text = "ab\nçé x\r\nlast";
        let idx = LineIndex::new(text);
        let check = |offset: usize, want: (usize, usize)| assert_eq!(idx.position(offset), want);
        check(0, (1, 1));
        check(2, (1, 3));
        check(3, (2, 1));
        // "çé " is 5 bytes and 3 characters.
        check(3 + 5, (2, 4));
        check(text.len(), (3, 5));
        assert_eq!(idx.line(1), "ab");
        assert_eq!(idx.line(2), "çé x");
        assert_eq!(idx.line(3), "last");
    }

    #[test]
    fn empty_text_has_one_empty_line() {
        let idx = LineIndex::new("");
        assert_eq!(idx.position(0), (1, 1));
        assert_eq!(idx.line(1), "");
    }

    #[test]
    fn spans_skip_empty_matches_and_trim_blanks() {
        let check = |pattern: &str, text: &str, want: &[(usize, usize)]| {
            let regex = Regex::new(pattern).unwrap();
            assert_eq!(spans(&regex, text).collect::<Vec<_>>(), want, "{pattern}");
        };
        check("x*", "abc", &[]);
        check(r"(?m)^\s*return\b", "a\n\n    return 1", &[(7, 13)]);
        check(r"b\s*\n", "ab  \nc", &[(1, 2)]);
        check(r"[ \t]+$", "a  ", &[(1, 3)]);
    }
}
