//! A reader of the FAISS binary index format, for the two index types the
//! original LTMC wrote: `IndexFlatL2` ("IxF2") and `IndexIDMap` ("IxMp",
//! "IxM2") around one. Hand-written on purpose: no Rust crate reads FAISS
//! files without linking the FAISS C++ library, and these two layouts are
//! small (faiss/impl/index_write.cpp: `write_index_header`, `WRITEXBVECTOR`,
//! `WRITEVECTOR`).
//!
//! Every length is checked against the bytes that remain, so a truncated or
//! corrupt file is a [`ParseError`], never a panic or a huge allocation. Not
//! supported: other index types (IVF, HNSW, PQ...), which LTMC never wrote.

use crate::index::{IndexFormat, LegacyIndex, ParseError, Reader, f32s};

const FORMAT: &str = "faiss";
/// FAISS's `METRIC_L2`.
const METRIC_L2: i32 = 1;

pub(crate) fn parse(bytes: &[u8]) -> Result<LegacyIndex, ParseError> {
    let mut r = Reader::new(bytes, FORMAT);
    let index = read_index(&mut r, 0)?;
    if !r.at_end() {
        return Err(r.error("trailing bytes after the index"));
    }
    Ok(index)
}

struct Header {
    dimension: usize,
    ntotal: usize,
}

fn read_index(r: &mut Reader<'_>, depth: usize) -> Result<LegacyIndex, ParseError> {
    let start = r.pos;
    let fourcc = r.array::<4>()?;
    match &fourcc {
        b"IxF2" => read_flat(r),
        b"IxMp" | b"IxM2" if depth == 0 => {
            let header = read_header(r)?;
            let mut inner = read_index(r, depth + 1)?;
            if inner.dimension != header.dimension || inner.len() != header.ntotal {
                return Err(r.error(format!(
                    "the id map says {} vectors of {} dimensions, its index holds {} of {}",
                    header.ntotal,
                    header.dimension,
                    inner.len(),
                    inner.dimension
                )));
            }
            let n = r.u64()?;
            let n = r.count(n, 8)?;
            if n != header.ntotal {
                return Err(r.error(format!("{n} ids for {} vectors", header.ntotal)));
            }
            let mut ids = Vec::with_capacity(n);
            for _ in 0..n {
                ids.push(r.i64()?);
            }
            inner.ids = ids;
            inner.format = IndexFormat::FaissIdMap;
            Ok(inner)
        }
        other => {
            r.pos = start;
            Err(r.error(format!(
                "index type {:?} is not one LTMC wrote (IndexFlatL2 or IndexIDMap)",
                String::from_utf8_lossy(other)
            )))
        }
    }
}

fn read_header(r: &mut Reader<'_>) -> Result<Header, ParseError> {
    let d = r.i32()?;
    let ntotal = r.i64()?;
    let _dummy1 = r.i64()?;
    let _dummy2 = r.i64()?;
    let is_trained = r.u8()?;
    let metric = r.i32()?;
    if is_trained > 1 {
        return Err(r.error(format!("is_trained is {is_trained}, not a boolean")));
    }
    if metric != METRIC_L2 {
        return Err(r.error(format!("metric type {metric} is not L2 ({METRIC_L2})")));
    }
    let dimension = usize::try_from(d)
        .ok()
        .filter(|&d| (1..=65_536).contains(&d))
        .ok_or_else(|| r.error(format!("dimension {d} is out of range")))?;
    let ntotal = usize::try_from(ntotal)
        .map_err(|_| r.error(format!("vector count {ntotal} is negative")))?;
    Ok(Header { dimension, ntotal })
}

fn read_flat(r: &mut Reader<'_>) -> Result<LegacyIndex, ParseError> {
    let header = read_header(r)?;
    let floats = r.u64()?;
    let floats = r.count(floats, 4)?;
    let expected = header
        .ntotal
        .checked_mul(header.dimension)
        .ok_or_else(|| r.error("vector count times dimension overflows"))?;
    if floats != expected {
        return Err(r.error(format!(
            "{floats} floats stored for {} vectors of {} dimensions",
            header.ntotal, header.dimension
        )));
    }
    let vectors = f32s(r.take(floats * 4)?);
    Ok(LegacyIndex {
        format: IndexFormat::FaissFlatL2,
        dimension: header.dimension,
        vectors,
        ids: (0..header.ntotal as i64).collect(),
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A FAISS IndexFlatL2 file as faiss.write_index lays it out.
    pub(crate) fn flat(d: i32, rows: &[&[f32]]) -> Vec<u8> {
        let mut out = b"IxF2".to_vec();
        header(&mut out, d, rows.len());
        out.extend((rows.len() as u64 * d as u64).to_le_bytes());
        for row in rows {
            for x in *row {
                out.extend(x.to_le_bytes());
            }
        }
        out
    }

    fn header(out: &mut Vec<u8>, d: i32, n: usize) {
        out.extend(d.to_le_bytes());
        out.extend((n as i64).to_le_bytes());
        out.extend((1i64 << 20).to_le_bytes());
        out.extend((1i64 << 20).to_le_bytes());
        out.push(1);
        out.extend(METRIC_L2.to_le_bytes());
    }

    pub(crate) fn idmap(d: i32, rows: &[&[f32]], ids: &[i64]) -> Vec<u8> {
        let mut out = b"IxMp".to_vec();
        header(&mut out, d, rows.len());
        out.extend(flat(d, rows));
        out.extend((ids.len() as u64).to_le_bytes());
        for id in ids {
            out.extend(id.to_le_bytes());
        }
        out
    }

    fn check_err(bytes: &[u8], needle: &str) {
        let err = parse(bytes).expect_err("must fail");
        assert!(err.message.contains(needle), "{err:?} lacks {needle:?}");
    }

    #[test]
    fn reads_flat_and_idmap() {
        let flat_bytes = flat(2, &[&[1.0, 2.0], &[3.0, 4.0]]);
        let index = parse(&flat_bytes).unwrap();
        assert_eq!(index.format, IndexFormat::FaissFlatL2);
        assert_eq!(index.ids, vec![0, 1]);
        assert_eq!(index.vector(1), &[3.0, 4.0]);
        let index = parse(&idmap(2, &[&[1.0, 2.0], &[3.0, 4.0]], &[987_651, 69])).unwrap();
        assert_eq!(index.format, IndexFormat::FaissIdMap);
        assert_eq!(index.ids, vec![987_651, 69]);
        assert_eq!(index.vector(0), &[1.0, 2.0]);
    }

    #[test]
    fn every_truncation_is_an_error_never_a_panic() {
        for bytes in [
            flat(3, &[&[1.0, 2.0, 3.0]]),
            idmap(1, &[&[1.0], &[2.0]], &[5, 6]),
        ] {
            for len in 0..bytes.len() {
                assert!(
                    parse(&bytes[..len]).is_err(),
                    "prefix of {len} bytes parsed"
                );
            }
        }
    }

    #[test]
    fn corrupt_fields_are_named() {
        check_err(b"IxHN\0\0\0\0", "not one LTMC wrote");
        let mut huge = flat(2, &[&[1.0, 2.0]]);
        huge[8..16].copy_from_slice(&(1i64 << 60).to_le_bytes());
        check_err(&huge, "floats stored");
        let mut count = flat(2, &[&[1.0, 2.0]]);
        let at = count.len() - 8 - 8;
        count[at..at + 8].copy_from_slice(&u64::MAX.to_le_bytes());
        check_err(&count, "exceeds");
        let mut metric = flat(2, &[&[1.0, 2.0]]);
        metric[33..37].copy_from_slice(&0i32.to_le_bytes());
        check_err(&metric, "metric type 0");
        let mut ids = idmap(1, &[&[1.0]], &[5]);
        ids.truncate(ids.len() - 16);
        ids.extend(2u64.to_le_bytes());
        ids.extend(5i64.to_le_bytes());
        check_err(&ids, "exceeds");
        let mut trailing = flat(1, &[&[1.0]]);
        trailing.push(0);
        check_err(&trailing, "trailing");
    }
}
