//! Vector arithmetic on `f32` slices: dot product, length, unit scaling and
//! cosine similarity — the one copy every crate uses.
//!
//! Pure functions on slices; no index, no model, no SIMD intrinsics (the
//! dot product keeps eight independent accumulators, which the compiler
//! turns into vector registers). Not a linear-algebra library: the all-pairs
//! matrix product of legacy matching stays on candle's GEMM.
//!
//! Accumulation: [`dot`] sums in eight f32 lanes and adds the lanes in f32;
//! [`dot_wide`] sums the same lanes but adds them (and the tail) in f64, for
//! callers that compare scores across many vectors in f64 (the embedded
//! fix-pattern search). Both add in another order than a plain left-to-right
//! loop, so results may differ from one in the last bits (about 1e-7 relative
//! for unit vectors of a few hundred dimensions); every threshold in ltmc is
//! far coarser than that (the tightest, legacy matching's 0.9999, is 1e-4).

/// Lanes of the dot product's accumulators.
const LANES: usize = 8;

/// The dot product of `a` and `b`, over the shorter of the two, in f32.
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0.0f32; LANES];
    let chunks_a = a.chunks_exact(LANES);
    let chunks_b = b.chunks_exact(LANES);
    let tail: f32 = chunks_a
        .remainder()
        .iter()
        .zip(chunks_b.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (ca, cb) in chunks_a.zip(chunks_b) {
        for i in 0..LANES {
            acc[i] += ca[i] * cb[i];
        }
    }
    acc.iter().sum::<f32>() + tail
}

/// The dot product of `a` and `b` (same length), accumulated in eight f32
/// lanes and summed in f64.
pub fn dot_wide(a: &[f32], b: &[f32]) -> f64 {
    let mut lanes = [0.0_f32; LANES];
    let (a_chunks, b_chunks) = (a.chunks_exact(LANES), b.chunks_exact(LANES));
    let tail: f64 = a_chunks
        .remainder()
        .iter()
        .zip(b_chunks.remainder())
        .map(|(x, y)| f64::from(*x) * f64::from(*y))
        .sum();
    for (x, y) in a_chunks.zip(b_chunks) {
        for i in 0..LANES {
            lanes[i] += x[i] * y[i];
        }
    }
    lanes.iter().map(|l| f64::from(*l)).sum::<f64>() + tail
}

/// The Euclidean length of `v`.
pub fn norm(v: &[f32]) -> f32 {
    dot(v, v).sqrt()
}

/// `v` scaled to unit length. A zero vector has no direction: it stays zero
/// (and so scores 0 against everything).
pub fn normalised(v: &[f32]) -> Vec<f32> {
    let length = norm(v);
    if length > 0.0 {
        v.iter().map(|x| x / length).collect()
    } else {
        v.to_vec()
    }
}

/// Scales `v` to unit length in place; a zero vector stays zero.
pub fn normalise(v: &mut [f32]) {
    let length = norm(v);
    if length > 0.0 {
        for x in v {
            *x /= length;
        }
    }
}

/// Cosine similarity of two vectors, in [-1, 1]; 0 when their lengths differ,
/// they are empty, or either has (almost) no length.
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    if a.len() != b.len() || a.is_empty() {
        return 0.0;
    }
    let (na, nb) = (dot(a, a), dot(b, b));
    if na <= f32::EPSILON || nb <= f32::EPSILON {
        return 0.0;
    }
    (dot(a, b) / (na.sqrt() * nb.sqrt())).clamp(-1.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A left-to-right f64 reference.
    fn reference(a: &[f32], b: &[f32]) -> f64 {
        a.iter()
            .zip(b)
            .map(|(x, y)| f64::from(*x) * f64::from(*y))
            .sum()
    }

    #[test]
    fn dot_counts_every_lane_and_the_tail() {
        for len in [0, 1, 7, 8, 9, 16, 17, 384] {
            let a: Vec<f32> = (0..len).map(|i| (i % 13) as f32 - 6.0).collect();
            let b: Vec<f32> = (0..len).map(|i| (i % 7) as f32 * 0.5).collect();
            let expected = reference(&a, &b);
            assert!(
                (f64::from(dot(&a, &b)) - expected).abs() < 1e-3,
                "len {len}"
            );
            assert!((dot_wide(&a, &b) - expected).abs() < 1e-6, "len {len}");
        }
        let squares: Vec<f32> = (1..=11).map(|x| x as f32).collect();
        assert!((dot_wide(&squares, &squares) - 506.0).abs() < 1e-9);
    }

    #[test]
    #[allow(clippy::float_cmp)] // exact zeros and ones are the point
    fn normalised_has_unit_length_and_zero_stays_zero() {
        let v = normalised(&[3.0, 4.0]);
        assert!((v[0] - 0.6).abs() < 1e-6 && (v[1] - 0.8).abs() < 1e-6);
        assert!((norm(&v) - 1.0).abs() < 1e-6);
        assert_eq!(normalised(&[0.0, 0.0]), [0.0, 0.0]);
        let mut w = [0.0, 2.0, 0.0];
        normalise(&mut w);
        assert_eq!(w, [0.0, 1.0, 0.0]);
        let mut zero = [0.0; 4];
        normalise(&mut zero);
        assert_eq!(zero, [0.0; 4]);
    }

    #[test]
    fn cosine_of_known_vectors() {
        assert!((cosine(&[1.0, 0.0], &[2.0, 0.0]) - 1.0).abs() < 1e-6);
        assert!(cosine(&[1.0, 0.0], &[0.0, 3.0]).abs() < 1e-6);
        assert!((cosine(&[1.0, 2.0], &[-1.0, -2.0]) + 1.0).abs() < 1e-6);
        assert!(cosine(&[1.0, 2.0], &[1.0, 2.0, 3.0]).abs() < f32::EPSILON);
        assert!(cosine(&[], &[]).abs() < f32::EPSILON);
        assert!(cosine(&[0.0, 0.0], &[1.0, 1.0]).abs() < f32::EPSILON);
        let a: Vec<f32> = (1..=10).map(|x| x as f32).collect();
        let scaled: Vec<f32> = a.iter().map(|x| x * 3.0).collect();
        assert!((cosine(&a, &scaled) - 1.0).abs() < 1e-6);
    }
}
