-- ltmc SQLite schema, version 1: resources, their chunks, the chunks' vectors,
-- the vector-id allocator and the store's own metadata.
--
-- Applied once, inside the BEGIN IMMEDIATE transaction that records it in
-- schema_version; never edited after release (add 0002_*.sql instead).
-- STRICT tables: a value of the wrong type is an error, not a silent cast.

-- The migrations applied to this file, one row each. Its absence means a
-- fresh file; a version above what the binary knows means a newer ltmc wrote
-- here, and the store refuses to open rather than guess.
CREATE TABLE schema_version (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at TEXT NOT NULL
) STRICT;

-- One row: which embedding model the store holds vectors of (set on the first
-- open with a model, then fixed), and a counter bumped by every write
-- transaction so that every process can tell cheaply whether its in-memory
-- vector index is stale.
CREATE TABLE store_meta (
    id               INTEGER PRIMARY KEY CHECK (id = 1),
    embedding_model  TEXT CHECK (embedding_model IS NULL OR embedding_model <> ''),
    dimension        INTEGER CHECK (dimension IS NULL OR dimension > 0),
    write_generation INTEGER NOT NULL DEFAULT 0,
    created_at       TEXT NOT NULL
) STRICT;
INSERT INTO store_meta (id, created_at) VALUES (1, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));

-- One row: the next vector id. Ids are taken from here with one
-- UPDATE ... RETURNING inside the write transaction that stores the chunks,
-- so they are unique and monotonic across processes and never reused after a
-- delete (the original's MAX(vector_id)+1 reused and collided).
CREATE TABLE vector_id_sequence (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    next_id INTEGER NOT NULL CHECK (next_id >= 1)
) STRICT;
INSERT INTO vector_id_sequence (id, next_id) VALUES (1, 1);

-- AUTOINCREMENT so that a deleted resource's or chunk's id is never handed out
-- again either: a stale id held by a client must not name a different record.
CREATE TABLE resources (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    project       TEXT NOT NULL,
    file_name     TEXT NOT NULL,
    resource_type TEXT NOT NULL,
    content_hash  TEXT NOT NULL,
    content       TEXT NOT NULL,
    chunk_count   INTEGER NOT NULL CHECK (chunk_count >= 0),
    created_at    TEXT NOT NULL,
    metadata      TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(metadata)),
    UNIQUE (project, content_hash)
) STRICT;
-- Listings are newest first: ids are handed out in creation order, so id
-- order is creation order (created_at text is for people, not for sorting).
CREATE INDEX resources_by_project ON resources (project, id);
CREATE INDEX resources_by_project_type ON resources (project, resource_type, id);

-- project is repeated from the resource so that a project's chunks and
-- vectors are found by an index, without a join.
CREATE TABLE chunks (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    resource_id INTEGER NOT NULL REFERENCES resources (id) ON DELETE CASCADE,
    project     TEXT NOT NULL,
    ordinal     INTEGER NOT NULL CHECK (ordinal >= 0),
    start_byte  INTEGER NOT NULL CHECK (start_byte >= 0),
    end_byte    INTEGER NOT NULL CHECK (end_byte >= start_byte),
    text        TEXT NOT NULL,
    vector_id   INTEGER NOT NULL UNIQUE,
    UNIQUE (resource_id, ordinal),
    -- the parent key of the vectors' foreign key below
    UNIQUE (id, vector_id)
) STRICT;
CREATE INDEX chunks_by_project ON chunks (project);

-- Vectors live beside their chunks, not in them: listing and reading chunks
-- never drags the blobs along, and loading a project's index reads only this
-- table. Little-endian f32, dimension * 4 bytes. The foreign key on
-- (chunk_id, vector_id) makes a vector filed under another chunk's id
-- unrepresentable: the chunk found for a vector is always its own.
CREATE TABLE vectors (
    vector_id INTEGER PRIMARY KEY,
    chunk_id  INTEGER NOT NULL UNIQUE,
    project   TEXT NOT NULL,
    embedding BLOB NOT NULL,
    FOREIGN KEY (chunk_id, vector_id) REFERENCES chunks (id, vector_id) ON DELETE CASCADE
) STRICT;
CREATE INDEX vectors_by_project ON vectors (project);
