//! Writing results to stdout: JSON for machines (`--json`), short lines for
//! people. Stdout carries data only; progress and logs go to stderr.
//!
//! A reader that goes away early (`ltmc search ... | head -1`) is not an
//! error: the process ends quietly with status 0, as `head`'s writers do,
//! instead of the panic `println!` gives on a closed pipe.

use serde::Serialize;
use std::io::Write as _;

/// One JSON value on one line.
pub fn json_line<T: Serialize>(value: &T) -> anyhow::Result<()> {
    write_line(&serde_json::to_string(value)?);
    Ok(())
}

/// A line for people.
pub fn line(text: &str) {
    write_line(text);
}

fn write_line(text: &str) {
    let mut out = std::io::stdout().lock();
    let written = writeln!(out, "{text}").and_then(|()| out.flush());
    match written {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
        Err(e) => {
            tracing::error!("cannot write to stdout: {e}");
            std::process::exit(1);
        }
    }
}
