//! The fix-pattern seed's own shapes through the CLI: its Phase 3 `pattern`
//! dict (text where its columns are TEXT, `"WF1,WF4"` workflows, a layer as
//! one integer, the embeddings it computes itself) goes through
//! `ltmc patterns extract FILE`, and a file audit's workflows as text through
//! `ltmc audit import`; a shape that is really wrong is refused naming the
//! field and the accepted forms. The same dict goes over MCP in
//! `mcp_fix_client.py`.

use crate::support::{Ltmc, path_str};
use serde_json::{Value, json};

fn seed_pattern() -> Value {
    json!({
        "title": "Hardcoded bearer token moved to the environment",
        "problem_type": "Security",
        "code_type": "hardcoded_secret",
        "severity": "CRITICAL",
        "tags": "{hardcoded-token,secrets}",
        "layers": 4,
        "workflows": "WF1,WF4",
        "file_types": ".py",
        "problem_description": "An API client keeps its bearer token as a literal in the source.",
        "solution_steps": "1. Read the token from the PAYMENTS_TOKEN environment variable\n2. Fail at start-up when it is missing\n3. Rotate the leaked token",
        "code_before": "TOKEN = \"sk_live_0123456789abcdef\"",
        "code_after": "TOKEN = os.environ[\"PAYMENTS_TOKEN\"]",
        "verification_steps": "grep finds no token literal",
        "learnings": "Secrets in source end up in every clone and log.",
        "prevention_guidance": "Read secrets from the environment, never from literals.",
        "applied_to_files": [],
        "dart_task_ids": ["DART-101"],
        "guardian_rules": [],
        "anti_patterns": "TOKEN\\s*=\\s*\"sk_live_[0-9a-f]+\"",
        "content_embedding": [0.1, 0.2],
        "code_embedding": [0.1, 0.2],
        "problem_embedding": [0.1, 0.2],
        "confidence_score": 0.9
    })
}

#[test]
fn the_seeds_pattern_dict_and_text_workflows_go_through_the_cli() {
    let ltmc = Ltmc::new(false);
    let audits = ltmc.file(
        "audits.json",
        json!([{"file_path": "src/clients/payments.py", "layer_number": 4,
                "workflows": "WF1,WF4", "technical_debt": "Bearer token literal in the client."}])
        .to_string(),
    );
    let imported = ltmc
        .run(&["--json", "audit", "import", path_str(&audits)])
        .ok()
        .json();
    assert_eq!(imported["imported"], 1, "{imported}");
    let listed = ltmc.run(&["--json", "audit", "list"]).ok().json();
    assert_eq!(
        listed["audits"][0]["workflows"],
        json!(["WF1", "WF4"]),
        "{listed}"
    );

    let file = ltmc.file("seed.json", seed_pattern().to_string());
    let out = ltmc
        .run(&["--json", "patterns", "extract", path_str(&file)])
        .ok()
        .json();
    let p = &out["pattern"];
    // Stored as the seed's TEXT column holds it: one step per line, numbers off.
    assert_eq!(
        p["solution_steps"],
        "Read the token from the PAYMENTS_TOKEN environment variable\n\
         Fail at start-up when it is missing\n\
         Rotate the leaked token",
        "{p}"
    );
    assert_eq!(p["layers"], json!([4]));
    assert_eq!(p["workflows"], json!(["WF1", "WF4"]));
    assert_eq!(p["tags"], json!(["hardcoded-token", "secrets"]));
    assert_eq!(p["file_types"], json!([".py"]));
    assert_eq!(
        p["anti_patterns"],
        json!([r#"TOKEN\s*=\s*"sk_live_[0-9a-f]+""#])
    );
    // The anti-pattern became a guardian rule that passed its own test.
    assert_eq!(
        out["guardian_rules"].as_array().map(Vec::len),
        Some(1),
        "{out}"
    );

    let mut wrong = seed_pattern();
    wrong["layers"] = json!("four");
    let file = ltmc.file("wrong.json", wrong.to_string());
    ltmc.run(&["patterns", "extract", path_str(&file)])
        .fails_with("layers must be an integer or an array of integers");
    let mut wrong = seed_pattern();
    wrong["solution_steps"] = json!({"1": "read"});
    let file = ltmc.file("wrong.json", wrong.to_string());
    ltmc.run(&["patterns", "extract", path_str(&file)])
        .fails_with("solution_steps must be a string or an array of strings");
}
