//! `ltmc serve`: the LTMC tools for agents, over MCP on stdio or over HTTP
//! (MCP at `/mcp`, JSON-RPC at `/jsonrpc`, `/tools`, `/health`).
//!
//! The store and the model are opened once here and shared by every session
//! of the process. In stdio mode stdout carries protocol frames only; in
//! HTTP mode it carries one line saying where the server listens (JSON with
//! `--json`), so scripts can start it on port 0. Not here: the protocols
//! (ltmc-mcp, ltmc-http) or the tools (ltmc-tools).

use crate::cli::ServeArgs;
use crate::context::Context;
use crate::failure::with_hint;
use crate::output;
use anyhow::anyhow;
use ltmc_http::{HttpConfig, HttpError};
use ltmc_tools::{ToolGroup, Tools};
use serde_json::json;
use std::net::SocketAddr;
use std::process::ExitCode;

pub async fn run(ctx: &Context, args: ServeArgs) -> anyhow::Result<ExitCode> {
    let llm = Context::llm()?;
    // Check the flags before paying for the model.
    let http = if args.stdio {
        None
    } else {
        let address = resolve(args.http.as_deref().unwrap_or(ltmc_http::DEFAULT_ADDRESS)).await?;
        let config =
            HttpConfig::for_address(address, args.token, args.cors_origin).map_err(hinted)?;
        Some((address, config))
    };
    let groups = ToolGroup::parse_list(&args.tools).map_err(|e| {
        with_hint(
            anyhow!(e),
            "--tools takes ltmc, patterns or all, comma-separated",
        )
    })?;
    let memory = ctx.memory(true)?;
    // The model loads on first use; a server loads it now, in the
    // background, so that the first call that embeds does not wait for it
    // (a failure is reported by that call).
    let embedder = std::sync::Arc::clone(memory.embedder());
    std::thread::spawn(move || {
        if let Err(e) = embedder.embed(&["warm-up"]) {
            tracing::warn!("the model could not be loaded yet: {e}");
        }
    });
    let tools = Tools::new(memory, ctx.project.clone(), llm)
        .with_project_root(Some(ctx.project_root.clone()))
        .with_groups(groups)
        .with_call_timeout(std::time::Duration::from_secs(args.call_timeout));
    match http {
        None => {
            tracing::info!(project = %ctx.project, "serving MCP on stdin/stdout");
            ltmc_mcp::serve_stdio(tools).await.map_err(|e| {
                with_hint(
                    e,
                    "`ltmc serve --stdio` is meant to be started by an MCP client \
                     (e.g. `\"command\": \"ltmc\", \"args\": [\"serve\", \"--stdio\"]`)",
                )
            })?;
        }
        Some((address, config)) => {
            let listener = tokio::net::TcpListener::bind(address)
                .await
                .map_err(|source| hinted(HttpError::Bind { address, source }))?;
            let local = listener.local_addr()?;
            announce(ctx, local, config.token.is_some())?;
            ltmc_http::serve(listener, &tools, &config, shutdown_signal())
                .await
                .map_err(hinted)?;
            tracing::info!("stopped");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `ADDR` as given: an IP socket address, or a name such as `localhost:5050`.
async fn resolve(address: &str) -> anyhow::Result<SocketAddr> {
    if let Ok(parsed) = address.parse() {
        return Ok(parsed);
    }
    let hint = "give HOST:PORT, e.g. --http 127.0.0.1:5050 (or port 0 for any free port)";
    let mut found = tokio::net::lookup_host(address)
        .await
        .map_err(|e| with_hint(anyhow!("cannot resolve the address {address:?}: {e}"), hint))?;
    found
        .next()
        .ok_or_else(|| with_hint(anyhow!("the address {address:?} resolves to nothing"), hint))
}

fn announce(ctx: &Context, address: SocketAddr, token: bool) -> anyhow::Result<()> {
    let base = format!("http://{address}");
    if ctx.json {
        output::json_line(&json!({
            "address": address.to_string(),
            "url": base,
            "mcp": format!("{base}/mcp"),
            "jsonrpc": format!("{base}/jsonrpc"),
            "health": format!("{base}/health"),
            "dashboard": format!("{base}/"),
            "api": format!("{base}/api/openapi.json"),
            "token_required": token,
        }))
    } else {
        output::line(&format!(
            "ltmc serving on {base}: dashboard at {base}/, MCP at {base}/mcp, JSON-RPC at \
             {base}/jsonrpc, REST under {base}/api, /tools and /health{} (Ctrl-C stops)",
            if token { "; bearer token required" } else { "" }
        ));
        Ok(())
    }
}

/// Ctrl-C, or SIGTERM from a service manager.
async fn shutdown_signal() {
    let interrupt = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::warn!("cannot listen for Ctrl-C: {e}");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(e) => {
                tracing::warn!("cannot listen for SIGTERM: {e}");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
    tracing::info!("shutting down");
}

fn hinted(error: HttpError) -> anyhow::Error {
    let hint = match &error {
        HttpError::TokenRequired { .. } => {
            "pass --token TOKEN (or set LTMC_TOKEN), or listen on 127.0.0.1".to_owned()
        }
        HttpError::EmptyToken => "give a non-empty --token (or LTMC_TOKEN)".to_owned(),
        HttpError::BadOrigin { .. } => {
            "give origins as scheme://host[:port], e.g. --cors-origin http://localhost:3000"
                .to_owned()
        }
        HttpError::Bind { address, .. } => {
            format!("is another server on {address}? pick another port with --http 127.0.0.1:PORT")
        }
        HttpError::Serve(_) => "run again with -v and report it if it persists".to_owned(),
    };
    with_hint(error, hint)
}
