//! Approximate cosine search: an HNSW graph (usearch) keyed by vector id.
//!
//! Vectors are normalised on insert and compared by inner product, so a score
//! is the cosine similarity, as in [`crate::ExactIndex`]. The filter runs
//! inside the graph walk (usearch's filtered search), not after it. This type
//! does not promise `k` results under a very selective filter: the graph walk
//! can run out of candidates; the caller (the store's project index) knows how
//! many vectors pass its filter and falls back to an exact scan when fewer than
//! asked come back. Not persistent by itself: [`HnswIndex::to_bytes`] and
//! [`HnswIndex::from_bytes`] hand the graph to whoever writes the file.

use crate::exact::{Hit, IndexError, check_vector};
use ltmc_core::vector::{dot, normalised};
use usearch::{Index, IndexOptions, MetricKind, ScalarKind};

/// The graph's build and search parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HnswParams {
    /// Edges per node (HNSW's M). More edges: better recall, more memory.
    pub connectivity: usize,
    /// Candidate list length while inserting (efConstruction).
    pub expansion_add: usize,
    /// Candidate list length while searching (efSearch); raised to `k` when
    /// a search asks for more.
    pub expansion_search: usize,
}

impl Default for HnswParams {
    /// Measured by `ltmc bench ann` on 384-dimensional vectors: recall@10
    /// above 0.98 at one million vectors.
    fn default() -> Self {
        Self {
            connectivity: 16,
            expansion_add: 128,
            expansion_search: 160,
        }
    }
}

/// The fewest candidates a search takes from the graph walk and scores
/// again exactly (when asked for fewer than this): near-tied neighbours sit
/// close together in the walk's list, and scoring a few dozen stored vectors
/// costs microseconds.
pub const RERANK_POOL: usize = 32;

/// An HNSW index over unit vectors. Ids are the store's vector ids.
pub struct HnswIndex {
    index: Index,
    dimension: usize,
    params: HnswParams,
}

impl std::fmt::Debug for HnswIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HnswIndex")
            .field("dimension", &self.dimension)
            .field("len", &self.len())
            .field("params", &self.params)
            .finish_non_exhaustive()
    }
}

/// `base` scaled by sqrt(len / 100,000) when above 1, capped at 1024.
fn expansion_for(base: usize, len: usize) -> usize {
    if len <= 100_000 {
        return base;
    }
    // (len / 100k)^0.75: 1.7x at 200k, 5.6x at 1M. Square-root growth (505
    // at 1M) measured recall@10 0.978-0.983 at 1M; this gives about 900.
    let scale = (len as f64 / 100_000.0).powf(0.75);
    #[allow(clippy::cast_possible_truncation)] // clamped to [base, 1024] right below
    let grown = (base as f64 * scale).round() as usize;
    grown.clamp(base, base.max(1024))
}

/// usearch keys are u64; ltmc's vector ids are positive i64. The cast is a
/// bijection on the bits, so any i64 round-trips.
fn key(id: i64) -> u64 {
    id as u64
}

fn id(key: u64) -> i64 {
    key as i64
}

fn backend(err: &impl std::fmt::Display) -> IndexError {
    IndexError::Backend(err.to_string())
}

impl HnswIndex {
    pub fn new(dimension: usize, params: HnswParams) -> Result<Self, IndexError> {
        let options = IndexOptions {
            dimensions: dimension,
            // Inner product on vectors normalised here: cosine without a
            // norm per comparison.
            metric: MetricKind::IP,
            quantization: ScalarKind::F32,
            connectivity: params.connectivity,
            expansion_add: params.expansion_add,
            expansion_search: params.expansion_search,
            multi: false,
        };
        let index = Index::new(&options).map_err(|err| backend(&err))?;
        Ok(Self {
            index,
            dimension,
            params,
        })
    }

    pub fn dimension(&self) -> usize {
        self.dimension
    }

    pub fn params(&self) -> HnswParams {
        self.params
    }

    pub fn len(&self) -> usize {
        self.index.size()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn contains(&self, id: i64) -> bool {
        self.index.contains(key(id))
    }

    /// Bytes the graph and its vectors take in memory.
    pub fn memory_bytes(&self) -> usize {
        self.index.memory_usage()
    }

    /// Makes room for `additional` more vectors. Growth is geometric so a
    /// run of single inserts does not reallocate each time.
    fn reserve_for(&self, additional: usize) -> Result<(), IndexError> {
        let needed = self.len() + additional;
        let capacity = self.index.capacity();
        if needed > capacity {
            let grown = needed.max(capacity.saturating_mul(2)).max(1024);
            self.index.reserve(grown).map_err(|err| backend(&err))?;
        }
        Ok(())
    }

    /// Inserts or replaces the vector stored under `id`.
    pub fn insert(&mut self, id: i64, vector: &[f32]) -> Result<(), IndexError> {
        check_vector(vector, self.dimension)?;
        let unit = normalised(vector);
        self.remove(id);
        self.reserve_for(1)?;
        self.index.add(key(id), &unit).map_err(|err| backend(&err))
    }

    /// Inserts many vectors: how a large index is built. Every vector is
    /// checked before any is inserted; ids already present are replaced.
    ///
    /// One thread, on purpose: usearch's concurrent insertion (2.26.6, two
    /// threads, small graphs) left nodes that no search reaches, even with
    /// `k` above the index size, and an unreachable vector is a chunk that
    /// can never be found. See ARCHITECTURE.md.
    pub fn insert_many(&mut self, items: &[(i64, &[f32])]) -> Result<(), IndexError> {
        for (_, vector) in items {
            check_vector(vector, self.dimension)?;
        }
        for (id, _) in items {
            self.remove(*id);
        }
        self.reserve_for(items.len())?;
        for (id, vector) in items {
            self.index
                .add(key(*id), &normalised(vector))
                .map_err(|err| backend(&err))?;
        }
        Ok(())
    }

    /// Removes `id`; returns whether it was there.
    pub fn remove(&mut self, id: i64) -> bool {
        self.contains(id) && self.index.remove(key(id)).is_ok_and(|removed| removed > 0)
    }

    /// The stored (unit-length) vector of `id`.
    pub fn vector(&self, id: i64) -> Option<Vec<f32>> {
        if !self.contains(id) {
            return None;
        }
        let mut buffer = vec![0.0; self.dimension];
        match self.index.get(key(id), &mut buffer) {
            Ok(found) if found > 0 => Some(buffer),
            _ => None,
        }
    }

    /// Up to `k` approximate nearest vectors that pass `keep`, best first,
    /// ties broken by id. `expansion` is the candidate list length for this
    /// search (0: the configured one; never below `k`); the caller raises it
    /// when a selective filter comes back short.
    ///
    /// The walk collects at least [`RERANK_POOL`] candidates, and each is
    /// scored again exactly, with the same arithmetic as
    /// [`crate::ExactIndex`], from its stored vector, before the best `k`
    /// are kept. On near-ties (many short, similar notes: agent memories)
    /// the walk's own order misses exact search's first hit more often; see
    /// `examples/near_tie.rs` and BENCHMARKS.md for the figures.
    pub fn search(
        &mut self,
        query: &[f32],
        k: usize,
        expansion: usize,
        keep: &dyn Fn(i64) -> bool,
    ) -> Result<Vec<Hit>, IndexError> {
        let pool = k.max(RERANK_POOL);
        let candidates = self.search_graph_order(query, pool, expansion, keep)?;
        if candidates.len() <= 1 {
            return Ok(candidates);
        }
        let ids: Vec<i64> = candidates.iter().map(|h| h.id).collect();
        self.exact_among(query, k, &ids)
    }

    /// [`HnswIndex::search`] without the exact re-scoring: the graph walk's
    /// own candidates, order and scores (usearch's distances). For
    /// measurements (`examples/near_tie.rs`) and callers that re-rank
    /// themselves.
    pub fn search_graph_order(
        &mut self,
        query: &[f32],
        k: usize,
        expansion: usize,
        keep: &dyn Fn(i64) -> bool,
    ) -> Result<Vec<Hit>, IndexError> {
        check_vector(query, self.dimension)?;
        if k == 0 || self.is_empty() {
            return Ok(Vec::new());
        }
        let wanted = if expansion == 0 {
            self.default_expansion()
        } else {
            expansion
        }
        .max(k);
        if self.index.expansion_search() != wanted {
            self.index.change_expansion_search(wanted);
        }
        let unit = normalised(query);
        let matches = self
            .index
            .filtered_search(&unit, k, |found| keep(id(found)))
            .map_err(|err| backend(&err))?;
        let mut hits: Vec<Hit> = matches
            .keys
            .iter()
            .zip(&matches.distances)
            .map(|(found, distance)| Hit {
                id: id(*found),
                // usearch's inner-product distance is 1 - dot.
                score: 1.0 - distance,
            })
            .collect();
        hits.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.id.cmp(&b.id)));
        Ok(hits)
    }

    /// The candidate list a search uses unless told otherwise: the
    /// configured one up to 100,000 vectors, growing as (size / 100k)^0.75
    /// above that (capped at 1024). Measured by `ann_bench`: with 160,
    /// recall@10 is 0.998-1.000 at 100k but 0.90-0.94 at 1M; at 1M, ef 768
    /// gives 0.989 on embedding-like (rank-32) clusters and 0.979 on
    /// isotropic ones, for about 2.6 ms against 208 ms exact.
    pub fn default_expansion(&self) -> usize {
        expansion_for(self.params.expansion_search, self.len())
    }

    /// The exact best `k` among `ids` (brute force over their stored
    /// vectors): the answer when a filter passes too few vectors for the
    /// graph walk to meet them.
    pub fn exact_among(
        &self,
        query: &[f32],
        k: usize,
        ids: &[i64],
    ) -> Result<Vec<Hit>, IndexError> {
        check_vector(query, self.dimension)?;
        let unit = normalised(query);
        let mut buffer = vec![0.0; self.dimension];
        let mut hits = Vec::with_capacity(ids.len());
        for &candidate in ids {
            if matches!(self.index.get(key(candidate), &mut buffer), Ok(found) if found > 0) {
                hits.push(Hit {
                    id: candidate,
                    score: dot(&unit, &buffer),
                });
            }
        }
        hits.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.id.cmp(&b.id)));
        hits.truncate(k);
        Ok(hits)
    }

    /// The graph in usearch's own serialised form.
    pub fn to_bytes(&self) -> Result<Vec<u8>, IndexError> {
        let mut buffer = vec![0u8; self.index.serialized_length()];
        self.index
            .save_to_buffer(&mut buffer)
            .map_err(|err| backend(&err))?;
        Ok(buffer)
    }

    /// Reads back what [`HnswIndex::to_bytes`] wrote. Fails (never panics) on
    /// bytes that are not such a graph or hold another dimension.
    pub fn from_bytes(
        bytes: &[u8],
        dimension: usize,
        params: HnswParams,
    ) -> Result<Self, IndexError> {
        let metadata = Index::metadata_from_buffer(bytes)
            .map_err(|err| IndexError::Corrupt(err.to_string()))?;
        if metadata.dimensions != dimension as u64 {
            return Err(IndexError::WrongDimension {
                expected: dimension,
                got: usize::try_from(metadata.dimensions).unwrap_or(usize::MAX),
            });
        }
        let this = Self::new(dimension, params)?;
        this.index
            .load_from_buffer(bytes)
            .map_err(|err| IndexError::Corrupt(err.to_string()))?;
        Ok(this)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ExactIndex;

    fn params() -> HnswParams {
        HnswParams::default()
    }

    /// Deterministic random vectors (not unit: the index normalises).
    fn vectors(n: usize, dimension: usize, seed: u64) -> Vec<Vec<f32>> {
        let mut random = crate::synthetic::Random::new(seed);
        (0..n)
            .map(|_| (0..dimension).map(|_| random.normal()).collect())
            .collect()
    }

    #[test]
    fn finds_what_exact_search_finds_on_a_small_set() {
        let data = vectors(2000, 32, 7);
        let mut hnsw = HnswIndex::new(32, params()).unwrap();
        let mut exact = ExactIndex::new(32);
        let items: Vec<(i64, &[f32])> = data
            .iter()
            .enumerate()
            .map(|(i, v)| (i as i64 + 1, v.as_slice()))
            .collect();
        hnsw.insert_many(&items).unwrap();
        for (id, v) in &items {
            exact.insert(*id, v).unwrap();
        }
        assert_eq!(hnsw.len(), 2000);
        let mut agree = 0;
        let queries = vectors(50, 32, 99);
        for q in &queries {
            let a = hnsw.search(q, 10, 0, &|_| true).unwrap();
            let e = exact.search(q, 10, &|_| true).unwrap();
            assert_eq!(a.len(), 10);
            agree += a.iter().filter(|h| e.iter().any(|x| x.id == h.id)).count();
            let best = &e[0];
            let found = a.iter().find(|h| h.id == best.id).map(|h| h.score);
            if let Some(score) = found {
                assert!(
                    (score - best.score).abs() < 1e-4,
                    "{score} vs {}",
                    best.score
                );
            }
        }
        let recall = agree as f64 / 500.0;
        assert!(recall > 0.95, "recall {recall}");
    }

    /// Every stored vector is found by itself after batches of inserts,
    /// removals and round trips through bytes: no unreachable node.
    #[test]
    fn every_vector_stays_reachable() {
        let data = vectors(800, 64, 9);
        let mut index = HnswIndex::new(64, params()).unwrap();
        let mut live = std::collections::BTreeSet::new();
        let mut misses = Vec::new();
        for round in 0..60 {
            let items: Vec<(i64, &[f32])> = (round * 12..round * 12 + 12)
                .map(|i| (i as i64 + 1, data[i].as_slice()))
                .collect();
            if round % 2 == 0 {
                index = HnswIndex::from_bytes(&index.to_bytes().unwrap(), 64, params()).unwrap();
            }
            index.insert_many(&items).unwrap();
            live.extend(items.iter().map(|(id, _)| *id));
            if round % 3 == 2 {
                let victim = *live.iter().nth(round * 7 % live.len()).unwrap();
                assert!(index.remove(victim));
                live.remove(&victim);
            }
            for id in &live {
                let hits = index
                    .search(&data[usize::try_from(*id - 1).unwrap()], 3, 0, &|_| true)
                    .unwrap();
                if !hits.iter().any(|h| h.id == *id) {
                    misses.push((round, *id));
                }
            }
        }
        assert!(misses.is_empty(), "{misses:?}");
    }

    /// Near-ties (clusters of near-duplicates, the shape of many short
    /// similar notes): every search ranks exactly as exact search does, ids
    /// and scores alike, because the candidates are scored again from the
    /// stored vectors. The walk's own scores differ from exact ones in the
    /// last bits, enough to swap near-tied neighbours.
    #[test]
    fn near_ties_rank_as_exact_search_ranks_them() {
        let dimension = 48;
        let mut random = crate::synthetic::Random::new(21);
        let bases = vectors(150, dimension, 5);
        let mut data = Vec::new();
        for base in &bases {
            for _ in 0..12 {
                data.push(
                    base.iter()
                        .map(|x| x + 0.01 * random.normal())
                        .collect::<Vec<f32>>(),
                );
            }
        }
        let items: Vec<(i64, &[f32])> = data
            .iter()
            .enumerate()
            .map(|(i, v)| (i as i64 + 1, v.as_slice()))
            .collect();
        let mut hnsw = HnswIndex::new(dimension, params()).unwrap();
        hnsw.insert_many(&items).unwrap();
        let mut exact = ExactIndex::new(dimension);
        for (id, v) in &items {
            exact.insert(*id, v).unwrap();
        }
        let fresh: Vec<Vec<f32>> = bases
            .iter()
            .map(|b| b.iter().map(|x| x + 0.01 * random.normal()).collect())
            .collect();
        let mut walk_order_differs = 0;
        for query in data.iter().chain(&fresh) {
            for k in [1, 5] {
                let expected = exact.search(query, k, &|_| true).unwrap();
                assert_eq!(hnsw.search(query, k, 0, &|_| true).unwrap(), expected);
                let walk = hnsw.search_graph_order(query, k, 0, &|_| true).unwrap();
                walk_order_differs += usize::from(walk != expected);
            }
        }
        // What the re-scoring fixes: the walk's own answer is not exact's.
        assert!(walk_order_differs > 0);
    }

    #[test]
    fn removes_updates_and_filters() {
        let mut index = HnswIndex::new(2, params()).unwrap();
        index.insert(1, &[1.0, 0.0]).unwrap();
        index.insert(2, &[0.0, 1.0]).unwrap();
        index.insert(3, &[0.7, 0.7]).unwrap();
        let ids = |hits: Vec<Hit>| hits.iter().map(|h| h.id).collect::<Vec<_>>();
        assert_eq!(
            ids(index.search(&[1.0, 0.0], 1, 0, &|_| true).unwrap()),
            [1]
        );
        assert_eq!(
            ids(index.search(&[1.0, 0.0], 1, 0, &|id| id != 1).unwrap()),
            [3]
        );
        assert!(index.remove(1));
        assert!(!index.remove(1));
        assert!(!index.contains(1));
        assert_eq!(index.len(), 2);
        assert_eq!(
            ids(index.search(&[1.0, 0.0], 3, 0, &|_| true).unwrap()),
            [3, 2]
        );
        // Update: same id, new vector.
        index.insert(2, &[1.0, 0.0]).unwrap();
        assert_eq!(index.len(), 2);
        assert_eq!(
            ids(index.search(&[1.0, 0.0], 1, 0, &|_| true).unwrap()),
            [2]
        );
        let stored = index.vector(2).unwrap();
        assert!((stored[0] - 1.0).abs() < 1e-6);
        assert!(index.vector(1).is_none());
    }

    #[test]
    fn the_default_candidate_list_grows_above_100k() {
        let index = HnswIndex::new(2, params()).unwrap();
        assert_eq!(index.default_expansion(), 160);
        assert_eq!(expansion_for(160, 100_000), 160);
        assert_eq!(expansion_for(160, 400_000), 453);
        assert_eq!(expansion_for(160, 1_000_000), 900);
        assert_eq!(expansion_for(160, 100_000_000), 1024);
        assert_eq!(expansion_for(2000, 100_000_000), 2000);
    }

    #[test]
    fn rejects_bad_vectors() {
        let mut index = HnswIndex::new(3, params()).unwrap();
        assert_eq!(
            index.insert(1, &[1.0, 0.0]),
            Err(IndexError::WrongDimension {
                expected: 3,
                got: 2
            })
        );
        assert_eq!(
            index.insert(1, &[f32::NAN, 0.0, 0.0]),
            Err(IndexError::NotFinite)
        );
        assert!(index.search(&[1.0], 1, 0, &|_| true).is_err());
        assert!(index.is_empty());
    }

    #[test]
    fn round_trips_through_bytes_and_refuses_garbage() {
        let data = vectors(300, 8, 3);
        let mut index = HnswIndex::new(8, params()).unwrap();
        for (i, v) in data.iter().enumerate() {
            index.insert(i as i64 + 10, v).unwrap();
        }
        index.remove(10);
        let bytes = index.to_bytes().unwrap();
        let mut back = HnswIndex::from_bytes(&bytes, 8, params()).unwrap();
        assert_eq!(back.len(), 299);
        assert!(!back.contains(10));
        assert!(back.contains(11));
        let q = &data[5];
        assert_eq!(
            index.search(q, 5, 0, &|_| true).unwrap(),
            back.search(q, 5, 0, &|_| true).unwrap()
        );
        assert!(matches!(
            HnswIndex::from_bytes(&bytes, 9, params()),
            Err(IndexError::WrongDimension { .. })
        ));
        assert!(HnswIndex::from_bytes(b"not an index at all", 8, params()).is_err());
        assert!(HnswIndex::from_bytes(&bytes[..bytes.len() / 2], 8, params()).is_err());
    }
}
