//! The labelled set of the fix-pattern calibration and its evaluation:
//! patterns and debts labelled with their right pattern (or none) are loaded
//! into a store through `extract_pattern`, each debt is searched as
//! `find_similar_patterns` searches it (its layer, workflows and file type
//! filter the reviewed patterns), and the candidates become fitting samples
//! and the decisions of the seed's scoring, uncalibrated (raw cosine, the
//! model's similarity threshold) or calibrated.
//!
//! Used by the evaluation test and the `calibrate` example (which refits the
//! shipped default); not the calibration itself (`ltmc_core::fix::calibration`)
//! nor its use in searches (`calibrated.rs`).

use super::patterns::{PatternDraft, context_query, extract_pattern};
use crate::{Memory, ServiceError};
use ltmc_core::fix::calibration::{
    Calibration, FitSettings, Measures, Sample, features_of, fit, lexical_overlap,
    pattern_terms_text,
};
use ltmc_core::fix::{
    APPLY_THRESHOLD, Decision, FixContext, PatternFacts, file_extension, normalize_list,
    problem_query, score_confidence,
};
use ltmc_core::{PatternId, Project};
use serde::Deserialize;
use std::collections::HashMap;
use std::fmt::Write as _;

/// Candidates per debt, as `find_similar_patterns` asks by default.
pub const CANDIDATES: usize = 10;

/// A pattern of the labelled set: `extract_pattern`'s fields and an id.
#[derive(Debug, Clone, Deserialize)]
pub struct LabelledPattern {
    pub id: String,
    #[serde(flatten)]
    pub draft: PatternDraft,
}

/// A debt of the labelled set with the file context an audit has.
#[derive(Debug, Clone, Deserialize)]
pub struct LabelledDebt {
    pub id: String,
    pub text: String,
    pub file_path: String,
    pub layer: i64,
    pub workflows: Vec<String>,
    /// The id of the right pattern; none when no pattern is.
    pub pattern: Option<String>,
}

/// The whole set, and its fixed split: debt `i` is held back when `i % 5 == 4`.
#[derive(Debug, Clone)]
pub struct LabelledSet {
    pub patterns: Vec<LabelledPattern>,
    pub debts: Vec<LabelledDebt>,
}

impl LabelledSet {
    pub fn parse(patterns_json: &str, debts_json: &str) -> Result<Self, ServiceError> {
        let patterns: Vec<LabelledPattern> = serde_json::from_str(patterns_json)
            .map_err(|e| ServiceError::invalid("patterns", format!("not a labelled set: {e}")))?;
        let debts: Vec<LabelledDebt> = serde_json::from_str(debts_json)
            .map_err(|e| ServiceError::invalid("debts", format!("not a labelled set: {e}")))?;
        for d in &debts {
            if let Some(p) = &d.pattern
                && !patterns.iter().any(|x| &x.id == p)
            {
                return Err(ServiceError::invalid(
                    "debts",
                    format!("{} names pattern {p}, which the set does not have", d.id),
                ));
            }
        }
        Ok(Self { patterns, debts })
    }

    /// The training part (four fifths) or the held-back fifth.
    pub fn part(&self, held_back: bool) -> Vec<&LabelledDebt> {
        self.debts
            .iter()
            .enumerate()
            .filter(|(i, _)| (i % 5 == 4) == held_back)
            .map(|(_, d)| d)
            .collect()
    }
}

/// One candidate of a debt's search: its cosines and what the boosts read.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub label: String,
    /// The lexical overlap of the debt with the pattern's text.
    pub lexical: f64,
    pub content: f64,
    pub problem: f64,
    pub code: f64,
    pub layers: Vec<i64>,
    pub workflows: Vec<String>,
    pub file_types: Vec<String>,
    pub applied_count: i64,
    pub success_rate: f64,
}

/// A searched debt: its context and candidates in the store's order.
#[derive(Debug, Clone)]
pub struct Searched {
    pub debt: LabelledDebt,
    pub context: FixContext,
    pub candidates: Vec<Candidate>,
}

/// Extracts and reviews every pattern of the set into the store.
pub async fn load_patterns(
    memory: &Memory,
    project: &Project,
    set: &LabelledSet,
) -> Result<HashMap<PatternId, String>, ServiceError> {
    let mut labels = HashMap::new();
    for p in &set.patterns {
        let stored = extract_pattern(memory, project, p.draft.clone())
            .await?
            .stored;
        let id = stored.pattern.id;
        memory
            .store()
            .review_pattern(project, id, true, Some("labelled set".into()))
            .await?;
        labels.insert(id, p.id.clone());
    }
    Ok(labels)
}

/// Searches every debt as `find_similar_patterns` does, down to `floor`.
/// `label` names a found pattern as the debts' labels name it.
pub async fn search_debts(
    memory: &Memory,
    project: &Project,
    label: &(dyn Fn(PatternId) -> String + Sync),
    debts: &[&LabelledDebt],
    floor: f64,
) -> Result<Vec<Searched>, ServiceError> {
    let vectors = memory
        .embed_owned(debts.iter().map(|d| problem_query(&d.text)).collect())
        .await?;
    let mut out = Vec::with_capacity(debts.len());
    for (debt, vector) in debts.iter().zip(vectors) {
        let context = FixContext {
            layer: Some(debt.layer),
            workflows: normalize_list(debt.workflows.iter().map(String::as_str)),
            file_extension: file_extension(&debt.file_path),
        };
        let query = context_query(vector, &context, floor, 0.0, CANDIDATES, false);
        let matches = memory.store().search_patterns(project, &query).await?;
        let candidates = matches
            .into_iter()
            .map(|m| Candidate {
                label: label(m.pattern.id),
                lexical: lexical_overlap(
                    &debt.text,
                    &pattern_terms_text(
                        &m.pattern.title,
                        &m.pattern.problem_description,
                        &m.pattern.tags,
                        m.pattern.code_before.as_deref(),
                    ),
                ),
                content: m.similarity,
                problem: m.problem_similarity,
                code: m.code_similarity,
                layers: m.pattern.layers,
                workflows: m.pattern.workflows,
                file_types: m.pattern.file_types,
                applied_count: m.pattern.applied_count,
                success_rate: m.pattern.success_rate,
            })
            .collect();
        out.push(Searched {
            debt: (*debt).clone(),
            context,
            candidates,
        });
    }
    Ok(out)
}

/// What the calibration reads of each candidate, in order.
pub fn measures(candidates: &[Candidate]) -> Vec<Measures> {
    candidates
        .iter()
        .map(|c| Measures {
            content: c.content,
            problem: c.problem,
            code: c.code,
            lexical: c.lexical,
        })
        .collect()
}

/// The fitting samples of searched debts: every candidate, right or not.
pub fn samples(searched: &[Searched], floor: f64) -> Vec<Sample> {
    searched
        .iter()
        .flat_map(|s| {
            features_of(&measures(&s.candidates), floor)
                .into_iter()
                .zip(&s.candidates)
                .map(|(features, c)| Sample {
                    features,
                    right: s.debt.pattern.as_deref() == Some(c.label.as_str()),
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Fits a calibration on searched debts.
pub fn fit_on(searched: &[Searched], settings: FitSettings) -> Result<Calibration, ServiceError> {
    let floor = settings.raw_floor;
    let debts = searched.len();
    fit(&samples(searched, floor), FitSettings { debts, ..settings })
        .map_err(|e| ServiceError::invalid("calibration", e.to_string()))
}

/// How a debt's candidates are scored.
#[derive(Debug, Clone, Copy)]
pub enum Scoring<'a> {
    /// Today's: the raw content cosine above this threshold.
    Raw {
        threshold: f64,
    },
    Calibrated(&'a Calibration),
}

/// The decision for one debt and the pattern it names (its top candidate).
pub fn decide(s: &Searched, scoring: Scoring<'_>) -> (Decision, Option<String>) {
    let measured = measures(&s.candidates);
    let mut scored: Vec<(f64, &Candidate)> = Vec::new();
    for (i, c) in s.candidates.iter().enumerate() {
        let similarity = match scoring {
            Scoring::Raw { threshold } if c.content > threshold => c.content,
            Scoring::Raw { .. } => continue,
            Scoring::Calibrated(cal) => {
                let features = features_of(&measured, cal.raw_floor)[i];
                if cal.probability(features) < cal.keep_threshold {
                    continue;
                }
                cal.calibrated_similarity(features)
            }
        };
        let confidence = score_confidence(
            similarity,
            PatternFacts {
                layers: &c.layers,
                workflows: &c.workflows,
                file_types: &c.file_types,
                applied_count: c.applied_count,
                success_rate: c.success_rate,
            },
            &s.context,
        );
        scored.push((confidence.confidence, c));
    }
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    let top = scored.first();
    (
        Decision::from_top(top.map(|t| t.0)),
        top.map(|t| t.1.label.clone()),
    )
}

/// The confusion table of a part of the set and the three numbers.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Evaluation {
    /// Debts with a right pattern: apply right, apply wrong, adapt right,
    /// adapt wrong, new.
    pub with: [usize; 5],
    /// Debts without one: apply, adapt, new.
    pub without: [usize; 3],
}

impl Evaluation {
    pub fn of(searched: &[Searched], scoring: Scoring<'_>) -> Self {
        let mut e = Self::default();
        for s in searched {
            let (decision, top) = decide(s, scoring);
            let right = s.debt.pattern.is_some() && top == s.debt.pattern;
            match (&s.debt.pattern, decision) {
                (Some(_), Decision::Apply) if right => e.with[0] += 1,
                (Some(_), Decision::Apply) => e.with[1] += 1,
                (Some(_), Decision::Adapt) if right => e.with[2] += 1,
                (Some(_), Decision::Adapt) => e.with[3] += 1,
                (Some(_), Decision::New) => e.with[4] += 1,
                (None, Decision::Apply) => e.without[0] += 1,
                (None, Decision::Adapt) => e.without[1] += 1,
                (None, Decision::New) => e.without[2] += 1,
            }
        }
        e
    }

    /// Adds another part's counts to these.
    pub fn add(&mut self, other: &Self) {
        for (a, b) in self.with.iter_mut().zip(other.with) {
            *a += b;
        }
        for (a, b) in self.without.iter_mut().zip(other.without) {
            *a += b;
        }
    }

    /// Of the `apply` decisions, the share naming the right pattern.
    pub fn apply_precision(&self) -> f64 {
        ratio(self.with[0], self.with[0] + self.with[1] + self.without[0])
    }

    /// Of the debts with a right pattern, the share applied with it.
    pub fn apply_recall(&self) -> f64 {
        ratio(self.with[0], self.with.iter().sum())
    }

    /// Of the debts without a right pattern, the share answered `new`.
    pub fn new_rate(&self) -> f64 {
        ratio(self.without[2], self.without.iter().sum())
    }

    /// The table and the numbers, as text.
    pub fn table(&self, name: &str) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{name}\n  with a right pattern ({}): apply right {}, apply wrong {}, adapt right {}, adapt wrong {}, new {}",
            self.with.iter().sum::<usize>(),
            self.with[0],
            self.with[1],
            self.with[2],
            self.with[3],
            self.with[4]
        );
        let _ = writeln!(
            out,
            "  without one ({}): apply {}, adapt {}, new {}",
            self.without.iter().sum::<usize>(),
            self.without[0],
            self.without[1],
            self.without[2]
        );
        let _ = write!(
            out,
            "  apply precision {:.3}, apply recall {:.3}, new for no-pattern debts {:.3} (apply above {APPLY_THRESHOLD})",
            self.apply_precision(),
            self.apply_recall(),
            self.new_rate()
        );
        out
    }
}

#[allow(clippy::cast_precision_loss)] // counts of a few hundred
fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// The set loaded into `memory`'s (empty) store and every debt searched,
/// in the set's order.
pub async fn prepare_all(
    memory: &Memory,
    project: &Project,
    set: &LabelledSet,
    floor: f64,
) -> Result<Vec<Searched>, ServiceError> {
    let labels = load_patterns(memory, project, set).await?;
    let label = |id: PatternId| labels.get(&id).cloned().unwrap_or_default();
    let all: Vec<&LabelledDebt> = set.debts.iter().collect();
    search_debts(memory, project, &label, &all, floor).await
}

/// The set loaded into `memory`'s (empty) store and both parts searched:
/// (training four fifths, held-back fifth).
pub async fn prepare(
    memory: &Memory,
    project: &Project,
    set: &LabelledSet,
    floor: f64,
) -> Result<(Vec<Searched>, Vec<Searched>), ServiceError> {
    let all = prepare_all(memory, project, set, floor).await?;
    Ok(fold(all, FOLDS - 1))
}

/// The folds of the cross-validation; the last is the fixed held-back fifth.
pub const FOLDS: usize = 5;

/// (the debts outside fold `k`, the debts of fold `k`): debt `i` (in the
/// set's order) is in fold `i % FOLDS`.
pub fn fold(all: Vec<Searched>, k: usize) -> (Vec<Searched>, Vec<Searched>) {
    let (held, rest): (Vec<_>, Vec<_>) = all
        .into_iter()
        .enumerate()
        .partition(|(i, _)| i % FOLDS == k);
    (
        rest.into_iter().map(|(_, s)| s).collect(),
        held.into_iter().map(|(_, s)| s).collect(),
    )
}

/// Five-fold cross-validation over the whole set: each fold is decided by a
/// calibration fitted on the other four (with `settings`), so every debt is
/// judged by a calibration that never saw it. Returns the pooled evaluation
/// and each fold's (the last is the fixed held-back fifth).
pub fn cross_validate(
    all: &[Searched],
    settings: &FitSettings,
) -> Result<(Evaluation, Vec<Evaluation>), ServiceError> {
    let mut pooled = Evaluation::default();
    let mut folds = Vec::with_capacity(FOLDS);
    for k in 0..FOLDS {
        let (train, held) = fold(all.to_vec(), k);
        let calibration = fit_on(&train, settings.clone())?;
        let e = Evaluation::of(&held, Scoring::Calibrated(&calibration));
        pooled.add(&e);
        folds.push(e);
    }
    Ok((pooled, folds))
}
