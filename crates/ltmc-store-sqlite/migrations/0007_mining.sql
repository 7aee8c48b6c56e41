-- ltmc SQLite schema, version 7: mining fix patterns from git history
-- (issue 17 item 3): where mining each repository got to, where each mined
-- pattern came from, and the tombstones of rejected drafts.
--
-- Applied once, inside the BEGIN IMMEDIATE transaction that records it in
-- schema_version; never edited after release (add 0008_*.sql instead).

-- One row per mined repository of a project. `repo_id` is the repository's
-- root commit id (a moved clone is the same repository); `last_commit` the
-- newest commit of the last completed run.
CREATE TABLE mining_state (
    project      TEXT NOT NULL,
    repo_id      TEXT NOT NULL CHECK (trim(repo_id) <> ''),
    repo_path    TEXT NOT NULL,
    last_commit  TEXT NOT NULL CHECK (trim(last_commit) <> ''),
    runs         INTEGER NOT NULL DEFAULT 0 CHECK (runs >= 0),
    drafts_saved INTEGER NOT NULL DEFAULT 0 CHECK (drafts_saved >= 0),
    updated_at   TEXT NOT NULL,
    PRIMARY KEY (project, repo_id)
) STRICT;

-- Where a mined pattern came from: its folding key (the hash of its
-- normalised removed and added lines) and the commits (a JSON array of full
-- ids, newest first). A dedicated table rather than the seed's dart_task_ids:
-- "was this change mined before" and "which pattern came from commit X" are
-- index look-ups here. Goes with its pattern.
CREATE TABLE mined_pattern_sources (
    pattern_id INTEGER PRIMARY KEY REFERENCES fix_patterns (id) ON DELETE CASCADE,
    project    TEXT NOT NULL,
    repo_id    TEXT NOT NULL,
    fold_key   TEXT NOT NULL CHECK (trim(fold_key) <> ''),
    commits    TEXT NOT NULL
               CHECK (json_valid(commits) AND json_type(commits) = 'array'
                      AND json_array_length(commits) > 0)
) STRICT;
CREATE INDEX mined_pattern_sources_by_key ON mined_pattern_sources (project, fold_key);

-- One row per (pattern, commit), for look-ups by commit.
CREATE TABLE mined_pattern_commits (
    pattern_id INTEGER NOT NULL REFERENCES fix_patterns (id) ON DELETE CASCADE,
    commit_id  TEXT NOT NULL,
    PRIMARY KEY (pattern_id, commit_id)
) STRICT;
CREATE INDEX mined_pattern_commits_by_commit ON mined_pattern_commits (commit_id);

-- A rejected draft's folding key: mining never brings it back.
CREATE TABLE mining_tombstones (
    project     TEXT NOT NULL,
    fold_key    TEXT NOT NULL CHECK (trim(fold_key) <> ''),
    title       TEXT NOT NULL,
    reason      TEXT,
    rejected_at TEXT NOT NULL,
    PRIMARY KEY (project, fold_key)
) STRICT;
