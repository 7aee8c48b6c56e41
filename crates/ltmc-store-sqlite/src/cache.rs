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

use crate::blob;
use crate::error::{Error, Result};
use crate::index_file::{self, Header, Loaded};
use ltmc_index::{ExactIndex, Hit, HnswIndex, HnswParams, IndexError};
use ltmc_store::plan::{SearchPlan, Walks};
use ltmc_store::{IndexStatus, NoProgress, Progress, StoreError};
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
        let entry = self.projects.entry(project.to_owned()).or_insert(entry);
        if entry.wants_persisting() {
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

    /// Compares `project`'s index, brought to `snap` the normal way (file
    /// plus log, or the entry in memory plus log), with the database, vector
    /// by vector and type by type.
    pub(crate) fn check(&mut self, snap: &Snapshot<'_>, project: &str) -> Result<IndexStatus> {
        let entry = self.fresh(snap, project)?;
        let mut problems = Vec::new();
        let mut missing = Vec::new();
        let mut wrong_type = Vec::new();
        let mut stored = 0u64;
        let mut stmt = snap.conn.prepare_cached(
            "SELECT v.vector_id, r.resource_type FROM vectors v \
             JOIN chunks c ON c.id = v.chunk_id JOIN resources r ON r.id = c.resource_id \
             WHERE v.project = ?1",
        )?;
        let mut rows = stmt.query([project])?;
        while let Some(row) = rows.next()? {
            stored += 1;
            let vector_id: i64 = row.get(0)?;
            let resource_type: String = row.get(1)?;
            if !entry.contains(vector_id) {
                missing.push(vector_id);
            } else if !entry
                .types
                .iter()
                .any(|(name, ids)| *name == resource_type && ids.contains(&vector_id))
            {
                wrong_type.push(vector_id);
            }
        }
        let indexed = entry.len() as u64;
        let typed: usize = entry.types.iter().map(|(_, ids)| ids.len()).sum();
        if !missing.is_empty() {
            problems.push(format!(
                "{} stored vectors missing from the index (e.g. {:?})",
                missing.len(),
                &missing[..missing.len().min(5)]
            ));
        }
        if !wrong_type.is_empty() {
            problems.push(format!(
                "{} vectors filed under the wrong resource type (e.g. {:?})",
                wrong_type.len(),
                &wrong_type[..wrong_type.len().min(5)]
            ));
        }
        if indexed + missing.len() as u64 != stored {
            problems.push(format!(
                "the index holds {indexed} vectors, the database {stored}: {} are indexed but not stored",
                (indexed + missing.len() as u64).saturating_sub(stored)
            ));
        }
        if typed as u64 != indexed {
            problems.push(format!(
                "{typed} vectors have a type but the index holds {indexed}"
            ));
        }
        Ok(IndexStatus {
            project: project.to_owned(),
            kind: entry.kind().to_owned(),
            indexed,
            stored,
            position: entry.generation,
            persisted_position: entry.persisted,
            problems,
        })
    }

    /// From the file plus the log when the project is large and the file is
    /// good, else from the vectors.
    fn open_project(&self, snap: &Snapshot<'_>, project: &str) -> Result<ProjectIndex> {
        let stored = count_vectors(snap.conn, project)?;
        if stored < self.options.ann_threshold as u64 {
            return self.build(snap, project);
        }
        match self.load_file(snap, project) {
            Ok(Some(mut entry)) => {
                self.catch_up(&mut entry, snap, project)?;
                if entry.len() as u64 == stored {
                    return self.reshape(entry, snap, project);
                }
                tracing::warn!(
                    project,
                    indexed = entry.len(),
                    stored,
                    "index file plus log disagrees with the database; rebuilding"
                );
            }
            Ok(None) => {}
            Err(err) => tracing::warn!(project, error = ?err, "index file unusable; rebuilding"),
        }
        let mut entry = self.build(snap, project)?;
        if entry.wants_persisting() || entry.persisted.is_none() {
            persist(&self.dir, &mut entry, snap, project);
        }
        Ok(entry)
    }

    /// The file, if it is this store's and not ahead of the database.
    fn load_file(&self, snap: &Snapshot<'_>, project: &str) -> Result<Option<ProjectIndex>> {
        let path = index_file::path_for(&self.dir, project);
        let Some(Loaded {
            header,
            types,
            graph,
        }) = index_file::read(&path)?
        else {
            return Ok(None);
        };
        let usable = header.store_uid == snap.store_uid
            && header.project == project
            && header.dimension == snap.dimension
            && header.generation <= snap.generation;
        if !usable {
            tracing::info!(
                project,
                file_generation = header.generation,
                generation = snap.generation,
                "index file belongs to another store state; rebuilding"
            );
            return Ok(None);
        }
        tracing::debug!(
            project,
            generation = header.generation,
            vectors = graph.len(),
            "loaded index file"
        );
        Ok(Some(ProjectIndex {
            generation: header.generation,
            backing: Backing::Hnsw(graph),
            types,
            unpersisted: 0,
            persisted: Some(header.generation),
        }))
    }

    /// Every vector of the project, read in one pass: exact when small, a
    /// graph when large.
    fn build(&self, snap: &Snapshot<'_>, project: &str) -> Result<ProjectIndex> {
        let stored = count_vectors(snap.conn, project)?;
        let large = stored >= self.options.ann_threshold as u64;
        let mut entry = ProjectIndex {
            generation: snap.generation,
            backing: if large {
                Backing::Hnsw(HnswIndex::new(snap.dimension, self.options.hnsw).map_err(corrupt)?)
            } else {
                Backing::Exact(ExactIndex::new(snap.dimension))
            },
            types: Vec::new(),
            unpersisted: 0,
            persisted: None,
        };
        let progress = &self.options.progress;
        if large {
            progress.start(
                &format!("building the vector index of project {project}"),
                stored,
            );
        }
        let mut stmt = snap.conn.prepare_cached(
            "SELECT v.vector_id, v.embedding, r.resource_type FROM vectors v \
             JOIN chunks c ON c.id = v.chunk_id AND c.vector_id = v.vector_id \
             JOIN resources r ON r.id = c.resource_id \
             WHERE v.project = ?1 ORDER BY v.vector_id",
        )?;
        let mut rows = stmt.query([project])?;
        let mut batch: Vec<(i64, Vec<f32>)> = Vec::with_capacity(BUILD_BATCH);
        while let Some(row) = rows.next()? {
            let (vector_id, vector, resource_type) = vector_row(row, 0, snap.dimension)?;
            entry.note_type(vector_id, &resource_type);
            batch.push((vector_id, vector));
            if batch.len() == BUILD_BATCH {
                entry.insert_batch(&batch)?;
                if large {
                    progress.advance(batch.len() as u64);
                }
                batch.clear();
            }
        }
        entry.insert_batch(&batch)?;
        if large {
            progress.advance(batch.len() as u64);
            progress.finish();
        }
        tracing::debug!(
            project,
            vectors = entry.len(),
            kind = entry.kind(),
            "built vector index"
        );
        Ok(entry)
    }

    /// Applies the log rows after the entry's generation, in order.
    fn catch_up(&self, entry: &mut ProjectIndex, snap: &Snapshot<'_>, project: &str) -> Result<()> {
        let pending = pending_log_rows(snap.conn, project, entry.generation)?;
        let report = pending >= REPORT_CATCH_UP && matches!(entry.backing, Backing::Hnsw(_));
        if report {
            self.options.progress.start(
                &format!("catching up the vector index of project {project}"),
                pending,
            );
        }
        // An 'add' whose vector is gone was removed later in the log: its
        // 'remove' row follows, so it is skipped here. Additions are batched;
        // a removal of an id still in the batch flushes the batch first, so
        // order is kept.
        let mut stmt = snap.conn.prepare_cached(
            "SELECT l.op, l.vector_id, v.embedding, r.resource_type FROM vector_log l \
             LEFT JOIN vectors v ON v.vector_id = l.vector_id AND l.op = 'add' \
             LEFT JOIN chunks c ON c.id = v.chunk_id AND c.vector_id = v.vector_id \
             LEFT JOIN resources r ON r.id = c.resource_id \
             WHERE l.project = ?1 AND l.generation > ?2 ORDER BY l.seq",
        )?;
        let mut rows = stmt.query(rusqlite::params![project, entry.generation])?;
        let mut batch: Vec<(i64, Vec<f32>)> = Vec::new();
        let mut batched: HashSet<i64> = HashSet::new();
        let mut applied = 0usize;
        while let Some(row) = rows.next()? {
            let op: String = row.get(0)?;
            let vector_id: i64 = row.get(1)?;
            applied += 1;
            if op == "remove" {
                if batched.contains(&vector_id) {
                    entry.insert_batch(&batch)?;
                    batch.clear();
                    batched.clear();
                }
                entry.remove(vector_id);
            } else if row.get_ref(2)?.as_blob_or_null().ok().flatten().is_some() {
                let (vector_id, vector, resource_type) = vector_row(row, 1, snap.dimension)?;
                entry.remove(vector_id);
                entry.note_type(vector_id, &resource_type);
                batched.insert(vector_id);
                batch.push((vector_id, vector));
                if batch.len() == BUILD_BATCH {
                    entry.insert_batch(&batch)?;
                    batch.clear();
                    batched.clear();
                    if report {
                        self.options.progress.advance(BUILD_BATCH as u64);
                    }
                }
            }
        }
        entry.insert_batch(&batch)?;
        if report {
            self.options.progress.finish();
        }
        entry.generation = snap.generation;
        if entry.persisted.is_some() {
            entry.unpersisted += applied;
        }
        Ok(())
    }

    /// Moves a project across the threshold: a graph for one that grew past
    /// it, exact for one that shrank well below it (the gap keeps a project
    /// at the threshold from flapping).
    fn reshape(
        &self,
        entry: ProjectIndex,
        snap: &Snapshot<'_>,
        project: &str,
    ) -> Result<ProjectIndex> {
        let len = entry.len();
        let threshold = self.options.ann_threshold;
        match entry.backing {
            Backing::Exact(_) if len >= threshold => {
                let mut built = self.build(snap, project)?;
                persist(&self.dir, &mut built, snap, project);
                Ok(built)
            }
            Backing::Hnsw(_) if len < threshold / 2 => {
                index_file::remove(&self.dir, project)?;
                self.build(snap, project)
            }
            _ => Ok(entry),
        }
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

    /// The best `k` vectors within `scope`. Always `k` when `k` pass it:
    /// the scope is a predicate inside the graph walk, the walk is widened
    /// when it comes back short, and a scope passing few vectors (or a walk
    /// that still comes back short) is answered by an exact scan of exactly
    /// the passing vectors.
    ///
    /// Per query this costs a hash lookup per visited node and per named
    /// type (or a binary search in the explicit ids), never a set of the
    /// project's vectors: only an exact scan collects the passing ids.
    pub(crate) fn search(
        &mut self,
        query: &[f32],
        k: usize,
        scope: &Scope<'_>,
        exact_below: usize,
    ) -> Result<Vec<Hit>, IndexError> {
        let include = match scope.resource_type {
            None => None,
            Some(wanted) => {
                if scope.exclude_types.iter().any(|t| t == wanted) {
                    return Ok(Vec::new());
                }
                match self.types.iter().find(|(name, _)| name == wanted) {
                    None => return Ok(Vec::new()),
                    Some((_, ids)) => Some(ids),
                }
            }
        };
        // Only the excluded types this project has; with a type included,
        // exclusions cannot matter (a vector has one type).
        let excluded: Vec<&HashSet<i64>> = if include.is_some() {
            Vec::new()
        } else {
            self.types
                .iter()
                .filter(|(name, _)| scope.exclude_types.contains(name))
                .map(|(_, ids)| ids)
                .collect()
        };
        let by_type = |id: i64| {
            include.is_none_or(|ids| ids.contains(&id))
                && !excluded.iter().any(|ids| ids.contains(&id))
        };
        let explicit = scope.ids;
        let keep =
            |id: i64| explicit.is_none_or(|ids| ids.binary_search(&id).is_ok()) && by_type(id);
        match &mut self.backing {
            Backing::Exact(index) => index.search(query, k, &keep),
            Backing::Hnsw(index) => {
                // The passing ids, when they are cheap to list: an explicit
                // set is at most as large as what SQL handed over.
                let listed: Option<Vec<i64>> =
                    explicit.map(|ids| ids.iter().copied().filter(|&id| by_type(id)).collect());
                let passing = match (&listed, include) {
                    (Some(ids), _) => ids.len(),
                    (None, Some(ids)) => ids.len(),
                    (None, None) => index
                        .len()
                        .saturating_sub(excluded.iter().map(|ids| ids.len()).sum()),
                };
                let wanted = k.min(passing);
                let types = &self.types;
                // Every passing id, for an exact scan.
                let all_passing = || -> Vec<i64> {
                    match (&listed, include) {
                        (Some(ids), _) => ids.clone(),
                        (None, Some(ids)) => ids.iter().copied().collect(),
                        (None, None) => types
                            .iter()
                            .filter(|(name, _)| !scope.exclude_types.contains(name))
                            .flat_map(|(_, ids)| ids.iter().copied())
                            .collect(),
                    }
                };
                match SearchPlan::for_filter(passing, Some(index.len()), k, exact_below) {
                    SearchPlan::Nothing => return Ok(Vec::new()),
                    SearchPlan::Exact => return index.exact_among(query, k, &all_passing()),
                    SearchPlan::Graph => {}
                }
                // The first walk with the index's own candidate list (it
                // grows with the graph), then widened.
                let floor = index.params().expansion_search;
                for expansion in Walks::new(0, k, floor, None) {
                    let hits = index.search(query, k, expansion, &keep)?;
                    if hits.len() >= wanted {
                        return Ok(hits);
                    }
                }
                index.exact_among(query, k, &all_passing())
            }
        }
    }
}

/// Which vectors of a project a search may return; every part given must
/// hold.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Scope<'a> {
    /// Only vectors of chunks of resources of this type.
    pub resource_type: Option<&'a str>,
    /// No vectors of chunks of resources of these types.
    pub exclude_types: &'a [String],
    /// Only these vector ids, sorted ascending without repeats (e.g. the
    /// attempts that pass a filter, selected in SQL).
    pub ids: Option<&'a [i64]>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use ltmc_index::synthetic::Random;

    fn entry(backing: Backing) -> ProjectIndex {
        ProjectIndex {
            generation: 0,
            backing,
            types: Vec::new(),
            unpersisted: 0,
            persisted: None,
        }
    }

    fn backings(dimension: usize) -> [Backing; 2] {
        [
            Backing::Exact(ExactIndex::new(dimension)),
            Backing::Hnsw(HnswIndex::new(dimension, HnswParams::default()).unwrap()),
        ]
    }

    fn ids(hits: &[Hit]) -> Vec<i64> {
        hits.iter().map(|h| h.id).collect()
    }

    fn add(e: &mut ProjectIndex, id: i64, v: &[f32], t: &str) {
        e.note_type(id, t);
        e.insert_batch(&[(id, v.to_vec())]).unwrap();
    }

    fn of_type(t: &str) -> Scope<'_> {
        Scope {
            resource_type: Some(t),
            ..Scope::default()
        }
    }

    fn search(e: &mut ProjectIndex, q: &[f32], k: usize, scope: &Scope<'_>) -> Vec<i64> {
        ids(&e.search(q, k, scope, 0).unwrap())
    }

    #[test]
    fn type_filter_runs_inside_the_search_for_both_backings() {
        for backing in backings(2) {
            let mut e = entry(backing);
            add(&mut e, 1, &[1.0, 0.0], "doc");
            add(&mut e, 2, &[0.9, 0.1], "doc");
            add(&mut e, 3, &[0.0, 1.0], "code");
            assert_eq!(search(&mut e, &[1.0, 0.0], 1, &of_type("code")), [3]);
            assert_eq!(search(&mut e, &[1.0, 0.0], 5, &of_type("doc")), [1, 2]);
            assert!(search(&mut e, &[1.0, 0.0], 5, &of_type("todo")).is_empty());
            assert_eq!(search(&mut e, &[0.0, 1.0], 2, &Scope::default()), [3, 2]);
            e.remove(3);
            assert!(search(&mut e, &[1.0, 0.0], 5, &of_type("code")).is_empty());
            assert_eq!(e.types.len(), 1);
        }
    }

    #[test]
    fn exclusions_and_explicit_ids_for_both_backings() {
        let excluded = ["code".to_owned(), "absent".to_owned()];
        for backing in backings(2) {
            let mut e = entry(backing);
            add(&mut e, 1, &[1.0, 0.0], "doc");
            add(&mut e, 2, &[0.9, 0.1], "code");
            add(&mut e, 3, &[0.8, 0.2], "doc");
            add(&mut e, 4, &[0.0, 1.0], "note");
            let q = [1.0, 0.0];
            let no_code = Scope {
                exclude_types: &excluded,
                ..Scope::default()
            };
            assert_eq!(search(&mut e, &q, 2, &no_code), [1, 3]);
            assert_eq!(search(&mut e, &q, 9, &no_code), [1, 3, 4]);
            // Excluding the included type leaves nothing.
            let contradiction = Scope {
                resource_type: Some("code"),
                exclude_types: &excluded,
                ids: None,
            };
            assert!(search(&mut e, &q, 9, &contradiction).is_empty());
            let explicit = Scope {
                ids: Some(&[2, 4, 7]),
                ..Scope::default()
            };
            assert_eq!(search(&mut e, &q, 9, &explicit), [2, 4]);
            assert_eq!(search(&mut e, &q, 1, &explicit), [2]);
            // Every part of a scope holds.
            let all = Scope {
                resource_type: None,
                exclude_types: &excluded,
                ids: Some(&[2, 3, 4]),
            };
            assert_eq!(search(&mut e, &q, 9, &all), [3, 4]);
            let typed = Scope {
                resource_type: Some("doc"),
                exclude_types: &[],
                ids: Some(&[2, 3, 4]),
            };
            assert_eq!(search(&mut e, &q, 9, &typed), [3]);
            assert!(
                search(
                    &mut e,
                    &q,
                    9,
                    &Scope {
                        ids: Some(&[]),
                        ..Scope::default()
                    }
                )
                .is_empty()
            );
        }
    }

    /// 3000 vectors on a graph, a few of them "rare" and a few named by id,
    /// scattered among them: the filtered graph walk alone may come back
    /// short; the answer may not, whether it comes from the walk (exact_below
    /// 0) or from an exact scan (exact_below 100).
    #[test]
    fn a_selective_scope_on_a_graph_still_returns_k() {
        let mut e = entry(Backing::Hnsw(
            HnswIndex::new(8, HnswParams::default()).unwrap(),
        ));
        let mut random = Random::new(17);
        for id in 1..=3000i64 {
            let v: Vec<f32> = (0..8).map(|_| random.normal()).collect();
            let t = match id % 250 {
                0 => "rare",
                1..=3 => "attempt",
                _ => "common",
            };
            add(&mut e, id, &v, t);
        }
        let chosen: Vec<i64> = (1..=3000).filter(|id| id % 150 == 7).collect();
        assert_eq!(chosen.len(), 20);
        let excluded = ["common".to_owned()];
        let q = [0.3; 8];
        for exact_below in [0, 100] {
            let mut run =
                |k: usize, scope: &Scope<'_>| e.search(&q, k, scope, exact_below).unwrap();
            let hits = run(10, &of_type("rare"));
            assert_eq!(hits.len(), 10, "exact_below {exact_below}");
            assert!(hits.iter().all(|h| h.id % 250 == 0));
            assert_eq!(run(20, &of_type("rare")).len(), 12);

            let explicit = Scope {
                ids: Some(&chosen),
                ..Scope::default()
            };
            let hits = run(10, &explicit);
            assert_eq!(hits.len(), 10, "exact_below {exact_below}");
            assert!(hits.iter().all(|h| chosen.contains(&h.id)));
            let every = run(50, &explicit);
            assert_eq!(ids(&every).len(), 20);
            if exact_below > 0 {
                // Scanned exactly: the best 10 of the set, not any 10 of it.
                assert_eq!(ids(&hits), ids(&every)[..10]);
            }

            // Exclusions leave 12 rare and 36 attempt vectors.
            let rest = Scope {
                exclude_types: &excluded,
                ..Scope::default()
            };
            let hits = run(40, &rest);
            assert_eq!(hits.len(), 40, "exact_below {exact_below}");
            assert!(hits.iter().all(|h| matches!(h.id % 250, 0..=3)));
            assert_eq!(run(100, &rest).len(), 48);
        }
    }
}
