//! The pattern search on PostgreSQL: the seed's `search_patterns_enhanced`
//! (the SQL function of migration 0003, which says why it is exact) with the
//! full patterns joined on. Not listing patterns (the trait impl in `mod.rs`).

use super::rows::{PATTERN_COLUMN_COUNT, PATTERN_COLUMNS, pattern_from_row};
use crate::PgStore;
use crate::error::{Result, invalid};
use crate::fix::check_vector;
use ltmc_core::Project;
use ltmc_core::fix::normalize_file_type;
use ltmc_store::{PatternMatch, PatternQuery};
use pgvector::Vector;

/// The seed's `search_patterns_enhanced` (the SQL function of migration
/// 0003, which says why it is exact) with the full patterns joined on.
pub(super) async fn search(
    store: &PgStore,
    project: &Project,
    query: &PatternQuery,
) -> Result<Vec<PatternMatch>> {
    // Without a recorded model nothing was ever stored.
    if store.embedding().is_none() {
        return Ok(Vec::new());
    }
    check_vector(store, &query.content, "content")?;
    if let Some(problem) = &query.problem {
        check_vector(store, problem, "problem")?;
    }
    for (field, value) in [
        ("min_confidence", query.min_confidence),
        ("similarity_threshold", query.similarity_threshold),
    ] {
        if !value.is_finite() {
            return Err(invalid(field, format!("is {value}; give a number")));
        }
    }
    if query.limit == 0 {
        return Ok(Vec::new());
    }
    // None or empty lists are no filter. Layers beyond INTEGER match no
    // pattern: a list of only those matches none.
    let layers: Option<Vec<i32>> = match query.layers.as_deref() {
        None | Some([]) => None,
        Some(layers) => {
            let fitting: Vec<i32> = layers
                .iter()
                .filter_map(|l| i32::try_from(*l).ok())
                .collect();
            if fitting.is_empty() {
                return Ok(Vec::new());
            }
            Some(fitting)
        }
    };
    let workflows: Vec<String> = query
        .workflows
        .iter()
        .flatten()
        .map(|w| w.trim())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect();
    let workflows = (!workflows.is_empty()).then_some(workflows);
    // Stored file types are normalized (`.py`): so is the query's (the
    // function would do it too; a blank one is no filter).
    let extension = query
        .file_extension
        .as_deref()
        .map(normalize_file_type)
        .filter(|e| !e.is_empty());
    let limit = i32::try_from(query.limit).unwrap_or(i32::MAX);

    let client = store.client().await?;
    // The function returns the matches in order (at most `limit`); the
    // outer ORDER BY restores that order after the join, with the same
    // keys (the function's answer is small).
    let stmt = client
        .prepare_cached(&format!(
            "SELECT {PATTERN_COLUMNS}, s.similarity, s.problem_similarity, \
             1 - (p.code_embedding <=> $1) \
             FROM search_patterns_enhanced(content_embedding => $1, problem_embedding => $2, \
             filter_layers => $3, filter_workflows => $4, file_extension => $5, \
             min_confidence => $6, similarity_threshold => $7, match_count => $8, \
             p_project => $9, p_include_unreviewed => $10) s \
             JOIN fix_patterns p ON p.id = s.id \
             ORDER BY CASE WHEN $2::vector IS NULL THEN s.similarity \
             ELSE (s.similarity + s.problem_similarity) / 2 END DESC, \
             s.confidence_score DESC, s.applied_count DESC, s.id"
        ))
        .await?;
    let content = Vector::from(query.content.clone());
    let problem = query.problem.clone().map(Vector::from);
    let rows = client
        .query(
            &stmt,
            &[
                &content,
                &problem,
                &layers,
                &workflows,
                &extension,
                &query.min_confidence,
                &query.similarity_threshold,
                &limit,
                &project.as_str(),
                &query.include_unreviewed,
            ],
        )
        .await?;
    let n = PATTERN_COLUMN_COUNT;
    rows.iter()
        .map(|row| {
            Ok(PatternMatch {
                pattern: pattern_from_row(row)?,
                similarity: row.try_get(n)?,
                problem_similarity: row.try_get(n + 1)?,
                code_similarity: row.try_get(n + 2)?,
            })
        })
        .collect()
}
