//! The crate-dependency invariants (ARCHITECTURE.md's `Architecture
//! Invariant:` lines), as one table, checked against `cargo metadata
//! --no-deps`. A normal (or build) dependency counts; a dev-dependency does not,
//! so tests may use real backends and clients.
//!
//! Two kinds of rule: [`Rule::OnlyIn`] says which crates may name an external
//! crate at all (direct normal dependency); [`Rule::NeverIn`] says a crate must
//! not reach a crate through its normal dependencies, directly or through other
//! workspace crates (the path is printed). Not a licence or version audit.

use crate::support::{repo_root, report};
use std::collections::{BTreeMap, BTreeSet, VecDeque};

// Workspace crate names, in one place: rename or add here when crates move.
const BINARY: &str = "ltmc";
const CORE: &str = "ltmc-core";
const EMBED: &str = "ltmc-embed";
const LEGACY: &str = "ltmc-legacy";
const STORE_SQLITE: &str = "ltmc-store-sqlite";
const STORE_PG: &str = "ltmc-store-pg";
const SERVICE: &str = "ltmc-service";
const TOOLS: &str = "ltmc-tools";
const MIGRATE: &str = "ltmc-migrate";
const MCP: &str = "ltmc-mcp";
const HTTP: &str = "ltmc-http";

/// Crates the rules name that do not exist yet: a rule about a crate missing
/// from the workspace fails unless it is listed here (so a renamed crate
/// cannot silently escape its rules). Empty it when they land.
const PLANNED: &[&str] = &[];

/// The use cases and the protocols that serve them: they work against traits,
/// never a concrete store or the model.
const USE_CASE_AND_PROTOCOL: &[&str] = &[SERVICE, TOOLS, MIGRATE, MCP, HTTP];

/// Crates that do I/O (async runtimes, databases, network, file trees, the
/// model runtime, servers).
const IO_CRATES: &[&str] = &[
    "tokio",
    "tokio-util",
    "rusqlite",
    "tokio-postgres",
    "deadpool-postgres",
    "pgvector",
    "reqwest",
    "ureq",
    "ignore",
    "walkdir",
    "dirs",
    "tempfile",
    "candle-core",
    "candle-nn",
    "candle-transformers",
    "tokenizers",
    "axum",
    "hyper",
    "rmcp",
];

#[derive(Debug)]
enum Rule {
    /// Only `allowed` may have any of `deps` as a normal dependency.
    OnlyIn {
        deps: &'static [&'static str],
        allowed: &'static [&'static str],
        why: &'static str,
    },
    /// None of `crates` may reach any of `deps` through normal dependencies,
    /// directly or through workspace crates.
    NeverIn {
        crates: &'static [&'static str],
        deps: &'static [&'static str],
        why: &'static str,
    },
}

use Rule::{NeverIn, OnlyIn};

/// The invariants. Each `why` is the reason ARCHITECTURE.md gives.
const RULES: &[Rule] = &[
    OnlyIn {
        deps: &["rmcp"],
        allowed: &[MCP],
        why: "only ltmc-mcp knows MCP; the other crates serve the tool registry",
    },
    OnlyIn {
        deps: &["axum"],
        allowed: &[HTTP, MCP],
        why: "only the protocol crates know HTTP routing",
    },
    OnlyIn {
        deps: &["anyhow", "clap"],
        allowed: &[BINARY],
        why: "libraries return typed errors and take typed config; only the binary parses arguments and reports anyhow errors",
    },
    NeverIn {
        crates: &[CORE],
        deps: IO_CRATES,
        why: "ltmc-core is domain types and pure logic: no I/O, testable without a runtime",
    },
    OnlyIn {
        deps: &["rusqlite"],
        allowed: &[STORE_SQLITE, LEGACY],
        why: "SQLite is one backend (and the legacy reader); its errors never leave those crates",
    },
    OnlyIn {
        deps: &["tokio-postgres", "deadpool-postgres", "pgvector"],
        allowed: &[STORE_PG],
        why: "PostgreSQL is one backend; its driver never leaves ltmc-store-pg",
    },
    OnlyIn {
        deps: &[
            "candle-core",
            "candle-nn",
            "candle-transformers",
            "tokenizers",
        ],
        allowed: &[EMBED, LEGACY],
        why: "the model runtime is slow to compile; only the embedder (and the legacy vector reader) build it",
    },
    NeverIn {
        crates: USE_CASE_AND_PROTOCOL,
        deps: &[STORE_SQLITE, STORE_PG, EMBED],
        why: "use cases and protocols work against the store and embedder traits; the binary chooses the backends",
    },
];

/// One workspace crate as `cargo metadata` describes it.
#[derive(Debug)]
pub struct Package {
    pub name: String,
    /// Normal and build dependencies (dev-dependencies left out).
    pub normal: BTreeSet<String>,
    pub dev: BTreeSet<String>,
}

/// The workspace's crates, read from `cargo metadata --no-deps`.
fn workspace() -> Vec<Package> {
    let out = std::process::Command::new(env!("CARGO"))
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(repo_root())
        .output()
        .expect("run cargo metadata");
    assert!(
        out.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).expect("metadata JSON");
    meta["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .map(|p| {
            let mut normal = BTreeSet::new();
            let mut dev = BTreeSet::new();
            for d in p["dependencies"].as_array().expect("dependencies") {
                let name = d["name"].as_str().expect("dependency name").to_owned();
                if d["kind"] == "dev" {
                    dev.insert(name);
                } else {
                    normal.insert(name);
                }
            }
            Package {
                name: p["name"].as_str().expect("package name").to_owned(),
                normal,
                dev,
            }
        })
        .collect()
}

/// Every violation of `rules` in `packages`, one readable line each.
fn violations(rules: &[Rule], planned: &[&str], packages: &[Package]) -> Vec<String> {
    let by_name: BTreeMap<&str, &Package> = packages.iter().map(|p| (p.name.as_str(), p)).collect();
    let mut out = Vec::new();
    let named = |krate: &str, out: &mut Vec<String>| {
        if !by_name.contains_key(krate) && !planned.contains(&krate) {
            out.push(format!(
                "the rules name crate {krate}, which is not in the workspace (renamed? update the names in deps.rs)"
            ));
        }
    };
    for rule in rules {
        match rule {
            OnlyIn { deps, allowed, why } => {
                for krate in *allowed {
                    named(krate, &mut out);
                }
                for p in packages {
                    for dep in deps.iter().filter(|d| p.normal.contains(**d)) {
                        if !allowed.contains(&p.name.as_str()) {
                            out.push(format!(
                                "{} depends on {dep}; only {} may ({why})",
                                p.name,
                                allowed.join(", ")
                            ));
                        }
                    }
                }
            }
            NeverIn { crates, deps, why } => {
                for krate in *crates {
                    named(krate, &mut out);
                    if let Some(p) = by_name.get(krate) {
                        for (dep, path) in reachable(p, &by_name) {
                            if deps.contains(&dep.as_str()) {
                                out.push(format!(
                                    "{krate} depends on {dep} ({}) ({why})",
                                    path.join(" -> ")
                                ));
                            }
                        }
                    }
                }
            }
        }
    }
    out
}

/// Every crate `start` reaches through normal dependencies, with the shortest
/// path to it (`start -> ... -> dep`).
fn reachable(start: &Package, by_name: &BTreeMap<&str, &Package>) -> BTreeMap<String, Vec<String>> {
    let mut seen: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut queue = VecDeque::from([(start, vec![start.name.clone()])]);
    while let Some((p, path)) = queue.pop_front() {
        for dep in &p.normal {
            if seen.contains_key(dep) || dep == &start.name {
                continue;
            }
            let mut to = path.clone();
            to.push(dep.clone());
            seen.insert(dep.clone(), to.clone());
            if let Some(next) = by_name.get(dep.as_str()) {
                queue.push_back((next, to));
            }
        }
    }
    seen
}

#[test]
fn crate_dependencies_keep_the_architecture_invariants() {
    let packages = workspace();
    let binary = packages
        .iter()
        .find(|p| p.name == BINARY)
        .expect("the ltmc binary crate");
    assert!(
        binary.normal.contains("clap") && binary.dev.contains("tempfile"),
        "cargo metadata was not read as expected: {binary:?}"
    );
    report("crate dependencies", &violations(RULES, PLANNED, &packages));
}

fn package(name: &str, normal: &[&str], dev: &[&str]) -> Package {
    Package {
        name: name.to_owned(),
        normal: normal.iter().map(|s| (*s).to_owned()).collect(),
        dev: dev.iter().map(|s| (*s).to_owned()).collect(),
    }
}

#[test]
fn the_rules_catch_direct_and_indirect_dependencies_but_not_dev_ones() {
    const R: &[Rule] = &[
        OnlyIn {
            deps: &["rmcp"],
            allowed: &["m"],
            why: "w1",
        },
        NeverIn {
            crates: &["s", "h"],
            deps: &["e"],
            why: "w2",
        },
    ];
    let clean = [
        package("m", &["rmcp", "s"], &[]),
        package("s", &["core"], &["e", "rmcp"]),
        package("h", &["m"], &[]),
        package("e", &[], &[]),
    ];
    assert_eq!(violations(R, &[], &clean), Vec::<String>::new());

    let broken = [
        package("m", &["rmcp", "s"], &[]),
        package("s", &["e", "rmcp"], &[]),
        package("h", &["m"], &[]),
        package("e", &[], &[]),
    ];
    assert_eq!(
        violations(R, &[], &broken),
        [
            "s depends on rmcp; only m may (w1)",
            "s depends on e (s -> e) (w2)",
            "h depends on e (h -> m -> s -> e) (w2)",
        ]
    );

    let renamed = [package("m", &[], &[]), package("h", &[], &[])];
    assert_eq!(
        violations(R, &["s"], &renamed),
        Vec::<String>::new(),
        "a planned crate may be missing"
    );
    assert_eq!(
        violations(R, &[], &renamed),
        [
            "the rules name crate s, which is not in the workspace (renamed? update the names in deps.rs)"
        ]
    );
}
