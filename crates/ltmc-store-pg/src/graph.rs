//! The relationship graph: [`GraphStore`] for [`PgStore`].
//!
//! Edges are rows of `graph_edges` (migration 0002), one per (project,
//! source, target, relation); adding an edge again replaces its properties
//! and keeps its id and creation time. A batch is one transaction, validated
//! whole before it begins. Each edge is `INSERT ... ON CONFLICT DO NOTHING`
//! (new: the row comes back) and otherwise an `UPDATE` of the existing row:
//! safe against another server adding the same edge at the same moment (the
//! insert waits for it, then updates), and it says plainly which edges are
//! new. Nodes are names, not rows: any string a caller uses is a node, so
//! nothing is created first and nothing is `NotFound`. Not a graph database:
//! no traversal beyond one hop, no deletion of edges yet.

use crate::PgStore;
use crate::checks::{json_object, no_nul};
use crate::error::Result;
use async_trait::async_trait;
use ltmc_core::{Edge, EdgeId, NewEdge, Project};
use ltmc_store::validate::not_blank;
use ltmc_store::{GraphStore, StoreError};
use tokio_postgres::Row;

#[async_trait]
impl GraphStore for PgStore {
    async fn put_edges(
        &self,
        project: &Project,
        edges: Vec<NewEdge>,
    ) -> Result<Vec<(Edge, bool)>, StoreError> {
        self.put(project, &edges).await.map_err(|e| self.fail(e))
    }

    async fn edges_of(
        &self,
        project: &Project,
        node: &str,
        relation: Option<&str>,
    ) -> Result<Vec<Edge>, StoreError> {
        if node.contains('\0') || relation.is_some_and(|r| r.contains('\0')) {
            // No stored name holds a NUL (PostgreSQL cannot).
            return Ok(Vec::new());
        }
        async {
            let client = self.client().await?;
            // Each side of the OR has its index (the UNIQUE one for source,
            // graph_edges_by_target for target); a self-loop comes once.
            let stmt = client
                .prepare_cached(&format!(
                    "SELECT {EDGE_COLUMNS} FROM graph_edges e \
                     WHERE e.project = $1 AND (e.source = $2 OR e.target = $2) \
                       AND ($3::text IS NULL OR e.relation = $3) \
                     ORDER BY e.id"
                ))
                .await?;
            let rows = client
                .query(&stmt, &[&project.as_str(), &node, &relation])
                .await?;
            rows.iter().map(edge_from_row).collect::<Result<Vec<_>>>()
        }
        .await
        .map_err(|e| self.fail(e))
    }
}

impl PgStore {
    async fn put(&self, project: &Project, edges: &[NewEdge]) -> Result<Vec<(Edge, bool)>> {
        let mut checked = Vec::with_capacity(edges.len());
        for edge in edges {
            not_blank("source", &edge.source, "a resource id such as \"12\"")?;
            not_blank("target", &edge.target, "a resource id such as \"13\"")?;
            not_blank("relation", &edge.relation, "\"references\"")?;
            no_nul("source", &edge.source)?;
            no_nul("target", &edge.target)?;
            no_nul("relation", &edge.relation)?;
            checked.push(json_object("properties", &edge.properties)?);
        }
        if edges.is_empty() {
            return Ok(Vec::new());
        }
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let insert = tx
            .prepare_cached(&format!(
                "INSERT INTO graph_edges AS e (project, source, target, relation, properties) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING {EDGE_COLUMNS}"
            ))
            .await?;
        let update = tx
            .prepare_cached(&format!(
                "UPDATE graph_edges AS e SET properties = $5 \
                 WHERE e.project = $1 AND e.source = $2 AND e.target = $3 AND e.relation = $4 \
                 RETURNING {EDGE_COLUMNS}"
            ))
            .await?;
        let mut stored = Vec::with_capacity(edges.len());
        for (edge, properties) in edges.iter().zip(&checked) {
            let params: [&(dyn tokio_postgres::types::ToSql + Sync); 5] = [
                &project.as_str(),
                &edge.source,
                &edge.target,
                &edge.relation,
                properties,
            ];
            stored.push(match tx.query_opt(&insert, &params).await? {
                Some(row) => (edge_from_row(&row)?, true),
                None => (
                    edge_from_row(&tx.query_one(&update, &params).await?)?,
                    false,
                ),
            });
        }
        tx.commit().await?;
        Ok(stored)
    }
}

/// The columns [`edge_from_row`] reads, in order, of `graph_edges` aliased `e`.
const EDGE_COLUMNS: &str =
    "e.id, e.source, e.target, e.relation, e.properties, ltmc_ts(e.created_at)";

fn edge_from_row(row: &Row) -> Result<Edge> {
    Ok(Edge {
        id: EdgeId(row.try_get(0)?),
        source: row.try_get(1)?,
        target: row.try_get(2)?,
        relation: row.try_get(3)?,
        properties: row.try_get(4)?,
        created_at: row.try_get(5)?,
    })
}
