//! `ltmc model`: fetch the embedding model into the local cache, or show where it is.

use crate::cli::ModelCommand;
use crate::context::{Context, shown};
use crate::output;
use serde_json::json;
use std::process::ExitCode;

pub fn run(ctx: &Context, command: ModelCommand) -> anyhow::Result<ExitCode> {
    let models = ltmc_embed::ModelStore::new(ctx.model_dir.clone());
    match command {
        ModelCommand::Fetch { force } => {
            let dir = models.fetch(force)?;
            models.verify()?;
            if ctx.json {
                output::json_line(&json!({"model_dir": dir, "verified": true}))?;
            } else {
                output::line(&format!("model ready and verified in {}", shown(&dir)));
            }
        }
        ModelCommand::Path => output::line(&shown(&ctx.model_dir)),
    }
    Ok(ExitCode::SUCCESS)
}
