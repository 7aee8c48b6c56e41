//! `ltmc patterns mine`, `patterns drafts` and `patterns reject` end to end
//! on a small repository the test builds with the `git` command: the fix
//! commit becomes one draft with its commit and author; a second run reads
//! no commit and adds nothing; a rejected draft is gone and a run from the
//! root commit (`--since`) does not bring it back; bad input names the field;
//! noise (a typo fix) is counted per reason in the JSON and the text report;
//! runs limited by `--max-commits` go on into the older history.
//!
//! Not here: the classifier, folding and rule proposals (ltmc-mine's tests),
//! the store operations (the conformance checks).

use crate::support::{Ltmc, git, path_str};
use std::path::Path;

fn commit(repo: &Path, file: &str, content: &str, message: &str) -> String {
    std::fs::write(repo.join(file), content).unwrap();
    git(repo, &["add", file]);
    git(repo, &["commit", "-q", "-m", message]);
    git(repo, &["rev-parse", "HEAD"])
}

#[test]
fn mine_is_incremental_and_rejected_drafts_stay_out() {
    let ltmc = Ltmc::new(true);
    let repo = ltmc.dir.path().join("repo");
    std::fs::create_dir_all(&repo).unwrap();
    git(&repo, &["init", "-q"]);
    let root = commit(
        &repo,
        "client.py",
        "def client():\n    token = \"hard-coded-secret\"\n    return connect(token)\n",
        "Initial import",
    );
    let fix = commit(
        &repo,
        "client.py",
        "def client():\n    token = os.environ[\"API_TOKEN\"]\n    return connect(token)\n",
        "Fix leaked API token (#42)",
    );
    commit(&repo, "README.md", "# client\n", "Add a readme");
    let repo_arg = path_str(&repo);

    let first = ltmc
        .run(&["--json", "patterns", "mine", repo_arg])
        .ok()
        .json();
    assert_eq!(first["commits_scanned"], 3, "{first:#}");
    assert_eq!(first["fix_commits"], 1, "{first:#}");
    assert_eq!(first["drafts_created"], 1, "{first:#}");

    let again = ltmc
        .run(&["--json", "patterns", "mine", repo_arg])
        .ok()
        .json();
    assert_eq!(again["commits_scanned"], 0, "{again:#}");
    assert_eq!(again["drafts_created"], 0, "{again:#}");

    let drafts = ltmc.run(&["--json", "patterns", "drafts"]).ok().json();
    let list = drafts["items"].as_array().unwrap();
    assert_eq!(list.len(), 1, "{drafts:#}");
    assert_eq!(list[0]["origin"], "mined", "{drafts:#}");
    assert_eq!(list[0]["source"]["commits"][0], fix.as_str());
    assert!(
        list[0]["created_by"]
            .as_str()
            .unwrap()
            .contains("Ada Fixer"),
        "{drafts:#}"
    );
    let id = list[0]["id"].as_i64().unwrap().to_string();
    // No layer map: the draft waits for its reviewer to give the layers.
    assert_eq!(list[0]["layers"], serde_json::json!([]), "{drafts:#}");
    ltmc.run(&["patterns", "accept", &id]).fails_with("layers");
    let edited = ltmc
        .run(&[
            "--json",
            "patterns",
            "accept",
            &id,
            "--layers",
            "3",
            "--keep-in-queue",
        ])
        .ok()
        .json();
    assert_eq!(
        edited["pattern"]["layers"],
        serde_json::json!([3]),
        "{edited:#}"
    );

    ltmc.run(&["patterns", "reject", &id, "--reason", "not ours"])
        .ok();
    let from_root = ltmc
        .run(&["--json", "patterns", "mine", repo_arg, "--since", &root])
        .ok()
        .json();
    assert_eq!(from_root["drafts_created"], 0, "{from_root:#}");
    assert_eq!(from_root["tombstoned"], 1, "{from_root:#}");
    let drafts = ltmc.run(&["--json", "patterns", "drafts"]).ok().json();
    assert_eq!(drafts["items"].as_array().unwrap().len(), 0, "{drafts:#}");
    assert_eq!(drafts["tombstones"], 1, "{drafts:#}");

    ltmc.run(&["patterns", "mine", repo_arg, "--since", "no-such-rev"])
        .fails_with("since");
    ltmc.run(&["patterns", "reject", "9999"])
        .fails_with("not found");
}

#[test]
fn mine_counts_noise_and_limited_runs_resume() {
    let ltmc = Ltmc::new(true);
    let repo = ltmc.dir.path().join("repo");
    std::fs::create_dir_all(&repo).unwrap();
    git(&repo, &["init", "-q"]);
    commit(
        &repo,
        "README.md",
        "# client\n\nIt conects.\n",
        "Initial import",
    );
    commit(
        &repo,
        "client.py",
        "def client():\n    token = \"hard-coded-secret\"\n    return connect(token)\n",
        "Add the client",
    );
    commit(
        &repo,
        "client.py",
        "def client():\n    token = os.environ[\"API_TOKEN\"]\n    return connect(token)\n",
        "Fix leaked API token (#42)",
    );
    commit(
        &repo,
        "README.md",
        "# client\n\nIt connects.\n",
        "Fix typo in the readme",
    );
    let repo_arg = path_str(&repo);

    let first = ltmc
        .run(&["--json", "patterns", "mine", repo_arg, "--max-commits", "2"])
        .ok()
        .json();
    assert_eq!(first["commits_scanned"], 2, "{first:#}");
    assert_eq!(first["skipped"]["typo_or_docs_message"], 1, "{first:#}");
    assert_eq!(first["drafts_created"], 1, "{first:#}");
    assert_eq!(first["older_history_left"], true, "{first:#}");

    let text = ltmc
        .run(&["patterns", "mine", repo_arg, "--max-commits", "2"])
        .ok();
    let out = &text.stdout;
    assert!(out.contains("2 commits scanned"), "{out}");
    assert!(
        out.contains("the older history a limited run left is now mined"),
        "{out}"
    );
    let again = ltmc
        .run(&["--json", "patterns", "mine", repo_arg])
        .ok()
        .json();
    assert_eq!(again["commits_scanned"], 0, "{again:#}");
    assert_eq!(again["older_history_left"], false, "{again:#}");
}
