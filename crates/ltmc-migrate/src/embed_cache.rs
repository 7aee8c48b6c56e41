//! The resumable embedding of every legacy chunk's raw text (what the
//! legacy vectors are compared with): embedded in batches, each batch
//! appended to a cache file of raw little-endian f32 rows, so a killed run's
//! work is picked up by the next. Not here: the heading-prefixed embeddings
//! the store keeps (`import.rs`).

use crate::{MigrateError, Progress};
use ltmc_core::embed::Embedder;
use std::io::{Seek as _, Write as _};
use std::path::Path;
use std::sync::Arc;

/// Texts embedded per call (one progress step, one append to the cache):
/// two of the embedder's own batches, so a kill loses little.
const EMBED_BATCH: usize = 64;

/// Embeds `texts`, in batches, appending each batch's vectors to `cache`
/// and first taking the rows a killed run left there. A cached row that is
/// not a unit vector (a torn write) and all after it are embedded again.
pub(crate) async fn embed_cached(
    embedder: &Arc<dyn Embedder>,
    texts: &[&str],
    cache: Option<&Path>,
    progress: &dyn Progress,
) -> Result<Vec<Vec<f32>>, MigrateError> {
    let dim = embedder.dimension();
    let mut out: Vec<Vec<f32>> = Vec::with_capacity(texts.len());
    let mut file = None;
    if let Some(path) = cache {
        if let Ok(bytes) = std::fs::read(path) {
            out = cached_rows(&bytes, dim, texts.len());
        }
        let f = std::fs::OpenOptions::new()
            .create(true)
            .write(true)
            .truncate(false)
            .open(path)
            .map_err(MigrateError::io("cannot write", path))?;
        f.set_len((out.len() * dim * 4) as u64)
            .map_err(MigrateError::io("cannot write", path))?;
        file = Some((f, path));
    }
    progress.start("re-embedding chunks", texts.len() as u64);
    progress.advance(out.len() as u64);
    for batch in texts[out.len()..].chunks(EMBED_BATCH) {
        let batch: Vec<String> = batch.iter().map(|t| (*t).to_owned()).collect();
        let n = batch.len() as u64;
        let e = Arc::clone(embedder);
        let vectors = tokio::task::spawn_blocking(move || {
            let refs: Vec<&str> = batch.iter().map(String::as_str).collect();
            e.embed(&refs)
        })
        .await??;
        if let Some((f, path)) = file.as_mut() {
            let bytes: Vec<u8> = vectors
                .iter()
                .flatten()
                .flat_map(|x| x.to_le_bytes())
                .collect();
            f.seek(std::io::SeekFrom::End(0))
                .and_then(|_| f.write_all(&bytes))
                .map_err(MigrateError::io("cannot write", *path))?;
        }
        out.extend(vectors);
        progress.advance(n);
    }
    progress.finish();
    Ok(out)
}

/// The leading unit-length rows of `bytes` (at most `max`), `dim` floats each.
fn cached_rows(bytes: &[u8], dim: usize, max: usize) -> Vec<Vec<f32>> {
    let mut out = Vec::new();
    for row in bytes.chunks_exact(dim * 4).take(max) {
        let v: Vec<f32> = row
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        if !(0.999..=1.001).contains(&norm) {
            break;
        }
        out.push(v);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::NoProgress;
    use ltmc_embed::testing::HashEmbedder;

    #[tokio::test]
    async fn a_killed_run_s_rows_are_reused_and_a_torn_row_is_embedded_again() {
        let embedder: Arc<dyn Embedder> = Arc::new(HashEmbedder::new(16).unwrap());
        let texts: Vec<String> = (0..70).map(|i| format!("chunk number {i} text")).collect();
        let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
        let dir = tempfile::tempdir().unwrap();
        let cache = dir.path().join("fresh.f32");
        let whole = embed_cached(&embedder, &texts, Some(&cache), &NoProgress)
            .await
            .unwrap();
        assert_eq!(whole.len(), 70);
        assert_eq!(std::fs::metadata(&cache).unwrap().len(), 70 * 16 * 4);

        // A kill after 65 rows, the last of them torn (zeros).
        let mut bytes = std::fs::read(&cache).unwrap();
        bytes.truncate(65 * 16 * 4);
        for b in &mut bytes[64 * 16 * 4..] {
            *b = 0;
        }
        assert_eq!(cached_rows(&bytes, 16, 70).len(), 64);
        std::fs::write(&cache, &bytes).unwrap();
        let resumed = embed_cached(&embedder, &texts, Some(&cache), &NoProgress)
            .await
            .unwrap();
        assert_eq!(resumed, whole);
        assert_eq!(std::fs::metadata(&cache).unwrap().len(), 70 * 16 * 4);
    }
}
