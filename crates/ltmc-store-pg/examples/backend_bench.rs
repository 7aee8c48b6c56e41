//! `backend_bench`: the two stores side by side on the same vectors, in one
//! run: the embedded SQLite store (its own HNSW graph, `ltmc-index`, above
//! `ann_threshold`, default 10,000 vectors) and the PostgreSQL store
//! (pgvector HNSW, `vector_cosine_ops`). Both get the same chunks through
//! `ResourceStore::put_resource` (resources of 100 chunks) and the same
//! queries through `VectorSearch::nearest_chunks` (k = 10), and the table
//! shows load time, search latency (p50, p95, p99, max) and recall@10
//! against exact ground truth computed here by a plain scan, unfiltered and
//! with two resource-type filters: 20% of the chunks (still the index path on
//! both) and 5% (fewer than 10,000 pass, so both answer exactly).
//!
//! Data: clustered synthetic unit vectors from `ltmc_index::synthetic`, each
//! cluster spreading along `--rank` directions of its own (embedding-like:
//! low intrinsic dimension), one cluster per thousand vectors. Queries are
//! held-out samples of the same clusters, never stored. Deterministic (fixed
//! seed). Every resource is one of three types, assigned by resource number:
//! `five` (every 20th resource), `twenty` (four in 20), `other` (the rest).
//!
//! ```text
//! scripts/with-pg cargo run --release -p ltmc-store-pg --example backend_bench
//! cargo run --release -p ltmc-store-pg --example backend_bench -- \
//!     --database-url postgres://postgres@127.0.0.1:5432/postgres --vectors 30000
//! ```
//!
//! The PostgreSQL server comes from `--database-url` or
//! `LTMC_TEST_DATABASE_URL` (its maintenance database); the bench creates a
//! database of its own there and drops it at the end
//! (`ltmc_store_pg::testing::TestDb`). The SQLite store lives in a temporary
//! directory. Flags: `--vectors N` (100000), `--queries Q` (200), `--dim D`
//! (384), `--rank R` (16), `--database-url URL`.
//!
//! What it is not: a test (it asserts nothing beyond the answers having k
//! hits), a model of real text (no embedder runs; the vectors are
//! synthetic), or a load test (one query at a time, one writer). Latencies
//! include everything behind the trait: SQLite's blocking-pool hop and the
//! chunk rows it fetches; PostgreSQL's pool checkout, its snapshot
//! transaction, the count of passing chunks, `hnsw.ef_search`, and the round
//! trips over loopback TCP. The two searches of a query run back to back so
//! that noise from other work on the machine hits both alike.
//!
//! Measured 2026-11-21 on the development machine (2 cores shared with
//! other builds, load average about 5; PostgreSQL 16.2 + pgvector 0.6.2 from
//! `scripts/with-pg`: shared_buffers 64MB, fsync off) with the defaults
//! (`--vectors 100000 --queries 200 --dim 384 --rank 16`), 11 minutes in all:
//!
//! ```text
//! | backend    | load (s) | chunks/s | index build (s)      | on disk (MB)    |
//! | SQLite     |      7.0 |    14319 | 99.5 (sync_indexes)  | 400             |
//! | PostgreSQL |    527.7 |      189 | in the load          | 435 (HNSW 205)  |
//!
//! | backend    | filter (passing)  | p50   | p95   | p99   | max    | recall@10 |
//! | plain scan | none (100000)     | 54.86 | 70.06 | 77.52 |  85.97 | 1.000     |
//! | SQLite     | none (100000)     |  1.48 |  7.29 | 18.20 |  44.76 | 1.000     |
//! | PostgreSQL | none (100000)     |  6.07 | 13.88 | 20.42 |  72.30 | 0.959     |
//! | SQLite     | type 20% (20000)  |  2.61 |  7.92 | 11.73 |  22.19 | 1.000     |
//! | PostgreSQL | type 20% (20000)  | 33.69 | 67.59 | 80.01 |  99.59 | 0.957     |
//! | SQLite     | type 5% (5000)    |  4.91 | 14.55 | 17.06 |  24.62 | 1.000     |
//! | PostgreSQL | type 5% (5000)    | 41.82 | 67.18 | 86.58 | 104.62 | 1.000     |
//! (milliseconds; no short answers; no exact fallback after a short HNSW scan)
//! ```
//!
//! PostgreSQL loads at about 200 chunks/s on this machine (falling from 300
//! to 190 as the graph grows), because every insert also goes into the HNSW
//! index; SQLite stores at 14,000/s and builds its graph afterwards. The
//! store asks pgvector with `hnsw.ef_search` 100 (recall 0.96); the SQLite
//! graph walk (ef 160) found every true neighbour. PostgreSQL's filtered
//! searches are slow because of the store's first step, the count of
//! passing chunks: after five executions its cached statement gets a
//! generic plan whose index condition is the project alone, so it walks
//! the project's chunks until 10,000 pass (about 50,000 for the 20% type,
//! all 100,000 for the 5% one), fetching heap pages while the visibility
//! map is still unset after the load.

// A measurement tool printing a table; its casts are of counts and timings.
#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    clippy::cast_possible_truncation
)]

use ltmc_core::vector::dot;
use ltmc_core::{NewChunk, NewResource, Project};
use ltmc_index::synthetic::{Clusters, Random};
use ltmc_store::{ChunkFilter, EmbeddingSpec, ResourceStore, StoreAdmin, VectorSearch};
use ltmc_store_pg::PgStore;
use ltmc_store_pg::testing::TestDb;
use ltmc_store_sqlite::SqliteStore;
use std::collections::HashSet;
use std::fmt::Write as _;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Chunks per stored resource.
const CHUNKS_PER_RESOURCE: usize = 100;
/// Hits per search.
const K: usize = 10;
/// Untimed searches per backend and filter before the timed ones.
const WARM_UP: usize = 5;

struct Args {
    database_url: Option<String>,
    vectors: usize,
    queries: usize,
    dimension: usize,
    rank: usize,
}

fn args() -> Args {
    let mut args = Args {
        database_url: std::env::var("LTMC_TEST_DATABASE_URL")
            .ok()
            .filter(|u| !u.is_empty()),
        vectors: 100_000,
        queries: 200,
        dimension: 384,
        rank: 16,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it
            .next()
            .unwrap_or_else(|| usage(&format!("{flag} needs a value")));
        let number = || -> usize {
            value
                .replace('_', "")
                .parse()
                .unwrap_or_else(|_| usage(&format!("{flag} takes a number, not {value:?}")))
        };
        match flag.as_str() {
            "--database-url" => args.database_url = Some(value.clone()),
            "--vectors" => args.vectors = number(),
            "--queries" => args.queries = number(),
            "--dim" | "--dimension" => args.dimension = number(),
            "--rank" => args.rank = number(),
            other => usage(&format!("unknown flag {other}")),
        }
    }
    if args.vectors == 0 || args.queries == 0 || args.dimension == 0 {
        usage("--vectors, --queries and --dim must be above 0");
    }
    args
}

fn usage(why: &str) -> ! {
    eprintln!("error: {why}");
    eprintln!(
        "usage: backend_bench [--database-url URL] [--vectors N] [--queries Q] [--dim D] [--rank R]"
    );
    std::process::exit(2);
}

/// The resource type of resource number `r`: 5% `five`, 20% `twenty`.
fn resource_type(r: usize) -> &'static str {
    match r % 20 {
        0 => "five",
        1..=4 => "twenty",
        _ => "other",
    }
}

/// A search filter of the table: its name, the type it keeps, and which
/// vectors (by index) pass it.
struct Case {
    name: &'static str,
    filter: ChunkFilter,
    passing: Vec<usize>,
}

fn cases(n: usize) -> Vec<Case> {
    let of_type = |t: &str| -> Vec<usize> {
        (0..n)
            .filter(|i| resource_type(i / CHUNKS_PER_RESOURCE) == t)
            .collect()
    };
    let only = |t: &str| ChunkFilter {
        resource_type: Some(t.to_owned()),
        exclude_types: Vec::new(),
    };
    vec![
        Case {
            name: "none",
            filter: ChunkFilter::default(),
            passing: (0..n).collect(),
        },
        Case {
            name: "type 20%",
            filter: only("twenty"),
            passing: of_type("twenty"),
        },
        Case {
            name: "type 5%",
            filter: only("five"),
            passing: of_type("five"),
        },
    ]
}

/// The `k` best of `passing` by score (ties by index), as a set.
fn top_k(scores: &[f32], passing: &[usize], k: usize) -> HashSet<usize> {
    let mut ranked: Vec<(f32, usize)> = passing.iter().map(|&i| (scores[i], i)).collect();
    let by_score = |a: &(f32, usize), b: &(f32, usize)| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1));
    if ranked.len() > k {
        ranked.select_nth_unstable_by(k - 1, by_score);
        ranked.truncate(k);
    }
    ranked.into_iter().map(|(_, i)| i).collect()
}

/// The text of chunk `i`; its index is read back from search hits.
fn chunk_text(i: usize) -> String {
    format!("chunk {i:07} ")
}

fn index_of(text: &str) -> usize {
    text.split_whitespace()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("a hit that is not a bench chunk: {text:?}"))
}

/// Timings of one backend and one case.
#[derive(Default)]
struct Measured {
    times: Vec<Duration>,
    found: usize,
    asked: usize,
    short: usize,
}

impl Measured {
    fn add(&mut self, took: Duration, hits: &[usize], truth: &HashSet<usize>) {
        self.times.push(took);
        self.found += hits.iter().filter(|i| truth.contains(i)).count();
        self.asked += truth.len();
        if hits.len() < truth.len() {
            self.short += 1;
        }
    }

    /// p50, p95, p99 (nearest rank) and max, in milliseconds.
    fn percentiles(&mut self) -> [f64; 4] {
        self.times.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let rank = |percent: usize| {
            let i = (percent * self.times.len())
                .div_ceil(100)
                .clamp(1, self.times.len());
            ms(self.times[i - 1])
        };
        let max = self.times.last().map_or(f64::NAN, |d| ms(*d));
        [rank(50), rank(95), rank(99), max]
    }

    fn recall(&self) -> f64 {
        self.found as f64 / self.asked.max(1) as f64
    }
}

/// Counts the PostgreSQL store's "searching exactly" fallbacks (a debug
/// event of `ltmc_store_pg::search`), the only sign of that path the trait
/// leaves.
struct FallbackCounter(Arc<AtomicUsize>);

impl tracing::Subscriber for FallbackCounter {
    fn enabled(&self, metadata: &tracing::Metadata<'_>) -> bool {
        metadata.is_event() && metadata.target().starts_with("ltmc_store_pg::search")
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        struct Message(String);
        impl tracing::field::Visit for Message {
            fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
                if field.name() == "message" {
                    let _ = write!(self.0, "{value:?}");
                }
            }
        }
        let mut message = Message(String::new());
        event.record(&mut message);
        if message.0.contains("searching exactly") {
            self.0.fetch_add(1, Ordering::Relaxed);
        }
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

/// Stores chunk `i` with vector `data[i]` in resources of
/// [`CHUNKS_PER_RESOURCE`] chunks; returns the seconds it took.
async fn load(store: &dyn ResourceStore, project: &Project, data: &[Vec<f32>], what: &str) -> f64 {
    let started = Instant::now();
    let resources = data.len().div_ceil(CHUNKS_PER_RESOURCE);
    for (r, vectors) in data.chunks(CHUNKS_PER_RESOURCE).enumerate() {
        let mut content = String::new();
        let mut chunks = Vec::with_capacity(vectors.len());
        for (ordinal, vector) in vectors.iter().enumerate() {
            let start = content.len();
            content.push_str(&chunk_text(r * CHUNKS_PER_RESOURCE + ordinal));
            chunks.push(NewChunk {
                ordinal,
                start,
                end: content.len(),
                text: content[start..].to_owned(),
                vector: vector.clone(),
            });
        }
        let resource = NewResource {
            project: project.clone(),
            file_name: format!("bench-{r:05}.txt"),
            resource_type: resource_type(r).to_owned(),
            content,
            metadata: serde_json::json!({"synthetic": true}),
        };
        store
            .put_resource(resource, chunks)
            .await
            .unwrap_or_else(|e| panic!("{what}: put_resource: {e}"));
        if (r + 1) % (resources / 10).max(1) == 0 {
            let done = ((r + 1) * CHUNKS_PER_RESOURCE).min(data.len());
            let seconds = started.elapsed().as_secs_f64();
            eprintln!(
                "  {what}: {done} chunks in {seconds:.1} s ({:.0} chunks/s)",
                done as f64 / seconds
            );
        }
    }
    started.elapsed().as_secs_f64()
}

async fn search(
    store: &dyn VectorSearch,
    project: &Project,
    query: &[f32],
    filter: &ChunkFilter,
    what: &str,
) -> (Duration, Vec<usize>) {
    let started = Instant::now();
    let hits = store
        .nearest_chunks(project, query, K, filter)
        .await
        .unwrap_or_else(|e| panic!("{what}: nearest_chunks: {e}"));
    let took = started.elapsed();
    (took, hits.iter().map(|h| index_of(&h.chunk.text)).collect())
}

fn megabytes_under(path: &Path) -> f64 {
    fn bytes(path: &Path) -> u64 {
        match std::fs::metadata(path) {
            Ok(m) if m.is_dir() => std::fs::read_dir(path).map_or(0, |entries| {
                entries.flatten().map(|e| bytes(&e.path())).sum()
            }),
            Ok(m) => m.len(),
            Err(_) => 0,
        }
    }
    bytes(path) as f64 / 1e6
}

/// How PostgreSQL plans the store's index query (the inner query of
/// `search.rs`'s `approximate`), with the database's sizes.
async fn explain(url: &str, project: &Project, query: &[f32]) -> (Vec<String>, f64, f64) {
    let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .expect("connect for EXPLAIN");
    let conn = tokio::spawn(conn);
    let rows = client
        .query(
            "EXPLAIN SELECT c.id, c.embedding <=> $4 AS distance FROM chunks c \
             WHERE c.project = $1 AND ($2::text IS NULL OR c.resource_type = $2) \
             AND c.resource_type <> ALL ($3::text[]) ORDER BY c.embedding <=> $4 LIMIT 10",
            &[
                &project.as_str(),
                &None::<String>,
                &Vec::<String>::new(),
                &pgvector::Vector::from(query.to_vec()),
            ],
        )
        .await
        .expect("EXPLAIN");
    // The query vector's literal says nothing: shortened.
    let plan = rows
        .iter()
        .map(|r| {
            let line: String = r.get(0);
            match (line.find("'["), line.find("]'")) {
                (Some(start), Some(end)) if start < end => {
                    format!("{}'[...]'{}", &line[..start], &line[end + 2..])
                }
                _ => line,
            }
        })
        .collect();
    let sizes = client
        .query_one(
            "SELECT pg_database_size(current_database()), \
                    pg_relation_size('chunks_embedding_hnsw')",
            &[],
        )
        .await
        .expect("sizes");
    let (db, index): (i64, i64) = (sizes.get(0), sizes.get(1));
    drop(client);
    let _ = conn.await;
    (plan, db as f64 / 1e6, index as f64 / 1e6)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args = args();
    let Some(server) = args.database_url.clone() else {
        usage(
            "no PostgreSQL server: pass --database-url or set LTMC_TEST_DATABASE_URL \
             (scripts/with-pg starts one and sets it)",
        );
    };
    let fallbacks = Arc::new(AtomicUsize::new(0));
    tracing::subscriber::set_global_default(FallbackCounter(Arc::clone(&fallbacks)))
        .expect("the only subscriber");

    let (n, dim) = (args.vectors, args.dimension);
    eprintln!(
        "generating {n} + {} vectors of {dim} dimensions (rank {})...",
        args.queries, args.rank
    );
    let mut random = Random::new(0x6c74_6d63_b3c4 ^ n as u64);
    let clusters = Clusters::low_rank((n / 1000).clamp(20, 2000), dim, args.rank, &mut random);
    let data: Vec<Vec<f32>> = (0..n).map(|_| clusters.sample(&mut random)).collect();
    let queries: Vec<Vec<f32>> = (0..args.queries)
        .map(|_| clusters.sample(&mut random))
        .collect();
    let cases = cases(n);

    eprintln!("ground truth by a plain scan...");
    let mut scan = Measured::default();
    let mut truth: Vec<Vec<HashSet<usize>>> = Vec::new(); // [case][query]
    for _ in &cases {
        truth.push(Vec::with_capacity(queries.len()));
    }
    for q in &queries {
        let started = Instant::now();
        let scores: Vec<f32> = data.iter().map(|v| dot(v, q)).collect();
        let all = top_k(&scores, &cases[0].passing, K);
        let took = started.elapsed();
        let hits: Vec<usize> = all.iter().copied().collect();
        scan.add(took, &hits, &all);
        truth[0].push(all);
        for (c, case) in cases.iter().enumerate().skip(1) {
            truth[c].push(top_k(&scores, &case.passing, K));
        }
    }

    let spec = EmbeddingSpec {
        model_id: format!("synthetic-rank{}-{dim}", args.rank),
        dimension: dim,
    };
    let project = Project::new("bench").expect("a valid project name");

    eprintln!("SQLite: loading {n} chunks...");
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("ltmc.db");
    let sqlite = {
        let (path, spec) = (path.clone(), spec.clone());
        tokio::task::spawn_blocking(move || SqliteStore::open(&path, Some(&spec)))
            .await
            .expect("open task")
            .expect("open the SQLite store")
    };
    let sqlite_load = load(&sqlite, &project, &data, "SQLite").await;
    eprintln!("SQLite: building the HNSW graph and writing its file (sync_indexes)...");
    let started = Instant::now();
    sqlite.sync_indexes().await.expect("sync_indexes");
    let sqlite_index = started.elapsed().as_secs_f64();
    let sqlite_kind = sqlite
        .check_indexes()
        .await
        .expect("check_indexes")
        .iter()
        .map(|s| format!("{} ({} vectors)", s.kind, s.indexed))
        .collect::<Vec<_>>()
        .join(", ");
    let sqlite_mb = megabytes_under(dir.path());

    eprintln!("PostgreSQL: creating a database on {server}...");
    let db = TestDb::create(&server).await;
    let pg = PgStore::connect(&db.url, Some(&spec))
        .await
        .expect("connect to the bench database");
    eprintln!("PostgreSQL: loading {n} chunks (the HNSW index is updated row by row)...");
    let pg_load = load(&pg, &project, &data, "PostgreSQL").await;
    let (plan, pg_db_mb, pg_index_mb) = explain(&db.url, &project, &queries[0]).await;

    eprintln!("searching: {} queries per case, k = {K}...", queries.len());
    let mut rows = Vec::new();
    for (case, truth) in cases.iter().zip(&truth) {
        for q in queries.iter().take(WARM_UP) {
            search(&sqlite, &project, q, &case.filter, "SQLite").await;
            search(&pg, &project, q, &case.filter, "PostgreSQL").await;
        }
        let before = fallbacks.load(Ordering::Relaxed);
        let (mut on_sqlite, mut on_pg) = (Measured::default(), Measured::default());
        for (q, expected) in queries.iter().zip(truth) {
            let (took, hits) = search(&sqlite, &project, q, &case.filter, "SQLite").await;
            on_sqlite.add(took, &hits, expected);
            let (took, hits) = search(&pg, &project, q, &case.filter, "PostgreSQL").await;
            on_pg.add(took, &hits, expected);
        }
        let fell_back = fallbacks.load(Ordering::Relaxed) - before;
        rows.push((case, on_sqlite, on_pg, fell_back));
    }

    println!(
        "{n} vectors x {dim} dimensions (rank {}), {} held-out queries, k = {K}; \
         resources of {CHUNKS_PER_RESOURCE} chunks",
        args.rank,
        queries.len()
    );
    println!();
    println!("| backend | load (s) | chunks/s | index build (s) | on disk (MB) | index |");
    println!("|---|---|---|---|---|---|");
    println!(
        "| SQLite | {sqlite_load:.1} | {:.0} | {sqlite_index:.1} (sync_indexes) | {sqlite_mb:.0} | {sqlite_kind} |",
        n as f64 / sqlite_load
    );
    println!(
        "| PostgreSQL | {pg_load:.1} | {:.0} | in the load | {pg_db_mb:.0} (HNSW {pg_index_mb:.0}) | pgvector HNSW, vector_cosine_ops |",
        n as f64 / pg_load
    );
    println!();
    println!(
        "| backend | filter (passing) | p50 (ms) | p95 (ms) | p99 (ms) | max (ms) | recall@{K} | short answers | exact fallbacks |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    let [p50, p95, p99, max] = scan.percentiles();
    println!(
        "| plain scan (ground truth, in process) | none ({n}) | {p50:.2} | {p95:.2} | {p99:.2} | {max:.2} | 1.000 | 0 | - |"
    );
    for (case, mut on_sqlite, mut on_pg, fell_back) in rows {
        let passing = case.passing.len();
        for (backend, measured, fell_back) in [
            ("SQLite", &mut on_sqlite, "-".to_owned()),
            ("PostgreSQL", &mut on_pg, fell_back.to_string()),
        ] {
            let [p50, p95, p99, max] = measured.percentiles();
            println!(
                "| {backend} | {} ({passing}) | {p50:.2} | {p95:.2} | {p99:.2} | {max:.2} | {:.3} | {} | {fell_back} |",
                case.name,
                measured.recall(),
                measured.short
            );
        }
    }
    println!();
    println!("PostgreSQL's plan for the unfiltered index query:");
    for line in plan {
        println!("    {line}");
    }

    drop(pg);
    drop(db);
    drop(sqlite);
}
