//! Calibrated relevance of a search hit (issue 20, item 4): the probability
//! that a hit is what the query looks for, from the numbers its ranking
//! already computed, so an agent can tell "the nearest memory" from "a
//! memory that answers" and a tool can say that nothing relevant is stored.
//!
//! **The mapping.** Per search mode, a logistic function of one number the
//! mode ranks by (Platt scaling): the hybrid score (similarity plus the
//! rarity-weighted word and identifier shares), the cosine similarity
//! (vector), or the rarity-weighted share of the query a chunk holds
//! (keyword; BM25 itself does not compare across queries). One increasing
//! function of the ranking score keeps relevance in rank order within an
//! answer (hybrid and vector), so a relevance cut never drops a hit while
//! keeping a worse-ranked one.
//!
//! **The fit.** Newton's method on the log-loss with a small ridge penalty,
//! deterministic; the shipped parameters ([`RelevanceModel::default_for`])
//! were fitted by `ltmc bench relevance` on committed labelled queries, whose
//! samples and report sit beside the JSON. Pure arithmetic: the features,
//! the samples and the search live elsewhere.

use serde::{Deserialize, Serialize};

/// The ridge penalty of a fit: it only keeps a separable set from sending
/// the slope to infinity.
const RIDGE: f64 = 1e-6;
/// Newton iterations; a one-feature fit converges in far fewer.
const MAX_ITERATIONS: usize = 100;

/// `p = 1 / (1 + e^-(slope·x + intercept))`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Platt {
    pub slope: f64,
    pub intercept: f64,
}

impl Platt {
    /// The probability at `x`, strictly between 0 and 1.
    pub fn probability(&self, x: f64) -> f64 {
        sigmoid(self.slope * x + self.intercept)
    }

    /// The probability at a ranking score, as search hits carry it.
    pub fn relevance(&self, score: f32) -> f32 {
        // A probability: well inside f32.
        #[allow(clippy::cast_possible_truncation)]
        let p = self.probability(f64::from(score)) as f32;
        p
    }

    /// The `x` at which the probability is `p` (0 < p < 1): what a
    /// relevance threshold means on the ranking score's scale.
    pub fn score_at(&self, p: f64) -> f64 {
        ((p / (1.0 - p)).ln() - self.intercept) / self.slope
    }
}

/// One labelled hit: the mode's ranking number and whether it was relevant.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Sample {
    pub x: f64,
    pub relevant: bool,
}

/// The parameters of each mode, with where they came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RelevanceModel {
    pub model_id: String,
    pub hybrid: Platt,
    pub vector: Platt,
    pub keyword: Platt,
    /// The data and command the parameters were fitted with.
    pub source: String,
}

/// The shipped parameters for all-MiniLM-L6-v2.
const MINILM: &str = include_str!("relevance_minilm.json");

impl RelevanceModel {
    /// The shipped parameters for `model_id`, when there are any.
    pub fn default_for(model_id: &str) -> Option<Self> {
        let model: Self = serde_json::from_str(MINILM).ok()?;
        (model.model_id == model_id).then_some(model)
    }
}

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

/// Fits a [`Platt`] to `samples` by Newton's method on the mean log-loss plus
/// `RIDGE`·slope². `None` when the samples hold only one label (nothing to
/// separate) or are not finite.
pub fn fit(samples: &[Sample]) -> Option<Platt> {
    let positives = samples.iter().filter(|s| s.relevant).count();
    if positives == 0 || positives == samples.len() || samples.iter().any(|s| !s.x.is_finite()) {
        return None;
    }
    let count = samples.len() as f64;
    let prior = positives as f64 / count;
    let (mut slope, mut intercept) = (0.0_f64, (prior / (1.0 - prior)).ln());
    for _ in 0..MAX_ITERATIONS {
        // Gradient and Hessian of the mean loss in (slope, intercept).
        let (mut g_slope, mut g_intercept) = (0.0, 0.0);
        let (mut curve_slope, mut curve_cross, mut curve_intercept) = (0.0, 0.0, 0.0);
        for sample in samples {
            let p = sigmoid(slope * sample.x + intercept);
            let residual = p - f64::from(u8::from(sample.relevant));
            let weight = p * (1.0 - p);
            g_slope += residual * sample.x;
            g_intercept += residual;
            curve_slope += weight * sample.x * sample.x;
            curve_cross += weight * sample.x;
            curve_intercept += weight;
        }
        let g_slope = g_slope / count + 2.0 * RIDGE * slope;
        let g_intercept = g_intercept / count;
        let (curve_slope, curve_cross, curve_intercept) = (
            curve_slope / count + 2.0 * RIDGE,
            curve_cross / count,
            curve_intercept / count + 1e-12,
        );
        let det = curve_slope * curve_intercept - curve_cross * curve_cross;
        if det.abs() < 1e-18 {
            break;
        }
        let step_slope = (curve_intercept * g_slope - curve_cross * g_intercept) / det;
        let step_intercept = (curve_slope * g_intercept - curve_cross * g_slope) / det;
        slope -= step_slope;
        intercept -= step_intercept;
        if step_slope.abs() < 1e-10 && step_intercept.abs() < 1e-10 {
            break;
        }
    }
    (slope.is_finite() && intercept.is_finite()).then_some(Platt { slope, intercept })
}

/// The area under the ROC curve of `scores` for telling `positive` from the
/// rest: the chance that a random positive scores above a random negative
/// (ties count half). `None` when either side is empty.
pub fn roc_auc(scores: &[(f64, bool)]) -> Option<f64> {
    let pos: Vec<f64> = scores.iter().filter(|s| s.1).map(|s| s.0).collect();
    let neg: Vec<f64> = scores.iter().filter(|s| !s.1).map(|s| s.0).collect();
    if pos.is_empty() || neg.is_empty() {
        return None;
    }
    let mut wins = 0.0;
    for p in &pos {
        for q in &neg {
            wins += match p.total_cmp(q) {
                std::cmp::Ordering::Greater => 1.0,
                std::cmp::Ordering::Equal => 0.5,
                std::cmp::Ordering::Less => 0.0,
            };
        }
    }
    Some(wins / (pos.len() * neg.len()) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn samples(pairs: &[(f64, bool)]) -> Vec<Sample> {
        pairs
            .iter()
            .map(|&(x, relevant)| Sample { x, relevant })
            .collect()
    }

    #[test]
    fn fit_recovers_a_known_logistic() {
        // Labels drawn from p = σ(8x − 4) on a grid, in proportion.
        let truth = Platt {
            slope: 8.0,
            intercept: -4.0,
        };
        let mut data = Vec::new();
        for i in 0..=100 {
            let x = f64::from(i) / 100.0;
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let positives = (truth.probability(x) * 100.0).round() as usize;
            for j in 0..100 {
                data.push((x, j < positives));
            }
        }
        let fitted = fit(&samples(&data)).unwrap();
        assert!((fitted.slope - 8.0).abs() < 0.3, "{fitted:?}");
        assert!((fitted.intercept + 4.0).abs() < 0.2, "{fitted:?}");
        assert!((fitted.score_at(0.5) - 0.5).abs() < 0.02);
        // Deterministic: the same samples give the same parameters.
        assert_eq!(fit(&samples(&data)), Some(fitted));
    }

    #[test]
    fn separable_and_degenerate_samples() {
        let separable = fit(&samples(&[
            (0.1, false),
            (0.2, false),
            (0.8, true),
            (0.9, true),
        ]))
        .unwrap();
        assert!(separable.slope > 0.0 && separable.slope.is_finite());
        assert!(separable.probability(0.9) > 0.9 && separable.probability(0.1) < 0.1);
        assert_eq!(fit(&samples(&[(0.1, true), (0.2, true)])), None);
        assert_eq!(fit(&[]), None);
        assert_eq!(fit(&samples(&[(f64::NAN, true), (0.2, false)])), None);
    }

    #[test]
    fn auc_counts_pairs_and_ties() {
        assert_eq!(roc_auc(&[(0.9, true), (0.1, false)]), Some(1.0));
        assert_eq!(roc_auc(&[(0.1, true), (0.9, false)]), Some(0.0));
        assert_eq!(roc_auc(&[(0.5, true), (0.5, false)]), Some(0.5));
        assert_eq!(
            roc_auc(&[(0.9, true), (0.4, true), (0.5, false), (0.1, false)]),
            Some(0.75)
        );
        assert_eq!(roc_auc(&[(0.5, true)]), None);
    }

    #[test]
    fn shipped_parameters_load_and_rise() {
        let model = RelevanceModel::default_for("sentence-transformers/all-MiniLM-L6-v2").unwrap();
        for platt in [model.hybrid, model.vector, model.keyword] {
            assert!(platt.slope > 0.0, "{model:?}");
        }
        assert!(RelevanceModel::default_for("another/model").is_none());
    }
}
