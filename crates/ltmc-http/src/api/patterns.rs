//! The fix-pattern pages' API: `GET /api/patterns` (the review queue with
//! `?reviewed=false`, paginated), `GET /api/patterns/{id}` (the pattern
//! with outcomes, related patterns, its guardian rules and the nearest
//! existing patterns), `POST /api/patterns/{id}/review`, `GET /api/rules`
//! and `POST /api/rules/{id}/active`.
//!
//! The detail and the writes are the registry's tools (`get_pattern`,
//! `find_similar_patterns`, `review_pattern`, `set_guardian_rule_active`),
//! so they answer and refuse exactly as over MCP. Not here: the per-week
//! series (`series.rs`).

use super::{Params, id_of, object_body, ok, page_of, store_error, tool_response, tool_status};
use crate::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse as _, Response};
use ltmc_core::fix::{PatternFilter, RuleFilter};
use serde_json::{Value, json};

/// How many nearest patterns the detail shows.
const NEAREST: usize = 5;

/// `GET /api/patterns?reviewed=&offset=&limit=`: newest first; the review
/// queue is `reviewed=false`.
pub(crate) async fn list(State(state): State<AppState>, uri: Uri) -> Response {
    let params = Params::of(&uri);
    let (page, reviewed) = match (params.page(), params.flag("reviewed")) {
        (Ok(p), Ok(r)) => (p, r),
        (Err(e), _) | (_, Err(e)) => return *e,
    };
    let filter = PatternFilter {
        reviewed,
        ..PatternFilter::default()
    };
    let store = state.tools.memory().store();
    match store.list_patterns(state.tools.project(), &filter).await {
        Ok(all) => ok(&page_of(all, page)),
        Err(e) => store_error(&e),
    }
}

/// `GET /api/patterns/{id}`: `get_pattern`'s answer plus `nearest`, the
/// most similar other patterns (reviewed or not), for deciding a draft.
pub(crate) async fn get(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    let id = match id_of(&id, "pattern") {
        Ok(id) => id,
        Err(r) => return *r,
    };
    let detail = state
        .tools
        .call("get_pattern", json!({"pattern_id": id}))
        .await;
    if detail.is_error {
        return tool_response(detail);
    }
    let mut value = detail.value;
    let pattern = &value["pattern"];
    let text = format!(
        "{}\n{}",
        pattern["title"].as_str().unwrap_or_default(),
        pattern["problem_description"].as_str().unwrap_or_default()
    );
    let similar = state
        .tools
        .call(
            "find_similar_patterns",
            json!({
                "text": text,
                "include_unreviewed": true,
                "similarity_threshold": 0.0,
                "min_confidence": 0.0,
                "limit": NEAREST + 1,
            }),
        )
        .await;
    let nearest: Vec<Value> = if similar.is_error {
        tracing::warn!(error = %similar.value["error"], "nearest patterns unavailable");
        Vec::new()
    } else {
        similar.value["patterns"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|p| p["pattern_id"] != json!(id))
            .take(NEAREST)
            .cloned()
            .collect()
    };
    value["nearest"] = Value::Array(nearest);
    ok(&value)
}

/// `POST /api/patterns/{id}/review` with `{"reviewed": true|false,
/// "reviewer_notes": "..."}`: the `review_pattern` tool.
pub(crate) async fn review(
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let (id, mut args) = match (id_of(&id, "pattern"), object_body(&body)) {
        (Ok(id), Ok(args)) => (id, args),
        (Err(e), _) | (_, Err(e)) => return *e,
    };
    args.insert("pattern_id".into(), json!(id));
    tool_response(
        state
            .tools
            .call("review_pattern", Value::Object(args))
            .await,
    )
}

/// `GET /api/rules?active=&offset=&limit=`: by layer, then name.
pub(crate) async fn rules(State(state): State<AppState>, uri: Uri) -> Response {
    let params = Params::of(&uri);
    let (page, active) = match (params.page(), params.flag("active")) {
        (Ok(p), Ok(a)) => (p, a),
        (Err(e), _) | (_, Err(e)) => return *e,
    };
    let filter = RuleFilter {
        active,
        ..RuleFilter::default()
    };
    let store = state.tools.memory().store();
    match store.list_rules(state.tools.project(), &filter).await {
        Ok(all) => ok(&page_of(all, page)),
        Err(e) => store_error(&e),
    }
}

/// `POST /api/rules/{id}/active` with `{"active": bool, "reason": "..."}`:
/// the `set_guardian_rule_active` tool.
pub(crate) async fn set_rule_active(
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let (id, mut args) = match (id_of(&id, "rule"), object_body(&body)) {
        (Ok(id), Ok(args)) => (id, args),
        (Err(e), _) | (_, Err(e)) => return *e,
    };
    args.insert("rule_id".into(), json!(id));
    let outcome = state
        .tools
        .call("set_guardian_rule_active", Value::Object(args))
        .await;
    let status = tool_status(&outcome);
    if status == StatusCode::OK {
        tracing::info!(rule = id, active = %outcome.value["active"], "guardian rule changed from the dashboard");
    }
    (status, Json(outcome.value)).into_response()
}
