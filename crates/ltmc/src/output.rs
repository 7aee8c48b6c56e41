//! Writing results to stdout: JSON for machines (`--json`), short lines for
//! people. Stdout carries data only; progress and logs go to stderr.
//!
//! A reader that goes away early (`ltmc search ... | head -1`) ends a read
//! command quietly with status 0, as `head`'s writers do, instead of the
//! panic `println!` gives on a closed pipe. A write command must not stop
//! half-way for that: after [`finish_when_closed`] its lines are dropped, the
//! command does all its work, and [`closed`] tells the end of the command
//! (main.rs) to exit non-zero and say what was done.
//!
//! Not here: what the lines say (each command), the final `error:` line
//! (failure.rs).

use serde::Serialize;
use std::io::Write as _;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// Keep going when stdout is closed (write commands).
static FINISH_WHEN_CLOSED: AtomicBool = AtomicBool::new(false);
/// Stdout was found closed.
static CLOSED: AtomicBool = AtomicBool::new(false);
/// Lines written to stdout before it was closed.
static WRITTEN: AtomicUsize = AtomicUsize::new(0);

/// From now on a closed stdout does not end the process: the command runs to
/// its end and then fails (see the module docs).
pub fn finish_when_closed() {
    FINISH_WHEN_CLOSED.store(true, Ordering::SeqCst);
}

/// `Some(lines written)` when stdout was closed by its reader.
pub fn closed() -> Option<usize> {
    CLOSED
        .load(Ordering::SeqCst)
        .then(|| WRITTEN.load(Ordering::SeqCst))
}

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
    if CLOSED.load(Ordering::SeqCst) {
        return;
    }
    let mut out = std::io::stdout().lock();
    let written = writeln!(out, "{text}").and_then(|()| out.flush());
    match written {
        Ok(()) => {
            WRITTEN.fetch_add(1, Ordering::SeqCst);
        }
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
            if !FINISH_WHEN_CLOSED.load(Ordering::SeqCst) {
                std::process::exit(0);
            }
            CLOSED.store(true, Ordering::SeqCst);
        }
        Err(e) => {
            tracing::error!("cannot write to stdout: {e}");
            std::process::exit(1);
        }
    }
}
