//! `ltmc patterns calibrate` (issue 17; seed 000's "Confidence Calibration:
//! adjust confidence scoring based on outcomes"): the calibration refitted
//! from the team's own history, stored with the store, and undone.
//!
//! The samples are the recorded outcomes (`record_pattern_outcome`): each
//! application whose audit (by id, else by file path) states its debt is a
//! debt searched as `find_similar_patterns` searches it. A success makes the
//! applied pattern a right candidate and the other candidates of that search
//! wrong ones (the team fixed it with another pattern); a failure makes the
//! applied pattern a wrong candidate. An outcome whose pattern the search
//! does not return (another layer, unreviewed) says nothing about the
//! ranking and is skipped, counted. The refit is the same monotone logistic
//! fit as the shipped default; it is stored only with enough samples of both
//! kinds, and the report shows the decisions on the team's history before
//! (the active calibration) and after (the refit), in-sample.
//! Reviews are not samples: a pattern is reviewed against the debt it was
//! extracted from, whose text it repeats, which teaches the ranking nothing.
//!
//! Not here: the fit itself (`ltmc_core::fix::calibration`), storage (the
//! store's `CalibrationStore`), the labelled set (`calibration_set`).

use super::calibrated::{CalibrationUsed, active};
use super::calibration_set::{Evaluation, LabelledDebt, Scoring, Searched, measures, search_debts};
use crate::{Memory, ServiceError};
use ltmc_core::fix::FileAudit;
use ltmc_core::fix::calibration::{
    Calibration, CalibrationSource, FitSettings, Sample, features_of, fit,
};
use ltmc_core::{PatternId, Project, now_rfc3339};
use serde::Serialize;
use std::collections::BTreeMap;

/// The fewest candidate pairs a refit needs, and of each kind (right, wrong).
pub const DEFAULT_MIN_PAIRS: usize = 30;
pub const MIN_OF_EACH: usize = 8;

/// Decisions on the team's history under one calibration.
#[derive(Debug, Clone, Serialize)]
pub struct Decisions {
    pub apply_precision: f64,
    pub apply_recall: f64,
    /// Of debts where every applied pattern failed, the share answered `new`.
    pub new_for_failed: f64,
    pub table: String,
}

impl Decisions {
    fn of(searched: &[Searched], calibration: &Calibration, name: &str) -> Self {
        let e = Evaluation::of(searched, Scoring::Calibrated(calibration));
        Self {
            apply_precision: e.apply_precision(),
            apply_recall: e.apply_recall(),
            new_for_failed: e.new_rate(),
            table: e.table(name),
        }
    }
}

/// What `calibrate` found and did.
#[derive(Debug, Clone, Serialize)]
pub struct CalibrateReport {
    pub model_id: String,
    /// The calibration active before (none: the model has no calibration).
    pub before_calibration: Option<CalibrationUsed>,
    pub outcomes: usize,
    /// Outcomes without a debt text (no audit, or an audit without debt).
    pub without_debt: usize,
    /// Outcomes whose pattern the debt's search did not return.
    pub not_found_by_search: usize,
    pub debts: usize,
    pub pairs: usize,
    pub right: usize,
    pub wrong: usize,
    pub min_pairs: usize,
    pub enough: bool,
    pub before: Option<Decisions>,
    pub after: Option<Decisions>,
    /// The refit (stored unless a dry run).
    pub calibration: Option<Calibration>,
    pub stored_id: Option<i64>,
    pub message: String,
}

/// What an undo did.
#[derive(Debug, Clone, Serialize)]
pub struct UndoReport {
    pub model_id: String,
    /// The refit undone (its id and fit time); none when there was none.
    pub undone_id: Option<i64>,
    pub undone_fitted_at: Option<String>,
    /// The calibration active now.
    pub active: Option<CalibrationUsed>,
    pub message: String,
}

fn used(c: &Calibration) -> CalibrationUsed {
    CalibrationUsed {
        source: c.source,
        model_id: c.model_id.clone(),
        fitted_at: c.fitted_at.clone(),
    }
}

/// One debt of the history: the audit, and the outcome of each pattern tried.
struct HistoryDebt {
    audit: FileAudit,
    debt: String,
    outcomes: BTreeMap<PatternId, bool>,
}

async fn history(
    memory: &Memory,
    project: &Project,
) -> Result<(usize, usize, Vec<HistoryDebt>), ServiceError> {
    let store = memory.store();
    let applications = store.list_applications(project, None).await?;
    let mut by_audit: BTreeMap<i64, HistoryDebt> = BTreeMap::new();
    let mut without_debt = 0;
    for a in &applications {
        let audit = match (a.audit_id, a.file_path.as_deref()) {
            (Some(id), _) => Some(store.get_audit(project, id).await?),
            (None, Some(path)) => store.find_audit_by_path(project, path).await?,
            (None, None) => None,
        };
        let Some((audit, debt)) = audit.and_then(|audit| {
            let debt = ltmc_core::present(audit.technical_debt.clone())?;
            Some((audit, debt))
        }) else {
            without_debt += 1;
            continue;
        };
        let entry = by_audit.entry(audit.id.0).or_insert_with(|| HistoryDebt {
            audit,
            debt,
            outcomes: BTreeMap::new(),
        });
        // The latest outcome of a pattern on a debt counts (oldest first).
        entry.outcomes.insert(a.pattern_id, a.success);
    }
    Ok((
        applications.len(),
        without_debt,
        by_audit.into_values().collect(),
    ))
}

/// Refits the calibration of the store's model from the recorded outcomes;
/// stores it (it becomes active) unless `dry_run` or there are too few samples.
pub async fn calibrate(
    memory: &Memory,
    project: &Project,
    min_pairs: usize,
    dry_run: bool,
) -> Result<CalibrateReport, ServiceError> {
    let model_id = memory.embedder().model_id().to_owned();
    let current = active(memory, project).await?;
    let (outcomes, without_debt, debts) = history(memory, project).await?;
    let labelled: Vec<LabelledDebt> = debts
        .iter()
        .map(|d| LabelledDebt {
            id: d.audit.id.0.to_string(),
            text: d.debt.clone(),
            file_path: d.audit.file_path.clone(),
            layer: d.audit.layer_number,
            workflows: d.audit.workflows.clone(),
            pattern: d
                .outcomes
                .iter()
                .find(|(_, success)| **success)
                .map(|(id, _)| id.0.to_string()),
        })
        .collect();
    let floor = current
        .as_ref()
        .map_or(ltmc_core::fix::calibration::DEFAULT_RAW_FLOOR, |c| {
            c.raw_floor
        });
    let refs: Vec<&LabelledDebt> = labelled.iter().collect();
    let searched = search_debts(
        memory,
        project,
        &|id: PatternId| id.0.to_string(),
        &refs,
        floor,
    )
    .await?;
    let mut samples = Vec::new();
    let mut not_found = 0;
    for (s, d) in searched.iter().zip(&debts) {
        let features = features_of(&measures(&s.candidates), floor);
        let any_success = d.outcomes.values().any(|&ok| ok);
        not_found += d
            .outcomes
            .keys()
            .filter(|id| !s.candidates.iter().any(|c| c.label == id.0.to_string()))
            .count();
        for (c, f) in s.candidates.iter().zip(features) {
            let outcome = c
                .label
                .parse::<i64>()
                .ok()
                .and_then(|id| d.outcomes.get(&PatternId(id)).copied());
            let right = match outcome {
                Some(success) => success,
                // Another candidate of a debt the team fixed: not the fix.
                None if any_success => false,
                None => continue,
            };
            samples.push(Sample { features: f, right });
        }
    }
    let right = samples.iter().filter(|s| s.right).count();
    let wrong = samples.len() - right;
    let enough = samples.len() >= min_pairs && right >= MIN_OF_EACH && wrong >= MIN_OF_EACH;
    let mut report = CalibrateReport {
        model_id: model_id.clone(),
        before_calibration: current.as_ref().map(used),
        outcomes,
        without_debt,
        not_found_by_search: not_found,
        debts: searched.len(),
        pairs: samples.len(),
        right,
        wrong,
        min_pairs,
        enough,
        before: current
            .as_ref()
            .map(|c| Decisions::of(&searched, c, "before (the active calibration)")),
        after: None,
        calibration: None,
        stored_id: None,
        message: String::new(),
    };
    if !enough {
        report.message = format!(
            "not enough outcomes to refit: {} candidate pairs ({right} right, {wrong} wrong) from {} debts; \
             a refit needs at least {min_pairs} pairs and {MIN_OF_EACH} of each kind (record_pattern_outcome \
             on audited files adds them); nothing changed",
            samples.len(),
            searched.len()
        );
        return Ok(report);
    }
    let base = current.clone();
    let refit = fit(
        &samples,
        FitSettings {
            model_id: model_id.clone(),
            fitted_at: now_rfc3339(),
            source: CalibrationSource::Team,
            debts: searched.len(),
            keep_threshold: base
                .as_ref()
                .map_or(ltmc_core::fix::calibration::DEFAULT_KEEP_THRESHOLD, |c| {
                    c.keep_threshold
                }),
            raw_floor: floor,
        },
    )
    .map_err(|e| ServiceError::invalid("calibration", e.to_string()))?;
    report.after = Some(Decisions::of(&searched, &refit, "after (the refit)"));
    if !dry_run {
        let stored = memory
            .store()
            .add_calibration(
                project,
                &refit,
                &serde_json::json!({
                    "before": report.before,
                    "after": report.after,
                    "pairs": report.pairs,
                    "right": right,
                    "wrong": wrong,
                    "debts": report.debts,
                }),
            )
            .await?;
        report.stored_id = Some(stored.id);
    }
    report.message = if dry_run {
        format!(
            "refit from {} candidate pairs of {} debts (dry run: not stored)",
            samples.len(),
            searched.len()
        )
    } else {
        format!(
            "refit from {} candidate pairs of {} debts stored and active; `ltmc patterns calibrate --undo` goes back",
            samples.len(),
            searched.len()
        )
    };
    report.calibration = Some(refit);
    Ok(report)
}

/// Undoes the newest refit of the store's model: the one before it (or the
/// shipped default) is active again.
pub async fn undo(memory: &Memory, project: &Project) -> Result<UndoReport, ServiceError> {
    let model_id = memory.embedder().model_id().to_owned();
    let undone = memory.store().undo_calibration(project, &model_id).await?;
    let now = active(memory, project).await?;
    let message = match (&undone, &now) {
        (None, _) => "no refit to undo; nothing changed".to_owned(),
        (Some(u), Some(c)) => format!(
            "refit {} undone; active now: the {} calibration fitted {}",
            u.id,
            c.source.as_str(),
            c.fitted_at
        ),
        (Some(u), None) => format!("refit {} undone; the model has no calibration now", u.id),
    };
    Ok(UndoReport {
        model_id,
        undone_id: undone.as_ref().map(|u| u.id),
        undone_fitted_at: undone.map(|u| u.calibration.fitted_at),
        active: now.as_ref().map(used),
        message,
    })
}
