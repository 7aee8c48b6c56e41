//! Exact (brute-force) cosine search over a flat, contiguous array of vectors.
//!
//! Vectors are normalised on insert so a query costs one dot product per
//! stored vector; the filter runs inside the scan, so a selective filter still
//! returns `k` hits when `k` pass it. This is not an approximate index: it is
//! linear in the number of vectors, and correct by construction.

use ltmc_core::vector::{dot, normalised};
use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum IndexError {
    #[error("vector has {got} dimensions, the index holds {expected}")]
    WrongDimension { expected: usize, got: usize },
    #[error("vector contains NaN or infinity")]
    NotFinite,
    /// The approximate index's library refused an operation.
    #[error("vector index: {0}")]
    Backend(String),
    /// Bytes handed to an index loader are not an index.
    #[error("vector index data is damaged: {0}")]
    Corrupt(String),
}

/// One search result: a vector id and its cosine similarity to the query.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hit {
    pub id: i64,
    pub score: f32,
}

/// Brute-force cosine index. Ids are the store's vector ids.
#[derive(Debug, Clone)]
pub struct ExactIndex {
    dimension: usize,
    ids: Vec<i64>,
    /// `ids.len() * dimension` floats, row `i` belongs to `ids[i]`, unit length.
    data: Vec<f32>,
    slot_of: HashMap<i64, usize>,
}

impl ExactIndex {
    pub fn new(dimension: usize) -> Self {
        Self {
            dimension,
            ids: Vec::new(),
            data: Vec::new(),
            slot_of: HashMap::new(),
        }
    }

    pub fn dimension(&self) -> usize {
        self.dimension
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    pub fn contains(&self, id: i64) -> bool {
        self.slot_of.contains_key(&id)
    }

    /// Adds a vector, or replaces the vector already stored under `id`.
    pub fn insert(&mut self, id: i64, vector: &[f32]) -> Result<(), IndexError> {
        let unit = self.normalised(vector)?;
        if let Some(&slot) = self.slot_of.get(&id) {
            self.row_mut(slot).copy_from_slice(&unit);
        } else {
            self.slot_of.insert(id, self.ids.len());
            self.ids.push(id);
            self.data.extend_from_slice(&unit);
        }
        Ok(())
    }

    /// Removes `id`; returns whether it was there. Swaps the last row into the
    /// hole so removal is O(dimension), not O(len).
    pub fn remove(&mut self, id: i64) -> bool {
        let Some(slot) = self.slot_of.remove(&id) else {
            return false;
        };
        let last = self.ids.len() - 1;
        if slot != last {
            let moved = self.ids[last];
            self.ids[slot] = moved;
            self.slot_of.insert(moved, slot);
            let d = self.dimension;
            self.data.copy_within(last * d..(last + 1) * d, slot * d);
        }
        self.ids.pop();
        self.data.truncate(last * self.dimension);
        true
    }

    /// The `k` most similar vectors that pass `filter`, best first, ties by id.
    pub fn search(
        &self,
        query: &[f32],
        k: usize,
        filter: &dyn Fn(i64) -> bool,
    ) -> Result<Vec<Hit>, IndexError> {
        let query = self.normalised(query)?;
        if k == 0 {
            return Ok(Vec::new());
        }
        // A min-heap of the best k so far: memory O(k), one pass over the data.
        let mut heap: BinaryHeap<Worst> = BinaryHeap::with_capacity(k + 1);
        for (slot, &id) in self.ids.iter().enumerate() {
            if !filter(id) {
                continue;
            }
            let score = dot(&query, self.row(slot));
            let candidate = Worst(Hit { id, score });
            if heap.len() < k {
                heap.push(candidate);
            } else if heap.peek().is_some_and(|worst| candidate < *worst) {
                heap.pop();
                heap.push(candidate);
            }
        }
        let mut hits: Vec<Hit> = heap.into_iter().map(|w| w.0).collect();
        hits.sort_by(better_first);
        Ok(hits)
    }

    fn row(&self, slot: usize) -> &[f32] {
        &self.data[slot * self.dimension..(slot + 1) * self.dimension]
    }

    fn row_mut(&mut self, slot: usize) -> &mut [f32] {
        &mut self.data[slot * self.dimension..(slot + 1) * self.dimension]
    }

    fn normalised(&self, vector: &[f32]) -> Result<Vec<f32>, IndexError> {
        check_vector(vector, self.dimension)?;
        Ok(normalised(vector))
    }
}

/// The checks every index makes on a vector before using it.
pub(crate) fn check_vector(vector: &[f32], dimension: usize) -> Result<(), IndexError> {
    if vector.len() != dimension {
        return Err(IndexError::WrongDimension {
            expected: dimension,
            got: vector.len(),
        });
    }
    if !vector.iter().all(|x| x.is_finite()) {
        return Err(IndexError::NotFinite);
    }
    Ok(())
}

/// Higher score first, then lower id.
fn better_first(a: &Hit, b: &Hit) -> Ordering {
    b.score.total_cmp(&a.score).then(a.id.cmp(&b.id))
}

/// Heap order where the *worst* hit is the greatest, so `peek` is the one to evict.
#[derive(Debug, Clone, Copy)]
struct Worst(Hit);

impl PartialEq for Worst {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Worst {}
impl PartialOrd for Worst {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Worst {
    fn cmp(&self, other: &Self) -> Ordering {
        better_first(&self.0, &other.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index(rows: &[(i64, [f32; 3])]) -> ExactIndex {
        let mut index = ExactIndex::new(3);
        for (id, v) in rows {
            index.insert(*id, v).unwrap();
        }
        index
    }

    fn ids(hits: &[Hit]) -> Vec<i64> {
        hits.iter().map(|h| h.id).collect()
    }

    fn check(query: [f32; 3], k: usize, expected: &[i64]) {
        let index = index(&[
            (10, [1.0, 0.0, 0.0]),
            (11, [0.9, 0.1, 0.0]),
            (12, [0.0, 1.0, 0.0]),
            (13, [0.0, 0.0, 1.0]),
            (14, [-1.0, 0.0, 0.0]),
        ]);
        let hits = index.search(&query, k, &|_| true).unwrap();
        assert_eq!(ids(&hits), expected, "query {query:?} k {k}");
    }

    #[test]
    fn ranking() {
        check([1.0, 0.0, 0.0], 2, &[10, 11]);
        check([2.0, 0.0, 0.0], 1, &[10]);
        check([0.0, 1.0, 0.0], 2, &[12, 11]);
        check([-1.0, 0.0, 0.0], 1, &[14]);
        check([1.0, 0.0, 0.0], 0, &[]);
        check([1.0, 0.0, 0.0], 99, &[10, 11, 12, 13, 14]);
    }

    #[test]
    fn scores_are_cosine() {
        let index = index(&[(1, [3.0, 4.0, 0.0])]);
        let hit = index.search(&[3.0, 4.0, 0.0], 1, &|_| true).unwrap()[0];
        assert!((hit.score - 1.0).abs() < 1e-6);
        let hit = index.search(&[4.0, -3.0, 0.0], 1, &|_| true).unwrap()[0];
        assert!(hit.score.abs() < 1e-6);
    }

    #[test]
    fn ties_break_by_id() {
        let index = index(&[
            (7, [1.0, 0.0, 0.0]),
            (3, [1.0, 0.0, 0.0]),
            (5, [1.0, 0.0, 0.0]),
        ]);
        let hits = index.search(&[1.0, 0.0, 0.0], 2, &|_| true).unwrap();
        assert_eq!(ids(&hits), [3, 5]);
    }

    #[test]
    fn filter_runs_inside_the_scan() {
        let mut index = ExactIndex::new(3);
        for id in 0..100 {
            let x = id as f32;
            index.insert(id, &[1.0, x / 100.0, 0.0]).unwrap();
        }
        let hits = index
            .search(&[1.0, 0.0, 0.0], 5, &|id| id % 10 == 7)
            .unwrap();
        assert_eq!(ids(&hits), [7, 17, 27, 37, 47]);
    }

    #[test]
    fn remove_and_replace() {
        let mut index = index(&[
            (1, [1.0, 0.0, 0.0]),
            (2, [0.0, 1.0, 0.0]),
            (3, [0.0, 0.0, 1.0]),
        ]);
        assert!(index.remove(1));
        assert!(!index.remove(1));
        assert_eq!(index.len(), 2);
        assert!(!index.contains(1));
        let hits = index.search(&[0.0, 0.0, 1.0], 1, &|_| true).unwrap();
        assert_eq!(ids(&hits), [3]);
        index.insert(2, &[0.0, 0.0, 5.0]).unwrap();
        assert_eq!(index.len(), 2);
        let hits = index.search(&[0.0, 0.0, 1.0], 2, &|_| true).unwrap();
        assert!((hits[0].score - 1.0).abs() < 1e-6 && (hits[1].score - 1.0).abs() < 1e-6);
    }

    #[test]
    fn bad_vectors_are_errors() {
        let mut index = ExactIndex::new(3);
        assert_eq!(
            index.insert(1, &[1.0, 2.0]),
            Err(IndexError::WrongDimension {
                expected: 3,
                got: 2
            })
        );
        assert_eq!(
            index.insert(1, &[f32::NAN, 0.0, 0.0]),
            Err(IndexError::NotFinite)
        );
        assert!(index.is_empty());
        assert!(index.search(&[1.0; 4], 1, &|_| true).is_err());
    }
}
