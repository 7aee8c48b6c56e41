-- ltmc SQLite schema, version 9: a fix pattern's citations to code (issue
-- 22): a JSON array of {path, start_line, end_line, hash, commit?}, as
-- `ltmc_core::citation::Citation` writes it; `[]` when it cites nothing.
--
-- Applied once, inside the BEGIN IMMEDIATE transaction that records it in
-- schema_version; never edited after release (add 0010_*.sql instead).

ALTER TABLE fix_patterns ADD COLUMN citations TEXT NOT NULL DEFAULT '[]';
