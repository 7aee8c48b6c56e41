//! Opening a project's index: from its graph file plus the log when the
//! project is large and the file is good, else built from the vectors in one
//! pass; and moving a project across the exact/graph threshold as it grows or
//! shrinks.
//!
//! Not the log replay (`replay.rs`) nor the search (`filtered.rs`).

use super::{
    BUILD_BATCH, Backing, IndexCache, ProjectIndex, Snapshot, corrupt, count_vectors, persist,
    vector_row,
};
use crate::error::Result;
use crate::index_file::{self, Loaded};
use ltmc_index::{ExactIndex, HnswIndex};

impl IndexCache {
    /// From the file plus the log when the project is large and the file is
    /// good, else from the vectors.
    pub(super) fn open_project(&self, snap: &Snapshot<'_>, project: &str) -> Result<ProjectIndex> {
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
        if (entry.wants_persisting() || entry.persisted.is_none()) && !self.read_only {
            persist(&self.dir, &mut entry, snap, project);
        }
        Ok(entry)
    }

    /// The file, if it is this store's and not ahead of the database.
    pub(super) fn load_file(
        &self,
        snap: &Snapshot<'_>,
        project: &str,
    ) -> Result<Option<ProjectIndex>> {
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
    pub(super) fn build(&self, snap: &Snapshot<'_>, project: &str) -> Result<ProjectIndex> {
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

    /// Moves a project across the threshold: a graph for one that grew past
    /// it, exact for one that shrank well below it (the gap keeps a project
    /// at the threshold from flapping).
    pub(super) fn reshape(
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
                if !self.read_only {
                    persist(&self.dir, &mut built, snap, project);
                }
                Ok(built)
            }
            Backing::Hnsw(_) if len < threshold / 2 => {
                if !self.read_only {
                    index_file::remove(&self.dir, project)?;
                }
                self.build(snap, project)
            }
            _ => Ok(entry),
        }
    }
}
