//! Dispatch of the parsed command line to one command module each.

pub(crate) mod audit;
mod beir;
mod bench;
mod bench_patterns;
mod call;
mod doctor;
pub(crate) mod guard;
mod migrate;
mod migrate_store;
mod model;
pub(crate) mod patterns;
mod recall_set;
mod relevance;
mod search;
mod serve;
mod simple;
mod store;
mod tool_cli;

use crate::cli::{Cli, Command};
use crate::context::Context;
use std::process::ExitCode;

pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let ctx = Context::from_global(&cli.global)?;
    // Read commands may stop quietly when their reader goes away; any other
    // finishes its work and then fails (output.rs).
    let reads = matches!(
        cli.command,
        Command::Search(_)
            | Command::Embed { .. }
            | Command::Model { .. }
            | Command::Doctor { .. }
            | Command::Bench { .. }
    );
    if !reads {
        crate::output::finish_when_closed();
    }
    match cli.command {
        Command::Init => simple::init(&ctx).await,
        Command::Store(args) => store::run(&ctx, args).await,
        Command::Search(args) => search::run(&ctx, args).await,
        Command::Delete { resource_id } => simple::delete(&ctx, resource_id).await,
        Command::Embed { texts } => simple::embed(&ctx, texts).await,
        Command::Model { command } => model::run(&ctx, command),
        Command::Doctor { full } => doctor::run(&ctx, full).await,
        Command::Reindex { all } => simple::reindex(&ctx, all).await,
        Command::Bench { command } => bench::run(&ctx, command).await,
        Command::Serve(args) => serve::run(&ctx, args).await,
        Command::Chat { command } => tool_cli::chat(&ctx, command).await,
        Command::Todo { command } => tool_cli::todo(&ctx, command).await,
        Command::Graph { command } => tool_cli::graph(&ctx, command).await,
        Command::Attempts { command } => tool_cli::attempts(&ctx, command).await,
        Command::Tool { command } => tool_cli::tool(&ctx, command).await,
        Command::Audit { command } => audit::run(&ctx, command).await,
        Command::Patterns { command } => patterns::run(&ctx, command).await,
        Command::Guard { command } => guard::run(&ctx, command).await,
        Command::MigrateStore(args) => migrate_store::run(&ctx, args).await,
        Command::Migrate(args) => migrate::run(&ctx, args).await,
    }
}
