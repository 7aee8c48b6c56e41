//! Conformance checks of [`StoreDump`]: a hand-written dump holding a record
//! of every table in two projects, with ids and vector ids far from 1 and
//! gaps between them (as deletes leave them), goes into a fresh store and
//! comes back out record for record; the use-case traits see the ids; new
//! writes continue after them; a store with data, another model or a broken
//! record is refused and left as it was.
//!
//! Copies between two backends are tested where both exist (the `ltmc`
//! binary's `migrate_store` test); these checks need one fresh store only.

use super::{assert_sound, project, resource, spec, split, vector_for};
use crate::{
    AttemptLinkRecord, AuditHistoryRecord, CalibrationRecord, ChatMessageRecord, ChunkFilter,
    ChunkRecord, CodeAttemptRecord, ContextLinkRecord, Dump, FileAuditRecord, FixPatternRecord,
    GraphEdgeRecord, GuardianRuleRecord, MinedSourceRecord, MiningStateRecord, ModelRecord,
    PatternApplicationRecord, PatternRelationshipRecord, ResourceRecord, RuleHitRecord, Store,
    StoreDump, StoreError, TodoRecord, TombstoneRecord,
};
use ltmc_core::{ChunkId, ResourceId, content_hash};
use serde_json::json;

/// Times in the dump's form (UTC, milliseconds).
const T0: &str = "2025-01-31T09:15:02.123Z";
const T1: &str = "2025-02-01T10:00:00.000Z";

fn text(s: &str) -> String {
    s.to_owned()
}

/// A resource of `content` with its chunks (cut by [`split`]), ids from
/// `id` / `first_chunk` / `first_vector` on.
fn document(
    dump: &mut Dump,
    (id, first_chunk, first_vector): (i64, i64, i64),
    project: &str,
    resource_type: &str,
    content: &str,
    parts: usize,
) {
    dump.resources.push(ResourceRecord {
        id,
        project: text(project),
        file_name: format!("doc-{id}.md"),
        resource_type: text(resource_type),
        content_hash: content_hash(content),
        content: text(content),
        chunk_count: i64::try_from(parts).unwrap(),
        created_at: text(T0),
        metadata: if id == 11 {
            json!({"source": "conformance", "tags": ["a", "b"], "n": 1.5})
        } else {
            json!({})
        },
    });
    for (i, chunk) in split(content, parts).into_iter().enumerate() {
        let i = i64::try_from(i).unwrap();
        dump.chunks.push(ChunkRecord {
            id: first_chunk + i,
            resource_id: id,
            project: text(project),
            ordinal: i64::try_from(chunk.ordinal).unwrap(),
            start_byte: i64::try_from(chunk.start).unwrap(),
            end_byte: i64::try_from(chunk.end).unwrap(),
            text: chunk.text,
            vector_id: first_vector + i,
            vector: chunk.vector,
        });
    }
}

/// A record of every table, in projects `alpha` and `beta`.
pub fn sample_dump() -> Dump {
    let mut dump = Dump::new(Some(ModelRecord::from_spec(&spec())));
    document(
        &mut dump,
        (11, 21, 101),
        "alpha",
        "document",
        "Connection pools cap the open sockets. Retries back off exponentially.",
        2,
    );
    document(
        &mut dump,
        (12, 23, 103),
        "beta",
        "document",
        "Beta keeps notes of its own.",
        1,
    );
    document(
        &mut dump,
        (14, 25, 105),
        "alpha",
        "code_attempt",
        "split a csv line: def parse(t): return t.split(',')",
        1,
    );
    document(
        &mut dump,
        (15, 26, 106),
        "alpha",
        "code_attempt",
        "split a csv line again: def parse(t): return t.split(',', 1)",
        1,
    );
    dump.chat_messages.push(ChatMessageRecord {
        id: 31,
        project: text("alpha"),
        conversation_id: text("c1"),
        role: text("user"),
        content: text("How do retries back off?"),
        agent_name: Some(text("agent")),
        source_tool: None,
        metadata: json!({"k": 1, "nested": {"b": true, "a": null}}),
        created_at: text(T0),
    });
    for chunk_id in [21, 22] {
        dump.context_links.push(ContextLinkRecord {
            message_id: 31,
            chunk_id,
            project: text("alpha"),
        });
    }
    dump.todos.push(TodoRecord {
        id: 41,
        project: text("alpha"),
        title: text("Rotate certificates"),
        description: text("before March"),
        priority: text("high"),
        completed: true,
        created_at: text(T0),
        completed_at: Some(text(T1)),
    });
    dump.todos.push(TodoRecord {
        id: 42,
        project: text("beta"),
        title: text("Tune pools"),
        description: String::new(),
        priority: text("low"),
        completed: false,
        created_at: text(T1),
        completed_at: None,
    });
    dump.graph_edges.push(GraphEdgeRecord {
        id: 51,
        project: text("alpha"),
        source: text("11"),
        target: text("pools"),
        relation: text("mentions"),
        properties: json!({"weight": 0.5}),
        created_at: text(T0),
    });
    for (id, resource_id, result) in [(61, 14, "fail"), (62, 15, "pass")] {
        dump.code_attempts.push(CodeAttemptRecord {
            id,
            project: text("alpha"),
            resource_id,
            input_prompt: text("split a csv line"),
            generated_code: text("def parse(t): return t.split(',')"),
            result: text(result),
            function_name: Some(text("parse")),
            file_name: Some(text("csv.py")),
            module_name: None,
            execution_time_ms: Some(12),
            error_message: (result == "fail").then(|| text("IndexError")),
            tags: vec![text("csv"), text("parsing")],
            created_at: text(if id == 61 { T0 } else { T1 }),
        });
    }
    dump.attempt_links.push(AttemptLinkRecord {
        attempt_id: 62,
        related_id: 61,
        kind: text("similar_function"),
        // An f32 value, as stores are given.
        similarity: f64::from(0.8125_f32),
    });
    dump.file_audits.push(FileAuditRecord {
        id: 71,
        project: text("alpha"),
        file_path: text("src/a.py"),
        layer_number: 4,
        workflows: vec![text("WF1"), text("WF3")],
        technical_debt: Some(text("SQL pasted together from input")),
        status: text("Complete"),
        notes: Some(text("applied")),
        pattern_id: Some(81),
        work_started_at: Some(text(T0)),
        work_completed_at: Some(text(T1)),
        created_at: text(T0),
        updated_at: text(T1),
    });
    dump.file_audits.push(FileAuditRecord {
        id: 72,
        project: text("alpha"),
        file_path: text("src/b.py"),
        layer_number: 2,
        workflows: vec![],
        technical_debt: None,
        status: text("Not Started"),
        notes: None,
        pattern_id: None,
        work_started_at: None,
        work_completed_at: None,
        created_at: text(T0),
        updated_at: text(T0),
    });
    for (id, from, to, at) in [
        (73, None, "Not Started", T0),
        (74, Some(text("Not Started")), "Complete", T1),
    ] {
        dump.file_audit_history.push(AuditHistoryRecord {
            id,
            audit_id: 71,
            from_status: from,
            to_status: text(to),
            at: text(at),
        });
    }
    for id in [81, 82] {
        let full = id == 81;
        dump.fix_patterns.push(FixPatternRecord {
            id,
            project: text("alpha"),
            title: format!("Pattern {id}"),
            problem_type: text(if full { "Security" } else { "Standards" }),
            code_type: full.then(|| text("python")),
            severity: text(if full { "HIGH" } else { "LOW" }),
            tags: if full { vec![text("sql")] } else { vec![] },
            layers: if full { vec![3, 4] } else { vec![2] },
            workflows: if full { vec![text("WF1")] } else { vec![] },
            file_types: if full { vec![text(".py")] } else { vec![] },
            problem_description: format!("Problem of pattern {id}"),
            solution_steps: text("1. Bind parameters\n2. Test"),
            code_before: full.then(|| text("cur.execute('... ' + q)")),
            code_after: full.then(|| text("cur.execute('... %s', (q,))")),
            verification_steps: None,
            learnings: full.then(|| text("never paste input")),
            prevention_guidance: None,
            source_file_audit_id: full.then_some(72),
            applied_to_files: if full { vec![71] } else { vec![] },
            dart_task_ids: if full { vec![text("DART-1")] } else { vec![] },
            related_files: vec![],
            applied_count: if full { 2 } else { 0 },
            success_rate: if full { 0.5 } else { 1.0 },
            avg_time_saved: if full { 95 } else { 0 },
            confidence_score: if full { 0.875 } else { 1.0 },
            last_applied: full.then(|| text(T1)),
            guardian_rules: if full {
                json!([{"rule_name": "no-concat-sql", "rule_pattern": "execute\\(.*\\+",
                        "rule_type": "enforcement", "severity": "HIGH"}])
            } else {
                json!([])
            },
            anti_patterns: if full {
                vec![text("execute(... +")]
            } else {
                vec![]
            },
            citations: if full {
                vec![ltmc_core::citation::Citation {
                    path: text("app/db.py"),
                    start_line: 3,
                    end_line: 5,
                    hash: text("0123abcd"),
                    commit: Some(text("deadbeef")),
                }]
            } else {
                vec![]
            },
            created_at: text(T0),
            updated_at: text(T1),
            created_by: full.then(|| text("conformance")),
            reviewed: full,
            reviewer_notes: None,
            content_vector: vector_for(&format!("content {id}")),
            code_vector: vector_for(&format!("code {id}")),
            problem_vector: vector_for(&format!("problem {id}")),
        });
    }
    dump.pattern_relationships.push(PatternRelationshipRecord {
        id: 91,
        project: text("alpha"),
        source_pattern_id: 81,
        target_pattern_id: 82,
        relationship_type: text("prerequisite"),
        strength: 0.8,
        description: Some(text("first this")),
        created_at: text(T0),
    });
    for (id, audit, success) in [(93, Some(71), true), (94, None, false)] {
        dump.pattern_applications.push(PatternApplicationRecord {
            id,
            project: text("alpha"),
            pattern_id: 81,
            audit_id: audit,
            file_path: Some(text("src/a.py")),
            success,
            time_taken: success.then_some(25),
            time_saved: success.then_some(95),
            notes: None,
            applied_at: text(T1),
        });
    }
    for (id, project, active) in [(95, "alpha", true), (96, "beta", false)] {
        dump.guardian_rules.push(GuardianRuleRecord {
            id,
            project: text(project),
            layer_number: 4,
            rule_name: text("no-concat-sql"),
            rule_type: text("enforcement"),
            rule_pattern: text("execute\\(.*\\+"),
            severity: text("HIGH"),
            action_required: text("Bind parameters"),
            source_pattern_id: active.then_some(81),
            active,
            inactive_reason: (!active).then(|| text("noisy")),
            hit_count: if active { 3 } else { 0 },
            files_hit: i64::from(active),
            last_hit_at: active.then(|| text(T1)),
            created_at: text(T0),
        });
    }
    dump.guardian_rule_hits.push(RuleHitRecord {
        rule_id: 95,
        file_path: text("src/a.py"),
        hits: 3,
        last_hit_at: text(T1),
    });
    // A refit undone and the one after it (the calibration as stored: JSON).
    for (id, undone) in [(98, Some(text(T1))), (99, None)] {
        dump.fix_calibrations.push(CalibrationRecord {
            id,
            project: text("alpha"),
            model_id: spec().model_id,
            calibration: serde_json::json!({
                "model_id": spec().model_id, "fitted_at": T0, "source": "team",
                "samples": {"pairs": 40, "positives": 12, "debts": 30},
                "weights": [2.5, 0.0, 14.0, 9.5], "intercept": -4.5,
                "keep_threshold": 0.5, "raw_floor": 0.15, "reference_boost": 1.716
            }),
            report: serde_json::json!({"pairs": 40}),
            created_at: text(T0),
            undone_at: undone,
        });
    }
    // Mining: one repository's state, pattern 82 mined from two commits,
    // a rejected draft's tombstone.
    dump.mining_state.push(MiningStateRecord {
        project: text("alpha"),
        repo_id: text("r00t"),
        repo_path: text("/src/app"),
        last_commit: text("c2"),
        resume: vec![text("c1"), text("^c0")],
        runs: 2,
        drafts_saved: 1,
        updated_at: text(T1),
    });
    dump.mined_pattern_sources.push(MinedSourceRecord {
        pattern_id: 82,
        project: text("alpha"),
        repo_id: text("r00t"),
        fold_key: text("k82"),
        commits: vec![text("c2"), text("c1")],
    });
    dump.mining_tombstones.push(TombstoneRecord {
        project: text("alpha"),
        fold_key: text("k-gone"),
        title: text("Rejected draft"),
        reason: Some(text("noise")),
        rejected_at: text(T1),
    });
    // Positions past the ids held, as deletes leave them.
    for (sequence, next) in [
        ("resources", 20),
        ("chunks", 30),
        ("vector_ids", 110),
        ("chat_messages", 35),
        ("todos", 45),
        ("graph_edges", 55),
        ("code_attempts", 65),
        ("file_audits", 73),
        ("file_audit_history", 80),
        ("fix_patterns", 85),
        ("pattern_relationships", 92),
        ("pattern_applications", 95),
        ("guardian_rules", 97),
        ("fix_calibrations", 101),
    ] {
        dump.next_ids.insert(text(sequence), next);
    }
    dump.sort();
    dump
}

/// What `store` holds, as a dump.
async fn exported(store: &(impl Store + StoreDump)) -> Dump {
    store.export_dump().await.expect("export_dump")
}

pub async fn dump_import_keeps_ids_and_continues_sequences(store: &(impl Store + StoreDump)) {
    let dump = sample_dump();
    assert!(exported(store).await.is_empty());
    store.import_dump(&dump).await.expect("import_dump");

    // Record for record, ids and times as written.
    let mut back = exported(store).await;
    assert_eq!(back.checksums(), dump.checksums());
    for (sequence, next) in &dump.next_ids {
        assert!(
            back.next_ids.get(sequence).is_some_and(|got| got >= next),
            "{sequence}: {:?} < {next}",
            back.next_ids.get(sequence)
        );
    }
    back.next_ids.clone_from(&dump.next_ids);
    assert_eq!(back, dump);
    let counts = store.dump_counts().await.expect("dump_counts");
    assert_eq!(counts, dump.counts());

    // The use-case traits read the copied ids, and search finds the copies.
    let alpha = project("alpha");
    let source = store
        .pattern_source(&alpha, ltmc_core::PatternId(82))
        .await
        .expect("pattern_source");
    assert_eq!(source, Some((text("k82"), vec![text("c2"), text("c1")])));
    let state = store
        .mining_state(&alpha, "r00t")
        .await
        .expect("mining_state");
    assert_eq!(
        state.map(|s| (s.last_commit, s.runs, s.resume)),
        Some((text("c2"), 2, vec![text("c1"), text("^c0")]))
    );
    let stones = store.tombstones(&alpha).await.expect("tombstones");
    assert_eq!(stones.len(), 1);
    let chunks = store
        .chunks_of(&alpha, ResourceId(11))
        .await
        .expect("chunks_of");
    let ids: Vec<(i64, i64)> = chunks.iter().map(|c| (c.id.0, c.vector_id.0)).collect();
    assert_eq!(ids, vec![(21, 101), (22, 102)]);
    let hits = store
        .nearest_chunks(&alpha, &dump.chunks[0].vector, 1, &ChunkFilter::default())
        .await
        .expect("nearest_chunks");
    assert_eq!(hits[0].chunk.id, ChunkId(21));
    let words = store
        .keyword_chunks(&alpha, "pools", 3, &ChunkFilter::default())
        .await
        .expect("keyword_chunks");
    assert_eq!(words.first().map(|h| h.chunk.id), Some(ChunkId(21)));
    let beta = store
        .get_resource(&project("beta"), ResourceId(12))
        .await
        .expect("get_resource");
    assert_eq!(beta.created_at, T0);

    // New writes continue after every copied id and the source's positions.
    let content = "Written after the import.";
    let put = store
        .put_resource(
            resource(&alpha, "new.md", "document", content),
            split(content, 1),
        )
        .await
        .expect("put_resource");
    assert!(put.resource_id.0 >= 20, "{put:?}");
    let chunk = &store
        .chunks_of(&alpha, put.resource_id)
        .await
        .expect("chunks_of")[0];
    assert!(chunk.id.0 >= 30 && chunk.vector_id.0 >= 110, "{chunk:?}");
    assert_sound(store).await;
}

pub async fn dump_import_refuses_a_store_with_data(store: &(impl Store + StoreDump)) {
    let alpha = project("alpha");
    let content = "The store's own note.";
    store
        .put_resource(
            resource(&alpha, "own.md", "document", content),
            split(content, 1),
        )
        .await
        .expect("put_resource");
    let before = exported(store).await;
    let refused = store.import_dump(&sample_dump()).await;
    assert!(
        matches!(&refused, Err(StoreError::Conflict(m)) if m.contains("not empty")),
        "{refused:?}"
    );
    assert_eq!(exported(store).await, before);
    assert_sound(store).await;
}

pub async fn dump_failed_import_writes_nothing(store: &(impl Store + StoreDump)) {
    let mut other_model = sample_dump();
    if let Some(model) = &mut other_model.model {
        model.model_id = "another-model".into();
    }
    let refused = store.import_dump(&other_model).await;
    assert!(
        matches!(refused, Err(StoreError::WrongModel { .. })),
        "{refused:?}"
    );

    let mut wrong_dimension = sample_dump();
    wrong_dimension.chunks[0].vector.push(0.0);
    let refused = store.import_dump(&wrong_dimension).await;
    assert!(
        matches!(refused, Err(StoreError::WrongDimension { .. })),
        "{refused:?}"
    );

    // A link to a chunk the dump does not hold fails late, after most rows
    // were written: all of them must go.
    let mut broken = sample_dump();
    broken.context_links.push(ContextLinkRecord {
        message_id: 31,
        chunk_id: 999,
        project: "alpha".into(),
    });
    let refused = store.import_dump(&broken).await;
    assert!(refused.is_err(), "{refused:?}");
    assert!(exported(store).await.is_empty());
    assert!(
        store
            .dump_counts()
            .await
            .expect("dump_counts")
            .iter()
            .all(|(_, n)| *n == 0)
    );

    // The id sequences did not move either, and the store still takes the
    // whole dump.
    let content = "After a failed import.";
    let alpha = project("alpha");
    let put = store
        .put_resource(
            resource(&alpha, "after.md", "document", content),
            split(content, 1),
        )
        .await
        .expect("put_resource");
    assert!(put.resource_id.0 < 11, "{put:?}");
    store
        .delete_resource(&alpha, put.resource_id)
        .await
        .expect("delete_resource");
    store
        .import_dump(&sample_dump())
        .await
        .expect("import after a failed one");
    assert_sound(store).await;
}
