//! The dashboard's REST API under `/api`: the read models its pages need
//! (overview, the citation survey, search with score breakdown, resources with their chunks,
//! the review queue, pattern detail, guardian rules, audit progress, weekly
//! series for the charts) and the writes it makes (delete a resource;
//! review, accept with edits, reject or merge a pattern; activate or
//! deactivate a rule), plus the OpenAPI
//! document of all of `/api` (`openapi.rs`, the one list of routes).
//!
//! Lists are paginated: `?offset=&limit=` (limit 1..=[`MAX_LIMIT`], default
//! [`DEFAULT_LIMIT`]) answer `{"items", "total", "offset", "limit"}`.
//! Errors are `{"success": false, "error"}` with a 4xx/5xx status, as at
//! `/api/tools`. Writes go through the tool registry (the same checks and
//! answers as MCP); reads may read the store directly.
//! Not here: the generic tool adapter (`rest.rs`), the guard (`guard.rs`),
//! the page itself (`dashboard.rs`).

mod citations;
mod memory;
pub(crate) mod openapi;
mod overview;
mod patterns;
mod series;

use crate::AppState;
use crate::routes::error_response;
use axum::Json;
use axum::Router;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse as _, Response};
use axum::routing::{get, post};
use ltmc_store::StoreError;
use ltmc_tools::{ToolErrorKind, ToolOutcome};
use serde::Serialize;
use serde_json::Value;
use std::collections::HashMap;

/// Items per page when `limit` is not given.
pub const DEFAULT_LIMIT: usize = 50;
/// The most items one page may hold.
pub const MAX_LIMIT: usize = 500;

/// The routes of the read models and dashboard writes (all behind the guard).
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/openapi.json", get(openapi::document))
        .route("/api/overview", get(overview::overview))
        .route("/api/citations", get(citations::citations))
        .route("/api/search", get(memory::search))
        .route("/api/resources", get(memory::list))
        .route(
            "/api/resources/{id}",
            get(memory::get).delete(memory::delete),
        )
        .route("/api/patterns", get(patterns::list))
        .route("/api/patterns/{id}", get(patterns::get))
        .route("/api/patterns/{id}/review", post(patterns::review))
        .route("/api/patterns/{id}/accept", post(patterns::accept))
        .route("/api/patterns/{id}/reject", post(patterns::reject))
        .route("/api/patterns/{id}/merge", post(patterns::merge))
        .route("/api/rules", get(patterns::rules))
        .route("/api/rules/{id}/active", post(patterns::set_rule_active))
        .route("/api/audits/progress", get(series::audit_progress))
        .route("/api/attempts/stats", get(series::attempt_stats))
        .route("/api/patterns-weekly", get(series::pattern_weeks))
}

/// A refused request's answer, boxed (a `Response` is large to return by value).
pub(crate) type Refusal = Box<Response>;

/// A query string's parameters (the last value of a repeated name wins).
pub(crate) struct Params(HashMap<String, String>);

impl Params {
    pub(crate) fn of(uri: &Uri) -> Self {
        Self(
            uri.query()
                .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
                .unwrap_or_default(),
        )
    }

    /// The parameter, trimmed; empty counts as absent.
    pub(crate) fn text(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(|v| v.trim()).filter(|v| !v.is_empty())
    }

    pub(crate) fn number(&self, name: &str) -> Result<Option<usize>, Refusal> {
        self.text(name)
            .map(|v| {
                v.parse::<usize>().map_err(|_| {
                    Box::new(bad_request(&format!(
                        "{name} must be a whole number of 0 or more, got {v:?}"
                    )))
                })
            })
            .transpose()
    }

    pub(crate) fn flag(&self, name: &str) -> Result<Option<bool>, Refusal> {
        self.text(name)
            .map(|v| match v {
                "true" | "1" | "yes" => Ok(true),
                "false" | "0" | "no" => Ok(false),
                other => Err(Box::new(bad_request(&format!(
                    "{name} must be true or false, got {other:?}"
                )))),
            })
            .transpose()
    }

    /// `offset` and `limit`, checked.
    pub(crate) fn page(&self) -> Result<(usize, usize), Refusal> {
        let offset = self.number("offset")?.unwrap_or(0);
        let limit = self.number("limit")?.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(Box::new(bad_request(&format!(
                "limit must be between 1 and {MAX_LIMIT}, got {limit}"
            ))));
        }
        Ok((offset, limit))
    }
}

/// One page of a list.
#[derive(Debug, Serialize)]
pub(crate) struct Page<T> {
    pub items: Vec<T>,
    /// How many items the whole list holds.
    pub total: usize,
    pub offset: usize,
    pub limit: usize,
}

/// The page `offset..offset+limit` of `all`.
pub(crate) fn page_of<T>(all: Vec<T>, (offset, limit): (usize, usize)) -> Page<T> {
    let total = all.len();
    let items = all.into_iter().skip(offset).take(limit).collect();
    Page {
        items,
        total,
        offset,
        limit,
    }
}

pub(crate) fn ok<T: Serialize>(value: &T) -> Response {
    Json(value).into_response()
}

pub(crate) fn bad_request(message: &str) -> Response {
    error_response(StatusCode::BAD_REQUEST, message)
}

/// A path id: a positive whole number.
pub(crate) fn id_of(text: &str, what: &str) -> Result<i64, Refusal> {
    text.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| {
            Box::new(bad_request(&format!(
                "{what} ids are positive whole numbers, got {text:?}"
            )))
        })
}

/// A store failure as an answer: unknown ids 404, refused input 400,
/// conflicts 409, the rest 500.
pub(crate) fn store_error(e: &StoreError) -> Response {
    let status = match e {
        StoreError::NotFound { .. } => StatusCode::NOT_FOUND,
        StoreError::Invalid(_) | StoreError::WrongDimension { .. } => StatusCode::BAD_REQUEST,
        StoreError::Conflict(_) => StatusCode::CONFLICT,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    };
    if status == StatusCode::INTERNAL_SERVER_ERROR {
        tracing::error!(error = %e, "a dashboard read failed");
    }
    error_response(status, &e.to_string())
}

/// The HTTP status of a tool's answer (as at `/api/tools/{name}`).
pub(crate) fn tool_status(outcome: &ToolOutcome) -> StatusCode {
    match outcome.error_kind {
        None => StatusCode::OK,
        Some(ToolErrorKind::InvalidArgument) => StatusCode::BAD_REQUEST,
        Some(ToolErrorKind::NotFound) => StatusCode::NOT_FOUND,
        Some(ToolErrorKind::Conflict) => StatusCode::CONFLICT,
        Some(ToolErrorKind::Internal) => StatusCode::INTERNAL_SERVER_ERROR,
        Some(ToolErrorKind::TimedOut) => StatusCode::GATEWAY_TIMEOUT,
    }
}

/// A tool's answer as a response.
pub(crate) fn tool_response(outcome: ToolOutcome) -> Response {
    (tool_status(&outcome), Json(outcome.value)).into_response()
}

/// A JSON object body (empty: `{}`), or a 400.
pub(crate) fn object_body(body: &[u8]) -> Result<serde_json::Map<String, Value>, Refusal> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(serde_json::Map::new());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(Box::new(bad_request("the body must be a JSON object"))),
        Err(e) => Err(Box::new(bad_request(&format!("the body is not JSON: {e}")))),
    }
}
