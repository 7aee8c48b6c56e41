//! Search modes and how hybrid ranks: by meaning (vector), by words (BM25
//! keyword), or both (hybrid, the default).
//!
//! Hybrid exists because each half misses what the other finds: an embedding
//! blurs exact identifiers and error strings, keywords miss paraphrases.
//! A hybrid hit's score is its cosine similarity plus `WORD_WEIGHT` times
//! the share of the query's content words it contains (stemmed; see
//! `ltmc_core::terms`) plus `IDENTIFIER_WEIGHT` times the share of the
//! query's identifiers it contains exactly (`fuse`). Each term's share is its
//! rarity in the project (BM25's idf from the store's counts) over the whole
//! query's: the chunk holding the one unusual name, version or error code of
//! a question gains most of the bonus, one holding its everyday words little.
//! The keyword list decides which chunks are looked at, the coverage how much
//! they gain; BM25 scores themselves are not added.
//!
//! This replaced reciprocal-rank fusion (k = 60), which is not used anywhere
//! now: RRF lets a chunk that shares one everyday word with a question jump
//! every rank of the meaning list, because adjacent ranks differ by less
//! than any keyword contribution, while coverage is bounded by how much of
//! the question a chunk holds. It ranked better on the paraphrase fixture of
//! the tool tests and on SciFact (`ltmc bench beir --whole-documents`; see
//! ARCHITECTURE.md "Choices and why"). Every mode ranks in tiers of fixed
//! candidate depth ([`Ranking`]), so the first results never depend on
//! `top_k`. Not here: how either list is computed (the store does that).

use ltmc_core::relevance::RelevanceModel;
use ltmc_core::terms::{Coverage, QueryTerms};
use ltmc_core::{Chunk, ChunkId, ScoredChunk};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

/// How `Memory::search` ranks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SearchMode {
    /// Cosine similarity of embeddings only.
    Vector,
    /// BM25 over chunk words only.
    Keyword,
    /// Both: cosine similarity plus the share of the query's words and
    /// identifiers the chunk contains (see the module docs).
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
    /// BM25 (keyword), or similarity plus weighted word and identifier
    /// coverage (hybrid).
    pub score: f32,
    /// Cosine similarity to the query, when the chunk was among the vector candidates.
    pub similarity: Option<f32>,
    /// BM25 score, when the chunk matched the keywords.
    pub keyword_score: Option<f32>,
    /// The shares of the query's words and identifiers (weighed by rarity)
    /// the chunk holds, when it matched the keywords (hybrid and keyword).
    pub coverage: Option<Coverage>,
    /// How likely the chunk is to be what the query looks for, 0 to 1,
    /// calibrated on labelled queries (`ltmc_core::relevance`); comparable
    /// across queries, unlike `score`. None when the model has no calibration.
    pub relevance: Option<f32>,
}

/// What containing every content word of the query adds to a hybrid hit's
/// cosine similarity (a chunk holding words worth half the query's rarity
/// gets half of it). Chosen on three sets at once (`ltmc bench beir
/// --whole-documents` on SciFact, swept offline from its `--samples` by
/// `scripts/bench/fusion_sweep.py`; `ltmc bench recall` on the rare-term set
/// and on the two paraphrase sets): with identifiers at 0.8, SciFact nDCG@10
/// rises with it (0.7245 at 0.3, 0.7255 at 0.35, 0.7359 at 0.6), but from
/// 0.4 up the strict paraphrase set loses a note (16/20, from 17): in a
/// store of 20 notes every word is rare, and a distractor holding the
/// question's one shared word outranks the paraphrase. 0.35 is the most that
/// keeps it.
pub const WORD_WEIGHT: f32 = 0.35;

/// The same for the query's identifier-shaped terms (`parse_config_v17`,
/// `ResourceChunks.vector_id`, `IL6`, `ORA-00942`): an exact identifier names
/// one thing, and the chunk that holds it should win even when its prose is
/// about something else (the embedding of a bare name is close to every
/// wrapper that repeats it). At 0.35 for words, the rare-term set puts the
/// right note first for 230, 232 and 233 of 240 questions at 0.6, 0.8 and
/// 1.0, and SciFact scores 0.7270, 0.7255 and 0.7213: 0.8 keeps most of both.
pub const IDENTIFIER_WEIGHT: f32 = 0.8;

pub(crate) fn from_vector(hits: Vec<ScoredChunk>) -> Vec<SearchHit> {
    hits.into_iter()
        .map(|h| SearchHit {
            score: h.score,
            similarity: Some(h.score),
            keyword_score: None,
            coverage: None,
            relevance: None,
            chunk: h.chunk,
            file_name: h.file_name,
            resource_type: h.resource_type,
        })
        .collect()
}

pub(crate) fn from_keyword(hits: Vec<ScoredChunk>, terms: &QueryTerms) -> Vec<SearchHit> {
    hits.into_iter()
        .map(|h| SearchHit {
            score: h.score,
            similarity: None,
            keyword_score: Some(h.score),
            coverage: Some(terms.coverage(&h.chunk.text)),
            relevance: None,
            chunk: h.chunk,
            file_name: h.file_name,
            resource_type: h.resource_type,
        })
        .collect()
}

/// The hybrid ranking of a vector list and a keyword list: every chunk of
/// either scores its similarity (the vector list's lowest when it was not a
/// vector candidate: it is no closer than that) plus `WORD_WEIGHT` and
/// `IDENTIFIER_WEIGHT` times its coverage of `terms` (none when it was not a
/// keyword candidate: it matched no word, or fewer than the keyword list's
/// last). Best first, ties by chunk id; every candidate of either list.
pub(crate) fn fuse(
    vector: Vec<ScoredChunk>,
    keyword: Vec<ScoredChunk>,
    terms: &QueryTerms,
) -> Vec<SearchHit> {
    let floor = vector
        .iter()
        .map(|h| h.score)
        .reduce(f32::min)
        .unwrap_or(0.0);
    let mut fused: HashMap<ChunkId, SearchHit> = HashMap::new();
    for (hits, is_vector) in [(vector, true), (keyword, false)] {
        for h in hits {
            let entry = fused.entry(h.chunk.id).or_insert_with(|| SearchHit {
                chunk: h.chunk,
                file_name: h.file_name,
                resource_type: h.resource_type,
                score: 0.0,
                similarity: None,
                keyword_score: None,
                coverage: None,
                relevance: None,
            });
            if is_vector {
                entry.similarity = Some(h.score);
            } else {
                entry.keyword_score = Some(h.score);
            }
        }
    }
    let mut hits: Vec<SearchHit> = fused.into_values().collect();
    for hit in &mut hits {
        hit.coverage = hit.keyword_score.map(|_| terms.coverage(&hit.chunk.text));
        let coverage = hit.coverage.unwrap_or_default();
        hit.score = hit.similarity.unwrap_or(floor)
            + WORD_WEIGHT * coverage.words
            + IDENTIFIER_WEIGHT * coverage.identifiers;
    }
    hits.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then(a.chunk.id.cmp(&b.chunk.id))
    });
    hits
}

/// The calibrated relevance of a ranked hit: `model`'s mapping for `mode`
/// of the number the mode ranks by (keyword: the share of the query held).
pub(crate) fn relevance(model: &RelevanceModel, mode: SearchMode, hit: &SearchHit) -> f32 {
    let (platt, x) = match mode {
        SearchMode::Hybrid => (model.hybrid, hit.score),
        SearchMode::Vector => (model.vector, hit.score),
        SearchMode::Keyword => {
            let c = hit.coverage.unwrap_or_default();
            (model.keyword, c.words + c.identifiers)
        }
    };
    platt.relevance(x)
}

/// How many candidates the first tier of a search asks the store for.
/// Forty per side is what hybrid search always took for `top_k` up to 10
/// (the tools' defaults), so their answers are unchanged.
pub const FIRST_DEPTH: usize = 40;

/// Each further tier asks for this many times the candidates of the last.
const DEPTH_GROWTH: usize = 4;

/// The candidate depths of a search's tiers, shallowest first: they do not
/// depend on `top_k`, and the last one is at least [`MAX_TOP_K`], so a search
/// that has not run out of chunks finds `top_k` results by then.
///
/// [`MAX_TOP_K`]: crate::memory::MAX_TOP_K
pub(crate) fn depths() -> impl Iterator<Item = usize> {
    std::iter::successors(Some(FIRST_DEPTH), |&depth| {
        (depth < crate::memory::MAX_TOP_K).then(|| depth * DEPTH_GROWTH)
    })
}

/// A ranking that does not depend on how many results are asked for: the
/// hits of the first tier (a search at [`FIRST_DEPTH`]) in their order, then
/// those of the next, deeper tier that are not listed yet, and so on. A search
/// computes only as many tiers as its `top_k` needs, and every tier is the
/// same call whatever `top_k` is, so the top k is always the first k of the
/// top K (k < K): asking for more never reorders the first results. This is
/// why a hybrid search's candidate depth is not derived from `top_k` (it was
/// `max(4k, 40)`, and the top 10 at `top_k` 10 and 100 then often differed),
/// and why vector and keyword searches go through it too: an approximate
/// (HNSW) index may find a different top 5 when asked for 5 than when asked
/// for 50. Scores are only comparable within a tier: a hybrid hit's floor
/// (the lowest similarity among its tier's vector candidates) is lower in a
/// deeper tier.
#[derive(Debug, Default)]
pub(crate) struct Ranking {
    hits: Vec<SearchHit>,
    listed: HashSet<ChunkId>,
}

impl Ranking {
    /// Appends a tier's hits (best first) that are not listed yet.
    pub(crate) fn extend(&mut self, tier: Vec<SearchHit>) {
        for hit in tier {
            if self.listed.insert(hit.chunk.id) {
                self.hits.push(hit);
            }
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.hits.len()
    }

    /// The first `k` hits.
    pub(crate) fn top(mut self, k: usize) -> Vec<SearchHit> {
        self.hits.truncate(k);
        self.hits
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ltmc_core::{ResourceId, VectorId};

    fn hit(id: i64, text: &str, score: f32) -> ScoredChunk {
        ScoredChunk {
            chunk: Chunk {
                id: ChunkId(id),
                resource_id: ResourceId(id),
                ordinal: 0,
                start: 0,
                end: text.len(),
                text: text.to_owned(),
                vector_id: VectorId(id),
            },
            file_name: format!("f{id}"),
            resource_type: "document".into(),
            score,
        }
    }

    fn ids(hits: &[SearchHit]) -> Vec<i64> {
        hits.iter().map(|h| h.chunk.id.0).collect()
    }

    #[test]
    fn coverage_breaks_near_ties_but_not_clear_gaps() {
        let terms = QueryTerms::new("why did the connection pool run dry");
        let vector = vec![
            hit(1, "the order page was slow", 0.46),
            hit(2, "the connection pool ran dry at peak", 0.45),
            hit(3, "logs cost money", 0.20),
        ];
        // Chunk 2 covers connection, pool and dry: 3 of the 4 content terms.
        let keyword = vec![hit(2, "the connection pool ran dry at peak", 7.0)];
        assert_eq!(ids(&fuse(vector.clone(), keyword, &terms)), [2, 1, 3]);
        // One shared everyday word cannot lift a distant chunk over a clear winner.
        let keyword = vec![hit(3, "logs cost money when the pool", 9.0)];
        let fused = fuse(vector, keyword, &terms);
        assert_eq!(ids(&fused), [1, 2, 3]);
    }

    #[test]
    fn keyword_only_chunks_start_from_the_lowest_similarity() {
        let terms = QueryTerms::new("ResourceChunks.vector_id UNIQUE constraint");
        let vector = vec![hit(1, "ids are allocated", 0.50), hit(2, "chunks", 0.40)];
        let keyword = vec![hit(
            9,
            "UNIQUE constraint failed: ResourceChunks.vector_id",
            12.0,
        )];
        let fused = fuse(vector, keyword, &terms);
        // 0.40 (the floor) + the identifier's and the words' shares beat 0.50 with none.
        assert_eq!(ids(&fused), [9, 1, 2]);
        assert_eq!(fused[0].similarity, None);
        assert_eq!(fused[0].keyword_score, Some(12.0));
        let expected = 0.40 + IDENTIFIER_WEIGHT / 3.0 + WORD_WEIGHT * 2.0 / 3.0;
        assert!((fused[0].score - expected).abs() < 1e-6, "{fused:?}");
    }

    #[test]
    fn fusion_keeps_both_scores_and_handles_empty_lists() {
        let terms = QueryTerms::new("pool");
        let fused = fuse(vec![hit(1, "pool", 0.8)], vec![hit(1, "pool", 4.5)], &terms);
        assert_eq!(fused[0].similarity, Some(0.8));
        assert_eq!(fused[0].keyword_score, Some(4.5));
        assert!((fused[0].score - (0.8 + WORD_WEIGHT)).abs() < 1e-6);
        assert!(fuse(vec![], vec![], &terms).is_empty());
        let only_keyword = fuse(
            vec![],
            vec![hit(4, "pool", 1.0), hit(5, "other", 0.5)],
            &terms,
        );
        assert_eq!(ids(&only_keyword), [4, 5]);
        // Equal scores tie-break by chunk id.
        let tied = fuse(vec![hit(8, "a", 0.5), hit(7, "b", 0.5)], vec![], &terms);
        assert_eq!(ids(&tied), [7, 8]);
    }

    #[test]
    fn tiers_do_not_depend_on_top_k_and_reach_the_largest() {
        let depths: Vec<usize> = depths().collect();
        assert_eq!(depths[0], FIRST_DEPTH);
        assert!(depths.windows(2).all(|w| w[0] < w[1]));
        assert!(*depths.last().unwrap() >= crate::memory::MAX_TOP_K);
        assert!(depths[depths.len() - 2] < crate::memory::MAX_TOP_K);
    }

    #[test]
    fn a_ranking_lists_each_chunk_once_in_tier_order() {
        let mut ranking = Ranking::default();
        ranking.extend(from_vector(vec![hit(3, "c", 0.9), hit(1, "a", 0.5)]));
        // The deeper tier finds 2 above 1; 1 keeps its place from the first tier.
        ranking.extend(from_vector(vec![
            hit(3, "c", 0.9),
            hit(2, "b", 0.7),
            hit(1, "a", 0.5),
            hit(4, "d", 0.1),
        ]));
        assert_eq!(ranking.len(), 4);
        assert_eq!(ids(&ranking.top(3)), [3, 1, 2]);
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
