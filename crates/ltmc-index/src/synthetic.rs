//! Clustered synthetic unit vectors for benchmarks: a few hundred directions,
//! each with its own spread, which is roughly how sentence embeddings sit.
//! Deterministic from a seed; no dependency. Not test data for correctness
//! (tests build their own small sets) and not a model of any real corpus.

// Random floats narrowed to f32 and to an index below a length: truncation is
// the intent, never an id.
#![allow(clippy::cast_possible_truncation)]

/// xorshift64* with Box-Muller normals.
#[derive(Debug, Clone)]
pub struct Random(u64);

impl Random {
    pub fn new(seed: u64) -> Self {
        Self(seed.max(1))
    }

    /// Uniform in (0, 1).
    pub fn uniform(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        let bits = self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11;
        (bits as f64 + 0.5) / (1u64 << 53) as f64
    }

    /// Uniform in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.uniform() * n as f64) as usize % n.max(1)
    }

    /// Standard normal.
    pub fn normal(&mut self) -> f32 {
        let (u, v) = (self.uniform(), self.uniform());
        ((-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()) as f32
    }
}

/// Cluster centres and spreads to sample vectors from.
#[derive(Debug, Clone)]
pub struct Clusters {
    centers: Vec<Vec<f32>>,
    spreads: Vec<f32>,
    /// Per cluster, the directions its spread runs along; empty: every
    /// direction (isotropic, the hardest case for a graph index).
    bases: Vec<Vec<Vec<f32>>>,
}

impl Clusters {
    pub fn new(count: usize, dimension: usize, random: &mut Random) -> Self {
        let centers = (0..count.max(1))
            .map(|_| unit((0..dimension).map(|_| random.normal()).collect()))
            .collect();
        // Some tight clusters, some loose: cosine to the centre about 0.5-0.9.
        let spreads = (0..count.max(1))
            .map(|_| 0.5 + 1.2 * random.uniform() as f32)
            .collect();
        Self {
            centers,
            spreads,
            bases: Vec::new(),
        }
    }

    /// Like [`Clusters::new`], but each cluster spreads mostly along `rank`
    /// random directions of its own (plus a little isotropic noise), as
    /// sentence embeddings do: their intrinsic dimension is far below 384.
    pub fn low_rank(count: usize, dimension: usize, rank: usize, random: &mut Random) -> Self {
        let mut clusters = Self::new(count, dimension, random);
        clusters.bases = (0..clusters.centers.len())
            .map(|_| {
                (0..rank.max(1))
                    .map(|_| unit((0..dimension).map(|_| random.normal()).collect()))
                    .collect()
            })
            .collect();
        clusters
    }

    /// A unit vector near a random centre.
    pub fn sample(&self, random: &mut Random) -> Vec<f32> {
        let c = random.below(self.centers.len());
        let dimension = self.centers[c].len();
        let Some(basis) = self.bases.get(c) else {
            let scale = self.spreads[c] / (dimension as f32).sqrt();
            return unit(
                self.centers[c]
                    .iter()
                    .map(|x| x + scale * random.normal())
                    .collect(),
            );
        };
        let mut v = self.centers[c].clone();
        let along = self.spreads[c] / (basis.len() as f32).sqrt();
        for direction in basis {
            let z = along * random.normal();
            for (x, d) in v.iter_mut().zip(direction) {
                *x += z * d;
            }
        }
        let noise = 0.1 * self.spreads[c] / (dimension as f32).sqrt();
        for x in &mut v {
            *x += noise * random.normal();
        }
        unit(v)
    }
}

fn unit(mut v: Vec<f32>) -> Vec<f32> {
    ltmc_core::vector::normalise(&mut v);
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_are_unit_deterministic_and_clustered() {
        let mut a = Random::new(3);
        let clusters = Clusters::new(4, 16, &mut a);
        let x = clusters.sample(&mut a);
        let norm = ltmc_core::vector::dot(&x, &x);
        assert!((norm - 1.0).abs() < 1e-4);
        let mut b = Random::new(3);
        let again = Clusters::new(4, 16, &mut b);
        assert_eq!(again.sample(&mut b), x);
        // Two samples of a single cluster point the same way; two of
        // different random clusters in 64 dimensions hardly do.
        let one = Clusters::new(1, 64, &mut a);
        let (first, second) = (one.sample(&mut a), one.sample(&mut a));
        let cos = ltmc_core::vector::dot(&first, &second);
        assert!(cos > 0.2, "{cos}");
    }
}
