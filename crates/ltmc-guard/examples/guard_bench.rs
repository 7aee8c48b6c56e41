//! A by-hand benchmark of `scan_paths`, not a test: generates a tree of
//! `.py` and `.ts` files of realistic sizes (2-20 KB, about 5% with an
//! example pattern's `code_before` planted), compiles the rules of
//! `examples/fix-patterns/patterns.json` (every anti-pattern and guardian
//! rule, merged by layer and regex as the examples' README says), scans the
//! tree several times after one warm-up scan, and prints a small table.
//!
//! ```text
//! cargo run --release -p ltmc-guard --example guard_bench -- \
//!     [--files 10000] [--runs 7] [--threads 0] [--dir PATH] [--seed 42]
//! ```
//!
//! With `--dir` the tree is generated into PATH (which must not exist) and
//! kept; otherwise it lives in a temporary directory that is removed.

#![allow(clippy::print_stdout, clippy::print_stderr)]

use ltmc_core::fix::{GuardianRule, RuleType, Severity};
use ltmc_core::{PatternId, RuleId};
use ltmc_guard::{RuleInput, RuleSet, ScanOptions, scan_paths};
use serde_json::Value;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::Instant;

struct Args {
    files: usize,
    runs: usize,
    threads: usize,
    dir: Option<PathBuf>,
    seed: u64,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        files: 10_000,
        runs: 7,
        threads: 0,
        dir: None,
        seed: 42,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value"));
        let number = |v: String| v.parse::<usize>().map_err(|e| format!("{flag}: {e}"));
        match flag.as_str() {
            "--files" => args.files = number(value()?)?,
            "--runs" => args.runs = number(value()?)?.max(1),
            "--threads" => args.threads = number(value()?)?,
            "--dir" => args.dir = Some(PathBuf::from(value()?)),
            "--seed" => args.seed = value()?.parse().map_err(|e| format!("--seed: {e}"))?,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(args)
}

/// splitmix64: deterministic trees without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n as u64).unwrap_or(0)
    }
}

const PY_LINES: &[&str] = &[
    "def compute_totals_{n}(orders, discount):",
    "    \"\"\"Sum the order lines after the discount.\"\"\"",
    "    subtotal = sum(line.price * line.qty for line in orders)",
    "    if discount and subtotal > 0:",
    "        subtotal -= subtotal * discount / 100",
    "    return round(subtotal, 2)",
    "",
    "class InventoryView{n}:",
    "    def __init__(self, repository, clock):",
    "        self.repository = repository",
    "        self.clock = clock",
    "    def names(self, items):",
    "        return [item.name.strip().lower() for item in items if item.active]",
    "# keep the mapping in sync with the API schema",
    "from typing import Iterable, Optional",
    "    except ValueError as err:",
    "        raise OrderError(f\"bad order {order_id}\") from err",
    "",
];

const TS_LINES: &[&str] = &[
    "export function formatPrice{n}(cents: number, currency: string): string {",
    "  const value = (cents / 100).toFixed(2);",
    "  return `${value} ${currency}`;",
    "}",
    "",
    "import { useMemo, useState } from 'react';",
    "export const columns{n} = items.map((item) => ({ key: item.id, label: item.name }));",
    "  if (!response.ok) {",
    "    throw new Error(`request failed: ${response.status}`);",
    "  }",
    "// the list is sorted by the server; keep its order",
    "type CartLine = { sku: string; quantity: number; price: number };",
    "",
];

/// A pattern's example code to plant, with the file types it belongs in.
struct Plant {
    file_types: Vec<String>,
    code: String,
}

fn generate(root: &Path, files: usize, plants: &[Plant], rng: &mut Rng) -> (usize, u64) {
    let mut planted = 0;
    let mut bytes = 0u64;
    for i in 0..files {
        let ts = rng.below(10) < 3;
        let (ext, lines) = if ts {
            (".ts", TS_LINES)
        } else {
            (".py", PY_LINES)
        };
        let target = 2048 + rng.below(18 * 1024);
        let mut text = String::with_capacity(target + 1024);
        let plant_at = (rng.below(100) < 5).then(|| rng.below(target));
        let mut plant = plant_at.and_then(|_| {
            let fits: Vec<&Plant> = plants
                .iter()
                .filter(|p| p.file_types.iter().any(|t| t == ext))
                .collect();
            (!fits.is_empty()).then(|| fits[rng.below(fits.len())])
        });
        while text.len() < target {
            if let (Some(p), Some(at)) = (plant, plant_at)
                && text.len() >= at
            {
                text.push_str(&p.code);
                text.push('\n');
                plant = None;
                planted += 1;
            }
            let line = lines[rng.below(lines.len())].replace("{n}", &rng.below(1000).to_string());
            text.push_str(&line);
            text.push('\n');
        }
        let dir = root.join(format!("pkg{:03}", i / 100));
        std::fs::create_dir_all(&dir).expect("create the tree");
        std::fs::write(dir.join(format!("mod{i:05}{ext}")), &text).expect("write the tree");
        bytes += text.len() as u64;
    }
    (planted, bytes)
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// Rules from every pattern's guardian_rules and anti_patterns, one per
/// (layer, regex); and the code to plant.
fn example_rules() -> (Vec<RuleInput>, Vec<Plant>, usize) {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/fix-patterns/patterns.json");
    let text = std::fs::read_to_string(&path).expect("examples/fix-patterns/patterns.json");
    let patterns: Vec<Value> = serde_json::from_str(&text).expect("patterns.json is JSON");
    let mut rules = Vec::new();
    let mut plants = Vec::new();
    let mut seen = HashSet::new();
    for (i, p) in patterns.iter().enumerate() {
        let key = p["key"].as_str().unwrap_or("pattern");
        let layer = p["layers"][0].as_i64().unwrap_or(1);
        let file_types = strings(&p["file_types"]);
        let severity = Severity::parse("severity", p["severity"].as_str().unwrap_or("MEDIUM"))
            .unwrap_or(Severity::Medium);
        let pattern_id = Some(PatternId(i64::try_from(i).unwrap_or(0) + 1));
        let mut add =
            |name: String, rule_type: RuleType, severity: Severity, regex: &str, action: &str| {
                if !seen.insert((layer, regex.to_owned())) {
                    return;
                }
                rules.push(RuleInput {
                    rule: GuardianRule {
                        id: RuleId(i64::try_from(seen.len()).unwrap_or(0)),
                        layer_number: layer,
                        rule_name: name,
                        rule_type,
                        rule_pattern: regex.to_owned(),
                        severity,
                        action_required: action.to_owned(),
                        source_pattern_id: pattern_id,
                        active: true,
                        inactive_reason: None,
                        hit_count: 0,
                        files_hit: 0,
                        last_hit_at: None,
                        created_at: String::new(),
                    },
                    file_types: file_types.clone(),
                });
            };
        for r in p["guardian_rules"].as_array().into_iter().flatten() {
            add(
                r["rule_name"].as_str().unwrap_or("rule").to_owned(),
                RuleType::parse("rule_type", r["rule_type"].as_str().unwrap_or(""))
                    .unwrap_or(RuleType::Detection),
                Severity::parse("severity", r["severity"].as_str().unwrap_or(""))
                    .unwrap_or(severity),
                r["rule_pattern"].as_str().unwrap_or(""),
                r["action_required"].as_str().unwrap_or("see the pattern"),
            );
        }
        for (n, anti) in strings(&p["anti_patterns"]).iter().enumerate() {
            add(
                format!("{key}-anti-pattern-{}", n + 1),
                RuleType::Prevention,
                severity,
                anti,
                p["prevention_guidance"]
                    .as_str()
                    .unwrap_or("see the pattern"),
            );
        }
        if let Some(code) = p["code_before"].as_str() {
            plants.push(Plant {
                file_types: file_types.clone(),
                code: code.to_owned(),
            });
        }
    }
    (rules, plants, patterns.len())
}

fn main() {
    let args = match parse_args() {
        Ok(args) => args,
        Err(err) => {
            eprintln!(
                "error: {err}\nhint: guard_bench [--files N] [--runs R] [--threads T] [--dir PATH] [--seed S]"
            );
            std::process::exit(2);
        }
    };
    let (inputs, plants, pattern_count) = example_rules();
    let compile_started = Instant::now();
    let rules = RuleSet::compile(inputs).expect("the example rules compile");
    let compile_ms = compile_started.elapsed().as_secs_f64() * 1000.0;

    let temp;
    let root = if let Some(dir) = &args.dir {
        assert!(
            !dir.exists(),
            "--dir {} exists; give a new path",
            dir.display()
        );
        dir.clone()
    } else {
        temp = tempfile::tempdir().expect("a temporary directory");
        temp.path().join("tree")
    };
    let generate_started = Instant::now();
    let (planted, bytes) = generate(&root, args.files, &plants, &mut Rng(args.seed));
    let generate_s = generate_started.elapsed().as_secs_f64();

    let opts = ScanOptions {
        threads: args.threads,
        ..ScanOptions::default()
    };
    let paths = [root.clone()];
    // Warm-up: the page cache, the regex engines' lazy DFAs.
    let warm = scan_paths(&rules, &paths, &root, &opts).expect("scan");
    let mut times = Vec::new();
    for _ in 0..args.runs {
        let started = Instant::now();
        let report = scan_paths(&rules, &paths, &root, &opts).expect("scan");
        times.push(started.elapsed().as_secs_f64());
        assert_eq!(report.violations.len(), warm.violations.len());
    }
    times.sort_by(f64::total_cmp);
    let p50 = times[times.len() / 2];
    let threads = if args.threads == 0 {
        std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
    } else {
        args.threads
    };
    let mb = warm.bytes_scanned as f64 / 1e6;
    let files_with = warm.files_with_violations();

    println!("ltmc-guard scan benchmark");
    println!(
        "tree: {} files, {:.1} MB ({} planted), generated in {generate_s:.1} s at {}",
        args.files,
        bytes as f64 / 1e6,
        planted,
        root.display()
    );
    println!(
        "rules: {} from {pattern_count} example patterns, compiled in {compile_ms:.1} ms; threads: {threads}; runs: {}",
        rules.len(),
        args.runs
    );
    println!();
    println!("| metric              | value        |");
    println!("|---------------------|--------------|");
    println!("| files scanned       | {:>12} |", warm.files_scanned);
    println!("| MB scanned          | {mb:>12.1} |");
    println!("| p50 wall            | {:>9.1} ms |", p50 * 1000.0);
    println!(
        "| min / max wall      | {:>4.0} / {:>4.0} ms |",
        times[0] * 1000.0,
        times[times.len() - 1] * 1000.0
    );
    println!(
        "| files/s (p50)       | {:>12.0} |",
        warm.files_scanned as f64 / p50
    );
    println!("| MB/s (p50)          | {:>12.1} |", mb / p50);
    println!("| violations          | {:>12} |", warm.violations.len());
    println!("| files with any      | {files_with:>12} |");
    println!(
        "| enforcement         | {:>12} |",
        warm.enforcement_violations()
    );
}
