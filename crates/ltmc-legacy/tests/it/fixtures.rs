//! Finds (or makes) the legacy fixture directory.

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

/// The fixture directory, or `None` when the fixtures are not available here.
pub fn dir() -> Option<PathBuf> {
    static DIR: OnceLock<Option<PathBuf>> = OnceLock::new();
    DIR.get_or_init(|| {
        if let Some(dir) = std::env::var_os("LTMC_LEGACY_FIXTURES") {
            return Some(PathBuf::from(dir));
        }
        std::env::var_os("LTMC_LEGACY_PYTHON")?;
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
        let out = Command::new(root.join("scripts/legacy-fixtures"))
            .output()
            .expect("scripts/legacy-fixtures runs");
        assert!(
            out.status.success(),
            "scripts/legacy-fixtures failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Some(PathBuf::from(String::from_utf8(out.stdout).unwrap().trim()))
    })
    .clone()
}

/// The fixture's expected counts.
pub fn expected(name: &str) -> serde_json::Value {
    let dir = dir().unwrap().join(name);
    serde_json::from_slice(&std::fs::read(dir.join("expected.json")).unwrap()).unwrap()
}
