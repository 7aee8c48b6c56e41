//! Todos: [`TodoStore`] for [`SqliteStore`].
//!
//! Rows of `todos` (migration 0004), with a keyword index `todo_fts` over
//! title and description kept in step by triggers, searched by BM25 like
//! chunks and with the same escaping of free text (`fts_query.rs`). Writes are
//! single `BEGIN IMMEDIATE` transactions, validated first. Not here: due
//! dates, assignees, or any link between todos and documents.

use crate::SqliteStore;
use crate::error::{Result, not_found};
use crate::fts_query::match_expression;
use crate::resources::bad_value;
use async_trait::async_trait;
use ltmc_core::{NewTodo, Priority, Project, Todo, TodoFilter, TodoId};
use ltmc_store::validate::{not_blank, sql_limit};
use ltmc_store::{StoreError, TodoStore};
use rusqlite::{OptionalExtension, Row, TransactionBehavior, params};

#[async_trait]
impl TodoStore for SqliteStore {
    async fn add_todo(&self, project: &Project, todo: NewTodo) -> Result<Todo, StoreError> {
        let project = project.clone();
        self.call(move |state, _| {
            not_blank("title", &todo.title, "\"fix the flaky upload test\"")?;
            let tx = state
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            let stored = tx.query_row(
                &format!(
                    "INSERT INTO todos (project, title, description, priority) \
                     VALUES (?1, ?2, ?3, ?4) RETURNING {TODO_COLUMNS}"
                ),
                params![
                    project.as_str(),
                    todo.title,
                    todo.description,
                    todo.priority.as_str()
                ],
                todo_from_row,
            )?;
            tx.commit()?;
            Ok(stored)
        })
        .await
    }

    async fn list_todos(
        &self,
        project: &Project,
        filter: &TodoFilter,
    ) -> Result<Vec<Todo>, StoreError> {
        let project = project.clone();
        let filter = *filter;
        self.call(move |state, _| {
            let mut stmt = state.conn.prepare_cached(&format!(
                "SELECT {TODO_COLUMNS} FROM todos \
                 WHERE project = ?1 AND (?2 IS NULL OR completed = ?2) \
                 ORDER BY id DESC LIMIT ?3"
            ))?;
            // SQLite reads LIMIT -1 as "no limit".
            let limit = filter.limit.map_or(-1, sql_limit);
            let rows = stmt.query_map(
                params![project.as_str(), filter.completed, limit],
                todo_from_row,
            )?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }

    async fn complete_todo(&self, project: &Project, id: TodoId) -> Result<Todo, StoreError> {
        let project = project.clone();
        self.call(move |state, _| {
            let tx = state
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            // coalesce: completing a completed todo keeps the first time.
            let stored = tx
                .query_row(
                    &format!(
                        "UPDATE todos SET completed = 1, \
                         completed_at = coalesce(completed_at, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) \
                         WHERE id = ?1 AND project = ?2 RETURNING {TODO_COLUMNS}"
                    ),
                    params![id.0, project.as_str()],
                    todo_from_row,
                )
                .optional()?
                .ok_or_else(|| not_found("todo", id, &project))?;
            tx.commit()?;
            Ok(stored)
        })
        .await
    }

    async fn search_todos(
        &self,
        project: &Project,
        query: &str,
        limit: usize,
    ) -> Result<Vec<Todo>, StoreError> {
        let Some(expression) = match_expression(query) else {
            return Ok(Vec::new());
        };
        if limit == 0 {
            return Ok(Vec::new());
        }
        let project = project.clone();
        self.call(move |state, _| {
            // As in keyword.rs: the match drives the join, and bm25() is
            // smaller for better matches.
            let mut stmt = state.conn.prepare_cached(&format!(
                "SELECT {TODO_COLUMNS} FROM todo_fts \
                 CROSS JOIN todos ON todos.id = todo_fts.rowid \
                 WHERE todo_fts MATCH ?1 AND todos.project = ?2 \
                 ORDER BY bm25(todo_fts), todos.id LIMIT ?3",
            ))?;
            let rows = stmt.query_map(
                params![expression, project.as_str(), sql_limit(limit)],
                todo_from_row,
            )?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }
}

/// The columns [`todo_from_row`] reads, in order; qualified by the table
/// name so that a join with `todo_fts` (which has the same column names)
/// reads the row, and `RETURNING` accepts them too.
const TODO_COLUMNS: &str = "todos.id, todos.title, todos.description, todos.priority, \
                            todos.completed, todos.created_at, todos.completed_at";

fn todo_from_row(row: &Row<'_>) -> rusqlite::Result<Todo> {
    let priority: String = row.get(3)?;
    Ok(Todo {
        id: TodoId(row.get(0)?),
        title: row.get(1)?,
        description: row.get(2)?,
        priority: Priority::parse(&priority).map_err(|err| bad_value(3, err))?,
        completed: row.get(4)?,
        created_at: row.get(5)?,
        completed_at: row.get(6)?,
    })
}
