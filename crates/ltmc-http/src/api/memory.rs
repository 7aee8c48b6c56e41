//! The Memory page's API: `GET /api/search` (hybrid, vector or keyword
//! search with each hit's score breakdown), `GET /api/resources` (browse,
//! paginated, by type), `GET /api/resources/{id}` (a resource with its
//! chunks) and `DELETE /api/resources/{id}`.
//!
//! Not here: ranking itself (ltmc-service's search) or storing (the
//! `store_memory` tool at `/api/tools`).

use super::{Params, bad_request, id_of, ok, page_of, store_error};
use crate::AppState;
use crate::routes::error_response;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use ltmc_core::{CODE_ATTEMPT_TYPE, Chunk, Resource, ResourceId};
use ltmc_service::{MAX_TOP_K, SearchHit, SearchMode, SearchRequest, ServiceError};
use ltmc_store::ResourceFilter;
use serde::Serialize;

/// How long a resource's preview in a list is, in characters.
const PREVIEW_CHARS: usize = 240;

#[derive(Serialize)]
struct SearchAnswer {
    query: String,
    mode: &'static str,
    hits: Vec<SearchHit>,
}

/// `GET /api/search?q=&mode=hybrid|vector|keyword&top_k=10&type=`.
pub(crate) async fn search(State(state): State<AppState>, uri: Uri) -> Response {
    let params = Params::of(&uri);
    let Some(query) = params.text("q") else {
        return bad_request("give the search text as ?q=");
    };
    let mode_text = params.text("mode").unwrap_or("hybrid");
    let mode: SearchMode = match mode_text.parse() {
        Ok(m) => m,
        Err(e) => return bad_request(&e),
    };
    let top_k = match params.number("top_k") {
        Ok(k) => k.unwrap_or(10),
        Err(r) => return *r,
    };
    if !(1..=MAX_TOP_K).contains(&top_k) {
        return bad_request(&format!("top_k must be between 1 and {MAX_TOP_K}"));
    }
    let request = SearchRequest {
        project: state.tools.project().clone(),
        query: query.to_owned(),
        top_k,
        resource_type: params.text("type").map(str::to_owned),
        mode,
    };
    match state.tools.memory().search(request).await {
        Ok(hits) => ok(&SearchAnswer {
            query: query.to_owned(),
            mode: match mode {
                SearchMode::Vector => "vector",
                SearchMode::Keyword => "keyword",
                SearchMode::Hybrid => "hybrid",
            },
            hits,
        }),
        Err(e) => service_error(&e),
    }
}

pub(crate) fn service_error(e: &ServiceError) -> Response {
    match e {
        ServiceError::Invalid { .. } => bad_request(&e.to_string()),
        ServiceError::Store(s) => store_error(s),
        other => {
            tracing::error!(error = %other, "a dashboard call failed");
            error_response(StatusCode::INTERNAL_SERVER_ERROR, &other.to_string())
        }
    }
}

/// A resource as a list shows it: no content, a preview.
#[derive(Serialize)]
struct Listed {
    id: ResourceId,
    file_name: String,
    resource_type: String,
    chunk_count: usize,
    created_at: String,
    /// The content's length in bytes.
    size: usize,
    preview: String,
}

/// `GET /api/resources?type=&offset=&limit=`: newest first. Code attempts
/// have their own page and are left out unless asked for by type.
pub(crate) async fn list(State(state): State<AppState>, uri: Uri) -> Response {
    let params = Params::of(&uri);
    let page = match params.page() {
        Ok(p) => p,
        Err(r) => return *r,
    };
    let filter = ResourceFilter {
        resource_type: params.text("type").map(str::to_owned),
        limit: None,
    };
    let store = state.tools.memory().store();
    let all = match store.list_resources(state.tools.project(), &filter).await {
        Ok(all) => all,
        Err(e) => return store_error(&e),
    };
    let listed: Vec<Listed> = all
        .into_iter()
        .filter(|r| filter.resource_type.is_some() || r.resource_type != CODE_ATTEMPT_TYPE)
        .map(|r| Listed {
            size: r.content.len(),
            preview: r.content.chars().take(PREVIEW_CHARS).collect(),
            id: r.id,
            file_name: r.file_name,
            resource_type: r.resource_type,
            chunk_count: r.chunk_count,
            created_at: r.created_at,
        })
        .collect();
    ok(&page_of(listed, page))
}

#[derive(Serialize)]
struct Detail {
    resource: Resource,
    chunks: Vec<Chunk>,
}

/// `GET /api/resources/{id}`.
pub(crate) async fn get(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    let id = match id_of(&id, "resource") {
        Ok(id) => ResourceId(id),
        Err(r) => return *r,
    };
    let store = state.tools.memory().store();
    let project = state.tools.project();
    let resource = match store.get_resource(project, id).await {
        Ok(r) => r,
        Err(e) => return store_error(&e),
    };
    match store.chunks_of(project, id).await {
        Ok(chunks) => ok(&Detail { resource, chunks }),
        Err(e) => store_error(&e),
    }
}

/// `DELETE /api/resources/{id}`: the resource, its chunks and vectors.
pub(crate) async fn delete(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    let id = match id_of(&id, "resource") {
        Ok(id) => ResourceId(id),
        Err(r) => return *r,
    };
    match state.tools.memory().delete(state.tools.project(), id).await {
        Ok(chunks) => {
            tracing::info!(
                resource = id.0,
                chunks,
                "resource deleted from the dashboard"
            );
            ok(&serde_json::json!({
                "success": true,
                "resource_id": id,
                "chunks_deleted": chunks,
            }))
        }
        Err(e) => service_error(&e),
    }
}
