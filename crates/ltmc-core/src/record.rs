//! The records a store keeps for documents: resources and their chunks, as
//! values passed to and returned from any backend.
//!
//! Not the storage itself: how these are laid out in SQLite or PostgreSQL is
//! each backend's business.

use crate::{ChunkId, Project, ResourceId, VectorId};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// A stored resource (document, code file, chat transcript, todo, ...).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Resource {
    pub id: ResourceId,
    pub project: Project,
    pub file_name: String,
    pub resource_type: String,
    /// Hex sha256 of the content; identical content in one project is stored once.
    pub content_hash: String,
    pub content: String,
    pub chunk_count: usize,
    /// UTC, RFC 3339.
    pub created_at: String,
    pub metadata: serde_json::Value,
}

/// A resource to store. Its chunks and their vectors travel beside it.
#[derive(Debug, Clone, PartialEq)]
pub struct NewResource {
    pub project: Project,
    pub file_name: String,
    pub resource_type: String,
    pub content: String,
    pub metadata: serde_json::Value,
}

/// A chunk to store: its text is `content[start..end]` of its resource.
#[derive(Debug, Clone, PartialEq)]
pub struct NewChunk {
    pub ordinal: usize,
    pub start: usize,
    pub end: usize,
    pub text: String,
    pub vector: Vec<f32>,
}

/// A stored chunk.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Chunk {
    pub id: ChunkId,
    pub resource_id: ResourceId,
    pub ordinal: usize,
    pub start: usize,
    pub end: usize,
    pub text: String,
    pub vector_id: VectorId,
}

/// What a store call did: the new resource, or the existing one with the same
/// content (`duplicate: true`), in which case nothing was written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PutOutcome {
    pub resource_id: ResourceId,
    pub chunk_count: usize,
    pub duplicate: bool,
}

/// A chunk found by a search, with its resource's name and type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoredChunk {
    pub chunk: Chunk,
    pub file_name: String,
    pub resource_type: String,
    /// Cosine similarity in [-1, 1] for vector search.
    pub score: f32,
}

/// Hex sha256 of a resource's content, the key of duplicate detection.
pub fn content_hash(content: &str) -> String {
    hex::encode(Sha256::digest(content.as_bytes()))
}

/// Optional text trimmed, and none when nothing is left: how every optional
/// name, note or description is stored.
pub fn present(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

/// The fixed-width form every stored time takes: UTC, RFC 3339, always three
/// digits of milliseconds (2025-01-31T09:15:02.120Z), so that times compare
/// correctly as text (a trimmed `.12Z` would sort after `.119Z`).
const STORED_TIME: &[time::format_description::FormatItem<'static>] = time::macros::format_description!(
    "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
);

/// The current time, UTC, in the stored fixed-width form.
pub fn now_rfc3339() -> String {
    let now = time::OffsetDateTime::now_utc();
    now.format(STORED_TIME)
        .unwrap_or_else(|_| now.unix_timestamp().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_is_sha256_hex() {
        assert_eq!(
            content_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn now_is_rfc3339_utc() {
        let now = now_rfc3339();
        assert!(now.ends_with('Z'), "{now}");
        // Fixed width: 2025-01-31T09:15:02.120Z, milliseconds never trimmed.
        assert_eq!(now.len(), 24, "{now}");
        assert_eq!(&now[19..20], ".", "{now}");
        assert!(
            time::OffsetDateTime::parse(&now, &time::format_description::well_known::Rfc3339)
                .is_ok()
        );
    }
}
