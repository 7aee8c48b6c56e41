//! Crash safety of the store and its vector index: `ltmc store` and
//! `ltmc delete` processes killed with SIGKILL at random moments, then the
//! data dir reopened and checked: every chunk the database holds is found by
//! its own text, no deleted chunk is ever returned, and the index (its file
//! plus the vector log) agrees with the database vector by vector.
//!
//! Uses the hash embedder (deterministic, no model) and a low HNSW threshold
//! so that after the first trials the project is on a graph whose file the
//! killed processes are writing; the random moments come from a fixed-seed
//! generator so a failure reproduces.

use crate::support::Ltmc;
use ltmc_core::{Project, ResourceId};
use ltmc_embed::Embedder as _;
use ltmc_embed::testing::HashEmbedder;
use ltmc_store::{
    ChunkFilter, EmbeddingSpec, ResourceFilter, ResourceStore, StoreAdmin, VectorSearch,
};
use ltmc_store_sqlite::{IndexOptions, SqliteStore};
use std::collections::HashSet;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

const TRIALS: usize = 60;
const FILES_PER_TRIAL: usize = 12;
const ANN_THRESHOLD: usize = 40;
/// Undisturbed store runs before the trials (48 chunks: past the threshold).
const SEED_RUNS: usize = 4;

/// xorshift64: the test's only source of randomness, seeded.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

fn spawn(ltmc: &Ltmc, args: &[&str]) -> Child {
    ltmc.command()
        .env("LTMC_ANN_THRESHOLD", ANN_THRESHOLD.to_string())
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn ltmc")
}

/// Lets the process run for `after`, then SIGKILLs it (if still running).
/// Returns whether it was killed before it finished.
fn kill_after(mut child: Child, after: Duration) -> bool {
    let deadline = Instant::now() + after;
    loop {
        if child.try_wait().expect("wait").is_some() {
            return false;
        }
        if Instant::now() >= deadline {
            // Child::kill sends SIGKILL on Unix.
            let _ = child.kill();
            let _ = child.wait();
            return true;
        }
        std::thread::sleep(Duration::from_micros(200));
    }
}

fn write_trial_files(ltmc: &Ltmc, trial: usize, random: &mut Random) -> std::path::PathBuf {
    let words = [
        "cache", "index", "vector", "commit", "rollback", "trigger", "graph", "segment", "parser",
        "token", "socket", "retry", "budget", "schema", "cursor", "shard",
    ];
    let mut dir = None;
    for file in 0..FILES_PER_TRIAL {
        let mut text = format!("trial {trial} file {file}:");
        for _ in 0..(8 + random.below(24)) {
            text.push(' ');
            text.push_str(words[usize::try_from(random.below(16)).unwrap()]);
        }
        let path = ltmc.file(&format!("t{trial}/f{file}.txt"), text);
        dir = path.parent().map(std::path::Path::to_path_buf);
    }
    dir.expect("trial dir")
}

struct Checker {
    path: std::path::PathBuf,
    embedder: HashEmbedder,
    project: Project,
}

impl Checker {
    fn open(&self) -> SqliteStore {
        let spec = EmbeddingSpec {
            model_id: self.embedder.model_id().to_owned(),
            dimension: self.embedder.dimension(),
        };
        let options = IndexOptions {
            ann_threshold: ANN_THRESHOLD,
            ..IndexOptions::default()
        };
        SqliteStore::open_with(&self.path, Some(&spec), options).expect("reopen store")
    }

    /// Reopens the store as a new process would and checks it. Returns the
    /// resource ids it holds.
    async fn check(&self, deleted: &HashSet<ResourceId>, trial: usize) -> Vec<ResourceId> {
        let store = self.open();
        let integrity = store.check_integrity().await.expect("integrity");
        assert!(integrity.is_ok(), "trial {trial}: {integrity:?}");
        let statuses = store.check_indexes().await.expect("check indexes");
        assert!(
            statuses.iter().all(ltmc_store::IndexStatus::agrees),
            "trial {trial}: {statuses:?}"
        );
        let resources = store
            .list_resources(&self.project, &ResourceFilter::default())
            .await
            .expect("list");
        let ids: Vec<ResourceId> = resources.iter().map(|r| r.id).collect();
        for id in &ids {
            assert!(
                !deleted.contains(id),
                "trial {trial}: deleted resource {id:?} is back"
            );
            for chunk in store.chunks_of(&self.project, *id).await.expect("chunks") {
                let query = self.embedder.embed(&[chunk.text.as_str()]).expect("embed");
                let hits = store
                    .nearest_chunks(&self.project, &query[0], 3, &ChunkFilter::default())
                    .await
                    .expect("search");
                assert!(
                    hits.iter().any(|h| h.chunk.id == chunk.id),
                    "trial {trial}: committed chunk {:?} ({:?}) not found by its own text: {:?} {statuses:?}",
                    chunk.id,
                    chunk.text,
                    hits.iter()
                        .map(|h| (h.chunk.id, h.score, &h.chunk.text))
                        .collect::<Vec<_>>()
                );
                assert!(
                    hits.iter().all(|h| !deleted.contains(&h.chunk.resource_id)),
                    "trial {trial}: a deleted resource's chunk was returned"
                );
            }
        }
        ids
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_at_random_moments_never_loses_or_resurrects_a_chunk() {
    let ltmc = Ltmc::new(true);
    let mut random = Random(0x5eed_1234_abcd_0001);
    let checker = Checker {
        path: ltmc.data_dir().join("ltmc.db"),
        embedder: HashEmbedder::new(384).expect("embedder"),
        project: Project::new("default").expect("project"),
    };

    // Undisturbed runs first: they put the project past the graph threshold
    // and tell how long a store takes on this machine right now.
    let started = Instant::now();
    for seed in 0..SEED_RUNS {
        let dir = write_trial_files(&ltmc, seed, &mut random);
        let status = spawn(&ltmc, &["store", dir.to_str().unwrap()])
            .wait()
            .expect("seed store");
        assert!(status.success());
    }
    let typical =
        u64::try_from(started.elapsed().as_micros() / SEED_RUNS as u128).expect("a short run");

    let mut deleted: HashSet<ResourceId> = HashSet::new();
    let mut killed = 0;
    let mut ids = checker.check(&deleted, 0).await;
    for trial in SEED_RUNS..SEED_RUNS + TRIALS {
        let dir = write_trial_files(&ltmc, trial, &mut random);
        let store = spawn(&ltmc, &["store", dir.to_str().unwrap()]);
        // Up to 1.2x the typical run: most kills land mid-run, some after.
        let moment = Duration::from_micros(random.below(typical * 6 / 5));
        killed += usize::from(kill_after(store, moment));
        if trial % 3 == 0 && !ids.is_empty() {
            let victim = ids[usize::try_from(random.below(ids.len() as u64)).unwrap()];
            let delete = spawn(&ltmc, &["delete", &victim.0.to_string()]);
            let moment = Duration::from_micros(random.below(typical / 2));
            killed += usize::from(kill_after(delete, moment));
            // Deleted if and only if the database no longer has it.
            let store = checker.open();
            if store.get_resource(&checker.project, victim).await.is_err() {
                deleted.insert(victim);
            }
        }
        ids = checker.check(&deleted, trial).await;
    }
    assert!(
        killed >= TRIALS / 2,
        "only {killed} processes were killed mid-run"
    );
    let final_store = checker.open();
    let statuses = final_store.check_indexes().await.expect("indexes");
    assert_eq!(
        statuses[0].kind, "hnsw",
        "the project should stay on a graph: {statuses:?}"
    );
    assert!(!deleted.is_empty(), "some deletes should have committed");
}
