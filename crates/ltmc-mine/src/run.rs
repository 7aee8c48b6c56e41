//! The mining use case: from a repository path to saved drafts and a report.
//!
//! Order: open the repository and name it (its root commit id); read where
//! mining it got to (`MiningStore::mining_state`); walk from HEAD down to
//! that commit (or `--since`, exclusive), at most `max_commits`; screen out
//! noise (`noise`: counted per reason), classify, draft and fold; propose rules; leave out drafts with a tombstone; link
//! file audits of the changed paths (`applied_to_files`); embed each draft's
//! three texts; save the drafts and the new state in one transaction. The
//! walk is blocking git work done on the caller's thread (a batch command).
//! With `dry_run` nothing is embedded or saved and the report lists the
//! drafts. With `max_commits` the state still moves to HEAD and the rest of
//! the history the limit left is stored as a resume point (a git range,
//! `git::Range`): the next run mines the new commits first, then goes on
//! below the resume point with what is left of its limit, until the older
//! history is done. When the new commits alone exceed the limit while older
//! history waits, the two gaps are kept as one range that may walk some
//! mined commits again (the store leaves their drafts out as already mined).

use crate::draft::{Draft, DraftOptions, Folder, draft_of};
use crate::git::{Range, Repo, Visited, WalkStats};
use crate::layers::LayerMap;
use crate::noise::{NoiseRules, SkipReason};
use crate::{MineError, rules};
use ltmc_core::{PatternId, Project};
use ltmc_service::Memory;
use ltmc_service::fix::patterns::embed_pattern;
use ltmc_store::{MinedDraft, MiningRun, Progress};
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;
use std::time::Instant;

/// What to mine and how.
#[derive(Debug, Clone)]
pub struct MineOptions {
    pub repo: PathBuf,
    /// Mine only commits after this one (exclusive); else after the last
    /// mined commit; else all.
    pub since: Option<String>,
    pub max_commits: Option<usize>,
    pub layers: Option<LayerMap>,
    /// 1-7: the layer of drafts the map gives none; none leaves them
    /// without layers (a reviewer gives them when accepting).
    pub default_layer: Option<i64>,
    pub dry_run: bool,
    /// Fixes (commits) a removed line must recur in to become a rule.
    pub min_rule_fixes: usize,
}

impl MineOptions {
    pub fn new(repo: impl Into<PathBuf>) -> Self {
        Self {
            repo: repo.into(),
            since: None,
            max_commits: None,
            layers: None,
            default_layer: None,
            dry_run: false,
            min_rule_fixes: 2,
        }
    }
}

/// One draft as a dry run shows it.
#[derive(Debug, Clone, Serialize)]
pub struct DraftPreview {
    pub title: String,
    pub fold_key: String,
    pub commits: Vec<String>,
    pub files: Vec<String>,
    pub problem_type: String,
    pub severity: String,
    pub confidence: f64,
    pub applied_count: i64,
    pub issues: Vec<String>,
    pub rules: Vec<String>,
    pub code_before: Option<String>,
    pub code_after: Option<String>,
}

/// What a run did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct MineReport {
    pub repo_id: String,
    pub repo_path: String,
    pub head: Option<String>,
    /// The commit the walk of new commits stopped at (exclusive), if any.
    pub stopped_at: Option<String>,
    /// The older history an earlier limited run left, walked after the new
    /// commits (git revision arguments; empty when none was left).
    pub resumed_from: Vec<String>,
    /// What this run leaves for the next (the stored resume point).
    pub resume: Vec<String>,
    /// Whether `--max-commits` left history unmined (the next run goes on).
    pub older_history_left: bool,
    pub dry_run: bool,
    pub commits_scanned: usize,
    pub merges_skipped: usize,
    pub binary_files_skipped: usize,
    /// Commits with a fix word (diffed).
    pub candidates: usize,
    /// Commits that gave no draft, per reason (`noise::SkipReason` names;
    /// merges included): every candidate is a fix commit or skipped.
    pub skipped: BTreeMap<String, usize>,
    /// Candidates that passed the noise screen and gave a draft.
    pub fix_commits: usize,
    /// Distinct drafts after folding.
    pub drafts: usize,
    /// Drafts folded into another.
    pub folded: usize,
    pub tombstoned: usize,
    pub already_mined: usize,
    pub drafts_created: usize,
    pub created_ids: Vec<i64>,
    pub rules_proposed: usize,
    pub rules_failed_self_test: usize,
    pub seconds: f64,
    pub commits_per_second: f64,
    /// Dry runs only.
    pub preview: Vec<DraftPreview>,
}

fn preview(d: &Draft) -> DraftPreview {
    DraftPreview {
        title: d.pattern.title.clone(),
        fold_key: d.fold_key.clone(),
        commits: d.commits.clone(),
        files: d.files.clone(),
        problem_type: d.pattern.problem_type.as_str().to_owned(),
        severity: d.pattern.severity.as_str().to_owned(),
        confidence: d.pattern.confidence_score,
        applied_count: d.pattern.applied_count,
        issues: d.pattern.dart_task_ids.clone(),
        rules: d.rules.iter().map(|r| r.rule_pattern.clone()).collect(),
        code_before: d.pattern.code_before.clone(),
        code_after: d.pattern.code_after.clone(),
    }
}

/// Mines `options.repo` into `project`; see the module documentation.
pub async fn mine(
    memory: &Memory,
    project: &Project,
    options: MineOptions,
    progress: &dyn Progress,
) -> Result<MineReport, MineError> {
    if let Some(layer) = options.default_layer.filter(|l| !(1..=7).contains(l)) {
        return Err(MineError::Invalid {
            field: "default_layer",
            reason: format!("{layer} is outside 1-7"),
        });
    }
    if options.max_commits == Some(0) {
        return Err(MineError::Invalid {
            field: "max_commits",
            reason: "is 0; give at least 1, or leave it out for all".to_owned(),
        });
    }
    let started = Instant::now();
    let store = memory.store();
    let repo = Repo::open(&options.repo)?;
    let mut report = MineReport {
        repo_path: repo.root().display().to_string(),
        dry_run: options.dry_run,
        ..MineReport::default()
    };
    let Some(head) = repo.head()? else {
        tracing::info!("the repository has no commits");
        return Ok(report);
    };
    report.head = Some(head.to_string());
    report.repo_id = repo.identity(head)?;
    let state = store.mining_state(project, &report.repo_id).await?;
    let stop = match (&options.since, &state) {
        (Some(rev), _) => Some(repo.resolve("since", rev)?),
        (None, Some(s)) => {
            let found = repo.has_commit(&s.last_commit);
            if found.is_none() {
                tracing::warn!(
                    commit = %s.last_commit,
                    "the last mined commit is not in the repository (history rewritten?); mining all of it"
                );
            }
            found
        }
        (None, None) => None,
    };
    report.stopped_at = stop.map(|s| s.to_string());
    // Two walks share the limit: the new commits (HEAD down to the stop),
    // then the older history an earlier limited run left (its resume point).
    let fresh = (stop != Some(head)).then(|| Range {
        starts: vec![head],
        stops: stop.into_iter().collect(),
    });
    let older = state
        .as_ref()
        .filter(|s| !s.resume.is_empty())
        .and_then(|s| repo.range_of(&s.resume));
    report.resumed_from = older.as_ref().map(Range::to_args).unwrap_or_default();
    if fresh.is_none() && older.is_none() {
        report.seconds = started.elapsed().as_secs_f64();
        return Ok(report);
    }

    // The walks: counted first (cheap) so the bar has a length.
    let mut total = 0;
    for range in fresh.iter().chain(older.iter()) {
        let left = options.max_commits.map(|m| m.saturating_sub(total));
        total += repo.walk_len(range, left)?;
    }
    progress.start("mining commits", total as u64);
    let draft_options = DraftOptions {
        layers: options.layers.clone(),
        default_layer: options.default_layer,
    };
    let mut folder = Folder::default();
    let mut fix_commits = 0;
    let mut skipped: BTreeMap<SkipReason, usize> = BTreeMap::new();
    let noise = NoiseRules::default();
    let mut walk_stats = WalkStats::default();
    let mut visit = |visited: Visited| {
        progress.advance(1);
        if visited.merge {
            *skipped.entry(SkipReason::Merge).or_default() += 1;
        }
        let Some((changes, shape)) = visited.diff else {
            return Ok(());
        };
        let screened = noise
            .screen(&visited.info.message, &changes, shape)
            .and_then(|(kept, class)| {
                draft_of(&visited.info, &kept, &class, &draft_options)
                    .ok_or(SkipReason::WhitespaceOnly)
            });
        match screened {
            Ok(d) => {
                fix_commits += 1;
                folder.add(d);
            }
            Err(reason) => *skipped.entry(reason).or_default() += 1,
        }
        Ok(())
    };
    // What is left of the history after this run: the older history when
    // the new commits are not walked to their end, else what the older walk
    // leaves (all of it when the limit leaves it no commit).
    let mut rest: Option<Range> = older.clone();
    let mut fresh_rest: Option<Range> = None;
    if let Some(range) = &fresh {
        let walked = repo.walk(range, options.max_commits, &mut visit)?;
        walk_stats.add(walked.stats);
        fresh_rest = walked.rest;
    }
    let left = options
        .max_commits
        .map(|m| m.saturating_sub(walk_stats.commits));
    if let Some(range) = &older
        && fresh_rest.is_none()
        && left != Some(0)
    {
        let walked = repo.walk(range, left, &mut visit)?;
        walk_stats.add(walked.stats);
        rest = walked.rest;
    }
    // Two gaps at once (new commits cut short while older history waits)
    // become one range covering both.
    let rest = match (fresh_rest, rest) {
        (Some(a), Some(b)) => Some(a.union(&b)),
        (a, b) => a.or(b),
    };
    progress.finish();
    report.resume = rest.as_ref().map(Range::to_args).unwrap_or_default();
    report.older_history_left = rest.is_some();
    report.commits_scanned = walk_stats.commits;
    report.merges_skipped = walk_stats.merges;
    report.binary_files_skipped = walk_stats.binary_files;
    report.candidates = walk_stats.candidates;
    report.fix_commits = fix_commits;
    report.skipped = skipped
        .into_iter()
        .map(|(r, n)| (r.as_str().to_owned(), n))
        .collect();
    report.folded = folder.folded();
    let mut drafts = folder.into_drafts();
    report.drafts = drafts.len();
    let rule_stats = rules::propose(&mut drafts, options.min_rule_fixes);
    report.rules_proposed = rule_stats.proposed;
    report.rules_failed_self_test = rule_stats.failed_self_test;

    let stones: HashSet<String> = store
        .tombstones(project)
        .await?
        .into_iter()
        .map(|t| t.fold_key)
        .collect();
    let before = drafts.len();
    drafts.retain(|d| !stones.contains(&d.fold_key));
    report.tombstoned = before - drafts.len();

    if options.dry_run {
        report.preview = drafts.iter().map(preview).collect();
    } else {
        progress.start("embedding drafts", drafts.len() as u64);
        let mut mined = Vec::with_capacity(drafts.len());
        for mut d in drafts {
            for path in &d.files {
                if let Some(audit) = store.find_audit_by_path(project, path).await?
                    && !d.pattern.applied_to_files.contains(&audit.id)
                {
                    d.pattern.applied_to_files.push(audit.id);
                }
            }
            let embeddings = embed_pattern(memory, &d.pattern).await?;
            mined.push(MinedDraft {
                pattern: d.pattern,
                embeddings,
                rules: d.rules,
                fold_key: d.fold_key,
                commits: d.commits,
            });
            progress.advance(1);
        }
        progress.finish();
        let saved = store
            .save_mining_run(
                project,
                MiningRun {
                    repo_id: report.repo_id.clone(),
                    repo_path: report.repo_path.clone(),
                    last_commit: head.to_string(),
                    resume: report.resume.clone(),
                    drafts: mined,
                },
            )
            .await?;
        report.tombstoned += saved.tombstoned;
        report.already_mined = saved.already_mined;
        report.drafts_created = saved.created.len();
        report.created_ids = saved.created.iter().map(|PatternId(id)| *id).collect();
    }
    report.seconds = started.elapsed().as_secs_f64();
    report.commits_per_second = if report.seconds > 0.0 {
        report.commits_scanned as f64 / report.seconds
    } else {
        0.0
    };
    Ok(report)
}
