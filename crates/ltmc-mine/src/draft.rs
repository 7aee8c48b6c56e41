//! A fix commit as a draft pattern, and the folding of drafts of the same
//! change into one. Pure: takes what the walk read (`CommitInfo`, the file
//! changes) and the classifier's decision.
//!
//! Fields: title from the subject (a Conventional-Commits prefix such as
//! `fix(parser):` dropped); problem from subject, body (trailers such as
//! `Signed-off-by:` dropped) and the referenced issues; one solution step
//! per distinct change; `code_before`/`code_after` from the hunks
//! (`hunks::draft_code`); file types from the paths; layers from the team's
//! map, else the default layer (the schema needs one); problem type, code
//! type, severity and tags inferred as `extract_pattern` does (ltmc-core
//! `fix::infer`), tag `mined` added; `created_by` the author; issue ids in
//! `dart_task_ids` (they are tracker task ids); commit ids beside the
//! pattern (`ltmc_store::MiningStore`); confidence the classifier's score.

use crate::classify::Classification;
use crate::fold::{change_key, commit_key, normalize};
use crate::hunks::{FileChange, draft_code, file_type};
use crate::layers::LayerMap;
use ltmc_core::fix::infer::{infer_code_type, infer_problem_type, infer_severity, infer_tags};
use ltmc_core::fix::{NewFixPattern, NewGuardianRule};
use std::collections::HashMap;

/// Paths kept in a draft's `related_files`.
pub const MAX_RELATED_FILES: usize = 20;
/// Characters of a commit body kept in the problem.
pub const MAX_BODY_CHARS: usize = 1500;
/// Distinct removed lines a draft keeps for rule proposals.
pub const MAX_REMOVED_LINES: usize = 100;

/// What the walk read of a commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitInfo {
    /// Full hex id.
    pub id: String,
    /// `Name <email>`.
    pub author: String,
    /// RFC 3339 UTC.
    pub time: String,
    pub message: String,
}

/// A draft pattern before embedding.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    pub pattern: NewFixPattern,
    pub fold_key: String,
    /// Newest first.
    pub commits: Vec<String>,
    /// Every path the change was made in (at most [`MAX_RELATED_FILES`]).
    pub files: Vec<String>,
    /// Normalised removed lines (distinct, at most [`MAX_REMOVED_LINES`]),
    /// for rule proposals.
    pub removed_lines: Vec<String>,
    /// Proposed guardian rules (inactive), filled by `rules::propose`.
    pub rules: Vec<NewGuardianRule>,
}

/// How drafts get their layers.
#[derive(Debug, Clone)]
pub struct DraftOptions {
    pub layers: Option<LayerMap>,
    /// 1-7; used when the map gives none (or there is no map); without it
    /// such a draft has no layers.
    pub default_layer: Option<i64>,
}

/// The subject without a Conventional-Commits type prefix (`fix:`,
/// `fix(scope)!:`), first letter upper-cased, at most 100 characters.
pub fn title_of(subject: &str) -> String {
    let s = subject.trim();
    let rest = match s.split_once(':') {
        Some((head, rest))
            if !head.is_empty()
                && head.len() <= 30
                && head
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "()-_!/ ".contains(c))
                && !head.contains("  ") =>
        {
            rest.trim()
        }
        _ => s,
    };
    let rest = if rest.is_empty() { s } else { rest };
    let mut chars = rest.chars();
    let mut title: String = match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    };
    if title.chars().count() > 100 {
        title = title.chars().take(97).collect::<String>() + "...";
    }
    title
}

/// The body without trailers (`Signed-off-by:` and the like) and surrounding
/// blank lines, at most [`MAX_BODY_CHARS`] characters.
pub fn body_of(message: &str) -> String {
    let body = message.split_once('\n').map_or("", |(_, b)| b);
    let kept: Vec<&str> = body
        .lines()
        .filter(|l| {
            let t = l.trim_start().to_ascii_lowercase();
            ![
                "signed-off-by:",
                "co-authored-by:",
                "change-id:",
                "reviewed-by:",
                "acked-by:",
                "cc:",
                "reviewed-on:",
                "tested-by:",
            ]
            .iter()
            .any(|p| t.starts_with(p))
        })
        .collect();
    let text = kept.join("\n").trim().to_owned();
    if text.chars().count() > MAX_BODY_CHARS {
        text.chars().take(MAX_BODY_CHARS).collect::<String>() + " ..."
    } else {
        text
    }
}

/// Whether a normalised removed line is worth a rule: long enough, with a
/// word in it, not a comment.
pub fn significant(line: &str) -> bool {
    line.len() >= 12
        && !["//", "#", "/*", "*", "--", "<!--", ";"]
            .iter()
            .any(|p| line.starts_with(p))
        && line
            .split(|c: char| !c.is_alphanumeric() && c != '_')
            .any(|w| w.len() >= 3)
}

/// The draft of a fix commit; `None` when no change is meaningful
/// (whitespace or braces only).
pub fn draft_of(
    commit: &CommitInfo,
    changes: &[FileChange],
    class: &Classification,
    options: &DraftOptions,
) -> Option<Draft> {
    // Files grouped by change key: one group per distinct change.
    let mut groups: Vec<(String, Vec<&FileChange>)> = Vec::new();
    for change in changes {
        let Some(key) = change_key(change) else {
            continue;
        };
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, files)) => files.push(change),
            None => groups.push((key, vec![change])),
        }
    }
    let keys: Vec<String> = groups.iter().map(|(k, _)| k.clone()).collect();
    let fold_key = commit_key(&keys)?;
    let shown: Vec<&FileChange> = groups.iter().map(|(_, files)| files[0]).collect();
    let files: Vec<String> = groups
        .iter()
        .flat_map(|(_, fs)| fs.iter().map(|f| f.path.clone()))
        .take(MAX_RELATED_FILES)
        .collect();

    let subject = commit.message.lines().next().unwrap_or("").trim();
    let title = title_of(subject);
    let body = body_of(&commit.message);
    let mut problem = title.clone();
    if !body.is_empty() {
        problem.push_str("\n\n");
        problem.push_str(&body);
    }
    if !class.issues.is_empty() {
        problem.push_str("\n\nIssues: ");
        problem.push_str(&class.issues.join(", "));
    }
    let short = &commit.id[..commit.id.len().min(10)];
    let steps: Vec<String> = groups
        .iter()
        .take(5)
        .map(|(_, fs)| {
            let removed = fs[0].removed().count();
            let added = fs[0].added().count();
            let paths: Vec<&str> = fs.iter().take(3).map(|f| f.path.as_str()).collect();
            let more = if fs.len() > 3 {
                format!(" and {} more", fs.len() - 3)
            } else {
                String::new()
            };
            format!(
                "In {}{more}: replace the {removed} removed line(s) with the {added} added one(s), as commit {short} did",
                paths.join(", ")
            )
        })
        .collect();

    let text = format!("{title}\n{problem}");
    let (problem_type, _) = infer_problem_type(&text);
    let (code_type, _) = infer_code_type(&text, &title);
    let (severity, _) = infer_severity(&text, problem_type);
    let (mut tags, _) = infer_tags(&title, &code_type);
    tags.push("mined".to_owned());

    let layers = options
        .layers
        .as_ref()
        .map(|m| m.layers_of_all(files.iter().map(String::as_str)))
        .filter(|l| !l.is_empty())
        .unwrap_or_else(|| options.default_layer.into_iter().collect());
    let mut file_types: Vec<String> = Vec::new();
    for t in files.iter().filter_map(|f| file_type(f)) {
        if !file_types.contains(&t) {
            file_types.push(t);
        }
    }
    let (code_before, code_after) = draft_code(&shown);
    let mut removed_lines: Vec<String> = Vec::new();
    for line in shown.iter().flat_map(|f| f.removed()).filter_map(normalize) {
        if removed_lines.len() >= MAX_REMOVED_LINES {
            break;
        }
        if significant(&line) && !removed_lines.contains(&line) {
            removed_lines.push(line);
        }
    }

    let mut pattern = NewFixPattern::new(
        title,
        problem_type,
        severity,
        layers,
        problem,
        steps.join("\n"),
    );
    pattern.code_type = Some(code_type);
    pattern.tags = tags;
    pattern.file_types = file_types;
    pattern.code_before = code_before;
    pattern.code_after = code_after;
    pattern.verification_steps = Some(format!(
        "Mined from commit {short} ({}); review it with `git show {short}`",
        commit.time
    ));
    pattern.dart_task_ids.clone_from(&class.issues);
    pattern.related_files.clone_from(&files);
    pattern.applied_count = i64::try_from(files.len()).unwrap_or(i64::MAX);
    pattern.confidence_score = class.score.clamp(0.0, 1.0);
    pattern.created_by = Some(commit.author.clone());
    pattern.reviewed = false;
    Some(Draft {
        pattern,
        fold_key,
        commits: vec![commit.id.clone()],
        files,
        removed_lines,
        rules: Vec::new(),
    })
}

/// Drafts of a run, the same change folded into one.
#[derive(Debug, Default)]
pub struct Folder {
    drafts: Vec<Draft>,
    by_key: HashMap<String, usize>,
    folded: usize,
}

impl Folder {
    /// Adds a draft, or folds it into the one with its key: commits and
    /// files added, `applied_count` grown, the higher confidence kept (the
    /// text of the first, newest, draft stays).
    pub fn add(&mut self, draft: Draft) {
        if let Some(&i) = self.by_key.get(&draft.fold_key) {
            let kept = &mut self.drafts[i];
            for c in draft.commits {
                if !kept.commits.contains(&c) {
                    kept.commits.push(c);
                }
            }
            for f in draft.files {
                if kept.files.len() < MAX_RELATED_FILES && !kept.files.contains(&f) {
                    kept.files.push(f);
                }
            }
            kept.pattern.related_files.clone_from(&kept.files);
            kept.pattern.applied_count = kept
                .pattern
                .applied_count
                .saturating_add(draft.pattern.applied_count);
            kept.pattern.confidence_score = kept
                .pattern
                .confidence_score
                .max(draft.pattern.confidence_score);
            for issue in draft.pattern.dart_task_ids {
                if !kept.pattern.dart_task_ids.contains(&issue) {
                    kept.pattern.dart_task_ids.push(issue);
                }
            }
            self.folded += 1;
        } else {
            self.by_key
                .insert(draft.fold_key.clone(), self.drafts.len());
            self.drafts.push(draft);
        }
    }

    /// Drafts folded into another so far.
    pub fn folded(&self) -> usize {
        self.folded
    }

    pub fn len(&self) -> usize {
        self.drafts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.drafts.is_empty()
    }

    /// The drafts, in the order their first commit was seen (newest first).
    pub fn into_drafts(self) -> Vec<Draft> {
        self.drafts
    }
}
