//! The `accept_pattern` tool (patterns group): accepts a draft from the
//! review queue, with the reviewer's edits, in one transaction (the vectors
//! made again when an embedded text changed).
//!
//! Not here: applying the edits (`ltmc_service::fix::review`) or the JSON
//! boundary (`crate::registry`).

use crate::error::ToolError;
use crate::shapes::{IntList, TextList};
use crate::shared::fix::{pattern_not_found, workflows};
use crate::{Tool, ToolGroup, Tools};
use ltmc_core::PatternId;
use ltmc_core::fix::FixPattern;
use ltmc_service::fix::review::{PatternEdits, accept_pattern};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The pattern to accept and the fields to change on the way; every field
/// left out keeps its stored value. An empty text clears an optional field.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
pub struct AcceptPatternArgs {
    /// The fix pattern's id.
    pub pattern_id: i64,
    /// true (default) accepts it (searchable by default); false keeps it in the queue with the edits saved.
    #[serde(default = "crate::args::defaults::yes")]
    pub reviewed: bool,
    /// The reviewer's notes.
    pub reviewer_notes: Option<String>,
    /// A short name of the fix.
    pub title: Option<String>,
    /// What was wrong, in general terms.
    pub problem_description: Option<String>,
    /// The steps of the fix: an array, or one text split on its lines and numbering.
    pub solution_steps: Option<TextList>,
    /// The code before the fix (empty clears it).
    pub code_before: Option<String>,
    /// The code after the fix (empty clears it).
    pub code_after: Option<String>,
    /// How the fix was verified (empty clears it).
    pub verification_steps: Option<String>,
    /// What was learned (empty clears it).
    pub learnings: Option<String>,
    /// How to keep the problem out of new code (empty clears it).
    pub prevention_guidance: Option<String>,
    /// Regexes (Rust regex syntax): an array, or one text with one regex per line.
    pub anti_patterns: Option<TextList>,
    /// Architecture layers 1-7: one or an array.
    pub layers: Option<IntList>,
    /// e.g. `["WF1", "WF4"]` or `"WF1,WF4"`.
    pub workflows: Option<TextList>,
    /// e.g. `[".py"]` or `".py,.js"`.
    pub file_types: Option<TextList>,
    /// An array or comma-separated text.
    pub tags: Option<TextList>,
    /// An array or comma-separated text.
    pub related_files: Option<TextList>,
    /// Security, Architecture, Standards or UI-UX.
    pub problem_type: Option<String>,
    /// e.g. hardcoded_secret, auth_missing (empty clears it).
    pub code_type: Option<String>,
    /// CRITICAL, HIGH, MEDIUM or LOW.
    pub severity: Option<String>,
}

/// The pattern as it is now and what the edits changed.
#[derive(Debug, Clone, Serialize)]
pub struct AcceptPatternOutput {
    pub pattern_id: PatternId,
    pub reviewed: bool,
    /// The fields the edits changed.
    pub edited: Vec<&'static str>,
    /// Whether its vectors were made again.
    pub re_embedded: bool,
    pub pattern: FixPattern,
    pub message: String,
}

/// `accept_pattern`.
pub struct AcceptPattern;

impl Tool for AcceptPattern {
    const NAME: &'static str = "accept_pattern";
    const DESCRIPTION: &'static str = "Accept a fix pattern from the review queue, optionally editing it on the way (title, problem, steps, code, layers, workflows, file types, tags, types, severity, ...): the edits are validated, the embeddings made again when a text they come from changed, and all is written in one transaction. reviewed=false saves the edits and keeps it in the queue. Returns pattern_id, reviewed, edited, re_embedded, pattern.";
    const GROUP: ToolGroup = ToolGroup::Patterns;
    const WRITES: bool = true;
    type Args = AcceptPatternArgs;
    type Output = AcceptPatternOutput;

    async fn run(tools: &Tools, a: Self::Args) -> Result<AcceptPatternOutput, ToolError> {
        let edits = PatternEdits {
            title: a.title,
            problem_description: a.problem_description,
            solution_steps: a.solution_steps.map(TextList::into_steps),
            code_before: a.code_before,
            code_after: a.code_after,
            verification_steps: a.verification_steps,
            learnings: a.learnings,
            prevention_guidance: a.prevention_guidance,
            anti_patterns: a.anti_patterns.map(TextList::into_lines),
            layers: a.layers.map(IntList::into_list),
            workflows: workflows(a.workflows),
            file_types: a.file_types.map(TextList::into_list),
            tags: a.tags.map(TextList::into_list),
            related_files: a.related_files.map(TextList::into_list),
            problem_type: a.problem_type,
            code_type: a.code_type,
            severity: a.severity,
        };
        let accepted = accept_pattern(
            &tools.memory,
            &tools.project,
            PatternId(a.pattern_id),
            edits,
            a.reviewed,
            a.reviewer_notes,
        )
        .await
        .map_err(pattern_not_found)?;
        let p = accepted.pattern;
        let edited = if accepted.edited.is_empty() {
            String::new()
        } else {
            format!(" with {} edited", accepted.edited.join(", "))
        };
        Ok(AcceptPatternOutput {
            pattern_id: p.id,
            reviewed: p.reviewed,
            message: format!(
                "pattern {} \"{}\" {}{edited}",
                p.id,
                p.title,
                if p.reviewed {
                    "accepted: searchable by default"
                } else {
                    "kept in the review queue"
                }
            ),
            edited: accepted.edited,
            re_embedded: accepted.re_embedded,
            pattern: p,
        })
    }
}
