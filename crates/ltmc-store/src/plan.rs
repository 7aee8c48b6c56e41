//! The plan of a filtered vector search, the same for every backend: when a
//! filter is answered by an exact scan, when by a walk of the HNSW graph, and
//! how a graph walk that comes back short is widened before the exact scan
//! takes over.
//!
//! The policy, in short: a filter passing fewer than [`EXACT_BELOW`] vectors
//! is scanned exactly (cheap at that size, and always complete). Otherwise
//! the graph is walked with the filter inside the walk; when the walk returns
//! fewer than `k` hits although at least `k` vectors pass, it is repeated with
//! a candidate list [`WIDEN_FACTOR`] times longer, at most [`MAX_WALKS`]
//! walks in all, and then the passing vectors are scanned exactly. So a
//! search returns `k` hits whenever `k` vectors pass its filter.
//!
//! Pure decisions on counts: no index, no SQL. The backends (ltmc-store-sqlite's
//! index cache, ltmc-store-pg's search) count what passes and run the walks.

/// A filter passing fewer vectors than this is answered by an exact scan.
/// Also the SQLite store's default `ann_threshold`: a project with fewer
/// vectors has no graph at all.
pub const EXACT_BELOW: usize = 10_000;

/// The shortest candidate list a graph walk asks for: the embedded HNSW
/// index's default `expansion_search` (ltmc-index `HnswParams`, checked by a
/// test in ltmc-store-sqlite), and the floor of pgvector's `hnsw.ef_search`,
/// so both backends trade recall for speed alike.
pub const MIN_CANDIDATES: usize = 160;

/// A widened walk's candidate list is this many times the longer of the last
/// one, `k` and the floor.
pub const WIDEN_FACTOR: usize = 4;

/// Graph walks at most (the first and its widenings) before the exact scan.
pub const MAX_WALKS: usize = 3;

/// How one search is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchPlan {
    /// No vector passes, or no hit is wanted: nothing to search.
    Nothing,
    /// Score every passing vector.
    Exact,
    /// Walk the graph with the filter inside the walk ([`Walks`]), then scan
    /// exactly if every walk comes back short.
    Graph,
}

impl SearchPlan {
    /// The plan for `k` hits among `passing` vectors (a backend may count
    /// them only up to `exact_below`). `graph_len` is the size of the graph
    /// when it holds only vectors the filter could pass (one project's
    /// graph): a filter passing all of them filters nothing, so the plain
    /// walk is complete whatever their number. `None` when the graph holds
    /// other vectors too (pgvector's index spans every project).
    pub fn for_filter(
        passing: usize,
        graph_len: Option<usize>,
        k: usize,
        exact_below: usize,
    ) -> Self {
        if passing == 0 || k == 0 {
            Self::Nothing
        } else if passing < exact_below && graph_len != Some(passing) {
            Self::Exact
        } else {
            Self::Graph
        }
    }
}

/// The first candidate list for `k` hits on an index that accepts at most
/// `cap`: `k` times [`WIDEN_FACTOR`], at least [`MIN_CANDIDATES`].
pub fn first_candidates(k: usize, cap: usize) -> usize {
    k.saturating_mul(WIDEN_FACTOR)
        .max(MIN_CANDIDATES)
        .min(cap.max(1))
}

/// The candidate-list lengths of the successive walks of one search, as an
/// iterator: the first given, then each widened, [`MAX_WALKS`] in all, or
/// fewer when the index's largest list is reached (a walk as long as the last
/// would find nothing new).
#[derive(Debug, Clone)]
pub struct Walks {
    next: Option<usize>,
    k: usize,
    floor: usize,
    cap: Option<usize>,
    left: usize,
}

impl Walks {
    /// Walks for `k` hits starting with a list of `first` (0 where the index
    /// has a default of its own); a widened list is at least `floor` times
    /// [`WIDEN_FACTOR`], at most `cap` (`None`: no limit).
    pub fn new(first: usize, k: usize, floor: usize, cap: Option<usize>) -> Self {
        Self {
            next: Some(first),
            k,
            floor,
            cap,
            left: MAX_WALKS,
        }
    }
}

impl Iterator for Walks {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        if self.left == 0 {
            return None;
        }
        let current = self.next?;
        self.left -= 1;
        let mut widened = current
            .max(self.k)
            .max(self.floor)
            .saturating_mul(WIDEN_FACTOR);
        if let Some(cap) = self.cap {
            widened = widened.min(cap);
        }
        self.next = (widened > current).then_some(widened);
        Some(current)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_or_selective_filters_are_exact_large_ones_walk_the_graph() {
        let plan = |passing, k| SearchPlan::for_filter(passing, None, k, EXACT_BELOW);
        assert_eq!(plan(0, 10), SearchPlan::Nothing);
        assert_eq!(plan(5, 0), SearchPlan::Nothing);
        assert_eq!(plan(1, 10), SearchPlan::Exact);
        assert_eq!(plan(EXACT_BELOW - 1, 10), SearchPlan::Exact);
        assert_eq!(plan(EXACT_BELOW, 10), SearchPlan::Graph);
        assert_eq!(plan(EXACT_BELOW, usize::MAX), SearchPlan::Graph);
    }

    #[test]
    fn a_filter_passing_the_whole_graph_walks_it() {
        assert_eq!(
            SearchPlan::for_filter(3000, Some(3000), 10, EXACT_BELOW),
            SearchPlan::Graph
        );
        assert_eq!(
            SearchPlan::for_filter(2999, Some(3000), 10, EXACT_BELOW),
            SearchPlan::Exact
        );
        // With no exact threshold, every filter walks.
        assert_eq!(
            SearchPlan::for_filter(12, Some(3000), 10, 0),
            SearchPlan::Graph
        );
    }

    #[test]
    fn first_candidates_are_four_k_within_floor_and_cap() {
        assert_eq!(first_candidates(10, 1000), 160);
        assert_eq!(first_candidates(50, 1000), 200);
        assert_eq!(first_candidates(5000, 1000), 1000);
        assert_eq!(first_candidates(usize::MAX, 1000), 1000);
    }

    #[test]
    fn walks_widen_by_four_at_most_three_times() {
        let uncapped: Vec<usize> = Walks::new(0, 10, 160, None).collect();
        assert_eq!(uncapped, [0, 640, 2560]);
        let big_k: Vec<usize> = Walks::new(0, 500, 160, None).collect();
        assert_eq!(big_k, [0, 2000, 8000]);
        let capped: Vec<usize> = Walks::new(160, 10, 160, Some(1000)).collect();
        assert_eq!(capped, [160, 640, 1000]);
        let near_cap: Vec<usize> = Walks::new(400, 100, 160, Some(1000)).collect();
        assert_eq!(near_cap, [400, 1000]);
        // Already at the cap: one walk, then the exact scan.
        let at_cap: Vec<usize> = Walks::new(1000, 1500, 160, Some(1000)).collect();
        assert_eq!(at_cap, [1000]);
    }
}
