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
use ltmc_service::fix::calibration_set::{
    Evaluation, FOLDS, LabelledSet, Scoring, cross_validate, fit_on, fold, prepare_all,
};
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
    let all = prepare_all(&memory, &project, &set, DEFAULT_RAW_FLOOR).await?;
    let (train, test) = fold(all.clone(), FOLDS - 1);
    let fitted_at = time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)?
        .format(&time::format_description::well_known::Rfc3339)?;
    let settings = FitSettings {
        model_id: spec.model_id.clone(),
        fitted_at,
        source: CalibrationSource::Default,
        debts: train.len(),
        keep_threshold: DEFAULT_KEEP_THRESHOLD,
        raw_floor: DEFAULT_RAW_FLOOR,
    };
    let calibration = fit_on(&train, settings.clone())?;
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
    }
    let (pooled, folds) = cross_validate(&all, &settings)?;
    println!("== five-fold cross-validation over all {} debts", all.len());
    println!(
        "{}",
        pooled.table("each fifth decided by a calibration fitted on the other four")
    );
    for (k, e) in folds.iter().enumerate() {
        println!(
            "  fold {k}: precision {:.3} recall {:.3} new {:.3}",
            e.apply_precision(),
            e.apply_recall(),
            e.new_rate()
        );
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
                            "code": c.code, "lexical": c.lexical,
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
