-- ltmc PostgreSQL schema, version 1: the store's metadata, resources, their
-- chunks, the chunks' vectors (pgvector) and the chunks' keyword index.
--
-- Applied once, inside the transaction (holding the migration advisory lock)
-- that records it in schema_version; never edited after release (add
-- 0002_*.sql instead). Every id comes from a sequence, so several ltmc
-- servers writing to one database never hand out the same id, and an id is
-- never reused after a delete.

CREATE EXTENSION IF NOT EXISTS vector;

-- The migrations applied to this database, one row each. A version above what
-- the binary knows means a newer ltmc wrote here: the store refuses to open.
CREATE TABLE schema_version (
    version    BIGINT PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- One row: which embedding model the store holds vectors of (set on the first
-- open with a model, then fixed). Recording it also gives every vector column
-- its dimension and its HNSW index (see open.rs): pgvector indexes only
-- columns of a fixed dimension.
CREATE TABLE store_meta (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    embedding_model TEXT CHECK (embedding_model IS NULL OR embedding_model <> ''),
    dimension       INTEGER CHECK (dimension IS NULL OR dimension > 0),
    store_uid       TEXT NOT NULL DEFAULT md5(random()::text || clock_timestamp()::text),
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK ((embedding_model IS NULL) = (dimension IS NULL))
);
INSERT INTO store_meta (id) VALUES (1);

-- Timestamps are timestamptz in the tables and leave the database in the one
-- text form the SQLite store writes (UTC, milliseconds, RFC 3339:
-- 2025-01-31T09:15:02.123Z), so both backends answer alike.
CREATE FUNCTION ltmc_ts(t TIMESTAMPTZ) RETURNS TEXT
LANGUAGE SQL IMMUTABLE STRICT PARALLEL SAFE
RETURN to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"');

-- The chunks' vector ids: unique and monotonic across every server, never
-- reused after a delete (the original's MAX(vector_id)+1 reused and collided).
CREATE SEQUENCE vector_id_seq AS BIGINT START 1;

CREATE TABLE resources (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    project       TEXT NOT NULL,
    file_name     TEXT NOT NULL,
    resource_type TEXT NOT NULL,
    content_hash  TEXT NOT NULL,
    content       TEXT NOT NULL,
    chunk_count   INTEGER NOT NULL CHECK (chunk_count >= 0),
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    metadata      JSONB NOT NULL DEFAULT '{}'::jsonb,
    UNIQUE (project, content_hash)
);
-- Listings are newest first: ids are handed out in creation order.
CREATE INDEX resources_by_project ON resources (project, id);
CREATE INDEX resources_by_project_type ON resources (project, resource_type, id);

-- project and resource_type are repeated from the resource so that a filtered
-- vector or keyword search needs no join to decide what it may return.
CREATE TABLE chunks (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    resource_id   BIGINT NOT NULL REFERENCES resources (id) ON DELETE CASCADE,
    project       TEXT NOT NULL,
    resource_type TEXT NOT NULL,
    ordinal       INTEGER NOT NULL CHECK (ordinal >= 0),
    start_byte    BIGINT NOT NULL CHECK (start_byte >= 0),
    end_byte      BIGINT NOT NULL CHECK (end_byte >= start_byte),
    text          TEXT NOT NULL,
    vector_id     BIGINT NOT NULL UNIQUE DEFAULT nextval('vector_id_seq'),
    -- The vector lives in the chunk's row: a chunk and its vector are written
    -- and deleted together, so they cannot disagree. Its dimension is set when
    -- the store's model is recorded; the HNSW index follows then too.
    embedding     vector NOT NULL,
    UNIQUE (resource_id, ordinal)
);
CREATE INDEX chunks_by_project ON chunks (project, resource_type);
