//! The index check behind `ltmc doctor`: one project's index, brought up to
//! date the normal way, compared with the database vector by vector and type
//! by type.
//!
//! Reports problems; repairs nothing (`rebuild` in the cache root does).

use super::{IndexCache, Snapshot};
use crate::error::Result;
use ltmc_store::IndexStatus;

impl IndexCache {
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
}
