-- ltmc SQLite schema, version 4: what agents do besides storing documents:
-- chat messages and the chunks they used (context links), todos, the
-- relationship graph, and code attempts with their links to earlier ones.
--
-- Applied once, inside the BEGIN IMMEDIATE transaction that records it in
-- schema_version; never edited after release (add 0005_*.sql instead).
-- STRICT tables, as in 0001. Every table carries `project` (or reaches it
-- through a parent row), because no query may return another project's data.
-- Timestamps are written by SQLite in one fixed-width form, UTC with
-- milliseconds (2025-01-31T09:15:02.123Z): RFC 3339, and ordered as text, so
-- "created at or after" is a plain comparison that an index can serve.

-- AUTOINCREMENT here and below for the reason given in 0001: an id held by a
-- client must never come to name another record after a delete.
CREATE TABLE chat_messages (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    project         TEXT NOT NULL,
    conversation_id TEXT NOT NULL CHECK (conversation_id <> ''),
    role            TEXT NOT NULL CHECK (role <> ''),
    content         TEXT NOT NULL,
    agent_name      TEXT,
    source_tool     TEXT,
    -- Always an object, so a reader can add keys without type checks.
    metadata        TEXT NOT NULL DEFAULT '{}'
                    CHECK (json_valid(metadata) AND json_type(metadata) = 'object'),
    timestamp       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;
-- A conversation is read in id (= time) order.
CREATE INDEX chat_messages_by_conversation ON chat_messages (project, conversation_id, id);

-- Which chunks a message used as context. A link dies with either end: a
-- deleted document's chunks take their links with them (the cascade from
-- resources reaches chunks, then here), so a link never names a chunk that is
-- gone. project is the message's, repeated for the usage statistics.
CREATE TABLE context_links (
    message_id INTEGER NOT NULL REFERENCES chat_messages (id) ON DELETE CASCADE,
    chunk_id   INTEGER NOT NULL REFERENCES chunks (id) ON DELETE CASCADE,
    project    TEXT NOT NULL,
    PRIMARY KEY (message_id, chunk_id)
) STRICT, WITHOUT ROWID;
-- The cascade from chunks looks links up by chunk_id: without this index
-- every deleted chunk would scan the whole table.
CREATE INDEX context_links_by_chunk ON context_links (chunk_id);
CREATE INDEX context_links_by_project ON context_links (project, chunk_id);

CREATE TABLE todos (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    project      TEXT NOT NULL,
    title        TEXT NOT NULL CHECK (trim(title) <> ''),
    description  TEXT NOT NULL DEFAULT '',
    priority     TEXT NOT NULL CHECK (priority IN ('low', 'medium', 'high')),
    completed    INTEGER NOT NULL DEFAULT 0 CHECK (completed IN (0, 1)),
    created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    completed_at TEXT,
    -- A completed todo says when; an open one does not.
    CHECK ((completed = 1) = (completed_at IS NOT NULL))
) STRICT;
-- Listings are newest first, all or by state.
CREATE INDEX todos_by_project ON todos (project, id);
CREATE INDEX todos_by_project_state ON todos (project, completed, id);

-- Keyword search over todos, built like chunk_fts (0002): external content
-- (the text is read from todos, not stored twice), the same tokenizer (so a
-- word or an identifier matches a todo exactly as it matches a chunk), kept
-- in step by triggers inside the writing statement's transaction.
CREATE VIRTUAL TABLE todo_fts USING fts5(
    title,
    description,
    content = 'todos',
    content_rowid = 'id',
    tokenize = 'porter unicode61 remove_diacritics 2'
);
CREATE TRIGGER todo_fts_after_insert AFTER INSERT ON todos BEGIN
    INSERT INTO todo_fts (rowid, title, description) VALUES (new.id, new.title, new.description);
END;
CREATE TRIGGER todo_fts_after_delete AFTER DELETE ON todos BEGIN
    INSERT INTO todo_fts (todo_fts, rowid, title, description)
    VALUES ('delete', old.id, old.title, old.description);
END;
-- Only when indexed text changes: completing a todo re-indexes nothing.
CREATE TRIGGER todo_fts_after_update AFTER UPDATE OF id, title, description ON todos BEGIN
    INSERT INTO todo_fts (todo_fts, rowid, title, description)
    VALUES ('delete', old.id, old.title, old.description);
    INSERT INTO todo_fts (rowid, title, description) VALUES (new.id, new.title, new.description);
END;

-- The relationship graph: directed, labelled edges between named nodes
-- (documents by resource id, or any name a caller chooses, so no foreign
-- key). One edge per (source, target, relation): linking again updates its
-- properties instead of piling up copies. The UNIQUE index also serves
-- lookups by source; the index below serves lookups by target.
CREATE TABLE graph_edges (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    project    TEXT NOT NULL,
    source     TEXT NOT NULL CHECK (source <> ''),
    target     TEXT NOT NULL CHECK (target <> ''),
    relation   TEXT NOT NULL CHECK (relation <> ''),
    properties TEXT NOT NULL DEFAULT '{}'
               CHECK (json_valid(properties) AND json_type(properties) = 'object'),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    UNIQUE (project, source, target, relation)
) STRICT;
CREATE INDEX graph_edges_by_target ON graph_edges (project, target, relation);

-- Code attempts (seed 001's CodePatterns). The attempt's text, its one chunk
-- and its vector live in a resource of type 'code_attempt', like any chunk,
-- so vector ids, the vector log, the index cache and the integrity checks
-- treat them as they treat documents; this row holds the structured fields
-- the filters of a search run on. Deleting the resource deletes the attempt.
CREATE TABLE code_attempts (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    project           TEXT NOT NULL,
    resource_id       INTEGER NOT NULL UNIQUE REFERENCES resources (id) ON DELETE CASCADE,
    input_prompt      TEXT NOT NULL,
    generated_code    TEXT NOT NULL,
    result            TEXT NOT NULL CHECK (result IN ('pass', 'fail', 'partial')),
    function_name     TEXT,
    file_name         TEXT,
    module_name       TEXT,
    execution_time_ms INTEGER CHECK (execution_time_ms IS NULL OR execution_time_ms >= 0),
    error_message     TEXT,
    tags              TEXT NOT NULL DEFAULT '[]'
                      CHECK (json_valid(tags) AND json_type(tags) = 'array'),
    created_at        TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;
-- One per filter of a search or an analysis; each starts with project.
CREATE INDEX code_attempts_by_project ON code_attempts (project, id);
CREATE INDEX code_attempts_by_result ON code_attempts (project, result);
CREATE INDEX code_attempts_by_function ON code_attempts (project, function_name);
CREATE INDEX code_attempts_by_file ON code_attempts (project, file_name);
CREATE INDEX code_attempts_by_module ON code_attempts (project, module_name);
CREATE INDEX code_attempts_by_time ON code_attempts (project, created_at);

-- Links from an attempt to earlier ones (seed 001's CodePatternContext),
-- with the cosine similarity of their vectors. Both ends are attempts of the
-- same project (checked when written); a link dies with either end.
CREATE TABLE attempt_links (
    attempt_id INTEGER NOT NULL REFERENCES code_attempts (id) ON DELETE CASCADE,
    related_id INTEGER NOT NULL REFERENCES code_attempts (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('similar_function', 'same_file', 'same_module')),
    similarity REAL NOT NULL CHECK (similarity BETWEEN -1.0 AND 1.0),
    PRIMARY KEY (attempt_id, related_id, kind),
    CHECK (attempt_id <> related_id)
) STRICT, WITHOUT ROWID;
-- For the cascade when the related attempt goes.
CREATE INDEX attempt_links_by_related ON attempt_links (related_id);
