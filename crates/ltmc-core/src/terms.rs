//! Query terms as both search halves see them: English function words, the
//! content words of a query (lowercased, Porter-stemmed like the store's
//! `porter unicode61` full-text tokenizer), and how many of them a text covers.
//!
//! Hybrid search uses the coverage, not BM25's raw score, to decide how much
//! a keyword match adds to a chunk's similarity: a chunk that shares one
//! everyday word with a question ("logged", "wrong") covers a small fraction
//! of it and cannot outvote the meaning, while a chunk that contains most of
//! the question's words gets the full boost, and one that contains the
//! identifier asked for (`parse_config_v17`) more still. It is Lucene's
//! coordination factor, computed on the few candidates a search returns.
//! Terms split at whitespace, and a term with inner punctuation is a phrase
//! of its tokens, as in the full-text query.
//!
//! Each term weighs by its rarity in the project ([`TermStats`], BM25's idf):
//! a chunk holding the one unusual name or error code of a question covers
//! most of it, a chunk holding its three everyday words little. Without
//! counts every term weighs the same. Not a tokenizer for the index: the
//! stores tokenize with their own engines and count with them.

use rust_stemmers::{Algorithm, Stemmer};
use std::collections::HashSet;

/// English function words, lowercase and sorted (checked by a test): the
/// usual search-engine stop list (Lucene's English set and the question
/// words), written out here because it is data, not a dependency.
pub const STOPWORDS: &[&str] = &[
    "a", "about", "after", "again", "all", "also", "am", "an", "and", "any", "are", "as", "at",
    "be", "been", "before", "being", "both", "but", "by", "can", "could", "did", "do", "does",
    "doing", "during", "each", "for", "from", "had", "has", "have", "having", "he", "her", "here",
    "hers", "him", "his", "how", "i", "if", "in", "into", "is", "it", "its", "just", "me", "more",
    "most", "my", "no", "nor", "not", "now", "of", "off", "on", "once", "only", "or", "other",
    "our", "ours", "out", "over", "own", "same", "she", "should", "so", "some", "such", "than",
    "that", "the", "their", "theirs", "them", "then", "there", "these", "they", "this", "those",
    "through", "to", "too", "under", "until", "up", "very", "was", "we", "were", "what", "when",
    "where", "which", "while", "who", "whom", "why", "will", "with", "would", "you", "your",
    "yours",
];

/// The most distinct terms of one query that search looks at; later ones are
/// ignored. A longer query is a pasted document, and every term costs a
/// posting-list merge in the store. Both stores and the coverage use it.
pub const MAX_TERMS: usize = 64;

/// Whether `word` (any case, surrounding punctuation ignored) is a function word.
pub fn is_stopword(word: &str) -> bool {
    let word = word
        .trim_matches(|c: char| !c.is_alphanumeric())
        .to_lowercase();
    STOPWORDS.binary_search(&word.as_str()).is_ok()
}

/// A query's terms as both search halves use them: split at whitespace and
/// control characters, those with a letter or digit, first spelling of each
/// (case-insensitive), function words left out unless nothing else remains
/// ("to be or not to be" keeps them all), at most [`MAX_TERMS`].
pub fn content_terms(query: &str) -> Vec<&str> {
    let mut seen = HashSet::new();
    let all: Vec<&str> = query
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|t| t.chars().any(char::is_alphanumeric))
        .filter(|t| seen.insert(t.to_lowercase()))
        .collect();
    let content: Vec<&str> = all.iter().copied().filter(|t| !is_stopword(t)).collect();
    let mut terms = if content.is_empty() { all } else { content };
    terms.truncate(MAX_TERMS);
    terms
}

/// How many chunks hold each of a query's terms, as a store counts them:
/// `documents[i]` for `content_terms(query)[i]` (a phrase for a term with
/// inner punctuation), among `chunks` in the project. A store may stop
/// counting at [`TermStats::CAP`]: past that a term is common, and its
/// weight is near the floor either way.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TermStats {
    pub chunks: u64,
    pub documents: Vec<u64>,
}

impl TermStats {
    /// The count at which stores stop counting a term's chunks: counting
    /// costs one posting-list step per chunk, and a term in 1,000 chunks
    /// weighs little next to a rare one (its idf is ln(1 + N/1000), against
    /// ln(1 + N) for a term in one chunk).
    pub const CAP: u64 = 1_000;

    /// BM25's idf of term `i`: `ln(1 + (N - df + 0.5) / (df + 0.5))`, where
    /// `N` is at least `df` (a store counting while another writes may see
    /// more chunks holding a term than it counted in all). A term the counts
    /// do not cover weighs 1.
    pub fn idf(&self, i: usize) -> f32 {
        let Some(&df) = self.documents.get(i) else {
            return 1.0;
        };
        let n = self.chunks.max(df) as f64;
        let df = df as f64;
        // A weight between 0 and ln(2^64): well inside f32.
        #[allow(clippy::cast_possible_truncation)]
        let idf = (1.0 + (n - df + 0.5) / (df + 0.5)).ln() as f32;
        idf
    }
}

/// The first two chars of a word, lowercased: the Porter stemmer only
/// rewrites suffixes and never touches them, so a word whose first two
/// chars match no term's cannot stem to one, and is not stemmed at all.
fn head(word: &str) -> [char; 2] {
    let mut chars = word.chars().flat_map(char::to_lowercase);
    [chars.next().unwrap_or('\0'), chars.next().unwrap_or('\0')]
}

/// Whether a query term is shaped like code rather than prose: an inner
/// `_`, `.`, `::`, `/`, `(` or `#`, a lower-to-upper case change
/// (`parseConfig`), or letters and digits mixed (`v17`, `IL6`). Such a term
/// names one thing; finding it is strong evidence, unlike an everyday word.
pub fn is_identifier(term: &str) -> bool {
    let term = term.trim_matches(|c: char| !c.is_alphanumeric());
    let chars: Vec<char> = term.chars().collect();
    let inner_mark = chars.windows(3).any(|w| {
        w[0].is_alphanumeric() && matches!(w[1], '_' | '.' | ':' | '/' | '(' | '#')
            || w[1] == ':' && w[2] == ':'
    });
    let camel = chars
        .windows(2)
        .any(|w| w[0].is_lowercase() && w[1].is_uppercase());
    let mixed = chars.iter().any(|c| c.is_alphabetic()) && chars.iter().any(char::is_ascii_digit);
    inner_mark || camel || mixed
}

/// One whitespace-separated term of a query: its stemmed tokens (a phrase
/// when the term is `parse_config_v17`, as in the full-text query) and its shape.
struct Term {
    tokens: Vec<String>,
    identifier: bool,
    /// The term's share of the query, by rarity; all shares sum to 1.
    share: f32,
}

/// How much of a query a text holds: the shares of the query's terms it
/// contains (each term's share is its rarity over the query's total), split
/// by shape. `words + identifiers` is at most 1.
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize)]
pub struct Coverage {
    pub words: f32,
    pub identifiers: f32,
}

/// The content terms of a query, stemmed, for measuring how much of it a text covers.
pub struct QueryTerms {
    terms: Vec<Term>,
    heads: HashSet<[char; 2]>,
    stemmer: Stemmer,
}

impl QueryTerms {
    /// The query's distinct whitespace-separated terms that are not function
    /// words (all of them when it has nothing else: "to be or not to be"),
    /// each weighing the same.
    pub fn new(query: &str) -> Self {
        Self::weighted(query, &TermStats::default())
    }

    /// The same terms, each weighing its idf in `stats` (counted by the
    /// store for this query's `content_terms`).
    pub fn weighted(query: &str, stats: &TermStats) -> Self {
        let stemmer = Stemmer::create(Algorithm::English);
        let mut terms: Vec<Term> = content_terms(query)
            .into_iter()
            .enumerate()
            .map(|(i, t)| Term {
                tokens: t
                    .split(|c: char| !c.is_alphanumeric())
                    .filter(|w| !w.is_empty())
                    .map(|w| stemmer.stem(&w.to_lowercase()).into_owned())
                    .collect(),
                identifier: is_identifier(t),
                share: stats.idf(i).max(f32::MIN_POSITIVE),
            })
            .collect();
        let total: f32 = terms.iter().map(|t| t.share).sum();
        for term in &mut terms {
            term.share /= total;
        }
        let heads = terms
            .iter()
            .flat_map(|t| t.tokens.iter().map(|w| head(w)))
            .collect();
        Self {
            terms,
            heads,
            stemmer,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// Which of the query's terms occur in `text` (a multi-token term as a
    /// phrase), as fractions of all its terms; zero for an empty query.
    pub fn coverage(&self, text: &str) -> Coverage {
        if self.terms.is_empty() {
            return Coverage::default();
        }
        // The text's tokens, stemmed where they could match a query token.
        let mut lower = String::new();
        let stems: Vec<Option<String>> = text
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(|w| {
                self.heads.contains(&head(w)).then(|| {
                    lower.clear();
                    lower.extend(w.chars().flat_map(char::to_lowercase));
                    self.stemmer.stem(&lower).into_owned()
                })
            })
            .collect();
        let mut coverage = Coverage::default();
        for term in &self.terms {
            let n = term.tokens.len();
            let found = n > 0
                && stems.windows(n).any(|window| {
                    window
                        .iter()
                        .zip(&term.tokens)
                        .all(|(stem, token)| stem.as_deref() == Some(token.as_str()))
                });
            if found {
                if term.identifier {
                    coverage.identifiers += term.share;
                } else {
                    coverage.words += term.share;
                }
            }
        }
        coverage
    }
}

#[cfg(test)]
#[allow(clippy::float_cmp)] // coverages are small exact fractions (k / n)
mod tests {
    use super::*;

    #[test]
    fn stopwords_are_sorted_lowercase_and_unique() {
        assert!(STOPWORDS.windows(2).all(|w| w[0] < w[1]));
        assert!(STOPWORDS.iter().all(|w| *w == w.to_lowercase()));
        assert!(is_stopword("(The"));
        assert!(is_stopword("WHAT"));
        assert!(!is_stopword("pool"));
    }

    fn words(q: &QueryTerms, text: &str) -> f32 {
        q.coverage(text).words
    }

    #[test]
    fn coverage_counts_stemmed_content_words() {
        let q = QueryTerms::new("Why were the connections exhausted?");
        // connections -> connect, exhausted -> exhaust; "why were the" dropped.
        assert_eq!(words(&q, "The pool was exhausted."), 0.5);
        assert_eq!(
            words(
                &q,
                "Each request opened a connection; the pool ran dry and was exhausted"
            ),
            1.0
        );
        assert_eq!(words(&q, "Nothing relevant here"), 0.0);
        assert_eq!(words(&q, ""), 0.0);
        assert_eq!(q.coverage("exhausted").identifiers, 0.0);
    }

    #[test]
    fn identifiers_match_as_phrases_and_count_apart() {
        let q = QueryTerms::new("parse_config_v17");
        let exact = q.coverage("budget = parse_config_v17(request.host)");
        assert_eq!(
            exact,
            Coverage {
                words: 0.0,
                identifiers: 1.0
            }
        );
        // The same tokens, not in that order or not adjacent, are not the identifier.
        assert_eq!(
            q.coverage("def parse_config_v16(path): parse_config(path, version=17)"),
            Coverage::default()
        );
        let q = QueryTerms::new("UNIQUE constraint failed: ResourceChunks.vector_id");
        let c = q.coverage("sqlite said UNIQUE constraint failed: ResourceChunks.vector_id");
        assert_eq!(
            c,
            Coverage {
                words: 0.75,
                identifiers: 0.25
            }
        );
        assert_eq!(q.coverage("a unique id").words, 0.25);
    }

    #[test]
    fn identifier_shapes() {
        for term in [
            "parse_config",
            "v17",
            "IL6",
            "parseConfig",
            "foo::bar",
            "a.b",
            "src/main.rs",
            "f(x)",
            "(ResourceChunks.vector_id)",
        ] {
            assert!(is_identifier(term), "{term}");
        }
        for term in [
            "pool",
            "Redis",
            "HTTPS",
            "key-value",
            "don't",
            "e",
            "",
            "(pool),",
            "1999",
        ] {
            assert!(!is_identifier(term), "{term}");
        }
    }

    /// The prefilter must never skip a word that stems to a term: checked on
    /// every word of a varied English text against stemming it outright.
    #[test]
    fn head_prefilter_agrees_with_stemming() {
        let stemmer = Stemmer::create(Algorithm::English);
        let text = "relational conditional rational valency hesitancy digitizer conformably \
            radically differently vilely analogously vietnamization predication operator \
            feudalism decisiveness hopefulness callousness formality sensitivity sensibility \
            triplicate formative formalize electricity electrical hopeful goodness revival \
            allowance inference airliner gyroscopic adjustable defensible irritant replacement \
            adjustment dependent adoption homologou communism activate angularity homologous \
            effective bowdlerize probate rate cease controll roll happy sky ties caresses ponies \
            cats feed agreed plastered bled motoring sing conflated troubled sized hopping \
            tanned falling hissing fizzed failing filing ya yy y i a ab abc Émile ÉCOLE ÀB";
        for word in text.split_whitespace() {
            let lower = word.to_lowercase();
            let stem = stemmer.stem(&lower);
            assert_eq!(head(&stem), head(word), "{word} -> {stem}");
        }
    }

    #[test]
    fn rare_terms_weigh_more() {
        let query = "what broke with ORA-01017 on the billing deploy";
        // broke, ORA-01017, billing, deploy: 1000 chunks; the code in one,
        // the everyday words in hundreds.
        let stats = TermStats {
            chunks: 1000,
            documents: vec![300, 1, 200, 400],
        };
        let q = QueryTerms::weighted(query, &stats);
        let rare = q.coverage("ORA-01017: invalid username/password after the rotation");
        let common = q.coverage("the billing deploy broke after the migration");
        assert!(rare.identifiers > 0.5, "{rare:?}");
        assert!(
            rare.identifiers > common.words,
            "{rare:?} against {common:?}"
        );
        // Without counts each of the four terms is a quarter.
        let flat = QueryTerms::new(query);
        assert_eq!(flat.coverage("ORA-01017").identifiers, 0.25);
        assert_eq!(flat.coverage("the billing deploy broke").words, 0.75);
        // Shares sum to one: everything covered is full coverage.
        let all = q.coverage("ORA-01017 broke the billing deploy");
        assert!((all.words + all.identifiers - 1.0).abs() < 1e-6, "{all:?}");
    }

    #[test]
    fn idf_is_bm25s_and_tolerates_odd_counts() {
        let stats = TermStats {
            chunks: 10,
            documents: vec![0, 1, 10, 20],
        };
        assert!((stats.idf(1) - (1.0f32 + 9.5 / 1.5).ln()).abs() < 1e-6);
        assert!(stats.idf(0) > stats.idf(1));
        assert!(stats.idf(2) > 0.0 && stats.idf(2) < stats.idf(1));
        // More chunks holding a term than counted in all: N is taken as df.
        assert!((stats.idf(3) - (1.0f32 + 0.5 / 20.5).ln()).abs() < 1e-6);
        // A term without a count weighs 1.
        assert_eq!(stats.idf(9), 1.0);
        assert_eq!(TermStats::default().idf(0), 1.0);
    }

    #[test]
    fn queries_keep_at_most_max_terms() {
        let words: Vec<String> = (0..MAX_TERMS + 5).map(|i| format!("w{i}")).collect();
        assert_eq!(content_terms(&words.join(" ")).len(), MAX_TERMS);
    }

    #[test]
    fn function_word_queries_keep_their_words() {
        let q = QueryTerms::new("to be or not to be");
        assert!(!q.is_empty());
        assert_eq!(words(&q, "not to be"), 0.75);
        assert!(QueryTerms::new("?!").is_empty());
        assert_eq!(
            QueryTerms::new("?!").coverage("anything"),
            Coverage::default()
        );
    }
}
