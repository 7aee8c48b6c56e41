//! The storage traits: small, async, backend-neutral.
//!
//! Split by concern (writes and reads of resources, vector search,
//! administration) so a caller names only what it uses. Not an ORM: each
//! method is one use-case-sized operation, and every write is one transaction
//! (a batch write too: one for the whole batch).

use crate::StoreError;
use async_trait::async_trait;
use ltmc_core::terms::TermStats;
use ltmc_core::{
    Chunk, NewChunk, NewResource, Project, PutOutcome, Resource, ResourceId, ScoredChunk,
};
use serde::Serialize;

/// The embedding model a store holds vectors of. A store records it when it is
/// created and refuses to be opened later with another one, because vectors of
/// two models (or two dimensions) are not comparable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EmbeddingSpec {
    pub model_id: String,
    pub dimension: usize,
}

/// Which resources a listing returns.
#[derive(Debug, Clone, Default)]
pub struct ResourceFilter {
    pub resource_type: Option<String>,
    pub limit: Option<usize>,
}

/// Which chunks a vector search may return. Applied inside the search, so a
/// selective filter still yields `k` results when `k` match.
#[derive(Debug, Clone, Default)]
pub struct ChunkFilter {
    /// Only chunks of resources of this type.
    pub resource_type: Option<String>,
    /// No chunks of resources of these types (e.g. code attempts, which
    /// document searches leave out).
    pub exclude_types: Vec<String>,
}

/// Resources and their chunks.
#[async_trait]
pub trait ResourceStore: Send + Sync {
    /// Stores a resource with its chunks and their vectors in one transaction,
    /// allocating a vector id for every chunk inside it. When the project
    /// already holds identical content, nothing is written and the existing
    /// resource is returned with `duplicate: true`. The resource type
    /// [`ltmc_core::CODE_ATTEMPT_TYPE`] is the code attempts' own (every
    /// resource of it has its attempt): a resource of it is `Invalid` here.
    async fn put_resource(
        &self,
        resource: NewResource,
        chunks: Vec<NewChunk>,
    ) -> Result<PutOutcome, StoreError>;

    /// Stores each item as [`ResourceStore::put_resource`] would, in order,
    /// but all in one transaction (for bulk imports: one per batch, not one
    /// per record). Every item is checked before anything is written; a
    /// refused item fails the whole batch with `put_resource`'s error (an
    /// `Invalid` one saying which item, [`StoreError::in_batch_item`]), and
    /// any failure writes nothing of the batch. Content the project already
    /// holds, or that an earlier item of the batch gave, is a duplicate: that
    /// resource's id with `duplicate: true`. One outcome per item, in order;
    /// items may be of different projects; an empty batch writes nothing.
    async fn put_resources(
        &self,
        batch: Vec<(NewResource, Vec<NewChunk>)>,
    ) -> Result<Vec<PutOutcome>, StoreError>;

    /// The resource of this project with this content hash, if any.
    async fn find_by_hash(
        &self,
        project: &Project,
        content_hash: &str,
    ) -> Result<Option<Resource>, StoreError>;

    async fn get_resource(&self, project: &Project, id: ResourceId)
    -> Result<Resource, StoreError>;

    /// Newest first.
    async fn list_resources(
        &self,
        project: &Project,
        filter: &ResourceFilter,
    ) -> Result<Vec<Resource>, StoreError>;

    /// The resource's chunks in order.
    async fn chunks_of(&self, project: &Project, id: ResourceId) -> Result<Vec<Chunk>, StoreError>;

    /// Deletes a resource, its chunks and their vectors in one transaction.
    /// Returns how many chunks went. Their vector ids are never reused.
    async fn delete_resource(&self, project: &Project, id: ResourceId)
    -> Result<usize, StoreError>;
}

/// Nearest chunks by cosine similarity.
#[async_trait]
pub trait VectorSearch: Send + Sync {
    /// The `k` chunks of `project` most similar to `query` that pass `filter`,
    /// best first; ties broken by chunk id.
    async fn nearest_chunks(
        &self,
        project: &Project,
        query: &[f32],
        k: usize,
        filter: &ChunkFilter,
    ) -> Result<Vec<ScoredChunk>, StoreError>;
}

/// Chunks by keywords, ranked by BM25.
#[async_trait]
pub trait KeywordSearch: Send + Sync {
    /// The `k` chunks of `project` that best match the words of `query` by
    /// BM25 and pass `filter`, best first (higher score is better; scores
    /// compare only within one answer). `query` is free text: the backend
    /// escapes it, so punctuation, quotes and operators never cause a syntax
    /// error, and an identifier such as `parse_config_v2` or an error string
    /// matches as written. A query with no searchable word returns nothing.
    async fn keyword_chunks(
        &self,
        project: &Project,
        query: &str,
        k: usize,
        filter: &ChunkFilter,
    ) -> Result<Vec<ScoredChunk>, StoreError>;

    /// How many of `project`'s chunks hold each term of `query`, counted up
    /// to [`TermStats::CAP`] and the way `keyword_chunks` matches it (a term
    /// with inner punctuation as a phrase), in the order of
    /// `ltmc_core::terms::content_terms(query)`, and how many chunks the
    /// project has. Hybrid search weighs each term of a query by its rarity
    /// from these counts. A query with no searchable word gives no counts.
    async fn term_stats(&self, project: &Project, query: &str) -> Result<TermStats, StoreError>;
}

/// What a store is, for `ltmc doctor` and start-up checks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoreInfo {
    pub backend: String,
    pub location: String,
    pub schema_version: i64,
    pub latest_schema_version: i64,
    pub embedding_model: String,
    pub dimension: usize,
    pub resources: u64,
    pub chunks: u64,
    pub vectors: u64,
}

/// The store's own consistency check: every chunk has exactly one vector and
/// every vector one chunk, vector ids unique, dimensions right.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct IntegrityReport {
    pub chunks_without_vector: u64,
    pub vectors_without_chunk: u64,
    pub duplicate_vector_ids: u64,
    pub wrong_dimension_vectors: u64,
    /// Free-text findings of the backend's own checks (e.g. SQLite's integrity_check).
    pub problems: Vec<String>,
}

impl IntegrityReport {
    pub fn is_ok(&self) -> bool {
        self.chunks_without_vector == 0
            && self.vectors_without_chunk == 0
            && self.duplicate_vector_ids == 0
            && self.wrong_dimension_vectors == 0
            && self.problems.is_empty()
    }
}

/// What the database engine itself says of its files (SQLite's
/// `quick_check` / `integrity_check`, PostgreSQL's index validity), and how
/// the store is opened, read back from the engine.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct StorageReport {
    /// The settings in force, as the engine reports them (e.g.
    /// `synchronous=FULL`, `read-only (ltmc.db is not writable)`).
    pub settings: Vec<String>,
    /// The checks that ran, as the engine names them (e.g. `SQLite
    /// quick_check`, `amcheck bt_index_check on 40 b-tree indexes`).
    pub checked: Vec<String>,
    /// What the engine found damaged; empty when it found nothing.
    pub problems: Vec<StorageProblem>,
    /// Checks that could not run, and why (e.g. a read-only store cannot run
    /// FTS5's integrity-check, which SQLite treats as a write).
    pub skipped: Vec<String>,
}

/// One finding of the engine's own check and the repair that fits it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StorageProblem {
    pub what: String,
    pub repair: Repair,
}

/// How a damaged store is repaired.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Repair {
    /// Only derived data is damaged (an index of the tables, a keyword
    /// index): `ltmc reindex --all` rebuilds it from the rows.
    Reindex,
    /// The rows themselves or the file's structure are damaged: restore the
    /// store from a backup.
    RestoreBackup,
}

/// One project's vector index as the backend holds it, checked against the
/// vectors in the database.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IndexStatus {
    pub project: String,
    /// `exact` (brute force, small projects), `hnsw` (approximate), or the
    /// backend's own name for an index it keeps inside the database.
    pub kind: String,
    /// Vectors in the index.
    pub indexed: u64,
    /// Vectors of the project in the database.
    pub stored: u64,
    /// The database write position the index reflects.
    pub position: i64,
    /// The position recorded in the index file on disk, when there is one.
    pub persisted_position: Option<i64>,
    /// What disagrees between index and database; empty when they agree.
    pub problems: Vec<String>,
}

impl IndexStatus {
    pub fn agrees(&self) -> bool {
        self.problems.is_empty() && self.indexed == self.stored
    }
}

/// Reports a long store operation (building an index) to whoever shows it,
/// e.g. a progress bar. Called from the store's blocking threads.
pub trait Progress: Send + Sync {
    /// A task of `total` steps starts.
    fn start(&self, task: &str, total: u64);
    /// `done` more steps are done.
    fn advance(&self, done: u64);
    /// The task ended.
    fn finish(&self);
}

/// Shows nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn start(&self, _task: &str, _total: u64) {}
    fn advance(&self, _done: u64) {}
    fn finish(&self) {}
}

#[async_trait]
pub trait StoreAdmin: Send + Sync {
    async fn info(&self) -> Result<StoreInfo, StoreError>;
    async fn check_integrity(&self) -> Result<IntegrityReport, StoreError>;
    /// The database engine's own check of its storage (`full`: the thorough
    /// and slower one) and the settings in force. The default finds nothing.
    async fn check_storage(&self, full: bool) -> Result<StorageReport, StoreError> {
        let _ = full;
        Ok(StorageReport::default())
    }
    /// Brings every project's vector index up to the database, compares the
    /// two vector by vector, and reports each project.
    async fn check_indexes(&self) -> Result<Vec<IndexStatus>, StoreError>;
    /// Throws away the vector index of `project` (every project when `None`)
    /// and builds it again from the database.
    async fn rebuild_indexes(
        &self,
        project: Option<&Project>,
    ) -> Result<Vec<IndexStatus>, StoreError>;
    /// Brings the on-disk form of every project's index (where the backend
    /// keeps one) up to the database, so that the next process to open the
    /// store starts without catching up. Called after bulk writes.
    async fn sync_indexes(&self) -> Result<(), StoreError>;
}

/// Everything a full backend offers; what the service layer holds.
pub trait Store:
    ResourceStore
    + VectorSearch
    + KeywordSearch
    + StoreAdmin
    + crate::ChatStore
    + crate::TodoStore
    + crate::GraphStore
    + crate::AttemptStore
    + crate::AuditStore
    + crate::PatternStore
    + crate::GuardianStore
    + crate::CalibrationStore
    + crate::MiningStore
    + crate::ReviewStore
    + crate::FoldStore
{
}

impl<T> Store for T where
    T: ResourceStore
        + VectorSearch
        + KeywordSearch
        + StoreAdmin
        + crate::ChatStore
        + crate::TodoStore
        + crate::GraphStore
        + crate::AttemptStore
        + crate::AuditStore
        + crate::PatternStore
        + crate::GuardianStore
        + crate::CalibrationStore
        + crate::MiningStore
        + crate::ReviewStore
        + crate::FoldStore
{
}
