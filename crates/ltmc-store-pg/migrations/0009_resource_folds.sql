-- ltmc PostgreSQL schema, version 9: folds of near-duplicate resources
-- (issue 22). A folded resource keeps its row (with chunk_count 0); its
-- chunks, their vectors and the context links to them live here until it is
-- unfolded: `chunks` is a JSON array of {ordinal, start, end, text, links}
-- (links: the ids of the messages that used the chunk), `vectors` the
-- chunks' embeddings in ordinal order. A resource is folded at most once
-- (the primary key). Deleting the folded resource deletes its fold; the kept
-- one cannot be deleted while resources are folded into it (RESTRICT, and
-- the stores say so first: unfold them).

CREATE TABLE resource_folds (
    folded_id   BIGINT PRIMARY KEY REFERENCES resources (id) ON DELETE CASCADE,
    kept_id     BIGINT NOT NULL REFERENCES resources (id) ON DELETE RESTRICT,
    project     TEXT NOT NULL,
    similarity  DOUBLE PRECISION NOT NULL CHECK (similarity BETWEEN 0 AND 1),
    overlap     DOUBLE PRECISION NOT NULL CHECK (overlap BETWEEN 0 AND 1),
    chunk_count INTEGER NOT NULL CHECK (chunk_count >= 0),
    chunks      JSONB NOT NULL CHECK (jsonb_typeof(chunks) = 'array'),
    vectors     vector[] NOT NULL,
    folded_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK (kept_id <> folded_id)
);
CREATE INDEX resource_folds_by_project ON resource_folds (project, folded_at);
CREATE INDEX resource_folds_by_kept ON resource_folds (kept_id);
