//! Free text to an FTS5 MATCH expression that can never be a syntax error.
//!
//! Every whitespace-separated term becomes one FTS5 string (double-quoted,
//! inner quotes doubled), so nothing a user types is FTS5 syntax: `AND`,
//! `NEAR(`, `*`, `^`, `col:` are words or nothing. A quoted string is a phrase
//! of the tokens the table's tokenizer finds in it, which is why an identifier
//! such as `parse_config_v2` or `ResourceChunks.vector_id` matches as written.
//! Terms are joined with OR, so BM25 ranks chunks that match more, and rarer,
//! terms higher, and one missing word does not empty the answer.
//!
//! English function words ("what", "was", "how", "the") are dropped unless
//! the query has nothing else: joined with OR they match nearly every chunk,
//! and in a small store their IDF is not low enough to keep a question's
//! "what was" from outranking the chunk that answers it.
//!
//! Pure string work: no SQL runs here outside the tests, and tokenizing,
//! stemming and case folding are the table's tokenizer's (migration 0002).

#[cfg(test)]
use ltmc_core::terms::MAX_TERMS;
use ltmc_core::terms::content_terms;

/// Each content term of `query` as a MATCH expression of its own, in order
/// (one quoted string: a phrase of its tokens), for counting the chunks that
/// hold it; the terms `match_expression` joins.
pub(crate) fn term_expressions(query: &str) -> Vec<String> {
    content_terms(query).into_iter().map(quote).collect()
}

/// One term as an FTS5 string: double-quoted, inner quotes doubled.
fn quote(term: &str) -> String {
    format!("\"{}\"", term.replace('"', "\"\""))
}

/// `query` as a MATCH expression, or `None` when no term of it has a letter
/// or digit (nothing could match, and an empty expression is an FTS5 error).
pub(crate) fn match_expression(query: &str) -> Option<String> {
    // FTS5 reads the expression as a C string: a NUL would end it inside a
    // quoted term ("unterminated string"); `content_terms` splits at control
    // characters, so none survives.
    let quoted = term_expressions(query);
    (!quoted.is_empty()).then(|| quoted.join(" OR "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::Connection;

    fn check(query: &str, expected: Option<&str>) {
        assert_eq!(match_expression(query).as_deref(), expected, "{query:?}");
    }

    #[test]
    fn expressions() {
        check("rare", Some(r#""rare""#));
        check("two words", Some(r#""two" OR "words""#));
        check("", None);
        check(" \t\n ", None);
        check(r#"""#, None);
        check("* ( ) - + ^ : , {}", None);
        check("AND OR NOT", Some(r#""AND" OR "OR" OR "NOT""#));
        check("AND OR NOT NEAR", Some(r#""NEAR""#));
        check(
            "What was the fix for the pool?",
            Some(r#""fix" OR "pool?""#),
        );
        check(
            "to be or not to be",
            Some(r#""to" OR "be" OR "or" OR "not""#),
        );
        check("NEAR(", Some(r#""NEAR(""#));
        check("NEAR(a b, 2)", Some(r#""NEAR(a" OR "b," OR "2)""#));
        check("text:foo", Some(r#""text:foo""#));
        check("pre*", Some(r#""pre*""#));
        check(r#"say "hi""#, Some(r#""say" OR """hi""""#));
        check(r#"a"b"c"#, Some(r#""a""b""c""#));
        check("parse_config_v2", Some(r#""parse_config_v2""#));
        check("foo::bar()", Some(r#""foo::bar()""#));
        check(
            "UNIQUE constraint failed: ResourceChunks.vector_id",
            Some(r#""UNIQUE" OR "constraint" OR "failed:" OR "ResourceChunks.vector_id""#),
        );
        check("a\0b\u{7}c", Some(r#""b" OR "c""#));
        check("Word word WORD thing", Some(r#""Word" OR "thing""#));
        check("café 日本語", Some(r#""café" OR "日本語""#));
    }

    #[test]
    fn terms_are_capped() {
        let words: Vec<String> = (0..MAX_TERMS + 10).map(|i| format!("w{i}")).collect();
        let query = words.join(" ");
        let expression = match_expression(&query).unwrap();
        assert_eq!(expression.matches(" OR ").count(), MAX_TERMS - 1);
        assert!(expression.ends_with(&format!("\"w{}\"", MAX_TERMS - 1)));
    }

    /// Seeded random strings over FTS5's syntax characters, run against a
    /// real FTS5 table with the store's tokenizer: none may fail to parse.
    #[test]
    fn no_input_is_a_syntax_error() {
        const PIECES: &[&str] = &[
            "\"", "\"\"", "'", "*", "(", ")", "-", "+", "^", ":", ",", "{", "}", "NEAR", "NEAR(",
            "AND", "OR", "NOT", "a", "_", ".", "\0", "é", " ", " ", "text:", "\\", "1",
        ];
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE VIRTUAL TABLE t USING fts5(text, tokenize = 'porter unicode61 remove_diacritics 2'); \
             INSERT INTO t (text) VALUES ('a near and or not text 1 é');",
        )
        .unwrap();
        let mut stmt = conn
            .prepare("SELECT count(*) FROM t WHERE t MATCH ?1")
            .unwrap();
        // xorshift64: deterministic, no dependency.
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = |below: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            usize::try_from(state % below as u64).unwrap()
        };
        for _ in 0..2000 {
            let query: String = (0..next(9)).map(|_| PIECES[next(PIECES.len())]).collect();
            if let Some(expression) = match_expression(&query) {
                let counted: rusqlite::Result<i64> = stmt.query_row([&expression], |r| r.get(0));
                assert!(counted.is_ok(), "{query:?} -> {expression:?}: {counted:?}");
            }
        }
    }
}
