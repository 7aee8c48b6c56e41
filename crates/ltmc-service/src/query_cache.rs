//! [`QueryCache`]: the vectors of texts a use case embeds again and again
//! without storing them, such as the debt of every open file audit that
//! `pattern_insights` compares with the patterns on each call (issue 21's
//! soak: 80 open audits made every call embed 80 texts, p99 about 19 s on
//! a loaded 2-core machine).
//!
//! Bounded: at [`CAPACITY`] entries it starts again empty (simple, and a
//! working set that large gains little from a cache). Keyed by the exact
//! text; one cache per [`crate::Memory`], so one model. Not for stored
//! chunks (they are embedded once, when stored).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The most texts kept.
pub const CAPACITY: usize = 4096;

#[derive(Debug, Clone, Default)]
pub(crate) struct QueryCache {
    vectors: Arc<Mutex<HashMap<String, Arc<[f32]>>>>,
}

impl QueryCache {
    /// The cached vector of each text, `None` where there is none.
    pub fn get(&self, texts: &[String]) -> Vec<Option<Arc<[f32]>>> {
        let vectors = self
            .vectors
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        texts.iter().map(|t| vectors.get(t).cloned()).collect()
    }

    pub fn put(&self, texts: &[String], embedded: &[Vec<f32>]) {
        let mut vectors = self
            .vectors
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if vectors.len() + texts.len() > CAPACITY {
            vectors.clear();
        }
        for (text, vector) in texts.iter().zip(embedded).take(CAPACITY) {
            vectors.insert(text.clone(), Arc::from(vector.as_slice()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_vectors_by_text_and_stays_bounded() {
        let cache = QueryCache::default();
        let texts = vec!["a".to_owned(), "b".to_owned()];
        assert_eq!(cache.get(&texts), vec![None, None]);
        cache.put(&texts, &[vec![1.0], vec![2.0]]);
        let got = cache.get(&["b".to_owned(), "c".to_owned()]);
        assert_eq!(got[0].as_deref(), Some(&[2.0][..]));
        assert!(got[1].is_none());
        let many: Vec<String> = (0..CAPACITY).map(|i| i.to_string()).collect();
        let vectors = vec![vec![0.0]; CAPACITY];
        cache.put(&many, &vectors);
        assert!(cache.get(&texts)[0].is_none(), "cleared when full");
        assert!(cache.vectors.lock().unwrap().len() <= CAPACITY);
    }
}
