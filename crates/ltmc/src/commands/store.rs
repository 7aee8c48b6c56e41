//! `ltmc store`: files, directories (walked recursively, honouring
//! .gitignore and skipping hidden and binary files) and stdin.
//!
//! Files are read and embedded in batches (the model sees full batches even
//! for many small files), and each file is written in its own transaction; a
//! failure on one file is reported and the others still go in. Not here: how text is
//! chunked or embedded (ltmc-service).

use crate::cli::StoreArgs;
use crate::context::{Context, shown};
use crate::output;
use anyhow::{Context as _, anyhow};
use indicatif::{ProgressBar, ProgressStyle};
use ltmc_service::StoreRequest;
use serde_json::json;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// One input to store.
enum Input {
    Stdin,
    /// A path named on the command line: any problem with it is an error.
    Named(PathBuf),
    /// A file found in a directory walk: binary or empty files are skipped.
    Found(PathBuf),
}

/// Files read and embedded together: big enough that the model works on full
/// batches across small files, small enough to bound memory and show progress.
const FILES_PER_BATCH: usize = 32;

pub async fn run(ctx: &Context, args: StoreArgs) -> anyhow::Result<ExitCode> {
    let inputs = collect(&args.paths)?;
    let memory = ctx.memory(true)?;
    let progress = progress_bar(inputs.len());
    let total = inputs.len();
    let mut failed = 0usize;
    let mut stored = 0usize;
    let mut last_error = None;
    let mut fail = |label: &str, e: anyhow::Error| {
        failed += 1;
        tracing::error!("{label}: {e:#}");
        last_error = Some(e);
    };
    let mut inputs = inputs.into_iter().peekable();
    while inputs.peek().is_some() {
        let mut labels = Vec::new();
        let mut requests = Vec::new();
        for input in inputs.by_ref().take(FILES_PER_BATCH) {
            let label = match &input {
                Input::Stdin => args.name.clone(),
                Input::Named(p) | Input::Found(p) => shown(p),
            };
            match read_input(&input, &label) {
                Ok(Some(content)) => {
                    requests.push(StoreRequest {
                        project: ctx.project.clone(),
                        file_name: label.clone(),
                        resource_type: args.resource_type.clone(),
                        content,
                        metadata: json!({}),
                    });
                    labels.push(label);
                }
                Ok(None) => progress.inc(1),
                Err(e) => {
                    fail(&label, e);
                    progress.inc(1);
                }
            }
        }
        if let Some(first) = labels.first() {
            progress.set_message(first.clone());
        }
        for (label, answer) in labels.iter().zip(memory.store_batch(requests).await) {
            match answer {
                Ok(answer) => {
                    stored += 1;
                    progress.suspend(|| emit(ctx, label, &answer));
                }
                Err(e) => fail(
                    label,
                    anyhow::Error::new(e).context(format!("cannot store {label}")),
                ),
            }
            progress.inc(1);
        }
    }
    progress.finish_and_clear();
    // Leave large projects' index files current, so the next search starts
    // without catching up on everything just stored.
    if let Err(e) = memory.store().sync_indexes().await {
        tracing::warn!("stored, but could not update the vector index files: {e}");
    }
    if let Some(lines) = output::closed() {
        return Err(crate::failure::with_hint(
            anyhow!(
                "stdout was closed by its reader after {lines} lines: {stored} of {total} inputs \
                 were stored ({failed} failed), but the lines reporting them were lost"
            ),
            "let the reader take all the output (no `| head`); storing again is safe: \
             unchanged files are recognised as duplicates",
        ));
    }
    match (failed, last_error) {
        (0, _) | (_, None) => Ok(ExitCode::SUCCESS),
        (1, Some(e)) => Err(e),
        (n, Some(_)) => Err(anyhow!(
            "{n} inputs could not be stored (see the messages above)"
        )),
    }
}

fn emit(ctx: &Context, label: &str, stored: &ltmc_service::StoredResource) {
    if ctx.json {
        // Serialising a plain struct of ints and a bool cannot fail.
        let _ = output::json_line(&json!({
            "resource_id": stored.resource_id,
            "chunk_count": stored.chunk_count,
            "duplicate": stored.duplicate,
            "file_name": label,
        }));
    } else if stored.duplicate {
        output::line(&format!(
            "{label}: already stored as resource {} (same content)",
            stored.resource_id
        ));
    } else {
        output::line(&format!(
            "{label}: stored as resource {} ({} chunks)",
            stored.resource_id, stored.chunk_count
        ));
    }
}

/// Reads one input as text; `Ok(None)` when a walked file is skipped
/// (binary, not UTF-8, or empty), an error when a named input is unusable.
fn read_input(input: &Input, label: &str) -> anyhow::Result<Option<String>> {
    let (bytes, named) = match input {
        Input::Stdin => {
            let mut buf = Vec::new();
            std::io::stdin()
                .read_to_end(&mut buf)
                .context("cannot read stdin")?;
            (buf, true)
        }
        Input::Named(p) => (read(p)?, true),
        Input::Found(p) => (read(p)?, false),
    };
    let content = match String::from_utf8(bytes) {
        Ok(text) if !text.contains('\0') => text,
        _ if !named => {
            tracing::warn!("{label}: skipped (binary or not UTF-8)");
            return Ok(None);
        }
        _ => {
            return Err(crate::failure::with_hint(
                anyhow!("{label} is not UTF-8 text (binary file?)"),
                "ltmc stores text: documents, code, notes",
            ));
        }
    };
    if content.trim().is_empty() && !named {
        tracing::warn!("{label}: skipped (empty)");
        return Ok(None);
    }
    Ok(Some(content))
}

fn read(path: &Path) -> anyhow::Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| {
        crate::failure::with_hint(
            anyhow!("cannot read {}: {e}", path.display()),
            "check the path and its permissions",
        )
    })
}

/// Expands the command line into inputs, refusing missing paths up front so
/// nothing is stored when the command line is wrong.
fn collect(paths: &[PathBuf]) -> anyhow::Result<Vec<Input>> {
    let mut inputs = Vec::new();
    for path in paths {
        if path.as_os_str() == "-" {
            inputs.push(Input::Stdin);
        } else if path.is_dir() {
            let mut found: Vec<PathBuf> = ignore::WalkBuilder::new(path)
                .build()
                .filter_map(|entry| match entry {
                    Ok(e) if e.file_type().is_some_and(|t| t.is_file()) => Some(e.into_path()),
                    Ok(_) => None,
                    Err(err) => {
                        tracing::warn!("skipping: {err}");
                        None
                    }
                })
                .collect();
            found.sort();
            inputs.extend(found.into_iter().map(Input::Found));
        } else if path.exists() {
            // Before anything opens it: a FIFO would wait for a writer forever.
            crate::paths::regular_file(path, "the input")?;
            inputs.push(Input::Named(path.clone()));
        } else {
            return Err(crate::failure::with_hint(
                anyhow!("{} does not exist", path.display()),
                "give files, directories, or `-` for stdin",
            ));
        }
    }
    if inputs.is_empty() {
        return Err(crate::failure::with_hint(
            anyhow!("nothing to store: the directories hold no files"),
            "give files, directories with text files, or `-` for stdin",
        ));
    }
    Ok(inputs)
}

/// A progress bar on stderr for many inputs; hidden for one, and by indicatif
/// itself when stderr is not a terminal.
fn progress_bar(len: usize) -> ProgressBar {
    if len < 2 {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len as u64);
    if let Ok(style) =
        ProgressStyle::with_template("{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} {msg}")
    {
        bar.set_style(style);
    }
    bar
}
