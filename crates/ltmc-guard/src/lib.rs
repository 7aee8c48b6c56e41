//! The guardian check engine of ltmc's fix-pattern knowledge base (SPEC
//! section 5, seed 000's `check_guardian_rules`).
//!
//! A guardian rule is a regex, stored per architecture layer, that flags code
//! bringing a fixed kind of technical debt back. This crate compiles rules
//! ([`compile_pattern`], [`RuleSet::compile`]) with the `regex` crate, whose
//! matching is linear in the input, so a stored rule can never hang a check;
//! tests a rule made from a fix pattern on the pattern's own code
//! ([`test_rule_on_code`]); checks content ([`RuleSet::check_content`]) and
//! files and directory trees in parallel, honouring `.gitignore`
//! ([`scan_paths`]); and renders a scan as text, JSON or SARIF 2.1.0
//! ([`report`]) for terminals, tools and GitHub code scanning.
//!
//! It is deliberately not a store or a protocol: which rules are active, their
//! hit statistics and confining paths to a project root are the service's
//! job, flags and exit codes the CLI's. The rule values themselves live in
//! `ltmc-core` (`fix::guardian`), which has no regex engine.

mod error;
mod lines;
mod pattern;
pub mod report;
mod rules;
mod scan;
mod violation;

pub use error::GuardError;
pub use pattern::{REGEX_SIZE_LIMIT, compile_pattern, test_rule_on_code};
pub use rules::{CompiledRule, RuleInput, RuleSet};
pub use scan::{DEFAULT_MAX_FILE_BYTES, ScanOptions, ScanReport, scan_paths};
pub use violation::{SNIPPET_CHARS, Violation};
