//! The `auto_link_documents` tool (ltmc group): its arguments, description and run.
//!
//! Not here: the use cases it calls (ltmc-service) or the JSON boundary (`crate::registry`).

use crate::args::describe;
use crate::error::ToolError;
use crate::shared::graph::stored_content;
use crate::shared::memory::name_field;
use crate::{Tool, ToolGroup, Tools};
use ltmc_service::linking::{
    AUTO_LINK_METHOD, AUTO_LINK_RELATION, LinkDocument, ProposedLink, auto_link,
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// 18. `auto_link_documents`
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
pub struct AutoLinkArgs {
    /// Documents to link: objects with "id" and "content" (or "text"), optional "title". A document given only by the id of a stored resource is read from memory.
    pub documents: Vec<Map<String, Value>>,
    /// Cosine similarity a pair needs to be linked.
    #[serde(default = "crate::args::defaults::half")]
    #[schemars(range(min = -1.0, max = 1.0))]
    pub threshold: f64,
}

/// What auto-linking found and stored.
#[derive(Debug, Clone, Serialize)]
pub struct AutoLinkDocumentsOutput {
    /// Edges that did not exist before.
    pub links_created: usize,
    /// Edges that existed and got fresh properties.
    pub links_updated: usize,
    pub documents_processed: usize,
    /// The relation of the edges made.
    pub relationship_type: &'static str,
    pub method: &'static str,
    pub threshold: f64,
    /// The pairs found similar enough.
    pub links: Vec<ProposedLink>,
}

/// `auto_link_documents`.
pub struct AutoLinkDocuments;

impl Tool for AutoLinkDocuments {
    const NAME: &'static str = "auto_link_documents";
    const DESCRIPTION: &'static str = "Link documents whose meanings are similar (cosine similarity of their embeddings ≥ threshold) with \"related_to\" relationships; each link records its similarity and the distinctive terms both share. Returns links_created, documents_processed, links.";
    const GROUP: ToolGroup = ToolGroup::Ltmc;
    const WRITES: bool = true;
    type Args = AutoLinkArgs;
    type Output = AutoLinkDocumentsOutput;

    async fn run(tools: &Tools, a: Self::Args) -> Result<AutoLinkDocumentsOutput, ToolError> {
        let mut documents = Vec::with_capacity(a.documents.len());
        for (i, doc) in a.documents.iter().enumerate() {
            let Some(id) = name_field(doc, "id") else {
                return Err(ToolError::new(format!(
                    "documents[{i}] needs an \"id\" (the graph node to link), got {}",
                    describe(&Value::Object(doc.clone()))
                )));
            };
            let given = ["content", "text"]
                .iter()
                .find_map(|k| doc.get(*k).and_then(Value::as_str))
                .filter(|c| !c.trim().is_empty());
            let content = match given {
                Some(c) => c.to_owned(),
                None => stored_content(tools, i, &id).await?,
            };
            documents.push(LinkDocument {
                id,
                title: name_field(doc, "title"),
                content,
            });
        }
        // The schema bounds it to [-1, 1], where f32 is precise enough.
        #[allow(clippy::cast_possible_truncation)]
        let threshold = a.threshold as f32;
        let report = auto_link(&tools.memory, &tools.project, &documents, threshold).await?;
        Ok(AutoLinkDocumentsOutput {
            links_created: report.links_created,
            links_updated: report.links_updated,
            documents_processed: report.documents_processed,
            relationship_type: AUTO_LINK_RELATION,
            method: AUTO_LINK_METHOD,
            threshold: a.threshold,
            links: report.links,
        })
    }
}
