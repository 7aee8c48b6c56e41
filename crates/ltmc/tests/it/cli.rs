//! The command line's output shapes and errors, with the model-free hash
//! embedder so these run in milliseconds.

use crate::support::{Ltmc, path_str};

#[test]
fn store_search_delete_roundtrip_with_json_shapes() {
    let ltmc = Ltmc::new(true);
    let a = ltmc.file(
        "a.md",
        "Rust ownership moves values. Borrowing lends them without moving.",
    );
    let b = ltmc.file(
        "b.md",
        "Bake the sourdough bread at high heat with steam for a crisp crust.",
    );
    let run = ltmc
        .run(&["store", "--json", path_str(&a), path_str(&b)])
        .ok();
    let lines = run.json_lines();
    assert_eq!(lines.len(), 2, "{run:?}");
    for line in &lines {
        assert!(line["resource_id"].as_i64().unwrap() > 0);
        assert_eq!(line["chunk_count"], 1);
        assert_eq!(line["duplicate"], false);
    }

    let again = ltmc.run(&["store", "--json", path_str(&a)]).ok().json();
    assert_eq!(again["duplicate"], true);
    assert_eq!(again["resource_id"], lines[0]["resource_id"]);

    let found = ltmc
        .run(&["search", "--json", "sourdough bread crust"])
        .ok()
        .json();
    let results = found["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    assert_eq!(results[0]["resource_id"], lines[1]["resource_id"]);
    assert!(results[0]["file_name"].as_str().unwrap().ends_with("b.md"));
    assert!(results[0]["text"].as_str().unwrap().contains("sourdough"));
    assert!(results[0]["score"].as_f64().unwrap() > results[1]["score"].as_f64().unwrap());
    assert!(results[0]["chunk_id"].as_i64().is_some());

    let id = lines[1]["resource_id"].to_string();
    let deleted = ltmc.run(&["delete", "--json", &id]).ok().json();
    assert_eq!(deleted["chunk_count"], 1);
    let after = ltmc
        .run(&["search", "--json", "sourdough bread crust"])
        .ok()
        .json();
    let ids: Vec<_> = after["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["resource_id"].clone())
        .collect();
    assert_eq!(ids, vec![lines[0]["resource_id"].clone()]);
    ltmc.run(&["delete", &id]).fails_with("not found");
}

#[test]
fn search_filters_by_type_and_respects_top_k() {
    let ltmc = Ltmc::new(true);
    for i in 0..6 {
        let f = ltmc.file(
            &format!("doc{i}.txt"),
            format!("note number {i} about caching"),
        );
        ltmc.run(&["store", path_str(&f)]).ok();
        let c = ltmc.file(
            &format!("code{i}.rs"),
            format!("fn cache_{i}() {{ /* caching */ }}"),
        );
        ltmc.run(&["store", "--type", "code", path_str(&c)]).ok();
    }
    let run = ltmc
        .run(&["search", "--json", "--type", "code", "-k", "4", "caching"])
        .ok();
    let results = run.json()["results"].as_array().unwrap().clone();
    assert_eq!(results.len(), 4);
    assert!(
        results
            .iter()
            .all(|r| r["file_name"].as_str().unwrap().contains("/code"))
    );
    // --min-relevance: refused outside 0-1, and with a model that has no
    // relevance calibration (the test embedder), naming the flag.
    ltmc.run(&["search", "--min-relevance", "2", "caching"])
        .fails_with("invalid --min-relevance: must be between 0 and 1");
    ltmc.run(&["search", "--min-relevance", "0.5", "caching"])
        .fails_with("no relevance calibration; leave --min-relevance out");
}

#[test]
fn directories_and_stdin() {
    let ltmc = Ltmc::new(true);
    ltmc.file("tree/one.md", "first file in a tree");
    ltmc.file("tree/sub/two.md", "second file, nested");
    ltmc.file("tree/blob.bin", [0u8, 159, 146, 150, 0, 1]);
    ltmc.file("tree/empty.md", "");
    let tree = ltmc.dir.path().join("files/tree");
    let run = ltmc.run(&["store", "--json", path_str(&tree)]).ok();
    assert_eq!(
        run.json_lines().len(),
        2,
        "binary and empty files are skipped: {run:?}"
    );
    assert!(run.stderr.contains("skipped"), "{run:?}");

    let mut cmd = ltmc.command();
    let mut child = cmd
        .args(["store", "--json", "--name", "piped.txt", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), b"text from a pipe").unwrap();
    drop(child.stdin.take());
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let line: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(line["file_name"], "piped.txt");
}

#[test]
fn embed_json_shape() {
    let ltmc = Ltmc::new(true);
    let v = ltmc
        .run(&["embed", "--json", "alpha", "beta gamma"])
        .ok()
        .json();
    assert_eq!(v["dimension"], 384);
    let vectors = v["vectors"].as_array().unwrap();
    assert_eq!(vectors.len(), 2);
    assert!(vectors.iter().all(|x| x.as_array().unwrap().len() == 384));
}

#[test]
fn bad_input_gives_one_error_line_and_a_hint() {
    let ltmc = Ltmc::new(true);
    let empty = ltmc.file("empty.md", "   \n");
    ltmc.run(&["store", path_str(&empty)]).fails_with("content");
    let binary = ltmc.file("x.bin", [0u8, 255, 0, 12]);
    ltmc.run(&["store", path_str(&binary)])
        .fails_with("not UTF-8");
    ltmc.run(&["store", "/nonexistent/file.md"])
        .fails_with("does not exist");
    ltmc.run(&["embed", ""]).fails_with("empty");
    ltmc.run(&["--project", "bad name", "search", "x"])
        .fails_with("project");

    // A data dir with no store: search, delete and doctor say so.
    let fresh = Ltmc::new(true);
    fresh
        .run(&["search", "anything"])
        .fails_with("no ltmc store");
    fresh.run(&["delete", "1"]).fails_with("no ltmc store");

    let ok = ltmc.file("ok.md", "something");
    ltmc.run(&["store", path_str(&ok)]).ok();
    ltmc.run(&["search", "-k", "0", "x"]).fails_with("top_k");
    // A data dir whose database is not SQLite.
    let junk = Ltmc::new(true);
    std::fs::create_dir_all(junk.data_dir()).unwrap();
    std::fs::write(junk.data_dir().join("ltmc.db"), vec![7u8; 8192]).unwrap();
    let run = junk.run(&["search", "x"]);
    assert_ne!(run.code, 0);
    assert!(
        run.stderr.starts_with("error: ") && run.stderr.contains("hint: "),
        "{run:?}"
    );
}

#[test]
fn projects_do_not_see_each_other() {
    let ltmc = Ltmc::new(true);
    let f = ltmc.file("p.md", "secret of project alpha");
    ltmc.run(&["--project", "alpha", "store", path_str(&f)])
        .ok();
    let beta = ltmc
        .run(&["--project", "beta", "search", "--json", "secret"])
        .ok()
        .json();
    assert!(beta["results"].as_array().unwrap().is_empty());
    let alpha = ltmc
        .run(&["--project", "alpha", "search", "--json", "secret"])
        .ok()
        .json();
    assert_eq!(alpha["results"].as_array().unwrap().len(), 1);
}

#[test]
fn missing_model_is_one_clear_error() {
    let ltmc = Ltmc::new(false);
    let models = ltmc.dir.path().join("no-model");
    let run = ltmc
        .command()
        .args(["embed", "hello"])
        .env("LTMC_MODEL_DIR", &models)
        .env("LTMC_PYTHON", "/nonexistent/python3")
        .output()
        .unwrap();
    crate::support::Run::from(run).fails_with("model");
}

#[test]
fn a_broken_runtime_library_is_one_clear_error() {
    // Not a library at all, as a damaged or foreign-architecture file looks to
    // the loader: one error line and a hint, no panic. candle still works.
    let ltmc = Ltmc::new(false);
    let lib = ltmc.file("libonnxruntime.so", "not an ELF file");
    let run = ltmc
        .command()
        .args(["embed", "hello"])
        .env("LTMC_ONNXRUNTIME_LIB", &lib)
        .output()
        .unwrap();
    crate::support::Run::from(run).fails_with("runtime");
    let run = ltmc
        .command()
        .args(["--runtime", "candle", "embed", "hello"])
        .env("LTMC_ONNXRUNTIME_LIB", &lib)
        .output()
        .unwrap();
    assert!(run.status.success(), "{run:?}");
}

#[test]
fn doctor_reports_a_healthy_store() {
    let ltmc = Ltmc::new(true);
    let f = ltmc.file("d.md", "doctor check");
    ltmc.run(&["store", path_str(&f)]).ok();
    let report = ltmc.run(&["doctor", "--json"]).ok().json();
    assert_eq!(report["ok"], true, "{report}");
    let names: Vec<_> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        names,
        [
            "data_dir",
            "model",
            "schema",
            "vectors",
            "index",
            "storage",
            "citations",
            "runtime"
        ]
    );
    // The engine's own check: SQLite's quick_check, or PostgreSQL's index
    // validity (and amcheck where installed).
    let storage = report["checks"][5]["detail"].as_str().unwrap();
    let engine = if ltmc_store_pg::testing::postgres_selected() {
        "pg_index validity of the "
    } else {
        "SQLite quick_check found no damage"
    };
    assert!(storage.starts_with(engine), "{storage}");
}

/// A project past the HNSW threshold gets a graph file; `doctor` checks it
/// against the database; a damaged file is rebuilt on the next search, and
/// `reindex` rebuilds on demand.
#[test]
fn index_file_doctor_and_reindex() {
    let ltmc = Ltmc::new(true);
    for i in 0..30 {
        ltmc.file(
            &format!("many/n{i}.md"),
            format!("note {i} about topic {}", i * 13),
        );
    }
    let dir = ltmc.dir.path().join("files/many");
    let with_threshold = |args: &[&str]| {
        crate::support::Run::from(
            ltmc.command()
                .env("LTMC_ANN_THRESHOLD", "20")
                .args(args)
                .output()
                .unwrap(),
        )
    };
    with_threshold(&["store", path_str(&dir)]).ok();
    let files: Vec<_> = std::fs::read_dir(ltmc.data_dir().join("ltmc.db-ann"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    assert_eq!(
        files.len(),
        1,
        "store leaves the graph file current: {files:?}"
    );

    let report = with_threshold(&["doctor", "--json"]).ok().json();
    let index = &report["checks"][4];
    assert_eq!(index["name"], "index");
    assert_eq!(index["ok"], true, "{report}");
    assert!(
        index["detail"].as_str().unwrap().contains("hnsw 30/30"),
        "{report}"
    );

    // Damage the file: the next search still answers right (rebuilt).
    std::fs::write(&files[0], b"LTMCANN\0 not really").unwrap();
    let found = with_threshold(&[
        "search",
        "note 7 about topic 91",
        "--mode",
        "vector",
        "-k",
        "1",
        "--json",
    ])
    .ok()
    .json();
    assert_eq!(found["results"][0]["text"], "note 7 about topic 91");

    let rebuilt = with_threshold(&["reindex", "--all", "--json"]).ok().json();
    assert_eq!(rebuilt["ok"], true, "{rebuilt}");
    assert_eq!(rebuilt["indexes"][0]["indexed"], 30);
    assert_eq!(rebuilt["indexes"][0]["kind"], "hnsw");
    let report = with_threshold(&["doctor"]).ok();
    assert!(report.stdout.contains("index agrees"), "{report:?}");
}

#[test]
fn search_modes() {
    let ltmc = Ltmc::new(true);
    let a = ltmc.file("a.rs", "fn frobnicate_ledger_v7() { rebalance(); }");
    let b = ltmc.file(
        "b.md",
        "Ledgers are rebalanced nightly by the finance team.",
    );
    ltmc.run(&["store", path_str(&a), path_str(&b)]).ok();

    let default = ltmc
        .run(&["search", "--json", "frobnicate_ledger_v7"])
        .ok()
        .json();
    assert_eq!(default["mode"], "hybrid");
    assert!(
        default["results"][0]["file_name"]
            .as_str()
            .unwrap()
            .ends_with("a.rs")
    );

    let keyword = ltmc
        .run(&[
            "search",
            "--json",
            "--mode",
            "keyword",
            "frobnicate_ledger_v7",
        ])
        .ok()
        .json();
    let results = keyword["results"].as_array().unwrap();
    assert_eq!(
        results.len(),
        1,
        "only a.rs holds the identifier: {keyword}"
    );
    assert!(results[0]["keyword_score"].as_f64().unwrap() > 0.0);
    assert!(results[0]["similarity"].is_null());

    let vector = ltmc
        .run(&["search", "--json", "--mode", "vector", "finance team"])
        .ok()
        .json();
    let first = &vector["results"][0];
    assert_eq!(first["score"], first["similarity"]);

    // Query syntax of the keyword engine is never an error.
    for q in ["\"", "AND OR NOT", "*", "(", "-x", "NEAR("] {
        ltmc.run(&["search", "--json", "--mode", "keyword", "--", q])
            .ok();
    }
    // Usage errors come from clap: one error line naming the value and the valid ones.
    let run = ltmc.run(&["search", "--mode", "fuzzy", "x"]);
    assert_ne!(run.code, 0);
    assert!(
        run.stderr.starts_with("error: ")
            && run.stderr.contains("fuzzy")
            && run.stderr.contains("hybrid"),
        "{run:?}"
    );
}
