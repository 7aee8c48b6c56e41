//! The relationship graph: [`GraphStore`] for [`SqliteStore`].
//!
//! Edges are rows of `graph_edges` (migration 0004), one per (project,
//! source, target, relation); adding an edge again replaces its properties
//! and keeps its id and creation time. Nodes are names, not rows: any string
//! a caller uses (a resource id, a file, a concept) is a node, so there is
//! nothing to create first and nothing to be `NotFound`. Not a graph database:
//! no traversal beyond one hop, no deletion of edges yet.

use crate::SqliteStore;
use crate::error::Result;
use crate::resources::bad_value;
use async_trait::async_trait;
use ltmc_core::{Edge, EdgeId, NewEdge, Project};
use ltmc_store::validate::{json_object, not_blank};
use ltmc_store::{GraphStore, StoreError};
use rusqlite::{OptionalExtension, Row, TransactionBehavior, params};

#[async_trait]
impl GraphStore for SqliteStore {
    async fn put_edges(
        &self,
        project: &Project,
        edges: Vec<NewEdge>,
    ) -> Result<Vec<(Edge, bool)>, StoreError> {
        let project = project.clone();
        self.call(move |state, _| {
            let mut checked = Vec::with_capacity(edges.len());
            for edge in &edges {
                not_blank("source", &edge.source, "a resource id such as \"12\"")?;
                not_blank("target", &edge.target, "a resource id such as \"13\"")?;
                not_blank("relation", &edge.relation, "\"references\"")?;
                checked.push(json_object("properties", &edge.properties)?.to_string());
            }
            if edges.is_empty() {
                return Ok(Vec::new());
            }
            let tx = state
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            let mut stored = Vec::with_capacity(edges.len());
            {
                let mut find = tx.prepare_cached(
                    "SELECT id FROM graph_edges \
                     WHERE project = ?1 AND source = ?2 AND target = ?3 AND relation = ?4",
                )?;
                let mut insert = tx.prepare_cached(&format!(
                    "INSERT INTO graph_edges (project, source, target, relation, properties) \
                     VALUES (?1, ?2, ?3, ?4, ?5) RETURNING {EDGE_COLUMNS}"
                ))?;
                let mut update = tx.prepare_cached(&format!(
                    "UPDATE graph_edges SET properties = ?2 WHERE id = ?1 RETURNING {EDGE_COLUMNS}"
                ))?;
                for (edge, properties) in edges.iter().zip(&checked) {
                    let key = params![project.as_str(), edge.source, edge.target, edge.relation];
                    let existing: Option<i64> = find.query_row(key, |row| row.get(0)).optional()?;
                    stored.push(match existing {
                        Some(id) => (
                            update.query_row(params![id, properties], edge_from_row)?,
                            false,
                        ),
                        None => (
                            insert.query_row(
                                params![
                                    project.as_str(),
                                    edge.source,
                                    edge.target,
                                    edge.relation,
                                    properties
                                ],
                                edge_from_row,
                            )?,
                            true,
                        ),
                    });
                }
            }
            tx.commit()?;
            Ok(stored)
        })
        .await
    }

    async fn edges_of(
        &self,
        project: &Project,
        node: &str,
        relation: Option<&str>,
    ) -> Result<Vec<Edge>, StoreError> {
        let project = project.clone();
        let node = node.to_owned();
        let relation = relation.map(str::to_owned);
        self.call(move |state, _| {
            // Each side of the OR has its index (the UNIQUE one for source,
            // graph_edges_by_target for target); a self-loop comes once.
            let mut stmt = state.conn.prepare_cached(&format!(
                "SELECT {EDGE_COLUMNS} FROM graph_edges \
                 WHERE project = ?1 AND (source = ?2 OR target = ?2) \
                   AND (?3 IS NULL OR relation = ?3) \
                 ORDER BY id"
            ))?;
            let rows = stmt.query_map(params![project.as_str(), node, relation], edge_from_row)?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }
}

/// The columns [`edge_from_row`] reads, in order.
const EDGE_COLUMNS: &str = "id, source, target, relation, properties, created_at";

fn edge_from_row(row: &Row<'_>) -> rusqlite::Result<Edge> {
    let properties: String = row.get(4)?;
    Ok(Edge {
        id: EdgeId(row.get(0)?),
        source: row.get(1)?,
        target: row.get(2)?,
        relation: row.get(3)?,
        properties: serde_json::from_str(&properties).map_err(|err| bad_value(4, err))?,
        created_at: row.get(5)?,
    })
}
