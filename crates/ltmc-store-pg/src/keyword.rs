//! Keyword search: [`KeywordSearch`] for [`PgStore`], PostgreSQL full text
//! over `chunks.tsv` (a generated column with a GIN index, migration 0001),
//! ranked like BM25.
//!
//! Free text never becomes tsquery syntax. It is cut into terms as the SQLite
//! store does (`content_terms`: split at whitespace, function words dropped
//! unless nothing else is left, at most `ltmc_core::terms::MAX_TERMS`); each term is bound as
//! a plain string and made a phrase of its own lexemes by `ltmc_tsquery`
//! (`phraseto_tsquery`, which knows no operators), so `parse_config_v2` or
//! `ResourceChunks.vector_id` matches as written and quotes, `&`, `|`, `!`,
//! `<->`, `:*` are never operators. The terms are OR-ed, so one missing word
//! does not empty the answer.
//!
//! PostgreSQL's `ts_rank` knows no document frequency, so alone it cannot
//! rank a rare term above a common one. The score is BM25's shape built from
//! it: for each term that a chunk matches, the term's idf,
//! `ln(1 + (N − df + 0.5) / (df + 0.5))`, times `ts_rank` of that term alone
//! (which grows, and saturates, with the term's occurrences, and is divided
//! by the log of the chunk's length). `N` and `df` are counted within the
//! project (`N` from the resources' chunk counts; `df` from the chunks
//! matched, which are all the project's chunks holding any term), so a
//! project's ranking does not depend on what other projects hold. The type
//! filters apply after the counting and inside the search, so a selective
//! filter still yields `k`. Higher is better; scores compare only within
//! one answer. Ties (as f32, as returned) go to the lower chunk id.
//!
//! Not here: how the text is tokenized and stemmed (the `ltmc_text`
//! configuration, migration 0001), fusing keyword and vector results (the
//! service).

use crate::PgStore;
use crate::error::Result;
use crate::resources::{CHUNK_COLUMNS, HIT_COLUMNS, hit_from_row};
use async_trait::async_trait;
use deadpool_postgres::GenericClient;
#[cfg(test)]
use ltmc_core::terms::MAX_TERMS;
use ltmc_core::terms::{TermStats, content_terms};
use ltmc_core::{Project, ScoredChunk};
use ltmc_store::validate::sql_limit;
use ltmc_store::{ChunkFilter, KeywordSearch, StoreError};

#[async_trait]
impl KeywordSearch for PgStore {
    async fn keyword_chunks(
        &self,
        project: &Project,
        query: &str,
        k: usize,
        filter: &ChunkFilter,
    ) -> Result<Vec<ScoredChunk>, StoreError> {
        let terms = query_terms(query);
        if terms.is_empty() || k == 0 {
            return Ok(Vec::new());
        }
        search(self, project, &terms, k, filter)
            .await
            .map_err(|e| self.fail(e))
    }

    async fn term_stats(&self, project: &Project, query: &str) -> Result<TermStats, StoreError> {
        let terms = query_terms(query);
        if terms.is_empty() {
            return Ok(TermStats::default());
        }
        term_stats(self, project, &terms)
            .await
            .map_err(|e| self.fail(e))
    }
}

/// The project's chunk count (from its resources' counts, as the keyword
/// score's `N`) and, per term in order, the count of its chunks holding the
/// term's phrase, up to `TermStats::CAP` (each a GIN lookup, then one row
/// per counted chunk), in one statement, so one snapshot. A term without
/// lexemes counts nothing.
async fn term_stats(store: &PgStore, project: &Project, terms: &[&str]) -> Result<TermStats> {
    let client = store.client().await?;
    let stmt = client
        .prepare_cached(
            "SELECT (SELECT coalesce(sum(chunk_count), 0)::int8 FROM resources \
                     WHERE project = $2), \
                    coalesce((SELECT array_agg(( \
                       SELECT count(*) FROM (SELECT 1 FROM chunks c \
                         WHERE c.project = $2 AND numnode(ltmc_tsquery(u.term)) > 0 \
                           AND c.tsv @@ ltmc_tsquery(u.term) LIMIT $3) held \
                     ) ORDER BY u.i) \
                     FROM unnest($1::text[]) WITH ORDINALITY AS u (term, i)), '{}')",
        )
        .await?;
    let cap = i64::try_from(TermStats::CAP).unwrap_or(i64::MAX);
    let row = client
        .query_one(&stmt, &[&terms, &project.as_str(), &cap])
        .await?;
    let chunks: i64 = row.try_get(0)?;
    let documents: Vec<i64> = row.try_get(1)?;
    Ok(TermStats {
        chunks: u64::try_from(chunks).unwrap_or(0),
        documents: documents
            .into_iter()
            .map(|n| u64::try_from(n).unwrap_or(0))
            .collect(),
    })
}

/// The terms of free text, each to become one phrase query: those with a
/// letter or digit, function words dropped unless nothing else remains, at
/// most `MAX_TERMS`. Empty when nothing could match.
///
/// Control characters split terms (`content_terms`), so no NUL, which
/// PostgreSQL's text cannot hold, reaches SQL.
pub(crate) fn query_terms(query: &str) -> Vec<&str> {
    content_terms(query)
}

async fn search(
    store: &PgStore,
    project: &Project,
    terms: &[&str],
    k: usize,
    filter: &ChunkFilter,
) -> Result<Vec<ScoredChunk>> {
    let client = store.client().await?;
    // `terms`: the query's terms that have lexemes, numbered.
    // `matched`: the project's chunks holding any of them (the GIN index
    //   answers `@@` on the OR of all terms).
    // `per_term`: each (chunk, term it holds) with ts_rank of that term
    //   alone (normalization 1: divided by log2 of the chunk's length).
    // `corpus`: the project's chunk count N, once (from the resources'
    //   chunk counts, which `resources_by_project` includes).
    // `idf`: per term, from N and the term's df.
    // Then the type filters, the sum per chunk, and the best k.
    let stmt = client
        .prepare_cached(&format!(
            "WITH terms AS MATERIALIZED ( \
                   SELECT t.i, t.q FROM ( \
                     SELECT u.i, ltmc_tsquery(u.term) AS q \
                     FROM unnest($1::text[]) WITH ORDINALITY AS u (term, i)) t \
                   WHERE numnode(t.q) > 0), \
                 matched AS ( \
                   SELECT c.id, c.resource_type, c.tsv FROM chunks c \
                   WHERE c.project = $2 \
                     AND c.tsv @@ (SELECT ltmc_tsquery_or(terms.q) FROM terms)), \
                 per_term AS ( \
                   SELECT m.id, m.resource_type, t.i, ts_rank(m.tsv, t.q, 1) AS rank \
                   FROM matched m JOIN terms t ON m.tsv @@ t.q), \
                 corpus AS MATERIALIZED ( \
                   SELECT coalesce(sum(chunk_count), 0)::float8 AS n \
                   FROM resources WHERE project = $2), \
                 idf AS ( \
                   SELECT p.i, ln(1 + (corpus.n - count(*) + 0.5) / (count(*) + 0.5)) AS idf \
                   FROM per_term p CROSS JOIN corpus \
                   GROUP BY p.i, corpus.n), \
                 scored AS ( \
                   SELECT p.id, sum(idf.idf * p.rank)::real AS score \
                   FROM per_term p JOIN idf ON idf.i = p.i \
                   WHERE ($3::text IS NULL OR p.resource_type = $3) \
                     AND p.resource_type <> ALL ($4::text[]) \
                   GROUP BY p.id \
                   ORDER BY score DESC, p.id LIMIT $5) \
                 SELECT {CHUNK_COLUMNS}, {HIT_COLUMNS}, s.score \
                 FROM scored s JOIN chunks c ON c.id = s.id \
                 JOIN resources r ON r.id = c.resource_id \
                 ORDER BY s.score DESC, c.id"
        ))
        .await?;
    let rows = client
        .query(
            &stmt,
            &[
                &terms,
                &project.as_str(),
                &filter.resource_type,
                &filter.exclude_types,
                &sql_limit(k),
            ],
        )
        .await?;
    rows.iter()
        .map(|row| hit_from_row(row, row.try_get(9)?))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(query: &str, expected: &[&str]) {
        assert_eq!(query_terms(query), expected, "{query:?}");
    }

    #[test]
    fn free_text_becomes_plain_terms() {
        check("rare", &["rare"]);
        check("two words", &["two", "words"]);
        check("", &[]);
        check(" \t\n ", &[]);
        check("\"", &[]);
        check("* ( ) - + ^ : , {} <-> & | !", &[]);
        // Function words go unless nothing else is left.
        check("AND OR NOT", &["AND", "OR", "NOT"]);
        check("What was the fix for the pool?", &["fix", "pool?"]);
        // Operators and quotes stay inside terms; ltmc_tsquery makes each a
        // phrase of its words, so they are never tsquery syntax.
        check("NEAR(", &["NEAR("]);
        check("stone:* & !bridge", &["stone:*", "!bridge"]);
        check("parse_config_v2", &["parse_config_v2"]);
        check(
            "UNIQUE constraint failed: ResourceChunks.vector_id",
            &[
                "UNIQUE",
                "constraint",
                "failed:",
                "ResourceChunks.vector_id",
            ],
        );
        // Control characters (NUL among them) split terms and never remain.
        check("stone\0bridge", &["stone", "bridge"]);
        check("a\0b\u{7}c", &["b", "c"]);
        check("Word word WORD thing", &["Word", "thing"]);
        check("café 日本語", &["café", "日本語"]);
    }

    #[test]
    fn terms_are_capped() {
        let words: Vec<String> = (0..MAX_TERMS + 10).map(|i| format!("w{i}")).collect();
        let query = words.join(" ");
        let terms = query_terms(&query);
        assert_eq!(terms.len(), MAX_TERMS);
        assert_eq!(
            terms.last().copied(),
            Some(format!("w{}", MAX_TERMS - 1).as_str())
        );
    }
}
