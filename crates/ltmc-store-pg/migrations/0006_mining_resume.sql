-- ltmc PostgreSQL schema, version 6: where mining a repository's older
-- history resumes (issue 17 item 3). The counterpart of the SQLite store's
-- 0008_mining_resume.sql (same rules): `resume` is the rest of the history a
-- run limited by --max-commits left, as git revision arguments separated by
-- spaces (commit ids to walk from, `^id` to stop at); empty when none is left.
--
-- Applied once, inside the transaction (holding the migration advisory lock)
-- that records it in schema_version; never edited after release.

ALTER TABLE mining_state ADD COLUMN resume TEXT NOT NULL DEFAULT '';
