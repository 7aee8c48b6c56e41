//! The conformance suite: what every storage backend must do, as test code
//! that each backend runs against fresh stores of its own.
//!
//! Each check is a public async function taking a fresh, empty store opened
//! with [`spec()`]; it panics (asserts) on a violation and ends by asserting
//! that the store's integrity check is clean. A backend runs them all with one
//! line in its integration tests:
//!
//! ```text
//! // async fn fresh(spec: &EmbeddingSpec) -> (MyStore, Guard) { ... }
//! ltmc_store::store_conformance_tests!(fresh);
//! ```
//!
//! which expands to one `#[tokio::test]` per check (the caller needs `tokio`
//! with `macros` and `rt`). The guard keeps whatever backs the store (a temp
//! dir, a database) alive for the test. Vectors are made here, from the chunk
//! text, deterministically: no model and no randomness. This is not a
//! benchmark and not a test of any one backend's internals.
//!
//! The checks are grouped by concern: documents and vector search
//! (`resources`), keyword search (`keyword`), chat messages and context links
//! (`chat`), todos (`todos`), the relationship graph (`graph`), code
//! attempts (`attempts`), the fix-pattern knowledge base (`fix/`, one file
//! per behaviour) and whole store export and import (`dump`); the helpers
//! they share are here.

mod attempts;
mod chat;
mod dump;
mod fix;
mod folds;
mod graph;
mod keyword;
mod mining;
mod resources;
mod todos;

pub use attempts::*;
pub use chat::*;
pub use dump::*;
pub use fix::*;
pub use folds::*;
pub use graph::*;
pub use keyword::*;
pub use mining::*;
pub use resources::*;
pub use todos::*;

use crate::{ChunkFilter, EmbeddingSpec, ResourceFilter, Store, StoreError};
use ltmc_core::{
    Chunk, ChunkId, NewChunk, NewResource, Project, PutOutcome, Resource, ResourceId, ScoredChunk,
};

/// The dimension of the suite's vectors: small, so failures print readably.
pub const DIMENSION: usize = 8;

/// The embedding model a store under test must be opened with.
pub fn spec() -> EmbeddingSpec {
    EmbeddingSpec {
        model_id: "ltmc-conformance-8d".to_owned(),
        dimension: DIMENSION,
    }
}

/// Expands to one `#[tokio::test]` per conformance check. `$fresh` is an
/// async fn (or closure) `(&EmbeddingSpec) -> (impl Store, Guard)` returning
/// a new, empty store; the guard is dropped when the test ends.
///
/// Every check function of [`crate::conformance`] must be listed here (a
/// unit test compares this list with the source files).
///
/// `store_conformance_tests!(optional $fresh)` is for backends that need a
/// server: `$fresh` returns `Option<(store, guard)>`, and `None` (no server
/// configured) ends the test early; the backend's `$fresh` decides when that
/// is allowed (never on CI).
#[macro_export]
macro_rules! store_conformance_tests {
    (optional $fresh:expr) => {
        $crate::store_conformance_tests!(@list optional $fresh);
    };
    (@each required $fresh:expr; $($check:ident),+ $(,)?) => {
        $(
            #[::tokio::test]
            async fn $check() {
                let (store, _guard) = ($fresh)(&$crate::conformance::spec()).await;
                $crate::conformance::$check(&store).await;
            }
        )+
    };
    (@each optional $fresh:expr; $($check:ident),+ $(,)?) => {
        $(
            #[::tokio::test]
            async fn $check() {
                let Some((store, _guard)) = ($fresh)(&$crate::conformance::spec()).await else {
                    return;
                };
                $crate::conformance::$check(&store).await;
            }
        )+
    };
    (@list $mode:ident $fresh:expr) => {
        $crate::store_conformance_tests!(@each $mode $fresh;
            put_get_list_chunks_roundtrip,
            listing_is_newest_first_and_limited,
            vector_ids_unique_and_increasing,
            vector_ids_never_reused_after_delete,
            duplicate_content_writes_nothing,
            same_content_in_two_projects_is_two_resources,
            projects_are_isolated,
            wrong_dimension_writes_nothing,
            bad_chunk_writes_nothing,
            nearest_finds_own_chunk_first,
            nearest_respects_k_and_order,
            selective_filter_still_yields_k,
            search_follows_puts_and_deletes,
            index_agrees_and_rebuilds,
            info_reports_model_and_counts,
            keyword_finds_rare_word,
            keyword_matches_identifiers_and_error_strings,
            keyword_queries_never_error,
            keyword_projects_are_isolated,
            keyword_selective_filter_still_yields_k,
            keyword_follows_puts_and_deletes,
            keyword_duplicate_put_indexes_once,
            keyword_ranks_more_and_rarer_terms_higher,
            keyword_term_stats_count_within_project,
            code_attempt_type_is_reserved,
            batch_put_stores_each_in_order,
            batch_put_finds_duplicates_before_and_within,
            batch_put_refused_item_writes_nothing,
            nearest_excludes_types,
            keyword_excludes_types,
            chat_log_and_read_back,
            chat_context_links_kept_once,
            chat_unknown_ids_write_nothing,
            chat_invalid_writes_nothing,
            chat_projects_are_isolated,
            chat_links_go_with_their_chunks,
            context_usage_counts_and_ranks,
            chat_batch_logs_each_with_links,
            chat_batch_repeats_are_separate_messages,
            chat_batch_failure_writes_nothing,
            todo_add_list_complete,
            todo_invalid_and_unknown_write_nothing,
            todo_search_finds_by_word,
            todo_projects_are_isolated,
            graph_put_edges_upserts,
            graph_edges_of_node_and_relation,
            graph_invalid_batch_writes_nothing,
            graph_projects_are_isolated,
            attempt_put_get_roundtrip,
            attempt_identical_twice_is_two_events,
            attempt_invalid_writes_nothing,
            attempt_links_strongest_first,
            nearest_attempts_filter_inside_search,
            list_attempts_filters_oldest_first,
            attempts_left_out_of_document_search,
            deleting_attempt_resource_removes_attempt,
            attempts_projects_are_isolated,
            audit_upsert_keeps_id_and_records_history,
            audit_list_filters_and_orders,
            audit_batch_is_all_or_none,
            pattern_put_get_roundtrip,
            pattern_list_filters,
            pattern_invalid_writes_nothing,
            pattern_rules_get_free_names,
            pattern_search_filters,
            pattern_search_ranks_by_cosine,
            pattern_review_sets_flag_and_notes,
            pattern_links_upsert_and_order,
            pattern_application_moves_metrics_and_audit,
            guardian_rules_add_list_activate,
            guardian_hits_statistics,
            calibrations_newest_active_undo_and_isolation,
            mining_run_saves_drafts_and_state,
            mining_skips_mined_and_tombstoned_keys,
            mining_bad_run_writes_nothing,
            mining_resume_point_is_kept_and_replaced,
            mining_projects_are_isolated,
            review_queue_orders_filters_and_pages,
            update_pattern_replaces_text_and_vectors,
            merge_patterns_moves_rows_and_metrics,
            merge_mined_patterns_tombstones_the_merged_key,
            a_draft_without_layers_is_reviewed_only_with_layers,
            fix_projects_are_isolated,
            dump_import_keeps_ids_and_continues_sequences,
            dump_import_refuses_a_store_with_data,
            dump_failed_import_writes_nothing,
            fold_hides_and_unfold_restores_exactly,
            fold_rules_refuse_without_writing,
        );
    };
    ($fresh:expr) => {
        $crate::store_conformance_tests!(@list required $fresh);
    };
}

// ---------------------------------------------------------------- helpers

/// Free text that is FTS5 / tsquery syntax, or would be without escaping.
#[rustfmt::skip]
const NASTY_QUERIES: &[&str] = &[
    "\"", "\"\"", "'", "AND OR NOT", "*", "(", ")", "-", "NEAR(", "NEAR(stone bridge, 2)",
    "stone AND", "OR bridge", "NOT", "text:stone", "^stone", "stone*", "{text}: stone",
    "\"stone", "stone\"", "a\"b", "\\", ":", "+-*/", "!", "&", "|", "<->", "\0",
    "stone\0bridge", "café ß 日本語", "", "   ", "\n\t",
];

/// A deterministic unit vector derived from `text` (FNV-1a seeded splitmix):
/// distinct texts give vectors far apart in 8 dimensions, and a test can
/// recompute any chunk's vector from its text alone.
pub fn vector_for(text: &str) -> Vec<f32> {
    let mut state = text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    let raw: Vec<f32> = (0..DIMENSION)
        .map(|_| {
            state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^= z >> 31;
            // Top 24 bits -> [-1, 1): exact in f32.
            (z >> 40) as f32 / (1u64 << 23) as f32 - 1.0
        })
        .collect();
    ltmc_core::vector::normalised(&raw)
}

/// `content` cut into `parts` contiguous chunks that cover all of it, each
/// with the vector of its text. `content` must be ASCII (byte = char).
pub fn split(content: &str, parts: usize) -> Vec<NewChunk> {
    assert!(content.is_ascii() && content.len() >= parts);
    let len = content.len();
    (0..parts)
        .map(|i| {
            let (start, end) = (len * i / parts, len * (i + 1) / parts);
            let text = content[start..end].to_owned();
            NewChunk {
                ordinal: i,
                start,
                end,
                vector: vector_for(&text),
                text,
            }
        })
        .collect()
}

pub fn project(name: &str) -> Project {
    Project::new(name).expect("test project names are valid")
}

pub fn resource(
    project: &Project,
    file_name: &str,
    resource_type: &str,
    content: &str,
) -> NewResource {
    NewResource {
        project: project.clone(),
        file_name: file_name.to_owned(),
        resource_type: resource_type.to_owned(),
        content: content.to_owned(),
        metadata: serde_json::json!({}),
    }
}

async fn put(store: &dyn Store, resource: NewResource, chunks: Vec<NewChunk>) -> PutOutcome {
    store
        .put_resource(resource, chunks)
        .await
        .expect("put_resource")
}

async fn get(store: &dyn Store, project: &Project, id: ResourceId) -> Resource {
    store.get_resource(project, id).await.expect("get_resource")
}

async fn list(store: &dyn Store, project: &Project, resource_type: Option<&str>) -> Vec<Resource> {
    let filter = ResourceFilter {
        resource_type: resource_type.map(str::to_owned),
        limit: None,
    };
    store
        .list_resources(project, &filter)
        .await
        .expect("list_resources")
}

async fn chunks_of(store: &dyn Store, project: &Project, id: ResourceId) -> Vec<Chunk> {
    store.chunks_of(project, id).await.expect("chunks_of")
}

async fn nearest(
    store: &dyn Store,
    project: &Project,
    query: &[f32],
    k: usize,
    resource_type: Option<&str>,
) -> Vec<ScoredChunk> {
    nearest_with(store, project, query, k, &of_type(resource_type)).await
}

async fn nearest_with(
    store: &dyn Store,
    project: &Project,
    query: &[f32],
    k: usize,
    filter: &ChunkFilter,
) -> Vec<ScoredChunk> {
    store
        .nearest_chunks(project, query, k, filter)
        .await
        .expect("nearest_chunks")
}

/// A filter on one resource type, or none.
fn of_type(resource_type: Option<&str>) -> ChunkFilter {
    ChunkFilter {
        resource_type: resource_type.map(str::to_owned),
        exclude_types: Vec::new(),
    }
}

/// A filter leaving these resource types out.
fn excluding(types: &[&str]) -> ChunkFilter {
    ChunkFilter {
        resource_type: None,
        exclude_types: types.iter().map(|t| (*t).to_owned()).collect(),
    }
}

/// Stores `text` as a resource of one chunk; returns that chunk.
async fn put_whole(
    store: &dyn Store,
    project: &Project,
    file_name: &str,
    resource_type: &str,
    text: &str,
) -> Chunk {
    let out = put(
        store,
        resource(project, file_name, resource_type, text),
        split(text, 1),
    )
    .await;
    let mut chunks = chunks_of(store, project, out.resource_id).await;
    assert_eq!(chunks.len(), 1);
    chunks.remove(0)
}

/// A keyword search that must succeed, checked against what every answer
/// promises: at most `k` hits, of this project's chunks, each chunk once,
/// best first with equal scores in chunk id order.
async fn keyword(
    store: &dyn Store,
    project: &Project,
    query: &str,
    k: usize,
    resource_type: Option<&str>,
) -> Vec<ScoredChunk> {
    keyword_with(store, project, query, k, &of_type(resource_type)).await
}

/// [`keyword`] with any filter.
async fn keyword_with(
    store: &dyn Store,
    project: &Project,
    query: &str,
    k: usize,
    filter: &ChunkFilter,
) -> Vec<ScoredChunk> {
    let hits = store
        .keyword_chunks(project, query, k, filter)
        .await
        .unwrap_or_else(|err| panic!("keyword_chunks({query:?}): {err}"));
    assert!(
        hits.len() <= k,
        "{query:?}: {} hits for k = {k}",
        hits.len()
    );
    let mut ids = chunk_ids(&hits);
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), hits.len(), "{query:?}: a chunk twice: {hits:?}");
    assert!(
        hits.iter().all(|h| h.score.is_finite()),
        "{query:?}: {:?}",
        scores(&hits)
    );
    assert!(
        hits.windows(2).all(|w| w[0]
            .score
            .total_cmp(&w[1].score)
            .then(w[1].chunk.id.cmp(&w[0].chunk.id))
            .is_gt()),
        "{query:?}: not best first, ties by chunk id: {:?}",
        hits.iter()
            .map(|h| (h.chunk.id, h.score))
            .collect::<Vec<_>>()
    );
    for hit in &hits {
        let own = store.chunks_of(project, hit.chunk.resource_id).await;
        assert!(
            own.is_ok_and(|chunks| chunks.contains(&hit.chunk)),
            "{query:?}: not a chunk of project {project}: {hit:?}"
        );
    }
    hits
}

fn chunk_ids(hits: &[ScoredChunk]) -> Vec<ChunkId> {
    hits.iter().map(|h| h.chunk.id).collect()
}

/// (resources, chunks, vectors) across all projects.
async fn counts(store: &dyn Store) -> (u64, u64, u64) {
    let info = store.info().await.expect("info");
    (info.resources, info.chunks, info.vectors)
}

fn scores(hits: &[ScoredChunk]) -> Vec<f32> {
    hits.iter().map(|h| h.score).collect()
}

fn assert_not_found<T: std::fmt::Debug>(result: &Result<T, StoreError>) {
    assert!(
        matches!(result, Err(StoreError::NotFound { .. })),
        "{result:?}"
    );
}

/// An `Invalid` error naming `field`.
fn assert_invalid<T: std::fmt::Debug>(result: &Result<T, StoreError>, field: &str) {
    assert!(
        matches!(result, Err(StoreError::Invalid(ltmc_core::CoreError::Invalid { field: f, .. })) if *f == field),
        "expected Invalid({field}): {result:?}"
    );
}

/// An `Invalid` error of a batch write that says it was item `index`
/// ([`StoreError::in_batch_item`]).
fn assert_batch_item<T: std::fmt::Debug>(result: &Result<T, StoreError>, index: usize) {
    let item = format!("batch item {index},");
    assert!(
        matches!(result, Err(StoreError::Invalid(ltmc_core::CoreError::Invalid { reason, .. })) if reason.contains(&item)),
        "expected Invalid of batch item {index}: {result:?}"
    );
}

/// Whether `text` is a UTC RFC 3339 time as stores write them.
fn is_rfc3339(text: &str) -> bool {
    text.len() >= 20 && text.as_bytes()[10] == b'T' && text.ends_with('Z')
}

/// The store's own integrity check is clean and every project's vector
/// index agrees with the database.
pub async fn assert_sound(store: &dyn Store) {
    let report = store.check_integrity().await.expect("check_integrity");
    assert!(report.is_ok(), "integrity: {report:?}");
    let statuses = store.check_indexes().await.expect("check_indexes");
    assert!(
        statuses.iter().all(crate::IndexStatus::agrees),
        "index: {statuses:?}"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vectors_are_unit_and_distinct() {
        let a = vector_for("a");
        let b = vector_for("b");
        assert_eq!(a, vector_for("a"));
        assert_eq!(a.len(), DIMENSION);
        assert!((ltmc_core::vector::norm(&a) - 1.0).abs() < 1e-5);
        let cos = ltmc_core::vector::dot(&a, &b);
        assert!(cos < 0.99, "{cos}");
    }

    /// Every `pub async fn` of the check modules is listed in the macro,
    /// and nothing else is.
    #[test]
    fn macro_lists_every_check() {
        let sources = [
            include_str!("resources.rs"),
            include_str!("keyword.rs"),
            include_str!("chat.rs"),
            include_str!("todos.rs"),
            include_str!("graph.rs"),
            include_str!("attempts.rs"),
            include_str!("fix/audits.rs"),
            include_str!("fix/patterns.rs"),
            include_str!("fix/search.rs"),
            include_str!("fix/relationships.rs"),
            include_str!("fix/applications.rs"),
            include_str!("fix/guardian.rs"),
            include_str!("fix/calibrations.rs"),
            include_str!("fix/review.rs"),
            include_str!("mining.rs"),
            include_str!("fix/isolation.rs"),
            include_str!("dump.rs"),
            include_str!("folds.rs"),
        ];
        let mut defined: Vec<&str> = sources
            .iter()
            .flat_map(|source| source.lines())
            .filter_map(|line| line.strip_prefix("pub async fn "))
            .filter_map(|rest| rest.split('(').next())
            .collect();
        let this = include_str!("mod.rs");
        let start = this.find("@each $mode $fresh;").expect("the macro's list");
        let end = start + this[start..].find(");").expect("end of the list");
        let mut listed: Vec<&str> = this[start..end]
            .lines()
            .skip(1)
            .map(|line| line.trim().trim_end_matches(','))
            .filter(|name| !name.is_empty())
            .collect();
        defined.sort_unstable();
        listed.sort_unstable();
        assert_eq!(defined, listed);
    }

    #[test]
    fn split_covers_content() {
        let chunks = split("abcdefghij", 3);
        let joined: String = chunks.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(joined, "abcdefghij");
        assert_eq!(chunks.last().map(|c| c.end), Some(10));
    }
}
