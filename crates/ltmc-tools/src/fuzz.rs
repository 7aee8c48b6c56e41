//! Fuzz harness body of tool argument parsing (issue 21): [`tool_args`]
//! hands arbitrary JSON to one tool's argument check (`args.rs` and the
//! tool's `parse_error`), exactly what every adapter runs before a tool.
//! Any input must be `Ok` or a `ToolError` with a message; a panic is what
//! the fuzzer reports.
//!
//! Called by the coverage-guided target in `fuzz/` (cargo-afl) and by the
//! replay of `fuzz/regressions/tool_args/` and `fuzz/seeds/tool_args/` in the
//! test below. Not a fuzzer, and it runs no tool (that is the `jsonrpc` and
//! `stdio` targets' work, through the adapters).

use crate::REGISTRY;
use serde_json::Value;

/// Byte 0 picks the tool (modulo the registry's length); the rest is the
/// arguments as JSON (not JSON: nothing to check).
pub fn tool_args(data: &[u8]) {
    let [pick, json @ ..] = data else {
        return;
    };
    let entry = &REGISTRY[usize::from(*pick) % REGISTRY.len()];
    let Ok(arguments) = serde_json::from_slice::<Value>(json) else {
        return;
    };
    if let Err(e) = entry.check_arguments(arguments) {
        let answer = e.into_value();
        let message = answer["error"].as_str().unwrap_or_default();
        assert!(
            !message.is_empty(),
            "{}: an error without a message",
            entry.name
        );
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn tool_args_replays_the_committed_fuzz_inputs() {
        for input in ltmc_core::fuzz::committed_inputs("tool_args") {
            super::tool_args(&input);
        }
    }
}
