//! Todos: [`TodoStore`] for [`PgStore`].
//!
//! Rows of `todos` (migration 0002) with a generated `search` tsvector over
//! title and description (GIN-indexed), tokenized as chunks are
//! (`ltmc_tsvector`, migration 0001). Free text is read as keyword search
//! reads it (`keyword::query_terms`): each content term a phrase of its own
//! lexemes (`ltmc_tsquery`, so `parse_config_v2` matches as written and no
//! input is tsquery syntax), the terms OR-ed (`ltmc_tsquery_or`), ranked by
//! `ts_rank` (more of the query's words rank higher), ties by id. Each write
//! is a single statement, hence its own transaction, validated first.
//!
//! Not here: due dates, assignees, or any link between todos and documents.

use crate::PgStore;
use crate::checks::no_nul;
use crate::error::{Result, corrupt, not_found};
use crate::keyword::query_terms;
use async_trait::async_trait;
use ltmc_core::{NewTodo, Priority, Project, Todo, TodoFilter, TodoId};
use ltmc_store::validate::{not_blank, sql_limit};
use ltmc_store::{StoreError, TodoStore};
use tokio_postgres::Row;

#[async_trait]
impl TodoStore for PgStore {
    async fn add_todo(&self, project: &Project, todo: NewTodo) -> Result<Todo, StoreError> {
        async {
            not_blank("title", &todo.title, "\"fix the flaky upload test\"")?;
            no_nul("title", &todo.title)?;
            no_nul("description", &todo.description)?;
            let client = self.client().await?;
            let stmt = client
                .prepare_cached(&format!(
                    "INSERT INTO todos AS t (project, title, description, priority) \
                     VALUES ($1, $2, $3, $4) RETURNING {TODO_COLUMNS}"
                ))
                .await?;
            let row = client
                .query_one(
                    &stmt,
                    &[
                        &project.as_str(),
                        &todo.title,
                        &todo.description,
                        &todo.priority.as_str(),
                    ],
                )
                .await?;
            todo_from_row(&row)
        }
        .await
        .map_err(|e| self.fail(e))
    }

    async fn list_todos(
        &self,
        project: &Project,
        filter: &TodoFilter,
    ) -> Result<Vec<Todo>, StoreError> {
        async {
            let client = self.client().await?;
            // LIMIT NULL is no limit.
            let stmt = client
                .prepare_cached(&format!(
                    "SELECT {TODO_COLUMNS} FROM todos t \
                     WHERE t.project = $1 AND ($2::boolean IS NULL OR t.completed = $2) \
                     ORDER BY t.id DESC LIMIT $3"
                ))
                .await?;
            let limit = filter.limit.map(sql_limit);
            let rows = client
                .query(&stmt, &[&project.as_str(), &filter.completed, &limit])
                .await?;
            rows.iter().map(todo_from_row).collect::<Result<Vec<_>>>()
        }
        .await
        .map_err(|e| self.fail(e))
    }

    async fn complete_todo(&self, project: &Project, id: TodoId) -> Result<Todo, StoreError> {
        async {
            let client = self.client().await?;
            // coalesce: completing a completed todo keeps the first time.
            let stmt = client
                .prepare_cached(&format!(
                    "UPDATE todos AS t SET completed = true, \
                     completed_at = coalesce(t.completed_at, now()) \
                     WHERE t.id = $1 AND t.project = $2 RETURNING {TODO_COLUMNS}"
                ))
                .await?;
            let row = client
                .query_opt(&stmt, &[&id.0, &project.as_str()])
                .await?
                .ok_or_else(|| not_found("todo", id, project))?;
            todo_from_row(&row)
        }
        .await
        .map_err(|e| self.fail(e))
    }

    async fn search_todos(
        &self,
        project: &Project,
        query: &str,
        limit: usize,
    ) -> Result<Vec<Todo>, StoreError> {
        let terms = query_terms(query);
        if terms.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        async {
            let client = self.client().await?;
            // A term without lexemes is an empty phrase: left out (an empty
            // tsquery matches nothing and draws a NOTICE). No term left: the
            // query is NULL and nothing matches.
            let stmt = client
                .prepare_cached(&format!(
                    "WITH q AS (SELECT ltmc_tsquery_or(phrase) AS query FROM \
                       (SELECT ltmc_tsquery(term) AS phrase \
                        FROM unnest($2::text[]) AS term) AS phrases \
                       WHERE numnode(phrase) > 0) \
                     SELECT {TODO_COLUMNS} FROM todos t, q \
                     WHERE t.project = $1 AND t.search @@ q.query \
                     ORDER BY ts_rank(t.search, q.query) DESC, t.id LIMIT $3"
                ))
                .await?;
            let rows = client
                .query(&stmt, &[&project.as_str(), &terms, &sql_limit(limit)])
                .await?;
            rows.iter().map(todo_from_row).collect::<Result<Vec<_>>>()
        }
        .await
        .map_err(|e| self.fail(e))
    }
}

/// The columns [`todo_from_row`] reads, in order, of `todos` aliased `t`.
const TODO_COLUMNS: &str = "t.id, t.title, t.description, t.priority, t.completed, \
                            ltmc_ts(t.created_at), ltmc_ts(t.completed_at)";

fn todo_from_row(row: &Row) -> Result<Todo> {
    let priority: String = row.try_get(3)?;
    Ok(Todo {
        id: TodoId(row.try_get(0)?),
        title: row.try_get(1)?,
        description: row.try_get(2)?,
        priority: Priority::parse(&priority)
            .map_err(|err| corrupt(format!("todos.priority: {err}")))?,
        completed: row.try_get(4)?,
        created_at: row.try_get(5)?,
        completed_at: row.try_get(6)?,
    })
}
