//! Folding keys: when two changes are the same fix. Pure.
//!
//! A file change's key is the SHA-256 of its normalised removed lines and
//! its normalised added lines (trimmed, inner whitespace collapsed, blank
//! and brace-only lines dropped), so the same edit in another file, with
//! other indentation or at another place, has the same key. A commit's key
//! is the hash of the sorted distinct keys of its files: the same change in
//! several files of one commit is one change, and two commits making the
//! same change (in any files) share a key. That key is what a rejected
//! draft's tombstone holds. Not here: which lines are shown (`hunks.rs`).

use crate::hunks::FileChange;
use sha2::{Digest, Sha256};

/// A line as keys and rules compare it: trimmed, whitespace runs as one
/// space; `None` for lines that say nothing (blank, only braces,
/// brackets, semicolons or commas).
pub fn normalize(line: &str) -> Option<String> {
    let collapsed = line.split_whitespace().collect::<Vec<_>>().join(" ");
    if collapsed
        .chars()
        .all(|c| matches!(c, '{' | '}' | '(' | ')' | '[' | ']' | ';' | ',' | ' '))
    {
        None
    } else {
        Some(collapsed)
    }
}

/// The key of one file change; `None` when it changes no meaningful line
/// (whitespace or braces only).
pub fn change_key(change: &FileChange) -> Option<String> {
    let removed: Vec<String> = change.removed().filter_map(normalize).collect();
    let added: Vec<String> = change.added().filter_map(normalize).collect();
    if removed.is_empty() && added.is_empty() {
        return None;
    }
    let mut hasher = Sha256::new();
    for line in &removed {
        hasher.update(b"-");
        hasher.update(line.as_bytes());
        hasher.update(b"\n");
    }
    hasher.update(b"\0");
    for line in &added {
        hasher.update(b"+");
        hasher.update(line.as_bytes());
        hasher.update(b"\n");
    }
    Some(hex::encode(hasher.finalize()))
}

/// The key of a commit's changes: of the sorted distinct file keys; `None`
/// without one.
pub fn commit_key(file_keys: &[String]) -> Option<String> {
    let mut keys: Vec<&String> = file_keys.iter().collect();
    keys.sort();
    keys.dedup();
    if keys.is_empty() {
        return None;
    }
    let mut hasher = Sha256::new();
    for k in keys {
        hasher.update(k.as_bytes());
        hasher.update(b"\n");
    }
    Some(format!("git:{}", &hex::encode(hasher.finalize())[..32]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hunks::{Hunk, Line};

    fn change(path: &str, removed: &[&str], added: &[&str]) -> FileChange {
        let mut lines: Vec<Line> = vec![Line::Context("context".into())];
        lines.extend(removed.iter().map(|l| Line::Removed((*l).to_owned())));
        lines.extend(added.iter().map(|l| Line::Added((*l).to_owned())));
        FileChange {
            path: path.to_owned(),
            hunks: vec![Hunk { lines }],
        }
    }

    #[test]
    fn normalize_collapses_whitespace_and_drops_empty_lines() {
        assert_eq!(normalize("  let  x =\t1; ").as_deref(), Some("let x = 1;"));
        assert_eq!(normalize("   "), None);
        assert_eq!(normalize("  });"), None);
    }

    #[test]
    fn same_edit_in_other_files_and_indentation_has_one_key() {
        let a = change("a.py", &["    eval(x)"], &["    int(x)"]);
        let b = change("lib/b.py", &["eval(x)"], &["int(x)  "]);
        let c = change("a.py", &["eval(x)"], &["float(x)"]);
        assert_eq!(change_key(&a), change_key(&b));
        assert_ne!(change_key(&a), change_key(&c));
        // Removed and added are not interchangeable.
        let swapped = change("a.py", &["int(x)"], &["eval(x)"]);
        assert_ne!(change_key(&a), change_key(&swapped));
        assert_eq!(change_key(&change("a.py", &["  "], &["}"])), None);
    }

    #[test]
    fn commit_key_ignores_order_and_repeats() {
        let k1 = "k1".to_owned();
        let k2 = "k2".to_owned();
        assert_eq!(
            commit_key(&[k1.clone(), k2.clone(), k1.clone()]),
            commit_key(&[k2.clone(), k1.clone()])
        );
        assert_ne!(commit_key(std::slice::from_ref(&k1)), commit_key(&[k1, k2]));
        assert_eq!(commit_key(&[]), None);
        assert!(commit_key(&["x".to_owned()]).unwrap().starts_with("git:"));
    }
}
