//! `GET /api/overview`: the Overview page's read model: counts per kind,
//! recent activity, store health (what `ltmc doctor` checks of the store:
//! schema, integrity), the model and the backend.
//!
//! Not here: the doctor's other checks (data directory, model files: the
//! binary's business) or the per-week series (`series.rs`).

use super::{ok, store_error};
use crate::AppState;
use axum::extract::State;
use axum::response::Response;
use ltmc_core::fix::{AuditFilter, PatternFilter, RuleFilter};
use ltmc_core::{AttemptFilter, AttemptResult, CODE_ATTEMPT_TYPE, TodoFilter};
use ltmc_store::{IntegrityReport, ResourceFilter, StoreError, StoreInfo};
use serde::Serialize;
use std::collections::BTreeMap;

/// How many recent events the overview shows.
const RECENT: usize = 12;

#[derive(Serialize)]
struct Overview {
    version: &'static str,
    project: String,
    store: StoreInfo,
    health: Health,
    counts: Counts,
    recent: Vec<Event>,
}

#[derive(Serialize)]
struct Health {
    /// Schema current and the integrity check clean.
    ok: bool,
    schema_current: bool,
    integrity: IntegrityReport,
    /// One line per problem; empty when `ok`.
    problems: Vec<String>,
}

#[derive(Serialize, Default)]
struct Counts {
    resources: usize,
    resources_by_type: BTreeMap<String, usize>,
    chunks: u64,
    patterns: usize,
    patterns_unreviewed: usize,
    guardian_rules: usize,
    guardian_rules_active: usize,
    file_audits: usize,
    code_attempts: usize,
    code_attempts_passed: usize,
    pattern_applications: usize,
    todos_open: usize,
}

/// One thing that happened, for the activity list.
#[derive(Serialize)]
struct Event {
    kind: &'static str,
    id: i64,
    title: String,
    at: String,
}

pub(crate) async fn overview(State(state): State<AppState>) -> Response {
    match build(&state).await {
        Ok(o) => ok(&o),
        Err(e) => store_error(&e),
    }
}

async fn build(state: &AppState) -> Result<Overview, StoreError> {
    let store = state.tools.memory().store();
    let project = state.tools.project();
    let info = store.info().await?;
    let integrity = store.check_integrity().await?;
    let resources = store
        .list_resources(project, &ResourceFilter::default())
        .await?;
    let patterns = store
        .list_patterns(project, &PatternFilter::default())
        .await?;
    let rules = store.list_rules(project, &RuleFilter::default()).await?;
    let audits = store.list_audits(project, &AuditFilter::default()).await?;
    let attempts = store
        .list_attempts(project, &AttemptFilter::default())
        .await?;
    let applications = store.list_applications(project, None).await?;
    let todos = store
        .list_todos(
            project,
            &TodoFilter {
                completed: Some(false),
                limit: None,
            },
        )
        .await?;

    let mut counts = Counts {
        resources: resources.len(),
        chunks: info.chunks,
        patterns: patterns.len(),
        patterns_unreviewed: patterns.iter().filter(|p| !p.reviewed).count(),
        guardian_rules: rules.len(),
        guardian_rules_active: rules.iter().filter(|r| r.active).count(),
        file_audits: audits.len(),
        code_attempts: attempts.len(),
        code_attempts_passed: attempts
            .iter()
            .filter(|a| a.result == AttemptResult::Pass)
            .count(),
        pattern_applications: applications.len(),
        todos_open: todos.len(),
        ..Counts::default()
    };
    for r in &resources {
        *counts
            .resources_by_type
            .entry(r.resource_type.clone())
            .or_default() += 1;
    }

    let mut recent: Vec<Event> = Vec::new();
    recent.extend(
        resources
            .iter()
            .filter(|r| r.resource_type != CODE_ATTEMPT_TYPE)
            .take(RECENT)
            .map(|r| Event {
                kind: "resource",
                id: r.id.0,
                title: format!("{} ({})", r.file_name, r.resource_type),
                at: r.created_at.clone(),
            }),
    );
    recent.extend(patterns.iter().take(RECENT).map(|p| Event {
        kind: if p.reviewed { "pattern" } else { "draft" },
        id: p.id.0,
        title: p.title.clone(),
        at: p.created_at.clone(),
    }));
    recent.extend(applications.iter().rev().take(RECENT).map(|a| Event {
        kind: "outcome",
        id: a.pattern_id.0,
        title: format!(
            "pattern {} {} {}",
            a.pattern_id.0,
            if a.success { "worked on" } else { "failed on" },
            a.file_path.as_deref().unwrap_or("a file")
        ),
        at: a.applied_at.clone(),
    }));
    recent.extend(attempts.iter().rev().take(RECENT).map(|a| Event {
        kind: "attempt",
        id: a.id.0,
        title: format!(
            "{} {}",
            a.result.as_str(),
            a.function_name.as_deref().unwrap_or("code attempt")
        ),
        at: a.created_at.clone(),
    }));
    recent.sort_by(|a, b| b.at.cmp(&a.at));
    recent.truncate(RECENT);

    let schema_current = info.schema_version == info.latest_schema_version;
    let mut problems = Vec::new();
    if !schema_current {
        problems.push(format!(
            "schema version {} is not the latest ({}): run `ltmc init` to migrate",
            info.schema_version, info.latest_schema_version
        ));
    }
    for (what, n) in [
        ("chunks without a vector", integrity.chunks_without_vector),
        ("vectors without a chunk", integrity.vectors_without_chunk),
        ("duplicate vector ids", integrity.duplicate_vector_ids),
        (
            "vectors of the wrong dimension",
            integrity.wrong_dimension_vectors,
        ),
    ] {
        if n > 0 {
            problems.push(format!("{n} {what}"));
        }
    }
    problems.extend(integrity.problems.iter().cloned());
    Ok(Overview {
        version: env!("CARGO_PKG_VERSION"),
        project: project.as_str().to_owned(),
        health: Health {
            ok: problems.is_empty(),
            schema_current,
            integrity,
            problems,
        },
        store: info,
        counts,
        recent,
    })
}
