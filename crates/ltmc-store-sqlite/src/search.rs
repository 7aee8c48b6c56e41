//! Nearest-chunk search: [`VectorSearch`] for [`SqliteStore`].
//!
//! One read transaction holds a single snapshot of the file for the three
//! steps (read the write generation, bring the project's index up to it,
//! fetch the hits' chunk rows), so a hit always names a chunk that exists,
//! even while other processes write. Which index answers (exact or HNSW) and
//! how a filter is kept inside it is `cache.rs`'s business.

use crate::SqliteStore;
use crate::cache::{IndexCache, Scope, Snapshot};
use crate::error::Result;
use crate::resources::{CHUNK_COLUMNS, HIT_COLUMNS, hit_from_row};
use crate::store::State;
use async_trait::async_trait;
use ltmc_core::{Project, ScoredChunk};
use ltmc_index::{Hit, IndexError};
use ltmc_store::validate;
use ltmc_store::{ChunkFilter, StoreError, VectorSearch};
use rusqlite::{OptionalExtension, params};

#[async_trait]
impl VectorSearch for SqliteStore {
    async fn nearest_chunks(
        &self,
        project: &Project,
        query: &[f32],
        k: usize,
        filter: &ChunkFilter,
    ) -> Result<Vec<ScoredChunk>, StoreError> {
        let project = project.clone();
        let query = query.to_vec();
        let filter = filter.clone();
        self.call(move |state, _| nearest(state, &project, &query, k, &filter))
            .await
    }
}

fn nearest(
    state: &mut State,
    project: &Project,
    query: &[f32],
    k: usize,
    filter: &ChunkFilter,
) -> Result<Vec<ScoredChunk>> {
    if let Some(spec) = state.embedding()? {
        validate::check_vector(query, spec.dimension, "query")?;
    }
    if k == 0 {
        return Ok(Vec::new());
    }
    let scope = Scope {
        resource_type: filter.resource_type.as_deref(),
        exclude_types: &filter.exclude_types,
        ids: None,
    };
    // Without a recorded model nothing can have been stored: no hits.
    let mut found = state.with_snapshot(|cache, snap| {
        let hits = search_index(cache, snap, project, query, k, &scope)?;
        let mut found = Vec::with_capacity(hits.len());
        let mut stmt = snap.conn.prepare_cached(&format!(
            "SELECT {CHUNK_COLUMNS}, {HIT_COLUMNS} FROM chunks c \
             JOIN resources r ON r.id = c.resource_id \
             WHERE c.vector_id = ?1 AND c.project = ?2"
        ))?;
        for hit in hits {
            let row = stmt
                .query_row(params![hit.id, project.as_str()], |row| {
                    hit_from_row(row, hit.score)
                })
                .optional()?;
            // The index was brought to this very snapshot, so every hit has
            // its row; a missing one means the index and the file disagree.
            found.push(row.ok_or_else(|| {
                StoreError::Corrupt(format!(
                    "vector {} is in the index but has no chunk in project {project}",
                    hit.id
                ))
            })?);
        }
        Ok(found)
    })?;
    // The index breaks ties by vector id; the contract says chunk id. Both
    // are allocated in insertion order, but sort so the contract never rests
    // on that.
    found.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then(a.chunk.id.cmp(&b.chunk.id))
    });
    Ok(found)
}

/// The project's index brought to `snap`, searched within `scope`; the index's
/// errors as the store's.
pub(crate) fn search_index(
    cache: &mut IndexCache,
    snap: &Snapshot<'_>,
    project: &Project,
    query: &[f32],
    k: usize,
    scope: &Scope<'_>,
) -> Result<Vec<Hit>> {
    let exact_below = cache.exact_below();
    let hits = cache
        .fresh(snap, project.as_str())?
        .search(query, k, scope, exact_below)
        .map_err(|err| match err {
            IndexError::WrongDimension { expected, got } => {
                StoreError::WrongDimension { expected, got }
            }
            IndexError::NotFinite => StoreError::Invalid(ltmc_core::CoreError::invalid(
                "query",
                "vector contains NaN or infinity",
            )),
            IndexError::Backend(what) | IndexError::Corrupt(what) => {
                StoreError::Corrupt(format!("vector index of project {project}: {what}"))
            }
        })?;
    Ok(hits)
}
