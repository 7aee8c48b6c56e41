//! `HashEmbedder`: deterministic vectors from feature hashing, for tests.
//!
//! Each lower-cased word and each of its character trigrams adds a signed unit to one
//! of `dim` buckets, so texts that share words (or word stems) come out similar. It is
//! fast and stable across platforms and versions; it understands nothing.

use crate::{EmbedError, Embedder};

/// Feature-hashing embedder; model id `ltmc-test/hash-<dim>`.
#[derive(Debug, Clone)]
pub struct HashEmbedder {
    dim: usize,
    model_id: String,
}

impl HashEmbedder {
    /// Word trigrams count for less than whole words: sharing a word should matter more
    /// than sharing a fragment.
    const TRIGRAM_WEIGHT: f32 = 0.25;

    pub fn new(dim: usize) -> Result<Self, EmbedError> {
        if dim == 0 {
            return Err(EmbedError::Invalid(
                "a hash embedder needs at least one dimension".to_owned(),
            ));
        }
        Ok(Self {
            dim,
            model_id: format!("ltmc-test/hash-{dim}"),
        })
    }

    fn embed_one(&self, text: &str) -> Vec<f32> {
        let mut v = vec![0f32; self.dim];
        let lower = text.to_lowercase();
        let words = lower
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty());
        for word in words {
            self.add(&mut v, b'w', word, 1.0);
            let padded: Vec<char> = format!("#{word}#").chars().collect();
            for tri in padded.windows(3) {
                let tri: String = tri.iter().collect();
                self.add(&mut v, b't', &tri, Self::TRIGRAM_WEIGHT);
            }
        }
        let norm = ltmc_core::vector::norm(&v);
        if norm < 1e-12 {
            // No words at all: still a unit vector, the same one for every such text.
            self.add(&mut v, b'e', "", 1.0);
            return v.into_iter().map(f32::abs).collect();
        }
        v.into_iter().map(|x| x / norm).collect()
    }

    fn add(&self, v: &mut [f32], kind: u8, feature: &str, weight: f32) {
        let h = hash(kind, feature.as_bytes());
        let bucket = usize::try_from(h % self.dim as u64).unwrap_or(0);
        // The sign bit keeps colliding features from always adding up.
        let sign = if h >> 63 == 1 { -1.0 } else { 1.0 };
        v[bucket] += sign * weight;
    }
}

impl Default for HashEmbedder {
    /// 384 dimensions, like all-MiniLM-L6-v2, so test stores have the real shape.
    fn default() -> Self {
        Self {
            dim: 384,
            model_id: "ltmc-test/hash-384".to_owned(),
        }
    }
}

impl Embedder for HashEmbedder {
    fn model_id(&self) -> &str {
        &self.model_id
    }

    fn dimension(&self) -> usize {
        self.dim
    }

    fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError> {
        Ok(texts.iter().map(|t| self.embed_one(t)).collect())
    }
}

/// FNV-1a, then a splitmix64 finaliser so the low bits (the bucket) are well mixed.
/// Written out rather than `DefaultHasher`, whose output may change between releases.
fn hash(kind: u8, bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in std::iter::once(&kind).chain(bytes) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h ^= h >> 30;
    h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h ^= h >> 27;
    h = h.wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The cosine of two unit vectors.
    use ltmc_core::vector::dot as cos;

    fn embed(texts: &[&str]) -> Vec<Vec<f32>> {
        HashEmbedder::default().embed(texts).unwrap()
    }

    #[test]
    fn vectors_are_unit_length_for_any_text() {
        for v in embed(&["", "   ", "!!!", "hello", "日本語 テキスト", "a b c d e f"]) {
            assert_eq!(v.len(), 384);
            let norm = cos(&v, &v).sqrt();
            assert!((norm - 1.0).abs() < 1e-5, "norm {norm}");
        }
    }

    #[test]
    fn shared_words_make_texts_similar() {
        let v = embed(&[
            "fix the database connection pool leak",
            "database connection pool exhausted",
            "render the dashboard chart colours",
        ]);
        assert!(cos(&v[0], &v[1]) > cos(&v[0], &v[2]) + 0.2);
    }

    #[test]
    fn deterministic_case_insensitive_and_stable_across_releases() {
        let a = embed(&["Hello, World"]);
        assert_eq!(a, embed(&["hello world"]));
        // Pinned so that a change of the hash (which would silently change every
        // stored test vector) fails here first.
        assert_eq!(hash(b'w', b"hello"), 0x8e0d_fc8f_bb33_c684);
    }

    #[test]
    fn zero_dimensions_is_an_error() {
        assert!(matches!(HashEmbedder::new(0), Err(EmbedError::Invalid(_))));
        assert_eq!(HashEmbedder::new(8).unwrap().model_id(), "ltmc-test/hash-8");
    }
}
