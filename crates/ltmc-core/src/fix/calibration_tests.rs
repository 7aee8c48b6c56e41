//! Unit tests of the calibration: monotone, bounded, reproducible fits,
//! the margins of a search's candidates, and validation of stored ones.

use super::*;

fn settings() -> FitSettings {
    FitSettings {
        model_id: "m".into(),
        fitted_at: "2026-01-01T00:00:00Z".into(),
        source: CalibrationSource::Default,
        debts: 10,
        keep_threshold: 0.3,
        raw_floor: 0.1,
    }
}

/// Samples where the right candidates have higher cosines and margins, with
/// overlap (a deterministic sequence, no randomness).
fn samples() -> Vec<Sample> {
    (0..200)
        .map(|i| {
            let t = f64::from(i) / 200.0;
            let wobble = f64::from((i * 37) % 17) / 17.0 - 0.5;
            let right = t + 0.25 * wobble > 0.6;
            Sample {
                features: Features {
                    content: 0.2 + 0.5 * t,
                    problem: 0.15 + 0.5 * t + 0.05 * wobble,
                    margin: -0.1 + 0.3 * t - 0.05 * wobble,
                    lexical: 0.1 + 0.4 * t + 0.1 * wobble,
                    code: 0.1 + 0.3 * t - 0.05 * wobble,
                    lexical_margin: -0.2 + 0.4 * t + 0.05 * wobble,
                },
                right,
            }
        })
        .collect()
}

#[test]
fn a_fit_is_monotone_in_every_feature_and_bounded() {
    let c = fit(&samples(), settings()).unwrap();
    assert!(c.weights.iter().all(|w| *w >= 0.0), "{:?}", c.weights);
    assert!(c.weights.iter().any(|w| *w > 0.0), "{:?}", c.weights);
    let base = Features {
        content: 0.4,
        problem: 0.4,
        margin: 0.0,
        lexical: 0.2,
        code: 0.3,
        lexical_margin: 0.0,
    };
    for step in 0..6 {
        let mut lo = base;
        let mut last = c.probability(lo);
        for _ in 0..50 {
            match step {
                0 => lo.content += 0.02,
                1 => lo.problem += 0.02,
                2 => lo.margin += 0.02,
                3 => lo.lexical += 0.02,
                4 => lo.code += 0.02,
                _ => lo.lexical_margin += 0.02,
            }
            let p = c.probability(lo);
            assert!(p >= last, "feature {step}: {p} < {last}");
            assert!((0.0..=1.0).contains(&p));
            last = p;
        }
    }
    // Extreme inputs stay in (0, 1]; the calibrated similarity is scaled down.
    let hi = Features {
        content: 1.0,
        problem: 1.0,
        margin: 1.0,
        lexical: 1.0,
        code: 1.0,
        lexical_margin: 1.0,
    };
    let lo = Features {
        content: -1.0,
        problem: -1.0,
        margin: -1.0,
        lexical: 0.0,
        code: -1.0,
        lexical_margin: -1.0,
    };
    assert!(c.probability(hi) <= 1.0 && c.probability(lo) >= 0.0);
    assert!(c.probability(hi) > c.probability(lo));
    assert!((c.calibrated_similarity(hi) - c.probability(hi) / FULL_CONTEXT_BOOST).abs() < 1e-12);
}

#[test]
fn the_fit_separates_the_classes_it_was_given() {
    let s = samples();
    let c = fit(&s, settings()).unwrap();
    let mean = |right: bool| {
        let v: Vec<f64> = s
            .iter()
            .filter(|x| x.right == right)
            .map(|x| c.probability(x.features))
            .collect();
        v.iter().sum::<f64>() / v.len() as f64
    };
    assert!(mean(true) > 0.7, "{}", mean(true));
    assert!(mean(false) < 0.3, "{}", mean(false));
    assert_eq!(c.samples.pairs, 200);
    assert_eq!(c.samples.positives, s.iter().filter(|x| x.right).count());
}

#[test]
fn a_refit_of_the_same_samples_is_identical() {
    let a = fit(&samples(), settings()).unwrap();
    let b = fit(&samples(), settings()).unwrap();
    assert_eq!(a, b);
    let json = serde_json::to_string(&a).unwrap();
    assert_eq!(Calibration::from_json(&json).unwrap(), a);
}

#[test]
fn a_feature_that_would_weigh_negatively_is_held_at_zero() {
    // Cosines carry nothing; the margin falls as the label rises: its
    // weight must stay 0 rather than turn negative.
    let s: Vec<Sample> = samples()
        .into_iter()
        .enumerate()
        .map(|(i, mut x)| {
            let flat = f64::from(u32::try_from(i % 7).unwrap()) / 70.0;
            x.features.content = 0.4 + flat;
            x.features.problem = 0.45 - flat;
            x.features.lexical = 0.3 + flat;
            x.features.code = 0.2 - flat;
            x.features.lexical_margin = flat;
            x.features.margin = if x.right { -0.2 } else { 0.2 } + flat;
            x
        })
        .collect();
    let c = fit(&s, settings()).unwrap();
    assert!(c.weights[2].abs() < f64::EPSILON, "{:?}", c.weights);
    assert!(c.weights.iter().all(|w| *w >= 0.0));
}

#[test]
fn fitting_needs_both_classes() {
    let all_right: Vec<Sample> = samples()
        .into_iter()
        .map(|mut s| {
            s.right = true;
            s
        })
        .collect();
    let err = fit(&all_right, settings()).unwrap_err().to_string();
    assert!(err.contains("both right and wrong"), "{err}");
}

#[test]
fn margins_are_against_the_best_other_candidate_or_the_floor() {
    let m = |content, problem, lexical| Measures {
        content,
        problem,
        code: 0.25,
        lexical,
    };
    let f = features_of(&[m(0.6, 0.4, 0.5), m(0.3, 0.3, 0.2), m(0.2, 0.2, 0.0)], 0.1);
    assert!((f[0].margin - (0.5 - 0.3)).abs() < 1e-12);
    assert!((f[1].margin - (0.3 - 0.5)).abs() < 1e-12);
    assert!((f[2].margin - (0.2 - 0.5)).abs() < 1e-12);
    assert!((f[0].lexical - 0.5).abs() < 1e-12 && f[2].lexical.abs() < 1e-12);
    assert!((f[0].lexical_margin - 0.3).abs() < 1e-12);
    assert!((f[1].lexical_margin + 0.3).abs() < 1e-12);
    assert!(f.iter().all(|x| (x.code - 0.25).abs() < 1e-12));
    let alone = features_of(&[m(0.5, 0.3, 0.4)], 0.1);
    assert!((alone[0].margin - 0.3).abs() < 1e-12);
    assert!((alone[0].lexical_margin - 0.4).abs() < 1e-12);
    assert!(features_of(&[], 0.1).is_empty());
}

#[test]
fn stored_calibrations_are_validated() {
    let good = fit(&samples(), settings()).unwrap();
    let negative = Calibration {
        weights: [-1.0, 0.0, 0.0, 0.0, 0.0, 0.0],
        ..good.clone()
    };
    assert!(
        negative
            .validated()
            .unwrap_err()
            .to_string()
            .contains("monotone")
    );
    let keep = Calibration {
        keep_threshold: 1.5,
        ..good.clone()
    };
    assert!(
        keep.validated()
            .unwrap_err()
            .to_string()
            .contains("keep_threshold")
    );
    assert!(
        Calibration::from_json("{}")
            .unwrap_err()
            .to_string()
            .contains("not a calibration")
    );
}

#[test]
fn a_calibration_stored_with_four_weights_reads_the_new_ones_as_zero() {
    let good = fit(&samples(), settings()).unwrap();
    let mut json = serde_json::to_value(&good).unwrap();
    json["weights"] = serde_json::json!([1.0, 0.5, 2.0, 3.0]);
    let old = Calibration::from_json(&json.to_string()).unwrap();
    let want = [1.0, 0.5, 2.0, 3.0, 0.0, 0.0];
    assert!(
        old.weights
            .iter()
            .zip(want)
            .all(|(a, b)| (a - b).abs() < 1e-12),
        "{:?}",
        old.weights
    );
    json["weights"] = serde_json::json!([1.0, 0.5, 2.0, 3.0, 1.0, 1.0, 1.0]);
    let err = Calibration::from_json(&json.to_string())
        .unwrap_err()
        .to_string();
    assert!(err.contains("give 1 to 6"), "{err}");
}

#[test]
fn the_shipped_default_is_for_minilm() {
    let c = default_for("sentence-transformers/all-MiniLM-L6-v2").unwrap();
    assert_eq!(c.source, CalibrationSource::Default);
    assert!(default_for("other/model").is_none());
}

#[test]
fn lexical_overlap_is_the_share_of_the_debts_terms() {
    let pattern = pattern_terms_text(
        "Check ownership",
        "Handlers load records by id without checking the owner",
        &["idor".into(), "authorization".into()],
        Some("db.get(Order, order_id)"),
    );
    // "idor", "handl"(ers) match; "lets", "peek" do not: 2 of 4.
    let share = lexical_overlap("IDOR: handlers lets peek", &pattern);
    assert!((share - 0.5).abs() < 1e-12, "{share}");
    assert!(lexical_overlap("the a of", &pattern).abs() < f64::EPSILON);
    assert!((lexical_overlap("Validation validate", "validated") - 1.0).abs() < 1e-12);
}
