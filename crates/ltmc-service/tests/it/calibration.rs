//! The fix-pattern calibration on the labelled set (tests/data/calibration)
//! with the real all-MiniLM-L6-v2 model: the shipped default is what a refit
//! of the training four fifths gives, and on the held-back fifth the seed's
//! scoring fed the calibrated similarity is no worse than today's raw-cosine
//! scoring on `apply` precision, `apply` recall and `new` for debts without
//! a pattern (both tables printed); issue 17's targets (0.95 / 0.7 / 0.9)
//! hold in five-fold cross-validation over the whole set. Then
//! `find_similar_patterns` and `recommend_fix` decide as the evaluation
//! does and report the raw and calibrated similarity and the calibration.
//!
//! SQLite only: the search it relies on is conformance-tested on both stores.

use ltmc_core::fix::Decision;
use ltmc_core::fix::calibration::{
    CalibrationSource, DEFAULT_KEEP_THRESHOLD, DEFAULT_RAW_FLOOR, FitSettings, default_for,
};
use ltmc_core::{ChunkConfig, Project};
use ltmc_embed::ModelStore;
use ltmc_service::Memory;
use ltmc_service::fix::calibration_set::{
    Evaluation, FOLDS, LabelledSet, Scoring, cross_validate, decide, fit_on, prepare, prepare_all,
};
use ltmc_service::fix::patterns::{MINILM_SIMILARITY_THRESHOLD, SimilarRequest, recommend_fix};
use ltmc_store_sqlite::SqliteStore;
use std::sync::Arc;

const PATTERNS: &str = include_str!("../data/calibration/patterns.json");
const DEBTS: &str = include_str!("../data/calibration/debts.json");

fn real_memory(dir: &std::path::Path) -> Memory {
    let store = ModelStore::new(ModelStore::default_dir().unwrap());
    let model = ltmc_embed::load_default(&store).unwrap();
    let spec = ltmc_store::EmbeddingSpec {
        model_id: model.model_id().to_owned(),
        dimension: model.dimension(),
    };
    let store = SqliteStore::open(&dir.join("ltmc.db"), Some(&spec)).unwrap();
    Memory::new(Arc::new(store), model, ChunkConfig::default()).unwrap()
}

/// Today's scoring and the calibrated one on searched debts; prints both.
#[allow(clippy::print_stderr)] // the tables are the point of a run with --nocapture
fn evaluations(
    test: &[ltmc_service::fix::calibration_set::Searched],
    shipped: &ltmc_core::fix::calibration::Calibration,
) -> (Evaluation, Evaluation) {
    let raw = Evaluation::of(
        test,
        Scoring::Raw {
            threshold: MINILM_SIMILARITY_THRESHOLD,
        },
    );
    let calibrated = Evaluation::of(test, Scoring::Calibrated(shipped));
    eprintln!(
        "held-back fifth ({} debts)\n{}\n{}",
        test.len(),
        raw.table("uncalibrated (raw cosine > 0.35)"),
        calibrated.table("calibrated (default)")
    );
    (raw, calibrated)
}

/// Issue 17's targets, on held-back debts: five-fold cross-validation over
/// the whole set, each fifth decided by a calibration fitted on the other
/// four (the last fold is the fixed held-back fifth), pooled. Measured:
/// `apply` precision 0.965 (139 of 144), recall 0.755, `new` 0.913; the
/// fixed fifth alone gives 0.933 / 0.778 / 0.885 (two near-misses applied:
/// "outgoing webhooks are not signed" against "verify incoming webhook
/// signatures", "pagination cursor off by one" against "paginate list
/// endpoints"), the other folds 0.909-1.0 / 0.676-0.811 / 0.800-0.962.
#[allow(clippy::print_stderr)] // the tables are the point of a run with --nocapture
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn issue_17_targets_in_five_fold_cross_validation() {
    let dir = tempfile::tempdir().unwrap();
    let memory = real_memory(dir.path());
    let set = LabelledSet::parse(PATTERNS, DEBTS).unwrap();
    let all = prepare_all(&memory, &Project::default(), &set, DEFAULT_RAW_FLOOR)
        .await
        .unwrap();
    let shipped = default_for(memory.embedder().model_id()).unwrap();
    let settings = FitSettings {
        model_id: shipped.model_id.clone(),
        fitted_at: shipped.fitted_at.clone(),
        source: CalibrationSource::Default,
        debts: 0,
        keep_threshold: DEFAULT_KEEP_THRESHOLD,
        raw_floor: DEFAULT_RAW_FLOOR,
    };
    let (pooled, folds) = cross_validate(&all, &settings).unwrap();
    let raw = Evaluation::of(
        &all,
        Scoring::Raw {
            threshold: MINILM_SIMILARITY_THRESHOLD,
        },
    );
    let table = pooled.table("calibrated, five-fold cross-validation");
    eprintln!(
        "all {} debts\n{}\n{table}\n{}",
        all.len(),
        raw.table("uncalibrated (raw cosine > 0.35)"),
        folds[FOLDS - 1].table("the fixed held-back fifth (fold 4)")
    );
    assert_eq!(folds.len(), FOLDS);
    assert_eq!(
        folds
            .iter()
            .map(|e| e.with.iter().sum::<usize>() + e.without.iter().sum::<usize>())
            .sum::<usize>(),
        all.len()
    );
    assert!(pooled.apply_precision() >= 0.95, "{table}");
    assert!(pooled.apply_recall() >= 0.7, "{table}");
    assert!(pooled.new_rate() >= 0.9, "{table}");
    // And better than today's uncalibrated scoring on all three.
    assert!(pooled.apply_precision() > raw.apply_precision());
    assert!(pooled.apply_recall() > raw.apply_recall());
    assert!(pooled.new_rate() > raw.new_rate());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calibrated_decisions_on_the_held_back_fifth() {
    let dir = tempfile::tempdir().unwrap();
    let memory = real_memory(dir.path());
    let model_id = memory.embedder().model_id().to_owned();
    let set = LabelledSet::parse(PATTERNS, DEBTS).unwrap();
    assert!(set.patterns.len() >= 60 && set.debts.len() >= 300);
    let without = set.debts.iter().filter(|d| d.pattern.is_none()).count();
    assert!(
        3 * without >= set.debts.len(),
        "{without} without a pattern"
    );
    let project = Project::default();
    let (train, test) = prepare(&memory, &project, &set, DEFAULT_RAW_FLOOR)
        .await
        .unwrap();

    // The shipped default is the fit of the training part (reproducible).
    let shipped = default_for(&model_id).expect("a default calibration for the real model");
    assert_eq!(shipped.source, CalibrationSource::Default);
    let refit = fit_on(
        &train,
        FitSettings {
            model_id: model_id.clone(),
            fitted_at: shipped.fitted_at.clone(),
            source: CalibrationSource::Default,
            debts: train.len(),
            keep_threshold: DEFAULT_KEEP_THRESHOLD,
            raw_floor: DEFAULT_RAW_FLOOR,
        },
    )
    .unwrap();
    assert_eq!(refit.samples, shipped.samples);
    // Reproducible to the 6th significant digit: the embedding runtimes (ONNX
    // Runtime, candle) agree to cosine 0.9999999, which moves the fit in the 7th.
    let close = |a: f64, b: f64| (a - b).abs() < 1e-5 * b.abs().max(1.0);
    for (a, b) in refit.weights.iter().zip(&shipped.weights) {
        assert!(
            close(*a, *b),
            "refit {:?} shipped {:?}",
            refit.weights,
            shipped.weights
        );
    }
    assert!(close(refit.intercept, shipped.intercept));

    let (raw, calibrated) = evaluations(&test, &shipped);
    // Calibration must not make any of the three numbers worse.
    assert!(calibrated.apply_precision() >= raw.apply_precision());
    assert!(calibrated.apply_recall() >= raw.apply_recall());
    assert!(calibrated.new_rate() >= raw.new_rate());
    assert!(calibrated.apply_precision() >= 0.9);

    // The service decides as the evaluation does, and says how.
    for searched in &test {
        let (want, want_top) = decide(searched, Scoring::Calibrated(&shipped));
        let request = SimilarRequest {
            text: Some(searched.debt.text.clone()),
            layer: Some(searched.debt.layer),
            workflows: Some(searched.debt.workflows.clone()),
            file_path: Some(searched.debt.file_path.clone()),
            ..SimilarRequest::default()
        };
        let rec = recommend_fix(&memory, &project, None, &request, false)
            .await
            .unwrap();
        assert_eq!(rec.decision, want, "{}", searched.debt.id);
        let top = rec.candidates.first();
        assert_eq!(top.is_some(), want_top.is_some(), "{}", searched.debt.id);
        if let Some(top) = top {
            let c = top.calibrated.as_ref().expect("calibrated score");
            assert_eq!(c.calibration.source, CalibrationSource::Default);
            assert_eq!(c.calibration.model_id, model_id);
            assert!((c.raw_similarity - top.similarity).abs() < 1e-12);
            assert!((top.confidence.similarity - c.calibrated_similarity).abs() < 1e-12);
            assert!(c.probability >= shipped.keep_threshold);
        }
        if want == Decision::New {
            assert!(rec.candidates.is_empty());
        }
    }
}
