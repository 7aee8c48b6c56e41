//! A planted tree: anti-patterns in a few files, a clean file, ignored,
//! hidden, binary, too large and non-UTF-8 files. Checks exact positions,
//! counts, scoping by file type, ignore handling and determinism.

use crate::{input, rule};
use ltmc_core::RuleId;
use ltmc_core::fix::{RuleType, Severity};
use ltmc_guard::{GuardError, RuleSet, ScanOptions, ScanReport, scan_paths};
use std::fs;
use std::path::Path;

pub const STRIPE_LINE: &str = r#"STRIPE_KEY = "sk_live_abcdefgh12345678""#;

/// The planted tree's files.
pub fn plant(root: &Path) {
    let write = |path: &str, content: &[u8]| {
        let path = root.join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, content).unwrap();
    };
    write(".gitignore", b"ignored/\nsecret_dump.py\n");
    write(
        "app/config.py",
        format!("import os\n\n{STRIPE_LINE}\n").as_bytes(),
    );
    write(
        "app/db.py",
        b"def find(cursor, name):\n    cursor.execute(f\"SELECT * FROM users WHERE name = {name}\")\n",
    );
    write(
        "app/client.py",
        b"import requests\n\nasync def fetch(url):\n    return requests.get(url)\n",
    );
    write("app/clean.py", b"def add(a, b):\n    return a + b\n");
    write("app/latin.py", b"# caf\xe9\nKEY = 'sk_live_abcdefgh1234'\n");
    write(
        "web/page.ts",
        b"const key = \"sk_live_abcdefgh12345678\";\nconsole.log(key);\n",
    );
    write("notes.md", b"sk_live_ keys go in the vault\n");
    write("ignored/leak.py", STRIPE_LINE.as_bytes());
    write("secret_dump.py", STRIPE_LINE.as_bytes());
    write(".hidden/leak.py", STRIPE_LINE.as_bytes());
    let mut binary = b"\x89PNG\0\0\0".to_vec();
    binary.extend_from_slice(STRIPE_LINE.as_bytes());
    write("blob.py", &binary);
    let mut big = STRIPE_LINE.as_bytes().to_vec();
    big.extend(std::iter::repeat_n(b'#', 5000));
    write("big.py", &big);
}

/// The planted tree's rules; rule 5 is inactive and would not even compile.
pub fn rules() -> RuleSet {
    let mut inactive = rule(
        5,
        6,
        "inactive-rule",
        RuleType::Detection,
        Severity::Low,
        "(",
    );
    inactive.active = false;
    RuleSet::compile(vec![
        input(
            rule(
                1,
                5,
                "no-live-stripe-key-literal",
                RuleType::Enforcement,
                Severity::Critical,
                r#"["']sk_live_[0-9A-Za-z]{8,}["']"#,
            ),
            &[".py"],
        ),
        input(
            rule(
                2,
                4,
                "no-fstring-sql",
                RuleType::Enforcement,
                Severity::Critical,
                r#"(?i)\bf["'](SELECT|INSERT|UPDATE|DELETE|WITH)\s[^\n]*\{\w+"#,
            ),
            &[".py", ".sql"],
        ),
        input(
            rule(
                3,
                4,
                "no-requests-in-async",
                RuleType::Detection,
                Severity::High,
                r"async def [\s\S]*?\brequests\.(get|post|put|patch|delete)\(",
            ),
            &[".py"],
        ),
        input(
            rule(
                4,
                6,
                "no-console-log",
                RuleType::Prevention,
                Severity::Low,
                r"console\.log\(",
            ),
            &["ts", ".TSX"],
        ),
        input(inactive, &[]),
    ])
    .unwrap()
}

/// The options of the planted tree's scans: a 4 KiB limit makes big.py too large.
pub fn options() -> ScanOptions {
    ScanOptions {
        max_file_bytes: 4096,
        ..ScanOptions::default()
    }
}

pub fn scan(root: &Path, opts: &ScanOptions) -> ScanReport {
    scan_paths(&rules(), &[root.to_path_buf()], root, opts).unwrap()
}

type Row = (&'static str, usize, usize, usize, usize, &'static str);

fn rows(report: &ScanReport) -> Vec<(String, usize, usize, usize, usize, String)> {
    report
        .violations
        .iter()
        .map(|v| {
            (
                v.file_path.clone(),
                v.line,
                v.column,
                v.end_line,
                v.end_column,
                v.rule_name.clone(),
            )
        })
        .collect()
}

fn expect(report: &ScanReport, want: &[Row]) {
    let want: Vec<_> = want
        .iter()
        .map(|&(p, l, c, el, ec, r)| (p.to_owned(), l, c, el, ec, r.to_owned()))
        .collect();
    assert_eq!(rows(report), want);
}

/// What the default scan of the planted tree finds.
pub const FOUND: &[Row] = &[
    ("app/client.py", 3, 1, 4, 25, "no-requests-in-async"),
    ("app/config.py", 3, 14, 3, 40, "no-live-stripe-key-literal"),
    ("app/db.py", 2, 20, 2, 60, "no-fstring-sql"),
    ("app/latin.py", 2, 7, 2, 29, "no-live-stripe-key-literal"),
    ("web/page.ts", 2, 1, 2, 13, "no-console-log"),
];

#[test]
fn planted_tree_exact_violations_and_counts() {
    let dir = tempfile::tempdir().unwrap();
    plant(dir.path());
    let report = scan(dir.path(), &options());
    expect(&report, FOUND);
    // Scanned: the five .py files under app/ and page.ts. Skipped: blob.py
    // (binary), big.py (too large). No rule for notes.md. Not visited:
    // .gitignore and .hidden/ (hidden), ignored/ and secret_dump.py (ignored).
    assert_eq!(report.files_scanned, 6);
    assert_eq!(report.files_skipped, 2);
    assert_eq!(report.files_without_rules, 1);
    assert_eq!(report.rules, 4, "the inactive rule is skipped");
    assert_eq!(report.enforcement_violations(), 3);
    assert!(report.has_enforcement());
    assert_eq!(report.files_with_violations(), 5);
    assert_eq!(report.roots, [dir.path().to_path_buf()]);
    assert!(report.base.is_absolute());

    let config = &report.violations[1];
    assert_eq!(config.snippet, STRIPE_LINE);
    assert_eq!(config.rule_id, RuleId(1));
    assert_eq!(config.layer_number, 5);
    assert_eq!(config.severity, Severity::Critical);
    assert_eq!(config.rule_type, RuleType::Enforcement);
    assert_eq!(config.source_pattern_id, Some(ltmc_core::PatternId(101)));
    assert_eq!(
        config.action_required,
        "fix what no-live-stripe-key-literal flags"
    );
    assert_eq!(report.violations[0].snippet, "async def fetch(url):");
    assert_eq!(
        report.violations[2].snippet,
        r#"cursor.execute(f"SELECT * FROM users WHERE name = {name}")"#
    );
}

#[test]
fn file_types_scope_rules_to_their_files() {
    // page.ts holds a live key too, but the key rule is for .py only; and
    // the .ts rule never looks at .py files.
    let rules = rules();
    let page = "const key = \"sk_live_abcdefgh12345678\";\nconsole.log(key);\n";
    let names = |path: &str, content: &str| -> Vec<String> {
        rules
            .check_content(path, content)
            .into_iter()
            .map(|v| v.rule_name)
            .collect()
    };
    assert_eq!(names("web/page.ts", page), ["no-console-log"]);
    assert_eq!(names("web/page.py", page), ["no-live-stripe-key-literal"]);
    assert_eq!(names("web/page.TSX", page), ["no-console-log"]);
    assert!(names("web/page.js", page).is_empty());
}

#[test]
fn results_do_not_depend_on_threads() {
    let dir = tempfile::tempdir().unwrap();
    plant(dir.path());
    fs::create_dir(dir.path().join("many")).unwrap();
    for i in 0..20 {
        let path = dir.path().join(format!("many/m{i:02}.py"));
        fs::write(path, format!("x = 1\n{STRIPE_LINE}\n")).unwrap();
    }
    let one = scan(
        dir.path(),
        &ScanOptions {
            threads: 1,
            ..options()
        },
    );
    let many = scan(
        dir.path(),
        &ScanOptions {
            threads: 8,
            ..options()
        },
    );
    assert_eq!(one.violations, many.violations);
    assert_eq!(one.violations.len(), FOUND.len() + 20);
    assert_eq!(
        (
            one.files_scanned,
            one.files_skipped,
            one.files_without_rules
        ),
        (
            many.files_scanned,
            many.files_skipped,
            many.files_without_rules
        )
    );
}

#[test]
fn hidden_and_ignored_files_on_request() {
    let dir = tempfile::tempdir().unwrap();
    plant(dir.path());
    let hidden = scan(
        dir.path(),
        &ScanOptions {
            include_hidden: true,
            ..options()
        },
    );
    let paths: Vec<_> = hidden
        .violations
        .iter()
        .map(|v| v.file_path.as_str())
        .collect();
    assert!(paths.contains(&".hidden/leak.py"), "{paths:?}");
    assert!(!paths.contains(&"ignored/leak.py"), "{paths:?}");
    // .gitignore itself is visited now; no rule applies to it.
    assert_eq!(hidden.files_without_rules, 2);

    let everything = scan(
        dir.path(),
        &ScanOptions {
            respect_gitignore: false,
            ..options()
        },
    );
    let paths: Vec<_> = everything
        .violations
        .iter()
        .map(|v| v.file_path.as_str())
        .collect();
    assert!(paths.contains(&"ignored/leak.py"), "{paths:?}");
    assert!(paths.contains(&"secret_dump.py"), "{paths:?}");
    assert!(!paths.contains(&".hidden/leak.py"), "{paths:?}");
}

#[test]
fn git_directory_is_never_walked() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join(".git/hooks")).unwrap();
    fs::write(dir.path().join(".git/hooks/pre-commit.py"), STRIPE_LINE).unwrap();
    let report = scan(
        dir.path(),
        &ScanOptions {
            include_hidden: true,
            ..options()
        },
    );
    assert!(report.violations.is_empty(), "{:?}", report.violations);
}

#[test]
fn files_given_by_name_are_checked_even_if_ignored() {
    let dir = tempfile::tempdir().unwrap();
    plant(dir.path());
    let report = scan_paths(
        &rules(),
        &[
            dir.path().join("ignored/leak.py"),
            dir.path().join("app/db.py"),
        ],
        dir.path(),
        &options(),
    )
    .unwrap();
    let paths: Vec<_> = report
        .violations
        .iter()
        .map(|v| v.file_path.as_str())
        .collect();
    assert_eq!(paths, ["app/db.py", "ignored/leak.py"]);
    assert_eq!(report.files_scanned, 2);
}

#[test]
fn paths_outside_base_are_shown_as_given() {
    let dir = tempfile::tempdir().unwrap();
    plant(dir.path());
    let elsewhere = tempfile::tempdir().unwrap();
    let file = dir.path().join("app/config.py");
    let report = scan_paths(
        &rules(),
        std::slice::from_ref(&file),
        elsewhere.path(),
        &options(),
    )
    .unwrap();
    assert_eq!(report.violations.len(), 1);
    assert_eq!(report.violations[0].file_path, file.to_string_lossy());
}

#[test]
fn missing_path_is_not_found() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope");
    let err = scan_paths(
        &rules(),
        std::slice::from_ref(&missing),
        dir.path(),
        &options(),
    )
    .unwrap_err();
    assert_eq!(err, GuardError::NotFound { path: missing });
    assert!(err.to_string().contains("does not exist"), "{err}");
}

#[test]
fn no_paths_no_files() {
    let dir = tempfile::tempdir().unwrap();
    let report = scan_paths(&rules(), &[], dir.path(), &options()).unwrap();
    assert_eq!((report.files_scanned, report.violations.len()), (0, 0));
}

#[test]
fn invalid_active_rule_is_an_error_naming_it() {
    let err = RuleSet::compile(vec![input(
        rule(
            42,
            3,
            "broken",
            RuleType::Prevention,
            Severity::Medium,
            r"(?P<x>a",
        ),
        &[],
    )])
    .unwrap_err();
    let GuardError::InvalidRule {
        rule_id,
        rule_name,
        layer,
        message,
        ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(
        (*rule_id, rule_name.as_str(), *layer),
        (RuleId(42), "broken", 3)
    );
    // The regex parser's own words.
    assert!(message.contains("unclosed group"), "{message}");
}
