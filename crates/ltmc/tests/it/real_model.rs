//! With the real all-MiniLM-L6-v2 model: four processes storing the same 100
//! files into one data dir at once, and a 20,000-character text without
//! punctuation found by a phrase from its last paragraph.

use crate::support::{Ltmc, Run, path_str};
use ltmc_core::{ChunkConfig, Project};
use ltmc_embed::{Embedder, ModelStore};
use ltmc_service::{Memory, SearchMode, SearchRequest};
use ltmc_store_sqlite::SqliteStore;
use std::collections::HashSet;
use std::path::Path;
use std::sync::{Arc, OnceLock};

/// The real model on the default runtime (`LTMC_RUNTIME` picks another).
pub(crate) fn model() -> Arc<dyn Embedder> {
    static MODEL: OnceLock<Arc<dyn Embedder>> = OnceLock::new();
    MODEL
        .get_or_init(|| {
            let store = ModelStore::new(ModelStore::default_dir().unwrap());
            ltmc_embed::load_default(&store).unwrap()
        })
        .clone()
}

/// Opens the data dir a CLI process wrote, in this process, with the real model.
fn memory(data_dir: &Path) -> Memory {
    let store = SqliteStore::open(&data_dir.join("ltmc.db"), None).unwrap();
    Memory::new(Arc::new(store), model(), ChunkConfig::default()).unwrap()
}

async fn top_files(memory: &Memory, query: &str, mode: SearchMode, k: usize) -> Vec<String> {
    let hits = memory
        .search(SearchRequest {
            project: Project::default(),
            query: query.to_owned(),
            top_k: k,
            resource_type: None,
            mode,
        })
        .await
        .unwrap();
    hits.into_iter().map(|h| h.file_name).collect()
}

const SUBJECTS: [&str; 10] = [
    "The database migration",
    "Our sourdough starter",
    "The kernel scheduler",
    "A migrating flock of geese",
    "The quarterly tax report",
    "The violin concerto",
    "The garden irrigation pump",
    "The password hashing routine",
    "The volcano observatory",
    "The chess tournament",
];
const PREDICATES: [&str; 10] = [
    "failed at midnight because a disk filled up",
    "was delayed by heavy snow in the mountains",
    "doubled its speed after the last upgrade",
    "needs a new owner before the summer holidays",
    "won an award from the city council",
    "was rewritten in a single weekend",
    "leaks water whenever the temperature drops",
    "confused every new employee on their first day",
    "is monitored by three students with laptops",
    "ended in a surprising draw after ten hours",
];

fn first_sentence(i: usize) -> String {
    format!("{} {}.", SUBJECTS[i / 10], PREDICATES[i % 10])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_processes_store_the_same_100_files() {
    let ltmc = Ltmc::new(false);
    for i in 0..100 {
        ltmc.file(
            &format!("corpus/file{i:03}.md"),
            format!(
                "{} This note was filed as entry {i}. Nobody has reviewed it yet.",
                first_sentence(i)
            ),
        );
    }
    let corpus = ltmc.dir.path().join("files/corpus");
    let children: Vec<_> = (0..4)
        .map(|_| {
            ltmc.command()
                .args(["store", "--json", path_str(&corpus)])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut ids_per_process = Vec::new();
    for child in children {
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "a process failed: {stderr}");
        let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 100, "{stderr}");
        let mut ids: Vec<(String, i64)> = lines
            .iter()
            .map(|l| {
                (
                    l["file_name"].as_str().unwrap().to_owned(),
                    l["resource_id"].as_i64().unwrap(),
                )
            })
            .collect();
        ids.sort();
        ids_per_process.push(ids);
    }
    // Every process agrees on which resource holds which file: no second copy anywhere.
    for ids in &ids_per_process[1..] {
        assert_eq!(ids, &ids_per_process[0]);
    }
    let memory = memory(&ltmc.data_dir());
    let info = memory.store().info().await.unwrap();
    assert_eq!(info.resources, 100);
    assert_eq!(info.chunks, info.vectors);
    let report = memory.store().check_integrity().await.unwrap();
    assert!(report.is_ok(), "{report:?}");
    let doctor = ltmc.run(&["doctor", "--json"]).ok().json();
    assert_eq!(doctor["ok"], true, "{doctor}");

    let mut wrong = Vec::new();
    for i in 0..100 {
        for mode in [SearchMode::Vector, SearchMode::Hybrid] {
            let top = top_files(&memory, &first_sentence(i), mode, 3)
                .await
                .remove(0);
            if !top.ends_with(&format!("file{i:03}.md")) {
                wrong.push((i, mode, top));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "first sentence did not find its file first: {wrong:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unpunctuated_20k_text_is_chunked_whole_and_found_by_its_end() {
    const FILLER: [&str; 24] = [
        "river", "stone", "morning", "window", "paper", "garden", "yellow", "quiet", "market",
        "bridge", "letter", "orange", "cloud", "table", "village", "silver", "summer", "pencil",
        "forest", "coffee", "ladder", "basket", "candle", "meadow",
    ];
    let mut text = String::new();
    let mut state: u64 = 42;
    while text.len() < 19_400 {
        // A small LCG keeps the filler deterministic without a rand dependency.
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let word = FILLER[usize::try_from(state >> 59).unwrap() % FILLER.len()];
        text.push_str(word);
        text.push(if text.len() % 700 < 8 { '\n' } else { ' ' });
    }
    let phrase = "the submarine captain photographed glowing jellyfish near the arctic ice shelf";
    text.push_str("\n\n");
    text.push_str(phrase);
    text.push_str(" and then the filler resumes river stone morning window paper garden");
    assert!(text.len() >= 19_500 && !text.contains(['.', '!', '?']));

    let ltmc = Ltmc::new(false);
    let long = ltmc.file("long.txt", &text);
    let other = ltmc.file(
        "other.md",
        "Deep sea creatures glow to attract prey. Submarines explore them.",
    );
    let stored = ltmc
        .run(&["store", "--json", path_str(&long), path_str(&other)])
        .ok()
        .json_lines();
    let chunks = stored[0]["chunk_count"].as_u64().unwrap();
    assert!(
        chunks >= 10,
        "20k chars should be many chunks, got {chunks}"
    );

    let memory = memory(&ltmc.data_dir());
    let hits = memory
        .search(SearchRequest {
            project: Project::default(),
            query: "captain photographed glowing jellyfish by the arctic ice".into(),
            top_k: 1,
            resource_type: None,
            mode: SearchMode::Hybrid,
        })
        .await
        .unwrap();
    assert!(hits[0].file_name.ends_with("long.txt"), "{hits:?}");
    assert!(hits[0].chunk.text.contains("jellyfish"), "{hits:?}");

    // The chunks together cover every byte of the text.
    let resource = ltmc_core::ResourceId(stored[0]["resource_id"].as_i64().unwrap());
    let all = memory
        .store()
        .chunks_of(&Project::default(), resource)
        .await
        .unwrap();
    let mut covered = 0;
    for c in &all {
        assert!(c.start <= covered, "gap before byte {}", c.start);
        covered = covered.max(c.end);
        assert_eq!(&text[c.start..c.end], c.text);
    }
    assert_eq!(covered, text.len());
    let vector_ids: HashSet<_> = all.iter().map(|c| c.vector_id).collect();
    assert_eq!(vector_ids.len(), all.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hybrid_finds_an_exact_function_name_that_vector_search_misses() {
    // Twenty-nine short wrappers named parse_config_v1..v30, and one retry
    // loop that calls parse_config_v17 once, in passing. By meaning the query
    // is any of the wrappers (they are little more than the name); only the
    // exact identifier points at the loop, and keyword search sees it.
    let ltmc = Ltmc::new(false);
    for n in 1..=30 {
        let body = if n == 17 {
            "def send_with_retries(request, attempts=5):\n    \"\"\"Send an HTTP request, retrying with exponential backoff and jitter.\"\"\"\n    delay = 0.5\n    for attempt in range(attempts):\n        response = transport.send(request)\n        if response.status < 500:\n            return response\n        budget = parse_config_v17(request.host).retry_budget\n        time.sleep(min(delay, budget) + random.random() / 10)\n        delay *= 2\n    raise TooManyRetries(request.url, attempts)\n".to_owned()
        } else {
            format!("def parse_config_v{n}(path):\n    return parse_config(path, version={n})\n")
        };
        ltmc.file(&format!("src/mod_{n:02}.py"), body);
    }
    ltmc.run(&[
        "store",
        "--type",
        "code",
        path_str(&ltmc.dir.path().join("files/src")),
    ])
    .ok();
    let memory = memory(&ltmc.data_dir());
    let target = "mod_17.py";
    let query = "parse_config_v17";
    let vector = top_files(&memory, query, SearchMode::Vector, 3).await;
    assert!(
        !vector.iter().any(|f| f.ends_with(target)),
        "vector search alone found it; the premise no longer holds: {vector:?}"
    );
    let hybrid = top_files(&memory, query, SearchMode::Hybrid, 3).await;
    assert!(
        hybrid[0].ends_with(target),
        "hybrid missed the exact name: {hybrid:?}"
    );
    let keyword = top_files(&memory, query, SearchMode::Keyword, 1).await;
    assert!(keyword[0].ends_with(target), "{keyword:?}");
}

/// Commands that embed nothing do not fetch or load the model: with the
/// model folder blocked (a file where it would be), keyword search, listing
/// and doctor work on a store the real model wrote; a search by meaning then
/// fails with the model error and its hint.
#[test]
fn commands_that_embed_nothing_never_load_the_model() {
    let ltmc = Ltmc::new(false);
    let note = ltmc.file(
        "pool.md",
        "The connection pool ran dry at peak because every request held a session.",
    );
    ltmc.run(&["store", path_str(&note)]).ok();
    let blocked = ltmc.file("models", "not a folder").join("all-MiniLM-L6-v2");
    let without_model = |args: &[&str]| {
        Run::from(
            ltmc.command()
                .arg("--model-dir")
                .arg(&blocked)
                .args(args)
                .output()
                .unwrap(),
        )
    };
    let found = without_model(&["--json", "search", "--mode", "keyword", "connection pool"])
        .ok()
        .json();
    let first = found["results"][0]["file_name"]
        .as_str()
        .unwrap_or_default();
    assert!(first.ends_with("pool.md"), "{found}");
    without_model(&["--json", "audit", "list"]).ok();
    without_model(&["--json", "todo", "list"]).ok();
    // Doctor checks the model's files (and says they are missing) without
    // loading it, and runs every other check.
    let doctor = without_model(&["doctor"]);
    assert!(doctor.stdout.contains("FAIL model"), "{doctor:?}");
    assert!(doctor.stdout.contains("ok   index"), "{doctor:?}");
    without_model(&["search", "sessions held at peak"]).fails_with("model");
}
