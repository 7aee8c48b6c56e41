//! The filtered search of one project's index: a [`Scope`] (resource type,
//! excluded types, explicit ids) applied inside the search, following the
//! shared plan of `ltmc_store::plan` (exact scan for a selective scope, else
//! graph walks widened when short, then exact).
//!
//! Not SQL (`search.rs` in the crate root turns a query into a scope) and not
//! the upkeep of the index (the cache root, `build.rs`, `replay.rs`).

use super::{Backing, ProjectIndex};
use ltmc_index::{Hit, IndexError};
use ltmc_store::plan::{SearchPlan, Walks};
use std::collections::HashSet;

impl ProjectIndex {
    /// The best `k` vectors within `scope`. Always `k` when `k` pass it:
    /// the scope is a predicate inside the graph walk, the walk is widened
    /// when it comes back short, and a scope passing few vectors (or a walk
    /// that still comes back short) is answered by an exact scan of exactly
    /// the passing vectors.
    ///
    /// Per query this costs a hash lookup per visited node and per named
    /// type (or a binary search in the explicit ids), never a set of the
    /// project's vectors: only an exact scan collects the passing ids.
    pub(crate) fn search(
        &mut self,
        query: &[f32],
        k: usize,
        scope: &Scope<'_>,
        exact_below: usize,
    ) -> Result<Vec<Hit>, IndexError> {
        let include = match scope.resource_type {
            None => None,
            Some(wanted) => {
                if scope.exclude_types.iter().any(|t| t == wanted) {
                    return Ok(Vec::new());
                }
                match self.types.iter().find(|(name, _)| name == wanted) {
                    None => return Ok(Vec::new()),
                    Some((_, ids)) => Some(ids),
                }
            }
        };
        // Only the excluded types this project has; with a type included,
        // exclusions cannot matter (a vector has one type).
        let excluded: Vec<&HashSet<i64>> = if include.is_some() {
            Vec::new()
        } else {
            self.types
                .iter()
                .filter(|(name, _)| scope.exclude_types.contains(name))
                .map(|(_, ids)| ids)
                .collect()
        };
        let by_type = |id: i64| {
            include.is_none_or(|ids| ids.contains(&id))
                && !excluded.iter().any(|ids| ids.contains(&id))
        };
        let explicit = scope.ids;
        let keep =
            |id: i64| explicit.is_none_or(|ids| ids.binary_search(&id).is_ok()) && by_type(id);
        match &mut self.backing {
            Backing::Exact(index) => index.search(query, k, &keep),
            Backing::Hnsw(index) => {
                // The passing ids, when they are cheap to list: an explicit
                // set is at most as large as what SQL handed over.
                let listed: Option<Vec<i64>> =
                    explicit.map(|ids| ids.iter().copied().filter(|&id| by_type(id)).collect());
                let passing = match (&listed, include) {
                    (Some(ids), _) => ids.len(),
                    (None, Some(ids)) => ids.len(),
                    (None, None) => index
                        .len()
                        .saturating_sub(excluded.iter().map(|ids| ids.len()).sum()),
                };
                let wanted = k.min(passing);
                let types = &self.types;
                // Every passing id, for an exact scan.
                let all_passing = || -> Vec<i64> {
                    match (&listed, include) {
                        (Some(ids), _) => ids.clone(),
                        (None, Some(ids)) => ids.iter().copied().collect(),
                        (None, None) => types
                            .iter()
                            .filter(|(name, _)| !scope.exclude_types.contains(name))
                            .flat_map(|(_, ids)| ids.iter().copied())
                            .collect(),
                    }
                };
                match SearchPlan::for_filter(passing, Some(index.len()), k, exact_below) {
                    SearchPlan::Nothing => return Ok(Vec::new()),
                    SearchPlan::Exact => return index.exact_among(query, k, &all_passing()),
                    SearchPlan::Graph => {}
                }
                // The first walk with the index's own candidate list (it
                // grows with the graph), then widened.
                let floor = index.params().expansion_search;
                for expansion in Walks::new(0, k, floor, None) {
                    let hits = index.search(query, k, expansion, &keep)?;
                    if hits.len() >= wanted {
                        return Ok(hits);
                    }
                }
                index.exact_among(query, k, &all_passing())
            }
        }
    }
}

/// Which vectors of a project a search may return; every part given must
/// hold.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Scope<'a> {
    /// Only vectors of chunks of resources of this type.
    pub resource_type: Option<&'a str>,
    /// No vectors of chunks of resources of these types.
    pub exclude_types: &'a [String],
    /// Only these vector ids, sorted ascending without repeats (e.g. the
    /// attempts that pass a filter, selected in SQL).
    pub ids: Option<&'a [i64]>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use ltmc_index::synthetic::Random;
    use ltmc_index::{ExactIndex, HnswIndex, HnswParams};

    fn entry(backing: Backing) -> ProjectIndex {
        ProjectIndex {
            generation: 0,
            backing,
            types: Vec::new(),
            unpersisted: 0,
            persisted: None,
        }
    }

    fn backings(dimension: usize) -> [Backing; 2] {
        [
            Backing::Exact(ExactIndex::new(dimension)),
            Backing::Hnsw(HnswIndex::new(dimension, HnswParams::default()).unwrap()),
        ]
    }

    fn ids(hits: &[Hit]) -> Vec<i64> {
        hits.iter().map(|h| h.id).collect()
    }

    fn add(e: &mut ProjectIndex, id: i64, v: &[f32], t: &str) {
        e.note_type(id, t);
        e.insert_batch(&[(id, v.to_vec())]).unwrap();
    }

    fn of_type(t: &str) -> Scope<'_> {
        Scope {
            resource_type: Some(t),
            ..Scope::default()
        }
    }

    fn search(e: &mut ProjectIndex, q: &[f32], k: usize, scope: &Scope<'_>) -> Vec<i64> {
        ids(&e.search(q, k, scope, 0).unwrap())
    }

    #[test]
    fn type_filter_runs_inside_the_search_for_both_backings() {
        for backing in backings(2) {
            let mut e = entry(backing);
            add(&mut e, 1, &[1.0, 0.0], "doc");
            add(&mut e, 2, &[0.9, 0.1], "doc");
            add(&mut e, 3, &[0.0, 1.0], "code");
            assert_eq!(search(&mut e, &[1.0, 0.0], 1, &of_type("code")), [3]);
            assert_eq!(search(&mut e, &[1.0, 0.0], 5, &of_type("doc")), [1, 2]);
            assert!(search(&mut e, &[1.0, 0.0], 5, &of_type("todo")).is_empty());
            assert_eq!(search(&mut e, &[0.0, 1.0], 2, &Scope::default()), [3, 2]);
            e.remove(3);
            assert!(search(&mut e, &[1.0, 0.0], 5, &of_type("code")).is_empty());
            assert_eq!(e.types.len(), 1);
        }
    }

    #[test]
    fn exclusions_and_explicit_ids_for_both_backings() {
        let excluded = ["code".to_owned(), "absent".to_owned()];
        for backing in backings(2) {
            let mut e = entry(backing);
            add(&mut e, 1, &[1.0, 0.0], "doc");
            add(&mut e, 2, &[0.9, 0.1], "code");
            add(&mut e, 3, &[0.8, 0.2], "doc");
            add(&mut e, 4, &[0.0, 1.0], "note");
            let q = [1.0, 0.0];
            let no_code = Scope {
                exclude_types: &excluded,
                ..Scope::default()
            };
            assert_eq!(search(&mut e, &q, 2, &no_code), [1, 3]);
            assert_eq!(search(&mut e, &q, 9, &no_code), [1, 3, 4]);
            // Excluding the included type leaves nothing.
            let contradiction = Scope {
                resource_type: Some("code"),
                exclude_types: &excluded,
                ids: None,
            };
            assert!(search(&mut e, &q, 9, &contradiction).is_empty());
            let explicit = Scope {
                ids: Some(&[2, 4, 7]),
                ..Scope::default()
            };
            assert_eq!(search(&mut e, &q, 9, &explicit), [2, 4]);
            assert_eq!(search(&mut e, &q, 1, &explicit), [2]);
            // Every part of a scope holds.
            let all = Scope {
                resource_type: None,
                exclude_types: &excluded,
                ids: Some(&[2, 3, 4]),
            };
            assert_eq!(search(&mut e, &q, 9, &all), [3, 4]);
            let typed = Scope {
                resource_type: Some("doc"),
                exclude_types: &[],
                ids: Some(&[2, 3, 4]),
            };
            assert_eq!(search(&mut e, &q, 9, &typed), [3]);
            assert!(
                search(
                    &mut e,
                    &q,
                    9,
                    &Scope {
                        ids: Some(&[]),
                        ..Scope::default()
                    }
                )
                .is_empty()
            );
        }
    }

    /// 3000 vectors on a graph, a few of them "rare" and a few named by id,
    /// scattered among them: the filtered graph walk alone may come back
    /// short; the answer may not, whether it comes from the walk (exact_below
    /// 0) or from an exact scan (exact_below 100).
    #[test]
    fn a_selective_scope_on_a_graph_still_returns_k() {
        let mut e = entry(Backing::Hnsw(
            HnswIndex::new(8, HnswParams::default()).unwrap(),
        ));
        let mut random = Random::new(17);
        for id in 1..=3000i64 {
            let v: Vec<f32> = (0..8).map(|_| random.normal()).collect();
            let t = match id % 250 {
                0 => "rare",
                1..=3 => "attempt",
                _ => "common",
            };
            add(&mut e, id, &v, t);
        }
        let chosen: Vec<i64> = (1..=3000).filter(|id| id % 150 == 7).collect();
        assert_eq!(chosen.len(), 20);
        let excluded = ["common".to_owned()];
        let q = [0.3; 8];
        for exact_below in [0, 100] {
            let mut run =
                |k: usize, scope: &Scope<'_>| e.search(&q, k, scope, exact_below).unwrap();
            let hits = run(10, &of_type("rare"));
            assert_eq!(hits.len(), 10, "exact_below {exact_below}");
            assert!(hits.iter().all(|h| h.id % 250 == 0));
            assert_eq!(run(20, &of_type("rare")).len(), 12);

            let explicit = Scope {
                ids: Some(&chosen),
                ..Scope::default()
            };
            let hits = run(10, &explicit);
            assert_eq!(hits.len(), 10, "exact_below {exact_below}");
            assert!(hits.iter().all(|h| chosen.contains(&h.id)));
            let every = run(50, &explicit);
            assert_eq!(ids(&every).len(), 20);
            if exact_below > 0 {
                // Scanned exactly: the best 10 of the set, not any 10 of it.
                assert_eq!(ids(&hits), ids(&every)[..10]);
            }

            // Exclusions leave 12 rare and 36 attempt vectors.
            let rest = Scope {
                exclude_types: &excluded,
                ..Scope::default()
            };
            let hits = run(40, &rest);
            assert_eq!(hits.len(), 40, "exact_below {exact_below}");
            assert!(hits.iter().all(|h| matches!(h.id % 250, 0..=3)));
            assert_eq!(run(100, &rest).len(), 48);
        }
    }
}
