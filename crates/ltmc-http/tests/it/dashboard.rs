//! The dashboard's API under `/api` and its page at `/`: every route of
//! the OpenAPI document answers as documented, lists paginate with totals,
//! search shows its score breakdown, the writes go through the tools, and
//! the security rules hold (token, cross-site requests refused, the page's
//! own origin accepted, no CORS, strict CSP on the page).
//!
//! The page's behaviour in a browser is the Playwright test's
//! (`tests/browser/`, run by `scripts/test`).

use super::{Fixture, fixture, from_origin, get, post, send, with_token};
use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use ltmc_http::HttpConfig;
use serde_json::{Value, json};

fn router(f: &Fixture) -> Router {
    ltmc_http::router(&f.tools, &HttpConfig::local()).0
}

/// Calls a tool, expecting success.
async fn tool(f: &Fixture, name: &str, args: Value) -> Value {
    let out = f.tools.call(name, args).await;
    assert!(!out.is_error, "{name}: {}", out.value);
    out.value
}

/// A store with documents, a reviewed and a draft pattern (the draft with a
/// guardian rule), an audit, an outcome and a code attempt. Answers (resource
/// id, draft id, rule id).
async fn seeded(f: &Fixture) -> (i64, i64, i64) {
    let mut resource = 0;
    for i in 0..5 {
        let stored = tool(
            f,
            "store_memory",
            json!({"file_name": format!("note-{i}.md"), "content": format!("Note {i} about topic {i}: plain words."), "resource_type": "document"}),
        )
        .await;
        resource = stored["resource_id"].as_i64().unwrap();
    }
    tool(
        f,
        "store_memory",
        json!({"file_name": "zebra.md", "content": "The zebra migration runbook: move the herd at dawn.", "resource_type": "runbook"}),
    )
    .await;
    let reviewed = tool(
        f,
        "extract_pattern",
        json!({"title": "Parameterise SQL", "problem_description": "SQL built by string concatenation", "solution_steps": ["use bind parameters"], "problem_type": "Security", "layers": 4}),
    )
    .await;
    let reviewed_id = reviewed["pattern_id"].as_i64().unwrap();
    tool(f, "review_pattern", json!({"pattern_id": reviewed_id})).await;
    let audit = tool(
        f,
        "upsert_file_audit",
        json!({"file_path": "src/db.py", "layer_number": 4, "workflows": ["WF1"], "status": "In Progress"}),
    )
    .await;
    let audit_id = audit["audit"]["id"]
        .as_i64()
        .or_else(|| audit["audit_id"].as_i64())
        .or_else(|| audit["file_audit_id"].as_i64())
        .unwrap_or_else(|| panic!("no audit id in {audit}"));
    tool(
        f,
        "record_pattern_outcome",
        json!({"pattern_id": reviewed_id, "file_audit_id": audit_id, "success": true, "time_saved": 10}),
    )
    .await;
    let draft = tool(
        f,
        "extract_pattern",
        json!({"title": "No hardcoded secrets", "problem_description": "An API key written in the source", "solution_steps": ["read it from the environment"], "problem_type": "Security", "layers": 5, "anti_patterns": ["API_KEY = \""], "code_before": "API_KEY = \"abc\"", "code_after": "API_KEY = os.environ[\"API_KEY\"]"}),
    )
    .await;
    let draft_id = draft["pattern_id"].as_i64().unwrap();
    let detail = tool(f, "get_pattern", json!({"pattern_id": draft_id})).await;
    let rule_id = detail["guardian_rules"][0]["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("the draft has no rule: {detail}"));
    tool(
        f,
        "log_code_attempt",
        json!({"input_prompt": "parse a date", "generated_code": "fn parse() {}", "result": "pass"}),
    )
    .await;
    (resource, draft_id, rule_id)
}

#[tokio::test]
async fn every_route_of_the_openapi_document_answers_as_documented() {
    let f = fixture();
    let router = router(&f);
    let (resource, draft, rule) = seeded(&f).await;
    let doc = send(&router, get("/api/openapi.json")).await;
    assert_eq!(doc.status, StatusCode::OK);
    assert_eq!(doc.json["openapi"], "3.1.0");
    let paths = doc.json["paths"].as_object().unwrap();
    let documented: usize = paths.values().map(|p| p.as_object().unwrap().len()).sum();
    assert_eq!(documented, ltmc_http::OPERATIONS.len());
    // Deletes last, so that the reads still find what they read.
    let mut operations: Vec<(&String, &String, &Value)> = paths
        .iter()
        .flat_map(|(path, methods)| {
            methods
                .as_object()
                .unwrap()
                .iter()
                .map(move |(method, op)| (path, method, op))
        })
        .collect();
    operations.sort_by_key(|(_, method, _)| *method == "delete");
    // A pattern to merge into the draft and one to reject.
    let extra = |title: &'static str| {
        json!({"title": title, "problem_description": format!("{title}: the problem"),
               "solution_steps": "do it", "layers": 4})
    };
    let merged = tool(&f, "extract_pattern", extra("Merged away")).await["pattern_id"].clone();
    let rejected = tool(&f, "extract_pattern", extra("Rejected")).await["pattern_id"].clone();
    let merge_body = json!({"from_pattern_id": merged}).to_string();
    let mut called = 0;
    {
        for (path, method, op) in operations {
            let target = if path.ends_with("/reject") {
                rejected.to_string()
            } else {
                draft.to_string()
            };
            let mut uri = path
                .replace("/resources/{id}", &format!("/resources/{resource}"))
                .replace("/patterns/{id}", &format!("/patterns/{target}"))
                .replace("/rules/{id}", &format!("/rules/{rule}"))
                .replace("{name}", "list_todos");
            if path == "/api/search" {
                uri.push_str("?q=zebra");
            }
            assert!(!uri.contains('{'), "{uri}");
            let request = Request::builder()
                .method(method.to_uppercase().as_str())
                .uri(&uri)
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(
                    match (method.as_str(), path.ends_with("/active")) {
                        ("post", true) => r#"{"active": true}"#.to_owned(),
                        ("post", false) if path.ends_with("/merge") => merge_body.clone(),
                        ("post", false) => "{}".to_owned(),
                        _ => String::new(),
                    },
                ))
                .unwrap();
            let reply = send(&router, request).await;
            assert_eq!(
                reply.status,
                StatusCode::OK,
                "{method} {uri}: {}",
                reply.json
            );
            let responses = op["responses"].as_object().unwrap();
            for code in ["200", "401", "403"] {
                assert!(responses.contains_key(code), "{method} {path} lacks {code}");
            }
            // A paginated answer is documented as a Page.
            let page = op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
                == "#/components/schemas/Page";
            assert_eq!(
                page,
                reply.json.get("offset").is_some(),
                "{method} {path}: {}",
                reply.json
            );
            // Every documented query parameter is understood.
            for p in op["parameters"].as_array().unwrap() {
                if p["in"] == "query" && p["schema"]["type"] == "integer" {
                    let bad = format!(
                        "{uri}{}{}=x",
                        if uri.contains('?') { '&' } else { '?' },
                        p["name"].as_str().unwrap()
                    );
                    let reply = send(&router, get(&bad)).await;
                    assert_eq!(
                        reply.status,
                        StatusCode::BAD_REQUEST,
                        "{bad}: {}",
                        reply.json
                    );
                }
            }
            called += 1;
        }
    }
    assert_eq!(called, ltmc_http::OPERATIONS.len());
    // Nothing under /api beyond the document.
    assert_eq!(
        send(&router, get("/api/nothing")).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn lists_paginate_with_totals_and_check_their_parameters() {
    let f = fixture();
    let router = router(&f);
    seeded(&f).await;
    let all = send(&router, get("/api/resources?type=document"))
        .await
        .json;
    assert_eq!(all["total"], 5);
    assert_eq!(all["limit"], ltmc_http::DEFAULT_LIMIT);
    let page = send(
        &router,
        get("/api/resources?type=document&offset=1&limit=2"),
    )
    .await
    .json;
    assert_eq!(
        (
            page["total"].as_u64(),
            page["offset"].as_u64(),
            page["limit"].as_u64()
        ),
        (Some(5), Some(1), Some(2))
    );
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["id"], all["items"][1]["id"]);
    assert!(items[0].get("content").is_none() && items[0]["preview"].is_string());
    let past = send(&router, get("/api/resources?offset=100")).await.json;
    assert_eq!(
        (
            past["items"].as_array().unwrap().len(),
            past["total"].as_u64()
        ),
        (0, Some(6))
    );
    for bad in ["limit=0", "limit=501", "offset=-1", "limit=ten"] {
        let reply = send(&router, get(&format!("/api/resources?{bad}"))).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(reply.json["success"], false);
    }
    let queue = send(&router, get("/api/patterns?reviewed=false"))
        .await
        .json;
    assert_eq!(queue["total"], 1);
    assert_eq!(
        send(&router, get("/api/patterns?reviewed=maybe"))
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    let rules = send(&router, get("/api/rules?active=true&limit=1"))
        .await
        .json;
    assert_eq!(rules["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn search_ranks_the_stored_document_first_with_its_score_breakdown() {
    let f = fixture();
    let router = router(&f);
    seeded(&f).await;
    for mode in ["hybrid", "keyword", "vector"] {
        let reply = send(
            &router,
            get(&format!(
                "/api/search?q=zebra+migration+runbook&mode={mode}"
            )),
        )
        .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
        let first = &reply.json["hits"][0];
        assert_eq!(first["file_name"], "zebra.md", "{mode}: {}", reply.json);
        assert!(first["score"].is_number());
        match mode {
            "keyword" => assert!(first["keyword_score"].is_number()),
            "vector" => assert!(first["similarity"].is_number()),
            _ => assert!(
                first["similarity"].is_number() && first["keyword_score"].is_number(),
                "{first}"
            ),
        }
    }
    assert_eq!(
        send(&router, get("/api/search?q=x&mode=fuzzy"))
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        send(&router, get("/api/search")).await.status,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn a_resource_shows_its_chunks_and_deletes() {
    let f = fixture();
    let router = router(&f);
    let (resource, _, _) = seeded(&f).await;
    let detail = send(&router, get(&format!("/api/resources/{resource}"))).await;
    assert_eq!(detail.status, StatusCode::OK);
    assert_eq!(detail.json["resource"]["id"], resource);
    assert!(!detail.json["chunks"].as_array().unwrap().is_empty());
    let delete = Request::delete(format!("/api/resources/{resource}"))
        .body(Body::empty())
        .unwrap();
    let gone = send(&router, delete).await;
    assert_eq!(gone.status, StatusCode::OK, "{}", gone.json);
    assert_eq!(
        send(&router, get(&format!("/api/resources/{resource}")))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        send(&router, get("/api/resources/zero")).await.status,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn the_overview_counts_every_kind_and_reports_health() {
    let f = fixture();
    let router = router(&f);
    seeded(&f).await;
    let o = send(&router, get("/api/overview")).await.json;
    let c = &o["counts"];
    assert_eq!(
        c["resources_by_type"],
        json!({"document": 5, "runbook": 1, "code_attempt": 1}),
        "{o}"
    );
    assert_eq!(
        (c["patterns"].as_u64(), c["patterns_unreviewed"].as_u64()),
        (Some(2), Some(1))
    );
    assert_eq!(
        (
            c["code_attempts"].as_u64(),
            c["code_attempts_passed"].as_u64()
        ),
        (Some(1), Some(1))
    );
    assert_eq!(
        (
            c["file_audits"].as_u64(),
            c["pattern_applications"].as_u64()
        ),
        (Some(1), Some(1))
    );
    assert_eq!(o["health"]["ok"], true, "{o}");
    assert_eq!(o["store"]["backend"], "sqlite");
    assert!(!o["recent"].as_array().unwrap().is_empty());
    let weekly = send(&router, get("/api/patterns-weekly")).await.json;
    assert_eq!(weekly["weeks"][0]["applications"], 1);
    assert_eq!(weekly["weeks"][0]["success_rate"], 1.0);
    let attempts = send(&router, get("/api/attempts/stats")).await.json;
    assert_eq!(attempts["pass_rate"], 1.0);
    let audits = send(&router, get("/api/audits/progress")).await.json;
    // The successful outcome completed the audit.
    assert_eq!(
        audits["cells"],
        json!([{"layer": 4, "workflow": "WF1", "status": "Complete", "count": 1}]),
        "{audits}"
    );
    assert_eq!(audits["total"], 1);
}

#[tokio::test]
async fn reviewing_and_rule_switching_go_through_the_tools() {
    let f = fixture();
    let router = router(&f);
    let (_, draft, rule) = seeded(&f).await;
    let detail = send(&router, get(&format!("/api/patterns/{draft}")))
        .await
        .json;
    assert_eq!(detail["pattern"]["reviewed"], false);
    assert!(
        detail["nearest"]
            .as_array()
            .unwrap()
            .iter()
            .all(|n| n["pattern_id"] != draft),
        "{detail}"
    );
    let accepted = send(
        &router,
        post(
            &format!("/api/patterns/{draft}/review"),
            json!({"reviewed": true, "reviewer_notes": "checked"}).to_string(),
        ),
    )
    .await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.json);
    assert_eq!(
        send(&router, get("/api/patterns?reviewed=false"))
            .await
            .json["total"],
        0
    );
    let bad = send(
        &router,
        post(
            &format!("/api/patterns/{draft}/review"),
            json!({"reviewed": "yes"}).to_string(),
        ),
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        send(&router, post("/api/patterns/9999/review", "{}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let off = send(
        &router,
        post(
            &format!("/api/rules/{rule}/active"),
            json!({"active": false, "reason": "noisy"}).to_string(),
        ),
    )
    .await;
    assert_eq!(off.status, StatusCode::OK, "{}", off.json);
    let inactive = send(&router, get("/api/rules?active=false")).await.json;
    assert_eq!(inactive["items"][0]["id"], rule);
    assert_eq!(inactive["items"][0]["inactive_reason"], "noisy");
}

#[tokio::test]
async fn the_page_is_public_the_api_guarded_and_cross_site_writes_refused() {
    let f = fixture();
    let (guarded, _) = ltmc_http::router(&f.tools, &with_token());
    // The page and its files need no token and carry a strict CSP.
    for path in ["/", "/assets/app.js", "/assets/app.css"] {
        let response = tower::ServiceExt::oneshot(guarded.clone(), get(path))
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let csp = response.headers()[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap();
        assert!(
            csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"),
            "{csp}"
        );
    }
    let page = tower::ServiceExt::oneshot(guarded.clone(), get("/"))
        .await
        .unwrap();
    let html = axum::body::to_bytes(page.into_body(), usize::MAX)
        .await
        .unwrap();
    let html = String::from_utf8(html.to_vec()).unwrap();
    assert!(
        html.contains("/assets/app.js") && !html.contains("http://") && !html.contains("https://")
    );
    assert_eq!(
        send(&guarded, get("/assets/nope.js")).await.status,
        StatusCode::NOT_FOUND
    );
    // The API needs the token.
    assert_eq!(
        send(&guarded, get("/api/overview")).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        send(&guarded, get("/api/openapi.json")).await.status,
        StatusCode::UNAUTHORIZED
    );
    let authorised = Request::get("/api/overview")
        .header(header::AUTHORIZATION, "Bearer s3cret")
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&guarded, authorised).await.status, StatusCode::OK);

    let (_, draft, rule) = seeded(&f).await;
    let plain = router(&f);
    let on_host = |mut r: Request<Body>| {
        r.headers_mut()
            .insert(header::HOST, "127.0.0.1:5050".parse().unwrap());
        r
    };
    // A cross-site page cannot write (nor read).
    for path in [
        format!("/api/patterns/{draft}/review"),
        format!("/api/rules/{rule}/active"),
        "/api/tools/add_todo".to_owned(),
    ] {
        let request = from_origin(
            on_host(post(
                &path,
                json!({"active": false, "title": "x"}).to_string(),
            )),
            "https://evil.example",
        );
        let reply = send(&plain, request).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{path}");
        assert!(
            reply
                .headers
                .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
                .is_none()
        );
    }
    let delete = from_origin(
        on_host(
            Request::delete("/api/resources/1")
                .body(Body::empty())
                .unwrap(),
        ),
        "http://localhost:5050",
    );
    assert_eq!(send(&plain, delete).await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        send(&plain, from_origin(on_host(get("/api/overview")), "null"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        tool(&f, "get_pattern", json!({"pattern_id": draft})).await["pattern"]["reviewed"],
        false
    );
    // The page's own origin may.
    let own = from_origin(
        on_host(post(&format!("/api/patterns/{draft}/review"), "{}")),
        "http://127.0.0.1:5050",
    );
    let reply = send(&plain, own).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
    assert!(
        reply
            .headers
            .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
            .is_none()
    );
    // A rebinding name is refused on the API.
    let mut rebound = get("/api/overview");
    rebound
        .headers_mut()
        .insert(header::HOST, "evil.example:5050".parse().unwrap());
    assert_eq!(send(&plain, rebound).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_review_queue_orders_pages_accepts_rejects_and_merges() {
    let f = fixture();
    let router = router(&f);
    let (_, draft, _) = seeded(&f).await;
    let mut ids = Vec::new();
    for (title, confidence) in [("Low one", 0.2), ("High one", 0.95), ("Mid one", 0.5)] {
        let out = tool(
            &f,
            "extract_pattern",
            json!({"title": title, "problem_description": format!("{title}: a problem"),
                   "solution_steps": "1. a 2. b", "layers": 4, "confidence_score": confidence}),
        )
        .await;
        ids.push(out["pattern_id"].as_i64().unwrap());
    }
    let listed = |v: &Value| -> Vec<i64> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_i64().unwrap())
            .collect()
    };
    let page = send(
        &router,
        get("/api/patterns?reviewed=false&order=confidence&limit=2"),
    )
    .await
    .json;
    assert_eq!(page["total"], 4, "{page}");
    assert_eq!(listed(&page), [draft, ids[1]], "{page}");
    assert_eq!(page["items"][0]["origin"], "manual");
    let next = send(
        &router,
        get("/api/patterns?reviewed=false&order=confidence&limit=2&offset=2"),
    )
    .await
    .json;
    assert_eq!(next["items"].as_array().unwrap().len(), 2, "{next}");
    for bad in ["order=oldest", "origin=git"] {
        let reply = send(&router, get(&format!("/api/patterns?{bad}"))).await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{bad}: {}",
            reply.json
        );
    }

    // Accept with edits.
    let accepted = send(
        &router,
        post(
            &format!("/api/patterns/{}/accept", ids[1]),
            json!({"title": "High one, edited", "layers": [3, 4], "reviewer_notes": "ok"})
                .to_string(),
        ),
    )
    .await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.json);
    assert_eq!(accepted.json["edited"], json!(["title", "layers"]));
    assert_eq!(accepted.json["pattern"]["reviewed"], true);
    let bad = send(
        &router,
        post(
            &format!("/api/patterns/{}/accept", ids[0]),
            json!({"severity": "urgent"}).to_string(),
        ),
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.json);
    // Merge the low one into the draft; reject the mid one.
    let merged = send(
        &router,
        post(
            &format!("/api/patterns/{draft}/merge"),
            json!({"from_pattern_id": ids[0]}).to_string(),
        ),
    )
    .await;
    assert_eq!(merged.status, StatusCode::OK, "{}", merged.json);
    assert_eq!(merged.json["removed_pattern_id"], ids[0]);
    let rejected = send(
        &router,
        post(
            &format!("/api/patterns/{}/reject", ids[2]),
            json!({"reason": "noise"}).to_string(),
        ),
    )
    .await;
    assert_eq!(rejected.status, StatusCode::OK, "{}", rejected.json);
    let queue = send(&router, get("/api/patterns?reviewed=false"))
        .await
        .json;
    assert_eq!(listed(&queue), [draft], "{queue}");
    assert_eq!(
        send(
            &router,
            post(&format!("/api/patterns/{}/reject", ids[2]), "{}")
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
}
