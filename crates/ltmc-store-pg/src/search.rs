//! Nearest-chunk search: [`VectorSearch`] for [`PgStore`], by cosine
//! similarity (1 − pgvector's cosine distance `<=>`) over `chunks.embedding`.
//!
//! The filter (project, resource type, excluded types) runs inside the
//! search, so a selective filter still yields `k` hits when `k` chunks pass
//! it. That takes care with pgvector 0.6: its HNSW index scan walks the graph
//! of the whole table (every project) for `hnsw.ef_search` candidates and
//! only then drops those failing the WHERE clause, so a filtered HNSW query
//! can come back with fewer than `k` rows, or none, while matching chunks
//! exist. Hence, in one read-only snapshot:
//!
//! 1. Count the chunks passing the filter, up to [`EXACT_BELOW`] (a walk of
//!    `chunks_by_project`, stopped early).
//! 2. Fewer than that: score all of them exactly (the distance is computed
//!    for each and sorted; the ORDER BY is on the similarity, not `<=>`
//!    ascending, so the HNSW index cannot serve it). Small projects and
//!    selective filters are therefore exact, like the SQLite store, which
//!    also searches exactly below its 10,000-vector threshold.
//! 3. Otherwise ask the HNSW index (`ORDER BY embedding <=> q LIMIT k`) with
//!    `hnsw.ef_search` set for the transaction to `k * 4` (at least 160, the
//!    embedded index's own candidate list; at most pgvector's 1,000). If the
//!    post-filter left fewer than `k` rows (while at least [`EXACT_BELOW`]
//!    chunks pass, so more exist), ask again with a list four times longer
//!    (up to 1,000), three walks at most, and if that is still short, answer
//!    by the exact scan of step 2. An HNSW scan returns at most `ef_search`
//!    rows, so a `k` above 1,000 is always answered exactly. (The planner
//!    may also judge a plain scan and sort cheaper than the graph walk; that
//!    answer is exact and complete.)
//!
//! Steps 1 to 3 are the shared policy of `ltmc_store::plan` (its
//! [`SearchPlan`] and [`Walks`]), which the SQLite store follows too.
//!
//! Hits are best first, equal scores (as f32, as returned) by chunk id.
//!
//! Not here: the index itself (created with the model's dimension in
//! open.rs; checked and rebuilt in admin.rs), keyword search (keyword.rs).

use crate::PgStore;
use crate::error::Result;
use crate::resources::{CHUNK_COLUMNS, HIT_COLUMNS, hit_from_row};
use async_trait::async_trait;
use deadpool_postgres::GenericClient;
use ltmc_core::{Project, ScoredChunk};
use ltmc_store::plan::{self, SearchPlan, Walks};
use ltmc_store::validate::{check_vector, sql_limit};
use ltmc_store::{ChunkFilter, StoreError, VectorSearch};
use tokio_postgres::IsolationLevel;

/// Filters passing fewer chunks than this are searched exactly (and so are
/// those the HNSW scan comes back short for): the shared policy's threshold.
#[cfg(not(test))]
pub(crate) const EXACT_BELOW: usize = ltmc_store::plan::EXACT_BELOW;
/// Lower in this crate's unit tests, so that they reach the index path with
/// a store filled in seconds (pgvector adds about a thousand rows a second
/// to an HNSW index).
#[cfg(test)]
pub(crate) const EXACT_BELOW: usize = 1_000;

/// pgvector's largest `hnsw.ef_search`.
const MAX_EF_SEARCH: usize = 1000;

/// The conditions a chunk (aliased `c`) must pass: `$1` project, `$2` the
/// one type asked for (or NULL), `$3` the excluded types.
const FILTER: &str = "c.project = $1 AND ($2::text IS NULL OR c.resource_type = $2) \
                      AND c.resource_type <> ALL ($3::text[])";

#[async_trait]
impl VectorSearch for PgStore {
    async fn nearest_chunks(
        &self,
        project: &Project,
        query: &[f32],
        k: usize,
        filter: &ChunkFilter,
    ) -> Result<Vec<ScoredChunk>, StoreError> {
        nearest(self, project, query, k, filter)
            .await
            .map_err(|e| self.fail(e))
    }
}

async fn nearest(
    store: &PgStore,
    project: &Project,
    query: &[f32],
    k: usize,
    filter: &ChunkFilter,
) -> Result<Vec<ScoredChunk>> {
    // Without a recorded model no vector was ever written: nothing is
    // found (as in the SQLite store).
    let Some(spec) = store.embedding() else {
        return Ok(Vec::new());
    };
    check_vector(query, spec.dimension, "query")?;
    if k == 0 {
        return Ok(Vec::new());
    }
    let query = pgvector::Vector::from(query.to_vec());
    let mut client = store.client().await?;
    // One snapshot for the count, the index scan and the fallback.
    let tx = client
        .build_transaction()
        .isolation_level(IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .await?;
    // The filter's parameters decide the plan: with a type given, the count
    // must use (project, resource_type), not walk the whole project. A cached
    // statement switches to a generic plan after five runs, which keeps only
    // `project = $1` as index condition (measured: 5% filter p50 14.7 ms
    // generic vs 5.0 ms custom on 30k chunks); plan per call instead.
    tx.batch_execute("SET LOCAL plan_cache_mode = force_custom_plan")
        .await?;
    let count = tx
        .prepare_cached(&format!(
            "SELECT count(*) FROM (SELECT 1 FROM chunks c WHERE {FILTER} LIMIT $4) s"
        ))
        .await?;
    let passing: i64 = tx
        .query_one(
            &count,
            &[
                &project.as_str(),
                &filter.resource_type,
                &filter.exclude_types,
                &sql_limit(EXACT_BELOW),
            ],
        )
        .await?
        .try_get(0)?;
    let passing = usize::try_from(passing).unwrap_or(0);
    let params = (project.as_str(), filter, &query, sql_limit(k));
    // pgvector's index spans every project: its size says nothing of the
    // filter.
    let hits = match SearchPlan::for_filter(passing, None, k, EXACT_BELOW) {
        SearchPlan::Nothing => Vec::new(),
        SearchPlan::Exact => exact(&tx, params).await?,
        SearchPlan::Graph => graph_then_exact(&tx, project, k, params).await?,
    };
    tx.commit().await?;
    Ok(hits)
}

/// The HNSW scan with `hnsw.ef_search` set per walk ([`Walks`]: `k * 4`, at
/// least 160, widened up to pgvector's 1,000), then the exact scan when every
/// walk left fewer than `k` rows after the filter.
async fn graph_then_exact(
    client: &impl GenericClient,
    project: &Project,
    k: usize,
    params: Params<'_>,
) -> Result<Vec<ScoredChunk>> {
    let first = plan::first_candidates(k, MAX_EF_SEARCH);
    for ef_search in Walks::new(first, k, plan::MIN_CANDIDATES, Some(MAX_EF_SEARCH)) {
        client
            .execute(
                "SELECT set_config('hnsw.ef_search', $1, true)",
                &[&ef_search.to_string()],
            )
            .await?;
        let hits = approximate(client, params).await?;
        if hits.len() >= k {
            return Ok(hits);
        }
    }
    tracing::debug!(
        project = project.as_str(),
        k,
        "the HNSW scan came back short after its filter; searching exactly"
    );
    exact(client, params).await
}

/// (project, filter, query vector, k as LIMIT).
type Params<'a> = (&'a str, &'a ChunkFilter, &'a pgvector::Vector, i64);

/// Every chunk passing the filter scored, the best `k` kept. Ordered by the
/// similarity as f32 (what the caller sees) then chunk id, which no vector
/// index can serve: the planner scans `chunks_by_project`.
async fn exact(
    client: &impl GenericClient,
    (project, filter, query, k): Params<'_>,
) -> Result<Vec<ScoredChunk>> {
    let stmt = client
        .prepare_cached(&format!(
            "SELECT {CHUNK_COLUMNS}, {HIT_COLUMNS}, \
                    (1 - (c.embedding <=> $4))::real AS score \
             FROM chunks c JOIN resources r ON r.id = c.resource_id \
             WHERE {FILTER} \
             ORDER BY score DESC, c.id LIMIT $5"
        ))
        .await?;
    let rows = client
        .query(
            &stmt,
            &[
                &project,
                &filter.resource_type,
                &filter.exclude_types,
                query,
                &k,
            ],
        )
        .await?;
    rows.iter()
        .map(|row| hit_from_row(row, row.try_get(9)?))
        .collect()
}

/// The `k` nearest by the HNSW index (the inner ORDER BY distance LIMIT is
/// what pgvector serves), then ordered by the f32 similarity and chunk id.
/// May return fewer than `k`: see the module's doc.
async fn approximate(
    client: &impl GenericClient,
    (project, filter, query, k): Params<'_>,
) -> Result<Vec<ScoredChunk>> {
    let stmt = client
        .prepare_cached(&format!(
            "SELECT {CHUNK_COLUMNS}, {HIT_COLUMNS}, (1 - n.distance)::real AS score \
             FROM (SELECT c.id, c.embedding <=> $4 AS distance FROM chunks c \
                   WHERE {FILTER} ORDER BY c.embedding <=> $4 LIMIT $5) n \
             JOIN chunks c ON c.id = n.id JOIN resources r ON r.id = c.resource_id \
             ORDER BY score DESC, c.id"
        ))
        .await?;
    let rows = client
        .query(
            &stmt,
            &[
                &project,
                &filter.resource_type,
                &filter.exclude_types,
                query,
                &k,
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

    /// Above [`EXACT_BELOW`] chunks the HNSW index answers (a query that is
    /// a stored vector finds that chunk first); k beyond what one HNSW scan
    /// returns (at most ef_search rows) comes back whole from the exact
    /// fallback; a filter passing few chunks is exact; excluded types never
    /// appear.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn large_projects_use_the_index_and_fall_back_when_short() {
        use ltmc_store::conformance::{resource, spec, split, vector_for};
        use ltmc_store::{ResourceStore, StoreAdmin};
        let Some(server) = crate::testing::server_url() else {
            return;
        };
        let db = crate::testing::TestDb::create(&server).await;
        // One connection, so that the planner settings below hold for every
        // search: on a table this small the planner would rather scan and
        // sort than walk the graph, and the index path (with its short
        // answer for k > ef_search, hence the fallback) would go untested.
        let options = crate::PgOptions {
            max_connections: 1,
            ..crate::PgOptions::default()
        };
        let store = PgStore::connect_with(&db.url, Some(&spec()), options)
            .await
            .unwrap();
        let p = ltmc_store::conformance::project("alpha");
        let n = 2 * EXACT_BELOW;
        // Distinct 8-byte chunk texts, so distinct vectors.
        let content = (0..n).fold(String::new(), |mut text, i| {
            use std::fmt::Write;
            let _ = write!(text, "{i:07} ");
            text
        });
        let docs = split(&content, n);
        store
            .put_resource(resource(&p, "d", "document", &content), docs.clone())
            .await
            .unwrap();
        let code = "fn a() {} fn b() {}";
        store
            .put_resource(resource(&p, "c", "code", code), split(code, 2))
            .await
            .unwrap();

        store
            .client()
            .await
            .unwrap()
            .batch_execute("SET enable_seqscan = off; SET enable_sort = off")
            .await
            .unwrap();
        let all = ChunkFilter::default();
        for i in [0, 777, n - 1] {
            let hits = store
                .nearest_chunks(&p, &docs[i].vector, 10, &all)
                .await
                .unwrap();
            assert_eq!(hits.len(), 10);
            assert_eq!(hits[0].chunk.text, docs[i].text);
            assert!((hits[0].score - 1.0).abs() < 1e-4, "{}", hits[0].score);
            assert!(hits.windows(2).all(|w| w[0].score >= w[1].score));
        }
        // More than an HNSW scan returns (ef_search <= 1000): exact.
        let query = vector_for("not a stored chunk");
        let many = store.nearest_chunks(&p, &query, 1500, &all).await.unwrap();
        assert_eq!(many.len(), 1500);
        assert!(many.windows(2).all(|w| {
            w[0].score
                .total_cmp(&w[1].score)
                .then(w[1].chunk.id.cmp(&w[0].chunk.id))
                .is_gt()
        }));
        // The exact answer's best is the best of all stored vectors.
        let dot = |v: &[f32]| ltmc_core::vector::dot(v, &query);
        let best = docs
            .iter()
            .map(|c| dot(&c.vector))
            .fold(f32::NEG_INFINITY, f32::max)
            .max(
                split(code, 2)
                    .iter()
                    .map(|c| dot(&c.vector))
                    .fold(f32::NEG_INFINITY, f32::max),
            );
        assert!(
            (many[0].score - best).abs() < 1e-4,
            "{} vs {best}",
            many[0].score
        );

        let only_code = ChunkFilter {
            resource_type: Some("code".into()),
            exclude_types: Vec::new(),
        };
        let hits = store
            .nearest_chunks(&p, &query, 10, &only_code)
            .await
            .unwrap();
        assert_eq!(hits.len(), 2);
        let no_code = ChunkFilter {
            resource_type: None,
            exclude_types: vec!["code".into()],
        };
        let hits = store
            .nearest_chunks(&p, &query, 50, &no_code)
            .await
            .unwrap();
        assert_eq!(hits.len(), 50);
        assert!(hits.iter().all(|h| h.resource_type == "document"));
        assert!(store.check_integrity().await.unwrap().is_ok());
        let statuses = store.check_indexes().await.unwrap();
        assert!(
            statuses.iter().all(ltmc_store::IndexStatus::agrees),
            "{statuses:?}"
        );
    }
}
