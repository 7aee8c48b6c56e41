//! Searching whole documents rather than chunks: the best `k` resources of
//! one type for a query, each with the chunks that matched.
//!
//! A chunk search returns many chunks of one long document; asking for five
//! documents must give five documents when five exist. So the search goes
//! deeper than `k` chunks, groups the hits by resource, and deepens (×4, up
//! to `MAX_TOP_K`) until `k` resources are found or the type is exhausted.
//! The type filter is applied inside the search. Not here: JSON shaping.

use crate::{MAX_TOP_K, Memory, SearchHit, SearchMode, SearchRequest, ServiceError};
use ltmc_core::{Project, Resource, ResourceId};
use std::collections::HashMap;

/// A document found by [`search_documents`].
#[derive(Debug, Clone, PartialEq)]
pub struct DocumentHit {
    pub resource: Resource,
    /// Score of the best matching chunk (the search mode's score).
    pub score: f32,
    /// The document's matching chunks, best first.
    pub chunks: Vec<SearchHit>,
}

/// The first chunk depth tried, as a multiple of the documents asked for.
const DEPTH_FACTOR: usize = 4;
/// The first chunk depth tried, at least.
const MIN_DEPTH: usize = 20;

/// The `top_k` documents (resources) of `resource_type` that best answer
/// `query`, best first, ranked by their best chunk (hybrid search).
pub async fn search_documents(
    memory: &Memory,
    project: &Project,
    query: &str,
    resource_type: &str,
    top_k: usize,
) -> Result<Vec<DocumentHit>, ServiceError> {
    if resource_type.trim().is_empty() {
        return Err(ServiceError::invalid(
            "doc_type",
            "is empty; give a resource type such as \"document\" or \"code\"",
        ));
    }
    if top_k == 0 || top_k > MAX_TOP_K {
        return Err(ServiceError::invalid(
            "top_k",
            format!("must be between 1 and {MAX_TOP_K}, got {top_k}"),
        ));
    }
    let mut depth = (top_k * DEPTH_FACTOR).clamp(MIN_DEPTH, MAX_TOP_K);
    let groups = loop {
        let hits = memory
            .search(SearchRequest {
                project: project.clone(),
                query: query.to_owned(),
                top_k: depth,
                resource_type: Some(resource_type.to_owned()),
                mode: SearchMode::Hybrid,
            })
            .await?;
        let exhausted = hits.len() < depth || depth == MAX_TOP_K;
        let groups = group_by_resource(hits);
        if groups.len() >= top_k || exhausted {
            break groups;
        }
        depth = (depth * DEPTH_FACTOR).min(MAX_TOP_K);
    };
    let mut documents = Vec::with_capacity(top_k.min(groups.len()));
    for (resource_id, chunks) in groups.into_iter().take(top_k) {
        let resource = memory.store().get_resource(project, resource_id).await?;
        documents.push(DocumentHit {
            resource,
            score: chunks.first().map_or(0.0, |c| c.score),
            chunks,
        });
    }
    Ok(documents)
}

/// Hits grouped by resource, in the order of each resource's best hit.
fn group_by_resource(hits: Vec<SearchHit>) -> Vec<(ResourceId, Vec<SearchHit>)> {
    let mut position: HashMap<ResourceId, usize> = HashMap::new();
    let mut groups: Vec<(ResourceId, Vec<SearchHit>)> = Vec::new();
    for hit in hits {
        let id = hit.chunk.resource_id;
        if let Some(&i) = position.get(&id) {
            groups[i].1.push(hit);
        } else {
            position.insert(id, groups.len());
            groups.push((id, vec![hit]));
        }
    }
    groups
}
