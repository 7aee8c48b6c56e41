//! `ltmc search`: the chunks that best answer a query, best first, by meaning,
//! by keywords, or both (hybrid, the default).

use crate::cli::SearchArgs;
use crate::context::Context;
use crate::output;
use ltmc_service::relevance::keep_relevant;
use ltmc_service::{SearchMode, SearchRequest};
use serde_json::json;
use std::process::ExitCode;

pub async fn run(ctx: &Context, args: SearchArgs) -> anyhow::Result<ExitCode> {
    let mode: SearchMode = args.mode.parse().map_err(anyhow::Error::msg)?;
    let memory = ctx.memory(false)?;
    // A bad minimum is refused before the search.
    keep_relevant(
        &memory,
        Vec::<ltmc_service::SearchHit>::new(),
        args.min_relevance,
        "--min-relevance",
    )?;
    let hits = memory
        .search(SearchRequest {
            project: ctx.project.clone(),
            query: args.query.join(" "),
            top_k: args.top_k,
            resource_type: args.resource_type,
            mode,
        })
        .await?;
    let hits = keep_relevant(&memory, hits, args.min_relevance, "--min-relevance")?;
    if ctx.json {
        let results: Vec<_> = hits
            .iter()
            .map(|h| {
                json!({
                    "resource_id": h.chunk.resource_id,
                    "chunk_id": h.chunk.id,
                    "file_name": h.file_name,
                    "text": h.chunk.text,
                    "score": h.score,
                    "similarity": h.similarity,
                    "keyword_score": h.keyword_score,
                    "relevance": h.relevance,
                })
            })
            .collect();
        output::json_line(&json!({ "mode": mode, "results": results }))?;
    } else if hits.is_empty() {
        output::line("no results");
    } else {
        for h in &hits {
            let relevance = h
                .relevance
                .map(|r| format!("  relevance {r:.2}"))
                .unwrap_or_default();
            output::line(&format!(
                "{:.3}  {} (resource {}, chunk {}){relevance}",
                h.score, h.file_name, h.chunk.resource_id, h.chunk.id
            ));
            output::line(&format!("      {}", preview(&h.chunk.text, 160)));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The first `max` characters on one line.
fn preview(text: &str, max: usize) -> String {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match flat.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &flat[..cut]),
        None => flat,
    }
}
