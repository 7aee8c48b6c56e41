//! Checks of the refitted fix-pattern calibrations: the newest of a model is
//! active, an undo makes the previous one active and leaves the row (listed,
//! with its time), undoing with none left changes nothing, models and
//! projects are apart, and a calibration that does not validate (a negative
//! weight: not monotone) is refused and writes nothing.

use crate::Store;
use crate::conformance::{assert_invalid, is_rfc3339, project};
use ltmc_core::fix::calibration::{Calibration, CalibrationSource, SampleCounts};
use serde_json::json;

fn calibration(model: &str, intercept: f64) -> Calibration {
    Calibration {
        model_id: model.to_owned(),
        fitted_at: "2026-12-05T00:00:00Z".to_owned(),
        source: CalibrationSource::Team,
        samples: SampleCounts {
            pairs: 40,
            positives: 12,
            debts: 30,
        },
        weights: [2.5, 0.0, 14.0, 9.5, 3.0, 4.0],
        intercept,
        keep_threshold: 0.5,
        raw_floor: 0.15,
        reference_boost: 1.716,
    }
}

pub async fn calibrations_newest_active_undo_and_isolation(store: &dyn Store) {
    let (p, q) = (project("alpha"), project("beta"));
    let m = "model-a";
    assert_eq!(store.active_calibration(&p, m).await.expect("active"), None);
    assert_eq!(store.undo_calibration(&p, m).await.expect("undo"), None);
    let report = json!({"before": {"apply_precision": 0.9}, "after": {"apply_precision": 0.95}});
    let first = store
        .add_calibration(&p, &calibration(m, -4.0), &report)
        .await
        .expect("add");
    assert_eq!(first.calibration, calibration(m, -4.0));
    assert_eq!(first.report, report);
    assert!(is_rfc3339(&first.created_at), "{}", first.created_at);
    assert_eq!(first.undone_at, None);
    let second = store
        .add_calibration(&p, &calibration(m, -5.0), &json!({}))
        .await
        .expect("add");
    assert!(second.id > first.id);
    store
        .add_calibration(&p, &calibration("model-b", -6.0), &json!({}))
        .await
        .expect("another model");
    store
        .add_calibration(&q, &calibration(m, -7.0), &json!({}))
        .await
        .expect("another project");
    let active = store.active_calibration(&p, m).await.expect("active");
    assert_eq!(active.as_ref().map(|c| c.id), Some(second.id));

    let undone = store.undo_calibration(&p, m).await.expect("undo");
    let undone = undone.expect("the newest is undone");
    assert_eq!(undone.id, second.id);
    assert!(undone.undone_at.as_deref().is_some_and(is_rfc3339));
    let active = store.active_calibration(&p, m).await.expect("active");
    assert_eq!(active.map(|c| c.id), Some(first.id));
    let listed = store.list_calibrations(&p, m).await.expect("list");
    assert_eq!(
        listed.iter().map(|c| c.id).collect::<Vec<_>>(),
        [second.id, first.id]
    );
    assert!(listed[0].undone_at.is_some() && listed[1].undone_at.is_none());

    store.undo_calibration(&p, m).await.expect("undo");
    assert_eq!(store.active_calibration(&p, m).await.expect("active"), None);
    assert_eq!(store.undo_calibration(&p, m).await.expect("undo"), None);
    // The other model and the other project kept theirs.
    let b = store.active_calibration(&p, "model-b").await.expect("b");
    assert_eq!(b.map(|c| c.calibration.intercept), Some(-6.0));
    let other = store.active_calibration(&q, m).await.expect("q");
    assert_eq!(other.map(|c| c.calibration.intercept), Some(-7.0));

    let mut bad = calibration(m, -4.0);
    bad.weights[0] = -1.0;
    assert_invalid(
        &store.add_calibration(&p, &bad, &json!({})).await,
        "calibration",
    );
    assert_invalid(
        &store
            .add_calibration(&p, &calibration(m, -4.0), &json!([1]))
            .await,
        "report",
    );
    assert_eq!(store.list_calibrations(&p, m).await.expect("list").len(), 2);
}
