//! The data of the noise screen (`super`): the path globs, subject words
//! and subject regexes that decide which fix-word commits are noise, and
//! [`NoiseTables`], which holds them for [`super::NoiseRules::new`]. Only
//! data; the decisions and their tests are in `mod.rs`.

/// Documentation and changelogs (globs; `*` crosses `/`).
pub const DOC_GLOBS: &[&str] = &[
    "*.md",
    "*.markdown",
    "*.rst",
    "*.adoc",
    "*.txt",
    "*.rdoc",
    "*.pod",
    "**/docs/**",
    "**/doc/**",
    "**/AUTHORS*",
    "**/HISTORY*",
    "**/CHANGELOG*",
    "**/CHANGES*",
    "**/NEWS*",
    "**/LICENSE*",
    "**/LICENCE*",
    "**/COPYING*",
    "**/CONTRIBUTING*",
    "**/README*",
    "**/HACKING*",
    "**/NOTICE*",
    "**/CODE_OF_CONDUCT*",
    "**/SECURITY*",
];
/// Tests and test data.
pub const TEST_GLOBS: &[&str] = &[
    "**/tests/**",
    "**/test/**",
    "**/__tests__/**",
    "**/spec/**",
    "**/testdata/**",
    "**/fixtures/**",
    "**/test_*.py",
    "**/*_test.py",
    "**/conftest.py",
    "**/*_test.go",
    "**/*.test.js",
    "**/*.test.ts",
    "**/*.test.jsx",
    "**/*.test.tsx",
    "**/*.spec.js",
    "**/*.spec.ts",
    "**/*Test.java",
    "**/*Tests.java",
    "**/*_spec.rb",
    "**/*_test.rb",
    "**/*Tests.cs",
    "**/*Test.kt",
];
/// Build, CI, packaging and configuration files (checked before docs, so
/// `requirements.txt` is build).
pub const BUILD_GLOBS: &[&str] = &[
    "**/.github/**",
    "**/.gitlab-ci.yml",
    "**/.circleci/**",
    "**/*azure-pipelines*",
    "*.yml",
    "*.yaml",
    "*.toml",
    "*.cfg",
    "*.ini",
    "*.lock",
    "**/*.json",
    "**/Pipfile",
    "**/Makefile",
    "**/makefile",
    "**/CMakeLists.txt",
    "**/*.mk",
    "**/setup.py",
    "**/noxfile.py",
    "**/fabfile.py",
    "**/requirements*.txt",
    "**/MANIFEST.in",
    "**/Dockerfile*",
    "**/.gitignore",
    "**/.gitattributes",
    "**/.editorconfig",
    "**/.coveragerc",
    "**/.travis.yml",
    "**/.pre-commit-config.yaml",
    "**/vendor/**",
    "**/_vendor/**",
    "**/vendored/**",
    "**/third_party/**",
    "**/node_modules/**",
];
/// Subject words (lower-case, whole words) of typo and documentation fixes.
pub const TYPO_WORDS: &[&str] = &[
    "typo",
    "typos",
    "typographical",
    "spelling",
    "misspelling",
    "misspelled",
    "misspelt",
    "grammar",
    "grammatical",
    "wording",
    "doc",
    "docs",
    "documentation",
    "docstring",
    "docstrings",
    "readme",
    "changelog",
    "whitespace",
    "indentation",
    "indenting",
    "pep8",
    "flake8",
    "lint",
    "linting",
    "punctuation",
];
/// Subject words (lower-case, whole words) of fixes to CI, linters and
/// warnings rather than to the product.
pub const TOOLING_WORDS: &[&str] = &[
    "ci", "travis", "appveyor", "jenkins", "doctest", "doctests", "pyflakes", "pylint", "mypy",
    "clippy", "eslint", "rubocop", "warning", "warnings", "pydev", "tox", "coverage", "codecov",
];
/// Subject words (lower-case, whole words) of refactors and clean-ups.
pub const REFACTOR_WORDS: &[&str] = &[
    "refactor",
    "refactored",
    "refactoring",
    "simplify",
    "simplified",
    "simplifies",
    "cleanup",
    "clean",
    "cleaned",
    "tidy",
    "tidied",
    "rename",
    "renamed",
    "reorganize",
    "reorganise",
    "restructure",
    "unnecessary",
    "unused",
    "redundant",
    "cosmetic",
    "nit",
    "nits",
];
/// Subject words that name a bug: a refactor subject with one is kept.
pub const BUG_WORDS: &[&str] = &[
    "bug",
    "bugs",
    "crash",
    "crashes",
    "leak",
    "leaks",
    "race",
    "deadlock",
    "hang",
    "hangs",
    "overflow",
    "security",
    "vulnerability",
    "cve",
    "regression",
    "error",
    "errors",
    "exception",
    "wrong",
    "incorrect",
    "broken",
    "fails",
    "failure",
    "infinite",
];

/// Subject words that say nothing about the problem (besides fix words).
pub const FILLER_WORDS: &[&str] = &[
    "a", "an", "the", "for", "some", "in", "on", "up", "of", "to", "and", "or", "with", "issue",
    "issues", "problem", "problems", "minor", "small", "tiny", "stupid", "more", "few", "another",
    "this", "that", "it", "again", "quick", "update", "updated", "updates", "change", "changes",
    "changed", "tweak", "tweaks", "stuff", "things", "thing", "wip", "oops", "try", "attempt",
];
/// Words a message needs besides fix words, file names and fillers.
pub const MIN_MESSAGE_WORDS: usize = 2;
/// Words of a body that make a vague subject informative.
pub const MIN_BODY_WORDS: usize = 5;

/// Subjects of version bumps and releases (case-insensitive).
pub const VERSION_SUBJECT: &str = r"(?i)^\s*(bump(ed|s)?\b.*\bversion|version bump|release v?\d|v?\d+\.\d+(\.\d+)*\s*$|prepare (for )?(the )?(v?\d|release))";
/// Subjects of merges committed without a second parent (squashes, rebases).
pub const MERGE_SUBJECT: &str = r"^\s*Merge\b";

/// The rule tables, before compiling: globs, subject words, subject regexes.
#[derive(Debug, Clone, Copy)]
pub struct NoiseTables<'a> {
    pub docs: &'a [&'a str],
    pub tests: &'a [&'a str],
    pub build: &'a [&'a str],
    pub typo_words: &'a [&'a str],
    pub tooling_words: &'a [&'a str],
    pub refactor_words: &'a [&'a str],
    pub bug_words: &'a [&'a str],
    pub filler_words: &'a [&'a str],
    pub version_subject: &'a str,
    pub merge_subject: &'a str,
}

impl NoiseTables<'static> {
    /// The tables of this module.
    pub const DEFAULT: Self = Self {
        docs: DOC_GLOBS,
        tests: TEST_GLOBS,
        build: BUILD_GLOBS,
        typo_words: TYPO_WORDS,
        tooling_words: TOOLING_WORDS,
        refactor_words: REFACTOR_WORDS,
        bug_words: BUG_WORDS,
        filler_words: FILLER_WORDS,
        version_subject: VERSION_SUBJECT,
        merge_subject: MERGE_SUBJECT,
    };
}
