//! Memories that cite code, end to end in a real git checkout (issue 22):
//! `store_memory` with citations records the cited lines' hash and the
//! commit; `retrieve_memory` checks them against the files now: `verified`,
//! then `changed` when the function is edited (ranked below an unchanged
//! memory, saying why), `moved` with the new lines when it moved 40 lines
//! down, `missing` when the file is deleted. A citation outside the project
//! root is refused naming the field.

use crate::support::{Ltmc, git};
use serde_json::{Value, json};

const PAY: &str = "import os\n\ndef pay(amount):\n    charge(amount, currency=\"EUR\")\n    return receipt(amount)\n";

fn store(ltmc: &Ltmc, root: &str, args: &Value) -> Value {
    call(ltmc, root, "store_memory", args)
}

fn retrieve(ltmc: &Ltmc, root: &str) -> Vec<Value> {
    let args = json!({"conversation_id": "c1", "query": "how does the pay function charge the amount", "top_k": 5});
    call(ltmc, root, "retrieve_memory", &args)["retrieved_chunks"]
        .as_array()
        .unwrap()
        .clone()
}

fn hit<'a>(hits: &'a [Value], file_name: &str) -> (usize, &'a Value) {
    hits.iter()
        .enumerate()
        .find(|(_, h)| h["file_name"] == file_name)
        .unwrap_or_else(|| panic!("{file_name} not retrieved: {hits:#?}"))
}

/// A git checkout under the test's directory with `src/pay.py` (the `pay`
/// function on lines 3-5) and `src/notes.py` committed; its path and HEAD.
fn pay_repo(ltmc: &Ltmc) -> (std::path::PathBuf, String) {
    let repo = ltmc.dir.path().join("repo");
    std::fs::create_dir_all(repo.join("src")).unwrap();
    git(&repo, &["init", "-q"]);
    std::fs::write(repo.join("src/pay.py"), PAY).unwrap();
    std::fs::write(repo.join("src/notes.py"), "# notes\nCURRENCY = \"EUR\"\n").unwrap();
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-q", "-m", "pay"]);
    let head = git(&repo, &["rev-parse", "HEAD"]);
    (repo, head)
}

#[test]
fn citations_are_checked_when_retrieved() {
    let ltmc = Ltmc::new(true);
    let (repo, head) = pay_repo(&ltmc);
    let root = repo.to_str().unwrap();

    let cited = store(
        &ltmc,
        root,
        &json!({
            "file_name": "pay-memory.md",
            "content": "The pay function charges the amount once in EUR and returns a receipt.",
            "citations": [{"path": "src/pay.py", "start_line": 3, "end_line": 5}],
        }),
    );
    assert_eq!(cited["citations"][0]["commit"], head.as_str(), "{cited:#}");
    assert_eq!(cited["citations"][0]["path"], "src/pay.py");
    store(
        &ltmc,
        root,
        &json!({
            "file_name": "currency-memory.md",
            "content": "The pay function charges the amount in the currency set in notes.",
            "citations": [{"path": "src/notes.py", "start_line": 2, "end_line": 2}],
        }),
    );

    let hits = retrieve(&ltmc, root);
    let (_, pay) = hit(&hits, "pay-memory.md");
    assert_eq!(pay["citation_status"], "verified", "{hits:#?}");
    assert_eq!(pay["citations"][0]["status"], "verified");

    // The function is edited: changed, below the unchanged memory.
    std::fs::write(repo.join("src/pay.py"), PAY.replace("\"EUR\"", "\"USD\"")).unwrap();
    let hits = retrieve(&ltmc, root);
    let (pay_at, pay) = hit(&hits, "pay-memory.md");
    let (notes_at, _) = hit(&hits, "currency-memory.md");
    assert_eq!(pay["citation_status"], "changed", "{hits:#?}");
    assert!(
        pay_at > notes_at,
        "a changed citation ranks below: {hits:#?}"
    );
    assert!(
        pay["ranked_down"]
            .as_str()
            .unwrap()
            .contains("src/pay.py:3-5"),
        "{pay:#}"
    );

    // ask_with_context and route_query report the same.
    let q = "how does the pay function charge the amount";
    let asked = ltmc
        .run(&[
            "--json",
            "--project-root",
            root,
            "tool",
            "call",
            "ask_with_context",
            &json!({"conversation_id": "c2", "query": q, "top_k": 5}).to_string(),
        ])
        .ok()
        .json();
    let chunks = asked["retrieved_chunks"].as_array().unwrap().clone();
    assert_eq!(
        hit(&chunks, "pay-memory.md").1["citation_status"],
        "changed",
        "{asked:#}"
    );
    let routed = ltmc
        .run(&[
            "--json",
            "--project-root",
            root,
            "tool",
            "call",
            "route_query",
            &json!({"query": q, "source_types": ["document"], "top_k": 5}).to_string(),
        ])
        .ok()
        .json();
    assert!(
        routed
            .to_string()
            .contains("\"citation_status\":\"changed\""),
        "{routed:#}"
    );

    // The function moved 40 lines down: moved, with the new lines.
    let moved = format!("{}{PAY}", "# padding\n".repeat(40));
    std::fs::write(repo.join("src/pay.py"), moved).unwrap();
    let hits = retrieve(&ltmc, root);
    let (_, pay) = hit(&hits, "pay-memory.md");
    assert_eq!(pay["citation_status"], "moved", "{hits:#?}");
    assert_eq!(pay["citations"][0]["now_start_line"], 43);
    assert_eq!(pay["citations"][0]["now_end_line"], 45);

    // The file is deleted: missing, still returned.
    std::fs::remove_file(repo.join("src/pay.py")).unwrap();
    let hits = retrieve(&ltmc, root);
    let (_, pay) = hit(&hits, "pay-memory.md");
    assert_eq!(pay["citation_status"], "missing", "{hits:#?}");

    // Outside the root, or past the file's end: refused, naming the field.
    let outside = json!({"file_name": "x.md", "content": "x",
        "citations": [{"path": "../elsewhere.py", "start_line": 1, "end_line": 1}]});
    ltmc.run(&[
        "--project-root",
        root,
        "tool",
        "call",
        "store_memory",
        &outside.to_string(),
    ])
    .fails_with("citations");
    let past = json!({"file_name": "y.md", "content": "y",
        "citations": [{"path": "src/notes.py", "start_line": 1, "end_line": 99}]});
    ltmc.run(&[
        "--project-root",
        root,
        "tool",
        "call",
        "store_memory",
        &past.to_string(),
    ])
    .fails_with("past its end");
}

fn call(ltmc: &Ltmc, root: &str, tool: &str, args: &Value) -> Value {
    ltmc.run(&[
        "--json",
        "--project-root",
        root,
        "tool",
        "call",
        tool,
        &args.to_string(),
    ])
    .ok()
    .json()
}

/// Code attempts cite code too: `log_code_attempt` stores the citations with
/// the commit, and `get_code_patterns` checks them, ranking an attempt whose
/// cited function changed below one whose code still holds, saying why.
#[test]
fn attempt_citations_are_checked_by_get_code_patterns() {
    let ltmc = Ltmc::new(true);
    let (repo, head) = pay_repo(&ltmc);
    let root = repo.to_str().unwrap();

    let attempt = |prompt: &str, path: &str, start: usize, end: usize| {
        let logged = call(
            &ltmc,
            root,
            "log_code_attempt",
            &json!({
                "input_prompt": prompt,
                "generated_code": "def pay(amount):\n    return charge(amount)\n",
                "result": "pass",
                "function_name": "pay",
                "citations": [{"path": path, "start_line": start, "end_line": end}],
            }),
        );
        assert!(logged["pattern_id"].is_i64(), "{logged:#}");
        logged
    };
    attempt("charge the amount in pay", "src/pay.py", 3, 5);
    attempt(
        "charge the amount in the configured currency",
        "src/notes.py",
        2,
        2,
    );
    let patterns = || {
        let found = call(
            &ltmc,
            root,
            "get_code_patterns",
            &json!({"query": "charge the amount in pay", "top_k": 5}),
        );
        found["patterns"].as_array().unwrap().clone()
    };
    let by_prompt = |found: &[Value], prompt: &str| -> (usize, Value) {
        let at = found
            .iter()
            .position(|p| p["input_prompt"] == prompt)
            .unwrap_or_else(|| panic!("{prompt} not found: {found:#?}"));
        (at, found[at].clone())
    };
    let found = patterns();
    let (_, pay) = by_prompt(&found, "charge the amount in pay");
    assert_eq!(pay["citation_status"], "verified", "{found:#?}");
    assert_eq!(pay["citations"][0]["commit"], head.as_str());

    std::fs::write(repo.join("src/pay.py"), PAY.replace("\"EUR\"", "\"USD\"")).unwrap();
    let found = patterns();
    let (pay_at, pay) = by_prompt(&found, "charge the amount in pay");
    let (notes_at, notes) = by_prompt(&found, "charge the amount in the configured currency");
    assert_eq!(pay["citation_status"], "changed", "{found:#?}");
    assert_eq!(notes["citation_status"], "verified");
    assert!(
        pay_at > notes_at,
        "a changed citation ranks below: {found:#?}"
    );
    assert!(
        pay["ranked_down"]
            .as_str()
            .unwrap()
            .contains("src/pay.py:3-5"),
        "{pay:#}"
    );

    // A citation outside the project root is refused, naming the field.
    let refused = ltmc.run(&[
        "--json",
        "--project-root",
        root,
        "tool",
        "call",
        "log_code_attempt",
        &json!({
            "input_prompt": "p", "generated_code": "c", "result": "fail",
            "citations": [{"path": "../outside.py", "start_line": 1, "end_line": 1}],
        })
        .to_string(),
    ]);
    assert!(
        refused.stdout.contains("citations") || refused.stderr.contains("citations"),
        "{refused:?}"
    );
}

/// Fix patterns and chat messages cite code too. `extract_pattern` stores
/// the citations with the commit; `recommend_fix` checks them: a pattern
/// whose cited function changed ranks after one whose code still holds, is
/// adapted rather than applied, and says why. `log_chat` keeps its
/// citations in the message's metadata, and `get_messages_for_chunk_tool`
/// reports them checked.
#[test]
fn pattern_and_chat_citations_are_checked() {
    let ltmc = Ltmc::new(true);
    let (repo, head) = pay_repo(&ltmc);
    let root = repo.to_str().unwrap();

    let extract = |title: &str, path: &str, start: usize, end: usize| {
        let made = call(
            &ltmc,
            root,
            "extract_pattern",
            &json!({
                "title": title,
                "problem_description": "The payment function charges the amount in a hard-coded currency",
                "solution_steps": "Read the currency from settings\nPass it to charge",
                "layers": 3,
                "problem_type": "Standards",
                "citations": [{"path": path, "start_line": start, "end_line": end}],
            }),
        );
        assert_eq!(
            made["pattern"]["citations"][0]["commit"],
            head.as_str(),
            "{made:#}"
        );
        made["pattern_id"].as_i64().unwrap()
    };
    let pay = extract("Currency from settings in pay", "src/pay.py", 3, 5);
    let notes = extract("Currency constant in notes", "src/notes.py", 2, 2);
    let recommend = || {
        call(
            &ltmc,
            root,
            "recommend_fix",
            &json!({
                "text": "The payment function charges the amount in a hard-coded currency",
                "layer": 3,
                "include_unreviewed": true,
                "similarity_threshold": 0.0,
            }),
        )
    };
    let at = |r: &Value, id: i64| -> (usize, Value) {
        let candidates = r["candidates"].as_array().unwrap();
        let i = candidates
            .iter()
            .position(|c| c["pattern_id"] == id)
            .unwrap_or_else(|| panic!("pattern {id} not a candidate: {r:#}"));
        (i, candidates[i].clone())
    };
    let before = recommend();
    assert_eq!(
        at(&before, pay).1["citations"][0]["status"],
        "verified",
        "{before:#}"
    );
    assert!(at(&before, pay).1["ranked_down"].is_null());

    std::fs::write(repo.join("src/pay.py"), PAY.replace("\"EUR\"", "\"USD\"")).unwrap();
    let after = recommend();
    let (pay_at, pay_c) = at(&after, pay);
    let (notes_at, notes_c) = at(&after, notes);
    assert_eq!(pay_c["citations"][0]["status"], "changed", "{after:#}");
    assert_eq!(notes_c["citations"][0]["status"], "verified");
    assert!(
        pay_at > notes_at,
        "a changed citation ranks below: {after:#}"
    );
    assert!(
        pay_c["ranked_down"]
            .as_str()
            .unwrap()
            .contains("src/pay.py:3-5"),
        "{pay_c:#}"
    );
    assert_eq!(after["pattern_id"], notes, "{after:#}");

    // A chat message citing the function, linked to a chunk it used.
    let logged = call(
        &ltmc,
        root,
        "log_chat",
        &json!({
            "conversation_id": "c9", "role": "assistant",
            "content": "pay now charges in USD",
            "citations": [{"path": "src/pay.py", "start_line": 3, "end_line": 5}],
        }),
    );
    assert_eq!(
        logged["citations"][0]["commit"],
        head.as_str(),
        "{logged:#}"
    );
    let stored = store(
        &ltmc,
        root,
        &json!({"file_name": "pay-doc.md", "content": "How pay charges the amount."}),
    );
    let hits = retrieve(&ltmc, root);
    let (_, doc) = hit(&hits, "pay-doc.md");
    let chunk = doc["chunk_id"].as_i64().unwrap();
    assert!(stored["resource_id"].is_i64());
    call(
        &ltmc,
        root,
        "store_context_links_tool",
        &json!({"message_id": logged["message_id"], "chunk_ids": [chunk]}),
    );
    let messages = |ltmc: &Ltmc| {
        call(
            ltmc,
            root,
            "get_messages_for_chunk_tool",
            &json!({"chunk_id": chunk}),
        )["messages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["message_id"] == logged["message_id"])
            .cloned()
            .unwrap()
    };
    let message = messages(&ltmc);
    assert_eq!(message["citation_status"], "verified", "{message:#}");
    std::fs::remove_file(repo.join("src/pay.py")).unwrap();
    let message = messages(&ltmc);
    assert_eq!(message["citation_status"], "missing", "{message:#}");
    assert!(
        message["ranked_down"]
            .as_str()
            .is_some_and(|why| why.contains("gone")),
        "{message:#}"
    );

    // `ltmc doctor` counts how the project's citations stand ...
    let report = ltmc
        .run(&["--json", "--project-root", root, "doctor"])
        .ok()
        .json();
    let figures = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "citations")
        .unwrap_or_else(|| panic!("no citations check: {report:#}"));
    assert_eq!(figures["ok"], true, "{figures:#}");
    let detail = figures["detail"].as_str().unwrap();
    assert!(
        detail.contains("0 of 1 memories and 2 of 2 fix patterns cite code; 2 citations")
            && detail.contains("1 verified, 0 moved, 0 changed, 1 missing"),
        "{detail}"
    );
    // ... and so does pattern_insights.
    let insights = call(&ltmc, root, "pattern_insights", &json!({}));
    let c = &insights["citations"];
    assert_eq!(
        [
            &c["memories"],
            &c["memories_citing"],
            &c["patterns"],
            &c["patterns_citing"]
        ],
        [1, 0, 2, 2],
        "{c:#}"
    );
    assert_eq!([&c["verified"], &c["missing"]], [1, 1], "{c:#}");
    // The stale one is listed (the dashboard's Overview shows the list).
    assert_eq!(c["stale_items"][0]["kind"], "pattern", "{c:#}");
    assert_eq!(c["stale_items"][0]["id"], pay, "{c:#}");
    assert_eq!(c["stale_items"].as_array().unwrap().len(), 1, "{c:#}");
}
