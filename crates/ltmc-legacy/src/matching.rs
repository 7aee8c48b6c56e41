//! Matching legacy vectors to chunks by meaning: which vector of the legacy
//! index is each chunk's own, judged by comparing the chunk's text embedded
//! again (by the caller, with the same model) with every legacy vector.
//!
//! Legacy vector ids and positions are never trusted. First the vector a
//! chunk's id points at is taken when it is the chunk's own beyond doubt
//! ([`SAME_COSINE`]); the rest are assigned best pair first over all
//! unclaimed vectors. Near-duplicate texts (the same sentence in two
//! documents) are within [`MATCH_COSINE`] of each other's vectors, so taking
//! chunks in table order would let one claim its twin's vector and leave the
//! twin without; sorting the candidate pairs by cosine gives each vector to
//! the chunk it fits best.
//!
//! The all-pairs comparison is a matrix product (candle's CPU matmul, blocked
//! by chunks): 50,000 chunks against 50,000 vectors is 10^12 multiply-adds,
//! minutes in a scalar loop and seconds in a tuned GEMM. Not here: embedding
//! (the caller hands in the fresh vectors) and anything about ltmc's store.

use crate::{LegacyError, LegacyIndex};
use candle_core::{Device, Tensor};
use std::collections::HashMap;

/// Cosine at or above which a legacy vector is the chunk's own.
pub const MATCH_COSINE: f32 = 0.99;
/// Cosine at or above which the vector a chunk's id points at is taken
/// without comparing it with the others (the same text through the same
/// model; near-duplicate texts stay below it).
pub const SAME_COSINE: f32 = 0.9999;
/// Candidate vectors kept per chunk for the best-pair-first assignment.
const CANDIDATES: usize = 8;
/// Fresh vectors per matrix product: a block's scores are
/// `BLOCK x legacy vectors` floats (50 MiB for 50,000 vectors).
const BLOCK: usize = 256;

/// What matching found, per chunk and in total.
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Serialize)]
pub struct VectorReport {
    pub legacy_vectors: u64,
    pub dimension: usize,
    /// Chunks whose re-embedded text matched a legacy vector.
    pub matched: u64,
    /// ... of them, matched by a vector their legacy id did not point at.
    pub matched_elsewhere: u64,
    /// Chunks with a legacy vector at their id that is not their text's.
    pub differed: u64,
    /// Chunks with no legacy vector at all.
    pub no_vector: u64,
    /// Legacy vectors that matched no chunk's text (deleted chunks, and the
    /// stale vectors of chunks that differed).
    pub vectors_without_chunk: u64,
    /// Chunks compared (every chunk whose fresh vector has the index's
    /// dimension).
    pub compared: u64,
}

/// The result: for each chunk, the position of its legacy vector, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matching {
    pub positions: Vec<Option<usize>>,
    pub report: VectorReport,
}

/// A vector scaled to unit length (a zero vector stays zero); and the dot
/// product (the cosine of two unit vectors). Re-exported from
/// `ltmc_core::vector` for the migration's callers.
pub use ltmc_core::vector::{dot, normalised as unit};

/// Matches chunk `i` (legacy vector id `vector_ids[i]`, fresh embedding
/// `fresh[i]`) to the legacy vectors, one vector per chunk at most. A fresh
/// vector of another dimension than the index's is not compared (the chunk
/// counts as without vector).
pub fn match_vectors(
    vector_ids: &[Option<i64>],
    fresh: &[Vec<f32>],
    index: &LegacyIndex,
) -> Result<Matching, LegacyError> {
    assert_eq!(vector_ids.len(), fresh.len(), "one fresh vector per chunk");
    let dim = index.dimension;
    let mut report = VectorReport {
        legacy_vectors: index.len() as u64,
        dimension: dim,
        ..VectorReport::default()
    };
    let legacy: Vec<f32> = (0..index.len())
        .flat_map(|p| unit(index.vector(p)))
        .collect();
    let row = |p: usize| &legacy[p * dim..(p + 1) * dim];
    let mut by_id: HashMap<i64, Vec<usize>> = HashMap::new();
    for (p, id) in index.ids.iter().enumerate() {
        by_id.entry(*id).or_default().push(p);
    }
    let fresh: Vec<Option<Vec<f32>>> = fresh
        .iter()
        .map(|v| (v.len() == dim && dim > 0).then(|| unit(v)))
        .collect();
    report.compared = fresh.iter().filter(|v| v.is_some()).count() as u64;
    let mut claimed = vec![false; index.len()];
    let mut state: Vec<Option<usize>> = vec![None; fresh.len()];

    // First the vector each chunk's id points at, when it is surely its own.
    for (i, v) in fresh.iter().enumerate() {
        let (Some(v), Some(slots)) = (v, vector_ids[i].and_then(|id| by_id.get(&id))) else {
            continue;
        };
        let best = slots
            .iter()
            .filter(|&&p| !claimed[p])
            .map(|&p| (p, dot(v, row(p))))
            .max_by(|a, b| a.1.total_cmp(&b.1));
        if let Some((p, cos)) = best
            && cos >= SAME_COSINE
        {
            claimed[p] = true;
            state[i] = Some(p);
        }
    }

    // Then the best pairs first among the rest.
    let rest: Vec<usize> = (0..fresh.len())
        .filter(|&i| state[i].is_none() && fresh[i].is_some())
        .collect();
    let products = Scorer::new(&legacy, index.len(), dim)?;
    let mut pairs: Vec<(f32, usize, usize)> = Vec::new();
    let mut candidates = vec![0usize; fresh.len()];
    for block in rest.chunks(BLOCK) {
        let rows: Vec<&[f32]> = block.iter().filter_map(|&i| fresh[i].as_deref()).collect();
        let scores = products.scores(&rows)?;
        for (k, &i) in block.iter().enumerate() {
            let mut best: Vec<(f32, usize, usize)> = scores[k * index.len()..(k + 1) * index.len()]
                .iter()
                .enumerate()
                .filter(|&(p, &cos)| cos >= MATCH_COSINE && !claimed[p])
                .map(|(p, &cos)| (cos, i, p))
                .collect();
            best.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.2.cmp(&b.2)));
            best.truncate(CANDIDATES);
            candidates[i] = best.len();
            pairs.extend(best);
        }
    }
    pairs.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    for &(_, i, p) in &pairs {
        if state[i].is_none() && !claimed[p] {
            claimed[p] = true;
            state[i] = Some(p);
        }
    }
    // A chunk whose (truncated) candidates all went to others may still fit
    // a vector further down its list: look again, over all unclaimed ones.
    let starved: Vec<usize> = rest
        .iter()
        .copied()
        .filter(|&i| state[i].is_none() && candidates[i] == CANDIDATES)
        .collect();
    for i in starved {
        let v = fresh[i].as_deref().unwrap_or_default();
        let best = (0..index.len())
            .filter(|&p| !claimed[p])
            .map(|p| (p, dot(v, row(p))))
            .max_by(|a, b| a.1.total_cmp(&b.1));
        if let Some((p, cos)) = best
            && cos >= MATCH_COSINE
        {
            claimed[p] = true;
            state[i] = Some(p);
        }
    }

    for (i, id) in vector_ids.iter().enumerate() {
        match state[i] {
            Some(p) => {
                report.matched += 1;
                if *id != Some(index.ids[p]) {
                    report.matched_elsewhere += 1;
                }
            }
            None if id.is_some_and(|id| by_id.contains_key(&id)) => report.differed += 1,
            None => report.no_vector += 1,
        }
    }
    report.vectors_without_chunk = claimed.iter().filter(|c| !**c).count() as u64;
    Ok(Matching {
        positions: state,
        report,
    })
}

/// Cosines of unit rows against every (unit) legacy vector, by matrix product.
struct Scorer {
    /// `dim x legacy vectors`, contiguous.
    legacy_t: Option<Tensor>,
    dim: usize,
}

impl Scorer {
    fn new(legacy: &[f32], count: usize, dim: usize) -> Result<Self, LegacyError> {
        if count == 0 || dim == 0 {
            return Ok(Self {
                legacy_t: None,
                dim,
            });
        }
        let t = Tensor::from_slice(legacy, (count, dim), &Device::Cpu)
            .and_then(|t| t.t()?.contiguous())
            .map_err(compute)?;
        Ok(Self {
            legacy_t: Some(t),
            dim,
        })
    }

    /// `rows.len() x legacy vectors` cosines, row-major.
    fn scores(&self, rows: &[&[f32]]) -> Result<Vec<f32>, LegacyError> {
        let Some(legacy_t) = &self.legacy_t else {
            return Ok(Vec::new());
        };
        let flat: Vec<f32> = rows.iter().flat_map(|r| r.iter().copied()).collect();
        Tensor::from_vec(flat, (rows.len(), self.dim), &Device::Cpu)
            .and_then(|q| q.matmul(legacy_t))
            .and_then(|s| s.flatten_all()?.to_vec1::<f32>())
            .map_err(compute)
    }
}

#[allow(clippy::needless_pass_by_value)] // the shape map_err hands over
fn compute(e: candle_core::Error) -> LegacyError {
    LegacyError::Matching(e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::IndexFormat;

    /// Unit vector along axis `a`, nudged towards axis `b` by `t`.
    fn v(a: usize, b: usize, t: f32) -> Vec<f32> {
        let mut x = vec![0.0; 8];
        x[a] = 1.0;
        x[b] += t;
        unit(&x)
    }

    fn index(rows: &[Vec<f32>], ids: &[i64]) -> LegacyIndex {
        LegacyIndex {
            format: IndexFormat::FaissIdMap,
            dimension: 8,
            vectors: rows.iter().flatten().copied().collect(),
            ids: ids.to_vec(),
        }
    }

    #[test]
    fn ids_are_not_trusted_and_every_case_is_counted() {
        // Chunk 0: its id points at its own vector. Chunk 1: its id points at
        // chunk 2's vector; its own sits elsewhere. Chunk 2: id unknown, own
        // vector exists. Chunk 3: id points at an unrelated vector (differed).
        // Chunk 4: no id, no vector. One vector belongs to no chunk.
        let rows = vec![
            v(0, 1, 0.0),
            v(2, 3, 0.0),
            v(1, 2, 0.0),
            v(3, 4, 0.0),
            v(5, 6, 0.0),
        ];
        let idx = index(&rows, &[10, 11, 12, 13, 14]);
        let fresh = vec![
            v(0, 1, 0.0),
            v(1, 2, 0.0),
            v(2, 3, 0.0),
            v(6, 7, 0.0),
            v(7, 0, 0.0),
        ];
        let ids = [Some(10), Some(11), Some(999), Some(13), None];
        let m = match_vectors(&ids, &fresh, &idx).unwrap();
        assert_eq!(m.positions, vec![Some(0), Some(2), Some(1), None, None]);
        let r = m.report;
        assert_eq!(
            (r.matched, r.matched_elsewhere, r.differed, r.no_vector),
            (3, 2, 1, 1)
        );
        assert_eq!(r.vectors_without_chunk, 2);
        assert_eq!(r.compared, 5);
    }

    #[test]
    fn near_duplicate_twins_each_get_their_own_vector() {
        // Two chunks within MATCH_COSINE of both vectors: table order would
        // give chunk 0 the vector that fits chunk 1 best.
        let a = v(0, 1, 0.05);
        let b = v(0, 1, 0.08);
        let idx = index(&[b.clone(), a.clone()], &[0, 1]);
        let m = match_vectors(&[None, None], &[b, a], &idx).unwrap();
        assert_eq!(m.positions, vec![Some(0), Some(1)]);
    }

    #[test]
    fn wrong_dimensions_and_empty_indexes_are_not_errors() {
        let idx = index(&[v(0, 1, 0.0)], &[0]);
        let m = match_vectors(&[Some(0)], &[vec![1.0; 3]], &idx).unwrap();
        assert_eq!(m.positions, vec![None]);
        assert_eq!((m.report.no_vector, m.report.compared), (0, 0));
        assert_eq!(m.report.differed, 1);
        let empty = index(&[], &[]);
        let m = match_vectors(&[Some(0)], &[v(0, 1, 0.0)], &empty).unwrap();
        assert_eq!((m.report.no_vector, m.report.vectors_without_chunk), (1, 0));
    }

    #[test]
    fn more_chunks_than_one_block_keep_their_matches() {
        // 600 distinct directions in 8 dimensions are too close: use a wider space.
        let dim = 64;
        let rows: Vec<Vec<f32>> = (0..600)
            .map(|i| {
                let mut x = vec![0.0; dim];
                x[i % dim] = 1.0;
                x[(i / dim + 1) % dim] += 0.5 + (i as f32) * 1e-3;
                unit(&x)
            })
            .collect();
        let idx = LegacyIndex {
            format: IndexFormat::FaissFlatL2,
            dimension: dim,
            vectors: rows.iter().rev().flatten().copied().collect(),
            ids: (0..600).collect(),
        };
        let ids: Vec<Option<i64>> = (0..600).map(|i| Some(i * 7919 + 1_000_000)).collect();
        let m = match_vectors(&ids, &rows, &idx).unwrap();
        assert_eq!(m.report.matched, 600);
        for (i, p) in m.positions.iter().enumerate() {
            assert_eq!(*p, Some(599 - i), "chunk {i}");
        }
    }
}
