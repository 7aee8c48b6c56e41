//! Newtype ids for stored records, so a chunk id can never be passed where a
//! resource id or a vector id is expected.
//!
//! Ids are `i64` because both SQLite and PostgreSQL hand out signed 64-bit
//! integers; these types do not allocate ids, the store does.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id_type!(
    /// A stored resource (a document, a file, a note).
    ResourceId
);
id_type!(
    /// One chunk of a resource.
    ChunkId
);
id_type!(
    /// The id of a chunk's vector in the vector index: allocated by the store in
    /// the same transaction as the chunk, unique, monotonic, never reused.
    VectorId
);
id_type!(
    /// A logged chat message.
    MessageId
);
id_type!(
    /// A todo.
    TodoId
);
id_type!(
    /// An edge of the relationship graph.
    EdgeId
);
id_type!(
    /// A logged code attempt.
    AttemptId
);
id_type!(
    /// A file audit (seed 000's `file_audit`): one file and its technical debt.
    AuditId
);
id_type!(
    /// A fix pattern (seed 000's `fix_patterns`).
    PatternId
);
id_type!(
    /// A relationship between two fix patterns.
    RelationshipId
);
id_type!(
    /// A guardian rule.
    RuleId
);
id_type!(
    /// One recorded application of a fix pattern to a file.
    ApplicationId
);
