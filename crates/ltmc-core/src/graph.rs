//! The relationship graph: directed, labelled edges between named nodes
//! (documents by resource id, or any other name a caller chooses).
//!
//! Values only; how they are stored is each backend's business.

use crate::EdgeId;
use serde::{Deserialize, Serialize};

/// An edge to add. `(source, target, relation)` is unique per project: adding
/// it again replaces its properties.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEdge {
    pub source: String,
    pub target: String,
    pub relation: String,
    /// A JSON object (`{}` when none; `null` is read as `{}`), e.g.
    /// `{"similarity": 0.83}`.
    pub properties: serde_json::Value,
}

/// A stored edge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Edge {
    pub id: EdgeId,
    pub source: String,
    pub target: String,
    pub relation: String,
    pub properties: serde_json::Value,
    /// UTC, RFC 3339.
    pub created_at: String,
}
