//! The on-disk form of a project's HNSW index: one file per project beside
//! the database, written whole to a temporary file and renamed into place.
//!
//! A reader sees either the previous complete file or the new complete file,
//! never a mix, and a damaged file (torn by a crash of the disk, truncated,
//! edited) fails its checksum and is rebuilt from the database. The file
//! records which store, project and write generation it reflects; applying the
//! vector log after that generation is the caller's job (`cache.rs`). Not a
//! database: nothing here is the truth, and losing the file loses nothing.
//!
//! Layout (little-endian): magic `LTMCANN\0`, format version u32, header
//! length u32, header JSON, type count u32, then per resource type its name
//! (u32 length + UTF-8) and its vector ids (u64 count + i64 each), graph
//! length u64, the graph (usearch's own serialisation), and a CRC-32 of every
//! byte before it. The format is ours because the graph alone cannot carry the
//! generation and the type of each vector that filtered search needs.

use crate::error::{Error, Result};
use ltmc_index::{HnswIndex, HnswParams};
use ltmc_store::StoreError;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

const MAGIC: &[u8; 8] = b"LTMCANN\0";
const FORMAT_VERSION: u32 = 1;
/// Temporary files older than this were left by a killed process.
const STALE_TEMPORARY: Duration = Duration::from_secs(3600);

/// What a file says it reflects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Header {
    pub store_uid: String,
    pub project: String,
    pub generation: i64,
    pub dimension: usize,
    pub indexed: usize,
    pub connectivity: usize,
    pub expansion_add: usize,
    pub expansion_search: usize,
}

impl Header {
    pub fn params(&self) -> HnswParams {
        HnswParams {
            connectivity: self.connectivity,
            expansion_add: self.expansion_add,
            expansion_search: self.expansion_search,
        }
    }
}

/// A file's contents, parsed and checked.
pub(crate) struct Loaded {
    pub header: Header,
    pub types: Vec<(String, HashSet<i64>)>,
    pub graph: HnswIndex,
}

/// The directory of the index files of the database at `db_path`.
pub(crate) fn dir_for(db_path: &Path) -> PathBuf {
    let mut name = db_path.file_name().unwrap_or_default().to_owned();
    name.push("-ann");
    db_path.with_file_name(name)
}

/// The file of `project`. Project names may be `.` or `..`, so the name is
/// hex-encoded rather than used as a path.
pub(crate) fn path_for(dir: &Path, project: &str) -> PathBuf {
    dir.join(format!("{}.hnsw", hex::encode(project)))
}

fn damaged(path: &Path, what: impl std::fmt::Display) -> Error {
    Error::Store(StoreError::Corrupt(format!(
        "index file {}: {what}",
        path.display()
    )))
}

/// Reads and checks `path`. `Ok(None)` when there is no file.
pub(crate) fn read(path: &Path) -> Result<Option<Loaded>> {
    let bytes = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(err) => return Err(damaged(path, err)),
    };
    parse(&bytes).map(Some).map_err(|what| damaged(path, what))
}

/// The header of `path` alone (not checked against the checksum, which
/// needs the whole file): enough to decide whether the file is worth
/// loading. `None` when there is no readable header.
pub(crate) fn peek_header(path: &Path) -> Option<Header> {
    use std::io::Read as _;
    let mut file = File::open(path).ok()?;
    let mut start = [0u8; 16];
    file.read_exact(&mut start).ok()?;
    if &start[..MAGIC.len()] != MAGIC {
        return None;
    }
    let mut reader = Reader {
        bytes: &start[MAGIC.len()..],
    };
    if reader.u32().ok()? != FORMAT_VERSION {
        return None;
    }
    let len = reader.len(false).ok()?;
    let mut header = vec![0u8; len.min(1 << 20)];
    file.read_exact(&mut header).ok()?;
    serde_json::from_slice(&header).ok()
}

/// A cursor over the file's bytes that fails, never panics, on short input.
struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> std::result::Result<&'a [u8], String> {
        if n > self.bytes.len() {
            return Err("ends early".into());
        }
        let (head, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Ok(head)
    }

    fn u32(&mut self) -> std::result::Result<u32, String> {
        let bytes = self.take(4)?;
        Ok(u32::from_le_bytes(
            bytes.try_into().map_err(|_| "ends early")?,
        ))
    }

    fn u64(&mut self) -> std::result::Result<u64, String> {
        let bytes = self.take(8)?;
        Ok(u64::from_le_bytes(
            bytes.try_into().map_err(|_| "ends early")?,
        ))
    }

    fn len(&mut self, wide: bool) -> std::result::Result<usize, String> {
        let n = if wide {
            self.u64()?
        } else {
            u64::from(self.u32()?)
        };
        usize::try_from(n).map_err(|_| format!("length {n} too large"))
    }
}

fn parse(bytes: &[u8]) -> std::result::Result<Loaded, String> {
    if bytes.len() < MAGIC.len() + 8 || &bytes[..MAGIC.len()] != MAGIC {
        return Err("not an ltmc index file".into());
    }
    let (body, crc) = bytes.split_at(bytes.len() - 4);
    let expected = u32::from_le_bytes(crc.try_into().map_err(|_| "ends early")?);
    if crc32fast::hash(body) != expected {
        return Err("checksum mismatch (torn or damaged)".into());
    }
    let mut reader = Reader {
        bytes: &body[MAGIC.len()..],
    };
    let version = reader.u32()?;
    if version != FORMAT_VERSION {
        return Err(format!(
            "format version {version}, this ltmc reads {FORMAT_VERSION}"
        ));
    }
    let header_len = reader.len(false)?;
    let header: Header =
        serde_json::from_slice(reader.take(header_len)?).map_err(|err| format!("header: {err}"))?;
    let type_count = reader.len(false)?;
    let mut types = Vec::with_capacity(type_count.min(1024));
    for _ in 0..type_count {
        let name_len = reader.len(false)?;
        let name = std::str::from_utf8(reader.take(name_len)?)
            .map_err(|_| "resource type is not UTF-8")?
            .to_owned();
        let count = reader.len(true)?;
        let raw = reader.take(count.checked_mul(8).ok_or("id count too large")?)?;
        let ids: HashSet<i64> = raw
            .chunks_exact(8)
            .map(|b| i64::from_le_bytes(b.try_into().unwrap_or_default()))
            .collect();
        types.push((name, ids));
    }
    let graph_len = reader.len(true)?;
    let graph = HnswIndex::from_bytes(reader.take(graph_len)?, header.dimension, header.params())
        .map_err(|err| err.to_string())?;
    if !reader.bytes.is_empty() {
        return Err("trailing bytes".into());
    }
    let with_type: usize = types.iter().map(|(_, ids)| ids.len()).sum();
    if graph.len() != header.indexed || with_type != header.indexed {
        return Err(format!(
            "header says {} vectors, graph holds {}, types list {with_type}",
            header.indexed,
            graph.len()
        ));
    }
    Ok(Loaded {
        header,
        types,
        graph,
    })
}

/// A writer that checksums what passes through it.
struct Checksummed<W> {
    inner: W,
    crc: crc32fast::Hasher,
}

impl<W: Write> Write for Checksummed<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.crc.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Writes the file for `header.project` atomically: a temporary file in the
/// same directory, fsynced, renamed over the old one, and the directory
/// fsynced so the rename survives a power cut.
pub(crate) fn write(
    dir: &Path,
    header: &Header,
    types: &[(String, HashSet<i64>)],
    graph: &HnswIndex,
) -> Result<PathBuf> {
    let target = path_for(dir, &header.project);
    let io_err = |err: io::Error| damaged(&target, format!("cannot write: {err}"));
    fs::create_dir_all(dir).map_err(io_err)?;
    remove_stale_temporaries(dir);
    let graph_bytes = graph
        .to_bytes()
        .map_err(|err| damaged(&target, format!("cannot serialise: {err}")))?;
    let temporary = tempfile::Builder::new()
        .prefix(".tmp-")
        .suffix(".hnsw")
        .tempfile_in(dir)
        .map_err(io_err)?;
    {
        let mut out = Checksummed {
            inner: BufWriter::with_capacity(1 << 20, temporary.as_file()),
            crc: crc32fast::Hasher::new(),
        };
        let header_json = serde_json::to_vec(header)
            .map_err(|err| damaged(&target, format!("cannot encode header: {err}")))?;
        let too_big = |_| damaged(&target, "section too large");
        out.write_all(MAGIC).map_err(io_err)?;
        out.write_all(&FORMAT_VERSION.to_le_bytes())
            .map_err(io_err)?;
        out.write_all(
            &u32::try_from(header_json.len())
                .map_err(too_big)?
                .to_le_bytes(),
        )
        .map_err(io_err)?;
        out.write_all(&header_json).map_err(io_err)?;
        out.write_all(&u32::try_from(types.len()).map_err(too_big)?.to_le_bytes())
            .map_err(io_err)?;
        for (name, ids) in types {
            out.write_all(&u32::try_from(name.len()).map_err(too_big)?.to_le_bytes())
                .map_err(io_err)?;
            out.write_all(name.as_bytes()).map_err(io_err)?;
            out.write_all(&(ids.len() as u64).to_le_bytes())
                .map_err(io_err)?;
            for id in ids {
                out.write_all(&id.to_le_bytes()).map_err(io_err)?;
            }
        }
        out.write_all(&(graph_bytes.len() as u64).to_le_bytes())
            .map_err(io_err)?;
        out.write_all(&graph_bytes).map_err(io_err)?;
        let crc = out.crc.clone().finalize();
        let mut inner = out.inner;
        inner.write_all(&crc.to_le_bytes()).map_err(io_err)?;
        inner.flush().map_err(io_err)?;
    }
    temporary.as_file().sync_all().map_err(io_err)?;
    temporary
        .persist(&target)
        .map_err(|err| io_err(err.error))?;
    if let Ok(handle) = File::open(dir) {
        // Best effort: not every file system lets a directory be fsynced.
        let _ = handle.sync_all();
    }
    Ok(target)
}

/// Deletes the file of `project`, if any.
pub(crate) fn remove(dir: &Path, project: &str) -> Result<()> {
    let path = path_for(dir, project);
    match fs::remove_file(&path) {
        Ok(()) => Ok(()),
        Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(err) => Err(damaged(&path, format!("cannot remove: {err}"))),
    }
}

/// A process killed while writing leaves its temporary file behind; one
/// that old belongs to no live writer.
fn remove_stale_temporaries(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let stale = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|modified| SystemTime::now().duration_since(modified).ok())
            .is_some_and(|age| age > STALE_TEMPORARY);
        if name.to_string_lossy().starts_with(".tmp-") && stale {
            let _ = fs::remove_file(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> (Header, Vec<(String, HashSet<i64>)>, HnswIndex) {
        let mut graph = HnswIndex::new(4, HnswParams::default()).unwrap();
        graph.insert(1, &[1.0, 0.0, 0.0, 0.0]).unwrap();
        graph.insert(2, &[0.0, 1.0, 0.0, 0.0]).unwrap();
        graph.insert(3, &[0.0, 0.0, 1.0, 0.0]).unwrap();
        let types = vec![
            ("doc".to_owned(), HashSet::from([1, 2])),
            ("code".to_owned(), HashSet::from([3])),
        ];
        let header = Header {
            store_uid: "abc".into(),
            project: "..".into(),
            generation: 42,
            dimension: 4,
            indexed: 3,
            connectivity: 16,
            expansion_add: 128,
            expansion_search: 160,
        };
        (header, types, graph)
    }

    #[test]
    fn round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let (header, types, graph) = sample();
        let path = write(dir.path(), &header, &types, &graph).unwrap();
        assert_eq!(path, path_for(dir.path(), ".."));
        assert_eq!(path.parent(), Some(dir.path()));
        let loaded = read(&path).unwrap().unwrap();
        assert_eq!(loaded.header, header);
        assert_eq!(peek_header(&path), Some(header.clone()));
        assert_eq!(loaded.types, types);
        assert_eq!(loaded.graph.len(), 3);
        assert!(loaded.graph.contains(3));
        // No temporary left behind.
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn missing_is_none_and_damage_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        assert!(read(&dir.path().join("none.hnsw")).unwrap().is_none());
        let (header, types, graph) = sample();
        let path = write(dir.path(), &header, &types, &graph).unwrap();
        let good = fs::read(&path).unwrap();
        for cut in [0, 5, 20, good.len() / 2, good.len() - 1] {
            fs::write(&path, &good[..cut]).unwrap();
            assert!(read(&path).is_err(), "truncated at {cut}");
        }
        let mut flipped = good.clone();
        let middle = flipped.len() / 2;
        flipped[middle] ^= 0x40;
        fs::write(&path, &flipped).unwrap();
        let err = format!("{:?}", read(&path).err().unwrap());
        assert!(err.contains("checksum"), "{err}");
    }

    #[test]
    fn directory_sits_beside_the_database() {
        assert_eq!(
            dir_for(Path::new("/data/ltmc.db")),
            PathBuf::from("/data/ltmc.db-ann")
        );
    }
}
