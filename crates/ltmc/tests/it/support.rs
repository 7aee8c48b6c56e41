//! Helpers to run the `ltmc` binary in a temporary data dir and read its output.
//!
//! With `LTMC_TEST_BACKEND=postgres` (which `scripts/test` sets for the
//! backend-neutral tests) every `Ltmc` also gets a throw-away PostgreSQL
//! database and its commands run with `LTMC_DATABASE_URL`; the data dir still
//! holds whatever else a command writes.

use ltmc_store_pg::testing::{TestDb, postgres_selected, server_url};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub struct Ltmc {
    pub dir: tempfile::TempDir,
    pub hash_embedder: bool,
    /// The store's database when the tests run on PostgreSQL.
    pub db: Option<TestDb>,
}

impl Ltmc {
    /// A fresh data dir (and database, on PostgreSQL); `hash_embedder`
    /// selects the model-free test embedder.
    pub fn new(hash_embedder: bool) -> Self {
        let db = postgres_selected().then(|| {
            let server =
                server_url().expect("LTMC_TEST_BACKEND=postgres needs LTMC_TEST_DATABASE_URL");
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap()
                .block_on(TestDb::create(&server))
        });
        Self {
            dir: tempfile::tempdir().unwrap(),
            hash_embedder,
            db,
        }
    }

    /// The environment that points a process at this store's backend.
    pub fn backend_env(&self) -> Vec<(&'static str, String)> {
        self.db
            .iter()
            .map(|db| ("LTMC_DATABASE_URL", db.url.clone()))
            .collect()
    }

    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    pub fn command(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_ltmc"));
        cmd.env("LTMC_DATA_DIR", self.data_dir())
            .env_remove("LTMC_PROJECT")
            .env_remove("LTMC_DATABASE_URL")
            .envs(self.backend_env())
            .env("LTMC_LOG", "warn")
            .stdin(Stdio::null());
        if self.hash_embedder {
            cmd.env("LTMC_EMBEDDER", "hash");
        } else {
            cmd.env_remove("LTMC_EMBEDDER");
        }
        cmd
    }

    pub fn run(&self, args: &[&str]) -> Run {
        Run::from(self.command().args(args).output().unwrap())
    }

    /// Writes a file under the temp dir and returns its path.
    pub fn file(&self, name: &str, content: impl AsRef<[u8]>) -> PathBuf {
        let path = self.dir.path().join("files").join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, content).unwrap();
        path
    }
}

#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(out: Output) -> Self {
        Self {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8(out.stdout).unwrap(),
            stderr: String::from_utf8(out.stderr).unwrap(),
        }
    }
}

impl Run {
    #[track_caller]
    pub fn ok(self) -> Self {
        assert_eq!(self.code, 0, "expected success\n{self:#?}");
        self
    }

    /// Asserts the failure shape: non-zero exit, an `error:` line and a `hint:` line, nothing on stdout.
    #[track_caller]
    pub fn fails_with(self, needle: &str) -> Self {
        assert_ne!(self.code, 0, "expected failure\n{self:#?}");
        assert!(
            self.stdout.is_empty(),
            "stdout must stay clean on errors\n{self:#?}"
        );
        let error = self
            .stderr
            .lines()
            .find(|l| l.starts_with("error: "))
            .unwrap_or_else(|| panic!("no error line\n{self:#?}"));
        assert!(
            error.contains(needle),
            "error line {error:?} lacks {needle:?}"
        );
        assert!(
            self.stderr.lines().any(|l| l.starts_with("hint: ")),
            "no hint line\n{self:#?}"
        );
        assert!(!self.stderr.contains("panicked"), "panic\n{self:#?}");
        self
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(self.stdout.trim())
            .unwrap_or_else(|e| panic!("not one JSON value ({e}): {:?}", self.stdout))
    }

    pub fn json_lines(&self) -> Vec<serde_json::Value> {
        self.stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }
}

pub fn path_str(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// Runs `cmd` to its end, killing it and failing the test after `secs`
/// seconds (for inputs that could block, such as FIFOs, or damaged stores).
#[track_caller]
pub fn run_with_timeout(cmd: &mut Command, secs: u64) -> Run {
    use std::io::Read as _;
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Read both pipes on threads, so a chatty child cannot fill one and stall.
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = out.read_to_end(&mut s);
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = err.read_to_end(&mut s);
        s
    });
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{cmd:?} did not finish within {secs} s");
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    };
    Run {
        code: status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.join().unwrap()).into_owned(),
        stderr: String::from_utf8_lossy(&err.join().unwrap()).into_owned(),
    }
}

/// Runs `git` in `repo` with a fixed author and no signing; its stdout, trimmed.
pub fn git(repo: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .arg("-C")
        .arg(repo)
        .args([
            "-c",
            "user.name=Ada Fixer",
            "-c",
            "user.email=ada@example.invalid",
        ])
        .args([
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?}: {out:?}");
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}
