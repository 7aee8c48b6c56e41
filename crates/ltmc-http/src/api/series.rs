//! The aggregates behind the dashboard's tables and charts:
//! `GET /api/audits/progress` (file audits counted by layer x workflow x
//! status), `GET /api/attempts/stats` (code-attempt pass rate, overall and
//! per week) and `GET /api/patterns-weekly` (pattern reuse and success per
//! week, from the recorded outcomes).
//!
//! Weeks start on Monday (UTC) and are named by that Monday's date. Not
//! here: drawing (the page's `app.js`).

use super::{ok, store_error};
use crate::AppState;
use axum::extract::State;
use axum::response::Response;
use ltmc_core::fix::AuditFilter;
use ltmc_core::{AttemptFilter, AttemptResult};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// The workflow an audit without one is counted under.
const NO_WORKFLOW: &str = "(none)";

#[derive(Serialize)]
struct AuditCell {
    layer: i64,
    workflow: String,
    status: String,
    count: usize,
}

#[derive(Serialize)]
struct AuditProgress {
    total: usize,
    layers: Vec<i64>,
    workflows: Vec<String>,
    statuses: Vec<&'static str>,
    /// Only the combinations that occur.
    cells: Vec<AuditCell>,
}

/// `GET /api/audits/progress`. An audit of several workflows counts once
/// under each.
pub(crate) async fn audit_progress(State(state): State<AppState>) -> Response {
    let store = state.tools.memory().store();
    let audits = match store
        .list_audits(state.tools.project(), &AuditFilter::default())
        .await
    {
        Ok(a) => a,
        Err(e) => return store_error(&e),
    };
    let mut cells: BTreeMap<(i64, String, &'static str), usize> = BTreeMap::new();
    for audit in &audits {
        let workflows: Vec<String> = if audit.workflows.is_empty() {
            vec![NO_WORKFLOW.to_owned()]
        } else {
            audit.workflows.clone()
        };
        for workflow in workflows {
            *cells
                .entry((audit.layer_number, workflow, audit.status.as_str()))
                .or_default() += 1;
        }
    }
    let layers: BTreeSet<i64> = cells.keys().map(|k| k.0).collect();
    let workflows: BTreeSet<String> = cells.keys().map(|k| k.1.clone()).collect();
    ok(&AuditProgress {
        total: audits.len(),
        layers: layers.into_iter().collect(),
        workflows: workflows.into_iter().collect(),
        statuses: ltmc_core::fix::AuditStatus::ALL
            .iter()
            .map(|s| s.as_str())
            .collect(),
        cells: cells
            .into_iter()
            .map(|((layer, workflow, status), count)| AuditCell {
                layer,
                workflow,
                status: status.to_owned(),
                count,
            })
            .collect(),
    })
}

#[derive(Serialize, Default)]
struct AttemptWeek {
    week: String,
    attempts: usize,
    passed: usize,
    failed: usize,
    partial: usize,
    pass_rate: f64,
}

#[derive(Serialize)]
struct AttemptStats {
    attempts: usize,
    passed: usize,
    pass_rate: f64,
    weeks: Vec<AttemptWeek>,
}

/// `GET /api/attempts/stats`.
pub(crate) async fn attempt_stats(State(state): State<AppState>) -> Response {
    let store = state.tools.memory().store();
    let attempts = match store
        .list_attempts(state.tools.project(), &AttemptFilter::default())
        .await
    {
        Ok(a) => a,
        Err(e) => return store_error(&e),
    };
    let mut weeks: BTreeMap<String, AttemptWeek> = BTreeMap::new();
    for a in &attempts {
        let Some(week) = week_of(&a.created_at) else {
            continue;
        };
        let w = weeks.entry(week.clone()).or_insert_with(|| AttemptWeek {
            week,
            ..AttemptWeek::default()
        });
        w.attempts += 1;
        match a.result {
            AttemptResult::Pass => w.passed += 1,
            AttemptResult::Fail => w.failed += 1,
            AttemptResult::Partial => w.partial += 1,
        }
    }
    let passed = attempts
        .iter()
        .filter(|a| a.result == AttemptResult::Pass)
        .count();
    ok(&AttemptStats {
        attempts: attempts.len(),
        passed,
        pass_rate: rate(passed, attempts.len()),
        weeks: weeks
            .into_values()
            .map(|mut w| {
                w.pass_rate = rate(w.passed, w.attempts);
                w
            })
            .collect(),
    })
}

#[derive(Serialize, Default)]
struct PatternWeek {
    week: String,
    /// Outcomes recorded that week (each is one reuse of a pattern).
    applications: usize,
    successes: usize,
    success_rate: f64,
    /// Distinct patterns reused that week.
    patterns_reused: usize,
    #[serde(skip)]
    reused: BTreeSet<i64>,
}

/// `GET /api/patterns-weekly`.
pub(crate) async fn pattern_weeks(State(state): State<AppState>) -> Response {
    let store = state.tools.memory().store();
    let applications = match store.list_applications(state.tools.project(), None).await {
        Ok(a) => a,
        Err(e) => return store_error(&e),
    };
    let mut weeks: BTreeMap<String, PatternWeek> = BTreeMap::new();
    for a in &applications {
        let Some(week) = week_of(&a.applied_at) else {
            continue;
        };
        let w = weeks.entry(week.clone()).or_insert_with(|| PatternWeek {
            week,
            ..PatternWeek::default()
        });
        w.applications += 1;
        w.successes += usize::from(a.success);
        w.reused.insert(a.pattern_id.0);
    }
    let weeks: Vec<PatternWeek> = weeks
        .into_values()
        .map(|mut w| {
            w.success_rate = rate(w.successes, w.applications);
            w.patterns_reused = w.reused.len();
            w
        })
        .collect();
    ok(&serde_json::json!({
        "applications": applications.len(),
        "weeks": weeks,
    }))
}

#[allow(clippy::cast_precision_loss)] // counts far below 2^52
fn rate(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

/// The Monday (`YYYY-MM-DD`) of the week of an RFC 3339 time, by its date.
fn week_of(time: &str) -> Option<String> {
    let date = time.get(..10)?;
    let mut parts = date.split('-');
    let y: i64 = parts.next()?.parse().ok()?;
    let m: i64 = parts.next()?.parse().ok()?;
    let d: i64 = parts.next()?.parse().ok()?;
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    let days = days_from_civil(y, m, d);
    // 1970-01-01 was a Thursday: Monday is 3 days before.
    let monday = days - (days + 3).rem_euclid(7);
    let (y, m, d) = civil_from_days(monday);
    Some(format!("{y:04}-{m:02}-{d:02}"))
}

/// Days since 1970-01-01 (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weeks_start_on_monday() {
        assert_eq!(
            week_of("1970-01-01T00:00:00Z").as_deref(),
            Some("1969-12-29")
        );
        assert_eq!(
            week_of("2024-03-04T10:00:00Z").as_deref(),
            Some("2024-03-04")
        );
        assert_eq!(
            week_of("2024-03-10T23:59:59Z").as_deref(),
            Some("2024-03-04")
        );
        assert_eq!(week_of("2024-03-11").as_deref(), Some("2024-03-11"));
        assert_eq!(
            week_of("2025-01-01T00:00:00Z").as_deref(),
            Some("2024-12-30")
        );
        assert_eq!(week_of("not a date"), None);
        assert!((rate(1, 4) - 0.25).abs() < 1e-12);
        assert!(rate(0, 0).abs() < 1e-12);
    }
}
