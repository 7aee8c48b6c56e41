//! Fix patterns (seed 000's `fix_patterns`): how a kind of technical debt was
//! fixed, with before/after code, the metrics of its reuse, its anti-patterns
//! and guardian rules; their relationships; and the record of each time a
//! pattern was applied to a file.
//!
//! Values, validation and the texts that are embedded. Not here: embedding,
//! storage, inference of missing fields (`infer.rs`), confidence (`confidence.rs`).

use super::audit::{check_layer, normalize_list};
use crate::citation::Citation;
use crate::{ApplicationId, AuditId, CoreError, PatternId, RelationshipId, present};
use serde::{Deserialize, Serialize};

/// The seed's problem classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ProblemType {
    Security,
    Architecture,
    Standards,
    #[serde(rename = "UI-UX")]
    UiUx,
}

impl ProblemType {
    pub const ALL: [Self; 4] = [
        Self::Security,
        Self::Architecture,
        Self::Standards,
        Self::UiUx,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Security => "Security",
            Self::Architecture => "Architecture",
            Self::Standards => "Standards",
            Self::UiUx => "UI-UX",
        }
    }

    /// Parses `Security`, `Architecture`, `Standards`, `UI-UX` (any case; `ui/ux`, `ui_ux`, `ux` too).
    pub fn parse(field: &'static str, value: &str) -> Result<Self, CoreError> {
        let key: String = value
            .trim()
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .flat_map(char::to_lowercase)
            .collect();
        match key.as_str() {
            "security" => Ok(Self::Security),
            "architecture" => Ok(Self::Architecture),
            "standards" | "standard" => Ok(Self::Standards),
            "uiux" | "ux" | "ui" => Ok(Self::UiUx),
            _ => Err(CoreError::invalid(
                field,
                format!(
                    "{value:?} is not a problem type; use Security, Architecture, Standards or UI-UX"
                ),
            )),
        }
    }

    /// Security and Architecture patterns generate guardian rules (seed 000).
    pub fn generates_rules(self) -> bool {
        matches!(self, Self::Security | Self::Architecture)
    }
}

/// How bad a problem (or a rule violation) is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Low => "LOW",
            Self::Medium => "MEDIUM",
            Self::High => "HIGH",
            Self::Critical => "CRITICAL",
        }
    }

    /// Parses `CRITICAL`, `HIGH`, `MEDIUM`, `LOW` in any case.
    pub fn parse(field: &'static str, value: &str) -> Result<Self, CoreError> {
        match value.trim().to_ascii_uppercase().as_str() {
            "CRITICAL" => Ok(Self::Critical),
            "HIGH" => Ok(Self::High),
            "MEDIUM" => Ok(Self::Medium),
            "LOW" => Ok(Self::Low),
            _ => Err(CoreError::invalid(
                field,
                format!("{value:?} is not a severity; use CRITICAL, HIGH, MEDIUM or LOW"),
            )),
        }
    }
}

/// A rule a pattern asks the guardian to check, as written in its
/// `guardian_rules` JSON (the seed's `guardian_rules` columns without the
/// layer, which is the pattern's first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleSpec {
    pub rule_name: String,
    pub rule_type: String,
    pub rule_pattern: String,
    #[serde(default)]
    pub severity: Option<String>,
    #[serde(default)]
    pub action_required: Option<String>,
}

/// A fix pattern to store. Every column of the seed's `fix_patterns` but the
/// id, the embeddings, `related_patterns` (derived from relationships) and
/// the timestamps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewFixPattern {
    pub title: String,
    pub problem_type: ProblemType,
    pub code_type: Option<String>,
    pub severity: Severity,
    pub tags: Vec<String>,
    /// At least one, each 1 to 7.
    pub layers: Vec<i64>,
    pub workflows: Vec<String>,
    /// With the dot: `.py`.
    pub file_types: Vec<String>,
    pub problem_description: String,
    /// One step per line.
    pub solution_steps: String,
    pub code_before: Option<String>,
    pub code_after: Option<String>,
    pub verification_steps: Option<String>,
    pub learnings: Option<String>,
    pub prevention_guidance: Option<String>,
    pub source_file_audit_id: Option<AuditId>,
    pub applied_to_files: Vec<AuditId>,
    pub dart_task_ids: Vec<String>,
    pub related_files: Vec<String>,
    pub applied_count: i64,
    /// 0 to 1.
    pub success_rate: f64,
    /// Minutes.
    pub avg_time_saved: i64,
    /// 0 to 1.
    pub confidence_score: f64,
    pub last_applied: Option<String>,
    pub guardian_rules: Vec<RuleSpec>,
    /// Regexes of what not to do.
    pub anti_patterns: Vec<String>,
    pub created_by: Option<String>,
    pub reviewed: bool,
    pub reviewer_notes: Option<String>,
    /// Spans of code the pattern is about (issue 22), checked when it is
    /// recommended.
    #[serde(default)]
    pub citations: Vec<Citation>,
}

impl NewFixPattern {
    /// A pattern with the seed's defaults for everything not given.
    pub fn new(
        title: impl Into<String>,
        problem_type: ProblemType,
        severity: Severity,
        layers: Vec<i64>,
        problem_description: impl Into<String>,
        solution_steps: impl Into<String>,
    ) -> Self {
        Self {
            title: title.into(),
            problem_type,
            code_type: None,
            severity,
            tags: Vec::new(),
            layers,
            workflows: Vec::new(),
            file_types: Vec::new(),
            problem_description: problem_description.into(),
            solution_steps: solution_steps.into(),
            code_before: None,
            code_after: None,
            verification_steps: None,
            learnings: None,
            prevention_guidance: None,
            source_file_audit_id: None,
            applied_to_files: Vec::new(),
            dart_task_ids: Vec::new(),
            related_files: Vec::new(),
            applied_count: 0,
            success_rate: 1.0,
            avg_time_saved: 0,
            confidence_score: 1.0,
            last_applied: None,
            guardian_rules: Vec::new(),
            anti_patterns: Vec::new(),
            created_by: None,
            reviewed: false,
            reviewer_notes: None,
            citations: Vec::new(),
        }
    }

    /// Checks every field (naming the field and the fix) and normalizes the
    /// lists (trimmed, no repeats; file types with a dot, lower case).
    pub fn validated(mut self) -> Result<Self, CoreError> {
        self.title = required("title", &self.title, "a short name of the fix")?;
        self.problem_description = required(
            "problem_description",
            &self.problem_description,
            "what was wrong, in general terms",
        )?;
        self.solution_steps = required(
            "solution_steps",
            &self.solution_steps,
            "the steps of the fix, one per line",
        )?;
        // A draft (mined, not yet reviewed) may wait for a reviewer to say
        // which layers it applies to; a reviewed pattern must say.
        if self.layers.is_empty() && self.reviewed {
            return Err(CoreError::invalid(
                "layers",
                "is empty; give the architecture layers (1-7) the pattern applies to",
            ));
        }
        for &layer in &self.layers {
            check_layer("layers", layer)?;
        }
        let mut layers = Vec::new();
        for l in &self.layers {
            if !layers.contains(l) {
                layers.push(*l);
            }
        }
        self.layers = layers;
        self.workflows = normalize_list(self.workflows.iter().map(String::as_str));
        self.tags = normalize_list(self.tags.iter().map(String::as_str));
        self.dart_task_ids = normalize_list(self.dart_task_ids.iter().map(String::as_str));
        self.related_files = normalize_list(self.related_files.iter().map(String::as_str));
        self.file_types = normalize_list(
            self.file_types
                .iter()
                .map(|t| normalize_file_type(t))
                .collect::<Vec<_>>()
                .iter()
                .map(String::as_str),
        );
        self.code_type = present(self.code_type);
        self.code_before = present(self.code_before);
        self.code_after = present(self.code_after);
        self.verification_steps = present(self.verification_steps);
        self.learnings = present(self.learnings);
        self.prevention_guidance = present(self.prevention_guidance);
        self.created_by = present(self.created_by);
        self.reviewer_notes = present(self.reviewer_notes);
        self.last_applied = present(self.last_applied);
        check_fraction("success_rate", self.success_rate)?;
        check_fraction("confidence_score", self.confidence_score)?;
        if self.applied_count < 0 {
            return Err(CoreError::invalid(
                "applied_count",
                format!("is {}; a count is 0 or more", self.applied_count),
            ));
        }
        if self.avg_time_saved < 0 {
            return Err(CoreError::invalid(
                "avg_time_saved",
                format!("is {}; minutes saved are 0 or more", self.avg_time_saved),
            ));
        }
        for (i, a) in self.anti_patterns.iter().enumerate() {
            if a.trim().is_empty() {
                return Err(CoreError::invalid(
                    "anti_patterns",
                    format!("entry {i} is empty; leave it out"),
                ));
            }
        }
        for (i, r) in self.guardian_rules.iter().enumerate() {
            if r.rule_name.trim().is_empty() || r.rule_pattern.trim().is_empty() {
                return Err(CoreError::invalid(
                    "guardian_rules",
                    format!("entry {i} needs a rule_name and a rule_pattern"),
                ));
            }
        }
        Ok(self)
    }

    /// The text of the content embedding: title and problem (see [`content_text`]).
    pub fn content_text(&self) -> String {
        content_text(&self.title, &self.problem_description)
    }

    /// The text of the code embedding (the seed's `before\n---\nafter`); the
    /// title and problem when the pattern has no code.
    pub fn code_text(&self) -> String {
        match (&self.code_before, &self.code_after) {
            (None, None) => format!("{}\n{}", self.title, self.problem_description),
            (b, a) => format!(
                "{}\n---\n{}",
                b.as_deref().unwrap_or(""),
                a.as_deref().unwrap_or("")
            ),
        }
    }

    /// The text of the problem embedding.
    pub fn problem_text(&self) -> String {
        self.problem_description.clone()
    }
}

/// The content text: `title. problem`. Seed 000 embeds problem and solution
/// steps together; with all-MiniLM-L6-v2 the steps (how it was cured) pull
/// the vector away from the debt descriptions it is searched with: on the
/// example set a paraphrased debt scored 0.35-0.51 against problem+steps and
/// 0.40-0.59 against title+problem. The steps are in the code embedding's
/// neighbourhood anyway (before/after code).
pub fn content_text(title: &str, problem: &str) -> String {
    format!("{}. {}", title.trim(), problem.trim())
}

/// The problem query for a debt description. The seed prefixes it with
/// `"Problem: "` but stores the problem description without one; the prefix
/// lowered every measured similarity (e.g. 0.54 → 0.45), so the debt is
/// compared as it is written, like the stored problem.
pub fn problem_query(debt: &str) -> String {
    debt.trim().to_owned()
}

/// `py` / `.PY` / `*.py` → `.py`.
pub fn normalize_file_type(value: &str) -> String {
    let v = value.trim().trim_start_matches('*').trim_start_matches('.');
    if v.is_empty() {
        String::new()
    } else {
        format!(".{}", v.to_ascii_lowercase())
    }
}

fn required(field: &'static str, value: &str, what: &str) -> Result<String, CoreError> {
    let v = value.trim();
    if v.is_empty() {
        Err(CoreError::invalid(field, format!("is empty; give {what}")))
    } else {
        Ok(v.to_owned())
    }
}

fn check_fraction(field: &'static str, value: f64) -> Result<(), CoreError> {
    if value.is_finite() && (0.0..=1.0).contains(&value) {
        Ok(())
    } else {
        Err(CoreError::invalid(
            field,
            format!("is {value}; use a number from 0 to 1"),
        ))
    }
}

/// The three embeddings of a pattern (each of the store's dimension).
#[derive(Debug, Clone, PartialEq)]
pub struct PatternEmbeddings {
    pub content: Vec<f32>,
    pub code: Vec<f32>,
    pub problem: Vec<f32>,
}

/// A stored fix pattern.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FixPattern {
    pub id: PatternId,
    pub title: String,
    pub problem_type: ProblemType,
    pub code_type: Option<String>,
    pub severity: Severity,
    pub tags: Vec<String>,
    pub layers: Vec<i64>,
    pub workflows: Vec<String>,
    pub file_types: Vec<String>,
    pub problem_description: String,
    pub solution_steps: String,
    pub code_before: Option<String>,
    pub code_after: Option<String>,
    pub verification_steps: Option<String>,
    pub learnings: Option<String>,
    pub prevention_guidance: Option<String>,
    /// The targets of this pattern's relationships, strongest first.
    pub related_patterns: Vec<PatternId>,
    pub source_file_audit_id: Option<AuditId>,
    pub applied_to_files: Vec<AuditId>,
    pub dart_task_ids: Vec<String>,
    pub related_files: Vec<String>,
    pub applied_count: i64,
    pub success_rate: f64,
    pub avg_time_saved: i64,
    pub confidence_score: f64,
    pub last_applied: Option<String>,
    pub guardian_rules: Vec<RuleSpec>,
    pub anti_patterns: Vec<String>,
    pub created_at: String,
    pub updated_at: String,
    pub created_by: Option<String>,
    pub reviewed: bool,
    pub reviewer_notes: Option<String>,
    /// Spans of code the pattern is about, as cited (see [`NewFixPattern::citations`]).
    #[serde(default)]
    pub citations: Vec<Citation>,
}

impl FixPattern {
    /// The solution steps, one per non-empty line.
    pub fn steps(&self) -> Vec<&str> {
        self.solution_steps
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect()
    }
}

/// Which patterns a listing returns.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PatternFilter {
    pub reviewed: Option<bool>,
    pub problem_type: Option<ProblemType>,
    pub layer: Option<i64>,
    pub workflow: Option<String>,
    pub tag: Option<String>,
    pub limit: Option<usize>,
}

/// The seed's relationship kinds. `source → target` of type `prerequisite`
/// reads "target is a prerequisite of source".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RelationshipType {
    Prerequisite,
    Follows,
    Conflicts,
    Enhances,
}

impl RelationshipType {
    pub const ALL: [Self; 4] = [
        Self::Prerequisite,
        Self::Follows,
        Self::Conflicts,
        Self::Enhances,
    ];
    /// The seed's default for `get_related_patterns`.
    pub const DEFAULT_RELATED: [Self; 3] = [Self::Prerequisite, Self::Follows, Self::Enhances];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Prerequisite => "prerequisite",
            Self::Follows => "follows",
            Self::Conflicts => "conflicts",
            Self::Enhances => "enhances",
        }
    }

    pub fn parse(field: &'static str, value: &str) -> Result<Self, CoreError> {
        match value.trim().to_ascii_lowercase().as_str() {
            "prerequisite" => Ok(Self::Prerequisite),
            "follows" => Ok(Self::Follows),
            "conflicts" => Ok(Self::Conflicts),
            "enhances" => Ok(Self::Enhances),
            other => Err(CoreError::invalid(
                field,
                format!(
                    "{other:?} is not a relationship type; use prerequisite, follows, conflicts or enhances"
                ),
            )),
        }
    }
}

/// A relationship to add (or update: unique per source, target and type).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewRelationship {
    pub source: PatternId,
    pub target: PatternId,
    pub relationship_type: RelationshipType,
    /// 0 to 1.
    pub strength: f64,
    pub description: Option<String>,
}

impl NewRelationship {
    pub fn validated(mut self) -> Result<Self, CoreError> {
        if self.source == self.target {
            return Err(CoreError::invalid(
                "target_pattern_id",
                "is the source pattern itself; link two different patterns",
            ));
        }
        check_fraction("strength", self.strength)?;
        self.description = present(self.description);
        Ok(self)
    }
}

/// A stored relationship.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PatternRelationship {
    pub id: RelationshipId,
    pub source: PatternId,
    pub target: PatternId,
    pub relationship_type: RelationshipType,
    pub strength: f64,
    pub description: Option<String>,
    pub created_at: String,
}

/// A related pattern as the seed's `get_related_patterns` returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RelatedPattern {
    pub id: PatternId,
    pub title: String,
    pub relationship_type: RelationshipType,
    pub strength: f64,
    pub description: Option<String>,
}

/// One application of a pattern to record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewApplication {
    pub pattern_id: PatternId,
    /// The audited file it was applied to, if it is audited.
    pub audit_id: Option<AuditId>,
    /// The file; taken from the audit when not given.
    pub file_path: Option<String>,
    pub success: bool,
    /// Minutes the fix took.
    pub time_taken: Option<i64>,
    /// Minutes the pattern saved against solving from scratch.
    pub time_saved: Option<i64>,
    pub notes: Option<String>,
}

impl NewApplication {
    pub fn validated(mut self) -> Result<Self, CoreError> {
        for (field, v) in [
            ("time_taken", self.time_taken),
            ("time_saved", self.time_saved),
        ] {
            if let Some(m) = v.filter(|m| *m < 0) {
                return Err(CoreError::invalid(
                    field,
                    format!("is {m}; minutes are 0 or more"),
                ));
            }
        }
        self.file_path = present(self.file_path);
        self.notes = present(self.notes);
        Ok(self)
    }
}

/// A recorded application.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PatternApplication {
    pub id: ApplicationId,
    pub pattern_id: PatternId,
    pub audit_id: Option<AuditId>,
    pub file_path: Option<String>,
    pub success: bool,
    pub time_taken: Option<i64>,
    pub time_saved: Option<i64>,
    pub notes: Option<String>,
    pub applied_at: String,
}

/// The metrics after one more application, as seed 000 keeps them:
/// `applied_count + 1`, the success rate as successes over applications, the
/// average minutes saved over the applications that reported it (the earlier
/// average counting for the earlier applications).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PatternMetrics {
    pub applied_count: i64,
    pub success_rate: f64,
    pub avg_time_saved: i64,
}

impl PatternMetrics {
    #[must_use]
    #[allow(clippy::cast_possible_truncation)] // a rounded mean of i64 minutes fits i64
    pub fn after(self, success: bool, time_saved: Option<i64>) -> Self {
        let n = self.applied_count.max(0) as f64;
        let successes = self.success_rate * n + if success { 1.0 } else { 0.0 };
        let avg_time_saved = match time_saved {
            Some(saved) => {
                ((self.avg_time_saved as f64 * n + saved as f64) / (n + 1.0)).round() as i64
            }
            None => self.avg_time_saved,
        };
        Self {
            applied_count: self.applied_count.max(0) + 1,
            success_rate: (successes / (n + 1.0)).clamp(0.0, 1.0),
            avg_time_saved,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_follow_the_applications() {
        let fresh = PatternMetrics {
            applied_count: 0,
            success_rate: 1.0,
            avg_time_saved: 0,
        };
        let one = fresh.after(true, Some(30));
        assert_eq!(one.applied_count, 1);
        assert!((one.success_rate - 1.0).abs() < 1e-12);
        assert_eq!(one.avg_time_saved, 30);
        let two = one.after(false, Some(10));
        assert_eq!(two.applied_count, 2);
        assert!((two.success_rate - 0.5).abs() < 1e-12);
        assert_eq!(two.avg_time_saved, 20);
        let three = two.after(true, None);
        assert!((three.success_rate - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(three.avg_time_saved, 20);
        // 7 of 8 from an import, then a failure: 7/9.
        let imported = PatternMetrics {
            applied_count: 8,
            success_rate: 0.875,
            avg_time_saved: 45,
        };
        assert!((imported.after(false, None).success_rate - 7.0 / 9.0).abs() < 1e-12);
    }

    #[test]
    fn validation_names_fields_and_normalizes() {
        let mut p = NewFixPattern::new(
            "t",
            ProblemType::Security,
            Severity::High,
            vec![4, 4],
            "p",
            "s",
        );
        p.file_types = vec!["PY".into(), "*.py".into(), ".tsx".into()];
        let p = p.validated().unwrap();
        assert_eq!(p.layers, vec![4]);
        assert_eq!(p.file_types, vec![".py", ".tsx"]);
        let bad = NewFixPattern::new(
            "t",
            ProblemType::Security,
            Severity::High,
            vec![9],
            "p",
            "s",
        );
        assert!(bad.validated().unwrap_err().to_string().contains("layers"));
        // A draft may leave its layers to the reviewer; a reviewed one may not.
        let mut draft =
            NewFixPattern::new("t", ProblemType::Security, Severity::High, vec![], "p", "s");
        assert!(draft.clone().validated().unwrap().layers.is_empty());
        draft.reviewed = true;
        assert!(
            draft
                .validated()
                .unwrap_err()
                .to_string()
                .contains("layers")
        );
        let mut bad = NewFixPattern::new(
            "t",
            ProblemType::Security,
            Severity::High,
            vec![1],
            "p",
            "s",
        );
        bad.success_rate = 1.5;
        assert!(
            bad.validated()
                .unwrap_err()
                .to_string()
                .contains("success_rate")
        );
        let bad = NewFixPattern::new(
            " ",
            ProblemType::Security,
            Severity::High,
            vec![1],
            "p",
            "s",
        );
        assert!(bad.validated().unwrap_err().to_string().contains("title"));
    }

    #[test]
    fn enums_parse_their_spellings() {
        assert_eq!(ProblemType::parse("t", "ui/ux"), Ok(ProblemType::UiUx));
        assert_eq!(ProblemType::parse("t", "UI-UX"), Ok(ProblemType::UiUx));
        assert_eq!(Severity::parse("s", "critical"), Ok(Severity::Critical));
        assert!(Severity::parse("s", "urgent").is_err());
        assert_eq!(
            RelationshipType::parse("r", "Enhances"),
            Ok(RelationshipType::Enhances)
        );
        assert_eq!(
            serde_json::to_string(&ProblemType::UiUx).unwrap(),
            "\"UI-UX\""
        );
        assert_eq!(serde_json::to_string(&Severity::High).unwrap(), "\"HIGH\"");
    }
}
