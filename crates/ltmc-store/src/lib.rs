//! ltmc-store: what a storage backend must do, said once for every backend.
//!
//! The traits here are async so that a network database (PostgreSQL) can
//! implement them without blocking, and they speak only ltmc-core types and
//! the backend-neutral [`StoreError`]: a driver's error never reaches a caller.
//! The [`conformance`] module is the test suite every backend runs; [`Dump`]
//! is a whole store as backend-neutral records, for copying one into another;
//! [`validate`] holds the input checks every backend runs before a write;
//! [`plan`] is the filtered vector search's plan (exact or graph, and how a
//! short graph walk is widened) that both backends follow; [`integrity`]
//! holds the `ltmc doctor` checks whose SQL both dialects share.
//!
//! This crate holds no backend and does no I/O of its own.

mod activity;
mod calibration;
pub mod conformance;
mod dump;
mod error;
mod fix;
mod fold;
pub mod integrity;
mod mining;
pub mod plan;
mod review;
mod traits;
pub mod validate;

pub use activity::{AttemptStore, ChatStore, GraphStore, TodoStore};
pub use calibration::{CalibrationStore, StoredCalibration};
pub use dump::{
    AttemptLinkRecord, AuditHistoryRecord, CalibrationRecord, ChatMessageRecord, ChunkRecord,
    CodeAttemptRecord, ContextLinkRecord, DUMP_FORMAT, Dump, FileAuditRecord, FixPatternRecord,
    GraphEdgeRecord, GuardianRuleRecord, ID_SEQUENCES, ModelRecord, PatternApplicationRecord,
    PatternRelationshipRecord, ResourceRecord, RuleHitRecord, StoreDump, TableChecksum, TodoRecord,
    describe_counts,
};
pub use error::{StoreError, entity};
pub use fix::{
    AuditStore, GuardianStore, PatternMatch, PatternQuery, PatternStore, RecordedApplication,
    RuleFileHits, StoredPattern, outcome_status,
};
pub use fold::{
    Fold, FoldEvidence, FoldParty, FoldStore, check_fold, folds_not_copied, keeps_folds,
};
pub use mining::{
    MinedDraft, MinedSourceRecord, MiningRun, MiningState, MiningStateRecord, MiningStore,
    SavedRun, Tombstone, TombstoneRecord, check_run, resume_of, resume_text,
};
pub use review::{
    MAX_PAGE, MergedPatterns, MinedSource, PatternOrigin, QueueOrder, QueuePage, QueueQuery,
    QueuedPattern, ReviewMark, ReviewStore, check_merge, merged_commits, merged_fields,
};
pub use traits::{
    ChunkFilter, EmbeddingSpec, IndexStatus, IntegrityReport, KeywordSearch, NoProgress, Progress,
    Repair, ResourceFilter, ResourceStore, StorageProblem, StorageReport, Store, StoreAdmin,
    StoreInfo, VectorSearch,
};
