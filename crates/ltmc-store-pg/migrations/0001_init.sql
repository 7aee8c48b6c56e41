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

-- Keyword search: PostgreSQL full text, the counterpart of the SQLite store's
-- FTS5 table (its 0002_chunk_fts.sql), tokenized to match it as closely as
-- the built-in parser allows:
--
--   * Every ASCII punctuation mark is a space before parsing (ltmc_fts_text),
--     like unicode61 splitting on everything that is not a letter or digit.
--     Without this the default parser keeps "ResourceChunks.vector" and
--     "file.rs" as one host token, "/usr/bin/env" as one path, and drops
--     "<String>" in "Vec<String>" as an XML tag. So parse_config_v2 indexes
--     as parse / config / v2, a search for "config" finds it, and the query
--     term parse_config_v2, made the same way into the phrase
--     'pars' <-> 'config' <-> 'v2', matches the identifier as written.
--   * ltmc_text is the english configuration with its Snowball stemmer
--     ("configs" finds "config", "running" finds "run", as FTS5's porter
--     does) but WITHOUT its stop-word list: FTS5 indexes every word, and the
--     query side (keyword.rs, with content_terms as the SQLite store's
--     fts_query.rs) already drops function words unless a query has nothing
--     else, so "to be or not to be" or a query of
--     "AND OR NOT" still finds what holds those words. 'english' would
--     silently empty such queries; 'simple' would not stem.
--   * Not done: diacritics are kept (FTS5's remove_diacritics folds café to
--     cafe; PostgreSQL needs the unaccent extension for that, which a plain
--     database user often cannot create).
--
-- A query is never parsed as tsquery syntax: each term of the free text goes
-- through ltmc_tsquery (phraseto_tsquery: a phrase of the term's lexemes, no
-- operators) and the terms are OR-ed with ltmc_tsquery_or, so no input is a
-- syntax error. Ranking (a BM25-like sum of idf x ts_rank per term) is in
-- keyword.rs.
CREATE TEXT SEARCH DICTIONARY ltmc_english_stem (TEMPLATE = snowball, Language = english);
CREATE TEXT SEARCH CONFIGURATION ltmc_text (COPY = pg_catalog.english);
ALTER TEXT SEARCH CONFIGURATION ltmc_text ALTER MAPPING REPLACE english_stem WITH ltmc_english_stem;

-- The 32 ASCII punctuation characters become spaces.
CREATE FUNCTION ltmc_fts_text(t TEXT) RETURNS TEXT
LANGUAGE SQL IMMUTABLE STRICT PARALLEL SAFE
RETURN translate(t, '!"#$%&''()*+,-./:;<=>?@[\]^_`{|}~', '                                ');

-- What is indexed of a text.
CREATE FUNCTION ltmc_tsvector(t TEXT) RETURNS TSVECTOR
LANGUAGE SQL IMMUTABLE STRICT PARALLEL SAFE
RETURN to_tsvector('ltmc_text'::regconfig, ltmc_fts_text(t));

-- One free-text term as a phrase of its lexemes; an empty query (numnode 0)
-- when it holds none.
CREATE FUNCTION ltmc_tsquery(term TEXT) RETURNS TSQUERY
LANGUAGE SQL IMMUTABLE STRICT PARALLEL SAFE
RETURN phraseto_tsquery('ltmc_text'::regconfig, ltmc_fts_text(term));

-- OR over any number of tsqueries (the function behind tsquery's `||`).
-- 0002 defines it again with OR REPLACE (for todos): the same definition.
CREATE AGGREGATE ltmc_tsquery_or (tsquery) (
    SFUNC = tsquery_or,
    STYPE = tsquery
);

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
-- chunk_count is included so that keyword search counts a project's chunks
-- (BM25's N, keyword.rs) from this index alone.
CREATE INDEX resources_by_project ON resources (project, id) INCLUDE (chunk_count);
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
    -- The chunk's words for keyword search (see ltmc_tsvector above), kept
    -- by PostgreSQL itself, so it cannot disagree with the text.
    tsv           TSVECTOR GENERATED ALWAYS AS (ltmc_tsvector(text)) STORED,
    UNIQUE (resource_id, ordinal)
);
CREATE INDEX chunks_by_project ON chunks (project, resource_type);
CREATE INDEX chunks_tsv ON chunks USING gin (tsv);
