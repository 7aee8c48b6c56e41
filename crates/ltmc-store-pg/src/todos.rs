//! STUB (being written): the PostgreSQL TodoStore.
#![allow(unused_variables, clippy::unused_async)]
use crate::PgStore;
use async_trait::async_trait;
use ltmc_core::*;
use ltmc_store::*;

#[async_trait]
impl TodoStore for PgStore {
    async fn add_todo(&self, project: &Project, todo: NewTodo) -> Result<Todo, StoreError> {
        Err(StoreError::Unavailable(
            "PostgreSQL add_todo: not written yet".into(),
        ))
    }

    async fn list_todos(
        &self,
        project: &Project,
        filter: &TodoFilter,
    ) -> Result<Vec<Todo>, StoreError> {
        Err(StoreError::Unavailable(
            "PostgreSQL list_todos: not written yet".into(),
        ))
    }

    async fn complete_todo(&self, project: &Project, id: TodoId) -> Result<Todo, StoreError> {
        Err(StoreError::Unavailable(
            "PostgreSQL complete_todo: not written yet".into(),
        ))
    }

    async fn search_todos(
        &self,
        project: &Project,
        query: &str,
        limit: usize,
    ) -> Result<Vec<Todo>, StoreError> {
        Err(StoreError::Unavailable(
            "PostgreSQL search_todos: not written yet".into(),
        ))
    }
}
