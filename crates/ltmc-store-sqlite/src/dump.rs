//! A whole SQLite store as a [`Dump`] and back: [`StoreDump`] for
//! [`SqliteStore`], behind `ltmc migrate-store`.
//!
//! Export reads every table in one read transaction (one snapshot). Times
//! leave in the dump's fixed-width form (`strftime('%Y-%m-%dT%H:%M:%fZ')`:
//! the store writes some times with fewer fraction digits, or none, and a
//! caller's `last_applied` as given); text SQLite cannot read as a time
//! leaves as it is. Import writes every row with its id and vector id in one
//! `BEGIN IMMEDIATE` transaction that first finds the store empty, bumps the
//! write generation (so the vector log's triggers file the new vectors under
//! the generation this transaction commits as, and every process's index
//! catches up from the log), and last moves `vector_id_sequence` and
//! AUTOINCREMENT's `sqlite_sequence` past the copied ids. The FTS5 indexes
//! follow the chunk and todo rows by their triggers.
//!
//! Not here: the record format and checksums (ltmc-store's `dump`), the
//! command (the `ltmc` binary), and the use cases' writes (which allocate
//! new ids: this module writes the tables directly).

use crate::error::{Error, Result};
use crate::resources::bad_value;
use crate::store::State;
use crate::{SqliteStore, blob, meta};
use async_trait::async_trait;
use ltmc_store::{
    AttemptLinkRecord, AuditHistoryRecord, ChatMessageRecord, ChunkRecord, CodeAttemptRecord,
    ContextLinkRecord, Dump, FileAuditRecord, FixPatternRecord, GraphEdgeRecord,
    GuardianRuleRecord, ID_SEQUENCES, ModelRecord, PatternApplicationRecord,
    PatternRelationshipRecord, ResourceRecord, RuleHitRecord, StoreDump, StoreError, TodoRecord,
    describe_counts,
};
use rusqlite::{Connection, OptionalExtension, Row, TransactionBehavior, params};
use serde::de::DeserializeOwned;
use std::collections::BTreeMap;
use std::path::Path;

/// The data tables: (the dump's name, the table here), in the dump's order.
const TABLES: &[(&str, &str)] = &[
    ("resources", "resources"),
    ("chunks", "chunks"),
    ("chat_messages", "chat_messages"),
    ("context_links", "context_links"),
    ("todos", "todos"),
    ("graph_edges", "graph_edges"),
    ("code_attempts", "code_attempts"),
    ("attempt_links", "attempt_links"),
    ("file_audits", "file_audits"),
    ("file_audit_history", "file_audit_history"),
    ("fix_patterns", "fix_patterns"),
    ("pattern_relationships", "pattern_relationships"),
    ("pattern_applications", "pattern_applications"),
    ("guardian_rules", "guardian_rules"),
    ("guardian_rule_hits", "guardian_rule_hits"),
];

/// The sequence of chunks' vector ids, in `vector_id_sequence`; every other
/// sequence of [`ID_SEQUENCES`] is the AUTOINCREMENT of the table of its name.
const VECTOR_IDS: &str = "vector_ids";

/// The slots of pattern vectors (migration 0005): kind base + pattern id.
const PATTERN_VECTOR_KINDS: [(&str, i64); 3] = [
    ("content", 1 << 40),
    ("code", 2 << 40),
    ("problem", 3 << 40),
];

#[async_trait]
impl StoreDump for SqliteStore {
    async fn dump_counts(&self) -> Result<Vec<(&'static str, u64)>, StoreError> {
        self.call(|state, _| counts(&state.conn)).await
    }

    async fn export_dump(&self) -> Result<Dump, StoreError> {
        self.call(|state, _| export(state)).await
    }

    async fn import_dump(&self, dump: &Dump) -> Result<(), StoreError> {
        dump.check()?;
        // The work runs on a blocking thread that must own what it reads.
        let dump = dump.clone();
        self.call(move |state, path| import(state, path, &dump))
            .await
    }
}

fn counts(conn: &Connection) -> Result<Vec<(&'static str, u64)>> {
    let mut counts = Vec::with_capacity(TABLES.len());
    for (name, table) in TABLES {
        let n: u64 = conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |row| {
            row.get(0)
        })?;
        counts.push((*name, n));
    }
    Ok(counts)
}

/// `column` as the dump's time text, or as stored when SQLite cannot read it
/// as a time (NULL stays NULL).
fn ts(column: &str) -> String {
    format!("coalesce(strftime('%Y-%m-%dT%H:%M:%fZ', {column}), {column})")
}

/// The JSON text in column `index` as a `T`.
fn json<T: DeserializeOwned>(row: &Row<'_>, index: usize) -> rusqlite::Result<T> {
    let text: String = row.get(index)?;
    serde_json::from_str(&text).map_err(|err| bad_value(index, err))
}

fn json_text(value: &impl serde::Serialize) -> Result<String> {
    serde_json::to_string(value)
        .map_err(|err| Error::Store(StoreError::Corrupt(format!("cannot write JSON: {err}"))))
}

fn rows<T>(
    conn: &Connection,
    sql: &str,
    read: impl FnMut(&Row<'_>) -> rusqlite::Result<T>,
) -> Result<Vec<T>> {
    let mut stmt = conn.prepare(sql)?;
    let rows = stmt.query_map([], read)?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// A vector blob of the store's dimension, else a damaged row.
fn vector(bytes: Option<Vec<u8>>, dimension: Option<usize>, what: &str) -> Result<Vec<f32>> {
    let Some(bytes) = bytes else {
        return Err(Error::Store(StoreError::Corrupt(format!(
            "{what} has no vector"
        ))));
    };
    let Some(dimension) = dimension else {
        return Err(Error::Store(StoreError::Corrupt(format!(
            "{what} has a vector but the store records no embedding model"
        ))));
    };
    blob::decode(&bytes, dimension).ok_or_else(|| {
        Error::Store(StoreError::Corrupt(format!(
            "{what} has a vector of {} bytes, not {dimension} floats",
            bytes.len()
        )))
    })
}

fn export(state: &mut State) -> Result<Dump> {
    let tx = state.conn.transaction()?;
    let model = meta::read_embedding(&tx)?;
    let dimension = model.as_ref().map(|m| m.dimension);
    let mut dump = Dump::new(model.as_ref().map(ModelRecord::from_spec));

    dump.resources = rows(
        &tx,
        &format!(
            "SELECT id, project, file_name, resource_type, content_hash, content, chunk_count, \
             {}, metadata FROM resources ORDER BY id",
            ts("created_at")
        ),
        |row| {
            Ok(ResourceRecord {
                id: row.get(0)?,
                project: row.get(1)?,
                file_name: row.get(2)?,
                resource_type: row.get(3)?,
                content_hash: row.get(4)?,
                content: row.get(5)?,
                chunk_count: row.get(6)?,
                created_at: row.get(7)?,
                metadata: json(row, 8)?,
            })
        },
    )?;

    let chunks = rows(
        &tx,
        "SELECT c.id, c.resource_id, c.project, c.ordinal, c.start_byte, c.end_byte, c.text, \
         c.vector_id, v.embedding FROM chunks c \
         LEFT JOIN vectors v ON v.chunk_id = c.id AND v.vector_id = c.vector_id ORDER BY c.id",
        |row| {
            let chunk = ChunkRecord {
                id: row.get(0)?,
                resource_id: row.get(1)?,
                project: row.get(2)?,
                ordinal: row.get(3)?,
                start_byte: row.get(4)?,
                end_byte: row.get(5)?,
                text: row.get(6)?,
                vector_id: row.get(7)?,
                vector: Vec::new(),
            };
            Ok((chunk, row.get::<_, Option<Vec<u8>>>(8)?))
        },
    )?;
    dump.chunks = chunks
        .into_iter()
        .map(|(mut chunk, bytes)| {
            chunk.vector = vector(bytes, dimension, &format!("chunk {}", chunk.id))?;
            Ok(chunk)
        })
        .collect::<Result<_>>()?;

    dump.chat_messages = rows(
        &tx,
        &format!(
            "SELECT id, project, conversation_id, role, content, agent_name, source_tool, \
             metadata, {} FROM chat_messages ORDER BY id",
            ts("timestamp")
        ),
        |row| {
            Ok(ChatMessageRecord {
                id: row.get(0)?,
                project: row.get(1)?,
                conversation_id: row.get(2)?,
                role: row.get(3)?,
                content: row.get(4)?,
                agent_name: row.get(5)?,
                source_tool: row.get(6)?,
                metadata: json(row, 7)?,
                created_at: row.get(8)?,
            })
        },
    )?;

    dump.context_links = rows(
        &tx,
        "SELECT message_id, chunk_id, project FROM context_links ORDER BY message_id, chunk_id",
        |row| {
            Ok(ContextLinkRecord {
                message_id: row.get(0)?,
                chunk_id: row.get(1)?,
                project: row.get(2)?,
            })
        },
    )?;

    dump.todos = rows(
        &tx,
        &format!(
            "SELECT id, project, title, description, priority, completed, {}, {} \
             FROM todos ORDER BY id",
            ts("created_at"),
            ts("completed_at")
        ),
        |row| {
            Ok(TodoRecord {
                id: row.get(0)?,
                project: row.get(1)?,
                title: row.get(2)?,
                description: row.get(3)?,
                priority: row.get(4)?,
                completed: row.get(5)?,
                created_at: row.get(6)?,
                completed_at: row.get(7)?,
            })
        },
    )?;

    dump.graph_edges = rows(
        &tx,
        &format!(
            "SELECT id, project, source, target, relation, properties, {} \
             FROM graph_edges ORDER BY id",
            ts("created_at")
        ),
        |row| {
            Ok(GraphEdgeRecord {
                id: row.get(0)?,
                project: row.get(1)?,
                source: row.get(2)?,
                target: row.get(3)?,
                relation: row.get(4)?,
                properties: json(row, 5)?,
                created_at: row.get(6)?,
            })
        },
    )?;

    dump.code_attempts = rows(
        &tx,
        &format!(
            "SELECT id, project, resource_id, input_prompt, generated_code, result, \
             function_name, file_name, module_name, execution_time_ms, error_message, tags, {} \
             FROM code_attempts ORDER BY id",
            ts("created_at")
        ),
        |row| {
            Ok(CodeAttemptRecord {
                id: row.get(0)?,
                project: row.get(1)?,
                resource_id: row.get(2)?,
                input_prompt: row.get(3)?,
                generated_code: row.get(4)?,
                result: row.get(5)?,
                function_name: row.get(6)?,
                file_name: row.get(7)?,
                module_name: row.get(8)?,
                execution_time_ms: row.get(9)?,
                error_message: row.get(10)?,
                tags: json(row, 11)?,
                created_at: row.get(12)?,
            })
        },
    )?;

    dump.attempt_links = rows(
        &tx,
        "SELECT attempt_id, related_id, kind, similarity FROM attempt_links",
        |row| {
            Ok(AttemptLinkRecord {
                attempt_id: row.get(0)?,
                related_id: row.get(1)?,
                kind: row.get(2)?,
                similarity: row.get(3)?,
            })
        },
    )?;

    dump.file_audits = rows(
        &tx,
        &format!(
            "SELECT id, project, file_path, layer_number, workflows, technical_debt, status, \
             notes, pattern_id, {}, {}, {}, {} FROM file_audits ORDER BY id",
            ts("work_started_at"),
            ts("work_completed_at"),
            ts("created_at"),
            ts("updated_at")
        ),
        |row| {
            Ok(FileAuditRecord {
                id: row.get(0)?,
                project: row.get(1)?,
                file_path: row.get(2)?,
                layer_number: row.get(3)?,
                workflows: json(row, 4)?,
                technical_debt: row.get(5)?,
                status: row.get(6)?,
                notes: row.get(7)?,
                pattern_id: row.get(8)?,
                work_started_at: row.get(9)?,
                work_completed_at: row.get(10)?,
                created_at: row.get(11)?,
                updated_at: row.get(12)?,
            })
        },
    )?;

    dump.file_audit_history = rows(
        &tx,
        &format!(
            "SELECT id, audit_id, from_status, to_status, {} FROM file_audit_history ORDER BY id",
            ts("at")
        ),
        |row| {
            Ok(AuditHistoryRecord {
                id: row.get(0)?,
                audit_id: row.get(1)?,
                from_status: row.get(2)?,
                to_status: row.get(3)?,
                at: row.get(4)?,
            })
        },
    )?;

    dump.fix_patterns = export_patterns(&tx, dimension)?;

    dump.pattern_relationships = rows(
        &tx,
        &format!(
            "SELECT id, project, source_pattern_id, target_pattern_id, relationship_type, \
             strength, description, {} FROM pattern_relationships ORDER BY id",
            ts("created_at")
        ),
        |row| {
            Ok(PatternRelationshipRecord {
                id: row.get(0)?,
                project: row.get(1)?,
                source_pattern_id: row.get(2)?,
                target_pattern_id: row.get(3)?,
                relationship_type: row.get(4)?,
                strength: row.get(5)?,
                description: row.get(6)?,
                created_at: row.get(7)?,
            })
        },
    )?;

    dump.pattern_applications = rows(
        &tx,
        &format!(
            "SELECT id, project, pattern_id, audit_id, file_path, success, time_taken, \
             time_saved, notes, {} FROM pattern_applications ORDER BY id",
            ts("applied_at")
        ),
        |row| {
            Ok(PatternApplicationRecord {
                id: row.get(0)?,
                project: row.get(1)?,
                pattern_id: row.get(2)?,
                audit_id: row.get(3)?,
                file_path: row.get(4)?,
                success: row.get(5)?,
                time_taken: row.get(6)?,
                time_saved: row.get(7)?,
                notes: row.get(8)?,
                applied_at: row.get(9)?,
            })
        },
    )?;

    dump.guardian_rules = rows(
        &tx,
        &format!(
            "SELECT id, project, layer_number, rule_name, rule_type, rule_pattern, severity, \
             action_required, source_pattern_id, active, inactive_reason, hit_count, \
             files_hit, {}, {} FROM guardian_rules ORDER BY id",
            ts("last_hit_at"),
            ts("created_at")
        ),
        |row| {
            Ok(GuardianRuleRecord {
                id: row.get(0)?,
                project: row.get(1)?,
                layer_number: row.get(2)?,
                rule_name: row.get(3)?,
                rule_type: row.get(4)?,
                rule_pattern: row.get(5)?,
                severity: row.get(6)?,
                action_required: row.get(7)?,
                source_pattern_id: row.get(8)?,
                active: row.get(9)?,
                inactive_reason: row.get(10)?,
                hit_count: row.get(11)?,
                files_hit: row.get(12)?,
                last_hit_at: row.get(13)?,
                created_at: row.get(14)?,
            })
        },
    )?;

    dump.guardian_rule_hits = rows(
        &tx,
        &format!(
            "SELECT rule_id, file_path, hits, {} FROM guardian_rule_hits",
            ts("last_hit_at")
        ),
        |row| {
            Ok(RuleHitRecord {
                rule_id: row.get(0)?,
                file_path: row.get(1)?,
                hits: row.get(2)?,
                last_hit_at: row.get(3)?,
            })
        },
    )?;

    dump.next_ids = next_ids(&tx)?;
    tx.commit()?;
    dump.sort();
    Ok(dump)
}

/// The patterns with their three vectors (each a row of fix_pattern_vectors).
fn export_patterns(conn: &Connection, dimension: Option<usize>) -> Result<Vec<FixPatternRecord>> {
    let sql = format!(
        "SELECT p.id, p.project, p.title, p.problem_type, p.code_type, p.severity, p.tags, \
         p.layers, p.workflows, p.file_types, p.problem_description, p.solution_steps, \
         p.code_before, p.code_after, p.verification_steps, p.learnings, p.prevention_guidance, \
         p.source_file_audit_id, p.applied_to_files, p.dart_task_ids, p.related_files, \
         p.applied_count, p.success_rate, p.avg_time_saved, p.confidence_score, {}, \
         p.guardian_rules, p.anti_patterns, {}, {}, p.created_by, p.reviewed, p.reviewer_notes, \
         vc.vector, vk.vector, vp.vector \
         FROM fix_patterns p \
         LEFT JOIN fix_pattern_vectors vc ON vc.slot = {} + p.id \
         LEFT JOIN fix_pattern_vectors vk ON vk.slot = {} + p.id \
         LEFT JOIN fix_pattern_vectors vp ON vp.slot = {} + p.id \
         ORDER BY p.id",
        ts("p.last_applied"),
        ts("p.created_at"),
        ts("p.updated_at"),
        PATTERN_VECTOR_KINDS[0].1,
        PATTERN_VECTOR_KINDS[1].1,
        PATTERN_VECTOR_KINDS[2].1,
    );
    let patterns = rows(conn, &sql, |row| {
        let pattern = FixPatternRecord {
            id: row.get(0)?,
            project: row.get(1)?,
            title: row.get(2)?,
            problem_type: row.get(3)?,
            code_type: row.get(4)?,
            severity: row.get(5)?,
            tags: json(row, 6)?,
            layers: json(row, 7)?,
            workflows: json(row, 8)?,
            file_types: json(row, 9)?,
            problem_description: row.get(10)?,
            solution_steps: row.get(11)?,
            code_before: row.get(12)?,
            code_after: row.get(13)?,
            verification_steps: row.get(14)?,
            learnings: row.get(15)?,
            prevention_guidance: row.get(16)?,
            source_file_audit_id: row.get(17)?,
            applied_to_files: json(row, 18)?,
            dart_task_ids: json(row, 19)?,
            related_files: json(row, 20)?,
            applied_count: row.get(21)?,
            success_rate: row.get(22)?,
            avg_time_saved: row.get(23)?,
            confidence_score: row.get(24)?,
            last_applied: row.get(25)?,
            guardian_rules: json(row, 26)?,
            anti_patterns: json(row, 27)?,
            created_at: row.get(28)?,
            updated_at: row.get(29)?,
            created_by: row.get(30)?,
            reviewed: row.get(31)?,
            reviewer_notes: row.get(32)?,
            content_vector: Vec::new(),
            code_vector: Vec::new(),
            problem_vector: Vec::new(),
        };
        let vectors: [Option<Vec<u8>>; 3] = [row.get(33)?, row.get(34)?, row.get(35)?];
        Ok((pattern, vectors))
    })?;
    patterns
        .into_iter()
        .map(|(mut pattern, [content, code, problem])| {
            let id = pattern.id;
            pattern.content_vector =
                vector(content, dimension, &format!("fix pattern {id} (content)"))?;
            pattern.code_vector = vector(code, dimension, &format!("fix pattern {id} (code)"))?;
            pattern.problem_vector =
                vector(problem, dimension, &format!("fix pattern {id} (problem)"))?;
            Ok(pattern)
        })
        .collect()
}

/// The next id of each sequence: past both what AUTOINCREMENT handed out
/// (deleted rows included) and the largest id held.
fn next_ids(conn: &Connection) -> Result<BTreeMap<String, i64>> {
    let mut next = BTreeMap::new();
    for sequence in ID_SEQUENCES {
        let value: i64 = if *sequence == VECTOR_IDS {
            conn.query_row(
                "SELECT max((SELECT next_id FROM vector_id_sequence WHERE id = 1), \
                            coalesce((SELECT max(vector_id) FROM chunks), 0) + 1)",
                [],
                |row| row.get(0),
            )?
        } else {
            // The table names are ours (ID_SEQUENCES), never input.
            conn.query_row(
                &format!(
                    "SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = ?1), 0), \
                                coalesce((SELECT max(id) FROM {sequence}), 0)) + 1"
                ),
                [sequence],
                |row| row.get(0),
            )?
        };
        next.insert((*sequence).to_owned(), value);
    }
    Ok(next)
}

fn import(state: &mut State, path: &Path, dump: &Dump) -> Result<()> {
    let recorded = state.embedding()?.cloned();
    if let Some(model) = &dump.model {
        let wanted = model.spec()?;
        match recorded {
            None => {
                return Err(Error::Store(StoreError::Unavailable(format!(
                    "{}: no embedding model is recorded in this store; open it with the \
                     source's model ({}) before importing",
                    path.display(),
                    wanted.model_id
                ))));
            }
            Some(recorded) if recorded.model_id != wanted.model_id => {
                return Err(Error::Store(StoreError::WrongModel {
                    expected: recorded.model_id,
                    got: wanted.model_id,
                }));
            }
            Some(recorded) if recorded.dimension != wanted.dimension => {
                return Err(Error::Store(StoreError::WrongDimension {
                    expected: recorded.dimension,
                    got: wanted.dimension,
                }));
            }
            Some(_) => {}
        }
    }
    let tx = state
        .conn
        .transaction_with_behavior(TransactionBehavior::Immediate)?;
    let held = counts(&tx)?;
    if held.iter().any(|(_, n)| *n > 0) {
        return Err(Error::Store(StoreError::Conflict(format!(
            "{}: the store is not empty (it holds {}); copy into a new or empty store",
            path.display(),
            describe_counts(&held)
        ))));
    }
    // Before any vector is written: the log's triggers read it.
    meta::bump_generation(&tx)?;
    insert_documents(&tx, dump)?;
    insert_activity(&tx, dump)?;
    insert_fix(&tx, dump)?;
    set_sequences(&tx, dump)?;
    // Dropping the transaction on any error above rolls everything back.
    tx.commit()?;
    Ok(())
}

fn insert_documents(conn: &Connection, dump: &Dump) -> Result<()> {
    let mut stmt = conn.prepare(
        "INSERT INTO resources (id, project, file_name, resource_type, content_hash, content, \
         chunk_count, created_at, metadata) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    for r in &dump.resources {
        stmt.execute(params![
            r.id,
            r.project,
            r.file_name,
            r.resource_type,
            r.content_hash,
            r.content,
            r.chunk_count,
            r.created_at,
            json_text(&r.metadata)?
        ])?;
    }
    let mut chunk = conn.prepare(
        "INSERT INTO chunks (id, resource_id, project, ordinal, start_byte, end_byte, text, \
         vector_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    let mut vector = conn.prepare(
        "INSERT INTO vectors (vector_id, chunk_id, project, embedding) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for c in &dump.chunks {
        chunk.execute(params![
            c.id,
            c.resource_id,
            c.project,
            c.ordinal,
            c.start_byte,
            c.end_byte,
            c.text,
            c.vector_id
        ])?;
        vector.execute(params![
            c.vector_id,
            c.id,
            c.project,
            blob::encode(&c.vector)
        ])?;
    }
    Ok(())
}

fn insert_activity(conn: &Connection, dump: &Dump) -> Result<()> {
    let mut stmt = conn.prepare(
        "INSERT INTO chat_messages (id, project, conversation_id, role, content, agent_name, \
         source_tool, metadata, timestamp) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    for m in &dump.chat_messages {
        stmt.execute(params![
            m.id,
            m.project,
            m.conversation_id,
            m.role,
            m.content,
            m.agent_name,
            m.source_tool,
            json_text(&m.metadata)?,
            m.created_at
        ])?;
    }
    let mut stmt = conn
        .prepare("INSERT INTO context_links (message_id, chunk_id, project) VALUES (?1, ?2, ?3)")?;
    for l in &dump.context_links {
        stmt.execute(params![l.message_id, l.chunk_id, l.project])?;
    }
    let mut stmt = conn.prepare(
        "INSERT INTO todos (id, project, title, description, priority, completed, created_at, \
         completed_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    for t in &dump.todos {
        stmt.execute(params![
            t.id,
            t.project,
            t.title,
            t.description,
            t.priority,
            t.completed,
            t.created_at,
            t.completed_at
        ])?;
    }
    let mut stmt = conn.prepare(
        "INSERT INTO graph_edges (id, project, source, target, relation, properties, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for e in &dump.graph_edges {
        stmt.execute(params![
            e.id,
            e.project,
            e.source,
            e.target,
            e.relation,
            json_text(&e.properties)?,
            e.created_at
        ])?;
    }
    let mut stmt = conn.prepare(
        "INSERT INTO code_attempts (id, project, resource_id, input_prompt, generated_code, \
         result, function_name, file_name, module_name, execution_time_ms, error_message, tags, \
         created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    )?;
    for a in &dump.code_attempts {
        stmt.execute(params![
            a.id,
            a.project,
            a.resource_id,
            a.input_prompt,
            a.generated_code,
            a.result,
            a.function_name,
            a.file_name,
            a.module_name,
            a.execution_time_ms,
            a.error_message,
            json_text(&a.tags)?,
            a.created_at
        ])?;
    }
    let mut stmt = conn.prepare(
        "INSERT INTO attempt_links (attempt_id, related_id, kind, similarity) \
         VALUES (?1, ?2, ?3, ?4)",
    )?;
    for l in &dump.attempt_links {
        stmt.execute(params![l.attempt_id, l.related_id, l.kind, l.similarity])?;
    }
    Ok(())
}

/// The fix-pattern tables. Audits and patterns name each other (an audit's
/// last pattern, a pattern's source audit): audits go in without their
/// pattern, which is set once the patterns are in.
fn insert_fix(conn: &Connection, dump: &Dump) -> Result<()> {
    let mut stmt = conn.prepare(
        "INSERT INTO file_audits (id, project, file_path, layer_number, workflows, \
         technical_debt, status, notes, pattern_id, work_started_at, work_completed_at, \
         created_at, updated_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, NULL, ?9, ?10, ?11, ?12)",
    )?;
    for a in &dump.file_audits {
        stmt.execute(params![
            a.id,
            a.project,
            a.file_path,
            a.layer_number,
            json_text(&a.workflows)?,
            a.technical_debt,
            a.status,
            a.notes,
            a.work_started_at,
            a.work_completed_at,
            a.created_at,
            a.updated_at
        ])?;
    }
    let mut stmt = conn.prepare(
        "INSERT INTO file_audit_history (id, audit_id, from_status, to_status, at) \
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for h in &dump.file_audit_history {
        stmt.execute(params![h.id, h.audit_id, h.from_status, h.to_status, h.at])?;
    }
    insert_patterns(conn, dump)?;
    let mut stmt = conn.prepare("UPDATE file_audits SET pattern_id = ?2 WHERE id = ?1")?;
    for a in &dump.file_audits {
        if let Some(pattern) = a.pattern_id {
            stmt.execute(params![a.id, pattern])?;
        }
    }
    let mut stmt = conn.prepare(
        "INSERT INTO pattern_relationships (id, project, source_pattern_id, target_pattern_id, \
         relationship_type, strength, description, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    for r in &dump.pattern_relationships {
        stmt.execute(params![
            r.id,
            r.project,
            r.source_pattern_id,
            r.target_pattern_id,
            r.relationship_type,
            r.strength,
            r.description,
            r.created_at
        ])?;
    }
    let mut stmt = conn.prepare(
        "INSERT INTO pattern_applications (id, project, pattern_id, audit_id, file_path, \
         success, time_taken, time_saved, notes, applied_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?;
    for a in &dump.pattern_applications {
        stmt.execute(params![
            a.id,
            a.project,
            a.pattern_id,
            a.audit_id,
            a.file_path,
            a.success,
            a.time_taken,
            a.time_saved,
            a.notes,
            a.applied_at
        ])?;
    }
    let mut stmt = conn.prepare(
        "INSERT INTO guardian_rules (id, project, layer_number, rule_name, rule_type, \
         rule_pattern, severity, action_required, source_pattern_id, active, inactive_reason, \
         hit_count, files_hit, last_hit_at, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
    )?;
    for g in &dump.guardian_rules {
        stmt.execute(params![
            g.id,
            g.project,
            g.layer_number,
            g.rule_name,
            g.rule_type,
            g.rule_pattern,
            g.severity,
            g.action_required,
            g.source_pattern_id,
            g.active,
            g.inactive_reason,
            g.hit_count,
            g.files_hit,
            g.last_hit_at,
            g.created_at
        ])?;
    }
    let mut stmt = conn.prepare(
        "INSERT INTO guardian_rule_hits (rule_id, file_path, hits, last_hit_at) \
         VALUES (?1, ?2, ?3, ?4)",
    )?;
    for h in &dump.guardian_rule_hits {
        stmt.execute(params![h.rule_id, h.file_path, h.hits, h.last_hit_at])?;
    }
    Ok(())
}

fn insert_patterns(conn: &Connection, dump: &Dump) -> Result<()> {
    let mut stmt = conn.prepare(
        "INSERT INTO fix_patterns (id, project, reviewed, confidence_score, applied_count, \
         layers, workflows, file_types, tags, problem_type, code_type, severity, success_rate, \
         avg_time_saved, last_applied, source_file_audit_id, applied_to_files, dart_task_ids, \
         related_files, anti_patterns, guardian_rules, created_by, reviewer_notes, created_at, \
         updated_at, title, problem_description, solution_steps, code_before, code_after, \
         verification_steps, learnings, prevention_guidance) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, \
         ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32, ?33)",
    )?;
    let mut vector = conn.prepare(
        "INSERT INTO fix_pattern_vectors (slot, pattern_id, kind, vector) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for p in &dump.fix_patterns {
        stmt.execute(params![
            p.id,
            p.project,
            p.reviewed,
            p.confidence_score,
            p.applied_count,
            json_text(&p.layers)?,
            json_text(&p.workflows)?,
            json_text(&p.file_types)?,
            json_text(&p.tags)?,
            p.problem_type,
            p.code_type,
            p.severity,
            p.success_rate,
            p.avg_time_saved,
            p.last_applied,
            p.source_file_audit_id,
            json_text(&p.applied_to_files)?,
            json_text(&p.dart_task_ids)?,
            json_text(&p.related_files)?,
            json_text(&p.anti_patterns)?,
            json_text(&p.guardian_rules)?,
            p.created_by,
            p.reviewer_notes,
            p.created_at,
            p.updated_at,
            p.title,
            p.problem_description,
            p.solution_steps,
            p.code_before,
            p.code_after,
            p.verification_steps,
            p.learnings,
            p.prevention_guidance
        ])?;
        let vectors = [&p.content_vector, &p.code_vector, &p.problem_vector];
        for ((kind, base), values) in PATTERN_VECTOR_KINDS.iter().zip(vectors) {
            vector.execute(params![base + p.id, p.id, kind, blob::encode(values)])?;
        }
    }
    Ok(())
}

/// Moves every id sequence past the copied ids and the source's position,
/// never back.
fn set_sequences(conn: &Connection, dump: &Dump) -> Result<()> {
    for sequence in ID_SEQUENCES {
        if *sequence == VECTOR_IDS {
            let current: i64 = conn.query_row(
                "SELECT next_id FROM vector_id_sequence WHERE id = 1",
                [],
                |row| row.get(0),
            )?;
            conn.execute(
                "UPDATE vector_id_sequence SET next_id = ?1 WHERE id = 1",
                [dump.next_id(sequence, current)],
            )?;
            continue;
        }
        // sqlite_sequence holds the last id handed out, one row per table
        // that has handed out any (the inserts above made theirs).
        let last: Option<i64> = conn
            .query_row(
                "SELECT seq FROM sqlite_sequence WHERE name = ?1",
                [sequence],
                |row| row.get(0),
            )
            .optional()?;
        let next = dump.next_id(sequence, last.unwrap_or(0) + 1);
        match last {
            Some(_) => conn.execute(
                "UPDATE sqlite_sequence SET seq = ?2 WHERE name = ?1",
                params![sequence, next - 1],
            )?,
            None if next > 1 => conn.execute(
                "INSERT INTO sqlite_sequence (name, seq) VALUES (?1, ?2)",
                params![sequence, next - 1],
            )?,
            None => 0,
        };
    }
    Ok(())
}
