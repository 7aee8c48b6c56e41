//! Checks of recording that a pattern was applied: the pattern's metrics
//! (applications, success rate, time saved, files, last application) and the
//! audit it names (pattern, status with history and work times, notes). Not
//! the audits' own upserts (`audits`).

use super::{application, audit, close, history, put_plain, upsert};
use crate::Store;
use crate::conformance::{assert_invalid, assert_not_found, assert_sound, is_rfc3339, project};
use ltmc_core::fix::AuditStatus;
use ltmc_core::{AuditId, PatternId};

/// An application moves the pattern's metrics (a success saving 30 minutes
/// then a failure saving 10: 2 applications, rate 0.5, 20 minutes), its last
/// application and the files it was applied to (each once), and the audit's
/// pattern, status (with history and work times) and notes (a line each).
pub async fn pattern_application_moves_metrics_and_audit(store: &dyn Store) {
    let p = project("alpha");
    let mut new_audit = audit(
        "src/auth.py",
        4,
        &["WF1"],
        Some("token in code"),
        AuditStatus::InProgress,
    );
    new_audit.notes = Some("first look".to_owned());
    let (target, _) = upsert(store, &p, new_audit).await;
    let started = target.work_started_at.clone().expect("started");
    let fresh = put_plain(store, &p, "Tokens from the vault").await;
    assert_eq!(
        (
            fresh.applied_count,
            fresh.avg_time_saved,
            fresh.last_applied.as_deref()
        ),
        (0, 0, None)
    );

    let mut first = application(fresh.id, Some(target.id), true);
    first.time_taken = Some(45);
    first.time_saved = Some(30);
    first.notes = Some("went smoothly".to_owned());
    let recorded = store
        .record_application(&p, first)
        .await
        .expect("record_application");
    let app = &recorded.application;
    assert_eq!(
        (app.pattern_id, app.audit_id, app.success),
        (fresh.id, Some(target.id), true)
    );
    assert_eq!(
        app.file_path.as_deref(),
        Some("src/auth.py"),
        "the audit's path"
    );
    assert_eq!((app.time_taken, app.time_saved), (Some(45), Some(30)));
    assert_eq!(app.notes.as_deref(), Some("went smoothly"));
    assert!(is_rfc3339(&app.applied_at), "{}", app.applied_at);
    let pattern = &recorded.pattern;
    assert_eq!(pattern.applied_count, 1);
    assert!(close(pattern.success_rate, 1.0));
    assert_eq!(pattern.avg_time_saved, 30);
    let last = pattern.last_applied.clone().expect("last_applied");
    assert!(is_rfc3339(&last), "{last}");
    assert_eq!(pattern.applied_to_files, [target.id]);
    assert_eq!(
        store.get_pattern(&p, fresh.id).await.expect("get_pattern"),
        *pattern
    );
    let audit_now = recorded.audit.clone().expect("the audit");
    assert_eq!(audit_now.id, target.id);
    assert_eq!(audit_now.pattern_id, Some(fresh.id));
    assert_eq!(audit_now.status, AuditStatus::Complete);
    assert_eq!(audit_now.work_started_at.as_deref(), Some(started.as_str()));
    assert!(audit_now.work_completed_at.is_some());
    assert_eq!(audit_now.technical_debt.as_deref(), Some("token in code"));
    let notes = audit_now.notes.clone().expect("notes");
    let lines: Vec<&str> = notes.lines().collect();
    assert_eq!(lines.len(), 2, "{notes}");
    assert_eq!(lines[0], "first look");
    assert!(lines[1].contains(&format!("#{}", fresh.id)), "{notes}");
    assert!(
        lines[1].contains("Tokens from the vault") && lines[1].contains("success"),
        "{notes}"
    );
    assert_eq!(
        store.get_audit(&p, target.id).await.expect("get_audit"),
        audit_now
    );

    let mut second = application(fresh.id, Some(target.id), false);
    second.time_saved = Some(10);
    let recorded = store
        .record_application(&p, second)
        .await
        .expect("record_application");
    let pattern = &recorded.pattern;
    assert_eq!(pattern.applied_count, 2);
    assert!(close(pattern.success_rate, 0.5), "{}", pattern.success_rate);
    assert_eq!(pattern.avg_time_saved, 20);
    assert_eq!(pattern.applied_to_files, [target.id], "the audit once");
    let failed = recorded.audit.clone().expect("the audit");
    assert_eq!(failed.status, AuditStatus::Failed);
    let notes = failed.notes.clone().expect("notes");
    assert_eq!(notes.lines().count(), 3, "{notes}");
    assert!(
        notes.lines().last().is_some_and(|l| l.contains("failure")),
        "{notes}"
    );
    assert_eq!(
        history(store, &p, target.id).await,
        [
            (None, AuditStatus::InProgress),
            (Some(AuditStatus::InProgress), AuditStatus::Complete),
            (Some(AuditStatus::Complete), AuditStatus::Failed),
        ]
    );

    // Without an audit: the file as given, no audit touched.
    let mut loose = application(fresh.id, None, true);
    loose.file_path = Some("scripts/deploy.sh".to_owned());
    let recorded = store
        .record_application(&p, loose)
        .await
        .expect("record_application");
    assert_eq!(recorded.audit, None);
    assert_eq!(
        recorded.application.file_path.as_deref(),
        Some("scripts/deploy.sh")
    );
    assert_eq!(recorded.pattern.applied_count, 3);
    assert!(close(recorded.pattern.success_rate, 2.0 / 3.0));
    assert_eq!(
        recorded.pattern.avg_time_saved, 20,
        "no time reported: the average stays"
    );
    assert_eq!(recorded.pattern.applied_to_files, [target.id]);

    let other = put_plain(store, &p, "other").await;
    store
        .record_application(&p, application(other.id, None, false))
        .await
        .expect("record_application");
    let all = store
        .list_applications(&p, None)
        .await
        .expect("list_applications");
    assert_eq!(all.len(), 4);
    assert!(all.windows(2).all(|w| w[0].id < w[1].id), "oldest first");
    assert_eq!(all[0].time_saved, Some(30));
    let of_fresh = store
        .list_applications(&p, Some(fresh.id))
        .await
        .expect("list_applications");
    assert_eq!(of_fresh.len(), 3);
    assert!(of_fresh.iter().all(|a| a.pattern_id == fresh.id));

    // Unknown ids and invalid input write nothing.
    let before = store.get_pattern(&p, fresh.id).await.expect("get_pattern");
    let audit_before = store.get_audit(&p, target.id).await.expect("get_audit");
    assert_not_found(
        &store
            .record_application(&p, application(fresh.id, Some(AuditId(i64::MAX)), true))
            .await,
    );
    assert_not_found(
        &store
            .record_application(&p, application(PatternId(i64::MAX), Some(target.id), true))
            .await,
    );
    let mut negative = application(fresh.id, Some(target.id), true);
    negative.time_taken = Some(-5);
    assert_invalid(&store.record_application(&p, negative).await, "time_taken");
    assert_eq!(
        store.get_pattern(&p, fresh.id).await.expect("get_pattern"),
        before
    );
    assert_eq!(
        store.get_audit(&p, target.id).await.expect("get_audit"),
        audit_before
    );
    assert_eq!(
        store
            .list_applications(&p, None)
            .await
            .expect("list_applications")
            .len(),
        4
    );
    assert_not_found(&store.list_applications(&p, Some(PatternId(i64::MAX))).await);
    assert_sound(store).await;
}
