//! Writing results to stdout: JSON for machines (`--json`), short lines for
//! people. Stdout carries data only; progress and logs go to stderr.

#![allow(clippy::print_stdout)] // this module is the CLI's data output

use serde::Serialize;

/// One JSON value on one line.
pub fn json_line<T: Serialize>(value: &T) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string(value)?);
    Ok(())
}

/// A line for people.
pub fn line(text: &str) {
    println!("{text}");
}
