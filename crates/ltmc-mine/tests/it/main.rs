//! Integration tests of mining: small repositories built with git2 (a fix
//! commit, the same fix in two files of a later commit, a merge, a binary
//! file, a feature commit), mined into a real SQLite store with the
//! deterministic hash embedder. They check the drafts and their fields,
//! folding, the skip counts (noise per reason: typo-only, docs-only),
//! proposed rules, incremental runs adding nothing, runs limited by
//! `max_commits` resuming into the older history (side branches and new
//! commits included) until it is done, tombstones, dry runs, the layer map
//! and refused input.

mod repo;

use git2::Oid;
use ltmc_core::fix::{PatternFilter, RuleFilter};
use ltmc_core::{ChunkConfig, PatternId, Project};
use ltmc_embed::testing::HashEmbedder;
use ltmc_mine::layers::LayerMap;
use ltmc_mine::{MineError, MineOptions, MineReport, mine};
use ltmc_service::Memory;
use ltmc_store::NoProgress;
use ltmc_store_sqlite::SqliteStore;
use repo::TestRepo;
use std::sync::Arc;

const CLIENT: &str = "import os\n\ndef client():\n    token = \"hard-coded-secret-123\"\n    return connect(token)\n";
const CLIENT_FIXED: &str = "import os\n\ndef client():\n    token = os.environ[\"API_TOKEN\"]\n    return connect(token)\n";
const USER: &str = "class User:\n    def name(self):\n        return self.parts[0].strip()\n";
const USER_FIXED: &str =
    "class User:\n    def name(self):\n        return (self.parts or [\"\"])[0].strip()\n";

struct Env {
    _dir: tempfile::TempDir,
    memory: Memory,
    project: Project,
}

fn env() -> Env {
    let embedder = Arc::new(HashEmbedder::new(64).unwrap());
    let spec = ltmc_store::EmbeddingSpec {
        model_id: ltmc_embed::Embedder::model_id(embedder.as_ref()).to_owned(),
        dimension: 64,
    };
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("ltmc.db"), Some(&spec)).unwrap();
    let memory = Memory::new(Arc::new(store), embedder, ChunkConfig::default()).unwrap();
    Env {
        _dir: dir,
        memory,
        project: Project::default(),
    }
}

/// The history of the module docs: returns the repository and (c3, side, c6).
fn history() -> (TestRepo, [Oid; 3]) {
    let mut r = TestRepo::new();
    r.commit(
        "Initial import",
        &[
            ("app/api/client.py", Some(CLIENT.as_bytes())),
            ("app/api/worker.py", Some(CLIENT.as_bytes())),
            ("app/api/billing.py", Some(CLIENT.as_bytes())),
            ("app/models/user.py", Some(USER.as_bytes())),
            (
                "static/logo.png",
                Some(&[0x89, b'P', b'N', b'G', 0, 0, 1, 2, 0, 3]),
            ),
        ],
    );
    r.commit(
        "Add reporting feature",
        &[("app/api/report.py", Some(b"def report():\n    return 1\n"))],
    );
    let c3 = r.commit(
        "Fix hard-coded API token in the client (#12)",
        &[
            ("app/api/client.py", Some(CLIENT_FIXED.as_bytes())),
            (
                "static/logo.png",
                Some(&[0x89, b'P', b'N', b'G', 0, 0, 9, 9, 0, 3]),
            ),
        ],
    );
    // A side branch with a fix, and a docs commit on main, merged.
    let side = r.commit_on(
        &[c3],
        "Fix crash on users without a name\n\nEmpty parts raised IndexError.\n\nSigned-off-by: Dev One <dev@example.com>",
        &[("app/models/user.py", Some(USER_FIXED.as_bytes()))],
    );
    let docs = r.commit("Update the readme", &[("README.md", Some(b"# App\n"))]);
    let merge = r.commit_on(
        &[docs, side],
        "Merge branch 'fix-crash'",
        &[("app/models/user.py", Some(USER_FIXED.as_bytes()))],
    );
    r.set_head(merge);
    let c6 = r.commit(
        "fix: hard-coded API token in worker and billing (GH-7)",
        &[
            ("app/api/worker.py", Some(CLIENT_FIXED.as_bytes())),
            ("app/api/billing.py", Some(CLIENT_FIXED.as_bytes())),
        ],
    );
    (r, [c3, side, c6])
}

async fn run(env: &Env, options: MineOptions) -> MineReport {
    mine(&env.memory, &env.project, options, &NoProgress)
        .await
        .expect("mine")
}

async fn unreviewed(env: &Env) -> Vec<ltmc_core::fix::FixPattern> {
    env.memory
        .store()
        .list_patterns(
            &env.project,
            &PatternFilter {
                reviewed: Some(false),
                ..PatternFilter::default()
            },
        )
        .await
        .unwrap()
}

#[tokio::test]
async fn mining_drafts_fix_commits_folds_and_counts_skips() {
    let (r, [c3, side, c6]) = history();
    let env = env();
    let report = run(&env, MineOptions::new(r.path())).await;
    assert_eq!(report.commits_scanned, 7);
    assert_eq!(report.merges_skipped, 1);
    assert_eq!(report.binary_files_skipped, 1);
    assert_eq!(report.fix_commits, 3);
    assert_eq!((report.drafts, report.folded), (2, 1));
    assert_eq!(report.drafts_created, 2);
    assert_eq!(report.rules_proposed, 1);
    assert!(report.commits_per_second > 0.0);

    let patterns = unreviewed(&env).await;
    assert_eq!(patterns.len(), 2);
    let token = patterns
        .iter()
        .find(|p| p.title.contains("token"))
        .expect("the token draft");
    // The newest commit's text; the conventional prefix dropped.
    assert_eq!(
        token.title,
        "Hard-coded API token in worker and billing (GH-7)"
    );
    assert_eq!(token.applied_count, 3);
    assert_eq!(
        token.related_files,
        // git lists a commit's files by path.
        [
            "app/api/billing.py",
            "app/api/worker.py",
            "app/api/client.py"
        ]
    );
    assert_eq!(token.dart_task_ids, ["GH-7", "#12"]);
    assert_eq!(token.file_types, [".py"]);
    // No path map and no default layer: the reviewer gives the layers.
    assert!(token.layers.is_empty(), "{:?}", token.layers);
    assert_eq!(token.problem_type.as_str(), "Security");
    assert!(token.tags.contains(&"mined".to_owned()));
    assert_eq!(
        token.created_by.as_deref(),
        Some("Dev One <dev@example.com>")
    );
    let before = token.code_before.as_deref().unwrap();
    let after = token.code_after.as_deref().unwrap();
    assert!(before.contains("hard-coded-secret-123") && !after.contains("hard-coded-secret-123"));
    assert!(before.starts_with("# app/api/billing.py"), "{before}");
    let source = env
        .memory
        .store()
        .pattern_source(&env.project, token.id)
        .await
        .unwrap()
        .expect("a mined pattern has a source");
    assert_eq!(source.1, [c6.to_string(), c3.to_string()]);

    let crash = patterns.iter().find(|p| p.title.contains("crash")).unwrap();
    assert_eq!(crash.title, "Fix crash on users without a name");
    assert!(crash.problem_description.contains("IndexError"));
    assert!(!crash.problem_description.contains("Signed-off-by"));
    assert_eq!(crash.applied_count, 1);
    let source = env
        .memory
        .store()
        .pattern_source(&env.project, crash.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(source.1, [side.to_string()]);

    // The removed token line recurs in two fixes: one inactive rule, self-tested.
    let rules = env
        .memory
        .store()
        .list_rules(
            &env.project,
            &RuleFilter {
                source_pattern_id: Some(token.id),
                ..RuleFilter::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(rules.len(), 1);
    assert!(!rules[0].active);
    assert!(
        rules[0]
            .rule_pattern
            .contains("hard\\-coded\\-secret\\-123"),
        "{}",
        rules[0].rule_pattern
    );
    assert_eq!(
        ltmc_guard::test_rule_on_code(&rules[0].rule_pattern, Some(before), Some(after)).unwrap(),
        None
    );
}

#[tokio::test]
async fn second_run_adds_nothing_and_new_commits_are_mined() {
    let (mut r, _) = history();
    let env = env();
    let first = run(&env, MineOptions::new(r.path())).await;
    assert_eq!(first.drafts_created, 2);
    let again = run(&env, MineOptions::new(r.path())).await;
    assert_eq!((again.commits_scanned, again.drafts_created), (0, 0));
    assert_eq!(unreviewed(&env).await.len(), 2);

    r.commit(
        "Fix connection leak in the pool",
        &[(
            "app/api/report.py",
            Some(b"def report():\n    with pool() as c:\n        return 1\n"),
        )],
    );
    let third = run(&env, MineOptions::new(r.path())).await;
    assert_eq!(
        (
            third.commits_scanned,
            third.fix_commits,
            third.drafts_created
        ),
        (1, 1, 1)
    );
    let state = env
        .memory
        .store()
        .mining_state(&env.project, &third.repo_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(state.last_commit, r.head().unwrap().to_string());
    assert_eq!((state.runs, state.drafts_saved), (2, 3));
}

#[tokio::test]
async fn rejected_draft_never_returns() {
    let (r, _) = history();
    let env = env();
    run(&env, MineOptions::new(r.path())).await;
    let crash = unreviewed(&env)
        .await
        .into_iter()
        .find(|p| p.title.contains("crash"))
        .unwrap();
    env.memory
        .store()
        .reject_pattern(&env.project, crash.id, Some("not a pattern".into()))
        .await
        .unwrap();
    // Mining everything again (from the first commit): nothing comes back.
    let first_commit = {
        let mut walk = r.repo.revwalk().unwrap();
        walk.push_head().unwrap();
        walk.last().unwrap().unwrap()
    };
    let mut options = MineOptions::new(r.path());
    options.since = Some(first_commit.to_string());
    let again = run(&env, options).await;
    assert_eq!(again.drafts, 2);
    assert_eq!(
        (again.tombstoned, again.already_mined, again.drafts_created),
        (1, 1, 0)
    );
    let titles: Vec<String> = unreviewed(&env)
        .await
        .into_iter()
        .map(|p| p.title)
        .collect();
    assert_eq!(titles.len(), 1);
    assert!(titles[0].contains("token"), "{titles:?}");
    assert!(matches!(
        env.memory.store().get_pattern(&env.project, crash.id).await,
        Err(ltmc_store::StoreError::NotFound { .. })
    ));
    assert!(matches!(
        env.memory
            .store()
            .reject_pattern(&env.project, PatternId(4242), None)
            .await,
        Err(ltmc_store::StoreError::NotFound { .. })
    ));
}

#[tokio::test]
async fn dry_run_saves_nothing_and_layer_map_sets_layers() {
    let (r, _) = history();
    let env = env();
    let mut options = MineOptions::new(r.path());
    options.dry_run = true;
    options.layers = Some(LayerMap::parse("app/models/**=1\napp/api/**=3\n").unwrap());
    let report = run(&env, options).await;
    assert_eq!(report.preview.len(), 2);
    assert_eq!(report.drafts_created, 0);
    assert!(unreviewed(&env).await.is_empty());
    assert_eq!(
        env.memory
            .store()
            .mining_state(&env.project, &report.repo_id)
            .await
            .unwrap(),
        None
    );
    let crash = report
        .preview
        .iter()
        .find(|d| d.title.contains("crash"))
        .unwrap();
    assert_eq!(crash.files, ["app/models/user.py"]);

    let mut options = MineOptions::new(r.path());
    options.layers = Some(LayerMap::parse("app/models/**=1\napp/api/**=3\n").unwrap());
    run(&env, options).await;
    let patterns = unreviewed(&env).await;
    let layers = |needle: &str| {
        patterns
            .iter()
            .find(|p| p.title.contains(needle))
            .map(|p| p.layers.clone())
            .unwrap()
    };
    assert_eq!(layers("crash"), [1]);
    assert_eq!(layers("token"), [3]);
}

#[tokio::test]
async fn max_commits_limits_the_walk() {
    let (r, _) = history();
    let env = env();
    let mut options = MineOptions::new(r.path());
    options.max_commits = Some(1);
    let report = run(&env, options).await;
    assert_eq!(
        (
            report.commits_scanned,
            report.fix_commits,
            report.drafts_created
        ),
        (1, 1, 1)
    );
}

#[tokio::test]
async fn bad_input_is_refused_naming_the_field() {
    let env = env();
    let not_repo = tempfile::tempdir().unwrap();
    let err = mine(
        &env.memory,
        &env.project,
        MineOptions::new(not_repo.path()),
        &NoProgress,
    )
    .await
    .unwrap_err();
    assert!(
        matches!(err, MineError::Invalid { field: "repo", .. }),
        "{err}"
    );

    let (r, _) = history();
    let mut options = MineOptions::new(r.path());
    options.since = Some("no-such-rev".into());
    let err = mine(&env.memory, &env.project, options, &NoProgress)
        .await
        .unwrap_err();
    assert!(
        matches!(err, MineError::Invalid { field: "since", .. }),
        "{err}"
    );

    let mut options = MineOptions::new(r.path());
    options.default_layer = Some(8);
    let err = mine(&env.memory, &env.project, options, &NoProgress)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            MineError::Invalid {
                field: "default_layer",
                ..
            }
        ),
        "{err}"
    );

    // An empty repository is no error: nothing to mine.
    let empty = TestRepo::new();
    let report = run(&env, MineOptions::new(empty.path())).await;
    assert_eq!((report.commits_scanned, report.head), (0, None));
}

#[tokio::test]
async fn typo_and_docs_commits_give_no_draft_and_are_counted() {
    let mut r = TestRepo::new();
    r.commit(
        "Initial import",
        &[
            ("app/api/client.py", Some(CLIENT.as_bytes())),
            ("README.md", Some(b"# App\n\nIt conects to the API.\n")),
        ],
    );
    // A typo in a docstring: the code is the same.
    r.commit(
        "Fix the client's description",
        &[(
            "app/api/client.py",
            Some(
                "import os\n\ndef client():\n    \"\"\"Returns a conected client.\"\"\"\n    token = \"hard-coded-secret-123\"\n    return connect(token)\n"
                    .as_bytes(),
            ),
        )],
    );
    r.commit(
        "Fix the client's description again",
        &[(
            "app/api/client.py",
            Some(
                "import os\n\ndef client():\n    \"\"\"Returns a connected client.\"\"\"\n    token = \"hard-coded-secret-123\"\n    return connect(token)\n"
                    .as_bytes(),
            ),
        )],
    );
    r.commit(
        "Fix typo in the readme",
        &[("README.md", Some(b"# App\n\nIt connects to the API.\n"))],
    );
    r.commit(
        "Fix the install section",
        &[(
            "docs/install.rst",
            Some(b"Install\n=======\n\npip install app\n"),
        )],
    );
    r.commit(
        "Fix hard-coded API token in the client",
        &[(
            "app/api/client.py",
            Some(
                "import os\n\ndef client():\n    \"\"\"Returns a connected client.\"\"\"\n    token = os.environ[\"API_TOKEN\"]\n    return connect(token)\n"
                    .as_bytes(),
            ),
        )],
    );
    let env = env();
    let report = run(&env, MineOptions::new(r.path())).await;
    assert_eq!(report.candidates, 5, "{report:?}");
    assert_eq!((report.fix_commits, report.drafts_created), (1, 1));
    let skipped: Vec<(&str, usize)> = report
        .skipped
        .iter()
        .map(|(k, v)| (k.as_str(), *v))
        .collect();
    assert_eq!(
        skipped,
        [
            ("comments_or_prose_only", 2),
            ("docs_only", 1),
            ("typo_or_docs_message", 1)
        ]
    );
    let patterns = unreviewed(&env).await;
    assert_eq!(patterns.len(), 1);
    assert_eq!(patterns[0].title, "Fix hard-coded API token in the client");
}

/// A repository of an initial commit and `n` fix commits, each a distinct
/// change in its own module.
fn fixes(n: usize) -> TestRepo {
    let mut r = TestRepo::new();
    let files: Vec<(String, String)> = (0..n)
        .map(|i| {
            (
                format!("app/mod{i}.py"),
                format!("def f{i}(x{i}):\n    return eval(x{i})\n"),
            )
        })
        .collect();
    let initial: Vec<(&str, Option<&[u8]>)> = files
        .iter()
        .map(|(p, c)| (p.as_str(), Some(c.as_bytes())))
        .collect();
    r.commit("Initial import", &initial);
    for (i, (path, _)) in files.iter().enumerate() {
        let fixed = format!("def f{i}(x{i}):\n    return int(x{i})\n");
        r.commit(
            &format!("Fix unsafe eval of input in module {i}"),
            &[(path.as_str(), Some(fixed.as_bytes()))],
        );
    }
    r
}

async fn limited(env: &Env, r: &TestRepo, max: usize) -> MineReport {
    let mut options = MineOptions::new(r.path());
    options.max_commits = Some(max);
    run(env, options).await
}

#[tokio::test]
async fn limited_runs_resume_into_older_history_until_done() {
    let r = fixes(10);
    let env = env();
    let mut created = 0;
    let mut scanned = 0;
    for i in 0..4 {
        let report = limited(&env, &r, 3).await;
        assert_eq!(report.older_history_left, i < 3, "run {i}: {report:?}");
        assert_eq!(report.resume.is_empty(), i == 3, "run {i}");
        created += report.drafts_created;
        scanned += report.commits_scanned;
    }
    assert_eq!((scanned, created), (11, 10));
    assert_eq!(unreviewed(&env).await.len(), 10);
    let fifth = limited(&env, &r, 3).await;
    assert_eq!(
        (
            fifth.commits_scanned,
            fifth.drafts_created,
            fifth.older_history_left
        ),
        (0, 0, false)
    );
    let state = env
        .memory
        .store()
        .mining_state(&env.project, &fifth.repo_id)
        .await
        .unwrap()
        .unwrap();
    assert!(state.resume.is_empty());
    assert_eq!(state.last_commit, r.head().unwrap().to_string());
}

#[tokio::test]
async fn limited_runs_take_new_commits_first_then_older_ones() {
    let mut r = fixes(4);
    let env = env();
    let first = limited(&env, &r, 2).await;
    assert_eq!((first.commits_scanned, first.drafts_created), (2, 2));
    assert!(first.older_history_left);
    r.commit(
        "Fix connection leak in the pool",
        &[(
            "app/pool.py",
            Some(b"def pool():\n    with connect() as c:\n        return c\n"),
        )],
    );
    r.commit(
        "Fix connection leak in the pool for real",
        &[(
            "app/pool.py",
            Some(b"def pool():\n    with connect() as c:\n        yield c\n"),
        )],
    );
    r.commit(
        "Fix pool timeout handling",
        &[(
            "app/pool.py",
            Some(b"def pool():\n    with connect(timeout=5) as c:\n        yield c\n"),
        )],
    );
    // The new commits exceed the limit while older history waits: both
    // gaps are kept (as one range).
    let second = limited(&env, &r, 2).await;
    assert_eq!(second.commits_scanned, 2);
    assert!(second.older_history_left);
    // Then the rest: the drafts made before are not made again.
    let mut last = limited(&env, &r, 10).await;
    while last.older_history_left {
        last = limited(&env, &r, 10).await;
    }
    let titles: Vec<String> = unreviewed(&env)
        .await
        .into_iter()
        .map(|p| p.title)
        .collect();
    // Four older fixes and two of the new ones (the first only adds a file).
    assert_eq!(titles.len(), 6, "{titles:?}");
    assert!(titles.iter().any(|t| t.contains("module 0")), "{titles:?}");
    assert_eq!(limited(&env, &r, 10).await.commits_scanned, 0);
}

#[tokio::test]
async fn limited_runs_reach_side_branches() {
    let (r, _) = history();
    let env = env();
    let mut scanned = 0;
    let mut runs = 0;
    loop {
        let report = limited(&env, &r, 2).await;
        scanned += report.commits_scanned;
        runs += 1;
        if !report.older_history_left {
            break;
        }
        assert!(runs < 10, "never ends: {report:?}");
    }
    // Every commit once (the merge's side branch too): the same drafts as
    // one unlimited run.
    assert_eq!(scanned, 7);
    let titles: Vec<String> = unreviewed(&env)
        .await
        .into_iter()
        .map(|p| p.title)
        .collect();
    assert_eq!(titles.len(), 2, "{titles:?}");
    assert!(titles.iter().any(|t| t.contains("crash")), "{titles:?}");
}
