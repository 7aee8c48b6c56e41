//! The command-line grammar of the fix-pattern knowledge base (`ltmc audit`,
//! `ltmc patterns`, `ltmc guard`): the operations of the fix-pattern MCP
//! tools, for people, scripts, pre-commit hooks and CI. Only the shape lives
//! here; `commands/fix_cli.rs` turns each into tool calls (or, for `guard
//! check`, a scan with ltmc-guard).

use clap::Subcommand;
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Create or update the audit of a file (upsert_file_audit).
    Upsert {
        /// The file's path relative to the project root.
        file_path: String,
        /// Architecture layer 1-7.
        #[arg(long)]
        layer: i64,
        /// Comma-separated workflows, e.g. WF1,WF4.
        #[arg(long)]
        workflows: Option<String>,
        /// The technical debt found in the file.
        #[arg(long)]
        debt: Option<String>,
        /// Not Started, In Progress, Complete or Failed.
        #[arg(long)]
        status: Option<String>,
        #[arg(long)]
        notes: Option<String>,
    },
    /// List audits (list_file_audits).
    List {
        #[arg(long)]
        layer: Option<i64>,
        #[arg(long)]
        workflow: Option<String>,
        #[arg(long)]
        status: Option<String>,
        /// Only audits with technical debt.
        #[arg(long, conflicts_with = "clean")]
        has_debt: bool,
        /// Only audits without debt.
        #[arg(long)]
        clean: bool,
        #[arg(long, default_value_t = 100)]
        limit: usize,
    },
    /// Import audits from a CSV or JSON file, or `-` for stdin (import_file_audits).
    Import {
        file: PathBuf,
        /// csv or json (default: from the file name or the content).
        #[arg(long)]
        format: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum PatternsCommand {
    /// Load a fix-pattern data set: DIR/audits.json, DIR/patterns.json (with
    /// `key` and `reviewed`), DIR/relationships.json (by key), e.g. examples/fix-patterns.
    Load { dir: PathBuf },
    /// Extract a pattern from a fix described as JSON (a file or `-`), with the
    /// fields of the extract_pattern tool.
    Extract { file: PathBuf },
    /// Mark a pattern reviewed, or send it back to the queue (review_pattern).
    Review {
        pattern_id: i64,
        #[arg(long)]
        notes: Option<String>,
        /// Back to the review queue.
        #[arg(long)]
        reject: bool,
    },
    /// Show a pattern with its relationships, rules and applications (get_pattern).
    Show { pattern_id: i64 },
    /// List patterns (list_patterns).
    List {
        /// Only the review queue.
        #[arg(long, conflicts_with = "reviewed")]
        unreviewed: bool,
        /// Only reviewed patterns.
        #[arg(long)]
        reviewed: bool,
        #[arg(long)]
        problem_type: Option<String>,
        #[arg(long)]
        layer: Option<i64>,
        #[arg(long)]
        workflow: Option<String>,
        #[arg(long)]
        tag: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: usize,
    },
    /// Relate two patterns: TARGET is a TYPE of SOURCE (link_patterns).
    Link {
        source: i64,
        target: i64,
        /// prerequisite, follows, conflicts or enhances.
        relationship_type: String,
        #[arg(long, default_value_t = 1.0)]
        strength: f64,
        #[arg(long)]
        description: Option<String>,
    },
    /// Patterns related to one (get_related_patterns).
    Related {
        pattern_id: i64,
        /// Comma-separated types (default prerequisite,follows,enhances).
        #[arg(long)]
        types: Option<String>,
    },
    /// Find patterns for a debt, by audit or text (find_similar_patterns).
    Similar {
        /// The debt, in words.
        text: Vec<String>,
        #[command(flatten)]
        target: FixTarget,
        /// Also unreviewed patterns.
        #[arg(long)]
        all: bool,
        #[arg(long, default_value_t = 10)]
        limit: usize,
    },
    /// Decide apply / adapt / new for a debt, with steps and guardian warnings (recommend_fix).
    Recommend {
        /// The debt, in words.
        text: Vec<String>,
        #[command(flatten)]
        target: FixTarget,
        /// Also unreviewed patterns.
        #[arg(long)]
        all: bool,
    },
    /// Record the outcome of applying a pattern (record_pattern_outcome).
    Outcome {
        pattern_id: i64,
        /// It worked (default) ...
        #[arg(long, conflicts_with = "failure")]
        success: bool,
        /// ... or it did not.
        #[arg(long)]
        failure: bool,
        #[arg(long)]
        audit: Option<i64>,
        #[arg(long)]
        file: Option<String>,
        /// Minutes the fix took.
        #[arg(long)]
        time_taken: Option<i64>,
        /// Minutes the pattern saved.
        #[arg(long)]
        time_saved: Option<i64>,
        #[arg(long)]
        notes: Option<String>,
    },
    /// Reuse, success, knowledge gaps, guardian hits, time saved (pattern_insights).
    Insights {
        #[arg(long, default_value_t = 10)]
        top: usize,
        #[arg(long)]
        gap_threshold: Option<f64>,
    },
}

/// Where a debt is: an audit, or a layer/workflows/file given by hand.
#[derive(Debug, clap::Args)]
pub struct FixTarget {
    /// A file audit id.
    #[arg(long)]
    pub audit: Option<i64>,
    #[arg(long)]
    pub layer: Option<i64>,
    /// Comma-separated workflows.
    #[arg(long)]
    pub workflows: Option<String>,
    /// The file to fix.
    #[arg(long)]
    pub file: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum GuardCommand {
    /// Check files and directories against the active guardian rules; exits 1
    /// on an enforcement violation (for pre-commit hooks and CI). Honours .gitignore.
    Check {
        /// Files or directories (default: the current directory).
        paths: Vec<PathBuf>,
        /// text, json or sarif (SARIF 2.1.0, for GitHub code scanning).
        #[arg(long, default_value = "text", value_parser = ["text", "json", "sarif"])]
        format: String,
        /// Only the rules of this layer.
        #[arg(long)]
        layer: Option<i64>,
        /// Rules from a file written by `ltmc guard export` instead of the store
        /// (no data dir needed: commit it and check in CI).
        #[arg(long, value_name = "FILE")]
        rules: Option<PathBuf>,
        /// Write the report to FILE instead of stdout.
        #[arg(long, short = 'o', value_name = "FILE")]
        output: Option<PathBuf>,
        /// Do not add the hits to the rules' statistics.
        #[arg(long)]
        no_record: bool,
        /// Also check hidden files and directories.
        #[arg(long)]
        hidden: bool,
        /// Also check files .gitignore excludes.
        #[arg(long)]
        no_ignore: bool,
    },
    /// Print the active rules (with their patterns' file types) as JSON, for `guard check --rules`.
    Export {
        #[arg(long)]
        layer: Option<i64>,
    },
    /// Add a rule (add_guardian_rule).
    Add {
        /// Layer 1-7.
        #[arg(long)]
        layer: i64,
        /// Unique within the layer.
        #[arg(long)]
        name: String,
        /// prevention, detection or enforcement.
        #[arg(long = "type", default_value = "prevention")]
        rule_type: String,
        /// The regex.
        #[arg(long)]
        pattern: String,
        /// CRITICAL, HIGH, MEDIUM or LOW.
        #[arg(long, default_value = "MEDIUM")]
        severity: String,
        /// What to do when it fires.
        #[arg(long)]
        action: String,
        #[arg(long)]
        source_pattern: Option<i64>,
    },
    /// List rules (list_guardian_rules).
    List {
        #[arg(long)]
        layer: Option<i64>,
        /// Only inactive rules.
        #[arg(long)]
        inactive: bool,
    },
    /// Activate a rule.
    Enable { rule_id: i64 },
    /// Deactivate a rule, with the reason.
    Disable {
        rule_id: i64,
        #[arg(long)]
        reason: Option<String>,
    },
}
