//! The vector index of each project: exact below a size threshold, HNSW above
//! it, a cache of the database kept in step by the vector log.
//!
//! The database is the truth. An entry remembers the write generation it
//! reflects; before a search, the log rows after that generation (written by
//! triggers in the same transactions as the vectors, see migration 0003) are
//! applied to it, whichever process wrote them. A large project's HNSW graph
//! is also kept in a file beside the database (`index_file.rs`), written now
//! and then with its generation, never on every store call: a process that
//! opens the store loads the file and applies the log after it; a missing,
//! foreign, stale-from-the-future or damaged file is rebuilt from the vectors.
//! So a crash at any moment loses nothing: what committed is in the log, what
//! did not commit is in neither. Not shared between processes in memory; not
//! a query planner (the SQL lives in `search.rs`).
//!
//! This file holds the cache and its entries; beside it, `build.rs` opens a
//! project (file plus log, or built from the vectors), `replay.rs` applies
//! the log, `check.rs` compares an index with the database and `filtered.rs`
//! searches an entry within a scope.

mod build;
mod check;
mod filtered;
mod replay;

pub(crate) use filtered::Scope;

use crate::blob;
use crate::error::{Error, Result};
use crate::index_file::{self, Header};
use ltmc_index::{ExactIndex, HnswIndex, HnswParams, IndexError};
use ltmc_store::{NoProgress, Progress, StoreError};
use rusqlite::{Connection, Row};
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;

/// How a store builds and keeps its vector indexes.
#[derive(Clone)]
pub struct IndexOptions {
    /// A project with at least this many vectors is searched through HNSW;
    /// below it, exactly. A filter passing fewer vectors than this is also
    /// scanned exactly.
    pub ann_threshold: usize,
    pub hnsw: HnswParams,
    /// Told about rebuilds and long catch-ups.
    pub progress: Arc<dyn Progress>,
}

impl Default for IndexOptions {
    fn default() -> Self {
        Self {
            ann_threshold: ltmc_store::plan::EXACT_BELOW,
            hnsw: HnswParams::default(),
            progress: Arc::new(NoProgress),
        }
    }
}

impl std::fmt::Debug for IndexOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IndexOptions")
            .field("ann_threshold", &self.ann_threshold)
            .field("hnsw", &self.hnsw)
            .finish_non_exhaustive()
    }
}

/// Rows read from the database per batch while building a graph.
const BUILD_BATCH: usize = 8192;
/// Log rows above which a catch-up is reported as progress.
const REPORT_CATCH_UP: u64 = 20_000;

/// The database state an index is brought to: one read transaction's view.
pub(crate) struct Snapshot<'a> {
    pub conn: &'a Connection,
    pub dimension: usize,
    pub generation: i64,
    pub store_uid: &'a str,
}

pub(crate) struct IndexCache {
    options: IndexOptions,
    dir: PathBuf,
    projects: HashMap<String, ProjectIndex>,
    /// The store is read-only: index files are read, never written.
    pub(crate) read_only: bool,
}

/// One project's vectors, with the ids of each resource type so that a type
/// filter runs inside the search.
pub(crate) struct ProjectIndex {
    generation: i64,
    backing: Backing,
    /// (resource type, its vector ids); few types per project, so a Vec.
    types: Vec<(String, HashSet<i64>)>,
    /// Log rows applied since the graph was last written to its file.
    unpersisted: usize,
    /// The generation of the file on disk, when this entry has one.
    persisted: Option<i64>,
}

enum Backing {
    Exact(ExactIndex),
    Hnsw(HnswIndex),
}

impl IndexCache {
    pub(crate) fn new(options: IndexOptions, dir: PathBuf) -> Self {
        Self {
            options,
            dir,
            projects: HashMap::new(),
            read_only: false,
        }
    }

    /// A filter passing fewer vectors than this is answered exactly.
    pub(crate) fn exact_below(&self) -> usize {
        self.options.ann_threshold
    }

    pub(crate) fn clear(&mut self) {
        self.projects.clear();
    }

    /// The project's index as of `snap`, caught up, loaded or built first.
    pub(crate) fn fresh(
        &mut self,
        snap: &Snapshot<'_>,
        project: &str,
    ) -> Result<&mut ProjectIndex> {
        // Taken out while it is brought up to date: if that fails, the entry
        // is gone and the next call starts over from the file or database.
        let entry = match self.projects.remove(project) {
            Some(mut entry) if entry.generation <= snap.generation => {
                if entry.generation < snap.generation {
                    self.catch_up(&mut entry, snap, project)?;
                }
                self.reshape(entry, snap, project)?
            }
            // Absent, or ahead of this snapshot (the database went back: a
            // restored file): start from the file or the vectors.
            _ => self.open_project(snap, project)?,
        };
        let read_only = self.read_only;
        let entry = self.projects.entry(project.to_owned()).or_insert(entry);
        if entry.wants_persisting() && !read_only {
            persist(&self.dir, entry, snap, project);
        }
        Ok(entry)
    }

    /// Makes every large project's file worth loading: built when missing or
    /// unusable, rewritten when a tenth of it has changed since. A file a
    /// little behind is left alone (the log covers it): rewriting a large
    /// graph per `ltmc store` is what this design avoids.
    pub(crate) fn sync(&mut self, snap: &Snapshot<'_>) -> Result<()> {
        for project in projects_with_vectors(snap.conn)? {
            let stored = count_vectors(snap.conn, &project)?;
            if stored < self.options.ann_threshold as u64 {
                continue;
            }
            if !self.projects.contains_key(&project) {
                let path = index_file::path_for(&self.dir, &project);
                if let Some(header) = index_file::peek_header(&path) {
                    let pending = pending_log_rows(snap.conn, &project, header.generation)?;
                    let current = header.store_uid == snap.store_uid
                        && header.generation <= snap.generation
                        && header.dimension == snap.dimension;
                    if current && pending * 10 < (header.indexed as u64).max(1000) {
                        continue;
                    }
                }
            }
            // Loads, catches up, builds or rewrites as needed.
            self.fresh(snap, &project)?;
        }
        Ok(())
    }

    /// Drops `project`'s entry and file and builds it again from the vectors.
    pub(crate) fn rebuild(&mut self, snap: &Snapshot<'_>, project: &str) -> Result<()> {
        self.projects.remove(project);
        index_file::remove(&self.dir, project)?;
        let entry = self.build(snap, project)?;
        self.projects.insert(project.to_owned(), entry);
        Ok(())
    }
}

/// Writes the entry's graph file. A failure is logged, not returned: the file
/// is a cache, and the search that triggered the write still has its answer.
fn persist(dir: &std::path::Path, entry: &mut ProjectIndex, snap: &Snapshot<'_>, project: &str) {
    let Backing::Hnsw(graph) = &entry.backing else {
        return;
    };
    let params = graph.params();
    let header = Header {
        store_uid: snap.store_uid.to_owned(),
        project: project.to_owned(),
        generation: entry.generation,
        dimension: snap.dimension,
        indexed: graph.len(),
        connectivity: params.connectivity,
        expansion_add: params.expansion_add,
        expansion_search: params.expansion_search,
    };
    match index_file::write(dir, &header, &entry.types, graph) {
        Ok(path) => {
            tracing::debug!(project, path = %path.display(), generation = entry.generation, "wrote index file");
            entry.persisted = Some(entry.generation);
            entry.unpersisted = 0;
        }
        Err(err) => tracing::warn!(project, error = ?err, "could not write the index file"),
    }
}

#[allow(clippy::needless_pass_by_value)] // used as map_err(corrupt)
fn corrupt(err: IndexError) -> Error {
    Error::Store(StoreError::Corrupt(format!("vector index: {err}")))
}

/// (vector id, vector, resource type) from three columns of a row starting
/// at `first`.
fn vector_row(row: &Row<'_>, first: usize, dimension: usize) -> Result<(i64, Vec<f32>, String)> {
    let vector_id: i64 = row.get(first)?;
    let bytes = row.get_ref(first + 1)?.as_blob().map_err(|err| {
        rusqlite::Error::FromSqlConversionFailure(
            first + 1,
            rusqlite::types::Type::Blob,
            Box::new(err),
        )
    })?;
    let resource_type: String = row.get(first + 2)?;
    let vector = blob::decode(bytes, dimension).ok_or_else(|| {
        StoreError::Corrupt(format!(
            "vector {vector_id} has {} bytes, expected {} ({dimension} floats); run `ltmc doctor`",
            bytes.len(),
            blob::byte_len(dimension)
        ))
    })?;
    Ok((vector_id, vector, resource_type))
}

/// Log rows of `project` after `generation`.
fn pending_log_rows(conn: &Connection, project: &str, generation: i64) -> Result<u64> {
    Ok(conn.query_row(
        "SELECT count(*) FROM vector_log WHERE project = ?1 AND generation > ?2",
        rusqlite::params![project, generation],
        |row| row.get(0),
    )?)
}

pub(crate) fn count_vectors(conn: &Connection, project: &str) -> Result<u64> {
    Ok(conn.query_row(
        "SELECT count(*) FROM vectors WHERE project = ?1",
        [project],
        |row| row.get(0),
    )?)
}

pub(crate) fn projects_with_vectors(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached("SELECT DISTINCT project FROM vectors ORDER BY project")?;
    let rows = stmt.query_map([], |row| row.get(0))?;
    Ok(rows.collect::<rusqlite::Result<Vec<String>>>()?)
}

impl ProjectIndex {
    pub(crate) fn len(&self) -> usize {
        match &self.backing {
            Backing::Exact(index) => index.len(),
            Backing::Hnsw(index) => index.len(),
        }
    }

    fn kind(&self) -> &'static str {
        match self.backing {
            Backing::Exact(_) => "exact",
            Backing::Hnsw(_) => "hnsw",
        }
    }

    fn contains(&self, vector_id: i64) -> bool {
        match &self.backing {
            Backing::Exact(index) => index.contains(vector_id),
            Backing::Hnsw(index) => index.contains(vector_id),
        }
    }

    /// Worth rewriting the file: a tenth of the graph has changed since.
    fn wants_persisting(&self) -> bool {
        matches!(self.backing, Backing::Hnsw(_))
            && self.persisted.is_some()
            && self.unpersisted > 0
            && self.unpersisted * 10 >= self.len().max(1000)
    }

    fn note_type(&mut self, vector_id: i64, resource_type: &str) {
        if let Some((_, ids)) = self
            .types
            .iter_mut()
            .find(|(name, _)| name == resource_type)
        {
            ids.insert(vector_id);
        } else {
            self.types
                .push((resource_type.to_owned(), HashSet::from([vector_id])));
        }
    }

    fn insert_batch(&mut self, batch: &[(i64, Vec<f32>)]) -> Result<()> {
        if batch.is_empty() {
            return Ok(());
        }
        match &mut self.backing {
            Backing::Exact(index) => {
                for (vector_id, vector) in batch {
                    index.insert(*vector_id, vector).map_err(corrupt)?;
                }
            }
            Backing::Hnsw(index) => {
                let items: Vec<(i64, &[f32])> =
                    batch.iter().map(|(id, v)| (*id, v.as_slice())).collect();
                index.insert_many(&items).map_err(corrupt)?;
            }
        }
        Ok(())
    }

    fn remove(&mut self, vector_id: i64) {
        match &mut self.backing {
            Backing::Exact(index) => {
                index.remove(vector_id);
            }
            Backing::Hnsw(index) => {
                index.remove(vector_id);
            }
        }
        for (_, ids) in &mut self.types {
            ids.remove(&vector_id);
        }
        self.types.retain(|(_, ids)| !ids.is_empty());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shared plan's floor for a graph walk's candidate list is the
    /// embedded index's default, and its exact threshold this store's.
    #[test]
    fn the_shared_plan_matches_the_embedded_index_defaults() {
        assert_eq!(
            HnswParams::default().expansion_search,
            ltmc_store::plan::MIN_CANDIDATES
        );
        assert_eq!(
            IndexOptions::default().ann_threshold,
            ltmc_store::plan::EXACT_BELOW
        );
    }
}
