//! The fix-pattern knowledge base's vocabulary (seed 000, SPEC section 5):
//! file audits, fix patterns and their relationships and applications,
//! guardian rules, the confidence score and the inference rules.
//!
//! Values and pure logic only, like the rest of this crate.

pub mod audit;
pub mod calibration;
pub mod confidence;
pub mod guardian;
pub mod infer;
pub mod pattern;

pub use audit::{
    AuditFilter, AuditStatus, AuditStatusChange, FileAudit, LAYERS, NewFileAudit, file_extension,
    normalize_list, parse_workflows,
};
pub use confidence::{
    APPLY_THRESHOLD, Confidence, Decision, FixContext, PatternFacts, score_confidence,
};
pub use guardian::{GuardianRule, NewGuardianRule, RuleFilter, RuleHit, RuleType};
pub use pattern::{
    FixPattern, NewApplication, NewFixPattern, NewRelationship, PatternApplication,
    PatternEmbeddings, PatternFilter, PatternMetrics, PatternRelationship, ProblemType,
    RelatedPattern, RelationshipType, RuleSpec, Severity, content_text, normalize_file_type,
    problem_query,
};
