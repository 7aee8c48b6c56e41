-- ltmc SQLite schema, version 3: the log of vector changes that approximate
-- indexes catch up from, and an identity for the store file.
--
-- The HNSW index of a large project is a file beside the database, written
-- now and then (never per store call) with the write generation it reflects.
-- On open, a process loads that file and applies the log rows after its
-- generation; without the log it would have to rebuild the graph from every
-- vector. Triggers write the log in the same transaction as the change, so no
-- write path can forget it: a vector committed is logged, and a crash loses
-- neither. A write transaction bumps write_generation before it touches
-- vectors, so each row carries the generation its transaction commits as.
-- Rows are small (ids only; the vector is read from `vectors`) and kept.

CREATE TABLE vector_log (
    seq        INTEGER PRIMARY KEY,
    generation INTEGER NOT NULL,
    project    TEXT NOT NULL,
    vector_id  INTEGER NOT NULL,
    op         TEXT NOT NULL CHECK (op IN ('add', 'remove'))
) STRICT;
CREATE INDEX vector_log_by_project ON vector_log (project, generation);

CREATE TRIGGER vectors_log_add AFTER INSERT ON vectors BEGIN
    INSERT INTO vector_log (generation, project, vector_id, op)
    VALUES ((SELECT write_generation FROM store_meta WHERE id = 1), new.project, new.vector_id, 'add');
END;

CREATE TRIGGER vectors_log_remove AFTER DELETE ON vectors BEGIN
    INSERT INTO vector_log (generation, project, vector_id, op)
    VALUES ((SELECT write_generation FROM store_meta WHERE id = 1), old.project, old.vector_id, 'remove');
END;

CREATE TRIGGER vectors_log_update AFTER UPDATE ON vectors BEGIN
    INSERT INTO vector_log (generation, project, vector_id, op)
    VALUES ((SELECT write_generation FROM store_meta WHERE id = 1), old.project, old.vector_id, 'remove');
    INSERT INTO vector_log (generation, project, vector_id, op)
    VALUES ((SELECT write_generation FROM store_meta WHERE id = 1), new.project, new.vector_id, 'add');
END;

-- A random identity, so an index file is never applied to another store file
-- that happens to have reached the same generation (a restored backup, a
-- recreated data directory).
ALTER TABLE store_meta ADD COLUMN store_uid TEXT NOT NULL DEFAULT '';
UPDATE store_meta SET store_uid = lower(hex(randomblob(16))) WHERE id = 1;
