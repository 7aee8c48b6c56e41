//! The search of fix patterns: the seed's `search_patterns_enhanced` with
//! cosine similarity, exact, for [`ltmc_store::PatternStore::search_patterns`].
//!
//! One prepared statement, inside one read snapshot, streams the candidates
//! that pass the filters (project, reviewed, minimum confidence, a layer and
//! a workflow shared, the file type listed) with their content vector (and
//! problem vector, when the query has one). The filters run first, on the
//! index `fix_patterns_for_search` alone (it holds every column they read,
//! so no pattern's long texts are touched), and only the patterns passing
//! them have their vectors read, each by its rowid. Cosine similarity is
//! computed here (no vector is assumed to be of unit length; a zero norm
//! gives 0). Those above the threshold are ranked, and only the `limit` best
//! are read in full. At 10,000 patterns the time goes to SQLite reading the
//! vectors' pages, not to arithmetic. Not approximate, and not the
//! confidence scoring that follows it (service).

use super::VectorKind;
use super::patterns::pattern;
use crate::blob;
use crate::error::{Error, Result};
use crate::store::State;
use ltmc_core::fix::normalize_file_type;
use ltmc_core::vector::dot_wide as dot;
use ltmc_core::{PatternId, Project};
use ltmc_store::validate::{self, invalid};
use ltmc_store::{PatternMatch, PatternQuery, StoreError};
use rusqlite::types::Value;
use rusqlite::{Row, params_from_iter};
use std::fmt::Write as _;

/// A pattern that passed the filters and the threshold, before it is read.
struct Candidate {
    id: i64,
    similarity: f64,
    problem_similarity: f64,
    /// What the results are ordered by first.
    rank: f64,
    confidence: f64,
    applied_count: i64,
}

pub(super) fn search(
    state: &mut State,
    project: &Project,
    query: &PatternQuery,
) -> Result<Vec<PatternMatch>> {
    // Without a recorded model nothing was ever stored.
    let Some(dimension) = state.embedding()?.map(|spec| spec.dimension) else {
        return Ok(Vec::new());
    };
    validate::check_vector(&query.content, dimension, "content")?;
    if let Some(problem) = &query.problem {
        validate::check_vector(problem, dimension, "problem")?;
    }
    for (field, value) in [
        ("min_confidence", query.min_confidence),
        ("similarity_threshold", query.similarity_threshold),
    ] {
        if !value.is_finite() {
            return Err(invalid(field, format!("is {value}; give a number")).into());
        }
    }
    if query.limit == 0 {
        return Ok(Vec::new());
    }
    let (sql, values) = candidates(project, query)?;
    let content = Norm::of(&query.content);
    let problem = query.problem.as_deref().map(Norm::of);

    let tx = state.conn.transaction()?;
    let mut found = Vec::new();
    {
        let mut stmt = tx.prepare_cached(&sql)?;
        let mut rows = stmt.query(params_from_iter(values))?;
        while let Some(row) = rows.next()? {
            let id: i64 = row.get(0)?;
            let similarity = content.cosine(&vector(row, 3, id, "content", dimension)?);
            if similarity.is_nan() || similarity <= query.similarity_threshold {
                continue;
            }
            let problem_similarity = match &problem {
                Some(problem) => problem.cosine(&vector(row, 4, id, "problem", dimension)?),
                None => 0.0,
            };
            let rank = if problem.is_some() {
                f64::midpoint(similarity, problem_similarity)
            } else {
                similarity
            };
            found.push(Candidate {
                id,
                similarity,
                problem_similarity,
                rank,
                confidence: row.get(1)?,
                applied_count: row.get(2)?,
            });
        }
    }
    found.sort_unstable_by(|a, b| {
        b.rank
            .total_cmp(&a.rank)
            .then(b.confidence.total_cmp(&a.confidence))
            .then(b.applied_count.cmp(&a.applied_count))
            .then(a.id.cmp(&b.id))
    });
    found.truncate(query.limit);
    let mut matches = Vec::with_capacity(found.len());
    for candidate in found {
        let id = PatternId(candidate.id);
        let pattern = pattern(&tx, project, id)?.ok_or_else(|| {
            Error::Store(StoreError::Corrupt(format!(
                "fix pattern {id} was found by a search of project {project} and then missing in the same snapshot"
            )))
        })?;
        // The code cosine only for the matches returned (a calibration
        // feature): one lookup each, not one per passing pattern.
        let code: Vec<u8> = tx
            .prepare_cached("SELECT vector FROM fix_pattern_vectors WHERE slot = ?1")?
            .query_row([candidate.id + VectorKind::Code.base()], |row| row.get(0))?;
        let code = blob::decode(&code, dimension).ok_or_else(|| {
            Error::Store(StoreError::Corrupt(format!(
                "fix pattern {id}'s code vector is not {dimension} floats"
            )))
        })?;
        matches.push(PatternMatch {
            pattern,
            similarity: candidate.similarity,
            problem_similarity: candidate.problem_similarity,
            code_similarity: content.cosine(&code),
        });
    }
    tx.commit()?;
    Ok(matches)
}

/// The statement streaming `id, confidence_score, applied_count, content
/// vector[, problem vector]` of the patterns passing the query's filters
/// (`fix_patterns_for_search` covers every column of `p` it reads),
/// and its values in order. Only the filters given become conditions (none
/// or empty lists are no filter), so each shape is its own cached statement.
fn candidates(project: &Project, query: &PatternQuery) -> Result<(String, Vec<Value>)> {
    // The filters first, materialized: left to itself SQLite (3.47 on) may
    // turn the EXISTS terms into joins placed inside the vector lookups,
    // reading a vector for every pattern of the project.
    let mut sql = String::from(
        "WITH passing AS MATERIALIZED (SELECT p.id, p.confidence_score, p.applied_count \
         FROM fix_patterns p WHERE p.project = ?",
    );
    let mut values = vec![Value::Text(project.as_str().to_owned())];
    if !query.include_unreviewed {
        sql.push_str(" AND p.reviewed = 1");
    }
    sql.push_str(" AND p.confidence_score >= ?");
    values.push(Value::Real(query.min_confidence));
    if let Some(layers) = query.layers.as_ref().filter(|l| !l.is_empty()) {
        sql.push_str(
            " AND EXISTS (SELECT 1 FROM json_each(p.layers) \
             WHERE value IN (SELECT value FROM json_each(?)))",
        );
        values.push(Value::Text(super::json_text("layers", layers)?));
    }
    let workflows: Vec<&str> = query
        .workflows
        .iter()
        .flatten()
        .map(|w| w.trim())
        .filter(|w| !w.is_empty())
        .collect();
    if !workflows.is_empty() {
        sql.push_str(
            " AND EXISTS (SELECT 1 FROM json_each(p.workflows) \
             WHERE value IN (SELECT value FROM json_each(?)))",
        );
        values.push(Value::Text(super::json_text("workflows", &workflows)?));
    }
    // Stored file types are normalized (`.py`): so is the query's.
    let extension = query
        .file_extension
        .as_deref()
        .map(normalize_file_type)
        .filter(|e| !e.is_empty());
    if let Some(extension) = extension {
        sql.push_str(" AND EXISTS (SELECT 1 FROM json_each(p.file_types) WHERE value = ?)");
        values.push(Value::Text(extension));
    }
    // Then each passing pattern's vectors by rowid (`VectorKind`): one
    // lookup each, in the kind's own stretch of the table.
    sql.push_str(") SELECT s.id, s.confidence_score, s.applied_count, c.vector");
    if query.problem.is_some() {
        sql.push_str(", q.vector");
    }
    sql.push_str(" FROM passing s CROSS JOIN fix_pattern_vectors c");
    if query.problem.is_some() {
        sql.push_str(" CROSS JOIN fix_pattern_vectors q");
    }
    let _ = write!(sql, " WHERE c.slot = s.id + {}", VectorKind::Content.base());
    if query.problem.is_some() {
        let _ = write!(sql, " AND q.slot = s.id + {}", VectorKind::Problem.base());
    }
    Ok((sql, values))
}

/// The vector in column `index`, of the store's dimension, else the row is
/// damaged.
fn vector(row: &Row<'_>, index: usize, id: i64, kind: &str, dimension: usize) -> Result<Vec<f32>> {
    let bytes = row
        .get_ref(index)?
        .as_blob()
        .map_err(rusqlite::Error::from)?;
    blob::decode(bytes, dimension).ok_or_else(|| {
        Error::Store(StoreError::Corrupt(format!(
            "the {kind} vector of fix pattern {id} has {} bytes, not {dimension} floats; \
             run `ltmc doctor`",
            bytes.len()
        )))
    })
}

/// A query vector with its norm, computed once (dot products summed in f64,
/// `ltmc_core::vector::dot_wide`).
struct Norm<'a> {
    vector: &'a [f32],
    norm: f64,
}

impl<'a> Norm<'a> {
    fn of(vector: &'a [f32]) -> Self {
        Self {
            vector,
            norm: dot(vector, vector).sqrt(),
        }
    }

    /// The cosine similarity with `other` (same length), in [-1, 1]; 0 when
    /// either has no length.
    fn cosine(&self, other: &[f32]) -> f64 {
        let norm = dot(other, other).sqrt();
        if self.norm == 0.0 || norm == 0.0 {
            return 0.0;
        }
        (dot(self.vector, other) / (self.norm * norm)).clamp(-1.0, 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cosine_ignores_length_and_guards_zero() {
        let a = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0];
        let scaled: Vec<f32> = a.iter().map(|x| x * 3.0).collect();
        let q = Norm::of(&a);
        assert!((q.cosine(&scaled) - 1.0).abs() < 1e-9);
        let opposite: Vec<f32> = a.iter().map(|x| -x).collect();
        assert!((q.cosine(&opposite) + 1.0).abs() < 1e-9);
        assert!(q.cosine(&[0.0; 10]).abs() < f64::EPSILON);
        assert!(Norm::of(&[0.0; 10]).cosine(&a).abs() < f64::EPSILON);
        let mut orthogonal = [0.0; 10];
        orthogonal[0] = 2.0;
        orthogonal[1] = -1.0;
        assert!(q.cosine(&orthogonal).abs() < 1e-9);
    }
}
