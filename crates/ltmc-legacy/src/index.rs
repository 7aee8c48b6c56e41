//! The legacy vector index as read from disk: vectors by position, each with
//! the id the old code gave it (the position itself for a flat index or the
//! pickle, the id map's entry for an `IndexIDMap`), whatever its format.
//!
//! Not a search index: the migration only compares these vectors with fresh
//! embeddings, and it trusts neither the ids nor the positions.

use crate::LegacyError;
use std::path::Path;

/// Which form the index file had.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IndexFormat {
    /// FAISS `IndexFlatL2` ("IxF2").
    FaissFlatL2,
    /// FAISS `IndexIDMap` ("IxMp") over an `IndexFlatL2`.
    FaissIdMap,
    /// The earliest version's pickled list of float32 numpy arrays.
    Pickle,
}

/// Vectors of one dimension, row by row, with the legacy id of each row.
#[derive(Debug, Clone, PartialEq)]
pub struct LegacyIndex {
    pub format: IndexFormat,
    pub dimension: usize,
    /// `len() == ids.len() * dimension`.
    pub vectors: Vec<f32>,
    pub ids: Vec<i64>,
}

impl LegacyIndex {
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The vector at `position`.
    pub fn vector(&self, position: usize) -> &[f32] {
        &self.vectors[position * self.dimension..(position + 1) * self.dimension]
    }

    /// Reads an index file in any of the supported forms, told apart by its
    /// first bytes.
    pub fn read(path: &Path) -> Result<Self, LegacyError> {
        let bytes = std::fs::read(path).map_err(|source| LegacyError::Io {
            path: path.to_owned(),
            source,
        })?;
        Self::parse(&bytes).map_err(|e| e.at(path))
    }

    /// [`LegacyIndex::read`] on bytes in memory.
    pub fn parse(bytes: &[u8]) -> Result<Self, ParseError> {
        match bytes.first() {
            Some(0x80) => crate::pickle::parse(bytes),
            Some(_) => crate::faiss::parse(bytes),
            None => Err(ParseError::new("faiss", 0, "the file is empty")),
        }
    }
}

/// A parse failure before the file's path is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub format: &'static str,
    pub offset: usize,
    pub message: String,
}

impl ParseError {
    pub fn new(format: &'static str, offset: usize, message: impl Into<String>) -> Self {
        Self {
            format,
            offset,
            message: message.into(),
        }
    }

    pub fn at(self, path: &Path) -> LegacyError {
        LegacyError::CorruptIndex {
            path: path.to_owned(),
            format: self.format,
            offset: self.offset,
            message: self.message,
        }
    }
}

/// A bounds-checked little-endian reader over a byte slice.
#[derive(Debug)]
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
    pub(crate) pos: usize,
    format: &'static str,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8], format: &'static str) -> Self {
        Self {
            bytes,
            pos: 0,
            format,
        }
    }

    pub(crate) fn error(&self, message: impl Into<String>) -> ParseError {
        ParseError::new(self.format, self.pos, message)
    }

    pub(crate) fn take(&mut self, n: usize) -> Result<&'a [u8], ParseError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&end| end <= self.bytes.len())
            .ok_or_else(|| {
                self.error(format!(
                    "truncated: needs {n} more bytes, {} left",
                    self.bytes.len() - self.pos
                ))
            })?;
        let out = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(out)
    }

    pub(crate) fn array<const N: usize>(&mut self) -> Result<[u8; N], ParseError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    pub(crate) fn u8(&mut self) -> Result<u8, ParseError> {
        Ok(self.array::<1>()?[0])
    }

    pub(crate) fn u16(&mut self) -> Result<u16, ParseError> {
        Ok(u16::from_le_bytes(self.array()?))
    }

    pub(crate) fn i32(&mut self) -> Result<i32, ParseError> {
        Ok(i32::from_le_bytes(self.array()?))
    }

    pub(crate) fn u32(&mut self) -> Result<u32, ParseError> {
        Ok(u32::from_le_bytes(self.array()?))
    }

    pub(crate) fn i64(&mut self) -> Result<i64, ParseError> {
        Ok(i64::from_le_bytes(self.array()?))
    }

    pub(crate) fn u64(&mut self) -> Result<u64, ParseError> {
        Ok(u64::from_le_bytes(self.array()?))
    }

    pub(crate) fn at_end(&self) -> bool {
        self.pos == self.bytes.len()
    }

    /// A count read from the file, as a usize no larger than what is left
    /// divided by `unit` bytes (so a corrupt count never allocates).
    pub(crate) fn count(&self, value: u64, unit: usize) -> Result<usize, ParseError> {
        let left = (self.bytes.len() - self.pos) / unit.max(1);
        usize::try_from(value)
            .ok()
            .filter(|&n| n <= left)
            .ok_or_else(|| {
                self.error(format!(
                    "count {value} exceeds the {left} items the rest of the file can hold"
                ))
            })
    }
}

/// Little-endian f32s from bytes whose length is a multiple of 4.
pub(crate) fn f32s(bytes: &[u8]) -> Vec<f32> {
    bytes
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}
