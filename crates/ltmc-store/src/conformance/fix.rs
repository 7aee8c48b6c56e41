//! Checks of the fix-pattern knowledge base (seed 000): file audits (upsert,
//! history, work times, filters, all-or-none batches), fix patterns (every
//! field read back, invalid input and unknown ids writing nothing, rule
//! names made free), the search (filters, threshold, cosine on vectors of
//! any length, ordering, limit), reviews, relationships, applications
//! (metrics, the audit's status and notes), guardian rules and their hit
//! statistics, and project isolation of all of it.
//!
//! Vectors here are built from the standard basis of the suite's 8
//! dimensions, so every similarity is known exactly; none is of unit length
//! unless a check needs it to be.

use super::{
    DIMENSION, Project, Store, StoreError, assert_invalid, assert_not_found, assert_sound,
    is_rfc3339, project, vector_for,
};
use crate::{PatternQuery, StoredPattern};
use ltmc_core::fix::{
    AuditFilter, AuditStatus, FileAudit, FixPattern, NewApplication, NewFileAudit, NewFixPattern,
    NewGuardianRule, NewRelationship, PatternEmbeddings, PatternFilter, ProblemType,
    RelationshipType, RuleFilter, RuleHit, RuleSpec, RuleType, Severity,
};
use ltmc_core::{AuditId, PatternId, RuleId};

// ---------------------------------------------------------------- helpers

fn audit(
    path: &str,
    layer: i64,
    workflows: &[&str],
    debt: Option<&str>,
    status: AuditStatus,
) -> NewFileAudit {
    NewFileAudit {
        file_path: path.to_owned(),
        layer_number: layer,
        workflows: workflows.iter().map(|w| (*w).to_owned()).collect(),
        technical_debt: debt.map(str::to_owned),
        status,
        notes: None,
    }
}

async fn upsert(store: &dyn Store, project: &Project, new: NewFileAudit) -> (FileAudit, bool) {
    store
        .upsert_audit(project, new)
        .await
        .expect("upsert_audit")
}

async fn history(
    store: &dyn Store,
    project: &Project,
    id: AuditId,
) -> Vec<(Option<AuditStatus>, AuditStatus)> {
    let changes = store
        .audit_history(project, id)
        .await
        .expect("audit_history");
    for change in &changes {
        assert_eq!(change.audit_id, id);
        assert!(is_rfc3339(&change.at), "{}", change.at);
    }
    changes.iter().map(|c| (c.from, c.to)).collect()
}

async fn audits_listed(store: &dyn Store, project: &Project, filter: &AuditFilter) -> Vec<String> {
    store
        .list_audits(project, filter)
        .await
        .expect("list_audits")
        .into_iter()
        .map(|a| a.file_path)
        .collect()
}

/// `scale` times the `i`-th vector of the standard basis.
fn axis(i: usize, scale: f32) -> Vec<f32> {
    let mut v = vec![0.0; DIMENSION];
    v[i] = scale;
    v
}

/// The sum of the given multiples of basis vectors.
fn mix(parts: &[(usize, f32)]) -> Vec<f32> {
    let mut v = vec![0.0; DIMENSION];
    for &(i, w) in parts {
        v[i] += w;
    }
    v
}

fn embeddings(content: Vec<f32>, problem: Vec<f32>) -> PatternEmbeddings {
    PatternEmbeddings {
        content,
        code: axis(7, 2.0),
        problem,
    }
}

/// A reviewed Security pattern of layer 4 with the seed's defaults.
fn pattern(title: &str) -> NewFixPattern {
    let mut new = NewFixPattern::new(
        title,
        ProblemType::Security,
        Severity::High,
        vec![4],
        format!("the problem {title} fixes"),
        "step one\nstep two",
    );
    new.reviewed = true;
    new
}

async fn put_pattern(
    store: &dyn Store,
    project: &Project,
    new: NewFixPattern,
    embeddings: PatternEmbeddings,
) -> FixPattern {
    store
        .put_pattern(project, new, embeddings, Vec::new(), Vec::new())
        .await
        .expect("put_pattern")
        .pattern
}

/// A pattern whose vectors are derived from its title.
async fn put_plain(store: &dyn Store, project: &Project, title: &str) -> FixPattern {
    let vectors = PatternEmbeddings {
        content: vector_for(title),
        code: vector_for(&format!("{title} code")),
        problem: vector_for(&format!("{title} problem")),
    };
    put_pattern(store, project, pattern(title), vectors).await
}

/// What the seed's search is asked by default: threshold 0.65, 10 results,
/// reviewed patterns only, no filter.
fn query(content: Vec<f32>) -> PatternQuery {
    PatternQuery {
        content,
        problem: None,
        layers: None,
        workflows: None,
        file_extension: None,
        min_confidence: 0.0,
        similarity_threshold: 0.65,
        limit: 10,
        include_unreviewed: false,
    }
}

async fn found(store: &dyn Store, project: &Project, query: &PatternQuery) -> Vec<PatternId> {
    let matches = store
        .search_patterns(project, query)
        .await
        .expect("search_patterns");
    assert!(matches.len() <= query.limit);
    for m in &matches {
        assert!(
            m.similarity > query.similarity_threshold,
            "{} at or below the threshold",
            m.similarity
        );
        assert!(m.pattern.confidence_score >= query.min_confidence);
        if query.problem.is_none() {
            assert!(
                m.problem_similarity.abs() < 1e-12,
                "{}",
                m.problem_similarity
            );
        }
    }
    matches.iter().map(|m| m.pattern.id).collect()
}

async fn patterns_listed(
    store: &dyn Store,
    project: &Project,
    filter: &PatternFilter,
) -> Vec<PatternId> {
    store
        .list_patterns(project, filter)
        .await
        .expect("list_patterns")
        .iter()
        .map(|p| p.id)
        .collect()
}

fn rule(layer: i64, name: &str, rule_type: RuleType) -> NewGuardianRule {
    NewGuardianRule {
        layer_number: layer,
        rule_name: name.to_owned(),
        rule_type,
        rule_pattern: r"api_key\s*=".to_owned(),
        severity: Severity::Critical,
        action_required: "read the key from the environment".to_owned(),
        source_pattern_id: None,
        active: true,
        inactive_reason: None,
    }
}

async fn rules_listed(
    store: &dyn Store,
    project: &Project,
    filter: &RuleFilter,
) -> Vec<(i64, String)> {
    store
        .list_rules(project, filter)
        .await
        .expect("list_rules")
        .into_iter()
        .map(|r| (r.layer_number, r.rule_name))
        .collect()
}

fn relationship(
    source: PatternId,
    target: PatternId,
    relationship_type: RelationshipType,
    strength: f64,
) -> NewRelationship {
    NewRelationship {
        source,
        target,
        relationship_type,
        strength,
        description: None,
    }
}

fn application(pattern: PatternId, audit: Option<AuditId>, success: bool) -> NewApplication {
    NewApplication {
        pattern_id: pattern,
        audit_id: audit,
        file_path: None,
        success,
        time_taken: None,
        time_saved: None,
        notes: None,
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-6
}

// ---------------------------------------------------------------- audits

/// An audit is created once per path and then updated in place (same id,
/// pattern and creation time); its history records the creation and each
/// status change, not the updates that keep the status; the first `In
/// Progress` starts the work, `Complete` or `Failed` ends it.
pub async fn audit_upsert_keeps_id_and_records_history(store: &dyn Store) {
    let p = project("alpha");
    let mut new = audit(
        " src\\auth\\login.py ",
        4,
        &["WF1", " WF3", "WF1"],
        Some("hardcoded token"),
        AuditStatus::NotStarted,
    );
    new.notes = Some("found in review".to_owned());
    let (created, was_created) = upsert(store, &p, new).await;
    assert!(was_created);
    assert_eq!(created.file_path, "src/auth/login.py");
    assert_eq!(created.layer_number, 4);
    assert_eq!(created.workflows, ["WF1", "WF3"]);
    assert_eq!(created.technical_debt.as_deref(), Some("hardcoded token"));
    assert_eq!(created.status, AuditStatus::NotStarted);
    assert_eq!(created.notes.as_deref(), Some("found in review"));
    assert_eq!(created.pattern_id, None);
    assert_eq!(
        (
            created.work_started_at.as_deref(),
            created.work_completed_at.as_deref()
        ),
        (None, None)
    );
    assert!(is_rfc3339(&created.created_at), "{}", created.created_at);
    assert!(is_rfc3339(&created.updated_at), "{}", created.updated_at);
    assert_eq!(
        store.get_audit(&p, created.id).await.expect("get_audit"),
        created
    );
    assert_eq!(
        store
            .find_audit_by_path(&p, "src/auth/login.py")
            .await
            .expect("find"),
        Some(created.clone())
    );
    assert_eq!(
        store
            .find_audit_by_path(&p, "src/other.py")
            .await
            .expect("find"),
        None
    );
    assert_eq!(
        history(store, &p, created.id).await,
        [(None, AuditStatus::NotStarted)]
    );

    // Work starts: same audit, new fields, the start recorded.
    let (started, was_created) = upsert(
        store,
        &p,
        audit(
            "src/auth/login.py",
            5,
            &["WF2"],
            None,
            AuditStatus::InProgress,
        ),
    )
    .await;
    assert!(!was_created);
    assert_eq!(started.id, created.id);
    assert_eq!(started.created_at, created.created_at);
    assert_eq!(started.layer_number, 5);
    assert_eq!(started.workflows, ["WF2"]);
    assert_eq!(started.technical_debt, None);
    assert_eq!(started.notes, None);
    let start = started.work_started_at.clone().expect("work_started_at");
    assert!(is_rfc3339(&start), "{start}");
    assert_eq!(started.work_completed_at, None);

    // The same status again: no history, the start kept.
    let mut again = audit(
        "src/auth/login.py",
        5,
        &["WF2"],
        Some("more debt"),
        AuditStatus::InProgress,
    );
    again.notes = Some("halfway".to_owned());
    let (again, _) = upsert(store, &p, again).await;
    assert_eq!(again.work_started_at.as_deref(), Some(start.as_str()));
    assert_eq!(again.notes.as_deref(), Some("halfway"));

    let (done, _) = upsert(
        store,
        &p,
        audit(
            "src/auth/login.py",
            5,
            &["WF2"],
            None,
            AuditStatus::Complete,
        ),
    )
    .await;
    assert_eq!(done.id, created.id);
    assert_eq!(done.work_started_at.as_deref(), Some(start.as_str()));
    let end = done.work_completed_at.clone().expect("work_completed_at");
    assert!(is_rfc3339(&end), "{end}");
    assert_eq!(
        history(store, &p, created.id).await,
        [
            (None, AuditStatus::NotStarted),
            (Some(AuditStatus::NotStarted), AuditStatus::InProgress),
            (Some(AuditStatus::InProgress), AuditStatus::Complete),
        ]
    );

    // Straight to an end on creation: both times set.
    let (direct, was_created) = upsert(
        store,
        &p,
        audit("src/models.py", 1, &[], None, AuditStatus::Failed),
    )
    .await;
    assert!(was_created);
    assert!(direct.work_started_at.is_some() && direct.work_completed_at.is_some());
    assert_eq!(
        history(store, &p, direct.id).await,
        [(None, AuditStatus::Failed)]
    );

    let unknown = AuditId(direct.id.0.max(created.id.0) + 1000);
    assert_not_found(&store.get_audit(&p, unknown).await);
    assert_not_found(&store.audit_history(&p, unknown).await);
    assert_invalid(
        &store
            .upsert_audit(&p, audit("  ", 1, &[], None, AuditStatus::NotStarted))
            .await,
        "file_path",
    );
    assert_invalid(
        &store
            .upsert_audit(&p, audit("src/x.py", 8, &[], None, AuditStatus::NotStarted))
            .await,
        "layer_number",
    );
    assert_eq!(
        audits_listed(store, &p, &AuditFilter::default())
            .await
            .len(),
        2
    );
    assert_sound(store).await;
}

/// Listings are by layer, then path; each filter narrows them (a workflow
/// matches whole names only); the limit cuts the ordered list.
pub async fn audit_list_filters_and_orders(store: &dyn Store) {
    let p = project("alpha");
    let rows = [
        (
            "c.py",
            3,
            &["WF1"][..],
            Some("debt c"),
            AuditStatus::NotStarted,
        ),
        ("a.py", 3, &["WF10"][..], None, AuditStatus::Complete),
        (
            "b.py",
            1,
            &["WF1", "WF2"][..],
            Some("debt b"),
            AuditStatus::InProgress,
        ),
        ("d.py", 7, &[][..], Some("debt d"), AuditStatus::NotStarted),
    ];
    let batch: Vec<NewFileAudit> = rows
        .iter()
        .map(|(path, layer, workflows, debt, status)| {
            audit(path, *layer, workflows, *debt, *status)
        })
        .collect();
    let stored = store.upsert_audits(&p, batch).await.expect("upsert_audits");
    assert_eq!(stored.len(), 4);
    assert!(stored.iter().all(|(_, created)| *created));

    let all = AuditFilter::default();
    assert_eq!(
        audits_listed(store, &p, &all).await,
        ["b.py", "a.py", "c.py", "d.py"]
    );
    let layer = AuditFilter {
        layer: Some(3),
        ..AuditFilter::default()
    };
    assert_eq!(audits_listed(store, &p, &layer).await, ["a.py", "c.py"]);
    let workflow = AuditFilter {
        workflow: Some("WF1".to_owned()),
        ..AuditFilter::default()
    };
    assert_eq!(audits_listed(store, &p, &workflow).await, ["b.py", "c.py"]);
    let status = AuditFilter {
        status: Some(AuditStatus::NotStarted),
        ..AuditFilter::default()
    };
    assert_eq!(audits_listed(store, &p, &status).await, ["c.py", "d.py"]);
    let debt = AuditFilter {
        has_debt: Some(true),
        ..AuditFilter::default()
    };
    assert_eq!(
        audits_listed(store, &p, &debt).await,
        ["b.py", "c.py", "d.py"]
    );
    let clean = AuditFilter {
        has_debt: Some(false),
        ..AuditFilter::default()
    };
    assert_eq!(audits_listed(store, &p, &clean).await, ["a.py"]);
    let combined = AuditFilter {
        workflow: Some("WF1".to_owned()),
        status: Some(AuditStatus::NotStarted),
        has_debt: Some(true),
        layer: Some(3),
        limit: None,
    };
    assert_eq!(audits_listed(store, &p, &combined).await, ["c.py"]);
    let limited = AuditFilter {
        limit: Some(2),
        ..AuditFilter::default()
    };
    assert_eq!(audits_listed(store, &p, &limited).await, ["b.py", "a.py"]);
    let none = AuditFilter {
        workflow: Some("WF9".to_owned()),
        ..AuditFilter::default()
    };
    assert!(audits_listed(store, &p, &none).await.is_empty());
    assert_sound(store).await;
}

/// A batch with one invalid audit writes none of it, not even the updates
/// of the valid ones; a valid batch creates and updates (a path given twice
/// is created, then updated).
pub async fn audit_batch_is_all_or_none(store: &dyn Store) {
    let p = project("alpha");
    let (existing, _) = upsert(
        store,
        &p,
        audit("keep.py", 2, &[], None, AuditStatus::NotStarted),
    )
    .await;
    let bad = vec![
        audit("keep.py", 2, &[], None, AuditStatus::Complete),
        audit("new.py", 3, &[], None, AuditStatus::NotStarted),
        audit("bad.py", 9, &[], None, AuditStatus::NotStarted),
    ];
    assert_invalid(&store.upsert_audits(&p, bad).await, "layer_number");
    assert_eq!(
        audits_listed(store, &p, &AuditFilter::default()).await,
        ["keep.py"]
    );
    assert_eq!(
        store.get_audit(&p, existing.id).await.expect("get_audit"),
        existing
    );
    assert_eq!(history(store, &p, existing.id).await.len(), 1);

    let good = vec![
        audit("keep.py", 2, &[], None, AuditStatus::InProgress),
        audit("new.py", 3, &[], None, AuditStatus::NotStarted),
        audit(
            "new.py",
            3,
            &[],
            Some("found later"),
            AuditStatus::NotStarted,
        ),
    ];
    let stored = store.upsert_audits(&p, good).await.expect("upsert_audits");
    let flags: Vec<bool> = stored.iter().map(|(_, created)| *created).collect();
    assert_eq!(flags, [false, true, false]);
    assert_eq!(stored[0].0.id, existing.id);
    assert_eq!(stored[1].0.id, stored[2].0.id);
    assert_eq!(stored[2].0.technical_debt.as_deref(), Some("found later"));
    assert_eq!(
        audits_listed(store, &p, &AuditFilter::default()).await,
        ["keep.py", "new.py"]
    );
    assert!(
        store
            .upsert_audits(&p, Vec::new())
            .await
            .expect("empty batch")
            .is_empty()
    );
    assert_sound(store).await;
}

// ---------------------------------------------------------------- patterns

/// Every field of a pattern reads back as given (normalized as its
/// validation says), with the relationships and rules stored beside it.
pub async fn pattern_put_get_roundtrip(store: &dyn Store) {
    let p = project("alpha");
    let (source, _) = upsert(
        store,
        &p,
        audit(
            "src/api/keys.py",
            4,
            &["WF4"],
            Some("key in code"),
            AuditStatus::InProgress,
        ),
    )
    .await;
    let (other, _) = upsert(
        store,
        &p,
        audit("src/api/other.py", 4, &[], None, AuditStatus::NotStarted),
    )
    .await;
    let earlier = put_plain(store, &p, "earlier pattern").await;
    let mut new = NewFixPattern::new(
        "Move API keys to the environment",
        ProblemType::Architecture,
        Severity::Critical,
        vec![4, 2, 4],
        "A secret is written in the source",
        "1. read it from the environment\n2. rotate the key",
    );
    new.code_type = Some("secret_in_code".to_owned());
    new.tags = vec!["secrets".to_owned(), "config".to_owned()];
    new.workflows = vec!["WF4".to_owned(), "WF1".to_owned()];
    new.file_types = vec!["PY".to_owned(), "*.ts".to_owned()];
    new.code_before = Some("API_KEY = \"abc\"".to_owned());
    new.code_after = Some("API_KEY = os.environ[\"API_KEY\"]".to_owned());
    new.verification_steps = Some("grep finds no key".to_owned());
    new.learnings = Some("keys leak through logs too".to_owned());
    new.prevention_guidance = Some("never commit a key".to_owned());
    new.source_file_audit_id = Some(source.id);
    new.applied_to_files = vec![source.id, other.id];
    new.dart_task_ids = vec!["DART-1".to_owned()];
    new.related_files = vec!["src/settings.py".to_owned()];
    new.applied_count = 8;
    new.success_rate = 0.875;
    new.avg_time_saved = 45;
    new.confidence_score = 0.9;
    new.last_applied = Some("2025-01-31T09:15:02.123Z".to_owned());
    new.guardian_rules = vec![RuleSpec {
        rule_name: "no-inline-key".to_owned(),
        rule_type: "prevention".to_owned(),
        rule_pattern: r#"API_KEY\s*=\s*""#.to_owned(),
        severity: Some("CRITICAL".to_owned()),
        action_required: None,
    }];
    new.anti_patterns = vec![r#"API_KEY\s*=\s*""#.to_owned()];
    new.created_by = Some("vector_db_architect".to_owned());
    new.reviewed = false;
    new.reviewer_notes = Some("looks right".to_owned());
    let expected = new.clone().validated().expect("a valid pattern");

    let mut made_rule = rule(4, "no-inline-key", RuleType::Enforcement);
    made_rule.source_pattern_id = Some(PatternId(-5));
    let stored: StoredPattern = store
        .put_pattern(
            &p,
            new,
            PatternEmbeddings {
                content: axis(0, 2.0),
                code: axis(1, 0.5),
                problem: axis(2, 1.0),
            },
            vec![NewRelationship {
                description: Some("builds on it".to_owned()),
                ..relationship(PatternId(-1), earlier.id, RelationshipType::Follows, 0.8)
            }],
            vec![made_rule],
        )
        .await
        .expect("put_pattern");
    let got = &stored.pattern;
    assert_eq!(got.title, expected.title);
    assert_eq!(got.problem_type, ProblemType::Architecture);
    assert_eq!(got.code_type, expected.code_type);
    assert_eq!(got.severity, Severity::Critical);
    assert_eq!(got.tags, ["secrets", "config"]);
    assert_eq!(got.layers, [4, 2]);
    assert_eq!(got.workflows, ["WF4", "WF1"]);
    assert_eq!(got.file_types, [".py", ".ts"]);
    assert_eq!(got.problem_description, expected.problem_description);
    assert_eq!(got.solution_steps, expected.solution_steps);
    assert_eq!(got.code_before, expected.code_before);
    assert_eq!(got.code_after, expected.code_after);
    assert_eq!(got.verification_steps, expected.verification_steps);
    assert_eq!(got.learnings, expected.learnings);
    assert_eq!(got.prevention_guidance, expected.prevention_guidance);
    assert_eq!(got.related_patterns, [earlier.id]);
    assert_eq!(got.source_file_audit_id, Some(source.id));
    assert_eq!(got.applied_to_files, [source.id, other.id]);
    assert_eq!(got.dart_task_ids, ["DART-1"]);
    assert_eq!(got.related_files, ["src/settings.py"]);
    assert_eq!(got.applied_count, 8);
    assert!(close(got.success_rate, 0.875), "{}", got.success_rate);
    assert_eq!(got.avg_time_saved, 45);
    assert!(close(got.confidence_score, 0.9), "{}", got.confidence_score);
    assert_eq!(got.last_applied, expected.last_applied);
    assert_eq!(got.guardian_rules, expected.guardian_rules);
    assert_eq!(got.anti_patterns, expected.anti_patterns);
    assert_eq!(got.created_by, expected.created_by);
    assert!(!got.reviewed);
    assert_eq!(got.reviewer_notes.as_deref(), Some("looks right"));
    assert!(is_rfc3339(&got.created_at), "{}", got.created_at);
    assert!(is_rfc3339(&got.updated_at), "{}", got.updated_at);
    assert_eq!(
        got.steps(),
        ["1. read it from the environment", "2. rotate the key"]
    );

    assert_eq!(stored.relationships.len(), 1);
    let rel = &stored.relationships[0];
    assert_eq!(
        (rel.source, rel.target, rel.relationship_type),
        (got.id, earlier.id, RelationshipType::Follows)
    );
    assert!(close(rel.strength, 0.8));
    assert_eq!(rel.description.as_deref(), Some("builds on it"));
    assert!(is_rfc3339(&rel.created_at));
    assert_eq!(stored.rules.len(), 1);
    let made = &stored.rules[0];
    assert_eq!(
        made.source_pattern_id,
        Some(got.id),
        "the new pattern is the source"
    );
    assert_eq!(
        (made.layer_number, made.rule_name.as_str()),
        (4, "no-inline-key")
    );
    assert_eq!(made.rule_type, RuleType::Enforcement);
    assert_eq!(
        (made.hit_count, made.files_hit, made.last_hit_at.as_deref()),
        (0, 0, None)
    );
    assert_eq!(store.get_rule(&p, made.id).await.expect("get_rule"), *made);

    assert_eq!(
        store.get_pattern(&p, got.id).await.expect("get_pattern"),
        *got
    );
    let all = PatternFilter::default();
    assert_eq!(
        patterns_listed(store, &p, &all).await,
        [got.id, earlier.id],
        "newest first"
    );
    let listed = store.list_patterns(&p, &all).await.expect("list_patterns");
    assert_eq!(listed[0], *got);
    assert_not_found(&store.get_pattern(&p, PatternId(got.id.0 + 1000)).await);
    assert_sound(store).await;
}

/// Pattern listings filter by review, problem type, layer, workflow and
/// tag, newest first, limited.
pub async fn pattern_list_filters(store: &dyn Store) {
    let p = project("alpha");
    let mut a = pattern("a");
    a.tags = vec!["auth".to_owned()];
    a.workflows = vec!["WF1".to_owned()];
    let a = put_pattern(store, &p, a, embeddings(axis(0, 1.0), axis(1, 1.0))).await;
    let mut b = pattern("b");
    b.problem_type = ProblemType::Standards;
    b.layers = vec![2, 3];
    b.reviewed = false;
    let b = put_pattern(store, &p, b, embeddings(axis(0, 1.0), axis(1, 1.0))).await;
    let c = put_plain(store, &p, "c").await;
    assert_eq!(
        patterns_listed(store, &p, &PatternFilter::default()).await,
        [c.id, b.id, a.id]
    );
    assert_eq!(
        patterns_listed(
            store,
            &p,
            &(PatternFilter {
                reviewed: Some(false),
                ..PatternFilter::default()
            })
        )
        .await,
        [b.id]
    );
    assert_eq!(
        patterns_listed(
            store,
            &p,
            &(PatternFilter {
                problem_type: Some(ProblemType::Security),
                ..PatternFilter::default()
            })
        )
        .await,
        [c.id, a.id]
    );
    assert_eq!(
        patterns_listed(
            store,
            &p,
            &(PatternFilter {
                layer: Some(3),
                ..PatternFilter::default()
            })
        )
        .await,
        [b.id]
    );
    assert_eq!(
        patterns_listed(
            store,
            &p,
            &(PatternFilter {
                workflow: Some("WF1".to_owned()),
                ..PatternFilter::default()
            })
        )
        .await,
        [a.id]
    );
    assert_eq!(
        patterns_listed(
            store,
            &p,
            &(PatternFilter {
                tag: Some("auth".to_owned()),
                ..PatternFilter::default()
            })
        )
        .await,
        [a.id]
    );
    assert_eq!(
        patterns_listed(
            store,
            &p,
            &(PatternFilter {
                limit: Some(2),
                ..PatternFilter::default()
            })
        )
        .await,
        [c.id, b.id]
    );
    assert_sound(store).await;
}

/// An invalid pattern, relationship or rule, a vector of another dimension
/// or all zeros, an unknown related pattern or source audit: refused, and
/// nothing is written (no pattern row, no relationship, no rule).
pub async fn pattern_invalid_writes_nothing(store: &dyn Store) {
    type Spoil = fn(
        &mut NewFixPattern,
        &mut PatternEmbeddings,
        &mut Vec<NewRelationship>,
        &mut Vec<NewGuardianRule>,
    );
    let p = project("alpha");
    let earlier = put_plain(store, &p, "earlier").await;
    let (elsewhere, _) = upsert(
        store,
        &project("beta"),
        audit("x.py", 1, &[], None, AuditStatus::NotStarted),
    )
    .await;
    let beta_pattern = put_plain(store, &project("beta"), "beta's").await;
    let rules_before = rules_listed(store, &p, &RuleFilter::default()).await;
    let cases: [(&str, Spoil); 14] = [
        ("title", |n, _, _, _| n.title = " ".into()),
        ("layers", |n, _, _, _| n.layers = vec![]),
        ("confidence_score", |n, _, _, _| n.confidence_score = 1.5),
        ("anti_patterns", |n, _, _, _| {
            n.anti_patterns = vec![String::new()];
        }),
        ("content_embedding", |_, e, _, _| {
            e.content = vec![0.0; DIMENSION];
        }),
        ("problem_embedding", |_, e, _, _| e.problem[0] = f32::NAN),
        ("strength", |_, _, r, _| r[0].strength = 1.5),
        ("action_required", |_, _, _, rules| {
            rules[0].action_required = " ".into();
        }),
        ("dimension", |_, e, _, _| {
            e.content = vec![1.0; DIMENSION + 1];
        }),
        ("dimension", |_, e, _, _| {
            e.code.pop();
        }),
        ("dimension", |_, e, _, _| e.problem = vec![1.0; 3]),
        ("not found", |_, _, r, _| r[0].target = PatternId(i64::MAX)),
        ("not found", |n, _, _, _| {
            n.source_file_audit_id = Some(AuditId(i64::MAX));
        }),
        ("not found", |_, _, r, _| r[0].target = PatternId(-7)),
    ];
    for (field, spoil) in cases {
        let mut new = pattern("spoiled");
        let mut vectors = embeddings(axis(0, 1.0), axis(1, 1.0));
        let mut relationships = vec![relationship(
            PatternId(0),
            earlier.id,
            RelationshipType::Enhances,
            0.5,
        )];
        let mut rules = vec![rule(4, "spoiled-rule", RuleType::Detection)];
        spoil(&mut new, &mut vectors, &mut relationships, &mut rules);
        let result = store
            .put_pattern(&p, new, vectors, relationships, rules)
            .await;
        match field {
            "dimension" => assert!(
                matches!(
                    result,
                    Err(StoreError::WrongDimension {
                        expected: DIMENSION,
                        ..
                    })
                ),
                "{result:?}"
            ),
            "not found" => assert_not_found(&result),
            field => assert_invalid(&result, field),
        }
        assert_eq!(
            patterns_listed(store, &p, &PatternFilter::default()).await,
            [earlier.id],
            "{field}"
        );
        assert_eq!(
            rules_listed(store, &p, &RuleFilter::default()).await,
            rules_before,
            "{field}"
        );
        assert!(
            store
                .related_patterns(&p, earlier.id, &RelationshipType::ALL)
                .await
                .expect("related")
                .is_empty()
        );
    }
    // Ids of another project are unknown here.
    for (rel_target, audit_id) in [(beta_pattern.id, None), (earlier.id, Some(elsewhere.id))] {
        let mut new = pattern("crossing");
        new.source_file_audit_id = audit_id;
        let result = store
            .put_pattern(
                &p,
                new,
                embeddings(axis(0, 1.0), axis(1, 1.0)),
                vec![relationship(
                    PatternId(0),
                    rel_target,
                    RelationshipType::Enhances,
                    0.5,
                )],
                Vec::new(),
            )
            .await;
        assert_not_found(&result);
        assert_eq!(
            patterns_listed(store, &p, &PatternFilter::default()).await,
            [earlier.id]
        );
    }
    assert_sound(store).await;
}

/// A rule made from a pattern whose name is taken in its layer gets `-2`,
/// `-3`...: by an existing rule or by an earlier rule of the same pattern.
/// The same name in another layer is free.
pub async fn pattern_rules_get_free_names(store: &dyn Store) {
    let p = project("alpha");
    let existing = store
        .add_rule(&p, rule(4, "no-token", RuleType::Prevention))
        .await
        .expect("add_rule");
    let stored = store
        .put_pattern(
            &p,
            pattern("tokens"),
            embeddings(axis(0, 1.0), axis(1, 1.0)),
            Vec::new(),
            vec![
                rule(4, "no-token", RuleType::Detection),
                rule(4, "no-token", RuleType::Enforcement),
                rule(5, "no-token", RuleType::Detection),
            ],
        )
        .await
        .expect("put_pattern");
    let names: Vec<(i64, &str)> = stored
        .rules
        .iter()
        .map(|r| (r.layer_number, r.rule_name.as_str()))
        .collect();
    assert_eq!(
        names,
        [(4, "no-token-2"), (4, "no-token-3"), (5, "no-token")]
    );
    assert!(
        stored
            .rules
            .iter()
            .all(|r| r.source_pattern_id == Some(stored.pattern.id))
    );
    assert_eq!(
        store.get_rule(&p, existing.id).await.expect("get_rule"),
        existing
    );
    let from_pattern = RuleFilter {
        source_pattern_id: Some(stored.pattern.id),
        ..RuleFilter::default()
    };
    assert_eq!(
        rules_listed(store, &p, &from_pattern).await,
        [
            (4, "no-token-2".to_owned()),
            (4, "no-token-3".to_owned()),
            (5, "no-token".to_owned())
        ]
    );
    assert_eq!(
        rules_listed(store, &p, &RuleFilter::default()).await.len(),
        4
    );
    assert_sound(store).await;
}

// ---------------------------------------------------------------- search

/// Reviewed patterns only unless asked; the layer, workflow, file-type and
/// confidence filters; the threshold (strictly above); the limit.
pub async fn pattern_search_filters(store: &dyn Store) {
    let p = project("alpha");
    let q = axis(0, 1.0);
    // All very similar to the query (cosine 1 or close), differing in what the filters read.
    let mut plain = pattern("plain");
    plain.layers = vec![4];
    let plain = put_pattern(store, &p, plain, embeddings(axis(0, 5.0), axis(1, 1.0))).await;
    let mut unreviewed = pattern("unreviewed");
    unreviewed.reviewed = false;
    let unreviewed = put_pattern(
        store,
        &p,
        unreviewed,
        embeddings(axis(0, 1.0), axis(1, 1.0)),
    )
    .await;
    let mut layered = pattern("layered");
    layered.layers = vec![2, 6];
    layered.workflows = vec!["WF3".to_owned(), "WF5".to_owned()];
    layered.file_types = vec![".tsx".to_owned()];
    let layered = put_pattern(
        store,
        &p,
        layered,
        embeddings(mix(&[(0, 1.0), (1, 0.1)]), axis(1, 1.0)),
    )
    .await;
    let mut python = pattern("python");
    python.file_types = vec![".py".to_owned()];
    python.workflows = vec!["WF1".to_owned()];
    python.confidence_score = 0.4;
    let python = put_pattern(
        store,
        &p,
        python,
        embeddings(mix(&[(0, 1.0), (2, 0.2)]), axis(1, 1.0)),
    )
    .await;
    // cos = 0.6: below the default threshold of 0.65.
    let weak = put_pattern(
        store,
        &p,
        pattern("weak"),
        embeddings(mix(&[(0, 3.0), (1, 4.0)]), axis(1, 1.0)),
    )
    .await;

    let sorted = |mut ids: Vec<PatternId>| {
        ids.sort();
        ids
    };
    assert_eq!(
        sorted(found(store, &p, &query(q.clone())).await),
        [plain.id, layered.id, python.id]
    );
    let all = PatternQuery {
        include_unreviewed: true,
        ..query(q.clone())
    };
    assert_eq!(
        sorted(found(store, &p, &all).await),
        [plain.id, unreviewed.id, layered.id, python.id]
    );
    let lower = PatternQuery {
        similarity_threshold: 0.5,
        ..all.clone()
    };
    assert_eq!(found(store, &p, &lower).await.len(), 5);
    let at_most = PatternQuery {
        similarity_threshold: 0.599,
        ..all.clone()
    };
    assert!(found(store, &p, &at_most).await.contains(&weak.id));

    let layers = PatternQuery {
        layers: Some(vec![6, 7]),
        ..query(q.clone())
    };
    assert_eq!(found(store, &p, &layers).await, [layered.id]);
    let no_layers = PatternQuery {
        layers: Some(Vec::new()),
        ..query(q.clone())
    };
    assert_eq!(
        found(store, &p, &no_layers).await.len(),
        3,
        "an empty list is no filter"
    );
    let workflows = PatternQuery {
        workflows: Some(vec!["WF5".to_owned(), "WF1".to_owned()]),
        ..query(q.clone())
    };
    assert_eq!(
        sorted(found(store, &p, &workflows).await),
        [layered.id, python.id]
    );
    let wf = PatternQuery {
        workflows: Some(vec!["WF".to_owned()]),
        ..query(q.clone())
    };
    assert!(
        found(store, &p, &wf).await.is_empty(),
        "workflows match whole names"
    );
    let py = PatternQuery {
        file_extension: Some(".py".to_owned()),
        ..query(q.clone())
    };
    assert_eq!(found(store, &p, &py).await, [python.id]);
    let upper = PatternQuery {
        file_extension: Some("PY".to_owned()),
        ..query(q.clone())
    };
    assert_eq!(
        found(store, &p, &upper).await,
        [python.id],
        "the extension is normalized"
    );
    let ts = PatternQuery {
        file_extension: Some(".ts".to_owned()),
        ..query(q.clone())
    };
    assert!(found(store, &p, &ts).await.is_empty());
    let confident = PatternQuery {
        min_confidence: 0.5,
        ..query(q.clone())
    };
    assert_eq!(
        sorted(found(store, &p, &confident).await),
        [plain.id, layered.id]
    );
    let one = PatternQuery {
        limit: 1,
        ..query(q.clone())
    };
    assert_eq!(found(store, &p, &one).await, [plain.id]);
    let zero = PatternQuery {
        limit: 0,
        ..query(q.clone())
    };
    assert!(found(store, &p, &zero).await.is_empty());
    let far = query(axis(3, 1.0));
    assert!(found(store, &p, &far).await.is_empty());

    let wrong = query(vec![1.0; DIMENSION - 1]);
    assert!(
        matches!(
            store.search_patterns(&p, &wrong).await,
            Err(StoreError::WrongDimension { .. })
        ),
        "a query of another dimension"
    );
    let bad_problem = PatternQuery {
        problem: Some(vec![1.0; DIMENSION + 2]),
        ..query(q.clone())
    };
    assert!(matches!(
        store.search_patterns(&p, &bad_problem).await,
        Err(StoreError::WrongDimension { .. })
    ));
    assert_sound(store).await;
}

/// Similarity is the cosine (a vector three times as long as the query is
/// similarity 1, which neither L2 distance nor a plain dot product gives);
/// results are ordered by the mean of content and problem similarity when
/// the query has a problem vector, by content similarity otherwise, then by
/// confidence, then by applied count.
pub async fn pattern_search_ranks_by_cosine(store: &dyn Store) {
    let p = project("alpha");
    let q = axis(0, 1.0);
    // content cos 1, problem cos 0 with the problem query below.
    let exact = put_pattern(
        store,
        &p,
        pattern("exact"),
        embeddings(axis(0, 3.0), axis(3, 2.0)),
    )
    .await;
    // content cos 0.8, problem cos 1.
    let both = put_pattern(
        store,
        &p,
        pattern("both"),
        embeddings(mix(&[(0, 4.0), (1, 3.0)]), axis(2, 0.5)),
    )
    .await;
    let only_content = store
        .search_patterns(&p, &query(q.clone()))
        .await
        .expect("search_patterns");
    let ranked: Vec<PatternId> = only_content.iter().map(|m| m.pattern.id).collect();
    assert_eq!(ranked, [exact.id, both.id]);
    assert!(
        close(only_content[0].similarity, 1.0),
        "cosine, not L2 or dot: {}",
        only_content[0].similarity
    );
    assert!(
        close(only_content[1].similarity, 0.8),
        "{}",
        only_content[1].similarity
    );
    assert!(
        only_content
            .iter()
            .all(|m| m.problem_similarity.abs() < 1e-12)
    );
    assert_eq!(
        only_content[0].pattern,
        store.get_pattern(&p, exact.id).await.expect("get_pattern")
    );

    let with_problem = PatternQuery {
        problem: Some(axis(2, 7.0)),
        ..query(q.clone())
    };
    let matches = store
        .search_patterns(&p, &with_problem)
        .await
        .expect("search_patterns");
    let ranked: Vec<PatternId> = matches.iter().map(|m| m.pattern.id).collect();
    assert_eq!(ranked, [both.id, exact.id], "0.9 mean before 0.5");
    assert!(close(matches[0].similarity, 0.8) && close(matches[0].problem_similarity, 1.0));
    assert!(close(matches[1].similarity, 1.0) && close(matches[1].problem_similarity, 0.0));
    // The threshold is on the content similarity alone.
    let strict = PatternQuery {
        similarity_threshold: 0.9,
        ..with_problem.clone()
    };
    assert_eq!(found(store, &p, &strict).await, [exact.id]);

    // Ties: confidence first, then applied count, on vectors of equal direction.
    let tie_vectors = || embeddings(axis(4, 1.0), axis(5, 1.0));
    let mut low = pattern("low confidence");
    low.confidence_score = 0.5;
    low.applied_count = 50;
    let low = put_pattern(store, &p, low, tie_vectors()).await;
    let mut used = pattern("used");
    used.confidence_score = 0.9;
    used.applied_count = 7;
    let used = put_pattern(store, &p, used, tie_vectors()).await;
    let mut unused = pattern("unused");
    unused.confidence_score = 0.9;
    unused.applied_count = 0;
    let unused = put_pattern(store, &p, unused, embeddings(axis(4, 9.0), axis(5, 1.0))).await;
    assert_eq!(
        found(store, &p, &query(axis(4, 0.25))).await,
        [used.id, unused.id, low.id]
    );
    assert_sound(store).await;
}

/// Reviewing sets the flag and the notes; notes not given are kept; an
/// unknown pattern is `NotFound`.
pub async fn pattern_review_sets_flag_and_notes(store: &dyn Store) {
    let p = project("alpha");
    let mut new = pattern("to review");
    new.reviewed = false;
    let stored = put_pattern(store, &p, new, embeddings(axis(0, 1.0), axis(1, 1.0))).await;
    assert!(found(store, &p, &query(axis(0, 1.0))).await.is_empty());
    let reviewed = store
        .review_pattern(&p, stored.id, true, Some("checked on two files".to_owned()))
        .await
        .expect("review_pattern");
    assert!(reviewed.reviewed);
    assert_eq!(
        reviewed.reviewer_notes.as_deref(),
        Some("checked on two files")
    );
    assert_eq!(
        (reviewed.id, &reviewed.title, &reviewed.created_at),
        (stored.id, &stored.title, &stored.created_at)
    );
    assert_eq!(
        store.get_pattern(&p, stored.id).await.expect("get_pattern"),
        reviewed
    );
    assert_eq!(found(store, &p, &query(axis(0, 1.0))).await, [stored.id]);
    let withdrawn = store
        .review_pattern(&p, stored.id, false, None)
        .await
        .expect("review_pattern");
    assert!(!withdrawn.reviewed);
    assert_eq!(
        withdrawn.reviewer_notes.as_deref(),
        Some("checked on two files")
    );
    assert!(found(store, &p, &query(axis(0, 1.0))).await.is_empty());
    assert_not_found(
        &store
            .review_pattern(&p, PatternId(stored.id.0 + 1000), true, None)
            .await,
    );
    assert_not_found(
        &store
            .review_pattern(&project("beta"), stored.id, true, None)
            .await,
    );
    assert!(
        !store
            .get_pattern(&p, stored.id)
            .await
            .expect("get_pattern")
            .reviewed
    );
    assert_sound(store).await;
}

// ---------------------------------------------------------------- relationships

/// Linking again updates strength and description (same id); related
/// patterns come strongest first, then by type, of the types asked; a
/// pattern's `related_patterns` are its targets, strongest first, each once.
pub async fn pattern_links_upsert_and_order(store: &dyn Store) {
    let p = project("alpha");
    let hub = put_plain(store, &p, "hub").await;
    let next = put_plain(store, &p, "next").await;
    let before = put_plain(store, &p, "before").await;
    let rival = put_plain(store, &p, "rival").await;
    let mut made = Vec::new();
    for (source, target, kind, strength) in [
        (hub.id, next.id, RelationshipType::Enhances, 0.5),
        (hub.id, before.id, RelationshipType::Prerequisite, 0.9),
        (hub.id, next.id, RelationshipType::Follows, 0.9),
        (hub.id, rival.id, RelationshipType::Conflicts, 1.0),
    ] {
        let stored = store
            .link_patterns(&p, relationship(source, target, kind, strength))
            .await
            .expect("link_patterns");
        assert_eq!(
            (stored.source, stored.target, stored.relationship_type),
            (source, target, kind)
        );
        made.push(stored);
    }
    let first = made[0].clone();
    let updated = store
        .link_patterns(
            &p,
            NewRelationship {
                description: Some("stronger than thought".to_owned()),
                ..relationship(hub.id, next.id, RelationshipType::Enhances, 0.7)
            },
        )
        .await
        .expect("link_patterns");
    assert_eq!(updated.id, first.id);
    assert_eq!(updated.created_at, first.created_at);
    assert!(close(updated.strength, 0.7));
    assert_eq!(
        updated.description.as_deref(),
        Some("stronger than thought")
    );

    let related = store
        .related_patterns(&p, hub.id, &RelationshipType::DEFAULT_RELATED)
        .await
        .expect("related_patterns");
    let seen: Vec<(PatternId, RelationshipType)> = related
        .iter()
        .map(|r| (r.id, r.relationship_type))
        .collect();
    assert_eq!(
        seen,
        [
            (next.id, RelationshipType::Follows),
            (before.id, RelationshipType::Prerequisite),
            (next.id, RelationshipType::Enhances),
        ]
    );
    assert_eq!(related[0].title, "next");
    assert!(close(related[2].strength, 0.7));
    assert_eq!(
        related[2].description.as_deref(),
        Some("stronger than thought")
    );
    let conflicts = store
        .related_patterns(&p, hub.id, &[RelationshipType::Conflicts])
        .await
        .expect("related_patterns");
    assert_eq!(
        conflicts.iter().map(|r| r.id).collect::<Vec<_>>(),
        [rival.id]
    );
    assert_eq!(
        store
            .get_pattern(&p, hub.id)
            .await
            .expect("get_pattern")
            .related_patterns,
        [rival.id, next.id, before.id]
    );
    assert!(
        store
            .related_patterns(&p, next.id, &RelationshipType::ALL)
            .await
            .expect("related")
            .is_empty()
    );
    assert!(
        store
            .get_pattern(&p, next.id)
            .await
            .expect("get_pattern")
            .related_patterns
            .is_empty()
    );

    assert_invalid(
        &store
            .link_patterns(
                &p,
                relationship(hub.id, hub.id, RelationshipType::Enhances, 0.5),
            )
            .await,
        "target_pattern_id",
    );
    assert_invalid(
        &store
            .link_patterns(
                &p,
                relationship(hub.id, next.id, RelationshipType::Enhances, -0.1),
            )
            .await,
        "strength",
    );
    let unknown = PatternId(rival.id.0 + 1000);
    assert_not_found(
        &store
            .link_patterns(
                &p,
                relationship(hub.id, unknown, RelationshipType::Enhances, 0.5),
            )
            .await,
    );
    assert_not_found(
        &store
            .link_patterns(
                &p,
                relationship(unknown, hub.id, RelationshipType::Enhances, 0.5),
            )
            .await,
    );
    assert_not_found(
        &store
            .related_patterns(&p, unknown, &RelationshipType::ALL)
            .await,
    );
    let beta = put_plain(store, &project("beta"), "beta's").await;
    assert_not_found(
        &store
            .link_patterns(
                &p,
                relationship(hub.id, beta.id, RelationshipType::Enhances, 0.5),
            )
            .await,
    );
    assert_eq!(
        store
            .related_patterns(&p, hub.id, &RelationshipType::ALL)
            .await
            .expect("related")
            .len(),
        4
    );
    assert_sound(store).await;
}

// ---------------------------------------------------------------- applications

/// An application moves the pattern's metrics (a success saving 30 minutes
/// then a failure saving 10: 2 applications, rate 0.5, 20 minutes), its last
/// application and the files it was applied to (each once), and the audit's
/// pattern, status (with history and work times) and notes (a line each).
pub async fn pattern_application_moves_metrics_and_audit(store: &dyn Store) {
    let p = project("alpha");
    let mut new_audit = audit(
        "src/auth.py",
        4,
        &["WF1"],
        Some("token in code"),
        AuditStatus::InProgress,
    );
    new_audit.notes = Some("first look".to_owned());
    let (target, _) = upsert(store, &p, new_audit).await;
    let started = target.work_started_at.clone().expect("started");
    let fresh = put_plain(store, &p, "Tokens from the vault").await;
    assert_eq!(
        (
            fresh.applied_count,
            fresh.avg_time_saved,
            fresh.last_applied.as_deref()
        ),
        (0, 0, None)
    );

    let mut first = application(fresh.id, Some(target.id), true);
    first.time_taken = Some(45);
    first.time_saved = Some(30);
    first.notes = Some("went smoothly".to_owned());
    let recorded = store
        .record_application(&p, first)
        .await
        .expect("record_application");
    let app = &recorded.application;
    assert_eq!(
        (app.pattern_id, app.audit_id, app.success),
        (fresh.id, Some(target.id), true)
    );
    assert_eq!(
        app.file_path.as_deref(),
        Some("src/auth.py"),
        "the audit's path"
    );
    assert_eq!((app.time_taken, app.time_saved), (Some(45), Some(30)));
    assert_eq!(app.notes.as_deref(), Some("went smoothly"));
    assert!(is_rfc3339(&app.applied_at), "{}", app.applied_at);
    let pattern = &recorded.pattern;
    assert_eq!(pattern.applied_count, 1);
    assert!(close(pattern.success_rate, 1.0));
    assert_eq!(pattern.avg_time_saved, 30);
    let last = pattern.last_applied.clone().expect("last_applied");
    assert!(is_rfc3339(&last), "{last}");
    assert_eq!(pattern.applied_to_files, [target.id]);
    assert_eq!(
        store.get_pattern(&p, fresh.id).await.expect("get_pattern"),
        *pattern
    );
    let audit_now = recorded.audit.clone().expect("the audit");
    assert_eq!(audit_now.id, target.id);
    assert_eq!(audit_now.pattern_id, Some(fresh.id));
    assert_eq!(audit_now.status, AuditStatus::Complete);
    assert_eq!(audit_now.work_started_at.as_deref(), Some(started.as_str()));
    assert!(audit_now.work_completed_at.is_some());
    assert_eq!(audit_now.technical_debt.as_deref(), Some("token in code"));
    let notes = audit_now.notes.clone().expect("notes");
    let lines: Vec<&str> = notes.lines().collect();
    assert_eq!(lines.len(), 2, "{notes}");
    assert_eq!(lines[0], "first look");
    assert!(lines[1].contains(&format!("#{}", fresh.id)), "{notes}");
    assert!(
        lines[1].contains("Tokens from the vault") && lines[1].contains("success"),
        "{notes}"
    );
    assert_eq!(
        store.get_audit(&p, target.id).await.expect("get_audit"),
        audit_now
    );

    let mut second = application(fresh.id, Some(target.id), false);
    second.time_saved = Some(10);
    let recorded = store
        .record_application(&p, second)
        .await
        .expect("record_application");
    let pattern = &recorded.pattern;
    assert_eq!(pattern.applied_count, 2);
    assert!(close(pattern.success_rate, 0.5), "{}", pattern.success_rate);
    assert_eq!(pattern.avg_time_saved, 20);
    assert_eq!(pattern.applied_to_files, [target.id], "the audit once");
    let failed = recorded.audit.clone().expect("the audit");
    assert_eq!(failed.status, AuditStatus::Failed);
    let notes = failed.notes.clone().expect("notes");
    assert_eq!(notes.lines().count(), 3, "{notes}");
    assert!(
        notes.lines().last().is_some_and(|l| l.contains("failure")),
        "{notes}"
    );
    assert_eq!(
        history(store, &p, target.id).await,
        [
            (None, AuditStatus::InProgress),
            (Some(AuditStatus::InProgress), AuditStatus::Complete),
            (Some(AuditStatus::Complete), AuditStatus::Failed),
        ]
    );

    // Without an audit: the file as given, no audit touched.
    let mut loose = application(fresh.id, None, true);
    loose.file_path = Some("scripts/deploy.sh".to_owned());
    let recorded = store
        .record_application(&p, loose)
        .await
        .expect("record_application");
    assert_eq!(recorded.audit, None);
    assert_eq!(
        recorded.application.file_path.as_deref(),
        Some("scripts/deploy.sh")
    );
    assert_eq!(recorded.pattern.applied_count, 3);
    assert!(close(recorded.pattern.success_rate, 2.0 / 3.0));
    assert_eq!(
        recorded.pattern.avg_time_saved, 20,
        "no time reported: the average stays"
    );
    assert_eq!(recorded.pattern.applied_to_files, [target.id]);

    let other = put_plain(store, &p, "other").await;
    store
        .record_application(&p, application(other.id, None, false))
        .await
        .expect("record_application");
    let all = store
        .list_applications(&p, None)
        .await
        .expect("list_applications");
    assert_eq!(all.len(), 4);
    assert!(all.windows(2).all(|w| w[0].id < w[1].id), "oldest first");
    assert_eq!(all[0].time_saved, Some(30));
    let of_fresh = store
        .list_applications(&p, Some(fresh.id))
        .await
        .expect("list_applications");
    assert_eq!(of_fresh.len(), 3);
    assert!(of_fresh.iter().all(|a| a.pattern_id == fresh.id));

    // Unknown ids and invalid input write nothing.
    let before = store.get_pattern(&p, fresh.id).await.expect("get_pattern");
    let audit_before = store.get_audit(&p, target.id).await.expect("get_audit");
    assert_not_found(
        &store
            .record_application(&p, application(fresh.id, Some(AuditId(i64::MAX)), true))
            .await,
    );
    assert_not_found(
        &store
            .record_application(&p, application(PatternId(i64::MAX), Some(target.id), true))
            .await,
    );
    let mut negative = application(fresh.id, Some(target.id), true);
    negative.time_taken = Some(-5);
    assert_invalid(&store.record_application(&p, negative).await, "time_taken");
    assert_eq!(
        store.get_pattern(&p, fresh.id).await.expect("get_pattern"),
        before
    );
    assert_eq!(
        store.get_audit(&p, target.id).await.expect("get_audit"),
        audit_before
    );
    assert_eq!(
        store
            .list_applications(&p, None)
            .await
            .expect("list_applications")
            .len(),
        4
    );
    assert_not_found(&store.list_applications(&p, Some(PatternId(i64::MAX))).await);
    assert_sound(store).await;
}

// ---------------------------------------------------------------- guardian

/// Rules read back as added, listed by layer then name with each filter; a
/// name taken in its layer is `Conflict`, in another layer free; an unknown
/// source pattern is `NotFound`; deactivation keeps its reason, activation
/// clears it.
pub async fn guardian_rules_add_list_activate(store: &dyn Store) {
    let p = project("alpha");
    let source = put_plain(store, &p, "source").await;
    let mut first = rule(4, "no-raw-sql", RuleType::Enforcement);
    first.source_pattern_id = Some(source.id);
    r"execute\(f?\x22".clone_into(&mut first.rule_pattern);
    let first = store.add_rule(&p, first).await.expect("add_rule");
    assert_eq!(
        (first.layer_number, first.rule_name.as_str()),
        (4, "no-raw-sql")
    );
    assert_eq!(first.rule_type, RuleType::Enforcement);
    assert_eq!(first.rule_pattern, r"execute\(f?\x22");
    assert_eq!(first.severity, Severity::Critical);
    assert_eq!(first.action_required, "read the key from the environment");
    assert_eq!(first.source_pattern_id, Some(source.id));
    assert!(first.active);
    assert_eq!(first.inactive_reason, None);
    assert_eq!(
        (
            first.hit_count,
            first.files_hit,
            first.last_hit_at.as_deref()
        ),
        (0, 0, None)
    );
    assert!(is_rfc3339(&first.created_at), "{}", first.created_at);
    assert_eq!(store.get_rule(&p, first.id).await.expect("get_rule"), first);
    let mut dormant = rule(2, "b-dormant", RuleType::Detection);
    dormant.active = false;
    dormant.inactive_reason = Some("fails on its own pattern's code".to_owned());
    let dormant = store.add_rule(&p, dormant).await.expect("add_rule");
    assert!(!dormant.active);
    assert_eq!(
        dormant.inactive_reason.as_deref(),
        Some("fails on its own pattern's code")
    );
    store
        .add_rule(&p, rule(4, "a-first", RuleType::Prevention))
        .await
        .expect("add_rule");
    store
        .add_rule(&p, rule(2, "no-raw-sql", RuleType::Detection))
        .await
        .expect("same name, other layer");

    let conflict = store
        .add_rule(&p, rule(4, " no-raw-sql ", RuleType::Detection))
        .await;
    match &conflict {
        Err(StoreError::Conflict(message)) => {
            assert!(
                message.contains("no-raw-sql") && message.contains('4'),
                "{message}"
            );
        }
        other => panic!("expected Conflict: {other:?}"),
    }
    let mut orphan = rule(3, "orphan", RuleType::Detection);
    orphan.source_pattern_id = Some(PatternId(i64::MAX));
    assert_not_found(&store.add_rule(&p, orphan).await);
    assert_invalid(
        &store
            .add_rule(&p, rule(0, "layer zero", RuleType::Detection))
            .await,
        "layer_number",
    );
    let mut blank = rule(3, "blank", RuleType::Detection);
    " ".clone_into(&mut blank.rule_pattern);
    assert_invalid(&store.add_rule(&p, blank).await, "rule_pattern");

    let named = |rules: &[(i64, &str)]| {
        rules
            .iter()
            .map(|(l, n)| (*l, (*n).to_owned()))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        rules_listed(store, &p, &RuleFilter::default()).await,
        named(&[
            (2, "b-dormant"),
            (2, "no-raw-sql"),
            (4, "a-first"),
            (4, "no-raw-sql")
        ])
    );
    let layer = RuleFilter {
        layer: Some(4),
        ..RuleFilter::default()
    };
    assert_eq!(
        rules_listed(store, &p, &layer).await,
        named(&[(4, "a-first"), (4, "no-raw-sql")])
    );
    let active = RuleFilter {
        active: Some(true),
        ..RuleFilter::default()
    };
    assert_eq!(rules_listed(store, &p, &active).await.len(), 3);
    let inactive = RuleFilter {
        active: Some(false),
        ..RuleFilter::default()
    };
    assert_eq!(
        rules_listed(store, &p, &inactive).await,
        named(&[(2, "b-dormant")])
    );
    let detection = RuleFilter {
        rule_type: Some(RuleType::Detection),
        ..RuleFilter::default()
    };
    assert_eq!(
        rules_listed(store, &p, &detection).await,
        named(&[(2, "b-dormant"), (2, "no-raw-sql")])
    );
    let sourced = RuleFilter {
        source_pattern_id: Some(source.id),
        ..RuleFilter::default()
    };
    assert_eq!(
        rules_listed(store, &p, &sourced).await,
        named(&[(4, "no-raw-sql")])
    );

    let off = store
        .set_rule_active(
            &p,
            first.id,
            false,
            Some("too many false positives".to_owned()),
        )
        .await
        .expect("set_rule_active");
    assert!(!off.active);
    assert_eq!(
        off.inactive_reason.as_deref(),
        Some("too many false positives")
    );
    assert_eq!(
        (off.id, &off.rule_name, &off.created_at),
        (first.id, &first.rule_name, &first.created_at)
    );
    assert_eq!(store.get_rule(&p, first.id).await.expect("get_rule"), off);
    let on = store
        .set_rule_active(&p, first.id, true, None)
        .await
        .expect("set_rule_active");
    assert!(on.active);
    assert_eq!(on.inactive_reason, None);
    let on_again = store
        .set_rule_active(&p, dormant.id, true, Some("ignored".to_owned()))
        .await
        .expect("set_rule_active");
    assert_eq!(
        on_again.inactive_reason, None,
        "an active rule has no inactive reason"
    );
    let unknown = RuleId(i64::MAX);
    assert_not_found(&store.get_rule(&p, unknown).await);
    assert_not_found(&store.set_rule_active(&p, unknown, false, None).await);
    assert_sound(store).await;
}

/// Hits add up per rule and file; a rule's hit count is their sum, its
/// files hit the number of files, its last hit set; per-file hits come most
/// first. A batch naming an unknown rule writes nothing.
pub async fn guardian_hits_statistics(store: &dyn Store) {
    let p = project("alpha");
    let one = store
        .add_rule(&p, rule(4, "one", RuleType::Enforcement))
        .await
        .expect("add_rule");
    let two = store
        .add_rule(&p, rule(4, "two", RuleType::Detection))
        .await
        .expect("add_rule");
    let hit = |rule_id: RuleId, file: &str, count: u64| RuleHit {
        rule_id,
        file_path: file.to_owned(),
        count,
    };
    store
        .record_rule_hits(
            &p,
            vec![
                hit(one.id, "a.py", 3),
                hit(one.id, "b.py", 1),
                hit(two.id, "a.py", 2),
            ],
        )
        .await
        .expect("record_rule_hits");
    store
        .record_rule_hits(&p, vec![hit(one.id, "a.py", 2)])
        .await
        .expect("record_rule_hits");
    let one_now = store.get_rule(&p, one.id).await.expect("get_rule");
    assert_eq!((one_now.hit_count, one_now.files_hit), (6, 2));
    let last = one_now.last_hit_at.clone().expect("last_hit_at");
    assert!(is_rfc3339(&last), "{last}");
    let two_now = store.get_rule(&p, two.id).await.expect("get_rule");
    assert_eq!((two_now.hit_count, two_now.files_hit), (2, 1));
    let per_file: Vec<(RuleId, String, i64)> = store
        .rule_file_hits(&p)
        .await
        .expect("rule_file_hits")
        .into_iter()
        .map(|h| {
            assert!(is_rfc3339(&h.last_hit_at), "{}", h.last_hit_at);
            (h.rule_id, h.file_path, h.hits)
        })
        .collect();
    assert_eq!(
        per_file,
        [
            (one.id, "a.py".to_owned(), 5),
            (two.id, "a.py".to_owned(), 2),
            (one.id, "b.py".to_owned(), 1)
        ]
    );

    let result = store
        .record_rule_hits(
            &p,
            vec![hit(two.id, "c.py", 4), hit(RuleId(i64::MAX), "a.py", 1)],
        )
        .await;
    assert_not_found(&result);
    assert_eq!(store.get_rule(&p, two.id).await.expect("get_rule"), two_now);
    assert_eq!(
        store
            .rule_file_hits(&p)
            .await
            .expect("rule_file_hits")
            .len(),
        3
    );
    store
        .record_rule_hits(&p, Vec::new())
        .await
        .expect("no hits");
    assert_sound(store).await;
}

// ---------------------------------------------------------------- isolation

/// Audits, patterns, applications and rules of one project are invisible to
/// another: the same path or rule name is another record there, and ids of
/// the other project are `NotFound` everywhere.
pub async fn fix_projects_are_isolated(store: &dyn Store) {
    let (alpha, beta) = (project("alpha"), project("beta"));
    let (a_audit, _) = upsert(
        store,
        &alpha,
        audit(
            "src/app.py",
            3,
            &["WF1"],
            Some("debt"),
            AuditStatus::NotStarted,
        ),
    )
    .await;
    let (b_audit, created) = upsert(
        store,
        &beta,
        audit("src/app.py", 5, &[], None, AuditStatus::Complete),
    )
    .await;
    assert!(created, "the same path in another project is another audit");
    assert_ne!(a_audit.id, b_audit.id);
    assert_eq!(
        store
            .get_audit(&alpha, a_audit.id)
            .await
            .expect("get_audit")
            .layer_number,
        3
    );
    assert_not_found(&store.get_audit(&beta, a_audit.id).await);
    assert_not_found(&store.audit_history(&beta, a_audit.id).await);
    assert_eq!(
        store
            .find_audit_by_path(&beta, "src/app.py")
            .await
            .expect("find")
            .map(|a| a.id),
        Some(b_audit.id)
    );
    assert_eq!(
        audits_listed(store, &beta, &AuditFilter::default())
            .await
            .len(),
        1
    );
    assert!(
        audits_listed(store, &project("gamma"), &AuditFilter::default())
            .await
            .is_empty()
    );

    let a_pattern = put_pattern(
        store,
        &alpha,
        pattern("alpha's"),
        embeddings(axis(0, 1.0), axis(1, 1.0)),
    )
    .await;
    assert_not_found(&store.get_pattern(&beta, a_pattern.id).await);
    assert!(
        patterns_listed(store, &beta, &PatternFilter::default())
            .await
            .is_empty()
    );
    let everything = PatternQuery {
        include_unreviewed: true,
        similarity_threshold: -1.0,
        ..query(axis(0, 1.0))
    };
    assert!(found(store, &beta, &everything).await.is_empty());
    assert_eq!(found(store, &alpha, &everything).await, [a_pattern.id]);
    assert_not_found(
        &store
            .related_patterns(&beta, a_pattern.id, &RelationshipType::ALL)
            .await,
    );
    assert_not_found(&store.list_applications(&beta, Some(a_pattern.id)).await);
    assert_not_found(
        &store
            .record_application(&beta, application(a_pattern.id, None, true))
            .await,
    );
    // beta's audit with alpha's pattern, and alpha's audit from beta.
    assert_not_found(
        &store
            .record_application(&alpha, application(a_pattern.id, Some(b_audit.id), true))
            .await,
    );
    let b_pattern = put_plain(store, &beta, "beta's").await;
    assert_not_found(
        &store
            .record_application(&beta, application(b_pattern.id, Some(a_audit.id), true))
            .await,
    );
    let mut sourced = pattern("sourced elsewhere");
    sourced.source_file_audit_id = Some(a_audit.id);
    assert_not_found(
        &store
            .put_pattern(
                &beta,
                sourced,
                embeddings(axis(0, 1.0), axis(1, 1.0)),
                Vec::new(),
                Vec::new(),
            )
            .await,
    );
    assert!(
        store
            .list_applications(&alpha, None)
            .await
            .expect("list_applications")
            .is_empty()
    );
    assert!(
        store
            .list_applications(&beta, None)
            .await
            .expect("list_applications")
            .is_empty()
    );
    assert_eq!(
        store
            .get_audit(&alpha, a_audit.id)
            .await
            .expect("get_audit"),
        a_audit
    );

    let a_rule = store
        .add_rule(&alpha, rule(4, "shared-name", RuleType::Detection))
        .await
        .expect("add_rule");
    let b_rule = store
        .add_rule(&beta, rule(4, "shared-name", RuleType::Detection))
        .await
        .expect("same name in another project");
    let mut crossing = rule(4, "crossing", RuleType::Detection);
    crossing.source_pattern_id = Some(a_pattern.id);
    assert_not_found(&store.add_rule(&beta, crossing).await);
    assert_not_found(&store.get_rule(&beta, a_rule.id).await);
    assert_not_found(&store.set_rule_active(&beta, a_rule.id, false, None).await);
    let hit = RuleHit {
        rule_id: a_rule.id,
        file_path: "x.py".to_owned(),
        count: 1,
    };
    assert_not_found(&store.record_rule_hits(&beta, vec![hit.clone()]).await);
    store
        .record_rule_hits(&alpha, vec![hit])
        .await
        .expect("record_rule_hits");
    assert!(
        store
            .rule_file_hits(&beta)
            .await
            .expect("rule_file_hits")
            .is_empty()
    );
    assert_eq!(
        store
            .rule_file_hits(&alpha)
            .await
            .expect("rule_file_hits")
            .len(),
        1
    );
    assert_eq!(
        rules_listed(store, &beta, &RuleFilter::default()).await,
        [(4, "shared-name".to_owned())]
    );
    assert_eq!(
        store
            .get_rule(&beta, b_rule.id)
            .await
            .expect("get_rule")
            .hit_count,
        0
    );
    assert!(
        store
            .get_rule(&alpha, a_rule.id)
            .await
            .expect("get_rule")
            .active
    );
    assert_sound(store).await;
}
