//! Auto-linking documents in the relationship graph by meaning.
//!
//! Every document is embedded once (all in one call); each pair whose cosine
//! similarity reaches the threshold gets one `related_to` edge from the
//! earlier document to the later one, whose properties carry the evidence:
//! the similarity, the distinctive terms both share and their Jaccard
//! overlap, and the method. Shared words alone never make a link (the
//! original linked on word overlap only); they explain one. Not here: JSON
//! argument handling (`tools/graph_tools.rs`).

use crate::text::{cosine, shared_terms, terms};
use crate::{Memory, ServiceError};
use ltmc_core::{NewEdge, Project};
use serde::Serialize;
use serde_json::json;
use std::collections::HashSet;

/// The relation auto-linking writes.
pub const AUTO_LINK_RELATION: &str = "related_to";
/// The default similarity a pair needs to be linked.
pub const DEFAULT_AUTO_LINK_THRESHOLD: f32 = 0.5;
/// The most documents one call links (pairs grow with the square).
pub const MAX_AUTO_LINK_DOCUMENTS: usize = 1000;
/// Shared terms kept as evidence per link.
const MAX_SHARED_TERMS: usize = 12;
/// The `method` property of auto-linked edges.
pub const AUTO_LINK_METHOD: &str = "embedding_cosine";

/// A document to link: its graph node name and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkDocument {
    pub id: String,
    pub title: Option<String>,
    pub content: String,
}

/// A pair found similar enough.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProposedLink {
    pub source_id: String,
    pub target_id: String,
    pub similarity: f32,
    /// Distinctive terms both documents use, alphabetical, at most a dozen.
    pub shared_terms: Vec<String>,
    /// Jaccard overlap of the two documents' distinctive terms.
    pub term_overlap: f32,
}

/// What auto-linking did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AutoLinkReport {
    pub documents_processed: usize,
    /// Edges that did not exist before.
    pub links_created: usize,
    /// Edges that existed and got fresh properties.
    pub links_updated: usize,
    pub links: Vec<ProposedLink>,
}

/// The text embedded for a document: its title, then its content.
fn link_text(document: &LinkDocument) -> String {
    match document.title.as_deref().map(str::trim) {
        Some(title) if !title.is_empty() => format!("{title}\n{}", document.content),
        _ => document.content.clone(),
    }
}

/// The pairs of `documents` (with their `vectors`, in the same order) whose
/// cosine similarity is at least `threshold`, most similar first.
pub fn propose_links(
    documents: &[LinkDocument],
    vectors: &[Vec<f32>],
    threshold: f32,
) -> Vec<ProposedLink> {
    let term_sets: Vec<_> = documents.iter().map(|d| terms(&link_text(d))).collect();
    let mut links = Vec::new();
    for i in 0..documents.len().min(vectors.len()) {
        for j in i + 1..documents.len().min(vectors.len()) {
            let similarity = cosine(&vectors[i], &vectors[j]);
            if similarity < threshold {
                continue;
            }
            let (mut shared, term_overlap) = shared_terms(&term_sets[i], &term_sets[j]);
            // Longer shared terms are the more distinctive ones.
            shared.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
            shared.truncate(MAX_SHARED_TERMS);
            shared.sort();
            links.push(ProposedLink {
                source_id: documents[i].id.clone(),
                target_id: documents[j].id.clone(),
                similarity,
                shared_terms: shared,
                term_overlap,
            });
        }
    }
    links.sort_by(|a, b| b.similarity.total_cmp(&a.similarity));
    links
}

/// Embeds the documents, links the similar pairs with [`AUTO_LINK_RELATION`]
/// edges (one transaction) and reports them.
pub async fn auto_link(
    memory: &Memory,
    project: &Project,
    documents: &[LinkDocument],
    threshold: f32,
) -> Result<AutoLinkReport, ServiceError> {
    if documents.is_empty() {
        return Err(ServiceError::invalid(
            "documents",
            "is empty; give at least two documents to link",
        ));
    }
    if documents.len() > MAX_AUTO_LINK_DOCUMENTS {
        return Err(ServiceError::invalid(
            "documents",
            format!(
                "has {} documents; link at most {MAX_AUTO_LINK_DOCUMENTS} per call",
                documents.len()
            ),
        ));
    }
    if !(-1.0..=1.0).contains(&threshold) {
        return Err(ServiceError::invalid(
            "threshold",
            format!("must be a cosine similarity between -1 and 1, got {threshold}"),
        ));
    }
    let mut seen = HashSet::new();
    for document in documents {
        if document.id.trim().is_empty() {
            return Err(ServiceError::invalid(
                "documents",
                "has a document with an empty id; every document needs an id to link",
            ));
        }
        if !seen.insert(document.id.as_str()) {
            return Err(ServiceError::invalid(
                "documents",
                format!(
                    "has the id {:?} twice; give each document its own id",
                    document.id
                ),
            ));
        }
        if document.content.trim().is_empty() {
            return Err(ServiceError::invalid(
                "documents",
                format!("document {:?} has no content", document.id),
            ));
        }
    }
    let vectors = memory
        .embed_owned(documents.iter().map(link_text).collect())
        .await?;
    let links = propose_links(documents, &vectors, threshold);
    let edges: Vec<NewEdge> = links
        .iter()
        .map(|link| NewEdge {
            source: link.source_id.clone(),
            target: link.target_id.clone(),
            relation: AUTO_LINK_RELATION.to_owned(),
            properties: json!({
                "similarity": link.similarity,
                "shared_terms": link.shared_terms,
                "term_overlap": link.term_overlap,
                "method": AUTO_LINK_METHOD,
            }),
        })
        .collect();
    let (mut created, mut updated) = (0, 0);
    if !edges.is_empty() {
        for (_, new) in memory.store().put_edges(project, edges).await? {
            if new {
                created += 1;
            } else {
                updated += 1;
            }
        }
    }
    Ok(AutoLinkReport {
        documents_processed: documents.len(),
        links_created: created,
        links_updated: updated,
        links,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(id: &str, content: &str) -> LinkDocument {
        LinkDocument {
            id: id.into(),
            title: None,
            content: content.into(),
        }
    }

    #[test]
    fn proposes_pairs_above_threshold_with_evidence() {
        let docs = [
            doc("a", "database connection pool"),
            doc("b", "connection pool sizing"),
            doc("c", "tomatoes"),
        ];
        let vectors = vec![vec![1.0, 0.0], vec![0.8, 0.6], vec![0.0, 1.0]];
        let links = propose_links(&docs, &vectors, 0.7);
        assert_eq!(links.len(), 1);
        assert_eq!(
            (links[0].source_id.as_str(), links[0].target_id.as_str()),
            ("a", "b")
        );
        assert!((links[0].similarity - 0.8).abs() < 1e-6);
        assert_eq!(links[0].shared_terms, ["connection", "pool"]);
        assert!((links[0].term_overlap - 0.5).abs() < 1e-6);
        // A lower threshold links the other pairs too, best first.
        let all = propose_links(&docs, &vectors, 0.0);
        assert_eq!(all.len(), 3);
        assert!(all[0].similarity >= all[1].similarity && all[1].similarity >= all[2].similarity);
    }
}
