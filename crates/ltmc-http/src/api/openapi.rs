//! `GET /api/openapi.json`: the OpenAPI 3.1 document of everything under
//! `/api`, built from [`OPERATIONS`], the one written list of the API's
//! routes (the test `openapi.rs` calls every one of them, so the document
//! cannot drift from what the server does). The tool routes' request bodies
//! are each tool's input schema, from the registry.
//!
//! Not here: the routes themselves (`api/mod.rs`, `lib.rs`).

use crate::AppState;
use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse as _, Response};
use serde_json::{Map, Value, json};

/// One operation of the API.
pub struct Operation {
    pub method: &'static str,
    pub path: &'static str,
    pub summary: &'static str,
    /// `(name, JSON type, description)` of each query parameter.
    pub query: &'static [(&'static str, &'static str, &'static str)],
    /// What the JSON body holds, when the operation takes one.
    pub body: Option<&'static str>,
    /// The statuses it answers besides 200 (all errors are the error object).
    pub errors: &'static [u16],
}

const PAGE: [(&str, &str, &str); 2] = [
    ("offset", "integer", "Items to skip (default 0)."),
    ("limit", "integer", "Items per page, 1-500 (default 50)."),
];

/// Every route under `/api`, in the order the document lists them.
pub const OPERATIONS: &[Operation] = &[
    Operation {
        method: "get",
        path: "/api/openapi.json",
        summary: "This document.",
        query: &[],
        body: None,
        errors: &[],
    },
    Operation {
        method: "get",
        path: "/api/overview",
        summary: "Counts per kind, recent activity, store health, model and backend.",
        query: &[],
        body: None,
        errors: &[500],
    },
    Operation {
        method: "get",
        path: "/api/citations",
        summary: "How the citations to code stand: memories and fix patterns citing code, verified / moved / changed / missing counts, and the stale items (cited code changed or gone) with why.",
        query: &[],
        body: None,
        errors: &[500],
    },
    Operation {
        method: "get",
        path: "/api/search",
        summary: "Search memory; each hit has its score breakdown (similarity, keyword score).",
        query: &[
            ("q", "string", "The search text (required)."),
            ("mode", "string", "hybrid (default), vector or keyword."),
            ("top_k", "integer", "How many hits, 1-1000 (default 10)."),
            ("type", "string", "Only resources of this type."),
        ],
        body: None,
        errors: &[400, 500],
    },
    Operation {
        method: "get",
        path: "/api/resources",
        summary: "Stored resources, newest first, without their content (a preview instead); paginated.",
        query: &[
            PAGE[0],
            PAGE[1],
            ("type", "string", "Only resources of this type."),
        ],
        body: None,
        errors: &[400, 500],
    },
    Operation {
        method: "get",
        path: "/api/resources/{id}",
        summary: "One resource with its chunks.",
        query: &[],
        body: None,
        errors: &[400, 404],
    },
    Operation {
        method: "delete",
        path: "/api/resources/{id}",
        summary: "Delete a resource with its chunks and vectors.",
        query: &[],
        body: None,
        errors: &[400, 404],
    },
    Operation {
        method: "get",
        path: "/api/patterns",
        summary: "Fix patterns with their origin and mined source, paged by the store; reviewed=false is the review queue.",
        query: &[
            PAGE[0],
            PAGE[1],
            (
                "reviewed",
                "boolean",
                "Only reviewed (true) or unreviewed (false) patterns.",
            ),
            (
                "order",
                "string",
                "newest (default), confidence or source (mined, audit, manual).",
            ),
            (
                "origin",
                "string",
                "Only patterns of this origin: mined, audit or manual.",
            ),
        ],
        body: None,
        errors: &[400, 500],
    },
    Operation {
        method: "get",
        path: "/api/patterns/{id}",
        summary: "A pattern with its outcomes, related patterns, guardian rules and the nearest other patterns.",
        query: &[],
        body: None,
        errors: &[400, 404],
    },
    Operation {
        method: "post",
        path: "/api/patterns/{id}/review",
        summary: "Accept (reviewed: true) or send back (false) a pattern, with reviewer notes (review_pattern).",
        query: &[],
        body: Some("{\"reviewed\": boolean, \"reviewer_notes\": string}"),
        errors: &[400, 404],
    },
    Operation {
        method: "post",
        path: "/api/patterns/{id}/accept",
        summary: "Accept a pattern with edits, validated and re-embedded in one transaction (accept_pattern).",
        query: &[],
        body: Some(
            "{\"reviewer_notes\": string, \"title\": string, \"solution_steps\": string|array, \"layers\": integer|array, ...: the accept_pattern fields}",
        ),
        errors: &[400, 404],
    },
    Operation {
        method: "post",
        path: "/api/patterns/{id}/reject",
        summary: "Reject a pattern: deleted with its rules, a tombstone kept so mining never brings it back (reject_pattern).",
        query: &[],
        body: Some("{\"reason\": string}"),
        errors: &[400, 404],
    },
    Operation {
        method: "post",
        path: "/api/patterns/{id}/merge",
        summary: "Merge another pattern into this one, its history carried over (merge_patterns).",
        query: &[],
        body: Some("{\"from_pattern_id\": integer, \"reviewer_notes\": string}"),
        errors: &[400, 404],
    },
    Operation {
        method: "get",
        path: "/api/rules",
        summary: "Guardian rules by layer, then name, with their hit statistics; paginated.",
        query: &[
            PAGE[0],
            PAGE[1],
            (
                "active",
                "boolean",
                "Only active (true) or inactive (false) rules.",
            ),
        ],
        body: None,
        errors: &[400, 500],
    },
    Operation {
        method: "post",
        path: "/api/rules/{id}/active",
        summary: "Activate or deactivate a guardian rule (set_guardian_rule_active).",
        query: &[],
        body: Some("{\"active\": boolean, \"reason\": string}"),
        errors: &[400, 404],
    },
    Operation {
        method: "get",
        path: "/api/audits/progress",
        summary: "File audits counted by layer x workflow x status.",
        query: &[],
        body: None,
        errors: &[500],
    },
    Operation {
        method: "get",
        path: "/api/attempts/stats",
        summary: "Code attempts: pass rate overall and per week.",
        query: &[],
        body: None,
        errors: &[500],
    },
    Operation {
        method: "get",
        path: "/api/patterns-weekly",
        summary: "Pattern reuse and success per week, from the recorded outcomes.",
        query: &[],
        body: None,
        errors: &[500],
    },
    Operation {
        method: "get",
        path: "/api/tools",
        summary: "The tools this server exposes, with group, whether they write, and input schema.",
        query: &[],
        body: None,
        errors: &[],
    },
    Operation {
        method: "post",
        path: "/api/tools/{name}",
        summary: "Run a tool; the body is its arguments object (see each tool's input schema at /api/tools).",
        query: &[],
        body: Some("the tool's arguments"),
        errors: &[400, 404, 409, 500, 504],
    },
];

pub(crate) async fn document(State(state): State<AppState>) -> Response {
    Json(build(&state)).into_response()
}

fn build(state: &AppState) -> Value {
    let mut paths = Map::new();
    for op in OPERATIONS {
        let entry = paths
            .entry(op.path)
            .or_insert_with(|| Value::Object(Map::new()));
        entry[op.method] = operation(op);
    }
    let tools: Vec<Value> = state.tools.enabled().map(|e| json!(e.name)).collect();
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "ltmc REST API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "The dashboard's API: read models of memory and the fix-pattern knowledge base, \
                and every tool of the registry. JSON in and out. Off loopback every route needs \
                `Authorization: Bearer TOKEN`; requests from other web origins are refused.",
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["success", "error"],
                    "properties": {
                        "success": {"const": false},
                        "error": {"type": "string"},
                    },
                },
                "Page": {
                    "type": "object",
                    "required": ["items", "total", "offset", "limit"],
                    "properties": {
                        "items": {"type": "array"},
                        "total": {"type": "integer", "description": "Items in the whole list."},
                        "offset": {"type": "integer"},
                        "limit": {"type": "integer"},
                    },
                },
                "ToolName": {"enum": tools},
            },
        },
        "security": [{}, {"bearer": []}],
        "paths": paths,
    })
}

fn operation(op: &Operation) -> Value {
    let mut parameters: Vec<Value> = op
        .query
        .iter()
        .map(|(name, ty, description)| {
            json!({
                "name": name, "in": "query", "required": *name == "q",
                "description": description, "schema": {"type": ty},
            })
        })
        .collect();
    for segment in op.path.split('/') {
        if let Some(name) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            let schema = if name == "name" {
                json!({"$ref": "#/components/schemas/ToolName"})
            } else {
                json!({"type": "integer", "minimum": 1})
            };
            parameters
                .push(json!({"name": name, "in": "path", "required": true, "schema": schema}));
        }
    }
    let paginated = op.query.iter().any(|q| q.0 == "offset");
    let ok_schema = if paginated {
        json!({"$ref": "#/components/schemas/Page"})
    } else {
        json!({"type": "object"})
    };
    let mut responses = Map::new();
    responses.insert(
        "200".into(),
        json!({"description": "OK", "content": {"application/json": {"schema": ok_schema}}}),
    );
    let mut errors: Vec<u16> = op.errors.to_vec();
    errors.extend([401, 403]);
    for code in errors {
        responses.insert(
            code.to_string(),
            json!({"description": reason(code), "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}),
        );
    }
    let mut value = json!({
        "summary": op.summary,
        "operationId": operation_id(op),
        "parameters": parameters,
        "responses": responses,
    });
    if let Some(body) = op.body {
        value["requestBody"] = json!({
            "required": false,
            "description": body,
            "content": {"application/json": {"schema": {"type": "object"}}},
        });
    }
    value
}

fn operation_id(op: &Operation) -> String {
    let mut id = op.method.to_owned();
    for part in op.path.trim_start_matches("/api/").split(['/', '-', '.']) {
        let part = part.trim_matches(['{', '}']);
        let mut chars = part.chars();
        if let Some(first) = chars.next() {
            id.push(first.to_ascii_uppercase());
            id.extend(chars);
        }
    }
    id
}

fn reason(code: u16) -> &'static str {
    match code {
        400 => "Invalid argument",
        401 => "Missing or wrong bearer token",
        403 => "Refused: a request from another web origin, or for another host name",
        404 => "Unknown id or tool",
        409 => "Conflict",
        504 => "The call ran past its time limit",
        _ => "Internal error",
    }
}
