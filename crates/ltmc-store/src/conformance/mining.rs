//! Checks of mining state, mined drafts and tombstones ([`crate::MiningStore`]):
//! a run's drafts and the repository's state saved together, drafts already
//! mined or rejected left out, rejection deleting the pattern and its rules
//! and leaving a tombstone, a bad draft writing nothing (not even the state),
//! the resume point of the older history kept and replaced by each run, and
//! project isolation.
//!
//! Not here: git or folding (`ltmc-mine` tests them on repositories it builds).

use super::{
    Project, Store, assert_invalid, assert_not_found, assert_sound, is_rfc3339, project, vector_for,
};
use crate::{MinedDraft, MiningRun, SavedRun};
use ltmc_core::PatternId;
use ltmc_core::fix::{
    NewFixPattern, NewGuardianRule, PatternEmbeddings, PatternFilter, ProblemType, RuleFilter,
    RuleType, Severity,
};

const REPO: &str = "0123456789abcdef0123456789abcdef01234567";

fn draft(title: &str, key: &str, commits: &[&str]) -> MinedDraft {
    let mut pattern = NewFixPattern::new(
        title,
        ProblemType::Security,
        Severity::High,
        vec![4],
        format!("{title}: the problem"),
        "Apply the change of the commit",
    );
    pattern.code_before = Some("token = \"abc\"".to_owned());
    pattern.code_after = Some("token = env(\"TOKEN\")".to_owned());
    pattern.created_by = Some("Dev One <dev@example.com>".to_owned());
    MinedDraft {
        pattern,
        embeddings: PatternEmbeddings {
            content: vector_for(&format!("{title} content")),
            code: vector_for(&format!("{title} code")),
            problem: vector_for(&format!("{title} problem")),
        },
        rules: vec![NewGuardianRule {
            layer_number: 4,
            rule_name: format!("mined-{key}"),
            rule_type: RuleType::Detection,
            rule_pattern: r"token\s*=\s*.abc.".to_owned(),
            severity: Severity::High,
            action_required: format!("Apply fix pattern \"{title}\""),
            source_pattern_id: None,
            active: false,
            inactive_reason: Some("proposed by mining; not reviewed".to_owned()),
        }],
        fold_key: key.to_owned(),
        commits: commits.iter().map(|c| (*c).to_owned()).collect(),
    }
}

fn run(last: &str, drafts: Vec<MinedDraft>) -> MiningRun {
    MiningRun {
        repo_id: REPO.to_owned(),
        repo_path: "/src/repo".to_owned(),
        last_commit: last.to_owned(),
        resume: Vec::new(),
        drafts,
    }
}

async fn save(store: &dyn Store, p: &Project, r: MiningRun) -> SavedRun {
    store.save_mining_run(p, r).await.expect("save_mining_run")
}

async fn unreviewed(store: &dyn Store, p: &Project) -> Vec<String> {
    let filter = PatternFilter {
        reviewed: Some(false),
        ..PatternFilter::default()
    };
    let mut titles: Vec<String> = store
        .list_patterns(p, &filter)
        .await
        .expect("list_patterns")
        .into_iter()
        .map(|x| x.title)
        .collect();
    titles.sort();
    titles
}

pub async fn mining_run_saves_drafts_and_state(store: &dyn Store) {
    let p = project("alpha");
    assert_eq!(store.mining_state(&p, REPO).await.expect("state"), None);
    let saved = save(
        store,
        &p,
        run(
            "c2",
            vec![
                draft("Fix token leak", "k1", &["c2", "c1"]),
                draft("Fix race", "k2", &["c1"]),
            ],
        ),
    )
    .await;
    assert_eq!(saved.created.len(), 2);
    assert_eq!((saved.tombstoned, saved.already_mined), (0, 0));
    assert_eq!(saved.state.repo_id, REPO);
    assert_eq!(saved.state.repo_path, "/src/repo");
    assert_eq!(saved.state.last_commit, "c2");
    assert_eq!((saved.state.runs, saved.state.drafts_saved), (1, 2));
    assert!(
        is_rfc3339(&saved.state.updated_at),
        "{}",
        saved.state.updated_at
    );
    assert_eq!(
        store.mining_state(&p, REPO).await.expect("state"),
        Some(saved.state.clone())
    );
    assert_eq!(unreviewed(store, &p).await, ["Fix race", "Fix token leak"]);

    let first = saved.created[0];
    let pattern = store.get_pattern(&p, first).await.expect("get_pattern");
    assert_eq!(pattern.title, "Fix token leak");
    assert!(!pattern.reviewed);
    assert_eq!(
        pattern.created_by.as_deref(),
        Some("Dev One <dev@example.com>")
    );
    assert_eq!(
        store.pattern_source(&p, first).await.expect("source"),
        Some(("k1".to_owned(), vec!["c2".to_owned(), "c1".to_owned()]))
    );
    let rules = store
        .list_rules(
            &p,
            &RuleFilter {
                source_pattern_id: Some(first),
                ..RuleFilter::default()
            },
        )
        .await
        .expect("list_rules");
    assert_eq!(rules.len(), 1);
    assert!(!rules[0].active);
    assert_eq!(
        rules[0].inactive_reason.as_deref(),
        Some("proposed by mining; not reviewed")
    );
    // A pattern stored by hand has no mining source.
    let mut hand = draft("By hand", "unused", &["x"]);
    hand.pattern.reviewed = true;
    let stored = store
        .put_pattern(&p, hand.pattern, hand.embeddings, Vec::new(), Vec::new())
        .await
        .expect("put_pattern");
    assert_eq!(
        store
            .pattern_source(&p, stored.pattern.id)
            .await
            .expect("source"),
        None
    );
    assert_sound(store).await;
}

pub async fn mining_skips_mined_and_tombstoned_keys(store: &dyn Store) {
    let p = project("alpha");
    let first = save(store, &p, run("c1", vec![draft("Fix leak", "k1", &["c1"])])).await;
    let id = first.created[0];

    // The same change found again: left out, the state still advances.
    let again = save(
        store,
        &p,
        run(
            "c3",
            vec![
                draft("Fix leak again", "k1", &["c3"]),
                draft("Fix overflow", "k2", &["c2"]),
            ],
        ),
    )
    .await;
    assert_eq!(
        (again.created.len(), again.already_mined, again.tombstoned),
        (1, 1, 0)
    );
    assert_eq!(
        (again.state.last_commit.as_str(), again.state.runs),
        ("c3", 2)
    );
    assert_eq!(again.state.drafts_saved, 2);

    // Rejected: the pattern and its rules go, a tombstone stays.
    let tombstone = store
        .reject_pattern(&p, id, Some("noise".to_owned()))
        .await
        .expect("reject_pattern");
    assert_eq!(tombstone.fold_key, "k1");
    assert_eq!(tombstone.title, "Fix leak");
    assert_eq!(tombstone.reason.as_deref(), Some("noise"));
    assert!(
        is_rfc3339(&tombstone.rejected_at),
        "{}",
        tombstone.rejected_at
    );
    assert_not_found(&store.get_pattern(&p, id).await);
    let rules = store
        .list_rules(
            &p,
            &RuleFilter {
                source_pattern_id: Some(id),
                ..RuleFilter::default()
            },
        )
        .await
        .expect("list_rules");
    assert!(rules.is_empty(), "{rules:?}");
    assert_eq!(
        store.tombstones(&p).await.expect("tombstones"),
        vec![tombstone]
    );

    // Mining never brings it back.
    let later = save(store, &p, run("c4", vec![draft("Fix leak", "k1", &["c1"])])).await;
    assert_eq!(
        (later.created.len(), later.tombstoned, later.already_mined),
        (0, 1, 0)
    );
    assert_eq!(unreviewed(store, &p).await, ["Fix overflow"]);

    // A pattern stored by hand leaves a tombstone of its id; an unknown id is NotFound.
    let hand = draft("By hand", "unused", &["x"]);
    let stored = store
        .put_pattern(&p, hand.pattern, hand.embeddings, Vec::new(), Vec::new())
        .await
        .expect("put_pattern");
    let tombstone = store
        .reject_pattern(&p, stored.pattern.id, None)
        .await
        .expect("reject_pattern");
    assert_eq!(
        tombstone.fold_key,
        format!("pattern:{}", stored.pattern.id.0)
    );
    assert_eq!(tombstone.reason, None);
    assert_not_found(&store.reject_pattern(&p, PatternId(987_654), None).await);
    assert_eq!(store.tombstones(&p).await.expect("tombstones").len(), 2);
    assert_sound(store).await;
}

pub async fn mining_bad_run_writes_nothing(store: &dyn Store) {
    let p = project("alpha");
    let no_commits = draft("Fix b", "k2", &[]);
    let mut empty_key = draft("Fix c", "k3", &["c1"]);
    "  ".clone_into(&mut empty_key.fold_key);
    let mut short = draft("Fix d", "k4", &["c1"]);
    short.embeddings.code = vec![1.0, 0.0];
    let mut bad_pattern = draft("Fix e", "k5", &["c1"]);
    bad_pattern.pattern.layers = vec![9];
    for (bad, field) in [
        (no_commits, "commits"),
        (empty_key, "fold_key"),
        (bad_pattern, "layers"),
    ] {
        let result = store
            .save_mining_run(&p, run("c1", vec![draft("Fix a", "k1", &["c1"]), bad]))
            .await;
        assert_invalid(&result, field);
    }
    let result = store
        .save_mining_run(&p, run("c1", vec![draft("Fix a", "k1", &["c1"]), short]))
        .await;
    assert!(result.is_err(), "{result:?}");
    let mut no_repo = run("c1", Vec::new());
    no_repo.repo_id = String::new();
    assert_invalid(&store.save_mining_run(&p, no_repo).await, "repo_id");
    assert_invalid(
        &store.save_mining_run(&p, run(" ", Vec::new())).await,
        "last_commit",
    );
    assert_eq!(store.mining_state(&p, REPO).await.expect("state"), None);
    assert!(unreviewed(store, &p).await.is_empty());
    // A run without drafts still advances the state.
    let empty = save(store, &p, run("c9", Vec::new())).await;
    assert_eq!(
        (empty.state.last_commit.as_str(), empty.state.drafts_saved),
        ("c9", 0)
    );
    assert_sound(store).await;
}

pub async fn mining_projects_are_isolated(store: &dyn Store) {
    let a = project("alpha");
    let b = project("beta");
    let saved = save(store, &a, run("c1", vec![draft("Fix leak", "k1", &["c1"])])).await;
    assert_eq!(store.mining_state(&b, REPO).await.expect("state"), None);
    assert_not_found(&store.reject_pattern(&b, saved.created[0], None).await);
    assert_eq!(
        store
            .pattern_source(&b, saved.created[0])
            .await
            .expect("source"),
        None
    );
    store
        .reject_pattern(&a, saved.created[0], None)
        .await
        .expect("reject_pattern");
    assert!(store.tombstones(&b).await.expect("tombstones").is_empty());
    // Another project's tombstone does not stop this one's draft.
    let other = save(store, &b, run("c1", vec![draft("Fix leak", "k1", &["c1"])])).await;
    assert_eq!(other.created.len(), 1);
    assert_eq!(other.state.runs, 1);
    assert_sound(store).await;
}

pub async fn mining_resume_point_is_kept_and_replaced(store: &dyn Store) {
    let p = project("alpha");
    let mut first = run("c2", vec![draft("Fix leak", "k1", &["c2"])]);
    first.resume = vec!["a1".to_owned(), "b2".to_owned(), "^c0".to_owned()];
    let saved = save(store, &p, first).await;
    assert_eq!(saved.state.resume, ["a1", "b2", "^c0"]);
    assert_eq!(
        store
            .mining_state(&p, REPO)
            .await
            .expect("state")
            .map(|s| s.resume),
        Some(vec!["a1".to_owned(), "b2".to_owned(), "^c0".to_owned()])
    );
    // The next run's resume point replaces it; none left clears it.
    let mut second = run("c3", Vec::new());
    second.resume = vec!["b1".to_owned()];
    assert_eq!(save(store, &p, second).await.state.resume, ["b1"]);
    let third = save(store, &p, run("c3", Vec::new())).await;
    assert!(third.state.resume.is_empty(), "{:?}", third.state);
    assert_eq!(third.state.runs, 3);
    // A resume point that is no list of commit ids is refused, naming it.
    for bad in ["not-a-commit", "^", ""] {
        let mut r = run("c4", Vec::new());
        r.resume = vec!["a1".to_owned(), bad.to_owned()];
        assert_invalid(&store.save_mining_run(&p, r).await, "resume");
    }
    assert_eq!(
        store
            .mining_state(&p, REPO)
            .await
            .expect("state")
            .map(|s| s.last_commit),
        Some("c3".to_owned())
    );
    assert_sound(store).await;
}
