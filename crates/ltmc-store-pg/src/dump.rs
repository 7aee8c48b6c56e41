//! A whole PostgreSQL store as a [`Dump`] and back: [`StoreDump`] for
//! [`PgStore`], behind `ltmc migrate-store`.
//!
//! Export reads every table in one repeatable-read, read-only transaction
//! (one snapshot), times through `ltmc_ts` (the dump's text form), integer
//! and real columns widened to the dump's i64 / f64. Import runs in one
//! transaction: it locks every data table against concurrent writers (other
//! ltmc servers wait until it ends), finds them empty, writes every row with
//! its id (`OVERRIDING SYSTEM VALUE`: the ids are identity columns) and
//! vector id, the chunks in batches through `unnest` with their resource's
//! type (a column PostgreSQL repeats from the resource), and last moves each
//! identity sequence and `vector_id_seq` past the copied ids with `setval`.
//! The sequences are moved last because `setval` is not undone by a
//! rollback: a failure before it leaves the database exactly as it was.
//! Each chunk's tsvector and the HNSW indexes follow the rows by themselves.
//!
//! Not here: the record format and checksums (ltmc-store's `dump`), the
//! command (the `ltmc` binary), and the use cases' writes (which allocate
//! new ids: this module writes the tables directly).

use crate::PgStore;
use crate::error::{Error, Result, corrupt};
use async_trait::async_trait;
use deadpool_postgres::GenericClient;
use ltmc_store::{
    AttemptLinkRecord, AuditHistoryRecord, ChatMessageRecord, ChunkRecord, CodeAttemptRecord,
    ContextLinkRecord, Dump, FileAuditRecord, FixPatternRecord, GraphEdgeRecord,
    GuardianRuleRecord, ID_SEQUENCES, ModelRecord, PatternApplicationRecord,
    PatternRelationshipRecord, ResourceRecord, RuleHitRecord, StoreDump, StoreError, TodoRecord,
    describe_counts,
};
use pgvector::Vector;
use std::collections::BTreeMap;
use tokio_postgres::{IsolationLevel, Row};

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
    ("file_audits", "file_audit"),
    ("file_audit_history", "file_audit_history"),
    ("fix_patterns", "fix_patterns"),
    ("pattern_relationships", "pattern_relationships"),
    ("pattern_applications", "pattern_applications"),
    ("guardian_rules", "guardian_rules"),
    ("guardian_rule_hits", "guardian_rule_hits"),
];

/// The sequence of chunks' vector ids; every other sequence of
/// [`ID_SEQUENCES`] is the identity of the table of its name ([`TABLES`]).
const VECTOR_IDS: &str = "vector_ids";

/// Chunks per `INSERT ... SELECT FROM unnest(...)`: about 0.8 MB of vectors
/// at 384 dimensions.
const CHUNK_BATCH: usize = 500;

#[async_trait]
impl StoreDump for PgStore {
    async fn dump_counts(&self) -> Result<Vec<(&'static str, u64)>, StoreError> {
        async {
            let client = self.client().await?;
            counts(&client).await
        }
        .await
        .map_err(|e| self.fail(e))
    }

    async fn export_dump(&self) -> Result<Dump, StoreError> {
        export(self).await.map_err(|e| self.fail(e))
    }

    async fn import_dump(&self, dump: &Dump) -> Result<(), StoreError> {
        dump.check()?;
        import(self, dump).await.map_err(|e| self.fail(e))
    }
}

async fn counts(client: &impl GenericClient) -> Result<Vec<(&'static str, u64)>> {
    let selects: Vec<String> = TABLES
        .iter()
        .map(|(_, table)| format!("(SELECT count(*) FROM {table})"))
        .collect();
    let row = client
        .query_one(&format!("SELECT {}", selects.join(", ")), &[])
        .await?;
    let mut counts = Vec::with_capacity(TABLES.len());
    for (i, (name, _)) in TABLES.iter().enumerate() {
        let n: i64 = row.try_get(i)?;
        counts.push((
            *name,
            u64::try_from(n).map_err(|_| corrupt(format!("count(*) is {n}")))?,
        ));
    }
    Ok(counts)
}

/// The table of a sequence name of [`ID_SEQUENCES`] (not [`VECTOR_IDS`]).
fn table_of(sequence: &str) -> Result<&'static str> {
    TABLES
        .iter()
        .find(|(name, _)| *name == sequence)
        .map(|(_, table)| *table)
        .ok_or_else(|| corrupt(format!("no table for the id sequence {sequence}")))
}

async fn rows<T>(
    client: &impl GenericClient,
    sql: &str,
    read: impl Fn(&Row) -> Result<T>,
) -> Result<Vec<T>> {
    client.query(sql, &[]).await?.iter().map(read).collect()
}

async fn export(store: &PgStore) -> Result<Dump> {
    let mut client = store.client().await?;
    let tx = client
        .build_transaction()
        .isolation_level(IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .await?;
    let model = tx
        .query_one(
            "SELECT embedding_model, dimension::int8 FROM store_meta WHERE id = 1",
            &[],
        )
        .await?;
    let model = match (
        model.try_get::<_, Option<String>>(0)?,
        model.try_get::<_, Option<i64>>(1)?,
    ) {
        (Some(model_id), Some(dimension)) => Some(ModelRecord {
            model_id,
            dimension,
        }),
        _ => None,
    };
    let mut dump = Dump::new(model);

    dump.resources = rows(
        &tx,
        "SELECT id, project, file_name, resource_type, content_hash, content, \
         chunk_count::int8, ltmc_ts(created_at), metadata FROM resources ORDER BY id",
        |row| {
            Ok(ResourceRecord {
                id: row.try_get(0)?,
                project: row.try_get(1)?,
                file_name: row.try_get(2)?,
                resource_type: row.try_get(3)?,
                content_hash: row.try_get(4)?,
                content: row.try_get(5)?,
                chunk_count: row.try_get(6)?,
                created_at: row.try_get(7)?,
                metadata: row.try_get(8)?,
            })
        },
    )
    .await?;

    dump.chunks = rows(
        &tx,
        "SELECT id, resource_id, project, ordinal::int8, start_byte, end_byte, text, vector_id, \
         embedding FROM chunks ORDER BY id",
        |row| {
            Ok(ChunkRecord {
                id: row.try_get(0)?,
                resource_id: row.try_get(1)?,
                project: row.try_get(2)?,
                ordinal: row.try_get(3)?,
                start_byte: row.try_get(4)?,
                end_byte: row.try_get(5)?,
                text: row.try_get(6)?,
                vector_id: row.try_get(7)?,
                vector: row.try_get::<_, Vector>(8)?.to_vec(),
            })
        },
    )
    .await?;

    dump.chat_messages = rows(
        &tx,
        "SELECT id, project, conversation_id, role, content, agent_name, source_tool, metadata, \
         ltmc_ts(created_at) FROM chat_messages ORDER BY id",
        |row| {
            Ok(ChatMessageRecord {
                id: row.try_get(0)?,
                project: row.try_get(1)?,
                conversation_id: row.try_get(2)?,
                role: row.try_get(3)?,
                content: row.try_get(4)?,
                agent_name: row.try_get(5)?,
                source_tool: row.try_get(6)?,
                metadata: row.try_get(7)?,
                created_at: row.try_get(8)?,
            })
        },
    )
    .await?;

    dump.context_links = rows(
        &tx,
        "SELECT message_id, chunk_id, project FROM context_links",
        |row| {
            Ok(ContextLinkRecord {
                message_id: row.try_get(0)?,
                chunk_id: row.try_get(1)?,
                project: row.try_get(2)?,
            })
        },
    )
    .await?;

    dump.todos = rows(
        &tx,
        "SELECT id, project, title, description, priority, completed, ltmc_ts(created_at), \
         ltmc_ts(completed_at) FROM todos ORDER BY id",
        |row| {
            Ok(TodoRecord {
                id: row.try_get(0)?,
                project: row.try_get(1)?,
                title: row.try_get(2)?,
                description: row.try_get(3)?,
                priority: row.try_get(4)?,
                completed: row.try_get(5)?,
                created_at: row.try_get(6)?,
                completed_at: row.try_get(7)?,
            })
        },
    )
    .await?;

    dump.graph_edges = rows(
        &tx,
        "SELECT id, project, source, target, relation, properties, ltmc_ts(created_at) \
         FROM graph_edges ORDER BY id",
        |row| {
            Ok(GraphEdgeRecord {
                id: row.try_get(0)?,
                project: row.try_get(1)?,
                source: row.try_get(2)?,
                target: row.try_get(3)?,
                relation: row.try_get(4)?,
                properties: row.try_get(5)?,
                created_at: row.try_get(6)?,
            })
        },
    )
    .await?;

    dump.code_attempts = rows(
        &tx,
        "SELECT id, project, resource_id, input_prompt, generated_code, result, function_name, \
         file_name, module_name, execution_time_ms, error_message, tags, ltmc_ts(created_at) \
         FROM code_attempts ORDER BY id",
        |row| {
            Ok(CodeAttemptRecord {
                id: row.try_get(0)?,
                project: row.try_get(1)?,
                resource_id: row.try_get(2)?,
                input_prompt: row.try_get(3)?,
                generated_code: row.try_get(4)?,
                result: row.try_get(5)?,
                function_name: row.try_get(6)?,
                file_name: row.try_get(7)?,
                module_name: row.try_get(8)?,
                execution_time_ms: row.try_get(9)?,
                error_message: row.try_get(10)?,
                tags: row.try_get(11)?,
                created_at: row.try_get(12)?,
            })
        },
    )
    .await?;

    dump.attempt_links = rows(
        &tx,
        "SELECT attempt_id, related_id, kind, similarity::float8 FROM attempt_links",
        |row| {
            Ok(AttemptLinkRecord {
                attempt_id: row.try_get(0)?,
                related_id: row.try_get(1)?,
                kind: row.try_get(2)?,
                similarity: row.try_get(3)?,
            })
        },
    )
    .await?;

    dump.file_audits = rows(
        &tx,
        "SELECT id, project, file_path, layer_number::int8, workflows, technical_debt, status, \
         notes, pattern_id, ltmc_ts(work_started_at), ltmc_ts(work_completed_at), \
         ltmc_ts(created_at), ltmc_ts(updated_at) FROM file_audit ORDER BY id",
        |row| {
            Ok(FileAuditRecord {
                id: row.try_get(0)?,
                project: row.try_get(1)?,
                file_path: row.try_get(2)?,
                layer_number: row.try_get(3)?,
                workflows: row.try_get(4)?,
                technical_debt: row.try_get(5)?,
                status: row.try_get(6)?,
                notes: row.try_get(7)?,
                pattern_id: row.try_get(8)?,
                work_started_at: row.try_get(9)?,
                work_completed_at: row.try_get(10)?,
                created_at: row.try_get(11)?,
                updated_at: row.try_get(12)?,
            })
        },
    )
    .await?;

    dump.file_audit_history = rows(
        &tx,
        "SELECT id, audit_id, from_status, to_status, ltmc_ts(at) FROM file_audit_history \
         ORDER BY id",
        |row| {
            Ok(AuditHistoryRecord {
                id: row.try_get(0)?,
                audit_id: row.try_get(1)?,
                from_status: row.try_get(2)?,
                to_status: row.try_get(3)?,
                at: row.try_get(4)?,
            })
        },
    )
    .await?;

    dump.fix_patterns = rows(
        &tx,
        "SELECT id, project, title, problem_type, code_type, severity, tags, layers::int8[], \
         workflows, file_types, problem_description, solution_steps, code_before, code_after, \
         verification_steps, learnings, prevention_guidance, source_file_audit_id, \
         applied_to_files::int8[], dart_task_ids, related_files, applied_count, success_rate, \
         avg_time_saved, confidence_score, ltmc_ts(last_applied), guardian_rules, \
         anti_patterns, ltmc_ts(created_at), ltmc_ts(updated_at), created_by, reviewed, \
         reviewer_notes, content_embedding, code_embedding, problem_embedding \
         FROM fix_patterns ORDER BY id",
        pattern_from_row,
    )
    .await?;

    dump.pattern_relationships = rows(
        &tx,
        "SELECT id, project, source_pattern_id, target_pattern_id, relationship_type, strength, \
         description, ltmc_ts(created_at) FROM pattern_relationships ORDER BY id",
        |row| {
            Ok(PatternRelationshipRecord {
                id: row.try_get(0)?,
                project: row.try_get(1)?,
                source_pattern_id: row.try_get(2)?,
                target_pattern_id: row.try_get(3)?,
                relationship_type: row.try_get(4)?,
                strength: row.try_get(5)?,
                description: row.try_get(6)?,
                created_at: row.try_get(7)?,
            })
        },
    )
    .await?;

    dump.pattern_applications = rows(
        &tx,
        "SELECT id, project, pattern_id, audit_id, file_path, success, time_taken, time_saved, \
         notes, ltmc_ts(applied_at) FROM pattern_applications ORDER BY id",
        |row| {
            Ok(PatternApplicationRecord {
                id: row.try_get(0)?,
                project: row.try_get(1)?,
                pattern_id: row.try_get(2)?,
                audit_id: row.try_get(3)?,
                file_path: row.try_get(4)?,
                success: row.try_get(5)?,
                time_taken: row.try_get(6)?,
                time_saved: row.try_get(7)?,
                notes: row.try_get(8)?,
                applied_at: row.try_get(9)?,
            })
        },
    )
    .await?;

    dump.guardian_rules = rows(
        &tx,
        "SELECT id, project, layer_number::int8, rule_name, rule_type, rule_pattern, severity, \
         action_required, source_pattern_id, active, inactive_reason, hit_count, files_hit, \
         ltmc_ts(last_hit_at), ltmc_ts(created_at) FROM guardian_rules ORDER BY id",
        |row| {
            Ok(GuardianRuleRecord {
                id: row.try_get(0)?,
                project: row.try_get(1)?,
                layer_number: row.try_get(2)?,
                rule_name: row.try_get(3)?,
                rule_type: row.try_get(4)?,
                rule_pattern: row.try_get(5)?,
                severity: row.try_get(6)?,
                action_required: row.try_get(7)?,
                source_pattern_id: row.try_get(8)?,
                active: row.try_get(9)?,
                inactive_reason: row.try_get(10)?,
                hit_count: row.try_get(11)?,
                files_hit: row.try_get(12)?,
                last_hit_at: row.try_get(13)?,
                created_at: row.try_get(14)?,
            })
        },
    )
    .await?;

    dump.guardian_rule_hits = rows(
        &tx,
        "SELECT rule_id, file_path, hits, ltmc_ts(last_hit_at) FROM guardian_rule_hits",
        |row| {
            Ok(RuleHitRecord {
                rule_id: row.try_get(0)?,
                file_path: row.try_get(1)?,
                hits: row.try_get(2)?,
                last_hit_at: row.try_get(3)?,
            })
        },
    )
    .await?;

    dump.next_ids = next_ids(&tx).await?;
    tx.commit().await?;
    dump.sort();
    Ok(dump)
}

fn pattern_from_row(row: &Row) -> Result<FixPatternRecord> {
    Ok(FixPatternRecord {
        id: row.try_get(0)?,
        project: row.try_get(1)?,
        title: row.try_get(2)?,
        problem_type: row.try_get(3)?,
        code_type: row.try_get(4)?,
        severity: row.try_get(5)?,
        tags: row.try_get(6)?,
        layers: row.try_get(7)?,
        workflows: row.try_get(8)?,
        file_types: row.try_get(9)?,
        problem_description: row.try_get(10)?,
        solution_steps: row.try_get(11)?,
        code_before: row.try_get(12)?,
        code_after: row.try_get(13)?,
        verification_steps: row.try_get(14)?,
        learnings: row.try_get(15)?,
        prevention_guidance: row.try_get(16)?,
        source_file_audit_id: row.try_get(17)?,
        applied_to_files: row.try_get(18)?,
        dart_task_ids: row.try_get(19)?,
        related_files: row.try_get(20)?,
        applied_count: row.try_get(21)?,
        success_rate: row.try_get(22)?,
        avg_time_saved: row.try_get(23)?,
        confidence_score: row.try_get(24)?,
        last_applied: row.try_get(25)?,
        guardian_rules: row.try_get(26)?,
        anti_patterns: row.try_get(27)?,
        created_at: row.try_get(28)?,
        updated_at: row.try_get(29)?,
        created_by: row.try_get(30)?,
        reviewed: row.try_get(31)?,
        reviewer_notes: row.try_get(32)?,
        content_vector: row.try_get::<_, Vector>(33)?.to_vec(),
        code_vector: row.try_get::<_, Vector>(34)?.to_vec(),
        problem_vector: row.try_get::<_, Vector>(35)?.to_vec(),
    })
}

/// The sequence behind `sequence` (a name of [`ID_SEQUENCES`]), qualified.
async fn sequence_name(client: &impl GenericClient, sequence: &str) -> Result<String> {
    if sequence == VECTOR_IDS {
        return Ok("vector_id_seq".to_owned());
    }
    let table = table_of(sequence)?;
    client
        .query_one("SELECT pg_get_serial_sequence($1, 'id')", &[&table])
        .await?
        .try_get::<_, Option<String>>(0)?
        .ok_or_else(|| corrupt(format!("{table}.id has no sequence")))
}

/// The value `nextval` would hand out next.
async fn sequence_next(client: &impl GenericClient, name: &str) -> Result<i64> {
    // `name` comes from pg_get_serial_sequence (quoted) or is our own.
    Ok(client
        .query_one(
            &format!(
                "SELECT CASE WHEN is_called THEN last_value + 1 ELSE last_value END FROM {name}"
            ),
            &[],
        )
        .await?
        .try_get(0)?)
}

/// The next id of each sequence: past what it handed out (deleted rows
/// included) and past the largest id held.
async fn next_ids(client: &impl GenericClient) -> Result<BTreeMap<String, i64>> {
    let mut next = BTreeMap::new();
    for sequence in ID_SEQUENCES {
        let name = sequence_name(client, sequence).await?;
        let position = sequence_next(client, &name).await?;
        let (table, column) = if *sequence == VECTOR_IDS {
            ("chunks", "vector_id")
        } else {
            (table_of(sequence)?, "id")
        };
        let held: i64 = client
            .query_one(
                &format!("SELECT coalesce(max({column}), 0) + 1 FROM {table}"),
                &[],
            )
            .await?
            .try_get(0)?;
        next.insert((*sequence).to_owned(), position.max(held));
    }
    Ok(next)
}

async fn import(store: &PgStore, dump: &Dump) -> Result<()> {
    if let Some(model) = &dump.model {
        let wanted = model.spec()?;
        let recorded = store.spec()?;
        if recorded.model_id != wanted.model_id {
            return Err(Error::Store(StoreError::WrongModel {
                expected: recorded.model_id.clone(),
                got: wanted.model_id,
            }));
        }
        if recorded.dimension != wanted.dimension {
            return Err(Error::Store(StoreError::WrongDimension {
                expected: recorded.dimension,
                got: wanted.dimension,
            }));
        }
    }
    let mut client = store.client().await?;
    let tx = client.transaction().await?;
    // Other servers' writes wait for this transaction; their reads do not.
    let tables: Vec<&str> = TABLES.iter().map(|(_, table)| *table).collect();
    tx.batch_execute(&format!(
        "LOCK TABLE {} IN SHARE ROW EXCLUSIVE MODE",
        tables.join(", ")
    ))
    .await?;
    let held = counts(&tx).await?;
    if held.iter().any(|(_, n)| *n > 0) {
        return Err(Error::Store(StoreError::Conflict(format!(
            "{}: the database is not empty (it holds {}); copy into a new or empty database",
            store.location(),
            describe_counts(&held)
        ))));
    }
    insert_documents(&tx, dump).await?;
    insert_activity(&tx, dump).await?;
    insert_fix(&tx, dump).await?;
    set_sequences(&tx, dump).await?;
    tx.commit().await?;
    Ok(())
}

async fn insert_documents(tx: &impl GenericClient, dump: &Dump) -> Result<()> {
    let stmt = tx
        .prepare(
            "INSERT INTO resources (id, project, file_name, resource_type, content_hash, \
             content, chunk_count, created_at, metadata) OVERRIDING SYSTEM VALUE \
             VALUES ($1, $2, $3, $4, $5, $6, $7::int8, $8::text::timestamptz, $9::jsonb)",
        )
        .await?;
    for r in &dump.resources {
        tx.execute(
            &stmt,
            &[
                &r.id,
                &r.project,
                &r.file_name,
                &r.resource_type,
                &r.content_hash,
                &r.content,
                &r.chunk_count,
                &r.created_at,
                &r.metadata,
            ],
        )
        .await?;
    }
    // The resource type is the resource's (PostgreSQL repeats it in chunks).
    let stmt = tx
        .prepare(
            "INSERT INTO chunks (id, resource_id, project, resource_type, ordinal, start_byte, \
             end_byte, text, vector_id, embedding) OVERRIDING SYSTEM VALUE \
             SELECT u.id, u.resource_id, u.project, r.resource_type, u.ordinal, u.start_byte, \
                    u.end_byte, u.text, u.vector_id, u.embedding \
             FROM unnest($1::int8[], $2::int8[], $3::text[], $4::int8[], $5::int8[], $6::int8[], \
                         $7::text[], $8::int8[], $9::vector[]) \
                  AS u (id, resource_id, project, ordinal, start_byte, end_byte, text, \
                        vector_id, embedding) \
             JOIN resources r ON r.id = u.resource_id",
        )
        .await?;
    for batch in dump.chunks.chunks(CHUNK_BATCH) {
        let column = |f: fn(&ChunkRecord) -> i64| batch.iter().map(f).collect::<Vec<i64>>();
        let ids = column(|c| c.id);
        let resources = column(|c| c.resource_id);
        let ordinals = column(|c| c.ordinal);
        let starts = column(|c| c.start_byte);
        let ends = column(|c| c.end_byte);
        let vector_ids = column(|c| c.vector_id);
        let projects: Vec<&str> = batch.iter().map(|c| c.project.as_str()).collect();
        let texts: Vec<&str> = batch.iter().map(|c| c.text.as_str()).collect();
        let vectors: Vec<Vector> = batch
            .iter()
            .map(|c| Vector::from(c.vector.clone()))
            .collect();
        let written = tx
            .execute(
                &stmt,
                &[
                    &ids,
                    &resources,
                    &projects,
                    &ordinals,
                    &starts,
                    &ends,
                    &texts,
                    &vector_ids,
                    &vectors,
                ],
            )
            .await?;
        if written != batch.len() as u64 {
            return Err(Error::Store(StoreError::Conflict(format!(
                "{} of {} chunks name a resource the source does not hold",
                batch.len() as u64 - written,
                batch.len()
            ))));
        }
    }
    Ok(())
}

async fn insert_activity(tx: &impl GenericClient, dump: &Dump) -> Result<()> {
    let stmt = tx
        .prepare(
            "INSERT INTO chat_messages (id, project, conversation_id, role, content, agent_name, \
             source_tool, metadata, created_at) OVERRIDING SYSTEM VALUE \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9::text::timestamptz)",
        )
        .await?;
    for m in &dump.chat_messages {
        tx.execute(
            &stmt,
            &[
                &m.id,
                &m.project,
                &m.conversation_id,
                &m.role,
                &m.content,
                &m.agent_name,
                &m.source_tool,
                &m.metadata,
                &m.created_at,
            ],
        )
        .await?;
    }
    let stmt = tx
        .prepare("INSERT INTO context_links (message_id, chunk_id, project) VALUES ($1, $2, $3)")
        .await?;
    for l in &dump.context_links {
        tx.execute(&stmt, &[&l.message_id, &l.chunk_id, &l.project])
            .await?;
    }
    let stmt = tx
        .prepare(
            "INSERT INTO todos (id, project, title, description, priority, completed, \
             created_at, completed_at) OVERRIDING SYSTEM VALUE \
             VALUES ($1, $2, $3, $4, $5, $6, $7::text::timestamptz, $8::text::timestamptz)",
        )
        .await?;
    for t in &dump.todos {
        tx.execute(
            &stmt,
            &[
                &t.id,
                &t.project,
                &t.title,
                &t.description,
                &t.priority,
                &t.completed,
                &t.created_at,
                &t.completed_at,
            ],
        )
        .await?;
    }
    let stmt = tx
        .prepare(
            "INSERT INTO graph_edges (id, project, source, target, relation, properties, \
             created_at) OVERRIDING SYSTEM VALUE \
             VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::text::timestamptz)",
        )
        .await?;
    for e in &dump.graph_edges {
        tx.execute(
            &stmt,
            &[
                &e.id,
                &e.project,
                &e.source,
                &e.target,
                &e.relation,
                &e.properties,
                &e.created_at,
            ],
        )
        .await?;
    }
    let stmt = tx
        .prepare(
            "INSERT INTO code_attempts (id, project, resource_id, input_prompt, generated_code, \
             result, function_name, file_name, module_name, execution_time_ms, error_message, \
             tags, created_at) OVERRIDING SYSTEM VALUE \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::text[], \
                     $13::text::timestamptz)",
        )
        .await?;
    for a in &dump.code_attempts {
        tx.execute(
            &stmt,
            &[
                &a.id,
                &a.project,
                &a.resource_id,
                &a.input_prompt,
                &a.generated_code,
                &a.result,
                &a.function_name,
                &a.file_name,
                &a.module_name,
                &a.execution_time_ms,
                &a.error_message,
                &a.tags,
                &a.created_at,
            ],
        )
        .await?;
    }
    // similarity is `real`: the f64 narrows back to the f32 it came from.
    let stmt = tx
        .prepare(
            "INSERT INTO attempt_links (attempt_id, related_id, kind, similarity) \
             VALUES ($1, $2, $3, $4::float8)",
        )
        .await?;
    for l in &dump.attempt_links {
        tx.execute(
            &stmt,
            &[&l.attempt_id, &l.related_id, &l.kind, &l.similarity],
        )
        .await?;
    }
    Ok(())
}

/// The fix-pattern tables. Audits and patterns name each other (an audit's
/// last pattern, a pattern's source audit): audits go in without their
/// pattern, which is set once the patterns are in.
async fn insert_fix(tx: &impl GenericClient, dump: &Dump) -> Result<()> {
    let stmt = tx
        .prepare(
            "INSERT INTO file_audit (id, project, file_path, layer_number, workflows, \
             technical_debt, status, notes, pattern_id, work_started_at, work_completed_at, \
             created_at, updated_at) OVERRIDING SYSTEM VALUE \
             VALUES ($1, $2, $3, $4::int8, $5::text[], $6, $7, $8, NULL, \
                     $9::text::timestamptz, $10::text::timestamptz, $11::text::timestamptz, \
                     $12::text::timestamptz)",
        )
        .await?;
    for a in &dump.file_audits {
        tx.execute(
            &stmt,
            &[
                &a.id,
                &a.project,
                &a.file_path,
                &a.layer_number,
                &a.workflows,
                &a.technical_debt,
                &a.status,
                &a.notes,
                &a.work_started_at,
                &a.work_completed_at,
                &a.created_at,
                &a.updated_at,
            ],
        )
        .await?;
    }
    let stmt = tx
        .prepare(
            "INSERT INTO file_audit_history (id, audit_id, from_status, to_status, at) \
             OVERRIDING SYSTEM VALUE VALUES ($1, $2, $3, $4, $5::text::timestamptz)",
        )
        .await?;
    for h in &dump.file_audit_history {
        tx.execute(
            &stmt,
            &[&h.id, &h.audit_id, &h.from_status, &h.to_status, &h.at],
        )
        .await?;
    }
    insert_patterns(tx, dump).await?;
    let stmt = tx
        .prepare("UPDATE file_audit SET pattern_id = $2 WHERE id = $1")
        .await?;
    for a in &dump.file_audits {
        if let Some(pattern) = a.pattern_id {
            tx.execute(&stmt, &[&a.id, &pattern]).await?;
        }
    }
    let stmt = tx
        .prepare(
            "INSERT INTO pattern_relationships (id, project, source_pattern_id, \
             target_pattern_id, relationship_type, strength, description, created_at) \
             OVERRIDING SYSTEM VALUE \
             VALUES ($1, $2, $3, $4, $5, $6::float8, $7, $8::text::timestamptz)",
        )
        .await?;
    for r in &dump.pattern_relationships {
        tx.execute(
            &stmt,
            &[
                &r.id,
                &r.project,
                &r.source_pattern_id,
                &r.target_pattern_id,
                &r.relationship_type,
                &r.strength,
                &r.description,
                &r.created_at,
            ],
        )
        .await?;
    }
    let stmt = tx
        .prepare(
            "INSERT INTO pattern_applications (id, project, pattern_id, audit_id, file_path, \
             success, time_taken, time_saved, notes, applied_at) OVERRIDING SYSTEM VALUE \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::text::timestamptz)",
        )
        .await?;
    for a in &dump.pattern_applications {
        tx.execute(
            &stmt,
            &[
                &a.id,
                &a.project,
                &a.pattern_id,
                &a.audit_id,
                &a.file_path,
                &a.success,
                &a.time_taken,
                &a.time_saved,
                &a.notes,
                &a.applied_at,
            ],
        )
        .await?;
    }
    let stmt = tx
        .prepare(
            "INSERT INTO guardian_rules (id, project, layer_number, rule_name, rule_type, \
             rule_pattern, severity, action_required, source_pattern_id, active, \
             inactive_reason, hit_count, files_hit, last_hit_at, created_at) \
             OVERRIDING SYSTEM VALUE \
             VALUES ($1, $2, $3::int8, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, \
                     $14::text::timestamptz, $15::text::timestamptz)",
        )
        .await?;
    for g in &dump.guardian_rules {
        tx.execute(
            &stmt,
            &[
                &g.id,
                &g.project,
                &g.layer_number,
                &g.rule_name,
                &g.rule_type,
                &g.rule_pattern,
                &g.severity,
                &g.action_required,
                &g.source_pattern_id,
                &g.active,
                &g.inactive_reason,
                &g.hit_count,
                &g.files_hit,
                &g.last_hit_at,
                &g.created_at,
            ],
        )
        .await?;
    }
    let stmt = tx
        .prepare(
            "INSERT INTO guardian_rule_hits (rule_id, file_path, hits, last_hit_at) \
             VALUES ($1, $2, $3, $4::text::timestamptz)",
        )
        .await?;
    for h in &dump.guardian_rule_hits {
        tx.execute(&stmt, &[&h.rule_id, &h.file_path, &h.hits, &h.last_hit_at])
            .await?;
    }
    Ok(())
}

async fn insert_patterns(tx: &impl GenericClient, dump: &Dump) -> Result<()> {
    let stmt = tx
        .prepare(
            "INSERT INTO fix_patterns (id, project, title, problem_type, code_type, severity, \
             tags, layers, workflows, file_types, problem_description, solution_steps, \
             code_before, code_after, verification_steps, learnings, prevention_guidance, \
             source_file_audit_id, applied_to_files, dart_task_ids, related_files, \
             applied_count, success_rate, avg_time_saved, confidence_score, last_applied, \
             guardian_rules, anti_patterns, created_at, updated_at, created_by, reviewed, \
             reviewer_notes, content_embedding, code_embedding, problem_embedding) \
             OVERRIDING SYSTEM VALUE \
             VALUES ($1, $2, $3, $4, $5, $6, $7::text[], $8::int8[], $9::text[], $10::text[], \
                     $11, $12, $13, $14, $15, $16, $17, $18, $19::int8[], $20::text[], \
                     $21::text[], $22, $23::float8, $24, $25::float8, $26::text::timestamptz, \
                     $27::jsonb, $28::text[], $29::text::timestamptz, $30::text::timestamptz, \
                     $31, $32, $33, $34, $35, $36)",
        )
        .await?;
    for p in &dump.fix_patterns {
        let [content, code, problem] =
            [&p.content_vector, &p.code_vector, &p.problem_vector].map(|v| Vector::from(v.clone()));
        tx.execute(
            &stmt,
            &[
                &p.id,
                &p.project,
                &p.title,
                &p.problem_type,
                &p.code_type,
                &p.severity,
                &p.tags,
                &p.layers,
                &p.workflows,
                &p.file_types,
                &p.problem_description,
                &p.solution_steps,
                &p.code_before,
                &p.code_after,
                &p.verification_steps,
                &p.learnings,
                &p.prevention_guidance,
                &p.source_file_audit_id,
                &p.applied_to_files,
                &p.dart_task_ids,
                &p.related_files,
                &p.applied_count,
                &p.success_rate,
                &p.avg_time_saved,
                &p.confidence_score,
                &p.last_applied,
                &p.guardian_rules,
                &p.anti_patterns,
                &p.created_at,
                &p.updated_at,
                &p.created_by,
                &p.reviewed,
                &p.reviewer_notes,
                &content,
                &code,
                &problem,
            ],
        )
        .await?;
    }
    Ok(())
}

/// Moves every sequence past the copied ids and the source's position,
/// never back. Last in the transaction: `setval` is not rolled back.
async fn set_sequences(tx: &impl GenericClient, dump: &Dump) -> Result<()> {
    for sequence in ID_SEQUENCES {
        let name = sequence_name(tx, sequence).await?;
        let current = sequence_next(tx, &name).await?;
        let next = dump.next_id(sequence, current);
        if next > current {
            tx.execute(
                "SELECT setval($1::text::regclass, $2, true)",
                &[&name, &(next - 1)],
            )
            .await?;
        }
    }
    Ok(())
}
