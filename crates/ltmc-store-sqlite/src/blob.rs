//! The on-disk form of a vector: `dimension` little-endian f32s, nothing else.
//!
//! Little-endian is fixed, not native, so a data directory copied between
//! machines still reads. No header or version byte: the dimension is recorded
//! once in `store_meta`, and a blob of another length is corruption that
//! `check_integrity` counts and a search refuses.

/// Bytes of one vector component.
const F32_BYTES: usize = 4;

pub(crate) fn encode(vector: &[f32]) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(vector.len() * F32_BYTES);
    for x in vector {
        bytes.extend_from_slice(&x.to_le_bytes());
    }
    bytes
}

/// The vector in `bytes`, or `None` when the length is not `dimension` floats.
pub(crate) fn decode(bytes: &[u8], dimension: usize) -> Option<Vec<f32>> {
    if bytes.len() != dimension.checked_mul(F32_BYTES)? {
        return None;
    }
    Some(
        bytes
            .chunks_exact(F32_BYTES)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect(),
    )
}

/// The blob length of a `dimension`-float vector, for SQL `length(embedding)`.
pub(crate) fn byte_len(dimension: usize) -> usize {
    dimension * F32_BYTES
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roundtrip() {
        let v = [0.0, -1.5, f32::MIN_POSITIVE, 3.25e7, -0.0];
        assert_eq!(decode(&encode(&v), v.len()).as_deref(), Some(&v[..]));
    }

    #[test]
    fn layout_is_little_endian() {
        assert_eq!(encode(&[1.0]), vec![0x00, 0x00, 0x80, 0x3f]);
        assert_eq!(byte_len(384), 1536);
    }

    #[test]
    fn wrong_length_is_refused() {
        let bytes = encode(&[1.0, 2.0]);
        assert_eq!(decode(&bytes, 3), None);
        assert_eq!(decode(&bytes[..7], 2), None);
        assert_eq!(decode(&[], 0), Some(vec![]));
    }
}
