//! The in-memory vector index of each project, loaded from the database on
//! first search and kept in step with it by the write generation.
//!
//! The database is the truth; this is a cache of it. An entry remembers the
//! generation it reflects. This process's own writes advance the entries that
//! were current by applying their change (no reload, no rewrite of the whole
//! index per store); any other writer's change leaves an entry behind, and it
//! is reloaded from the file on its next search. Not persisted, not shared
//! between processes.

use crate::blob;
use crate::error::{Error, Result};
use ltmc_index::{ExactIndex, Hit, IndexError};
use ltmc_store::StoreError;
use rusqlite::Connection;
use std::collections::HashMap;

#[derive(Default)]
pub(crate) struct IndexCache {
    projects: HashMap<String, ProjectIndex>,
}

/// One project's vectors, with each vector's resource type so that a type
/// filter runs inside the scan.
pub(crate) struct ProjectIndex {
    generation: i64,
    index: ExactIndex,
    /// vector id -> position in `types`.
    type_of: HashMap<i64, usize>,
    /// Each resource type seen once; few per project, so a Vec beats a map.
    types: Vec<String>,
}

/// What one committed write transaction of this process changed.
pub(crate) enum Change<'a> {
    Added {
        resource_type: &'a str,
        vectors: Vec<(i64, &'a [f32])>,
    },
    Removed {
        vector_ids: &'a [i64],
    },
}

impl IndexCache {
    /// The project's index as of `generation`, reloading it when it is behind.
    pub(crate) fn fresh(
        &mut self,
        conn: &Connection,
        project: &str,
        dimension: usize,
        generation: i64,
    ) -> Result<&ProjectIndex> {
        let stale = self
            .projects
            .get(project)
            .is_none_or(|entry| entry.generation != generation);
        if stale {
            let loaded = ProjectIndex::load(conn, project, dimension, generation)?;
            self.projects.insert(project.to_owned(), loaded);
        }
        self.projects.get(project).ok_or_else(|| {
            Error::Store(StoreError::Unavailable("index cache lost an entry".into()))
        })
    }

    /// Records that this process's write transaction committed as
    /// `generation`. Entries that were current just before it are current
    /// after it once `change` is applied to `project`'s; older entries stay
    /// behind and reload later.
    pub(crate) fn advance(&mut self, generation: i64, project: &str, change: &Change<'_>) {
        self.projects.retain(|name, entry| {
            if entry.generation != generation - 1 {
                return true;
            }
            if name == project && entry.apply(change).is_err() {
                // Cannot happen for validated vectors; if it does, reload.
                return false;
            }
            entry.generation = generation;
            true
        });
    }

    pub(crate) fn clear(&mut self) {
        self.projects.clear();
    }
}

impl ProjectIndex {
    fn load(conn: &Connection, project: &str, dimension: usize, generation: i64) -> Result<Self> {
        let mut entry = Self {
            generation,
            index: ExactIndex::new(dimension),
            type_of: HashMap::new(),
            types: Vec::new(),
        };
        let mut stmt = conn.prepare_cached(
            "SELECT v.vector_id, v.embedding, r.resource_type FROM vectors v \
             JOIN chunks c ON c.id = v.chunk_id AND c.vector_id = v.vector_id \
             JOIN resources r ON r.id = c.resource_id \
             WHERE v.project = ?1 ORDER BY v.vector_id",
        )?;
        let mut rows = stmt.query([project])?;
        while let Some(row) = rows.next()? {
            let vector_id: i64 = row.get(0)?;
            let bytes = row.get_ref(1)?.as_blob().map_err(|err| {
                rusqlite::Error::FromSqlConversionFailure(
                    1,
                    rusqlite::types::Type::Blob,
                    Box::new(err),
                )
            })?;
            let resource_type: String = row.get(2)?;
            let vector = blob::decode(bytes, dimension).ok_or_else(|| {
                StoreError::Corrupt(format!(
                    "vector {vector_id} has {} bytes, expected {} ({dimension} floats); run `ltmc doctor`",
                    bytes.len(),
                    blob::byte_len(dimension)
                ))
            })?;
            entry
                .add(vector_id, &vector, &resource_type)
                .map_err(|err| StoreError::Corrupt(format!("vector {vector_id}: {err}")))?;
        }
        tracing::debug!(
            project,
            vectors = entry.index.len(),
            generation,
            "loaded vector index"
        );
        Ok(entry)
    }

    fn apply(&mut self, change: &Change<'_>) -> Result<(), IndexError> {
        match change {
            Change::Added {
                resource_type,
                vectors,
            } => {
                for (vector_id, vector) in vectors {
                    self.add(*vector_id, vector, resource_type)?;
                }
            }
            Change::Removed { vector_ids } => {
                for vector_id in *vector_ids {
                    self.index.remove(*vector_id);
                    self.type_of.remove(vector_id);
                }
            }
        }
        Ok(())
    }

    fn add(
        &mut self,
        vector_id: i64,
        vector: &[f32],
        resource_type: &str,
    ) -> Result<(), IndexError> {
        self.index.insert(vector_id, vector)?;
        let slot = if let Some(slot) = self.types.iter().position(|t| t == resource_type) {
            slot
        } else {
            self.types.push(resource_type.to_owned());
            self.types.len() - 1
        };
        self.type_of.insert(vector_id, slot);
        Ok(())
    }

    /// The best `k` vectors, restricted to one resource type when given.
    pub(crate) fn search(
        &self,
        query: &[f32],
        k: usize,
        resource_type: Option<&str>,
    ) -> Result<Vec<Hit>, IndexError> {
        match resource_type {
            None => self.index.search(query, k, &|_| true),
            Some(wanted) => match self.types.iter().position(|t| t == wanted) {
                None => Ok(Vec::new()),
                Some(slot) => self
                    .index
                    .search(query, k, &|id| self.type_of.get(&id) == Some(&slot)),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(generation: i64) -> ProjectIndex {
        ProjectIndex {
            generation,
            index: ExactIndex::new(2),
            type_of: HashMap::new(),
            types: Vec::new(),
        }
    }

    #[test]
    fn own_writes_advance_current_entries_only() {
        let mut cache = IndexCache::default();
        cache.projects.insert("a".into(), entry(4));
        cache.projects.insert("b".into(), entry(4));
        cache.projects.insert("stale".into(), entry(2));
        let v = [1.0, 0.0];
        let change = Change::Added {
            resource_type: "doc",
            vectors: vec![(7, &v[..])],
        };
        cache.advance(5, "a", &change);
        assert_eq!(cache.projects["a"].generation, 5);
        assert!(cache.projects["a"].index.contains(7));
        assert_eq!(cache.projects["b"].generation, 5);
        assert!(!cache.projects["b"].index.contains(7));
        assert_eq!(cache.projects["stale"].generation, 2);

        cache.advance(6, "a", &Change::Removed { vector_ids: &[7] });
        assert!(!cache.projects["a"].index.contains(7));
        assert!(cache.projects["a"].type_of.is_empty());
    }

    #[test]
    fn type_filter_runs_inside_the_scan() {
        let mut e = entry(0);
        e.add(1, &[1.0, 0.0], "doc").unwrap();
        e.add(2, &[0.9, 0.1], "doc").unwrap();
        e.add(3, &[0.0, 1.0], "code").unwrap();
        let ids = |hits: Vec<Hit>| hits.iter().map(|h| h.id).collect::<Vec<_>>();
        assert_eq!(ids(e.search(&[1.0, 0.0], 1, Some("code")).unwrap()), [3]);
        assert_eq!(ids(e.search(&[1.0, 0.0], 5, Some("doc")).unwrap()), [1, 2]);
        assert!(e.search(&[1.0, 0.0], 5, Some("todo")).unwrap().is_empty());
        assert_eq!(ids(e.search(&[0.0, 1.0], 2, None).unwrap()), [3, 2]);
    }
}
