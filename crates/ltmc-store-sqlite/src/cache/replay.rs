//! The log replay: a project's index brought from the generation it reflects
//! to the snapshot's by applying the `vector_log` rows after it, in order,
//! whichever process wrote them.
//!
//! Not the building of an index from scratch (`build.rs`).

use super::{
    BUILD_BATCH, Backing, IndexCache, ProjectIndex, REPORT_CATCH_UP, Snapshot, pending_log_rows,
    vector_row,
};
use crate::error::Result;
use std::collections::HashSet;

impl IndexCache {
    /// Applies the log rows after the entry's generation, in order.
    pub(super) fn catch_up(
        &self,
        entry: &mut ProjectIndex,
        snap: &Snapshot<'_>,
        project: &str,
    ) -> Result<()> {
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
}
