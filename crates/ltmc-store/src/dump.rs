//! A whole store as plain records, the same for every backend: what
//! `ltmc migrate-store` reads from one store and writes into another, and
//! what it compares afterwards.
//!
//! One serde struct per table with the logical columns both schemas share:
//! ids (and vector ids) as i64, kept as they are; times as RFC 3339 text in
//! the one fixed-width form the stores write (UTC, milliseconds:
//! `2025-01-31T09:15:02.123Z`); vectors as `Vec<f32>`; lists as `Vec`; JSON as
//! [`serde_json::Value`]; flags as `bool`. Backend details stay out: the
//! PostgreSQL copy of a chunk's resource type, its tsvector, SQLite's vector
//! log, FTS tables and store identity are derived by the target itself.
//! [`Dump::checksums`] gives per table a row count and a sha256 of the
//! canonical JSON of its records in key order, so that two stores can be
//! compared whatever their backends.
//!
//! The dump is held in memory, every table at once: fine for the stores ltmc
//! holds today (the vectors dominate: 1.5 KiB per chunk at 384 dimensions), but
//! a streaming version (table by table, in batches, with the target's
//! transaction kept open) is needed for very large stores.
//!
//! Not here: any SQL (each backend implements [`StoreDump`] in its own crate),
//! a file format for dumps (none is written yet), and merging into a store
//! that already holds data (a target must be empty).

use crate::mining::{MinedSourceRecord, MiningStateRecord, TombstoneRecord};
use crate::{EmbeddingSpec, StoreError};
use async_trait::async_trait;
use ltmc_core::citation::Citation;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// The version of the record layout below; bumped when a field changes.
pub const DUMP_FORMAT: u32 = 1;

/// The id sequences a store keeps, by logical name: every table with an id of
/// its own, and `vector_ids` (chunks' vector ids). [`Dump::next_ids`] holds
/// the next value of each.
pub const ID_SEQUENCES: &[&str] = &[
    "resources",
    "chunks",
    "vector_ids",
    "chat_messages",
    "todos",
    "graph_edges",
    "code_attempts",
    "file_audits",
    "file_audit_history",
    "fix_patterns",
    "pattern_relationships",
    "pattern_applications",
    "guardian_rules",
    "fix_calibrations",
];

/// Reads and writes a whole store as a [`Dump`].
#[async_trait]
pub trait StoreDump: Send + Sync {
    /// Rows per table (the names of [`Dump::checksums`], without `model`):
    /// how a command finds out cheaply whether a target is empty.
    async fn dump_counts(&self) -> Result<Vec<(&'static str, u64)>, StoreError>;

    /// Every record of every project, read in one snapshot, sorted by key.
    async fn export_dump(&self) -> Result<Dump, StoreError>;

    /// Writes every record of `dump` with its ids and vector ids, in one
    /// transaction, into this store, which must be empty (`Conflict`
    /// otherwise) and hold the dump's model (`WrongModel` /
    /// `WrongDimension`). Afterwards each id sequence continues after the
    /// dump's (and never goes back), so new writes never reuse an id. A
    /// failure leaves the store as it was.
    async fn import_dump(&self, dump: &Dump) -> Result<(), StoreError>;
}

/// The embedding model of the store (`None`: none recorded yet).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelRecord {
    pub model_id: String,
    pub dimension: i64,
}

impl ModelRecord {
    pub fn from_spec(spec: &EmbeddingSpec) -> Self {
        Self {
            model_id: spec.model_id.clone(),
            dimension: i64::try_from(spec.dimension).unwrap_or(i64::MAX),
        }
    }

    /// The spec to open a target store with.
    pub fn spec(&self) -> Result<EmbeddingSpec, StoreError> {
        Ok(EmbeddingSpec {
            model_id: self.model_id.clone(),
            dimension: usize::try_from(self.dimension).map_err(|_| {
                StoreError::Corrupt(format!("model dimension {} is negative", self.dimension))
            })?,
        })
    }
}

/// A whole store. Fields are in the order a target writes them (parents
/// before children).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Dump {
    pub format: u32,
    pub model: Option<ModelRecord>,
    /// The next id each sequence of [`ID_SEQUENCES`] would hand out in the
    /// source (at least one more than the largest id copied). Ids of deleted
    /// records lie below it, so a target set to it never reuses them either.
    pub next_ids: BTreeMap<String, i64>,
    pub resources: Vec<ResourceRecord>,
    pub chunks: Vec<ChunkRecord>,
    pub chat_messages: Vec<ChatMessageRecord>,
    pub context_links: Vec<ContextLinkRecord>,
    pub todos: Vec<TodoRecord>,
    pub graph_edges: Vec<GraphEdgeRecord>,
    pub code_attempts: Vec<CodeAttemptRecord>,
    pub attempt_links: Vec<AttemptLinkRecord>,
    pub file_audits: Vec<FileAuditRecord>,
    pub file_audit_history: Vec<AuditHistoryRecord>,
    pub fix_patterns: Vec<FixPatternRecord>,
    pub pattern_relationships: Vec<PatternRelationshipRecord>,
    pub pattern_applications: Vec<PatternApplicationRecord>,
    pub guardian_rules: Vec<GuardianRuleRecord>,
    pub guardian_rule_hits: Vec<RuleHitRecord>,
    /// The team's refitted calibrations (`CalibrationStore`); absent in
    /// dumps written before they existed.
    #[serde(default)]
    pub fix_calibrations: Vec<CalibrationRecord>,
    /// Mining (`MiningStore`): where each repository got to, where each
    /// mined pattern came from, and the tombstones of rejected drafts;
    /// absent in dumps written before mining existed. A target derives its
    /// per-commit look-up rows from `mined_pattern_sources`.
    #[serde(default)]
    pub mining_state: Vec<MiningStateRecord>,
    #[serde(default)]
    pub mined_pattern_sources: Vec<MinedSourceRecord>,
    #[serde(default)]
    pub mining_tombstones: Vec<TombstoneRecord>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResourceRecord {
    pub id: i64,
    pub project: String,
    pub file_name: String,
    pub resource_type: String,
    pub content_hash: String,
    pub content: String,
    pub chunk_count: i64,
    pub created_at: String,
    pub metadata: Value,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChunkRecord {
    pub id: i64,
    pub resource_id: i64,
    pub project: String,
    pub ordinal: i64,
    pub start_byte: i64,
    pub end_byte: i64,
    pub text: String,
    pub vector_id: i64,
    pub vector: Vec<f32>,
}

/// A chat message; `created_at` is SQLite's `timestamp` column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatMessageRecord {
    pub id: i64,
    pub project: String,
    pub conversation_id: String,
    pub role: String,
    pub content: String,
    pub agent_name: Option<String>,
    pub source_tool: Option<String>,
    pub metadata: Value,
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContextLinkRecord {
    pub message_id: i64,
    pub chunk_id: i64,
    pub project: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TodoRecord {
    pub id: i64,
    pub project: String,
    pub title: String,
    pub description: String,
    pub priority: String,
    pub completed: bool,
    pub created_at: String,
    pub completed_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GraphEdgeRecord {
    pub id: i64,
    pub project: String,
    pub source: String,
    pub target: String,
    pub relation: String,
    pub properties: Value,
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeAttemptRecord {
    pub id: i64,
    pub project: String,
    pub resource_id: i64,
    pub input_prompt: String,
    pub generated_code: String,
    pub result: String,
    pub function_name: Option<String>,
    pub file_name: Option<String>,
    pub module_name: Option<String>,
    pub execution_time_ms: Option<i64>,
    pub error_message: Option<String>,
    pub tags: Vec<String>,
    pub created_at: String,
}

/// `similarity` is the f32 the store was given, widened (SQLite keeps a
/// REAL, PostgreSQL a `real`): exact both ways.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttemptLinkRecord {
    pub attempt_id: i64,
    pub related_id: i64,
    pub kind: String,
    pub similarity: f64,
}

/// PostgreSQL's `file_audit`, SQLite's `file_audits`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileAuditRecord {
    pub id: i64,
    pub project: String,
    pub file_path: String,
    pub layer_number: i64,
    pub workflows: Vec<String>,
    pub technical_debt: Option<String>,
    pub status: String,
    pub notes: Option<String>,
    pub pattern_id: Option<i64>,
    pub work_started_at: Option<String>,
    pub work_completed_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditHistoryRecord {
    pub id: i64,
    pub audit_id: i64,
    pub from_status: Option<String>,
    pub to_status: String,
    pub at: String,
}

/// A fix pattern with its three embeddings (PostgreSQL: columns of the row;
/// SQLite: rows of `fix_pattern_vectors`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FixPatternRecord {
    pub id: i64,
    pub project: String,
    pub title: String,
    pub problem_type: String,
    pub code_type: Option<String>,
    pub severity: String,
    pub tags: Vec<String>,
    pub layers: Vec<i64>,
    pub workflows: Vec<String>,
    pub file_types: Vec<String>,
    pub problem_description: String,
    pub solution_steps: String,
    pub code_before: Option<String>,
    pub code_after: Option<String>,
    pub verification_steps: Option<String>,
    pub learnings: Option<String>,
    pub prevention_guidance: Option<String>,
    pub source_file_audit_id: Option<i64>,
    pub applied_to_files: Vec<i64>,
    pub dart_task_ids: Vec<String>,
    pub related_files: Vec<String>,
    pub applied_count: i64,
    pub success_rate: f64,
    pub avg_time_saved: i64,
    pub confidence_score: f64,
    pub last_applied: Option<String>,
    pub guardian_rules: Value,
    pub anti_patterns: Vec<String>,
    pub created_at: String,
    pub updated_at: String,
    pub created_by: Option<String>,
    pub reviewed: bool,
    pub reviewer_notes: Option<String>,
    /// Absent from dumps written before citations on patterns.
    #[serde(default)]
    pub citations: Vec<Citation>,
    pub content_vector: Vec<f32>,
    pub code_vector: Vec<f32>,
    pub problem_vector: Vec<f32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PatternRelationshipRecord {
    pub id: i64,
    pub project: String,
    pub source_pattern_id: i64,
    pub target_pattern_id: i64,
    pub relationship_type: String,
    pub strength: f64,
    pub description: Option<String>,
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PatternApplicationRecord {
    pub id: i64,
    pub project: String,
    pub pattern_id: i64,
    pub audit_id: Option<i64>,
    pub file_path: Option<String>,
    pub success: bool,
    pub time_taken: Option<i64>,
    pub time_saved: Option<i64>,
    pub notes: Option<String>,
    pub applied_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GuardianRuleRecord {
    pub id: i64,
    pub project: String,
    pub layer_number: i64,
    pub rule_name: String,
    pub rule_type: String,
    pub rule_pattern: String,
    pub severity: String,
    pub action_required: String,
    pub source_pattern_id: Option<i64>,
    pub active: bool,
    pub inactive_reason: Option<String>,
    pub hit_count: i64,
    pub files_hit: i64,
    pub last_hit_at: Option<String>,
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleHitRecord {
    pub rule_id: i64,
    pub file_path: String,
    pub hits: i64,
    pub last_hit_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CalibrationRecord {
    pub id: i64,
    pub project: String,
    pub model_id: String,
    pub calibration: Value,
    pub report: Value,
    pub created_at: String,
    pub undone_at: Option<String>,
}

/// A record's primary key, by which a table is sorted and checksummed.
pub(crate) trait Keyed: Serialize {
    type Key: Ord;
    fn key(&self) -> Self::Key;
}

macro_rules! keyed_by_id {
    ($($record:ty),+ $(,)?) => {
        $(impl Keyed for $record {
            type Key = i64;
            fn key(&self) -> i64 {
                self.id
            }
        })+
    };
}

keyed_by_id!(
    ResourceRecord,
    ChunkRecord,
    ChatMessageRecord,
    TodoRecord,
    GraphEdgeRecord,
    CodeAttemptRecord,
    FileAuditRecord,
    AuditHistoryRecord,
    FixPatternRecord,
    PatternRelationshipRecord,
    PatternApplicationRecord,
    GuardianRuleRecord,
);

impl Keyed for ModelRecord {
    type Key = ();
    fn key(&self) {}
}

impl Keyed for ContextLinkRecord {
    type Key = (i64, i64);
    fn key(&self) -> (i64, i64) {
        (self.message_id, self.chunk_id)
    }
}

impl Keyed for AttemptLinkRecord {
    type Key = (i64, i64, String);
    fn key(&self) -> (i64, i64, String) {
        (self.attempt_id, self.related_id, self.kind.clone())
    }
}

impl Keyed for CalibrationRecord {
    type Key = i64;
    fn key(&self) -> i64 {
        self.id
    }
}

impl Keyed for RuleHitRecord {
    type Key = (i64, String);
    fn key(&self) -> (i64, String) {
        (self.rule_id, self.file_path.clone())
    }
}

/// One table's fingerprint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TableChecksum {
    pub table: &'static str,
    pub rows: u64,
    /// sha256 (hex) of the records' canonical JSON, one per line, in key order.
    pub sha256: String,
}

/// Feeds serde_json's output straight into the hash.
struct HashWriter(Sha256);

impl std::io::Write for HashWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The checksum of `records` in key order. The JSON is canonical: fields in
/// declaration order, object keys sorted (serde_json's map is ordered by key;
/// a unit test holds us to that), floats in their shortest exact form.
fn checksum<T: Keyed>(table: &'static str, records: &[T]) -> TableChecksum {
    let mut ordered: Vec<&T> = records.iter().collect();
    ordered.sort_by_key(|r| r.key());
    let mut hasher = HashWriter(Sha256::new());
    for record in &ordered {
        // Writing into a hash cannot fail, and our records always serialize.
        serde_json::to_writer(&mut hasher, record).expect("a dump record serializes");
        hasher.0.update(b"\n");
    }
    TableChecksum {
        table,
        rows: ordered.len() as u64,
        sha256: hex::encode(hasher.0.finalize()),
    }
}

fn sort<T: Keyed>(records: &mut [T]) {
    records.sort_by_key(Keyed::key);
}

impl Dump {
    /// An empty dump of the current format.
    pub fn new(model: Option<ModelRecord>) -> Self {
        Self {
            format: DUMP_FORMAT,
            model,
            ..Self::default()
        }
    }

    /// Every table sorted by its key (what exports return).
    pub fn sort(&mut self) {
        sort(&mut self.resources);
        sort(&mut self.chunks);
        sort(&mut self.chat_messages);
        sort(&mut self.context_links);
        sort(&mut self.todos);
        sort(&mut self.graph_edges);
        sort(&mut self.code_attempts);
        sort(&mut self.attempt_links);
        sort(&mut self.file_audits);
        sort(&mut self.file_audit_history);
        sort(&mut self.fix_patterns);
        sort(&mut self.pattern_relationships);
        sort(&mut self.pattern_applications);
        sort(&mut self.guardian_rules);
        sort(&mut self.guardian_rule_hits);
        sort(&mut self.fix_calibrations);
        sort(&mut self.mining_state);
        sort(&mut self.mined_pattern_sources);
        sort(&mut self.mining_tombstones);
    }

    /// Per table (the model first): rows and sha256 of the records in key
    /// order. Two stores holding the same data give the same list, whatever
    /// their backends. `next_ids` is not part of it: a target may be ahead.
    pub fn checksums(&self) -> Vec<TableChecksum> {
        let model: Vec<ModelRecord> = self.model.iter().cloned().collect();
        vec![
            checksum("model", &model),
            checksum("resources", &self.resources),
            checksum("chunks", &self.chunks),
            checksum("chat_messages", &self.chat_messages),
            checksum("context_links", &self.context_links),
            checksum("todos", &self.todos),
            checksum("graph_edges", &self.graph_edges),
            checksum("code_attempts", &self.code_attempts),
            checksum("attempt_links", &self.attempt_links),
            checksum("file_audits", &self.file_audits),
            checksum("file_audit_history", &self.file_audit_history),
            checksum("fix_patterns", &self.fix_patterns),
            checksum("pattern_relationships", &self.pattern_relationships),
            checksum("pattern_applications", &self.pattern_applications),
            checksum("guardian_rules", &self.guardian_rules),
            checksum("guardian_rule_hits", &self.guardian_rule_hits),
            checksum("fix_calibrations", &self.fix_calibrations),
            checksum("mining_state", &self.mining_state),
            checksum("mined_pattern_sources", &self.mined_pattern_sources),
            checksum("mining_tombstones", &self.mining_tombstones),
        ]
    }

    /// Rows per data table, as [`StoreDump::dump_counts`] reports them.
    pub fn counts(&self) -> Vec<(&'static str, u64)> {
        let n = |len: usize| len as u64;
        vec![
            ("resources", n(self.resources.len())),
            ("chunks", n(self.chunks.len())),
            ("chat_messages", n(self.chat_messages.len())),
            ("context_links", n(self.context_links.len())),
            ("todos", n(self.todos.len())),
            ("graph_edges", n(self.graph_edges.len())),
            ("code_attempts", n(self.code_attempts.len())),
            ("attempt_links", n(self.attempt_links.len())),
            ("file_audits", n(self.file_audits.len())),
            ("file_audit_history", n(self.file_audit_history.len())),
            ("fix_patterns", n(self.fix_patterns.len())),
            ("pattern_relationships", n(self.pattern_relationships.len())),
            ("pattern_applications", n(self.pattern_applications.len())),
            ("guardian_rules", n(self.guardian_rules.len())),
            ("guardian_rule_hits", n(self.guardian_rule_hits.len())),
            ("fix_calibrations", n(self.fix_calibrations.len())),
            ("mining_state", n(self.mining_state.len())),
            ("mined_pattern_sources", n(self.mined_pattern_sources.len())),
            ("mining_tombstones", n(self.mining_tombstones.len())),
        ]
    }

    /// The largest id of the records a sequence numbers (0 when none): a
    /// target's sequence must continue after it.
    pub fn max_id(&self, sequence: &str) -> i64 {
        fn max<T>(records: &[T], id: impl Fn(&T) -> i64) -> i64 {
            records.iter().map(id).max().unwrap_or(0)
        }
        match sequence {
            "resources" => max(&self.resources, |r| r.id),
            "chunks" => max(&self.chunks, |r| r.id),
            "vector_ids" => max(&self.chunks, |r| r.vector_id),
            "chat_messages" => max(&self.chat_messages, |r| r.id),
            "todos" => max(&self.todos, |r| r.id),
            "graph_edges" => max(&self.graph_edges, |r| r.id),
            "code_attempts" => max(&self.code_attempts, |r| r.id),
            "file_audits" => max(&self.file_audits, |r| r.id),
            "file_audit_history" => max(&self.file_audit_history, |r| r.id),
            "fix_patterns" => max(&self.fix_patterns, |r| r.id),
            "pattern_relationships" => max(&self.pattern_relationships, |r| r.id),
            "pattern_applications" => max(&self.pattern_applications, |r| r.id),
            "guardian_rules" => max(&self.guardian_rules, |r| r.id),
            "fix_calibrations" => max(&self.fix_calibrations, |r| r.id),
            _ => 0,
        }
    }

    /// The next id a target's `sequence` must hand out: after the source's
    /// position and after every copied id, and never before `current` (the
    /// target's own position: sequences do not go back).
    pub fn next_id(&self, sequence: &str, current: i64) -> i64 {
        let copied = self.max_id(sequence).saturating_add(1);
        let source = self.next_ids.get(sequence).copied().unwrap_or(1);
        copied.max(source).max(current).max(1)
    }

    /// Refuses a dump this build cannot write, or one that could not have
    /// come from a sound store, before a target is touched: an unknown
    /// format, records without a model, or a vector of another dimension.
    pub fn check(&self) -> Result<(), StoreError> {
        if self.format != DUMP_FORMAT {
            return Err(StoreError::Corrupt(format!(
                "dump format {} is not {DUMP_FORMAT}, the one this ltmc writes",
                self.format
            )));
        }
        let vectors =
            self.chunks
                .iter()
                .map(|c| c.vector.len())
                .chain(self.fix_patterns.iter().flat_map(|p| {
                    [
                        p.content_vector.len(),
                        p.code_vector.len(),
                        p.problem_vector.len(),
                    ]
                }));
        let Some(model) = &self.model else {
            if self.chunks.is_empty() && self.fix_patterns.is_empty() {
                return Ok(());
            }
            return Err(StoreError::Corrupt(
                "the source holds vectors but records no embedding model".into(),
            ));
        };
        let expected = model.spec()?.dimension;
        for got in vectors {
            if got != expected {
                return Err(StoreError::WrongDimension { expected, got });
            }
        }
        Ok(())
    }

    /// Whether no table holds a record.
    pub fn is_empty(&self) -> bool {
        self.counts().iter().all(|(_, n)| *n == 0)
    }
}

/// "3 resources, 12 chunks" for the tables of `counts` that hold rows; for
/// the message refusing a store that is not empty.
pub fn describe_counts(counts: &[(&'static str, u64)]) -> String {
    let held: Vec<String> = counts
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(table, n)| format!("{n} {table}"))
        .collect();
    if held.is_empty() {
        "nothing".into()
    } else {
        held.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn todo(id: i64, title: &str) -> TodoRecord {
        TodoRecord {
            id,
            project: "p".into(),
            title: title.into(),
            description: String::new(),
            priority: "low".into(),
            completed: false,
            created_at: "2025-01-31T09:15:02.123Z".into(),
            completed_at: None,
        }
    }

    #[test]
    fn checksums_ignore_record_order_and_see_every_field() {
        let mut a = Dump::new(None);
        a.todos = vec![todo(2, "b"), todo(1, "a")];
        let mut b = Dump::new(None);
        b.todos = vec![todo(1, "a"), todo(2, "b")];
        assert_eq!(a.checksums(), b.checksums());
        b.todos[1].completed = true;
        assert_ne!(a.checksums(), b.checksums());
        let todos = a.checksums().into_iter().find(|c| c.table == "todos");
        assert_eq!(todos.map(|c| c.rows), Some(2));
    }

    #[test]
    fn json_object_keys_are_canonical() {
        // serde_json's map must be ordered by key (no `preserve_order`), or a
        // store that keeps JSON as text and one that keeps jsonb would hash
        // the same object differently.
        let parsed: Value = serde_json::from_str(r#"{"b": 1, "a": {"d": 2, "c": 3}}"#).unwrap();
        assert_eq!(parsed.to_string(), r#"{"a":{"c":3,"d":2},"b":1}"#);
        assert_eq!(parsed, json!({"a": {"c": 3, "d": 2}, "b": 1}));
    }

    #[test]
    fn next_ids_continue_after_source_copies_and_target() {
        let mut dump = Dump::new(None);
        dump.todos = vec![todo(7, "x")];
        dump.next_ids.insert("todos".into(), 5);
        assert_eq!(dump.next_id("todos", 1), 8);
        dump.next_ids.insert("todos".into(), 20);
        assert_eq!(dump.next_id("todos", 1), 20);
        assert_eq!(dump.next_id("todos", 30), 30);
        assert_eq!(dump.next_id("resources", 1), 1);
    }

    #[test]
    fn check_refuses_wrong_dimensions_and_vectors_without_model() {
        let chunk = ChunkRecord {
            id: 1,
            resource_id: 1,
            project: "p".into(),
            ordinal: 0,
            start_byte: 0,
            end_byte: 1,
            text: "x".into(),
            vector_id: 1,
            vector: vec![1.0, 0.0],
        };
        let mut dump = Dump::new(None);
        dump.chunks.push(chunk);
        assert!(matches!(dump.check(), Err(StoreError::Corrupt(_))));
        dump.model = Some(ModelRecord {
            model_id: "m".into(),
            dimension: 3,
        });
        assert!(matches!(
            dump.check(),
            Err(StoreError::WrongDimension {
                expected: 3,
                got: 2
            })
        ));
        dump.model = Some(ModelRecord {
            model_id: "m".into(),
            dimension: 2,
        });
        assert!(dump.check().is_ok());
        assert_eq!(describe_counts(&dump.counts()), "1 chunks");
    }
}
