-- ltmc SQLite schema, version 2: a full-text (FTS5) index over chunk text,
-- for keyword search ranked by BM25.
--
-- Applied once, inside the BEGIN IMMEDIATE transaction that records it in
-- schema_version; never edited after release (add 0003_*.sql instead).

-- External content: the index holds only tokens and positions and reads the
-- text itself from chunks (rowid = chunks.id), so no chunk text is stored
-- twice. The price is that the index must be told of every change to chunks,
-- with the exact old text on delete; the triggers below do that inside the
-- writing statement's own transaction, so no write path can forget it and a
-- rolled-back write leaves the index as it was.
--
-- The tokenizer has to serve prose and code alike:
--   unicode61          splits on everything that is not a letter or digit in
--                      any script, and folds case. Underscores, dots and
--                      colons separate tokens, so parse_config_v2 indexes as
--                      parse / config / v2 and a search for the word "config"
--                      finds it; the quoted phrase "parse_config_v2" is those
--                      three tokens adjacent, so the identifier still matches
--                      exactly as written (and "parse the config v2" does not).
--   remove_diacritics 2  cafe finds café, also for letters with several marks
--                      (mode 1 misses some of those).
--   porter             stems English words: "configs" finds "config",
--                      "running" finds "run". It also conflates some
--                      identifiers (parsing / parse), which costs code search
--                      little since identifiers are searched as phrases.
-- Not trigram: substring matching would triple the index and rank worse for
-- the whole-word queries agents send.
-- detail=full (the default) keeps positions, which phrase queries need.
CREATE VIRTUAL TABLE chunk_fts USING fts5(
    text,
    content = 'chunks',
    content_rowid = 'id',
    tokenize = 'porter unicode61 remove_diacritics 2'
);

-- The documented external-content pattern: a delete names the row and its
-- old text. Deletes by ON DELETE CASCADE (a deleted resource's chunks) fire
-- these too.
CREATE TRIGGER chunk_fts_after_insert AFTER INSERT ON chunks BEGIN
    INSERT INTO chunk_fts (rowid, text) VALUES (new.id, new.text);
END;
CREATE TRIGGER chunk_fts_after_delete AFTER DELETE ON chunks BEGIN
    INSERT INTO chunk_fts (chunk_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;
-- ltmc never updates a chunk, but another program (or a future migration)
-- might; a stale index would then be silently wrong.
CREATE TRIGGER chunk_fts_after_update AFTER UPDATE ON chunks BEGIN
    INSERT INTO chunk_fts (chunk_fts, rowid, text) VALUES ('delete', old.id, old.text);
    INSERT INTO chunk_fts (rowid, text) VALUES (new.id, new.text);
END;

-- Index the chunks a version-1 store already holds (nothing in a new store).
INSERT INTO chunk_fts (chunk_fts) VALUES ('rebuild');
