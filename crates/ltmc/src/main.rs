//! The `ltmc` binary: parses the command line, sets up logging on stderr,
//! chooses the concrete backends, runs one command and turns any failure into
//! one `error:` line plus a `hint:` line and a non-zero exit.
//!
//! It is the only crate that uses `anyhow` and the only place that knows which
//! store and which embedder are real; the use cases live in ltmc-service.

mod cli;
mod cli_memory;
mod commands;
mod context;
mod failure;
mod output;
mod paths;
mod progress;

use clap::Parser;
use std::io::IsTerminal as _;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    init_tracing(cli.verbose);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return failure::report(&anyhow::anyhow!("cannot start the async runtime: {e}")),
    };
    match runtime.block_on(commands::run(cli)) {
        Ok(code) => match output::closed() {
            // A write command's reader went away: its work is done, but
            // the output saying so was lost, which must not pass as success.
            Some(lines) => failure::report(&failure::with_hint(
                anyhow::anyhow!(
                    "stdout was closed by its reader after {lines} lines; the command ran to its end, \
                     but the rest of its output was lost"
                ),
                "let the reader take all the output (no `| head`), or redirect it to a file",
            )),
            None => code,
        },
        Err(e) => failure::report(&e),
    }
}

/// Logs go to stderr only: stdout carries data (and, in server mode, protocol).
fn init_tracing(verbose: u8) {
    let default = match verbose {
        0 => "ltmc=info,ltmc_embed=info,warn",
        1 => "debug",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("LTMC_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(false)
        .without_time()
        .init();
}
