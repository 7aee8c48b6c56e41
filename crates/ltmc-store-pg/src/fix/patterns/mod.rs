//! Fix patterns, their relationships and applications: [`PatternStore`] for
//! [`PgStore`].
//!
//! A pattern is a row of `fix_patterns` (migration 0003): its list columns
//! PostgreSQL arrays, its rules-as-written JSONB, its three embeddings
//! pgvector columns of the row (the store's dimension; bound as
//! `pgvector::Vector`). Storing one also stores the relationships from it
//! and the guardian rules made from it (`guardian.rs`), in the same
//! transaction, after every id it names has been checked. `related_patterns`
//! is not a column: it is read from `pattern_relationships` (the targets of
//! the pattern's relationships, strongest first, each once) whenever a
//! pattern is read; `related_patterns()` with no types asks for every type.
//! Recording an application locks the pattern and the audit (`FOR NO KEY
//! UPDATE`: two servers recording applications of one pattern count both),
//! moves the pattern's metrics with `PatternMetrics::after` and the audit's status with
//! the same transition an upsert makes (`audits.rs`).
//!
//! The search and the related patterns are the SQL functions of migration
//! 0003 (`search_patterns_enhanced`, `get_related_patterns`), called here
//! with the project and the full pattern joined on, so the store and a team
//! calling them as Supabase RPCs get the same answer. Not here: deleting
//! patterns, discovering relationships or rules (service).
//!
//! One file per concern: the trait's surface and the simple reads are here;
//! storing a pattern with its relationships and rules (`write`), the search
//! (`search`), recording applications (`applications`), and reading rows back
//! (`rows`) have files of their own.

mod applications;
mod review;
mod rows;
mod search;
mod write;

pub(super) use write::{PatternRow, insert_pattern};

use super::check_pattern;
use crate::PgStore;
use crate::error::{Result, not_found};
use applications::{check_pattern_exists, record};
use async_trait::async_trait;
use ltmc_core::fix::{
    FixPattern, NewApplication, NewFixPattern, NewGuardianRule, NewRelationship,
    PatternApplication, PatternEmbeddings, PatternFilter, PatternRelationship, ProblemType,
    RelatedPattern, RelationshipType,
};
use ltmc_core::{PatternId, Project, present};
use ltmc_store::entity;
use ltmc_store::validate::sql_limit;
use ltmc_store::{
    PatternMatch, PatternQuery, PatternStore, RecordedApplication, StoreError, StoredPattern,
};
use rows::{
    APPLICATION_COLUMNS, PATTERN_COLUMNS, application_from_row, parse_kind, pattern,
    pattern_from_row, stored_pattern,
};
use search::search;
use write::{put, upsert_relationship};

#[async_trait]
impl PatternStore for PgStore {
    async fn put_pattern(
        &self,
        project: &Project,
        pattern: NewFixPattern,
        embeddings: PatternEmbeddings,
        relationships: Vec<NewRelationship>,
        rules: Vec<NewGuardianRule>,
    ) -> Result<StoredPattern, StoreError> {
        put(self, project, pattern, embeddings, relationships, rules)
            .await
            .map_err(|e| self.fail(e))
    }

    async fn get_pattern(
        &self,
        project: &Project,
        id: PatternId,
    ) -> Result<FixPattern, StoreError> {
        async {
            let client = self.client().await?;
            pattern(&client, project, id)
                .await?
                .ok_or_else(|| not_found(entity::FIX_PATTERN, id, project))
        }
        .await
        .map_err(|e| self.fail(e))
    }

    async fn list_patterns(
        &self,
        project: &Project,
        filter: &PatternFilter,
    ) -> Result<Vec<FixPattern>, StoreError> {
        async {
            // A layer beyond INTEGER is held by no pattern.
            let Ok(layer) = filter.layer.map(i32::try_from).transpose() else {
                return Ok(Vec::new());
            };
            let blank_is_none = |v: &Option<String>| {
                v.as_deref()
                    .map(str::trim)
                    .filter(|v| !v.is_empty())
                    .map(str::to_owned)
            };
            let (workflow, tag) = (blank_is_none(&filter.workflow), blank_is_none(&filter.tag));
            let client = self.client().await?;
            // One statement for every filter: a filter not given is NULL.
            let stmt = client
                .prepare_cached(&format!(
                    "SELECT {PATTERN_COLUMNS} FROM fix_patterns p WHERE p.project = $1 \
                     AND ($2::boolean IS NULL OR p.reviewed = $2) \
                     AND ($3::text IS NULL OR p.problem_type = $3) \
                     AND ($4::integer IS NULL OR p.layers @> ARRAY[$4::integer]) \
                     AND ($5::text IS NULL OR p.workflows @> ARRAY[$5::text]) \
                     AND ($6::text IS NULL OR p.tags @> ARRAY[$6::text]) \
                     ORDER BY p.id DESC LIMIT $7"
                ))
                .await?;
            let rows = client
                .query(
                    &stmt,
                    &[
                        &project.as_str(),
                        &filter.reviewed,
                        &filter.problem_type.map(ProblemType::as_str),
                        &layer,
                        &workflow,
                        &tag,
                        &filter.limit.map(sql_limit),
                    ],
                )
                .await?;
            rows.iter()
                .map(pattern_from_row)
                .collect::<Result<Vec<_>>>()
        }
        .await
        .map_err(|e| self.fail(e))
    }

    async fn review_pattern(
        &self,
        project: &Project,
        id: PatternId,
        reviewed: bool,
        notes: Option<String>,
    ) -> Result<FixPattern, StoreError> {
        let notes = present(notes);
        async {
            let mut client = self.client().await?;
            let tx = client.transaction().await?;
            if reviewed {
                let layers = tx
                    .query_opt(
                        "SELECT cardinality(layers) FROM fix_patterns \
                         WHERE id = $1 AND project = $2",
                        &[&id.0, &project.as_str()],
                    )
                    .await?;
                if let Some(row) = layers
                    && row.try_get::<_, Option<i32>>(0)?.unwrap_or(0) == 0
                {
                    return Err(ltmc_store::validate::no_layers_to_review(id).into());
                }
            }
            let stmt = tx
                .prepare_cached(
                    "UPDATE fix_patterns SET reviewed = $3, \
                     reviewer_notes = coalesce($4, reviewer_notes), updated_at = now() \
                     WHERE id = $1 AND project = $2",
                )
                .await?;
            let changed = tx
                .execute(&stmt, &[&id.0, &project.as_str(), &reviewed, &notes])
                .await?;
            if changed == 0 {
                return Err(not_found(entity::FIX_PATTERN, id, project));
            }
            let stored = stored_pattern(&tx, project, id).await?;
            tx.commit().await?;
            Ok(stored)
        }
        .await
        .map_err(|e| self.fail(e))
    }

    async fn search_patterns(
        &self,
        project: &Project,
        query: &PatternQuery,
    ) -> Result<Vec<PatternMatch>, StoreError> {
        search(self, project, query).await.map_err(|e| self.fail(e))
    }

    async fn link_patterns(
        &self,
        project: &Project,
        relationship: NewRelationship,
    ) -> Result<PatternRelationship, StoreError> {
        async {
            let relationship = relationship.validated()?;
            let mut client = self.client().await?;
            let tx = client.transaction().await?;
            check_pattern(&tx, project, relationship.source).await?;
            check_pattern(&tx, project, relationship.target).await?;
            let stored = upsert_relationship(&tx, project, &relationship).await?;
            tx.commit().await?;
            Ok(stored)
        }
        .await
        .map_err(|e| self.fail(e))
    }

    async fn related_patterns(
        &self,
        project: &Project,
        id: PatternId,
        types: &[RelationshipType],
    ) -> Result<Vec<RelatedPattern>, StoreError> {
        // No types: every type (the SQL function reads an empty list so too).
        let types: Vec<&str> = types.iter().map(|t| t.as_str()).collect();
        async {
            let client = self.client().await?;
            // One statement, one snapshot: no row for an unknown pattern,
            // one row with NULLs for a pattern without such relationships.
            let stmt = client
                .prepare_cached(
                    "SELECT r.id, r.title, r.relationship_type, r.strength, r.description \
                     FROM fix_patterns p LEFT JOIN LATERAL get_related_patterns(\
                     pattern_id => p.id, relationship_types => $3, p_project => p.project) r \
                     ON true WHERE p.id = $1 AND p.project = $2",
                )
                .await?;
            let rows = client
                .query(&stmt, &[&id.0, &project.as_str(), &types])
                .await?;
            if rows.is_empty() {
                return Err(not_found(entity::FIX_PATTERN, id, project));
            }
            let mut related = Vec::with_capacity(rows.len());
            for row in &rows {
                let Some(target) = row.try_get::<_, Option<i64>>(0)? else {
                    continue;
                };
                let kind: String = row.try_get(2)?;
                related.push(RelatedPattern {
                    id: PatternId(target),
                    title: row.try_get(1)?,
                    relationship_type: parse_kind(&kind)?,
                    strength: row.try_get(3)?,
                    description: row.try_get(4)?,
                });
            }
            Ok(related)
        }
        .await
        .map_err(|e| self.fail(e))
    }

    async fn record_application(
        &self,
        project: &Project,
        application: NewApplication,
    ) -> Result<RecordedApplication, StoreError> {
        record(self, project, application)
            .await
            .map_err(|e| self.fail(e))
    }

    async fn list_applications(
        &self,
        project: &Project,
        pattern: Option<PatternId>,
    ) -> Result<Vec<PatternApplication>, StoreError> {
        async {
            let mut client = self.client().await?;
            // A read-only snapshot: the pattern's check and its list agree.
            let tx = client
                .build_transaction()
                .isolation_level(tokio_postgres::IsolationLevel::RepeatableRead)
                .read_only(true)
                .start()
                .await?;
            if let Some(pattern) = pattern {
                check_pattern_exists(&tx, project, pattern).await?;
            }
            let stmt = tx
                .prepare_cached(&format!(
                    "SELECT {APPLICATION_COLUMNS} FROM pattern_applications x \
                     WHERE x.project = $1 AND ($2::bigint IS NULL OR x.pattern_id = $2) \
                     ORDER BY x.id"
                ))
                .await?;
            let rows = tx
                .query(&stmt, &[&project.as_str(), &pattern.map(|p| p.0)])
                .await?;
            let applications = rows
                .iter()
                .map(application_from_row)
                .collect::<Result<Vec<_>>>()?;
            tx.commit().await?;
            Ok(applications)
        }
        .await
        .map_err(|e| self.fail(e))
    }
}
