//! The storage traits of everything besides documents: chat messages and
//! context links, todos, the relationship graph, and code attempts.
//!
//! Same rules as `traits.rs`: async, backend-neutral, one use-case-sized
//! operation per method, every write one transaction (a batch write one for
//! the whole batch), every record scoped to a project (an id of another
//! project is `NotFound`).

use crate::StoreError;
use async_trait::async_trait;
use ltmc_core::{
    AttemptFilter, AttemptId, AttemptLink, ChatMessage, ChunkId, CodeAttempt, ContextLink,
    ContextUsage, Edge, MessageId, NewChatMessage, NewCodeAttempt, NewEdge, NewTodo, Project, Todo,
    TodoFilter, TodoId,
};

/// Chat messages and the chunks they used.
#[async_trait]
pub trait ChatStore: Send + Sync {
    /// Logs a message and links it to `context` chunks, in one transaction.
    /// An unknown chunk id is `NotFound` and nothing is written.
    async fn log_message(
        &self,
        project: &Project,
        message: NewChatMessage,
        context: &[ChunkId],
    ) -> Result<ChatMessage, StoreError>;

    /// Logs each message with its context as [`ChatStore::log_message`]
    /// would, in order, but all in one transaction (for bulk imports): every
    /// message is checked before anything is written (an `Invalid` one says
    /// which item, [`StoreError::in_batch_item`]), an unknown chunk id is
    /// `NotFound`, and any failure writes nothing of the batch. The messages
    /// as stored, in order; an empty batch writes nothing.
    async fn log_messages(
        &self,
        project: &Project,
        messages: Vec<(NewChatMessage, Vec<ChunkId>)>,
    ) -> Result<Vec<ChatMessage>, StoreError>;

    async fn get_message(
        &self,
        project: &Project,
        id: MessageId,
    ) -> Result<ChatMessage, StoreError>;

    /// The latest `limit` messages of a conversation, oldest first.
    async fn conversation(
        &self,
        project: &Project,
        conversation_id: &str,
        limit: usize,
    ) -> Result<Vec<ChatMessage>, StoreError>;

    /// Links a message to chunks, in one transaction; a link that exists is
    /// kept once. Returns how many links are new. An unknown message or chunk
    /// id is `NotFound` and nothing is written.
    async fn link_context(
        &self,
        project: &Project,
        message: MessageId,
        chunks: &[ChunkId],
    ) -> Result<usize, StoreError>;

    /// The message's links in chunk id order; an unknown message is `NotFound`.
    async fn links_of_message(
        &self,
        project: &Project,
        message: MessageId,
    ) -> Result<Vec<ContextLink>, StoreError>;

    /// The messages that used a chunk, oldest first; an unknown chunk is
    /// `NotFound`.
    async fn messages_for_chunk(
        &self,
        project: &Project,
        chunk: ChunkId,
    ) -> Result<Vec<ChatMessage>, StoreError>;

    /// Link counts, with the `top` most used chunks.
    async fn context_usage(
        &self,
        project: &Project,
        top: usize,
    ) -> Result<ContextUsage, StoreError>;
}

/// Todos.
#[async_trait]
pub trait TodoStore: Send + Sync {
    async fn add_todo(&self, project: &Project, todo: NewTodo) -> Result<Todo, StoreError>;

    /// Newest first.
    async fn list_todos(
        &self,
        project: &Project,
        filter: &TodoFilter,
    ) -> Result<Vec<Todo>, StoreError>;

    /// Marks the todo completed and sets `completed_at` (kept when it was
    /// already completed). An unknown id is `NotFound`.
    async fn complete_todo(&self, project: &Project, id: TodoId) -> Result<Todo, StoreError>;

    /// Todos whose title or description match the words of `query` (free
    /// text, escaped by the backend), best first, at most `limit`.
    async fn search_todos(
        &self,
        project: &Project,
        query: &str,
        limit: usize,
    ) -> Result<Vec<Todo>, StoreError>;
}

/// The relationship graph.
#[async_trait]
pub trait GraphStore: Send + Sync {
    /// Adds edges in one transaction. An edge whose `(source, target,
    /// relation)` exists gets the new properties. Returns the edges as stored,
    /// with `true` for the new ones.
    async fn put_edges(
        &self,
        project: &Project,
        edges: Vec<NewEdge>,
    ) -> Result<Vec<(Edge, bool)>, StoreError>;

    /// Edges that start or end at `node`, of one relation when given, oldest first.
    async fn edges_of(
        &self,
        project: &Project,
        node: &str,
        relation: Option<&str>,
    ) -> Result<Vec<Edge>, StoreError>;
}

/// Code attempts, searchable by meaning with structured filters.
#[async_trait]
pub trait AttemptStore: Send + Sync {
    /// Stores an attempt (its row, its text as a resource of type
    /// [`ltmc_core::CODE_ATTEMPT_TYPE`] with one chunk and `vector`,
    /// the embedding of [`NewCodeAttempt::text`]) and its links to earlier attempts, in one transaction. Every
    /// attempt is stored, even one identical to an earlier one (each is an
    /// event). An unknown linked attempt is `NotFound` and nothing is written.
    async fn put_attempt(
        &self,
        project: &Project,
        attempt: NewCodeAttempt,
        vector: Vec<f32>,
        links: Vec<AttemptLink>,
    ) -> Result<CodeAttempt, StoreError>;

    async fn get_attempt(
        &self,
        project: &Project,
        id: AttemptId,
    ) -> Result<CodeAttempt, StoreError>;

    /// The `k` attempts passing `filter` whose vectors are most similar to
    /// `query` (cosine), best first. The filter is applied inside the search:
    /// `k` results whenever `k` attempts pass it.
    async fn nearest_attempts(
        &self,
        project: &Project,
        query: &[f32],
        k: usize,
        filter: &AttemptFilter,
    ) -> Result<Vec<(CodeAttempt, f32)>, StoreError>;

    /// Every attempt passing `filter`, oldest first (for analyses).
    async fn list_attempts(
        &self,
        project: &Project,
        filter: &AttemptFilter,
    ) -> Result<Vec<CodeAttempt>, StoreError>;

    /// The links stored with an attempt, strongest first.
    async fn attempt_links(
        &self,
        project: &Project,
        id: AttemptId,
    ) -> Result<Vec<AttemptLink>, StoreError>;
}
