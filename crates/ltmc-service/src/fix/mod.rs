//! The fix-pattern knowledge base's use cases (seed 000, SPEC section 5),
//! callable by the tools and the CLI alike: file audits (`audits`), fix
//! patterns — extraction with inference, relationships and rules, search
//! with confidence, recommendations, outcomes (`patterns`) — guardian rules
//! and checks (`guardian`), and the weekly assessment (`insights`).
//!
//! Written against the store traits and the embedder; regexes run in
//! `ltmc-guard`. Not here: JSON argument handling (`tools/fix_tools.rs`).

pub mod audits;
pub mod calibrated;
pub mod calibration_set;
pub mod guardian;
pub mod insights;
pub mod patterns;
pub mod review;
pub mod team_calibration;
