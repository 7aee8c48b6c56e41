//! The rows of an original LTMC database as plain values: one struct per
//! table the migration imports. Optional fields are columns some versions
//! lack (or NULL). Not ltmc's records: the migration maps these onto those.

/// `Resources`: a stored document (its text lives in its chunks).
#[derive(Debug, Clone, PartialEq)]
pub struct LegacyResource {
    pub id: i64,
    pub file_name: Option<String>,
    pub resource_type: Option<String>,
    pub created_at: Option<String>,
    /// Later versions only.
    pub archived: Option<bool>,
}

/// `ResourceChunks`: a piece of a resource's text, with the vector id the
/// old code gave it (not to be trusted: may collide or point nowhere).
#[derive(Debug, Clone, PartialEq)]
pub struct LegacyChunk {
    pub id: i64,
    pub resource_id: Option<i64>,
    pub text: String,
    pub vector_id: Option<i64>,
}

/// `ChatHistory`.
#[derive(Debug, Clone, PartialEq)]
pub struct LegacyMessage {
    pub id: i64,
    pub conversation_id: String,
    pub role: String,
    pub content: String,
    pub timestamp: Option<String>,
    pub agent_name: Option<String>,
    /// JSON text, in later versions.
    pub metadata: Option<String>,
    pub source_tool: Option<String>,
}

/// `ContextLinks`: a message used a chunk.
#[derive(Debug, Clone, PartialEq)]
pub struct LegacyLink {
    pub id: i64,
    pub message_id: Option<i64>,
    pub chunk_id: Option<i64>,
}

/// `Summaries`.
#[derive(Debug, Clone, PartialEq)]
pub struct LegacySummary {
    pub id: i64,
    pub resource_id: Option<i64>,
    pub doc_id: Option<String>,
    pub summary_text: String,
    pub model_name: Option<String>,
    pub created_at: Option<String>,
}

/// `CodePatterns` (the seed's schema): one code-generation attempt.
#[derive(Debug, Clone, PartialEq)]
pub struct LegacyPattern {
    pub id: i64,
    pub function_name: Option<String>,
    pub file_name: Option<String>,
    pub module_name: Option<String>,
    pub input_prompt: String,
    pub generated_code: String,
    /// `pass`, `fail` or `partial`.
    pub result: Option<String>,
    pub execution_time_ms: Option<i64>,
    pub error_message: Option<String>,
    /// A JSON array of strings, or comma-separated in odd rows.
    pub tags: Option<String>,
    pub created_at: Option<String>,
    pub vector_id: Option<i64>,
}

/// `CodePatternContext`: a pattern related to something.
#[derive(Debug, Clone, PartialEq)]
pub struct LegacyPatternContext {
    pub id: i64,
    pub pattern_id: Option<i64>,
    pub context_type: Option<String>,
    pub context_id: Option<i64>,
    pub similarity_score: Option<f64>,
}

/// `Todos`: either version (a `status` text, or `completed` + `completed_at`).
#[derive(Debug, Clone, PartialEq)]
pub struct LegacyTodo {
    pub id: i64,
    pub title: String,
    pub description: Option<String>,
    pub priority: Option<String>,
    pub completed: bool,
    pub status: Option<String>,
    pub created_at: Option<String>,
    pub completed_at: Option<String>,
}
