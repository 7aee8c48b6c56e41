//! The seed's `execute_fix_with_intelligence` up to the decision: guardian
//! warnings for the file, the ranked patterns, `apply` / `adapt` / `new` with
//! the steps to follow and the related patterns. Not the search itself
//! (`similar`) nor recording what happened (`outcome`).

use super::similar::{Resolved, ScoredPattern, SimilarRequest, find_similar_patterns, resolve};
use crate::fix::guardian::{self, CheckTarget, GuardianCheck};
use crate::{Memory, ServiceError, citations};
use ltmc_core::Project;
use ltmc_core::fix::{Decision, FixContext, RelatedPattern, RelationshipType};
use std::path::Path;

/// What `recommend_fix` answers.
#[derive(Debug, Clone)]
pub struct Recommendation {
    pub resolved: Resolved,
    pub guardian: Option<GuardianCheck>,
    pub candidates: Vec<ScoredPattern>,
    pub decision: Decision,
    /// The steps to follow: the pattern's for `apply`, with checks for
    /// `adapt`, a from-scratch plan for `new`.
    pub steps: Vec<String>,
    /// Patterns the chosen one relates to (prerequisites first).
    pub related: Vec<RelatedPattern>,
}

/// The seed's `execute_fix_with_intelligence` up to the decision: guardian
/// warnings for the file (when it is under the project root), the ranked
/// patterns, and `apply` (confidence > 0.8) / `adapt` / `new` with the steps.
pub async fn recommend_fix(
    memory: &Memory,
    project: &Project,
    project_root: Option<&Path>,
    request: &SimilarRequest,
    force_new: bool,
) -> Result<Recommendation, ServiceError> {
    let (resolved, mut candidates) = if force_new {
        (resolve(memory, project, request).await?, Vec::new())
    } else {
        find_similar_patterns(memory, project, request).await?
    };
    // Issue 22: a pattern whose cited code changed or is gone ranks after
    // those whose code still holds (stable: confidence order otherwise), and
    // is never applied blindly.
    for c in &mut candidates {
        c.citations = citations::check_all(project_root, &c.pattern.citations);
        c.ranked_down = citations::stale_reason(&c.citations);
    }
    candidates.sort_by_key(|c| c.ranked_down.is_some());
    // Checked when the file is a regular file inside the root; outside and
    // missing files alike are not checked (the answer reveals nothing).
    let inside =
        |root: &Path, path: &str| guardian::confine(root, path).is_ok_and(|real| real.is_file());
    let guardian = match (&resolved.file_path, project_root) {
        (Some(path), Some(root)) if inside(root, path) => Some(
            guardian::check_rules(
                memory.store().as_ref(),
                project,
                Some(root),
                CheckTarget::Path(path.clone()),
                resolved.context.layer,
                true,
            )
            .await?,
        ),
        _ => None,
    };
    let top = candidates.first();
    let decision = match Decision::from_top(top.map(|c| c.confidence.confidence)) {
        Decision::Apply if top.is_some_and(|c| c.ranked_down.is_some()) => Decision::Adapt,
        d => d,
    };
    let target = resolved.file_path.as_deref().unwrap_or("the file");
    let steps = match (decision, top) {
        (Decision::Apply, Some(c)) => {
            let mut s: Vec<String> = c.pattern.steps().iter().map(|s| (*s).to_owned()).collect();
            if let Some(v) = &c.pattern.verification_steps {
                s.push(format!("Verify: {v}"));
            }
            s.push(format!(
                "Record the outcome: record_pattern_outcome(pattern_id={}, success, time_taken)",
                c.pattern.id
            ));
            s
        }
        (Decision::Adapt, Some(c)) => {
            let mut s = vec![format!(
                "Check that pattern #{} \"{}\" fits {target}: {}",
                c.pattern.id,
                c.pattern.title,
                differences(c, &resolved.context)
            )];
            s.extend(
                c.pattern
                    .steps()
                    .iter()
                    .map(|step| format!("Adapt: {step}")),
            );
            s.push(match &c.pattern.verification_steps {
                Some(v) => format!("Verify more carefully than usual (the match is partial): {v}"),
                None => "Verify more carefully than usual: the match is partial".to_owned(),
            });
            s.push(format!(
                "Record the outcome with record_pattern_outcome(pattern_id={}); if the fix differed, extract it as a new pattern",
                c.pattern.id
            ));
            s
        }
        _ => vec![
            format!("No proven pattern matches: solve the debt in {target} from scratch"),
            "Capture before/after code, verification and learnings while you fix it".to_owned(),
            format!(
                "Extract the fix with extract_pattern{} so the next file with this debt gets it",
                resolved
                    .audit
                    .as_ref()
                    .map(|a| format!(" (source_file_audit_id={})", a.id))
                    .unwrap_or_default()
            ),
        ],
    };
    let related = match (decision, top) {
        (Decision::Apply | Decision::Adapt, Some(c)) => {
            let mut r = memory
                .store()
                .related_patterns(project, c.pattern.id, &RelationshipType::ALL)
                .await?;
            r.sort_by_key(|x| x.relationship_type != RelationshipType::Prerequisite);
            r
        }
        _ => Vec::new(),
    };
    Ok(Recommendation {
        resolved,
        guardian,
        candidates,
        decision,
        steps,
        related,
    })
}

/// Why a partial match is partial, in words.
fn differences(c: &ScoredPattern, ctx: &FixContext) -> String {
    let f = &c.confidence;
    let mut out = vec![format!("similarity {:.2}", c.similarity)];
    if let Some(why) = &c.ranked_down {
        out.push(why.clone());
    }
    if ctx.layer.is_some() && f.layer_factor <= 1.0 {
        out.push(format!("written for layers {:?}", c.pattern.layers));
    }
    if !ctx.workflows.is_empty() && f.workflow_overlap < 1.0 {
        out.push(format!("workflows {:?}", c.pattern.workflows));
    }
    if ctx.file_extension.is_some() && f.file_type_factor <= 1.0 {
        out.push(format!("file types {:?}", c.pattern.file_types));
    }
    if c.pattern.applied_count > 0 && c.pattern.success_rate < 0.5 {
        out.push(format!(
            "success rate {:.0}% over {} applications",
            c.pattern.success_rate * 100.0,
            c.pattern.applied_count
        ));
    }
    out.join("; ")
}
