//! Small git repositories built with git2 in a temporary directory, for the
//! mining tests: commits with given file contents (text or binary), side
//! branches and merges, each with its own time so the order is known.

use git2::{Oid, Repository, Signature, Time};
use std::path::Path;

pub struct TestRepo {
    pub dir: tempfile::TempDir,
    pub repo: Repository,
    clock: i64,
}

impl TestRepo {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let repo = Repository::init(dir.path()).expect("git init");
        Self {
            dir,
            repo,
            clock: 1_700_000_000,
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    fn signature(&mut self) -> Signature<'static> {
        self.clock += 60;
        Signature::new("Dev One", "dev@example.com", &Time::new(self.clock, 0)).expect("signature")
    }

    /// Writes `files` (path, bytes; `None` deletes) into the index and commits
    /// them on HEAD with `parents` (HEAD's commit when empty and HEAD exists).
    pub fn commit_on(
        &mut self,
        parents: &[Oid],
        message: &str,
        files: &[(&str, Option<&[u8]>)],
    ) -> Oid {
        let sig = self.signature();
        let mut index = self.repo.index().expect("index");
        // Start from the first parent's tree, so side branches keep their own files.
        if let Some(first) = parents.first() {
            let tree = self.repo.find_commit(*first).unwrap().tree().unwrap();
            index.read_tree(&tree).unwrap();
        }
        for (path, content) in files {
            let full = self.dir.path().join(path);
            if let Some(bytes) = content {
                std::fs::create_dir_all(full.parent().unwrap()).unwrap();
                std::fs::write(&full, bytes).unwrap();
                index.add_path(Path::new(path)).expect("add_path");
            } else {
                let _ = std::fs::remove_file(&full);
                index.remove_path(Path::new(path)).expect("remove_path");
            }
        }
        index.write().unwrap();
        let tree_id = index.write_tree().unwrap();
        let tree = self.repo.find_tree(tree_id).unwrap();
        let parents: Vec<git2::Commit<'_>> = parents
            .iter()
            .map(|p| self.repo.find_commit(*p).unwrap())
            .collect();
        let refs: Vec<&git2::Commit<'_>> = parents.iter().collect();
        self.repo
            .commit(None, &sig, &sig, message, &tree, &refs)
            .expect("commit")
    }

    /// Commits on HEAD (its current commit the parent) and moves HEAD.
    pub fn commit(&mut self, message: &str, files: &[(&str, Option<&[u8]>)]) -> Oid {
        let parents: Vec<Oid> = self.head().into_iter().collect();
        let id = self.commit_on(&parents, message, files);
        self.set_head(id);
        id
    }

    pub fn head(&self) -> Option<Oid> {
        self.repo.head().ok().and_then(|h| h.target())
    }

    pub fn set_head(&self, id: Oid) {
        self.repo
            .reference("refs/heads/main", id, true, "test")
            .expect("reference");
        self.repo.set_head("refs/heads/main").expect("set_head");
    }
}
