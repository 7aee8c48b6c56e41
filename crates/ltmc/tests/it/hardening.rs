//! The command line where the environment is hostile: a read-only store
//! (asked for, or files without write permission), the durability setting
//! read back from SQLite, a reader that closes stdout early, inputs that are
//! FIFOs or devices, and a `--data-dir` that is a file.
//!
//! SQLite only, whatever `LTMC_TEST_BACKEND` says: these are about files.
//! Tests run as root, where permission bits stop no write; the read-only
//! detection reads the bits, so it is tested all the same. Not here: damaged
//! stores (corruption.rs).

use crate::support::{Ltmc, Run, path_str, run_with_timeout};
use std::io::{BufRead as _, BufReader};
use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;
use std::process::Stdio;

fn sqlite_store() -> Ltmc {
    let ltmc = Ltmc {
        dir: tempfile::tempdir().unwrap(),
        hash_embedder: true,
        db: None,
    };
    let f = ltmc.file("a.md", "the otters rebuild their dam every spring");
    ltmc.run(&["store", path_str(&f)]).ok();
    ltmc
}

fn resources(ltmc: &Ltmc, data_dir: &Path) -> String {
    let doctor = ltmc
        .command()
        .env("LTMC_DATA_DIR", data_dir)
        .args(["doctor", "--json"])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&doctor.stdout).unwrap();
    json["checks"][2]["detail"].as_str().unwrap().to_owned()
}

#[test]
fn read_only_flag_reads_and_refuses_writes() {
    let ltmc = sqlite_store();
    let before = std::fs::read(ltmc.data_dir().join("ltmc.db")).unwrap();
    let found = ltmc
        .run(&[
            "--read-only",
            "search",
            "otters",
            "--mode",
            "keyword",
            "--json",
        ])
        .ok()
        .json();
    assert_eq!(found["results"].as_array().unwrap().len(), 1, "{found}");
    let doctor = ltmc.run(&["--read-only", "doctor"]).ok();
    assert!(doctor.stdout.contains("read-only"), "{doctor:#?}");
    assert!(doctor.stdout.contains("skipped: FTS5"), "{doctor:#?}");

    let g = ltmc.file("b.md", "beavers too");
    let refused = ltmc
        .run(&["--read-only", "store", path_str(&g)])
        .fails_with("read-only");
    assert!(
        refused.stderr.contains("read-only was asked for"),
        "{refused:#?}"
    );
    assert!(refused.stderr.contains("--read-only"), "hint: {refused:#?}");
    // The same through the environment, for a delete.
    let env = Run::from(
        ltmc.command()
            .env("LTMC_READ_ONLY", "1")
            .args(["delete", "1"])
            .output()
            .unwrap(),
    );
    env.fails_with("read-only");
    ltmc.run(&["--read-only", "reindex", "--all"])
        .fails_with("read-only");
    assert_eq!(
        before,
        std::fs::read(ltmc.data_dir().join("ltmc.db")).unwrap(),
        "a read-only run wrote to the database"
    );
    // An export reads: migrate-store from the read-only store works.
    let target = ltmc.dir.path().join("copy");
    let to = format!("sqlite:{}/", target.display());
    let from = format!("sqlite:{}/", ltmc.data_dir().display());
    ltmc.run(&["--read-only", "migrate-store", "--from", &from, "--to", &to])
        .ok();
    assert!(resources(&ltmc, &target).contains("1 resources"));
}

#[test]
fn files_without_write_permission_open_read_only() {
    let ltmc = sqlite_store();
    let dir = ltmc.data_dir();
    let db = dir.join("ltmc.db");
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o444)).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o555)).unwrap();
    let found = ltmc
        .run(&["search", "otters", "--mode", "keyword", "--json"])
        .ok()
        .json();
    assert_eq!(found["results"].as_array().unwrap().len(), 1, "{found}");
    let doctor = ltmc.run(&["doctor"]).ok();
    assert!(doctor.stdout.contains("no write permission"), "{doctor:#?}");
    let g = ltmc.file("b.md", "beavers too");
    let refused = ltmc.run(&["store", path_str(&g)]).fails_with("read-only");
    assert!(
        refused.stderr.contains("no write permission"),
        "{refused:#?}"
    );
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).unwrap();
    // Writable again: the store takes writes.
    ltmc.run(&["store", path_str(&g)]).ok();
}

#[test]
fn durability_is_applied_and_read_back() {
    let ltmc = sqlite_store();
    let storage = |args: &[&str], env: Option<&str>| {
        let mut cmd = ltmc.command();
        if let Some(level) = env {
            cmd.env("LTMC_DURABILITY", level);
        } else {
            cmd.env_remove("LTMC_DURABILITY");
        }
        let run = Run::from(cmd.args(args).output().unwrap()).ok();
        run.json()["checks"][5]["detail"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let default = storage(&["doctor", "--json"], None);
    assert!(default.contains("synchronous=NORMAL"), "{default}");
    assert!(default.contains("journal_mode=wal"), "{default}");
    let full = storage(&["--durability", "full", "doctor", "--json"], None);
    assert!(full.contains("synchronous=FULL"), "{full}");
    let env = storage(&["doctor", "--json"], Some("full"));
    assert!(env.contains("synchronous=FULL"), "{env}");
    let wrong = ltmc.run(&["--durability", "sometimes", "doctor"]);
    assert_ne!(wrong.code, 0, "{wrong:#?}");
    assert!(
        wrong.stderr.contains("possible values: normal, full"),
        "{wrong:#?}"
    );
}

/// `ltmc store --json DIR | head -1`: everything is stored, and the exit
/// says the output was cut short.
#[test]
fn a_closed_stdout_does_not_cut_a_store_short() {
    let ltmc = Ltmc {
        dir: tempfile::tempdir().unwrap(),
        hash_embedder: true,
        db: None,
    };
    for i in 0..100 {
        ltmc.file(
            &format!("many/n{i}.md"),
            format!("note {i} on topic {}", i * 3),
        );
    }
    let dir = ltmc.dir.path().join("files/many");
    let mut child = ltmc
        .command()
        .args(["store", "--json", path_str(&dir)])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    // The reader is dropped here: the read end of the pipe is closed.
    assert!(first.contains("resource_id"), "{first}");
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_ne!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("100 of 100 inputs were stored"), "{stderr}");
    assert!(stderr.lines().any(|l| l.starts_with("hint: ")), "{stderr}");
    assert!(resources(&ltmc, &ltmc.data_dir()).contains("100 resources"));

    // Closed before the first line: the same.
    let mut child = ltmc
        .command()
        .args(["store", "--json", path_str(&dir)])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_ne!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("100 of 100 inputs were stored"), "{stderr}");
}

#[test]
fn fifos_and_devices_are_refused_without_blocking() {
    let ltmc = sqlite_store();
    let fifo = ltmc.dir.path().join("files/pipe");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let run = |args: &[&str]| run_with_timeout(ltmc.command().args(args), 30);
    run(&["store", path_str(&fifo)]).fails_with("FIFO");
    run(&["store", "/dev/zero"]).fails_with("character device");
    run(&["audit", "import", path_str(&fifo)]).fails_with("FIFO");
    run(&["guard", "check", path_str(&fifo)]).fails_with("FIFO");
    run(&["guard", "check", "--rules", path_str(&fifo), "."]).fails_with("FIFO");
    // In a walked directory a FIFO is passed over, not opened.
    ltmc.file("walk/real.md", "a real note");
    std::process::Command::new("mkfifo")
        .arg(ltmc.dir.path().join("files/walk/pipe"))
        .status()
        .unwrap();
    let walked = run(&["store", path_str(&ltmc.dir.path().join("files/walk"))]).ok();
    assert!(walked.stdout.contains("real.md"), "{walked:#?}");
}

#[test]
fn a_data_dir_that_is_a_file_is_refused_with_a_hint() {
    let ltmc = sqlite_store();
    let db = ltmc.data_dir().join("ltmc.db");
    let with_dir = |dir: &Path, args: &[&str]| {
        Run::from(
            ltmc.command()
                .env("LTMC_DATA_DIR", dir)
                .args(args)
                .output()
                .unwrap(),
        )
    };
    let f = ltmc.file("c.md", "something");
    let refused = with_dir(&db, &["store", path_str(&f)]).fails_with("is a file, not a directory");
    assert!(
        refused
            .stderr
            .contains(&format!("--data-dir {}", ltmc.data_dir().display())),
        "{refused:#?}"
    );
    with_dir(&db, &["search", "otters"]).fails_with("is a file, not a directory");
    let doctor = with_dir(&f, &["doctor"]);
    assert_ne!(doctor.code, 0, "{doctor:#?}");
    assert!(doctor.stdout.contains("FAIL data_dir"), "{doctor:#?}");
    assert!(doctor.stderr.contains("hint: "), "{doctor:#?}");
}
