//! The Code Pattern Memory tools: log_code_attempt (with its links to
//! earlier attempts), get_code_patterns (ranked by meaning, filters inside
//! the search), analyze_code_patterns_tool.

use crate::support::{Env, env};
use serde_json::{Value, json};

async fn log(env: &Env, args: Value) -> Value {
    env.ok("log_code_attempt", args).await
}

#[tokio::test]
async fn log_code_attempt_stores_and_links_to_earlier_attempts() {
    let env = env().await;
    let first = log(
        &env,
        json!({
            "input_prompt": "parse the yaml config file", "generated_code": "fn parse_config() { serde_yaml::from_str(s) }",
            "result": "fail", "function_name": "parse_config", "file_name": "config.rs", "module_name": "settings",
            "execution_time_ms": 12, "error_message": "missing field `port`", "tags": ["yaml", "config"]
        }),
    )
    .await;
    let first_id = first["pattern_id"].as_i64().unwrap();
    assert!(first["message"].as_str().unwrap().contains("fail"));
    assert_eq!(first["links"], json!([]));

    let second = log(
        &env,
        json!({
            "input_prompt": "parse the yaml config file with defaults", "generated_code": "fn parse_config() { with_defaults(serde_yaml::from_str(s)) }",
            "result": "pass", "function_name": "parse_config", "file_name": "config.rs", "module_name": "settings"
        }),
    )
    .await;
    let links = second["links"].as_array().unwrap();
    let kinds: Vec<&str> = links
        .iter()
        .map(|l| l["context_type"].as_str().unwrap())
        .collect();
    for kind in ["similar_function", "same_file", "same_module"] {
        assert!(kinds.contains(&kind), "{kind} missing in {links:?}");
    }
    for l in links {
        assert_eq!(l["pattern_id"], first_id);
        assert!(l["similarity"].as_f64().unwrap() > 0.0);
    }
    // An unrelated attempt elsewhere links to nothing.
    let other = log(
        &env,
        json!({"input_prompt": "render a chart", "generated_code": "plot(x)", "result": "partial", "file_name": "chart.py"}),
    )
    .await;
    assert_eq!(other["links"], json!([]));

    let e = env
        .fail(
            "log_code_attempt",
            json!({"input_prompt": "p", "generated_code": "c", "result": "maybe"}),
        )
        .await;
    assert_eq!(
        e,
        "result must be one of \"pass\", \"fail\", \"partial\"; got \"maybe\""
    );
    let e = env
        .fail(
            "log_code_attempt",
            json!({"input_prompt": "p", "result": "pass"}),
        )
        .await;
    assert!(e.starts_with("generated_code is required"), "{e}");
    let e = env
        .fail(
            "log_code_attempt",
            json!({"input_prompt": "p", "generated_code": "c", "result": "pass", "execution_time_ms": -5}),
        )
        .await;
    assert_eq!(e, "execution_time_ms must be at least 0, got -5");
    let e = env
        .fail(
            "log_code_attempt",
            json!({"input_prompt": "p", "generated_code": "c", "result": "pass", "tags": "a,b"}),
        )
        .await;
    assert_eq!(e, "tags must be an array of strings, got \"a,b\"");
}

async fn seed_attempts(env: &Env) {
    let attempts = [
        (
            "open the database connection pool",
            "fn connect() {}",
            "pass",
            "connect",
            "db.rs",
        ),
        (
            "open the database connection pool with retries",
            "fn connect() { retry() }",
            "fail",
            "connect",
            "db.rs",
        ),
        (
            "render the dashboard chart",
            "fn chart() {}",
            "fail",
            "chart",
            "ui.rs",
        ),
        (
            "parse command line flags",
            "fn flags() {}",
            "partial",
            "flags",
            "cli.rs",
        ),
        (
            "render the dashboard chart legend",
            "fn legend() {}",
            "pass",
            "legend",
            "ui.rs",
        ),
    ];
    for (prompt, code, result, function, file) in attempts {
        log(
            env,
            json!({"input_prompt": prompt, "generated_code": code, "result": result,
                   "function_name": function, "file_name": file, "execution_time_ms": 100,
                   "error_message": if result == "fail" { Some("timeout after 5s") } else { None }}),
        )
        .await;
    }
}

#[tokio::test]
async fn get_code_patterns_ranks_by_meaning_and_filters_inside_the_search() {
    let env = env().await;
    seed_attempts(&env).await;
    let v = env
        .ok(
            "get_code_patterns",
            json!({"query": "dashboard chart rendering", "top_k": 2}),
        )
        .await;
    assert_eq!(v["count"], 2);
    assert_eq!(v["query"], "dashboard chart rendering");
    let p = &v["patterns"][0];
    assert!(
        p["input_prompt"]
            .as_str()
            .unwrap()
            .contains("dashboard chart")
    );
    for key in [
        "pattern_id",
        "input_prompt",
        "generated_code",
        "result",
        "function_name",
        "file_name",
        "module_name",
        "execution_time_ms",
        "error_message",
        "tags",
        "created_at",
        "similarity",
    ] {
        assert!(p.get(key).is_some(), "{key} missing in {p}");
    }
    assert!(v["patterns"][0]["similarity"].as_f64() >= v["patterns"][1]["similarity"].as_f64());

    // Only failures, though the best match by meaning passed.
    let fails = env
        .ok(
            "get_code_patterns",
            json!({"query": "dashboard chart legend", "result_filter": "fail"}),
        )
        .await;
    assert_eq!(fails["count"], 2);
    for p in fails["patterns"].as_array().unwrap() {
        assert_eq!(p["result"], "fail");
    }
    assert_eq!(fails["patterns"][0]["function_name"], "chart");

    let by_file = env
        .ok(
            "get_code_patterns",
            json!({"query": "anything at all", "file_name": "db.rs", "top_k": 10}),
        )
        .await;
    assert_eq!(by_file["count"], 2);
    let by_function = env
        .ok(
            "get_code_patterns",
            json!({"query": "connection", "function_name": "connect", "result_filter": "PASS"}),
        )
        .await;
    assert_eq!(by_function["count"], 1);
    assert_eq!(by_function["patterns"][0]["result"], "pass");

    let e = env
        .fail(
            "get_code_patterns",
            json!({"query": "x", "result_filter": "broken"}),
        )
        .await;
    assert!(e.starts_with("result_filter must be one of"), "{e}");
    let e = env.fail("get_code_patterns", json!({"top_k": 3})).await;
    assert!(e.starts_with("query is required"), "{e}");
}

#[tokio::test]
async fn analyze_code_patterns_counts_rates_and_trends() {
    let env = env().await;
    seed_attempts(&env).await;
    let v = env.ok("analyze_code_patterns_tool", json!({})).await;
    assert_eq!(v["total_patterns"], 5);
    assert_eq!(v["pass_count"], 2);
    assert_eq!(v["fail_count"], 2);
    assert_eq!(v["partial_count"], 1);
    assert!((v["success_rate"].as_f64().unwrap() - 0.4).abs() < 1e-9);
    assert!((v["avg_execution_time"].as_f64().unwrap() - 100.0).abs() < 1e-9);
    assert_eq!(v["time_range_days"], 30);
    let trends = &v["trends"];
    assert_eq!(trends["per_day"].as_array().unwrap().len(), 1);
    assert_eq!(trends["per_day"][0]["total"], 5);
    assert_eq!(
        trends["common_errors"][0]["error_message"],
        "timeout after 5s"
    );
    assert_eq!(trends["common_errors"][0]["count"], 2);
    let failing = trends["most_failing_functions"].as_array().unwrap();
    assert_eq!(failing.len(), 2);
    assert_eq!(failing[0]["fail_count"], 1);

    let ui = env
        .ok(
            "analyze_code_patterns_tool",
            json!({"file_name": "ui.rs", "time_range_days": 7}),
        )
        .await;
    assert_eq!(ui["total_patterns"], 2);
    assert_eq!(ui["pass_count"], 1);
    assert_eq!(ui["filters"]["file_name"], "ui.rs");

    let none = env
        .ok(
            "analyze_code_patterns_tool",
            json!({"function_name": "nothing"}),
        )
        .await;
    assert_eq!(none["total_patterns"], 0);
    assert_eq!(none["avg_execution_time"], Value::Null);

    let e = env
        .fail("analyze_code_patterns_tool", json!({"time_range_days": 0}))
        .await;
    assert!(
        e.starts_with("time_range_days must be between 1 and"),
        "{e}"
    );
    let e = env
        .fail(
            "analyze_code_patterns_tool",
            json!({"time_range_days": "week"}),
        )
        .await;
    assert_eq!(e, "time_range_days must be an integer, got \"week\"");
}
