//! The lossless chunker: splits a text into ordered, possibly overlapping byte
//! spans that together cover every byte of it, each no longer than
//! `max_bytes`, cut where a reader would cut (after a sentence, a paragraph,
//! a line, a word) and hard-split on a char boundary only when nothing better
//! is in reach.
//!
//! It is not a tokenizer: it works in UTF-8 bytes and never counts model
//! tokens, so the default size is a byte budget chosen to fit the embedding
//! model's window with room to spare (see [`ChunkConfig::default`]). It is not
//! grapheme-aware either: a cut is always on a char boundary and never inside
//! a `"\r\n"` pair, but may fall between a base char and its combining mark
//! when a long run offers no whitespace. It returns spans, not strings, so the
//! caller keeps the text and can store each chunk's offsets.
//!
//! The originals dropped everything after the last `.`/`!`/`?` and returned
//! no chunks at all for long unpunctuated text; here coverage is a property
//! of the loop itself, not of the punctuation, and is checked by property tests.

use crate::error::CoreError;

/// Below this a window cannot promise both a 4-byte char and the
/// "cut somewhere in the second half" rule that bounds the chunk count.
const MIN_MAX_BYTES: usize = 16;

/// How big chunks are and how much consecutive chunks share.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChunkConfig {
    /// The longest a chunk may be, in bytes.
    pub max_bytes: usize,
    /// About how many bytes of the previous chunk the next one repeats, so a
    /// sentence cut at a chunk edge is still whole in one of the two.
    pub overlap_bytes: usize,
}

impl Default for ChunkConfig {
    /// 800 bytes with 120 bytes (15%) overlap, sized for all-MiniLM-L6-v2,
    /// which reads 256 word pieces, 254 after `[CLS]`/`[SEP]`. English prose
    /// runs about 4–5 bytes per word piece, so 800 bytes is about 170–200
    /// pieces; code and identifiers split finer (about 3 bytes per piece), and
    /// 800 bytes of them still mostly fits where 1000 would be cut off. The
    /// model silently ignores what does not fit, so erring small costs a few
    /// more vectors while erring large makes text unsearchable.
    fn default() -> Self {
        Self {
            max_bytes: 800,
            overlap_bytes: 120,
        }
    }
}

impl ChunkConfig {
    /// Rejects sizes that could not make progress or would mostly repeat.
    pub fn validate(&self) -> Result<(), CoreError> {
        if self.max_bytes < MIN_MAX_BYTES {
            return Err(CoreError::invalid(
                "chunk.max_bytes",
                format!(
                    "{} is too small; use at least {MIN_MAX_BYTES} (the default is {})",
                    self.max_bytes,
                    Self::default().max_bytes
                ),
            ));
        }
        if self.overlap_bytes.saturating_mul(2) >= self.max_bytes {
            return Err(CoreError::invalid(
                "chunk.overlap_bytes",
                format!(
                    "{} must be less than half of chunk.max_bytes ({}); use at most {}",
                    self.overlap_bytes,
                    self.max_bytes,
                    (self.max_bytes - 1) / 2
                ),
            ));
        }
        Ok(())
    }

    /// The nearest valid config: `chunk_text` must never loop or lose text,
    /// even when a caller skipped `validate`.
    fn clamped(self) -> Self {
        let max_bytes = self.max_bytes.max(MIN_MAX_BYTES);
        Self {
            max_bytes,
            overlap_bytes: self.overlap_bytes.min((max_bytes - 1) / 2),
        }
    }
}

/// One chunk: the byte range `start..end` of the chunked text, always on char
/// boundaries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChunkSpan {
    pub start: usize,
    pub end: usize,
}

/// How good a cut is; later variants win.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Break {
    /// Any char boundary: only for a word or line longer than the window.
    Char,
    Space,
    /// After a newline: keeps lines of code whole.
    Line,
    /// After a blank line.
    Paragraph,
    /// After a sentence end and the whitespace that follows it, which is
    /// often also a line or paragraph end; it beats a bare blank line so that
    /// a heading stays with the text under it.
    Sentence,
}

/// Splits `text` into spans that cover it exactly: the first starts at 0, the
/// last ends at `text.len()`, each starts after the previous start and at or
/// before the previous end, and none is empty or longer than `max_bytes`.
/// Empty text gives no spans; whitespace is kept like any other text.
///
/// An invalid config is clamped to the nearest valid one rather than refused,
/// so this never fails; callers should run [`ChunkConfig::validate`] first.
pub fn chunk_text(text: &str, config: &ChunkConfig) -> Vec<ChunkSpan> {
    let ChunkConfig {
        max_bytes,
        overlap_bytes,
    } = config.clamped();
    // Every cut but the last lands in the second half of its window and the
    // next chunk starts less than half a window before it, so each chunk ends
    // at least `max_bytes.div_ceil(2) - overlap_bytes` bytes further on.
    let min_len = max_bytes.div_ceil(2);
    let mut spans = Vec::with_capacity(text.len() / (min_len - overlap_bytes) + 1);
    let mut start = 0;
    while start < text.len() {
        if text.len() - start <= max_bytes {
            spans.push(ChunkSpan {
                start,
                end: text.len(),
            });
            break;
        }
        let end = best_cut(text, start, start + min_len, start + max_bytes);
        spans.push(ChunkSpan { start, end });
        start = overlap_start(text, end, overlap_bytes);
    }
    spans
}

/// The best cut in `lo..=hi`, the latest one among equals so chunks are as
/// full as their best break allows. One forward pass from `start`, so the
/// whole text is chunked in time linear in its length.
fn best_cut(text: &str, start: usize, lo: usize, hi: usize) -> usize {
    // The hard split at the end of the window is always valid, so there is
    // always an answer even if nothing in the window reads as a break.
    let mut best = (Break::Char, valid_cut_at_or_before(text, hi));
    // Sentence state carries across whitespace: a terminator (perhaps closed
    // by a quote or bracket) followed by nothing but whitespace so far.
    let mut terminated = false;
    let mut newlines_in_run = 0;
    for (i, c) in text[start..].char_indices() {
        let p = start + i + c.len_utf8();
        if p > hi {
            break;
        }
        if c == '\n' {
            newlines_in_run += 1;
        } else if !c.is_whitespace() {
            newlines_in_run = 0;
            terminated = is_terminator(c) || (terminated && is_closer(c));
        }
        if p < lo {
            continue;
        }
        let next = text[p..].chars().next();
        if let Some(class) = classify(c, next, terminated, newlines_in_run)
            && class >= best.0
        {
            best = (class, p);
        }
    }
    best.1
}

/// The kind of break a cut right after `c` (and before `next`) would be, or
/// `None` where no cut may go.
fn classify(
    c: char,
    next: Option<char>,
    terminated: bool,
    newlines_in_run: usize,
) -> Option<Break> {
    if c == '\r' && next == Some('\n') {
        return None;
    }
    // CJK prose puts no space after its full stops, so the mark alone ends a sentence.
    if matches!(c, '。' | '！' | '？') {
        return Some(Break::Sentence);
    }
    if !c.is_whitespace() {
        return Some(Break::Char);
    }
    let after_newline = c == '\n';
    // Inside a whitespace run only two cuts are real breaks: right after a
    // newline (the next line keeps its indentation) and the end of a run that
    // stays on one line. Anywhere else would split indentation or spacing.
    if !after_newline && (next.is_some_and(char::is_whitespace) || newlines_in_run > 0) {
        return Some(Break::Space);
    }
    Some(if terminated {
        Break::Sentence
    } else if after_newline && newlines_in_run >= 2 {
        Break::Paragraph
    } else if after_newline {
        Break::Line
    } else {
        Break::Space
    })
}

fn is_terminator(c: char) -> bool {
    matches!(c, '.' | '!' | '?' | '。' | '！' | '？')
}

/// Closing marks that may follow a terminator without ending the sentence
/// state: `He said "stop." Then` still ends a sentence after the quote.
fn is_closer(c: char) -> bool {
    matches!(c, '"' | '\'' | ')' | ']' | '”' | '’' | '」' | '』' | '）')
}

/// Where the chunk after one ending at `end` starts: about `overlap` bytes
/// back, moved forward to the first word or line start so the chunk does not
/// open mid-word. With no such start in reach it opens mid-word: the overlap
/// is for context, and a long unbroken word has no better place.
fn overlap_start(text: &str, end: usize, overlap: usize) -> usize {
    let mut target = end - overlap;
    while !text.is_char_boundary(target) {
        target += 1;
    }
    if splits_crlf(text, target) {
        target += 1;
    }
    let mut prev = text[..target].chars().next_back();
    for (i, c) in text[target..end].char_indices() {
        if let Some(p) = prev
            && p.is_whitespace()
            && (p == '\n' || !c.is_whitespace())
        {
            return target + i;
        }
        prev = Some(c);
    }
    target
}

/// The last char boundary at or before `i` that is not inside a `"\r\n"`.
fn valid_cut_at_or_before(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    if splits_crlf(text, i) {
        i -= 1;
    }
    i
}

fn splits_crlf(text: &str, i: usize) -> bool {
    let bytes = text.as_bytes();
    i > 0 && bytes[i - 1] == b'\r' && bytes.get(i) == Some(&b'\n')
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn cfg(max_bytes: usize, overlap_bytes: usize) -> ChunkConfig {
        ChunkConfig {
            max_bytes,
            overlap_bytes,
        }
    }

    /// Every rule a span list must obey, whatever the text; the one place
    /// the contract is written down as code.
    fn assert_invariants(text: &str, config: &ChunkConfig, spans: &[ChunkSpan]) {
        if text.is_empty() {
            assert!(spans.is_empty(), "empty text gave {spans:?}");
            return;
        }
        assert_eq!(spans[0].start, 0, "{spans:?}");
        assert_eq!(spans.last().unwrap().end, text.len(), "{spans:?}");
        for s in spans {
            assert!(s.start < s.end, "empty span {s:?}");
            assert!(
                s.end - s.start <= config.max_bytes,
                "span {s:?} over {}",
                config.max_bytes
            );
            for i in [s.start, s.end] {
                assert!(
                    text.is_char_boundary(i),
                    "{i} is not a char boundary in {s:?}"
                );
                assert!(!splits_crlf(text, i), "{i} splits a CRLF in {s:?}");
            }
        }
        for w in spans.windows(2) {
            assert!(w[1].start > w[0].start, "no progress: {w:?}");
            assert!(w[1].start <= w[0].end, "gap: {w:?}");
            assert!(w[1].end > w[0].end, "contained span: {w:?}");
            assert!(
                w[0].end - w[1].start <= config.overlap_bytes,
                "overlap too long: {w:?}"
            );
        }
        // Each span minus what the previous one already had: together, the text.
        let mut rebuilt = String::with_capacity(text.len());
        let mut covered = 0;
        for s in spans {
            rebuilt.push_str(&text[covered.max(s.start)..s.end]);
            covered = s.end;
        }
        assert_eq!(rebuilt, text);
        // Bounded chunk count: each non-final span moves the end this far.
        let step = config.max_bytes.div_ceil(2) - config.overlap_bytes;
        assert!(
            spans.len() <= text.len() / step + 1,
            "{} spans",
            spans.len()
        );
    }

    /// `expected` lists the chunks joined by `|` (no test text contains one).
    fn check(text: &str, config: ChunkConfig, expected: &str) {
        let spans = chunk_text(text, &config);
        assert_invariants(text, &config, &spans);
        let got: Vec<&str> = spans.iter().map(|s| &text[s.start..s.end]).collect();
        assert_eq!(got.join("|"), expected, "text: {text:?}");
    }

    // The case tables below are kept one case per line: rustfmt would spread
    // each call over five lines and hide the table.

    #[test]
    #[rustfmt::skip]
    fn short_and_boundary_texts() {
        check("", cfg(16, 0), "");
        check("   \n\t ", cfg(16, 0), "   \n\t ");
        check("Hello world.", cfg(16, 0), "Hello world.");
        check("exactly sixteen!", cfg(16, 0), "exactly sixteen!");
        check("exactly seventeen", cfg(16, 0), "exactly |seventeen");
        check("no trailing stop here", cfg(16, 0), "no trailing |stop here");
    }

    #[test]
    #[rustfmt::skip]
    fn prefers_sentences_then_paragraphs_then_lines_then_words() {
        // A sentence end before the window's second half does not count.
        check("One. Two three four five", cfg(16, 0), "One. Two three |four five");
        check("Yes it is. Ok then go", cfg(16, 0), "Yes it is. |Ok then go");
        check("Is it? Yes it is. Ok", cfg(18, 0), "Is it? Yes it is. |Ok");
        check("He said \"no.\" Then left", cfg(16, 0), "He said \"no.\" |Then left");
        // A heading stays with the text under it.
        check("It is done.\n\n# Title\n\nbody", cfg(24, 0), "It is done.\n\n|# Title\n\nbody");
        check("# Title\n\nbody text here", cfg(16, 0), "# Title\n\n|body text here");
        check("line one\nline two\nline three", cfg(20, 0), "line one\nline two\n|line three");
        check("x.y a.b c.d e.f g.h i.j", cfg(16, 0), "x.y a.b c.d e.f |g.h i.j");
    }

    #[test]
    #[rustfmt::skip]
    fn hard_splits_what_has_no_break() {
        check("abcdefghijklmnopqrstuvwxyz", cfg(16, 0), "abcdefghijklmnop|qrstuvwxyz");
        check("abcdefghijklmnopqrstuvwxyz", cfg(16, 4), "abcdefghijklmnop|mnopqrstuvwxyz");
        check("ab cdefghijklmnopqrstuvwxyz", cfg(16, 0), "ab cdefghijklmno|pqrstuvwxyz");
    }

    #[test]
    #[rustfmt::skip]
    fn multibyte_chars_are_never_split() {
        check("日本語のテキストです", cfg(16, 0), "日本語のテ|キストです");
        check("雨です。晴れです。", cfg(16, 0), "雨です。|晴れです。");
        check("😀😀😀😀😀", cfg(16, 0), "😀😀😀😀|😀");
        check("a😀😀😀😀😀", cfg(16, 0), "a😀😀😀|😀😀");
    }

    #[test]
    #[rustfmt::skip]
    fn crlf_is_one_line_break() {
        check("aaaaaaaaaaaaaa\r\nbb", cfg(16, 0), "aaaaaaaaaaaaaa\r\n|bb");
        check("aaaaaaaaaaaaaaa\r\nb", cfg(16, 0), "aaaaaaaaaaaaaaa|\r\nb");
        check("aaaaaaaaaaaaaa\r\nbbbbbbbbb", cfg(16, 1), "aaaaaaaaaaaaaa\r\n|bbbbbbbbb");
        check("para one\r\n\r\npara two", cfg(16, 0), "para one\r\n\r\n|para two");
        check("xxxxxxxxxxxxxxx\r\nyyyyyyyyyyyy", cfg(16, 4), "xxxxxxxxxxxxxxx|xxxx\r\nyyyyyyyyyy|yyyyyy");
    }

    #[test]
    #[rustfmt::skip]
    fn code_is_cut_at_lines_and_keeps_indentation() {
        let code = "fn a() {\n    x();\n}\n\nfn b() {\n    y();\n}\n";
        check(code, cfg(24, 0), "fn a() {\n    x();\n}\n\n|fn b() {\n    y();\n}\n");
        check(code, cfg(16, 0), "fn a() {\n|    x();\n}\n\n|fn b() {\n|    y();\n}\n");
    }

    #[test]
    #[rustfmt::skip]
    fn overlap_snaps_forward_to_a_word_or_line() {
        check("alpha beta gamma delta epsilon", cfg(20, 9), "alpha beta gamma |gamma delta epsilon");
        check("one two three four five six", cfg(16, 7), "one two three |three four five |five six");
        check("aaaa\nbbbb\ncccc\ndddd\neeee", cfg(16, 6), "aaaa\nbbbb\ncccc\n|cccc\ndddd\neeee");
    }

    #[test]
    fn invalid_configs_are_refused_and_clamped() {
        assert_eq!(ChunkConfig::default().validate(), Ok(()));
        assert_eq!(cfg(16, 7).validate(), Ok(()));
        assert!(matches!(
            cfg(15, 0).validate(),
            Err(CoreError::Invalid {
                field: "chunk.max_bytes",
                ..
            })
        ));
        assert!(matches!(
            cfg(16, 8).validate(),
            Err(CoreError::Invalid {
                field: "chunk.overlap_bytes",
                ..
            })
        ));
        assert!(cfg(100, usize::MAX).validate().is_err());
        // Clamped rather than looping or dropping text.
        let text = "word ".repeat(50);
        for bad in [cfg(0, 0), cfg(1, 5), cfg(16, 16), cfg(20, usize::MAX)] {
            assert_invariants(&text, &bad.clamped(), &chunk_text(&text, &bad));
        }
    }

    #[test]
    fn long_text_without_punctuation_is_fully_covered() {
        let words = ["memory", "agent", "vector", "index", "chunk", "store"];
        let text: String = (0..3500)
            .map(|i| words[i % words.len()])
            .collect::<Vec<_>>()
            .join(" ");
        assert!(text.len() >= 20_000);
        let config = ChunkConfig::default();
        let spans = chunk_text(&text, &config);
        assert_invariants(&text, &config, &spans);
        assert!(spans.len() >= text.len() / config.max_bytes);
        // Every cut but the hard ones lands after a space.
        assert!(
            spans[..spans.len() - 1]
                .iter()
                .all(|s| text[..s.end].ends_with(' '))
        );
    }

    #[test]
    fn huge_unbroken_inputs_stay_linear() {
        let config = ChunkConfig::default();
        for text in [
            " ".repeat(1 << 20),
            "x".repeat(1 << 20),
            "\r\n".repeat(1 << 19),
        ] {
            assert_invariants(&text, &config, &chunk_text(&text, &config));
        }
    }

    fn any_config() -> impl Strategy<Value = ChunkConfig> {
        // Small windows half the time: that is where edges meet CRLFs and wide chars.
        prop_oneof![MIN_MAX_BYTES..40, MIN_MAX_BYTES..300]
            .prop_flat_map(|max| (0..=(max - 1) / 2).prop_map(move |o| cfg(max, o)))
    }

    fn any_text() -> impl Strategy<Value = String> {
        prop::collection::vec(any::<char>(), 0..800).prop_map(String::from_iter)
    }

    /// Text built from the pieces the chunker cares about, so breaks of every
    /// kind, CRLFs and multibyte chars meet the window edges often.
    fn wordy_text() -> impl Strategy<Value = String> {
        let pieces = prop::sample::select(vec![
            "the",
            "agent",
            "remembers",
            "x.y",
            "fn()",
            "λ",
            "日本",
            "😀",
            "é",
            ".",
            "!",
            "?",
            "。",
            "\"",
            ")",
            " ",
            " ",
            " ",
            "  ",
            "\t",
            "\n",
            "\n\n",
            "\r\n",
            "\r\n\r\n",
            "\r",
        ]);
        prop::collection::vec(pieces, 0..400).prop_map(|v| v.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn arbitrary_unicode_is_covered(text in any_text(), config in any_config()) {
            let spans = chunk_text(&text, &config);
            assert_invariants(&text, &config, &spans);
            prop_assert_eq!(spans, chunk_text(&text, &config));
        }

        #[test]
        fn wordy_text_is_covered(text in wordy_text(), config in any_config()) {
            let spans = chunk_text(&text, &config);
            assert_invariants(&text, &config, &spans);
            prop_assert_eq!(spans, chunk_text(&text, &config));
        }
    }
}
