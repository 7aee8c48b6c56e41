//! Refits the default fix-pattern calibration of all-MiniLM-L6-v2 from the
//! labelled set (crates/ltmc-service/tests/data/calibration) with the real
//! model, and prints the decisions before (raw cosine, threshold 0.35) and
//! after calibration on the training part and the held-back fifth, then the
//! fitted calibration as JSON (or writes it with `--write PATH`, e.g.
//! crates/ltmc-core/src/fix/calibration_minilm.json).
//!
//! `cargo run --release -p ltmc-service --example calibrate [-- --write PATH]`.
//! A tool for maintainers, not part of the product.

#![allow(clippy::print_stdout)]

use ltmc_core::fix::calibration::{
    CalibrationSource, DEFAULT_KEEP_THRESHOLD, DEFAULT_RAW_FLOOR, FitSettings,
};
use ltmc_core::{ChunkConfig, Project};
use ltmc_embed::ModelStore;
use ltmc_service::Memory;
use ltmc_service::fix::calibration_set::{Evaluation, LabelledSet, Scoring, fit_on, prepare};
use ltmc_service::fix::patterns::MINILM_SIMILARITY_THRESHOLD;
use ltmc_store_sqlite::SqliteStore;
use std::sync::Arc;

const PATTERNS: &str = include_str!("../tests/data/calibration/patterns.json");
const DEBTS: &str = include_str!("../tests/data/calibration/debts.json");

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let write = args
        .iter()
        .position(|a| a == "--write")
        .and_then(|i| args.get(i + 1))
        .cloned();
    let store = ModelStore::new(ModelStore::default_dir().ok_or("no model directory")?);
    let model = ltmc_embed::load_default(&store)?;
    let spec = ltmc_store::EmbeddingSpec {
        model_id: model.model_id().to_owned(),
        dimension: model.dimension(),
    };
    let tmp = tempfile::tempdir()?;
    let store = SqliteStore::open(&tmp.path().join("ltmc.db"), Some(&spec))?;
    let memory = Memory::new(Arc::new(store), model, ChunkConfig::default())?;
    let set = LabelledSet::parse(PATTERNS, DEBTS)?;
    let project = Project::default();
    let (train, test) = prepare(&memory, &project, &set, DEFAULT_RAW_FLOOR).await?;
    let fitted_at = time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)?
        .format(&time::format_description::well_known::Rfc3339)?;
    let calibration = fit_on(
        &train,
        FitSettings {
            model_id: spec.model_id.clone(),
            fitted_at,
            source: CalibrationSource::Default,
            debts: train.len(),
            keep_threshold: DEFAULT_KEEP_THRESHOLD,
            raw_floor: DEFAULT_RAW_FLOOR,
        },
    )?;
    let raw = Scoring::Raw {
        threshold: MINILM_SIMILARITY_THRESHOLD,
    };
    for (name, part) in [("training part", &train), ("held-back fifth", &test)] {
        println!("== {name} ({} debts)", part.len());
        println!(
            "{}",
            Evaluation::of(part, raw).table("uncalibrated (raw cosine > 0.35)")
        );
        println!(
            "{}",
            Evaluation::of(part, Scoring::Calibrated(&calibration)).table("calibrated")
        );
        for keep in [0.4, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75] {
            for scale in [1.0, 1.05, 1.1, 1.15, 1.2] {
                let c = ltmc_core::fix::calibration::Calibration {
                    keep_threshold: keep,
                    reference_boost: calibration.reference_boost * scale,
                    ..calibration.clone()
                };
                let e = Evaluation::of(part, Scoring::Calibrated(&c));
                println!(
                    "  keep {keep} scale {scale}: precision {:.3} recall {:.3} new {:.3}",
                    e.apply_precision(),
                    e.apply_recall(),
                    e.new_rate()
                );
            }
        }
    }
    if let Some(path) = args
        .iter()
        .position(|a| a == "--dump")
        .and_then(|i| args.get(i + 1))
    {
        let rows: Vec<serde_json::Value> = [("train", &train), ("test", &test)]
            .iter()
            .flat_map(|(part, searched)| {
                searched.iter().map(move |s| {
                    serde_json::json!({
                        "part": part,
                        "debt": s.debt.id,
                        "label": s.debt.pattern,
                        "candidates": s.candidates.iter().map(|c| serde_json::json!({
                            "label": c.label, "content": c.content, "problem": c.problem,
                        })).collect::<Vec<_>>(),
                    })
                })
            })
            .collect();
        std::fs::write(path, serde_json::to_string(&rows)?)?;
    }
    let json = serde_json::to_string_pretty(&calibration)?;
    match write {
        Some(path) => std::fs::write(&path, format!("{json}\n"))?,
        None => println!("{json}"),
    }
    Ok(())
}
