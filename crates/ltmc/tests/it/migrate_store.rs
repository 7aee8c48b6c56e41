//! `ltmc migrate-store` end to end, with the hash embedder: a SQLite store
//! filled through the CLI with every kind of record (documents in two
//! projects and a deleted one, a chat message with context links, todos, a
//! graph edge, code attempts and their link, the example fix-pattern set with
//! an outcome and guardian hits) is copied to PostgreSQL and from there to a
//! new SQLite file. The three agree table by table (counts and checksums),
//! on what the listing commands print (ids included) and on search results;
//! new writes get ids above every copied (and deleted) one on both backends;
//! and a target that holds data is refused and left as it was.
//!
//! Needs the test PostgreSQL (`scripts/with-pg`); skips without it outside CI.
//! Not a test of the record format itself (ltmc-store's `dump` unit tests).

use crate::support::{Ltmc, Run, path_str};
use ltmc_store_pg::testing::{TestDb, server_url};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// A store the commands are pointed at.
#[derive(Clone, Copy)]
enum At<'a> {
    /// A SQLite data dir.
    Sqlite(&'a Path),
    Postgres(&'a str),
}

fn run_at(ltmc: &Ltmc, at: At<'_>, args: &[&str]) -> Run {
    let mut cmd = ltmc.command();
    cmd.env_remove("LTMC_DATABASE_URL");
    match at {
        At::Sqlite(dir) => cmd.env("LTMC_DATA_DIR", dir),
        At::Postgres(url) => cmd
            .env("LTMC_DATA_DIR", ltmc.dir.path().join("pg-data"))
            .env("LTMC_DATABASE_URL", url),
    };
    Run::from(cmd.args(args).output().unwrap())
}

fn json_at(ltmc: &Ltmc, at: At<'_>, args: &[&str]) -> Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    run_at(ltmc, at, &all).ok().json()
}

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/fix-patterns")
}

fn migrate(ltmc: &Ltmc, from: &str, to: &str) -> Run {
    Run::from(
        ltmc.command()
            .args(["--json", "migrate-store", "--from", from, "--to", to])
            .output()
            .unwrap(),
    )
}

/// What the fill left to look at afterwards.
struct Filled {
    message_id: i64,
    pattern_id: i64,
    /// A node of the graph edge.
    graph_node: String,
    /// The largest resource id the source ever handed out (a deleted one).
    max_resource_id: i64,
    max_todo_id: i64,
}

fn fill(ltmc: &Ltmc, at: At<'_>) -> Filled {
    let docs = [
        (
            "redis-eviction.md",
            "Redis evicts keys under memory pressure with the allkeys-lru policy. \
             Set maxmemory so that the cache never swaps.",
        ),
        (
            "deploy.md",
            "Deploys run blue-green: the new version warms up behind the load balancer, \
             then traffic moves over and the old one drains.",
        ),
        (
            "parser.rs",
            "fn parse_config_v2(text: &str) -> Result<Config, ParseError> {\n    \
             toml::from_str(text).map_err(ParseError::from)\n}\n",
        ),
    ];
    let mut resource_ids = Vec::new();
    for (name, text) in docs {
        let path = ltmc.file(name, text);
        let out = json_at(ltmc, at, &["store", path_str(&path)]);
        resource_ids.push(out["resource_id"].as_i64().unwrap());
    }
    let other = ltmc.file(
        "other.md",
        "The other project keeps its own notes on vector indexes.",
    );
    json_at(ltmc, at, &["--project", "other", "store", path_str(&other)]);
    // A deleted resource: its id (the largest) must never come back.
    let gone = ltmc.file("gone.md", "A note that is stored and deleted again.");
    let gone_id = json_at(ltmc, at, &["store", path_str(&gone)])["resource_id"]
        .as_i64()
        .unwrap();
    run_at(ltmc, at, &["delete", &gone_id.to_string()]).ok();

    let message_id =
        json_at(ltmc, at, &["chat", "log", "How does the cache evict keys?"])["message_id"]
            .as_i64()
            .unwrap();
    let hits = json_at(
        ltmc,
        at,
        &["search", "-k", "2", "--mode", "vector", "cache eviction"],
    );
    let chunk_ids: Vec<String> = hits["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["chunk_id"].as_i64().unwrap().to_string())
        .collect();
    let mut link = vec!["chat", "link", &message_id.to_string()]
        .into_iter()
        .map(str::to_owned)
        .collect::<Vec<_>>();
    link.extend(chunk_ids);
    run_at(
        ltmc,
        at,
        &link.iter().map(String::as_str).collect::<Vec<_>>(),
    )
    .ok();

    let first = json_at(ltmc, at, &["todo", "add", "Rotate the TLS certificates"])["todo_id"]
        .as_i64()
        .unwrap();
    let second = json_at(
        ltmc,
        at,
        &[
            "todo",
            "add",
            "Tune maxmemory",
            "-p",
            "high",
            "-d",
            "see redis-eviction.md",
        ],
    )["todo_id"]
        .as_i64()
        .unwrap();
    run_at(ltmc, at, &["todo", "done", &first.to_string()]).ok();
    run_at(
        ltmc,
        at,
        &[
            "graph",
            "link",
            &resource_ids[0].to_string(),
            &resource_ids[1].to_string(),
            "mentions",
        ],
    )
    .ok();

    let code = ltmc.file(
        "attempt.py",
        "def parse(text):\n    return text.split(',')\n",
    );
    for (prompt, result) in [
        ("split a csv line", "fail"),
        ("split a csv line again", "pass"),
    ] {
        run_at(
            ltmc,
            at,
            &[
                "attempts",
                "log",
                "--prompt",
                prompt,
                "--code",
                path_str(&code),
                "--result",
                result,
                "--function",
                "parse",
                "--file",
                "csv.py",
                "--tag",
                "csv",
            ],
        )
        .ok();
    }

    let loaded = json_at(ltmc, at, &["patterns", "load", path_str(&examples())]);
    assert_eq!(loaded["patterns"]["extracted"], 25, "{loaded}");
    let patterns = json_at(ltmc, at, &["patterns", "list", "--limit", "100"]);
    let pattern_id = patterns["patterns"][0]["id"].as_i64().unwrap();
    let audits = json_at(ltmc, at, &["audit", "list", "--limit", "100"]);
    let audit_id = audits["audits"][0]["id"].as_i64().unwrap();
    run_at(
        ltmc,
        at,
        &[
            "--json",
            "patterns",
            "outcome",
            &pattern_id.to_string(),
            "--audit",
            &audit_id.to_string(),
            "--time-taken",
            "25",
            "--time-saved",
            "95",
        ],
    )
    .ok();
    let checked = run_at(
        ltmc,
        at,
        &[
            "--json",
            "tool",
            "call",
            "check_guardian_rules",
            r#"{"file_path": "src"}"#,
            "--project-root",
            path_str(&examples()),
        ],
    )
    .ok();
    assert!(checked.stdout.contains("violations"), "{checked:?}");
    Filled {
        message_id,
        pattern_id,
        graph_node: resource_ids[0].to_string(),
        max_resource_id: gone_id,
        max_todo_id: second,
    }
}

/// What the listing commands print: ids, texts, times, metrics, search hits.
fn listings(ltmc: &Ltmc, at: At<'_>, filled: &Filled) -> Vec<(String, Value)> {
    let commands: Vec<Vec<String>> = [
        vec![
            "search",
            "-k",
            "5",
            "--mode",
            "vector",
            "how does the cache evict keys",
        ],
        vec![
            "--project",
            "other",
            "search",
            "-k",
            "3",
            "--mode",
            "vector",
            "vector indexes",
        ],
        vec!["todo", "list", "--limit", "100"],
        vec!["chat", "links", &filled.message_id.to_string()],
        vec!["graph", "query", &filled.graph_node],
        vec!["attempts", "search", "split a csv line", "-k", "5"],
        vec!["patterns", "list", "--limit", "100"],
        vec!["patterns", "show", &filled.pattern_id.to_string()],
        vec![
            "patterns",
            "similar",
            "SQL built by pasting user input into the query",
            "--all",
        ],
        vec!["audit", "list", "--limit", "100"],
        vec!["tool", "call", "list_guardian_rules", "{}"],
    ]
    .iter()
    .map(|c| c.iter().map(|s| (*s).to_owned()).collect())
    .collect();
    commands
        .iter()
        .map(|c| {
            let args: Vec<&str> = c.iter().map(String::as_str).collect();
            (c.join(" "), json_at(ltmc, at, &args))
        })
        .collect()
}

/// `2025-01-31T09:15:02.12Z` and `2025-01-31T09:15:02.120Z` are one time: the
/// SQLite store keeps some times with fewer fraction digits than PostgreSQL
/// prints (and the copy writes), so times compare in the 3-digit form.
fn normalized_time(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let shape = b.len() >= 20
        && b[4] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
        && b[16] == b':'
        && s.ends_with('Z');
    if !shape {
        return None;
    }
    let body = &s[..s.len() - 1];
    let (secs, frac) = body.split_once('.').unwrap_or((body, ""));
    if secs.len() != 19 || !frac.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    Some(format!("{secs}.{:0<3}Z", &frac[..frac.len().min(3)]))
}

/// Equal up to float noise (cosines computed in f32 by one backend and in
/// f64 by the other) and the form of times.
fn assert_same(what: &str, path: &str, a: &Value, b: &Value) {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            assert!((x - y).abs() < 1e-5, "{what}: {path}: {x} vs {y}");
        }
        (Value::String(x), Value::String(y)) => match (normalized_time(x), normalized_time(y)) {
            (Some(x), Some(y)) => assert_eq!(x, y, "{what}: {path}"),
            _ => assert_eq!(x, y, "{what}: {path}"),
        },
        (Value::Array(x), Value::Array(y)) => {
            assert_eq!(x.len(), y.len(), "{what}: {path}: {a} vs {b}");
            for (i, (x, y)) in x.iter().zip(y).enumerate() {
                assert_same(what, &format!("{path}[{i}]"), x, y);
            }
        }
        (Value::Object(x), Value::Object(y)) => {
            let keys = |m: &serde_json::Map<String, Value>| m.keys().cloned().collect::<Vec<_>>();
            assert_eq!(keys(x), keys(y), "{what}: {path}");
            for (k, v) in x {
                assert_same(what, &format!("{path}.{k}"), v, &y[k]);
            }
        }
        _ => assert_eq!(a, b, "{what}: {path}"),
    }
}

fn assert_same_listings(a: &[(String, Value)], b: &[(String, Value)]) {
    for ((what, x), (_, y)) in a.iter().zip(b) {
        assert_same(what, "", x, y);
    }
}

/// The report's per-table (table, rows, sha256) of one side.
fn table_sums(report: &Value, side: &str) -> Vec<(String, u64, String)> {
    report["tables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["table"].as_str().unwrap().to_owned(),
                t[side].as_u64().unwrap(),
                t[&format!("{side}_sha256")].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn assert_clean(report: &Value) {
    assert_eq!(report["ok"], true, "{report:#}");
    for t in report["tables"].as_array().unwrap() {
        assert_eq!(t["checksum_ok"], true, "{t}");
    }
    assert_eq!(
        report["integrity"]["problems"],
        Value::Array(vec![]),
        "{report:#}"
    );
}

/// A new write on the target gets ids above every copied (and deleted) one.
fn fresh_ids_continue(ltmc: &Ltmc, at: At<'_>, filled: &Filled, name: &str) {
    let note = ltmc.file(name, format!("A note written after the copy ({name})."));
    let stored = json_at(ltmc, at, &["store", path_str(&note)]);
    assert!(
        stored["resource_id"].as_i64().unwrap() > filled.max_resource_id,
        "{stored} after {}",
        filled.max_resource_id
    );
    let todo = json_at(ltmc, at, &["todo", "add", "After the copy"]);
    assert!(
        todo["todo_id"].as_i64().unwrap() > filled.max_todo_id,
        "{todo}"
    );
    let found = json_at(
        ltmc,
        at,
        &[
            "search",
            "-k",
            "1",
            "--mode",
            "vector",
            "A note written after the copy",
        ],
    );
    assert_eq!(
        found["results"][0]["resource_id"], stored["resource_id"],
        "{found}"
    );
    let doctor = run_at(ltmc, at, &["--json", "doctor"]);
    assert_eq!(doctor.json()["ok"], true, "{doctor:?}");
}

fn test_db() -> Option<TestDb> {
    let server = server_url()?;
    Some(
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(TestDb::create(&server)),
    )
}

#[test]
fn sqlite_to_postgres_to_sqlite_keeps_every_record_and_id() {
    let Some(db) = test_db() else {
        return;
    };
    let ltmc = Ltmc::new(true);
    let a_dir = ltmc.dir.path().join("a");
    let c_dir = ltmc.dir.path().join("c").join("nested");
    let (a, pg, c) = (
        At::Sqlite(&a_dir),
        At::Postgres(&db.url),
        At::Sqlite(&c_dir),
    );
    let filled = fill(&ltmc, a);
    let before = listings(&ltmc, a, &filled);
    let hybrid = ["search", "-k", "5", "cache eviction maxmemory"];
    let hybrid_before = json_at(&ltmc, a, &hybrid);

    let a_file = format!("sqlite:{}", a_dir.join("ltmc.db").display());
    let there = migrate(&ltmc, &a_file, &db.url).ok().json();
    assert_clean(&there);
    let back = migrate(&ltmc, &db.url, &format!("sqlite:{}/", c_dir.display()))
        .ok()
        .json();
    assert_clean(&back);
    assert!(c_dir.join("ltmc.db").is_file());

    // Counts and checksums: source, PostgreSQL and the copy back agree.
    let source = table_sums(&there, "source");
    assert_eq!(source, table_sums(&there, "target"));
    assert_eq!(source, table_sums(&back, "source"));
    assert_eq!(source, table_sums(&back, "target"));
    for table in [
        "resources",
        "chunks",
        "chat_messages",
        "context_links",
        "todos",
        "graph_edges",
        "code_attempts",
        "attempt_links",
        "file_audits",
        "file_audit_history",
        "fix_patterns",
        "pattern_relationships",
        "pattern_applications",
        "guardian_rules",
        "guardian_rule_hits",
    ] {
        let rows = source.iter().find(|(t, ..)| t == table).unwrap().1;
        assert!(rows > 0, "the fill left {table} empty: {there:#}");
    }
    // The sequences continue after the source's, deleted ids included.
    for s in back["sequences"].as_array().unwrap() {
        assert_eq!(s["ok"], true, "{s}");
    }

    // Every listing (ids, texts, times, metrics) and search agrees.
    assert_same_listings(&before, &listings(&ltmc, pg, &filled));
    assert_same_listings(&before, &listings(&ltmc, c, &filled));
    // Keyword ranking is each backend's own; SQLite to SQLite it is the same.
    assert_same(
        "hybrid search",
        "",
        &hybrid_before,
        &json_at(&ltmc, c, &hybrid),
    );

    fresh_ids_continue(&ltmc, pg, &filled, "after-pg.md");
    fresh_ids_continue(&ltmc, c, &filled, "after-sqlite.md");
}

#[test]
fn a_target_with_data_is_refused_and_left_as_it_was() {
    let ltmc = Ltmc::new(true);
    let a_dir = ltmc.dir.path().join("a");
    let b_dir = ltmc.dir.path().join("b");
    let note = ltmc.file("a.md", "Source note about connection pools.");
    json_at(&ltmc, At::Sqlite(&a_dir), &["store", path_str(&note)]);
    let other = ltmc.file("b.md", "The target's own note about retries.");
    json_at(&ltmc, At::Sqlite(&b_dir), &["store", path_str(&other)]);
    let before = json_at(
        &ltmc,
        At::Sqlite(&b_dir),
        &["search", "--mode", "vector", "retries"],
    );

    let a_file = format!("sqlite:{}", a_dir.join("ltmc.db").display());
    let refused =
        migrate(&ltmc, &a_file, &format!("sqlite:{}", b_dir.display())).fails_with("--to");
    assert!(refused.stderr.contains("not empty"), "{refused:?}");
    assert!(refused.stderr.contains("1 resources"), "{refused:?}");
    let after = json_at(
        &ltmc,
        At::Sqlite(&b_dir),
        &["search", "--mode", "vector", "retries"],
    );
    assert_eq!(before, after);

    migrate(&ltmc, "sqlite:", "sqlite:/tmp/x").fails_with("--from");
    migrate(&ltmc, &a_file, &a_file).fails_with("same store");
    migrate(&ltmc, "sqlite:/nonexistent/ltmc.db", "sqlite:/tmp/x").fails_with("no ltmc store");

    let Some(db) = test_db() else {
        return;
    };
    // A database with data is refused too, and keeps what it holds.
    json_at(&ltmc, At::Postgres(&db.url), &["store", path_str(&other)]);
    let before = json_at(
        &ltmc,
        At::Postgres(&db.url),
        &["search", "--mode", "vector", "retries"],
    );
    let refused = migrate(&ltmc, &a_file, &db.url).fails_with("--to");
    assert!(refused.stderr.contains("not empty"), "{refused:?}");
    let after = json_at(
        &ltmc,
        At::Postgres(&db.url),
        &["search", "--mode", "vector", "retries"],
    );
    assert_eq!(before, after);
}
