-- ltmc SQLite schema, version 11: folds of near-duplicate resources (issue
-- 22). A folded resource keeps its row (with chunk_count 0); its chunks,
-- their vectors and the context links to them live here until it is
-- unfolded: `chunks` is a JSON array of {ordinal, start, end, text, links}
-- (links: the ids of the messages that used the chunk), `vectors` the
-- chunks' embeddings, little-endian f32, one after another in ordinal order.
-- A resource is folded at most once (the primary key). Deleting the folded
-- resource deletes its fold; the kept one cannot be deleted while resources
-- are folded into it (RESTRICT, and the stores say so first: unfold them).
--
-- Applied once, inside the BEGIN IMMEDIATE transaction that records it in
-- schema_version; never edited after release (add 0012_*.sql instead).

CREATE TABLE resource_folds (
    folded_id   INTEGER PRIMARY KEY REFERENCES resources (id) ON DELETE CASCADE,
    kept_id     INTEGER NOT NULL REFERENCES resources (id) ON DELETE RESTRICT,
    project     TEXT NOT NULL,
    similarity  REAL NOT NULL CHECK (similarity BETWEEN 0 AND 1),
    overlap     REAL NOT NULL CHECK (overlap BETWEEN 0 AND 1),
    chunk_count INTEGER NOT NULL CHECK (chunk_count >= 0),
    chunks      TEXT NOT NULL CHECK (json_valid(chunks) AND json_type(chunks) = 'array'),
    vectors     BLOB NOT NULL,
    folded_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    CHECK (kept_id <> folded_id)
) STRICT;
CREATE INDEX resource_folds_by_project ON resource_folds (project, folded_at);
CREATE INDEX resource_folds_by_kept ON resource_folds (kept_id);
