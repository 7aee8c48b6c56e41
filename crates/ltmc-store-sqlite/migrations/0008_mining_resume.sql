-- ltmc SQLite schema, version 8: where mining a repository's older history
-- resumes (issue 17 item 3). A run limited by --max-commits stops before the
-- history ends; `resume` is the rest of it still to mine, as git revision
-- arguments separated by spaces: commit ids to walk from and `^id` for the
-- commits the walk stops at (exclusive), e.g. `a1b2... ^c3d4...`. Empty when
-- the whole history below `last_commit` was mined.
--
-- Applied once, inside the BEGIN IMMEDIATE transaction that records it in
-- schema_version; never edited after release (add 0009_*.sql instead).

ALTER TABLE mining_state ADD COLUMN resume TEXT NOT NULL DEFAULT '';
