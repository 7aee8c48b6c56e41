//! The tool list is written down in two more places people and clients read:
//! the golden MCP tool list (`crates/ltmc-mcp/tests/golden/tools.json`, which
//! the MCP test compares byte for byte) and README.md's tool table. Every
//! registered tool must be in both, and neither may list a tool the registry
//! does not have.
//!
//! Not a check of descriptions or schemas: the golden test pins those.

use crate::support::{repo_root, report};
use std::collections::BTreeSet;

/// The registered tools' names: the one place that knows where the registry
/// lives.
fn registered_tools() -> BTreeSet<String> {
    ltmc_tools::REGISTRY
        .iter()
        .map(|entry| entry.name.to_owned())
        .collect()
}

const GOLDEN: &str = "crates/ltmc-mcp/tests/golden/tools.json";

fn golden_tools() -> BTreeSet<String> {
    let text = std::fs::read_to_string(repo_root().join(GOLDEN)).expect("the golden tool list");
    let list: serde_json::Value = serde_json::from_str(&text).expect("golden JSON");
    list.as_array()
        .expect("a JSON array of tools")
        .iter()
        .map(|t| t["name"].as_str().expect("a tool name").to_owned())
        .collect()
}

/// Every name in backticks in a Markdown table row (`| 3 | `log_chat` | ... |`).
fn table_names(markdown: &str) -> BTreeSet<String> {
    markdown
        .lines()
        .filter(|l| l.trim_start().starts_with('|'))
        .flat_map(|l| l.split('`').skip(1).step_by(2))
        .filter(|s| !s.is_empty() && s.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
        .map(str::to_owned)
        .collect()
}

fn compare(
    registered: &BTreeSet<String>,
    listed: &BTreeSet<String>,
    where_: &str,
    extra_counts: bool,
) -> Vec<String> {
    let mut out: Vec<String> = registered
        .difference(listed)
        .map(|t| format!("tool {t} is registered but missing from {where_}"))
        .collect();
    if extra_counts {
        out.extend(
            listed
                .difference(registered)
                .map(|t| format!("{where_} lists {t}, which is not a registered tool")),
        );
    }
    out
}

#[test]
fn every_registered_tool_is_in_the_golden_list_and_the_readme_table() {
    let registered = registered_tools();
    assert!(registered.len() >= 20, "registry: {registered:?}");
    let readme = std::fs::read_to_string(repo_root().join("README.md")).expect("README.md");
    let mut violations = compare(&registered, &golden_tools(), GOLDEN, true);
    // README's tables hold other backticked words (flags, values), so only
    // missing tools count there.
    violations.extend(compare(
        &registered,
        &table_names(&readme),
        "README.md's tool table",
        false,
    ));
    report("tool lists", &violations);
}

#[test]
fn table_names_reads_only_table_rows() {
    let md = "Prose names `not_a_row`.\n\n| # | tool |\n|---|---|\n| 1 | `store_memory` | a `--flag` and `log_chat` |\n";
    let names: Vec<String> = table_names(md).into_iter().collect();
    assert_eq!(names, ["log_chat", "store_memory"]);
}
