-- ltmc PostgreSQL schema, version 7: a fix pattern's citations to code
-- (issue 22). The counterpart of the SQLite store's 0009_pattern_citations.sql:
-- a JSON array of {path, start_line, end_line, hash, commit?}, as
-- `ltmc_core::citation::Citation` writes it; `[]` when it cites nothing.
--
-- Applied once, inside the transaction (holding the migration advisory lock)
-- that records it in schema_version; never edited after release.

ALTER TABLE fix_patterns ADD COLUMN citations JSONB NOT NULL DEFAULT '[]'::jsonb
    CHECK (jsonb_typeof(citations) = 'array');
