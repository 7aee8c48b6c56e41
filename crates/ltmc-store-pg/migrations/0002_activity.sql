-- ltmc PostgreSQL schema, version 2: what agents do besides storing
-- documents: chat messages and the chunks they used (context links), todos,
-- the relationship graph, and code attempts with their links to earlier ones.
-- The counterpart of the SQLite store's 0004_activity.sql: the same tables,
-- columns and rules, in PostgreSQL's types.
--
-- Applied once, inside the transaction (holding the migration advisory lock)
-- that records it in schema_version; never edited after release (add a later
-- file instead). Every table carries `project` (or reaches it through a parent
-- row), because no query may return another project's data. Ids are identity
-- columns (sequences): several servers share the database, and an id held by
-- a client never comes to name another record after a delete. Times are
-- timestamptz and leave the database through ltmc_ts() (0001), in the text
-- form the SQLite store writes.

CREATE TABLE chat_messages (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    project         TEXT NOT NULL,
    conversation_id TEXT NOT NULL CHECK (conversation_id <> ''),
    role            TEXT NOT NULL CHECK (role <> ''),
    content         TEXT NOT NULL,
    agent_name      TEXT,
    source_tool     TEXT,
    -- Always an object, so a reader can add keys without type checks.
    metadata        JSONB NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(metadata) = 'object'),
    -- The message's timestamp (SQLite's `timestamp` column; named like every
    -- other table's creation time here, and never a type name).
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);
-- A conversation is read in id (= time) order.
CREATE INDEX chat_messages_by_conversation ON chat_messages (project, conversation_id, id);

-- Which chunks a message used as context. A link dies with either end: a
-- deleted document's chunks take their links with them (the cascade from
-- resources reaches chunks, then here), so a link never names a chunk that is
-- gone. project is the message's, repeated for the usage statistics.
CREATE TABLE context_links (
    message_id BIGINT NOT NULL REFERENCES chat_messages (id) ON DELETE CASCADE,
    chunk_id   BIGINT NOT NULL REFERENCES chunks (id) ON DELETE CASCADE,
    project    TEXT NOT NULL,
    PRIMARY KEY (message_id, chunk_id)
);
-- The cascade from chunks looks links up by chunk_id: without this index
-- every deleted chunk would scan the whole table.
CREATE INDEX context_links_by_chunk ON context_links (chunk_id);
CREATE INDEX context_links_by_project ON context_links (project, chunk_id);

CREATE TABLE todos (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    project      TEXT NOT NULL,
    title        TEXT NOT NULL CHECK (btrim(title) <> ''),
    description  TEXT NOT NULL DEFAULT '',
    priority     TEXT NOT NULL CHECK (priority IN ('low', 'medium', 'high')),
    completed    BOOLEAN NOT NULL DEFAULT false,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    completed_at TIMESTAMPTZ,
    -- The words of title and description for search_todos, made as a
    -- chunk's are (ltmc_tsvector, 0001: punctuation splits, English stems,
    -- no stop words), so a word or an identifier matches a todo exactly as
    -- it matches a chunk, as in the SQLite store. Two vectors joined, not the
    -- texts, so that no phrase spans the end of the title and the description.
    search       TSVECTOR GENERATED ALWAYS AS
                 (ltmc_tsvector(title) || ltmc_tsvector(description)) STORED,
    -- A completed todo says when; an open one does not.
    CHECK (completed = (completed_at IS NOT NULL))
);
-- Listings are newest first, all or by state.
CREATE INDEX todos_by_project ON todos (project, id);
CREATE INDEX todos_by_project_state ON todos (project, completed, id);
CREATE INDEX todos_search ON todos USING gin (search);

-- The relationship graph: directed, labelled edges between named nodes
-- (documents by resource id, or any name a caller chooses, so no foreign
-- key). One edge per (source, target, relation): linking again updates its
-- properties instead of piling up copies. The UNIQUE index also serves
-- lookups by source; the index below serves lookups by target.
CREATE TABLE graph_edges (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    project    TEXT NOT NULL,
    source     TEXT NOT NULL CHECK (source <> ''),
    target     TEXT NOT NULL CHECK (target <> ''),
    relation   TEXT NOT NULL CHECK (relation <> ''),
    properties JSONB NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(properties) = 'object'),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (project, source, target, relation)
);
CREATE INDEX graph_edges_by_target ON graph_edges (project, target, relation);

-- Code attempts (seed 001's CodePatterns). The attempt's text, its one chunk
-- and its vector live in a resource of type 'code_attempt', like any chunk,
-- so vector ids, vector search and the integrity checks treat them as they
-- treat documents; this row holds the structured fields the filters of a
-- search run on. Deleting the resource deletes the attempt.
CREATE TABLE code_attempts (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    project           TEXT NOT NULL,
    resource_id       BIGINT NOT NULL UNIQUE REFERENCES resources (id) ON DELETE CASCADE,
    input_prompt      TEXT NOT NULL,
    generated_code    TEXT NOT NULL,
    result            TEXT NOT NULL CHECK (result IN ('pass', 'fail', 'partial')),
    function_name     TEXT,
    file_name         TEXT,
    module_name       TEXT,
    execution_time_ms BIGINT CHECK (execution_time_ms IS NULL OR execution_time_ms >= 0),
    error_message     TEXT,
    -- A plain list of tags (SQLite keeps a JSON array): one dimension, no NULLs.
    tags              TEXT[] NOT NULL DEFAULT '{}'
                      CHECK (coalesce(array_ndims(tags), 1) = 1 AND array_position(tags, NULL) IS NULL),
    created_at        TIMESTAMPTZ NOT NULL DEFAULT now()
);
-- One per filter of a search or an analysis; each starts with project.
CREATE INDEX code_attempts_by_project ON code_attempts (project, id);
CREATE INDEX code_attempts_by_result ON code_attempts (project, result);
CREATE INDEX code_attempts_by_function ON code_attempts (project, function_name);
CREATE INDEX code_attempts_by_file ON code_attempts (project, file_name);
CREATE INDEX code_attempts_by_module ON code_attempts (project, module_name);
CREATE INDEX code_attempts_by_time ON code_attempts (project, created_at);

-- Links from an attempt to earlier ones (seed 001's CodePatternContext),
-- with the cosine similarity of their vectors (REAL: the f32 it was given).
-- Both ends are attempts of the same project (checked when written); a link
-- dies with either end.
CREATE TABLE attempt_links (
    attempt_id BIGINT NOT NULL REFERENCES code_attempts (id) ON DELETE CASCADE,
    related_id BIGINT NOT NULL REFERENCES code_attempts (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('similar_function', 'same_file', 'same_module')),
    similarity REAL NOT NULL CHECK (similarity BETWEEN -1.0 AND 1.0),
    PRIMARY KEY (attempt_id, related_id, kind),
    CHECK (attempt_id <> related_id)
);
-- For the cascade when the related attempt goes.
CREATE INDEX attempt_links_by_related ON attempt_links (related_id);
