//! Labelled search hits for relevance calibration (issue 20, item 4): the
//! rows `ltmc bench beir --samples` and `ltmc bench recall --samples` write,
//! and `ltmc bench fit-relevance`, which fits each mode's mapping from them
//! and reports how well the fitted relevance of the first hit separates
//! queries that have an answer in the store from queries that have none.
//!
//! Not here: the mapping itself (`ltmc_core::relevance`) or the searches.

use crate::context::Context;
use crate::output;
use anyhow::Context as _;
use ltmc_core::relevance::{Platt, RelevanceModel, Sample, fit, roc_auc};
use ltmc_service::{SearchHit, SearchMode};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Hits per query and mode a fit uses: the top ten are what an agent reads
/// and what nDCG@10 scores.
pub const SAMPLED_RANKS: usize = 10;

/// Hits per query and mode the benches write as samples: the fit reads the
/// first [`SAMPLED_RANKS`]; the rest let fusion weights be tried offline on
/// the first tier's candidates.
pub const WRITTEN_RANKS: usize = 40;

/// One ranked hit of one query in one mode, with its label.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Row {
    /// The labelled set: the collection's or fixture's name.
    pub set: String,
    pub query: String,
    pub mode: SearchMode,
    /// 1 for the first hit.
    pub rank: usize,
    pub doc: String,
    pub score: f32,
    pub similarity: Option<f32>,
    pub keyword_score: Option<f32>,
    pub words: Option<f32>,
    pub identifiers: Option<f32>,
    pub relevance: Option<f32>,
    /// Whether the judgements call this document relevant to the query.
    pub relevant: bool,
    /// How many documents are judged relevant to the query (the ideal
    /// ranking's length, for nDCG); 0 when none is stored.
    pub judged: usize,
}

impl Row {
    pub fn new(
        set: &str,
        query: &str,
        mode: SearchMode,
        rank: usize,
        hit: &SearchHit,
        relevant: bool,
        judged: usize,
    ) -> Self {
        Self {
            set: set.to_owned(),
            query: query.to_owned(),
            mode,
            rank,
            doc: hit.file_name.clone(),
            score: hit.score,
            similarity: hit.similarity,
            keyword_score: hit.keyword_score,
            words: hit.coverage.map(|c| c.words),
            identifiers: hit.coverage.map(|c| c.identifiers),
            relevance: hit.relevance,
            relevant,
            judged,
        }
    }

    /// The number the mode's relevance is a function of.
    fn x(&self) -> f64 {
        f64::from(match self.mode {
            SearchMode::Hybrid | SearchMode::Vector => self.score,
            SearchMode::Keyword => self.words.unwrap_or(0.0) + self.identifiers.unwrap_or(0.0),
        })
    }
}

/// Appends rows as JSON lines to `path` (created when missing).
pub fn write_rows(path: &Path, rows: &[Row]) -> anyhow::Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    for row in rows {
        serde_json::to_writer(&mut file, row)?;
        file.write_all(b"\n")?;
    }
    Ok(())
}

fn read_rows(path: &Path) -> anyhow::Result<Vec<Row>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l)
                .with_context(|| format!("{}:{}: not a sample row", path.display(), i + 1))
        })
        .collect()
}

/// The AUC of the first hit's value (`x` mapped by `value`) for telling
/// answerable queries from the rest, per set and over all.
fn first_hit_auc(rows: &[&Row], value: impl Fn(&Row) -> f64) -> Option<f64> {
    let firsts: Vec<(f64, bool)> = rows
        .iter()
        .filter(|r| r.rank == 1)
        .map(|r| (value(r), r.judged > 0))
        .collect();
    roc_auc(&firsts)
}

/// `ltmc bench fit-relevance`: fits each mode on the rows of `files` and
/// prints the model (the JSON `ltmc_core` ships) with the first-hit AUC of
/// each set before (raw ranking number) and after (fitted relevance).
pub fn fit_relevance(ctx: &Context, files: &[PathBuf], model_id: &str) -> anyhow::Result<ExitCode> {
    let mut rows = Vec::new();
    for file in files {
        rows.extend(read_rows(file)?);
    }
    let mut platts: HashMap<SearchMode, Platt> = HashMap::new();
    let mut report = json!({});
    for mode in [SearchMode::Hybrid, SearchMode::Vector, SearchMode::Keyword] {
        let of_mode: Vec<&Row> = rows
            .iter()
            .filter(|r| r.mode == mode && r.rank <= SAMPLED_RANKS)
            .collect();
        let samples: Vec<Sample> = of_mode
            .iter()
            .map(|r| Sample {
                x: r.x(),
                relevant: r.relevant,
            })
            .collect();
        let platt =
            fit(&samples).with_context(|| format!("no {mode:?} rows with both labels to fit"))?;
        platts.insert(mode, platt);
        let mut sets: Vec<&str> = of_mode.iter().map(|r| r.set.as_str()).collect();
        sets.sort_unstable();
        sets.dedup();
        let mut per_set = json!({});
        for set in sets {
            let in_set: Vec<&Row> = of_mode.iter().copied().filter(|r| r.set == set).collect();
            per_set[set] = json!({
                "first_hit_auc": first_hit_auc(&in_set, |r| platt.probability(r.x())),
                "samples": in_set.len(),
                "relevant": in_set.iter().filter(|r| r.relevant).count(),
            });
        }
        let name = serde_json::to_value(mode)?;
        report[name.as_str().unwrap_or("mode")] = json!({
            "platt": platt,
            "samples": samples.len(),
            "sets": per_set,
        });
    }
    let model = RelevanceModel {
        model_id: model_id.to_owned(),
        hybrid: platts[&SearchMode::Hybrid],
        vector: platts[&SearchMode::Vector],
        keyword: platts[&SearchMode::Keyword],
        source: format!(
            "ltmc bench fit-relevance on {} ({} rows)",
            files
                .iter()
                .filter_map(|f| f.file_name().and_then(|n| n.to_str()))
                .collect::<Vec<_>>()
                .join(", "),
            rows.len()
        ),
    };
    if ctx.json {
        output::json_line(&json!({ "model": model, "report": report }))?;
    } else {
        output::line(&serde_json::to_string_pretty(&model)?);
        output::line(&serde_json::to_string_pretty(&report)?);
    }
    Ok(ExitCode::SUCCESS)
}
