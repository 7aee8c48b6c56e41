//! What only the SQLite backend promises about the fix-pattern knowledge
//! base: a damaged pattern vector is reported, not searched; foreign keys
//! and cascades of migration 0005 hold; and (ignored by default, run with
//! `--release -- --ignored`) the search's speed on 10,000 patterns.
//!
//! The behaviour every backend shares is in the conformance suite
//! (`ltmc_store::conformance::fix`), not here.

use crate::support::{open, project, raw, temp_db};
use ltmc_core::fix::{
    AuditStatus, NewFileAudit, NewFixPattern, PatternEmbeddings, ProblemType, Severity,
};
use ltmc_store::conformance::vector_for;
use ltmc_store::{AuditStore, EmbeddingSpec, PatternQuery, PatternStore, StoreAdmin, StoreError};
use ltmc_store_sqlite::SqliteStore;
use std::time::{Duration, Instant};

fn new_pattern(title: &str, layer: i64) -> NewFixPattern {
    let mut new = NewFixPattern::new(
        title,
        ProblemType::Security,
        Severity::High,
        vec![layer],
        format!("the problem of {title}"),
        "step one\nstep two",
    );
    new.reviewed = true;
    new
}

fn embeddings(title: &str) -> PatternEmbeddings {
    PatternEmbeddings {
        content: vector_for(title),
        code: vector_for(&format!("{title} code")),
        problem: vector_for(&format!("{title} problem")),
    }
}

fn query(content: Vec<f32>) -> PatternQuery {
    PatternQuery {
        content,
        problem: None,
        layers: None,
        workflows: None,
        file_extension: None,
        min_confidence: 0.0,
        similarity_threshold: -1.0,
        limit: 10,
        include_unreviewed: true,
    }
}

/// A pattern vector of the wrong length (written behind the store's back)
/// makes the search fail as `Corrupt`, naming the pattern; the integrity of
/// the rest is unaffected.
#[tokio::test]
async fn damaged_pattern_vector_is_corrupt() {
    let (_dir, path) = temp_db();
    let store = open(&path);
    let p = project();
    let stored = store
        .put_pattern(
            &p,
            new_pattern("damaged", 4),
            embeddings("damaged"),
            Vec::new(),
            Vec::new(),
        )
        .await
        .expect("put_pattern");
    let id = stored.pattern.id;
    raw(&path)
        .execute(
            "UPDATE fix_pattern_vectors SET vector = x'0000' WHERE pattern_id = ?1 AND kind = 'content'",
            [id.0],
        )
        .expect("damage");
    let result = store.search_patterns(&p, &query(vector_for("x"))).await;
    match result {
        Err(StoreError::Corrupt(message)) => {
            assert!(message.contains(&format!("fix pattern {id}")), "{message}");
        }
        other => panic!("expected Corrupt: {other:?}"),
    }
}

/// The schema's own guards: a pattern's vectors, relationships and
/// applications go with it; an audit's pattern is cleared, not dangling.
#[tokio::test]
async fn deleting_a_pattern_cascades() {
    let (_dir, path) = temp_db();
    let store = open(&path);
    let p = project();
    let (audit, _) = store
        .upsert_audit(
            &p,
            NewFileAudit {
                file_path: "a.py".into(),
                layer_number: 4,
                workflows: Vec::new(),
                technical_debt: None,
                status: AuditStatus::NotStarted,
                notes: None,
            },
        )
        .await
        .expect("upsert_audit");
    let first = store
        .put_pattern(
            &p,
            new_pattern("first", 4),
            embeddings("first"),
            Vec::new(),
            Vec::new(),
        )
        .await
        .expect("put_pattern")
        .pattern;
    store
        .record_application(
            &p,
            ltmc_core::fix::NewApplication {
                pattern_id: first.id,
                audit_id: Some(audit.id),
                file_path: None,
                success: true,
                time_taken: None,
                time_saved: None,
                notes: None,
            },
        )
        .await
        .expect("record_application");
    let conn = raw(&path);
    conn.pragma_update(None, "foreign_keys", "ON")
        .expect("pragma");
    conn.execute("DELETE FROM fix_patterns WHERE id = ?1", [first.id.0])
        .expect("delete");
    for table in [
        "fix_pattern_vectors",
        "pattern_relationships",
        "pattern_applications",
    ] {
        let left: i64 = conn
            .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
            .expect("count");
        assert_eq!(left, 0, "{table}");
    }
    let audit = store.get_audit(&p, audit.id).await.expect("get_audit");
    assert_eq!(audit.pattern_id, None);
    let report = store.check_integrity().await.expect("check_integrity");
    assert!(report.is_ok(), "{report:?}");
}

/// A deterministic vector of any dimension, not of unit length.
fn long_vector(seed: u64, dimension: usize) -> Vec<f32> {
    let mut state = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    (0..dimension)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 40) as f32 / (1u64 << 23) as f32 - 1.0
        })
        .collect()
}

/// The p50 of a search over 10,000 patterns of 384 dimensions with long
/// texts, with a problem vector and filters. Run with
/// `cargo test --release -p ltmc-store-sqlite --test it -- --ignored fix::`.
#[tokio::test]
#[ignore = "slow: fills a store with 10,000 patterns"]
#[allow(clippy::print_stderr)]
async fn search_of_10k_patterns_is_fast() {
    const PATTERNS: u64 = 10_000;
    const DIMENSION: usize = 384;
    let (_dir, path) = temp_db();
    let dim_spec = EmbeddingSpec {
        model_id: "bench-384".into(),
        dimension: DIMENSION,
    };
    let store = SqliteStore::open(&path, Some(&dim_spec)).expect("open");
    let p = project();
    let filler = "x = compute(y) # a line of code\n".repeat(60);
    let started = Instant::now();
    for i in 0..PATTERNS {
        let mut new = new_pattern(&format!("pattern {i}"), (i % 7 + 1) as i64);
        new.reviewed = i % 2 == 0;
        new.workflows = vec![format!("WF{}", i % 10)];
        new.file_types = vec![if i % 3 == 0 { ".py" } else { ".ts" }.to_owned()];
        new.code_before = Some(filler.clone());
        new.code_after = Some(filler.clone());
        new.learnings = Some(filler.clone());
        let vectors = PatternEmbeddings {
            content: long_vector(i * 3 + 1, DIMENSION),
            code: long_vector(i * 3 + 2, DIMENSION),
            problem: long_vector(i * 3 + 3, DIMENSION),
        };
        store
            .put_pattern(&p, new, vectors, Vec::new(), Vec::new())
            .await
            .expect("put_pattern");
    }
    eprintln!("filled {PATTERNS} patterns in {:?}", started.elapsed());
    let mut times: Vec<Duration> = Vec::new();
    for round in 0..40_u64 {
        let mut q = query(long_vector(1_000_000 + round, DIMENSION));
        q.similarity_threshold = 0.0;
        q.include_unreviewed = round % 2 == 0;
        if round % 4 < 2 {
            q.problem = Some(long_vector(2_000_000 + round, DIMENSION));
        }
        if round % 8 >= 4 {
            q.layers = Some(vec![2, 4, 6]);
            q.workflows = Some(vec!["WF1".into(), "WF2".into(), "WF3".into()]);
            q.file_extension = Some(".ts".into());
        }
        let t = Instant::now();
        let found = store.search_patterns(&p, &q).await.expect("search");
        times.push(t.elapsed());
        if std::env::var_os("LTMC_BENCH_VERBOSE").is_some() {
            eprintln!(
                "round {round}: unreviewed {} problem {} filtered {}: {:?}",
                q.include_unreviewed,
                q.problem.is_some(),
                q.layers.is_some(),
                t.elapsed()
            );
        }
        assert_eq!(found.len(), 10);
    }
    times.sort();
    let p50 = times[times.len() / 2];
    eprintln!(
        "search p50 {p50:?}, min {:?}, max {:?}",
        times[0],
        times[times.len() - 1]
    );
    assert!(p50 < Duration::from_millis(500), "p50 {p50:?}");
}
