//! Reading an original LTMC SQLite database: which of its tables and columns
//! exist (they differ between versions), and every row of the ones the
//! migration imports, as typed records.
//!
//! The file is opened read-only and read inside one read transaction, whose
//! shared lock keeps a still-running old server from committing halfway
//! through our read; a writer holding the file is a [`LegacyError::Locked`].
//! Not `immutable=1`: that would skip locking and read torn pages if the old
//! server writes. Never writes, never creates a journal, never migrates.
//! Values are read leniently (SQLite columns are dynamically typed; an old row
//! may hold a number as text), absent columns read as `None`.

use crate::LegacyError;
use crate::records::{
    LegacyChunk, LegacyLink, LegacyMessage, LegacyPattern, LegacyPatternContext, LegacyResource,
    LegacySummary, LegacyTodo,
};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags, Row};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The tables of the original schema, in the order they are reported.
pub const LEGACY_TABLES: [&str; 10] = [
    "Resources",
    "ResourceChunks",
    "ChatHistory",
    "ContextLinks",
    "Summaries",
    "VectorIdSequence",
    "CodePatterns",
    "CodePatternContext",
    "Todos",
    "RetrievalWeights",
];

/// Everything read from one legacy database.
#[derive(Debug, Clone, Default)]
pub struct LegacyDatabase {
    /// Each legacy table present, with its columns (as declared).
    pub tables: BTreeMap<String, Vec<String>>,
    /// Tables not of the original schema (reported, not read).
    pub other_tables: Vec<String>,
    pub resources: Vec<LegacyResource>,
    pub chunks: Vec<LegacyChunk>,
    pub messages: Vec<LegacyMessage>,
    pub links: Vec<LegacyLink>,
    pub summaries: Vec<LegacySummary>,
    pub patterns: Vec<LegacyPattern>,
    pub pattern_context: Vec<LegacyPatternContext>,
    pub todos: Vec<LegacyTodo>,
    /// Row counts of the tables that have no ltmc equivalent.
    pub vector_id_sequence_rows: u64,
    pub retrieval_weights_rows: u64,
}

impl LegacyDatabase {
    /// Whether the table exists in this database.
    pub fn has(&self, table: &str) -> bool {
        self.tables.contains_key(table)
    }

    /// Rows read from a legacy table (0 when it is missing).
    pub fn rows(&self, table: &str) -> u64 {
        let n = match table {
            "Resources" => self.resources.len(),
            "ResourceChunks" => self.chunks.len(),
            "ChatHistory" => self.messages.len(),
            "ContextLinks" => self.links.len(),
            "Summaries" => self.summaries.len(),
            "CodePatterns" => self.patterns.len(),
            "CodePatternContext" => self.pattern_context.len(),
            "Todos" => self.todos.len(),
            "VectorIdSequence" => return self.vector_id_sequence_rows,
            "RetrievalWeights" => return self.retrieval_weights_rows,
            _ => 0,
        };
        n as u64
    }

    /// Opens `path` read-only and reads every table in one snapshot.
    pub fn read(path: &Path) -> Result<Self, LegacyError> {
        if let Err(source) = std::fs::metadata(path) {
            return Err(LegacyError::Io {
                path: path.to_owned(),
                source,
            });
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| classify(path, &e))?;
        conn.busy_timeout(Duration::from_millis(500))
            .map_err(|e| classify(path, &e))?;
        // One read transaction: the shared lock is taken by the first read
        // and held to the end, so every table comes from one snapshot.
        conn.execute_batch("BEGIN DEFERRED")
            .map_err(|e| classify(path, &e))?;
        let out = Reader { conn: &conn, path }.read_all();
        let _ = conn.execute_batch("COMMIT");
        out
    }
}

struct Reader<'a> {
    conn: &'a Connection,
    path: &'a Path,
}

impl Reader<'_> {
    fn err(&self, e: &rusqlite::Error) -> LegacyError {
        classify(self.path, e)
    }

    fn read_all(&self) -> Result<LegacyDatabase, LegacyError> {
        let mut db = LegacyDatabase::default();
        let names: Vec<String> = {
            let mut stmt = self
                .conn
                .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
                .map_err(|e| self.err(&e))?;
            stmt.query_map([], |r| r.get(0))
                .and_then(Iterator::collect)
                .map_err(|e| self.err(&e))?
        };
        for name in names {
            match LEGACY_TABLES.iter().find(|t| t.eq_ignore_ascii_case(&name)) {
                Some(table) => {
                    let cols = self.columns(&name)?;
                    db.tables.insert((*table).to_owned(), cols);
                }
                None if name.starts_with("sqlite_") => {}
                None => db.other_tables.push(name),
            }
        }
        db.resources = self.select(
            &db,
            "Resources",
            &["id", "file_name", "type", "created_at", "archived"],
            |r| {
                Ok(LegacyResource {
                    id: int(r, 0)?.unwrap_or_default(),
                    file_name: text(r, 1)?,
                    resource_type: text(r, 2)?,
                    created_at: text(r, 3)?,
                    archived: int(r, 4)?.map(|v| v != 0),
                })
            },
        )?;
        db.chunks = self.select(
            &db,
            "ResourceChunks",
            &["id", "resource_id", "chunk_text", "vector_id"],
            |r| {
                Ok(LegacyChunk {
                    id: int(r, 0)?.unwrap_or_default(),
                    resource_id: int(r, 1)?,
                    text: text(r, 2)?.unwrap_or_default(),
                    vector_id: int(r, 3)?,
                })
            },
        )?;
        db.messages = self.select(
            &db,
            "ChatHistory",
            &[
                "id",
                "conversation_id",
                "role",
                "content",
                "timestamp",
                "agent_name",
                "metadata",
                "source_tool",
            ],
            |r| {
                Ok(LegacyMessage {
                    id: int(r, 0)?.unwrap_or_default(),
                    conversation_id: text(r, 1)?.unwrap_or_default(),
                    role: text(r, 2)?.unwrap_or_default(),
                    content: text(r, 3)?.unwrap_or_default(),
                    timestamp: text(r, 4)?,
                    agent_name: text(r, 5)?,
                    metadata: text(r, 6)?,
                    source_tool: text(r, 7)?,
                })
            },
        )?;
        db.links = self.select(
            &db,
            "ContextLinks",
            &["id", "message_id", "chunk_id"],
            |r| {
                Ok(LegacyLink {
                    id: int(r, 0)?.unwrap_or_default(),
                    message_id: int(r, 1)?,
                    chunk_id: int(r, 2)?,
                })
            },
        )?;
        db.summaries = self.select(
            &db,
            "Summaries",
            &[
                "id",
                "resource_id",
                "doc_id",
                "summary_text",
                "model_name",
                "created_at",
            ],
            |r| {
                Ok(LegacySummary {
                    id: int(r, 0)?.unwrap_or_default(),
                    resource_id: int(r, 1)?,
                    doc_id: text(r, 2)?,
                    summary_text: text(r, 3)?.unwrap_or_default(),
                    model_name: text(r, 4)?,
                    created_at: text(r, 5)?,
                })
            },
        )?;
        db.patterns = self.select(
            &db,
            "CodePatterns",
            &[
                "id",
                "function_name",
                "file_name",
                "module_name",
                "input_prompt",
                "generated_code",
                "result",
                "execution_time_ms",
                "error_message",
                "tags",
                "created_at",
                "vector_id",
            ],
            |r| {
                Ok(LegacyPattern {
                    id: int(r, 0)?.unwrap_or_default(),
                    function_name: text(r, 1)?,
                    file_name: text(r, 2)?,
                    module_name: text(r, 3)?,
                    input_prompt: text(r, 4)?.unwrap_or_default(),
                    generated_code: text(r, 5)?.unwrap_or_default(),
                    result: text(r, 6)?,
                    execution_time_ms: int(r, 7)?,
                    error_message: text(r, 8)?,
                    tags: text(r, 9)?,
                    created_at: text(r, 10)?,
                    vector_id: int(r, 11)?,
                })
            },
        )?;
        db.pattern_context = self.select(
            &db,
            "CodePatternContext",
            &[
                "id",
                "pattern_id",
                "context_type",
                "context_id",
                "similarity_score",
            ],
            |r| {
                Ok(LegacyPatternContext {
                    id: int(r, 0)?.unwrap_or_default(),
                    pattern_id: int(r, 1)?,
                    context_type: text(r, 2)?,
                    context_id: int(r, 3)?,
                    similarity_score: real(r, 4)?,
                })
            },
        )?;
        db.todos = self.select(
            &db,
            "Todos",
            &[
                "id",
                "title",
                "description",
                "priority",
                "completed",
                "status",
                "created_at",
                "completed_at",
            ],
            |r| {
                let status = text(r, 5)?;
                let completed_at = text(r, 7)?;
                let completed = int(r, 4)?.map_or_else(
                    || {
                        status.as_deref().is_some_and(|s| {
                            matches!(s.to_ascii_lowercase().as_str(), "completed" | "done")
                        }) || completed_at.is_some()
                    },
                    |v| v != 0,
                );
                Ok(LegacyTodo {
                    id: int(r, 0)?.unwrap_or_default(),
                    title: text(r, 1)?.unwrap_or_default(),
                    description: text(r, 2)?,
                    priority: text(r, 3)?,
                    completed,
                    status,
                    created_at: text(r, 6)?,
                    completed_at,
                })
            },
        )?;
        db.vector_id_sequence_rows = self.count(&db, "VectorIdSequence")?;
        db.retrieval_weights_rows = self.count(&db, "RetrievalWeights")?;
        Ok(db)
    }

    fn columns(&self, table: &str) -> Result<Vec<String>, LegacyError> {
        let mut stmt = self
            .conn
            .prepare(&format!("PRAGMA table_info({})", quote(table)))
            .map_err(|e| self.err(&e))?;
        stmt.query_map([], |r| r.get::<_, String>(1))
            .and_then(Iterator::collect)
            .map_err(|e| self.err(&e))
    }

    /// Every row of `table` (none when it is missing), with each wanted
    /// column selected when it exists and NULL when it does not.
    fn select<T>(
        &self,
        db: &LegacyDatabase,
        table: &str,
        wanted: &[&str],
        map: impl Fn(&Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>, LegacyError> {
        let Some(cols) = db.tables.get(table) else {
            return Ok(Vec::new());
        };
        let has = |c: &str| cols.iter().any(|x| x.eq_ignore_ascii_case(c));
        let exprs: Vec<String> = wanted
            .iter()
            .map(|c| match (*c, has(c)) {
                (_, true) => quote(c),
                ("id", false) => "rowid".to_owned(),
                (_, false) => "NULL".to_owned(),
            })
            .collect();
        let order = if has("id") { "id" } else { "rowid" };
        let sql = format!(
            "SELECT {} FROM {} ORDER BY {order}",
            exprs.join(", "),
            quote(table)
        );
        let mut stmt = self.conn.prepare(&sql).map_err(|e| self.err(&e))?;
        stmt.query_map([], |r| map(r))
            .and_then(Iterator::collect)
            .map_err(|e| self.err(&e))
    }

    fn count(&self, db: &LegacyDatabase, table: &str) -> Result<u64, LegacyError> {
        if !db.has(table) {
            return Ok(0);
        }
        self.conn
            .query_row(&format!("SELECT count(*) FROM {}", quote(table)), [], |r| {
                r.get::<_, i64>(0)
            })
            .map(|n| n.max(0) as u64)
            .map_err(|e| self.err(&e))
    }
}

fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn classify(path: &Path, e: &rusqlite::Error) -> LegacyError {
    let path: PathBuf = path.to_owned();
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
            LegacyError::Locked {
                path,
                message: e.to_string(),
            }
        }
        _ => LegacyError::CorruptDatabase {
            path,
            message: e.to_string(),
        },
    }
}

fn text(r: &Row<'_>, i: usize) -> rusqlite::Result<Option<String>> {
    Ok(match r.get_ref(i)? {
        ValueRef::Null => None,
        ValueRef::Integer(v) => Some(v.to_string()),
        ValueRef::Real(v) => Some(v.to_string()),
        ValueRef::Text(t) | ValueRef::Blob(t) => Some(String::from_utf8_lossy(t).into_owned()),
    })
}

fn int(r: &Row<'_>, i: usize) -> rusqlite::Result<Option<i64>> {
    Ok(match r.get_ref(i)? {
        ValueRef::Integer(v) => Some(v),
        #[allow(clippy::cast_possible_truncation)] // only integral values in range
        ValueRef::Real(v) if v.fract() == 0.0 && v.abs() < 9.0e15 => Some(v as i64),
        ValueRef::Text(t) => std::str::from_utf8(t)
            .ok()
            .and_then(|s| s.trim().parse().ok()),
        _ => None,
    })
}

fn real(r: &Row<'_>, i: usize) -> rusqlite::Result<Option<f64>> {
    Ok(match r.get_ref(i)? {
        ValueRef::Integer(v) => Some(v as f64),
        ValueRef::Real(v) => Some(v),
        ValueRef::Text(t) => std::str::from_utf8(t)
            .ok()
            .and_then(|s| s.trim().parse().ok()),
        _ => None,
    })
}
