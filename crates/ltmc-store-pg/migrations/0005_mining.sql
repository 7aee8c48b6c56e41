-- ltmc PostgreSQL schema, version 5: mining fix patterns from git history
-- (issue 17 item 3): where mining each repository got to, where each mined
-- pattern came from, and the tombstones of rejected drafts. The counterpart
-- of the SQLite store's 0007_mining.sql (same rules).
--
-- Applied once, inside the transaction (holding the migration advisory lock)
-- that records it in schema_version; never edited after release. Times are
-- timestamptz and leave the database through ltmc_ts() (0001).

-- One row per mined repository of a project. `repo_id` is the repository's
-- root commit id; `last_commit` the newest commit of the last completed run.
CREATE TABLE mining_state (
    project      TEXT NOT NULL,
    repo_id      TEXT NOT NULL CHECK (btrim(repo_id) <> ''),
    repo_path    TEXT NOT NULL,
    last_commit  TEXT NOT NULL CHECK (btrim(last_commit) <> ''),
    runs         BIGINT NOT NULL DEFAULT 0 CHECK (runs >= 0),
    drafts_saved BIGINT NOT NULL DEFAULT 0 CHECK (drafts_saved >= 0),
    updated_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (project, repo_id)
);

-- Where a mined pattern came from: its folding key and its commits (full
-- ids, newest first). A dedicated table rather than the seed's
-- dart_task_ids: "was this change mined before" and "which pattern came from
-- commit X" are index look-ups here (GIN on the commits).
CREATE TABLE mined_pattern_sources (
    pattern_id BIGINT PRIMARY KEY REFERENCES fix_patterns (id) ON DELETE CASCADE,
    project    TEXT NOT NULL,
    repo_id    TEXT NOT NULL,
    fold_key   TEXT NOT NULL CHECK (btrim(fold_key) <> ''),
    commits    TEXT[] NOT NULL CHECK (cardinality(commits) > 0)
);
CREATE INDEX mined_pattern_sources_by_key ON mined_pattern_sources (project, fold_key);
CREATE INDEX mined_pattern_sources_by_commit ON mined_pattern_sources USING GIN (commits);

-- A rejected draft's folding key: mining never brings it back.
CREATE TABLE mining_tombstones (
    project     TEXT NOT NULL,
    fold_key    TEXT NOT NULL CHECK (btrim(fold_key) <> ''),
    title       TEXT NOT NULL,
    reason      TEXT,
    rejected_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (project, fold_key)
);
