//! Calibrated similarity for fix patterns (issue 17, item 2; seed 000's
//! "Confidence Calibration"): a monotone mapping from the embedding model's
//! raw cosines of a candidate pattern to the probability that the pattern is
//! the right fix for the debt, fitted per model, serialisable with the model
//! id, fit date, sample counts and source. Pure arithmetic; fitting data,
//! storage and the search itself live elsewhere.
//!
//! **The mapping.** A logistic regression on six features of a candidate:
//! its content cosine, its problem cosine, its margin: its rank score (the
//! mean of the two cosines, the store's ordering) minus the best rank score
//! of the other candidates the same search returned (minus the raw floor
//! when it is alone), the lexical overlap of the debt's terms with the
//! pattern's (audit jargon the small model misses; on the training part it
//! raised `apply` recall from 0.68 to 0.74 at a higher precision), the
//! cosine of the debt with the pattern's code embedding (before/after code:
//! what the fix touches), and the lexical margin: its overlap minus the best
//! other candidate's (a near-miss shares words with several patterns). The
//! last two were chosen by five-fold cross-validation on the training part
//! (`apply` precision 0.957 → 0.966, recall 0.750 → 0.777, `new` 0.931 →
//! 0.941 at the same keep threshold). Every weight is constrained to be at least 0, so
//! the probability never falls when a cosine or the margin rises (monotone),
//! and it stays strictly between 0 and 1. Fitted by Newton's method with a
//! small ridge penalty and an active set for the constraints: deterministic,
//! so a refit of the same samples gives the same parameters bit for bit.
//!
//! **How it meets the seed's thresholds.** The seed's scoring shape is kept:
//! confidence = similarity × layer 1.2 × workflow (1 + 0.3·overlap) × history
//! × file type 1.1, capped at 1, and `apply` above 0.8. It is fed the
//! *calibrated similarity*, which is the probability divided by
//! [`Calibration::reference_boost`]: the boost a candidate gets when the
//! debt's layer, workflows and file type all match (1.2 × 1.3 × 1.1). The
//! search only returns patterns sharing the debt's layer, a workflow and the
//! file type, so for an audit that names all three the seed's confidence *is*
//! the probability that the pattern is right, and `apply` (> 0.8) means "more
//! than 80% likely right". A debt with less context (no layer, a partial
//! workflow overlap) gets a lower confidence than its probability, a pattern
//! with a good history a higher one: the boosts keep the meaning the seed
//! gave them, on a scale that is now a probability rather than a cosine.
//! The seed's similarity threshold becomes [`Calibration::keep_threshold`], a
//! probability: a candidate less likely right than that is not offered, so a
//! debt none of whose candidates reaches it gets `new`. The store is still
//! asked for candidates above a raw cosine ([`Calibration::raw_floor`]),
//! low enough that it cuts nothing the calibration would keep.

use serde::{Deserialize, Serialize};

use super::confidence::{FILE_TYPE_BOOST, LAYER_BOOST, WORKFLOW_WEIGHT};

/// The boost of a candidate whose layer, workflows and file type all match.
pub const FULL_CONTEXT_BOOST: f64 = LAYER_BOOST * (1.0 + WORKFLOW_WEIGHT) * FILE_TYPE_BOOST;
/// The ridge penalty of a fit (on standardised features), small: it only
/// keeps a separable set from sending the weights to infinity.
pub const RIDGE: f64 = 1e-2;
/// The raw content cosine the default asks the store for candidates above:
/// below it all-MiniLM-L6-v2's cosines are unrelated texts.
pub const DEFAULT_RAW_FLOOR: f64 = 0.15;
/// The probability below which the default does not offer a candidate. In
/// five-fold cross-validation on the training part 0.6 gave more `new`
/// answers for debts without a pattern than 0.5 (0.941 against 0.921) at
/// the same `apply` precision and recall; 0.55-0.7 all gave the same.
pub const DEFAULT_KEEP_THRESHOLD: f64 = 0.6;
/// Newton iterations of a fit; it converges in far fewer.
const MAX_ITERATIONS: usize = 100;

/// Number of features.
pub const N: usize = 6;

/// What a candidate's calibration is computed from.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Features {
    /// Cosine of the debt and the pattern's content embedding.
    pub content: f64,
    /// Cosine of the debt and the pattern's problem embedding.
    pub problem: f64,
    /// Its rank score minus the best other candidate's (or the raw floor's).
    pub margin: f64,
    /// The share of the debt's terms the pattern's text has ([`lexical_overlap`]).
    pub lexical: f64,
    /// Cosine of the debt and the pattern's code embedding.
    pub code: f64,
    /// Its lexical overlap minus the best other candidate's (or 0).
    pub lexical_margin: f64,
}

impl Features {
    fn as_array(self) -> [f64; N] {
        [
            self.content,
            self.problem,
            self.margin,
            self.lexical,
            self.code,
            self.lexical_margin,
        ]
    }
}

/// What one candidate of a search measured, before the margins.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Measures {
    /// Cosine with the content embedding.
    pub content: f64,
    /// Cosine with the problem embedding.
    pub problem: f64,
    /// Cosine with the code embedding.
    pub code: f64,
    /// [`lexical_overlap`] with the pattern's text.
    pub lexical: f64,
}

/// Words too common to say anything about a debt.
const STOP_WORDS: &[&str] = &[
    "a", "an", "the", "to", "of", "in", "on", "for", "and", "or", "is", "are", "be", "it", "its",
    "with", "as", "by", "at", "from", "that", "this", "not", "no", "without", "into", "any",
    "every", "when", "so", "only", "than",
];

/// The terms of a text: lower-case ASCII letter and digit runs of two or
/// more characters, stop words left out, cut to their first five characters
/// (a crude stem: `validation`/`validate`, `hardcoded`/`hardcode`).
fn terms(text: &str) -> std::collections::BTreeSet<String> {
    text.to_ascii_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| w.len() > 1 && !STOP_WORDS.contains(w))
        .map(|w| w.chars().take(5).collect())
        .collect()
}

/// The share of the debt's terms that the pattern's text (title, problem,
/// tags, code before the fix: [`pattern_terms_text`]) also has, 0-1. It
/// catches the jargon of audit notes (`IDOR`, `n+1`, `CORS`, `localStorage`)
/// that the small model's cosine misses.
pub fn lexical_overlap(debt: &str, pattern_text: &str) -> f64 {
    let d = terms(debt);
    if d.is_empty() {
        return 0.0;
    }
    let p = terms(pattern_text);
    #[allow(clippy::cast_precision_loss)] // a few dozen terms
    let share = d.intersection(&p).count() as f64 / d.len() as f64;
    share
}

/// The text of a pattern whose terms [`lexical_overlap`] reads.
pub fn pattern_terms_text(
    title: &str,
    problem: &str,
    tags: &[String],
    code_before: Option<&str>,
) -> String {
    format!(
        "{title} {problem} {} {}",
        tags.join(" "),
        code_before.unwrap_or("")
    )
}

/// The features of every candidate of one search, in the search's order;
/// `floor` is the raw cosine the store was asked for (the runner-up of a
/// lone candidate's rank score; a lone candidate's lexical runner-up is 0).
pub fn features_of(measured: &[Measures], floor: f64) -> Vec<Features> {
    let best_other = |i: usize, start: f64, of: fn(&Measures) -> f64| {
        measured
            .iter()
            .enumerate()
            .filter(|&(j, _)| j != i)
            .map(|(_, m)| of(m))
            .fold(start, f64::max)
    };
    let rank = |m: &Measures| f64::midpoint(m.content, m.problem);
    measured
        .iter()
        .enumerate()
        .map(|(i, m)| Features {
            content: m.content,
            problem: m.problem,
            margin: rank(m) - best_other(i, floor, rank),
            lexical: m.lexical,
            code: m.code,
            lexical_margin: m.lexical - best_other(i, 0.0, |m| m.lexical),
        })
        .collect()
}

/// Where a calibration came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CalibrationSource {
    /// Fitted on the labelled set shipped with ltmc.
    Default,
    /// Refitted from the team's own outcomes and reviews.
    Team,
}

impl CalibrationSource {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Default => "default",
            Self::Team => "team",
        }
    }
}

/// How many samples a calibration was fitted on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SampleCounts {
    /// Candidate (debt, pattern) pairs.
    pub pairs: usize,
    /// Pairs where the pattern was the right fix.
    pub positives: usize,
    /// Debts the pairs came from.
    pub debts: usize,
}

/// A fitted calibration for one embedding model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Calibration {
    /// The embedding model whose cosines it maps (`Embedder::model_id`).
    pub model_id: String,
    /// When it was fitted (RFC 3339).
    pub fitted_at: String,
    pub source: CalibrationSource,
    pub samples: SampleCounts,
    /// Logistic weights of content, problem, margin, lexical overlap, code
    /// and lexical margin, each ≥ 0. A calibration stored before the last
    /// two existed has four; they read as 0 (it behaves as it did).
    #[serde(deserialize_with = "weights_padded")]
    pub weights: [f64; N],
    pub intercept: f64,
    /// The probability below which a candidate is not offered.
    pub keep_threshold: f64,
    /// The raw content cosine the store is asked for candidates above.
    pub raw_floor: f64,
    /// The probability is divided by this to give the calibrated similarity.
    pub reference_boost: f64,
}

/// Reads up to [`N`] weights, the missing ones 0 (older calibrations).
fn weights_padded<'de, D: serde::Deserializer<'de>>(d: D) -> Result<[f64; N], D::Error> {
    let given = Vec::<f64>::deserialize(d)?;
    if given.is_empty() || given.len() > N {
        return Err(serde::de::Error::custom(format!(
            "weights has {} numbers; give 1 to {N}",
            given.len()
        )));
    }
    Ok(std::array::from_fn(|k| {
        given.get(k).copied().unwrap_or(0.0)
    }))
}

/// A calibration that cannot be used or fitted.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CalibrationError {
    #[error("calibration: {0}")]
    Invalid(String),
}

impl Calibration {
    /// The probability that the candidate is the right fix, in (0, 1).
    pub fn probability(&self, f: Features) -> f64 {
        let z = self.intercept
            + self
                .weights
                .iter()
                .zip(f.as_array())
                .map(|(w, x)| w * x)
                .sum::<f64>();
        sigmoid(z)
    }

    /// What the seed's scoring shape is fed: the probability over the
    /// reference boost.
    pub fn calibrated_similarity(&self, f: Features) -> f64 {
        self.probability(f) / self.reference_boost
    }

    /// Checks what a stored or hand-edited calibration must satisfy.
    pub fn validated(self) -> Result<Self, CalibrationError> {
        let bad = |what: String| Err(CalibrationError::Invalid(what));
        if self.model_id.trim().is_empty() {
            return bad("model_id is empty".into());
        }
        if self.weights.iter().any(|w| !w.is_finite() || *w < 0.0) || !self.intercept.is_finite() {
            return bad(format!(
                "weights {:?} and intercept {} must be finite, the weights at least 0 (monotone)",
                self.weights, self.intercept
            ));
        }
        if !(0.0..1.0).contains(&self.keep_threshold) {
            return bad(format!(
                "keep_threshold {} is not a probability in [0, 1)",
                self.keep_threshold
            ));
        }
        if !(-1.0..1.0).contains(&self.raw_floor) {
            return bad(format!(
                "raw_floor {} is not a cosine in [-1, 1)",
                self.raw_floor
            ));
        }
        if !(self.reference_boost.is_finite() && self.reference_boost >= 1.0) {
            return bad(format!(
                "reference_boost {} must be at least 1",
                self.reference_boost
            ));
        }
        Ok(self)
    }

    /// Parses and validates a calibration's JSON.
    pub fn from_json(text: &str) -> Result<Self, CalibrationError> {
        serde_json::from_str::<Self>(text)
            .map_err(|e| CalibrationError::Invalid(format!("not a calibration: {e}")))?
            .validated()
    }
}

/// The default calibration fitted for all-MiniLM-L6-v2 on the labelled set
/// (`cargo run -p ltmc-service --example calibrate` refits it).
pub const MINILM_DEFAULT_JSON: &str = include_str!("calibration_minilm.json");

/// The shipped default calibration for a model, when there is one.
pub fn default_for(model_id: &str) -> Option<Calibration> {
    let c = Calibration::from_json(MINILM_DEFAULT_JSON).ok()?;
    (c.model_id == model_id).then_some(c)
}

/// One labelled candidate: its features and whether it was the right fix.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sample {
    pub features: Features,
    pub right: bool,
}

/// What a fit is told besides the samples.
#[derive(Debug, Clone, PartialEq)]
pub struct FitSettings {
    pub model_id: String,
    pub fitted_at: String,
    pub source: CalibrationSource,
    /// How many debts the samples came from (for the record).
    pub debts: usize,
    pub keep_threshold: f64,
    pub raw_floor: f64,
}

/// Fits the monotone logistic calibration: ridge-penalised maximum
/// likelihood with every weight ≥ 0 (a weight that would be negative is held
/// at 0 and the rest refitted). Needs at least one right and one wrong sample.
pub fn fit(samples: &[Sample], settings: FitSettings) -> Result<Calibration, CalibrationError> {
    let positives = samples.iter().filter(|s| s.right).count();
    if positives == 0 || positives == samples.len() {
        return Err(CalibrationError::Invalid(format!(
            "needs both right and wrong candidates; got {positives} right of {}",
            samples.len()
        )));
    }
    if samples
        .iter()
        .any(|s| s.features.as_array().iter().any(|x| !x.is_finite()))
    {
        return Err(CalibrationError::Invalid(
            "a sample's features are not finite".into(),
        ));
    }
    // Standardise, so one ridge strength fits every feature's scale.
    let xs: Vec<[f64; N]> = samples.iter().map(|s| s.features.as_array()).collect();
    let n = xs.len() as f64;
    let mut mean = [0.0; N];
    let mut sd = [0.0; N];
    for k in 0..N {
        mean[k] = xs.iter().map(|x| x[k]).sum::<f64>() / n;
        let var = xs.iter().map(|x| (x[k] - mean[k]).powi(2)).sum::<f64>() / n;
        sd[k] = var.sqrt().max(1e-9);
    }
    let zs: Vec<[f64; N]> = xs
        .iter()
        .map(|x| std::array::from_fn(|k| (x[k] - mean[k]) / sd[k]))
        .collect();
    let ys: Vec<f64> = samples
        .iter()
        .map(|s| if s.right { 1.0 } else { 0.0 })
        .collect();

    let mut active = [true; N];
    let beta = loop {
        let beta = newton(&zs, &ys, active);
        match (0..N).find(|&k| active[k] && beta[k + 1] < 0.0) {
            Some(k) => active[k] = false,
            None => break beta,
        }
    };
    // Back to the raw features' scale.
    let weights: [f64; N] = std::array::from_fn(|k| beta[k + 1] / sd[k]);
    let intercept = beta[0] - (0..N).map(|k| weights[k] * mean[k]).sum::<f64>();
    Calibration {
        model_id: settings.model_id,
        fitted_at: settings.fitted_at,
        source: settings.source,
        samples: SampleCounts {
            pairs: samples.len(),
            positives,
            debts: settings.debts,
        },
        weights,
        intercept,
        keep_threshold: settings.keep_threshold,
        raw_floor: settings.raw_floor,
        reference_boost: FULL_CONTEXT_BOOST,
    }
    .validated()
}

/// Newton's method on the penalised log-likelihood over the active
/// features (inactive weights stay 0); returns the intercept, then the weights.
#[allow(clippy::needless_range_loop)] // matrix arithmetic reads best by index
fn newton(zs: &[[f64; N]], ys: &[f64], active: [bool; N]) -> [f64; N + 1] {
    let mut beta = [0.0; N + 1];
    let on = |j: usize| j == 0 || active[j - 1];
    for _ in 0..MAX_ITERATIONS {
        let mut grad = [0.0; N + 1];
        let mut hess = [[0.0; N + 1]; N + 1];
        for (z, y) in zs.iter().zip(ys) {
            let x: [f64; N + 1] = std::array::from_fn(|j| if j == 0 { 1.0 } else { z[j - 1] });
            let p = sigmoid((0..=N).map(|j| beta[j] * x[j]).sum());
            let w = (p * (1.0 - p)).max(1e-12);
            for j in 0..=N {
                grad[j] += (y - p) * x[j];
                for k in 0..=N {
                    hess[j][k] += w * x[j] * x[k];
                }
            }
        }
        for j in 1..=N {
            grad[j] -= RIDGE * beta[j];
            hess[j][j] += RIDGE;
        }
        for j in 0..=N {
            if !on(j) {
                grad[j] = 0.0;
                for k in 0..=N {
                    hess[j][k] = 0.0;
                    hess[k][j] = 0.0;
                }
                hess[j][j] = 1.0;
            }
        }
        let step = solve(hess, grad);
        let mut change = 0.0_f64;
        for j in 0..=N {
            beta[j] += step[j];
            change = change.max(step[j].abs());
        }
        if change < 1e-10 {
            break;
        }
    }
    beta
}

/// Solves `a · x = b` by Gaussian elimination with partial pivoting.
#[allow(clippy::needless_range_loop)] // matrix arithmetic reads best by index
fn solve(mut a: [[f64; N + 1]; N + 1], mut b: [f64; N + 1]) -> [f64; N + 1] {
    const M: usize = N + 1;
    for col in 0..M {
        let pivot = (col..M)
            .max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))
            .unwrap_or(col);
        a.swap(col, pivot);
        b.swap(col, pivot);
        let d = a[col][col];
        if d.abs() < 1e-300 {
            continue;
        }
        for row in col + 1..M {
            let f = a[row][col] / d;
            for k in col..M {
                a[row][k] -= f * a[col][k];
            }
            b[row] -= f * b[col];
        }
    }
    let mut x = [0.0; M];
    for row in (0..M).rev() {
        let s: f64 = (row + 1..M).map(|k| a[row][k] * x[k]).sum();
        x[row] = if a[row][row].abs() < 1e-300 {
            0.0
        } else {
            (b[row] - s) / a[row][row]
        };
    }
    x
}

fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

#[cfg(test)]
#[path = "calibration_tests.rs"]
mod tests;
