//! Checks of file audits: one audit per path updated in place, its status
//! history and work times, listing filters and order, and all-or-none batch
//! upserts. Not the audit changes an application makes (`applications`).

use super::{audit, audits_listed, history, upsert};
use crate::Store;
use crate::conformance::{assert_invalid, assert_not_found, assert_sound, is_rfc3339, project};
use ltmc_core::AuditId;
use ltmc_core::fix::{AuditFilter, AuditStatus, NewFileAudit};

/// An audit is created once per path and then updated in place (same id,
/// pattern and creation time); its history records the creation and each
/// status change, not the updates that keep the status; the first `In
/// Progress` starts the work, `Complete` or `Failed` ends it.
pub async fn audit_upsert_keeps_id_and_records_history(store: &dyn Store) {
    let p = project("alpha");
    let mut new = audit(
        " src\\auth\\login.py ",
        4,
        &["WF1", " WF3", "WF1"],
        Some("hardcoded token"),
        AuditStatus::NotStarted,
    );
    new.notes = Some("found in review".to_owned());
    let (created, was_created) = upsert(store, &p, new).await;
    assert!(was_created);
    assert_eq!(created.file_path, "src/auth/login.py");
    assert_eq!(created.layer_number, 4);
    assert_eq!(created.workflows, ["WF1", "WF3"]);
    assert_eq!(created.technical_debt.as_deref(), Some("hardcoded token"));
    assert_eq!(created.status, AuditStatus::NotStarted);
    assert_eq!(created.notes.as_deref(), Some("found in review"));
    assert_eq!(created.pattern_id, None);
    assert_eq!(
        (
            created.work_started_at.as_deref(),
            created.work_completed_at.as_deref()
        ),
        (None, None)
    );
    assert!(is_rfc3339(&created.created_at), "{}", created.created_at);
    assert!(is_rfc3339(&created.updated_at), "{}", created.updated_at);
    assert_eq!(
        store.get_audit(&p, created.id).await.expect("get_audit"),
        created
    );
    assert_eq!(
        store
            .find_audit_by_path(&p, "src/auth/login.py")
            .await
            .expect("find"),
        Some(created.clone())
    );
    assert_eq!(
        store
            .find_audit_by_path(&p, "src/other.py")
            .await
            .expect("find"),
        None
    );
    assert_eq!(
        history(store, &p, created.id).await,
        [(None, AuditStatus::NotStarted)]
    );

    // Work starts: same audit, new fields, the start recorded.
    let (started, was_created) = upsert(
        store,
        &p,
        audit(
            "src/auth/login.py",
            5,
            &["WF2"],
            None,
            AuditStatus::InProgress,
        ),
    )
    .await;
    assert!(!was_created);
    assert_eq!(started.id, created.id);
    assert_eq!(started.created_at, created.created_at);
    assert_eq!(started.layer_number, 5);
    assert_eq!(started.workflows, ["WF2"]);
    assert_eq!(started.technical_debt, None);
    assert_eq!(started.notes, None);
    let start = started.work_started_at.clone().expect("work_started_at");
    assert!(is_rfc3339(&start), "{start}");
    assert_eq!(started.work_completed_at, None);

    // The same status again: no history, the start kept.
    let mut again = audit(
        "src/auth/login.py",
        5,
        &["WF2"],
        Some("more debt"),
        AuditStatus::InProgress,
    );
    again.notes = Some("halfway".to_owned());
    let (again, _) = upsert(store, &p, again).await;
    assert_eq!(again.work_started_at.as_deref(), Some(start.as_str()));
    assert_eq!(again.notes.as_deref(), Some("halfway"));

    let (done, _) = upsert(
        store,
        &p,
        audit(
            "src/auth/login.py",
            5,
            &["WF2"],
            None,
            AuditStatus::Complete,
        ),
    )
    .await;
    assert_eq!(done.id, created.id);
    assert_eq!(done.work_started_at.as_deref(), Some(start.as_str()));
    let end = done.work_completed_at.clone().expect("work_completed_at");
    assert!(is_rfc3339(&end), "{end}");
    assert_eq!(
        history(store, &p, created.id).await,
        [
            (None, AuditStatus::NotStarted),
            (Some(AuditStatus::NotStarted), AuditStatus::InProgress),
            (Some(AuditStatus::InProgress), AuditStatus::Complete),
        ]
    );

    // Straight to an end on creation: both times set.
    let (direct, was_created) = upsert(
        store,
        &p,
        audit("src/models.py", 1, &[], None, AuditStatus::Failed),
    )
    .await;
    assert!(was_created);
    assert!(direct.work_started_at.is_some() && direct.work_completed_at.is_some());
    assert_eq!(
        history(store, &p, direct.id).await,
        [(None, AuditStatus::Failed)]
    );

    let unknown = AuditId(direct.id.0.max(created.id.0) + 1000);
    assert_not_found(&store.get_audit(&p, unknown).await);
    assert_not_found(&store.audit_history(&p, unknown).await);
    assert_invalid(
        &store
            .upsert_audit(&p, audit("  ", 1, &[], None, AuditStatus::NotStarted))
            .await,
        "file_path",
    );
    assert_invalid(
        &store
            .upsert_audit(&p, audit("src/x.py", 8, &[], None, AuditStatus::NotStarted))
            .await,
        "layer_number",
    );
    assert_eq!(
        audits_listed(store, &p, &AuditFilter::default())
            .await
            .len(),
        2
    );
    assert_sound(store).await;
}

/// Listings are by layer, then path; each filter narrows them (a workflow
/// matches whole names only); the limit cuts the ordered list.
pub async fn audit_list_filters_and_orders(store: &dyn Store) {
    let p = project("alpha");
    let rows = [
        (
            "c.py",
            3,
            &["WF1"][..],
            Some("debt c"),
            AuditStatus::NotStarted,
        ),
        ("a.py", 3, &["WF10"][..], None, AuditStatus::Complete),
        (
            "b.py",
            1,
            &["WF1", "WF2"][..],
            Some("debt b"),
            AuditStatus::InProgress,
        ),
        ("d.py", 7, &[][..], Some("debt d"), AuditStatus::NotStarted),
    ];
    let batch: Vec<NewFileAudit> = rows
        .iter()
        .map(|(path, layer, workflows, debt, status)| {
            audit(path, *layer, workflows, *debt, *status)
        })
        .collect();
    let stored = store.upsert_audits(&p, batch).await.expect("upsert_audits");
    assert_eq!(stored.len(), 4);
    assert!(stored.iter().all(|(_, created)| *created));

    let all = AuditFilter::default();
    assert_eq!(
        audits_listed(store, &p, &all).await,
        ["b.py", "a.py", "c.py", "d.py"]
    );
    let layer = AuditFilter {
        layer: Some(3),
        ..AuditFilter::default()
    };
    assert_eq!(audits_listed(store, &p, &layer).await, ["a.py", "c.py"]);
    let workflow = AuditFilter {
        workflow: Some("WF1".to_owned()),
        ..AuditFilter::default()
    };
    assert_eq!(audits_listed(store, &p, &workflow).await, ["b.py", "c.py"]);
    let status = AuditFilter {
        status: Some(AuditStatus::NotStarted),
        ..AuditFilter::default()
    };
    assert_eq!(audits_listed(store, &p, &status).await, ["c.py", "d.py"]);
    let debt = AuditFilter {
        has_debt: Some(true),
        ..AuditFilter::default()
    };
    assert_eq!(
        audits_listed(store, &p, &debt).await,
        ["b.py", "c.py", "d.py"]
    );
    let clean = AuditFilter {
        has_debt: Some(false),
        ..AuditFilter::default()
    };
    assert_eq!(audits_listed(store, &p, &clean).await, ["a.py"]);
    let combined = AuditFilter {
        workflow: Some("WF1".to_owned()),
        status: Some(AuditStatus::NotStarted),
        has_debt: Some(true),
        layer: Some(3),
        limit: None,
    };
    assert_eq!(audits_listed(store, &p, &combined).await, ["c.py"]);
    let limited = AuditFilter {
        limit: Some(2),
        ..AuditFilter::default()
    };
    assert_eq!(audits_listed(store, &p, &limited).await, ["b.py", "a.py"]);
    let none = AuditFilter {
        workflow: Some("WF9".to_owned()),
        ..AuditFilter::default()
    };
    assert!(audits_listed(store, &p, &none).await.is_empty());
    assert_sound(store).await;
}

/// A batch with one invalid audit writes none of it, not even the updates
/// of the valid ones; a valid batch creates and updates (a path given twice
/// is created, then updated).
pub async fn audit_batch_is_all_or_none(store: &dyn Store) {
    let p = project("alpha");
    let (existing, _) = upsert(
        store,
        &p,
        audit("keep.py", 2, &[], None, AuditStatus::NotStarted),
    )
    .await;
    let bad = vec![
        audit("keep.py", 2, &[], None, AuditStatus::Complete),
        audit("new.py", 3, &[], None, AuditStatus::NotStarted),
        audit("bad.py", 9, &[], None, AuditStatus::NotStarted),
    ];
    assert_invalid(&store.upsert_audits(&p, bad).await, "layer_number");
    assert_eq!(
        audits_listed(store, &p, &AuditFilter::default()).await,
        ["keep.py"]
    );
    assert_eq!(
        store.get_audit(&p, existing.id).await.expect("get_audit"),
        existing
    );
    assert_eq!(history(store, &p, existing.id).await.len(), 1);

    let good = vec![
        audit("keep.py", 2, &[], None, AuditStatus::InProgress),
        audit("new.py", 3, &[], None, AuditStatus::NotStarted),
        audit(
            "new.py",
            3,
            &[],
            Some("found later"),
            AuditStatus::NotStarted,
        ),
    ];
    let stored = store.upsert_audits(&p, good).await.expect("upsert_audits");
    let flags: Vec<bool> = stored.iter().map(|(_, created)| *created).collect();
    assert_eq!(flags, [false, true, false]);
    assert_eq!(stored[0].0.id, existing.id);
    assert_eq!(stored[1].0.id, stored[2].0.id);
    assert_eq!(stored[2].0.technical_debt.as_deref(), Some("found later"));
    assert_eq!(
        audits_listed(store, &p, &AuditFilter::default()).await,
        ["keep.py", "new.py"]
    );
    assert!(
        store
            .upsert_audits(&p, Vec::new())
            .await
            .expect("empty batch")
            .is_empty()
    );
    assert_sound(store).await;
}
