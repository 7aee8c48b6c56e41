//! Search modes and rank fusion: by meaning (vector), by words (BM25
//! keyword), or both fused with reciprocal-rank fusion (hybrid, the default).
//!
//! Hybrid exists because each half misses what the other finds: an embedding
//! blurs exact identifiers and error strings, keywords miss paraphrases. RRF
//! needs no score calibration between the two lists, only their ranks. Not
//! here: how either list is computed (the store does that).

use ltmc_core::{Chunk, ChunkId, ScoredChunk};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// How `Memory::search` ranks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SearchMode {
    /// Cosine similarity of embeddings only.
    Vector,
    /// BM25 over chunk words only.
    Keyword,
    /// Both, fused by reciprocal rank.
    #[default]
    Hybrid,
}

impl std::str::FromStr for SearchMode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "vector" => Ok(Self::Vector),
            "keyword" => Ok(Self::Keyword),
            "hybrid" => Ok(Self::Hybrid),
            other => Err(format!(
                "unknown search mode {other:?}; use vector, keyword or hybrid"
            )),
        }
    }
}

/// One search result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchHit {
    pub chunk: Chunk,
    pub file_name: String,
    pub resource_type: String,
    /// The mode's ranking score, higher is better: cosine similarity (vector),
    /// BM25 (keyword) or the reciprocal-rank-fusion sum (hybrid).
    pub score: f32,
    /// Cosine similarity to the query, when the chunk was among the vector candidates.
    pub similarity: Option<f32>,
    /// BM25 score, when the chunk matched the keywords.
    pub keyword_score: Option<f32>,
}

/// The constant of reciprocal-rank fusion (Cormack et al. 2009): damps the
/// weight of the very first ranks so one list cannot dominate.
pub const RRF_K: f32 = 60.0;

pub(crate) fn from_vector(hits: Vec<ScoredChunk>) -> Vec<SearchHit> {
    hits.into_iter()
        .map(|h| SearchHit {
            score: h.score,
            similarity: Some(h.score),
            keyword_score: None,
            chunk: h.chunk,
            file_name: h.file_name,
            resource_type: h.resource_type,
        })
        .collect()
}

pub(crate) fn from_keyword(hits: Vec<ScoredChunk>) -> Vec<SearchHit> {
    hits.into_iter()
        .map(|h| SearchHit {
            score: h.score,
            similarity: None,
            keyword_score: Some(h.score),
            chunk: h.chunk,
            file_name: h.file_name,
            resource_type: h.resource_type,
        })
        .collect()
}

/// Reciprocal-rank fusion of two ranked lists: each chunk scores
/// `sum(1 / (RRF_K + rank))` over the lists it appears in (rank from 1).
/// Best first, ties by chunk id; at most `k` results.
pub(crate) fn fuse(
    vector: Vec<ScoredChunk>,
    keyword: Vec<ScoredChunk>,
    k: usize,
) -> Vec<SearchHit> {
    let mut fused: HashMap<ChunkId, SearchHit> = HashMap::new();
    let mut add = |hits: Vec<ScoredChunk>, is_vector: bool| {
        for (rank, h) in hits.into_iter().enumerate() {
            let contribution = 1.0 / (RRF_K + rank as f32 + 1.0);
            let entry = fused.entry(h.chunk.id).or_insert_with(|| SearchHit {
                chunk: h.chunk,
                file_name: h.file_name,
                resource_type: h.resource_type,
                score: 0.0,
                similarity: None,
                keyword_score: None,
            });
            entry.score += contribution;
            if is_vector {
                entry.similarity = Some(h.score);
            } else {
                entry.keyword_score = Some(h.score);
            }
        }
    };
    add(vector, true);
    add(keyword, false);
    let mut hits: Vec<SearchHit> = fused.into_values().collect();
    hits.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then(a.chunk.id.cmp(&b.chunk.id))
    });
    hits.truncate(k);
    hits
}

#[cfg(test)]
mod tests {
    use super::*;
    use ltmc_core::{ResourceId, VectorId};

    fn hit(id: i64, score: f32) -> ScoredChunk {
        ScoredChunk {
            chunk: Chunk {
                id: ChunkId(id),
                resource_id: ResourceId(id),
                ordinal: 0,
                start: 0,
                end: 1,
                text: format!("chunk {id}"),
                vector_id: VectorId(id),
            },
            file_name: format!("f{id}"),
            resource_type: "document".into(),
            score,
        }
    }

    fn check(vector: &[i64], keyword: &[i64], k: usize, expected: &[i64]) {
        let v = vector.iter().map(|&id| hit(id, 0.5)).collect();
        let kw = keyword.iter().map(|&id| hit(id, 3.0)).collect();
        let got: Vec<i64> = fuse(v, kw, k).iter().map(|h| h.chunk.id.0).collect();
        assert_eq!(got, expected, "vector {vector:?} keyword {keyword:?}");
    }

    #[test]
    fn fusion_order() {
        // In both lists beats first in one; equal sums tie-break by chunk id.
        check(&[1, 2, 3], &[3, 4], 4, &[3, 1, 2, 4]);
        check(&[1, 2], &[2, 1], 2, &[1, 2]);
        check(&[], &[7, 8], 5, &[7, 8]);
        check(&[5, 6], &[], 1, &[5]);
        check(&[], &[], 3, &[]);
        // Same rank in different lists ties; chunk id breaks it.
        check(&[9], &[4], 2, &[4, 9]);
    }

    #[test]
    fn fusion_keeps_both_scores() {
        let fused = fuse(vec![hit(1, 0.8)], vec![hit(1, 4.5)], 1);
        assert_eq!(fused[0].similarity, Some(0.8));
        assert_eq!(fused[0].keyword_score, Some(4.5));
        assert!((fused[0].score - 2.0 / 61.0).abs() < 1e-6);
    }

    #[test]
    fn modes_parse() {
        assert_eq!("hybrid".parse::<SearchMode>(), Ok(SearchMode::Hybrid));
        assert_eq!("vector".parse::<SearchMode>(), Ok(SearchMode::Vector));
        assert!(
            "fuzzy"
                .parse::<SearchMode>()
                .unwrap_err()
                .contains("vector, keyword or hybrid")
        );
    }
}
