//! Refusing inputs that are not regular files (FIFOs, character and block
//! devices, sockets) before anything opens them: opening a FIFO waits for a
//! writer forever, and reading a device such as /dev/zero never ends.
//!
//! Not here: reading the files (each command), walking directories (the
//! walkers already keep to regular files).

use anyhow::anyhow;
use std::path::Path;

/// `Ok` for a regular file (or a link to one) and for a path that does not
/// exist (the caller's own error names it); an error with a hint for anything
/// else. `what` names the input in the message, e.g. "the rules file".
pub fn regular_file(path: &Path, what: &str) -> anyhow::Result<()> {
    let Ok(meta) = std::fs::metadata(path) else {
        return Ok(());
    };
    if meta.is_file() {
        return Ok(());
    }
    let kind = kind_of(meta.file_type());
    Err(crate::failure::with_hint(
        anyhow!("{what} {} is {kind}, not a regular file", path.display()),
        "give a regular file (to pass a stream, use `-` and pipe it into stdin)",
    ))
}

fn kind_of(t: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        if t.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if t.is_char_device() {
            return "a character device";
        }
        if t.is_block_device() {
            return "a block device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    if t.is_dir() {
        return "a directory";
    }
    "not a regular file"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_are_refused_and_files_pass() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.txt");
        std::fs::write(&file, "x").unwrap();
        assert!(regular_file(&file, "the file").is_ok());
        assert!(regular_file(&dir.path().join("missing"), "the file").is_ok());
        let err = regular_file(Path::new("/dev/null"), "the file").unwrap_err();
        assert!(format!("{err:#}").contains("character device"), "{err:#}");
    }
}
