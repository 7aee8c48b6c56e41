//! The fix-pattern pages' API: `GET /api/patterns` (the review queue with
//! `?reviewed=false`, paged by the store, in an order, by origin), `GET
//! /api/patterns/{id}` (the pattern with outcomes, related patterns, its
//! guardian rules and the nearest existing patterns), the review writes
//! (`POST /api/patterns/{id}/review`, `/accept` with edits, `/reject`,
//! `/merge`), `GET /api/rules` and `POST /api/rules/{id}/active`.
//!
//! The detail and the writes are the registry's tools (`get_pattern`,
//! `find_similar_patterns`, `review_pattern`, `accept_pattern`,
//! `reject_pattern`, `merge_patterns`, `set_guardian_rule_active`), so they
//! answer and refuse exactly as over MCP. Not here: the per-week series
//! (`series.rs`).

use super::{
    Params, bad_request, id_of, object_body, ok, page_of, store_error, tool_response, tool_status,
};
use crate::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse as _, Response};
use ltmc_core::fix::RuleFilter;
use ltmc_store::{PatternOrigin, QueueOrder, QueueQuery};
use serde_json::{Value, json};

/// How many nearest patterns the detail shows.
const NEAREST: usize = 5;

/// `GET /api/patterns?reviewed=&order=&origin=&offset=&limit=`: a page read
/// by the store (`ReviewStore::review_queue`), each pattern with its
/// `origin` and mined `source`; the review queue is `reviewed=false`.
pub(crate) async fn list(State(state): State<AppState>, uri: Uri) -> Response {
    let params = Params::of(&uri);
    let ((offset, limit), reviewed) = match (params.page(), params.flag("reviewed")) {
        (Ok(p), Ok(r)) => (p, r),
        (Err(e), _) | (_, Err(e)) => return *e,
    };
    let order = match params.text("order").map(|o| QueueOrder::parse("order", o)) {
        None => QueueOrder::Newest,
        Some(Ok(o)) => o,
        Some(Err(e)) => return bad_request(&e.to_string()),
    };
    let origin = match params
        .text("origin")
        .map(|o| PatternOrigin::parse("origin", o))
    {
        None => None,
        Some(Ok(o)) => Some(o),
        Some(Err(e)) => return bad_request(&e.to_string()),
    };
    let query = QueueQuery {
        reviewed,
        origin,
        order,
        offset,
        limit,
    };
    let store = state.tools.memory().store();
    match store.review_queue(state.tools.project(), &query).await {
        Ok(page) => {
            let items: Vec<Value> = page
                .items
                .into_iter()
                .map(|q| {
                    let mut v = json!(q.pattern);
                    v["origin"] = json!(q.origin.as_str());
                    v["source"] = q.source.map_or(Value::Null, |s| {
                        json!({"repo_id": s.repo_id, "fold_key": s.fold_key, "commits": s.commits})
                    });
                    v
                })
                .collect();
            ok(
                &json!({"items": items, "total": page.total, "offset": offset,
                       "limit": limit, "order": order.as_str()}),
            )
        }
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

/// `POST /api/patterns/{id}/accept` with the `accept_pattern` edits and
/// `reviewer_notes`: accepted (edited, re-embedded) in one transaction.
pub(crate) async fn accept(
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    with_pattern(&state, &id, &body, "accept_pattern", "pattern_id").await
}

/// `POST /api/patterns/{id}/reject` with `{"reason": "..."}`: deleted, with
/// a tombstone (`reject_pattern`).
pub(crate) async fn reject(
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    with_pattern(&state, &id, &body, "reject_pattern", "pattern_id").await
}

/// `POST /api/patterns/{id}/merge` with `{"from_pattern_id": N,
/// "reviewer_notes": "..."}`: N merged into this pattern (`merge_patterns`).
pub(crate) async fn merge(
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    with_pattern(&state, &id, &body, "merge_patterns", "into_pattern_id").await
}

/// The body's object with the path's pattern id as `field`, given to `tool`.
async fn with_pattern(
    state: &AppState,
    id: &str,
    body: &[u8],
    tool: &str,
    field: &str,
) -> Response {
    let (id, mut args) = match (id_of(id, "pattern"), object_body(body)) {
        (Ok(id), Ok(args)) => (id, args),
        (Err(e), _) | (_, Err(e)) => return *e,
    };
    args.insert(field.into(), json!(id));
    let outcome = state.tools.call(tool, Value::Object(args)).await;
    if outcome.error_kind.is_none() {
        tracing::info!(
            pattern = id,
            tool,
            "review queue changed from the dashboard"
        );
    }
    tool_response(outcome)
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
