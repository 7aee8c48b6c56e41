//! Small text measures the use cases share: cosine similarity of vectors
//! (re-exported from `ltmc_core::vector`),
//! distinctive terms (lower-cased words minus stop words) and their overlap,
//! sentence splitting, and the token estimate of context packing.
//!
//! Pure functions on strings and slices; no model, no store. Not a
//! tokenizer: the embedder's own tokenizer is not reachable through the
//! `Embedder` trait, so token counts here are estimates (see [`estimate_tokens`]).

use std::collections::BTreeSet;

/// Cosine similarity of two vectors; 0 when either is zero or their lengths
/// differ. The one copy in `ltmc_core::vector`, re-exported for the use cases.
pub use ltmc_core::vector::cosine;

/// English function words and code noise that say nothing about a topic.
const STOPWORDS: &[&str] = &[
    "about", "above", "after", "again", "against", "all", "also", "and", "any", "are", "because",
    "been", "before", "being", "below", "between", "both", "but", "can", "could", "did", "does",
    "doing", "down", "during", "each", "else", "few", "for", "from", "further", "had", "has",
    "have", "having", "her", "here", "hers", "him", "his", "how", "into", "its", "itself", "just",
    "let", "may", "might", "more", "most", "must", "not", "now", "off", "once", "only", "other",
    "our", "ours", "out", "over", "own", "same", "she", "should", "some", "such", "than", "that",
    "the", "their", "theirs", "them", "then", "there", "these", "they", "this", "those", "through",
    "too", "under", "until", "use", "used", "uses", "using", "very", "was", "were", "what", "when",
    "where", "which", "while", "who", "whom", "why", "will", "with", "would", "you", "your",
    "yours", "none", "null", "true", "false", "self", "return", "returns",
];

/// The distinctive terms of a text: lower-cased runs of letters, digits and
/// `_`, at least three characters, not all digits, not stop words.
pub fn terms(text: &str) -> BTreeSet<String> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| w.chars().count() >= 3 && !w.chars().all(|c| c.is_ascii_digit()))
        .map(str::to_lowercase)
        .filter(|w| !STOPWORDS.contains(&w.as_str()))
        .collect()
}

/// Terms two texts share, in alphabetical order, and their Jaccard overlap
/// (|shared| / |union|, 0 when both have no terms).
pub fn shared_terms(a: &BTreeSet<String>, b: &BTreeSet<String>) -> (Vec<String>, f32) {
    let shared: Vec<String> = a.intersection(b).cloned().collect();
    let union = a.len() + b.len() - shared.len();
    let jaccard = if union == 0 {
        0.0
    } else {
        shared.len() as f32 / union as f32
    };
    (shared, jaccard)
}

/// The sentences of a text, trimmed, in order: cut after `.`, `!` or `?`
/// followed by whitespace, and at every line break. Nothing is dropped
/// except the whitespace between sentences.
pub fn sentences(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let next_is_space = chars.peek().is_none_or(|&(_, n)| n.is_whitespace());
        let cut_after = match c {
            '\n' => Some(i),
            '.' | '!' | '?' if next_is_space => Some(i + c.len_utf8()),
            _ => None,
        };
        if let Some(end) = cut_after {
            let piece = text[start..end].trim();
            if !piece.is_empty() {
                out.push(piece);
            }
            start = i + c.len_utf8();
        }
    }
    let tail = text[start..].trim();
    if !tail.is_empty() {
        out.push(tail);
    }
    out
}

/// Estimated tokens of a text for a BERT-style or GPT-style tokenizer: the
/// larger of words × 4/3 (prose: about 0.75 words per token) and bytes / 4
/// (code and identifiers, which have few spaces), rounded up.
pub fn estimate_tokens(text: &str) -> usize {
    let words = text.split_whitespace().count();
    let by_words = (words * 4).div_ceil(3);
    let by_bytes = text.trim().len().div_ceil(4);
    by_words.max(by_bytes)
}

/// The longest prefix of `text` whose [`estimate_tokens`] is at most
/// `budget`, cut at a sentence end when one lies in the second half of that
/// prefix, else at a word boundary, else (one huge word) at a char boundary.
pub fn truncate_to_tokens(text: &str, budget: usize) -> &str {
    if estimate_tokens(text) <= budget {
        return text;
    }
    // Word ends: positions just after a non-space followed by a space.
    let mut word_ends: Vec<usize> = text
        .char_indices()
        .zip(text.chars().skip(1))
        .filter(|((_, c), next)| !c.is_whitespace() && next.is_whitespace())
        .map(|((i, c), _)| i + c.len_utf8())
        .collect();
    word_ends.push(text.len());
    // The estimate grows with the prefix, so the fitting word ends form a prefix of the list.
    let fitting = word_ends.partition_point(|&end| estimate_tokens(&text[..end]) <= budget);
    if fitting == 0 {
        let max_bytes = budget.saturating_mul(4).min(text.len());
        let mut cut = max_bytes;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        return &text[..cut];
    }
    let cut = word_ends[fitting - 1];
    let prefix = &text[..cut];
    let sentence_end = prefix
        .char_indices()
        .filter(|&(i, c)| {
            matches!(c, '.' | '!' | '?' | '\n')
                && prefix[i + c.len_utf8()..]
                    .chars()
                    .next()
                    .is_none_or(char::is_whitespace)
        })
        .map(|(i, c)| i + c.len_utf8())
        .next_back();
    match sentence_end {
        Some(end) if end * 2 >= cut => prefix[..end].trim_end(),
        _ => prefix.trim_end(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_drop_stop_words_short_words_and_numbers() {
        let t = terms("The Database connection_pool leaks; fix it in 2024 with a retry!");
        let t: Vec<&str> = t.iter().map(String::as_str).collect();
        assert_eq!(t, ["connection_pool", "database", "fix", "leaks", "retry"]);
    }

    #[test]
    fn shared_terms_and_jaccard() {
        let a = terms("database pool leak");
        let b = terms("database pool exhausted");
        let (shared, j) = shared_terms(&a, &b);
        assert_eq!(shared, ["database", "pool"]);
        assert!((j - 0.5).abs() < 1e-6);
        assert!(shared_terms(&terms(""), &terms("")).1.abs() < f32::EPSILON);
    }

    #[test]
    fn sentences_split_on_ends_and_lines() {
        assert_eq!(
            sentences("First one. Second? v1.2 stays whole!\nThird line\n\n  tail"),
            [
                "First one.",
                "Second?",
                "v1.2 stays whole!",
                "Third line",
                "tail"
            ]
        );
        assert!(sentences("  \n ").is_empty());
    }

    #[test]
    fn token_estimate() {
        assert_eq!(estimate_tokens(""), 0);
        assert_eq!(estimate_tokens("one two three"), 4);
        // A long identifier counts by bytes.
        assert_eq!(estimate_tokens(&"x".repeat(40)), 10);
    }

    #[test]
    fn truncation_fits_the_budget_at_a_boundary() {
        let text = "Alpha beta gamma. Delta epsilon zeta eta theta. Iota kappa lambda mu nu xi.";
        let cut = truncate_to_tokens(text, 12);
        assert!(estimate_tokens(cut) <= 12);
        assert!(text.starts_with(cut));
        assert!(cut.ends_with('.'), "{cut:?}");
        assert_eq!(truncate_to_tokens(text, 1000), text);
        let word = "é".repeat(100);
        let cut = truncate_to_tokens(&word, 5);
        assert!(estimate_tokens(cut) <= 5 && word.starts_with(cut));
    }
}
