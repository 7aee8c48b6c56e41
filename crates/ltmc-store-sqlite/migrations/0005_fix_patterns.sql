-- ltmc SQLite schema, version 5: the fix-pattern knowledge base (seed 000):
-- file audits and their status history, fix patterns with their three
-- embeddings, relationships between patterns, applications of patterns to
-- files, and guardian rules with their hit statistics.
--
-- Applied once, inside the BEGIN IMMEDIATE transaction that records it in
-- schema_version; never edited after release (add 0006_*.sql instead).
-- STRICT tables, as in 0001. Every table carries `project` or reaches it
-- through a parent row; references between records of two projects are
-- refused by the write path (a foreign key cannot say "same project").
-- The seed's Postgres arrays are JSON arrays here (checked to be arrays), its
-- UUIDs integers. Timestamps are RFC 3339 UTC, written by the store.
-- Pattern vectors are not chunks: they live in their own table, outside the
-- vector index and the vector log, and are searched exactly (fix/search.rs).

-- The seed's file_audit: one audited file of a layered code base. The file
-- path is unique per project; `pattern_id` is the pattern last applied to it
-- (the foreign key names a table created below: SQLite resolves foreign keys
-- when rows are written, not when tables are created).
-- AUTOINCREMENT here and below for the reason given in 0001: an id held by a
-- client must never come to name another record after a delete.
CREATE TABLE file_audits (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    project           TEXT NOT NULL,
    file_path         TEXT NOT NULL CHECK (trim(file_path) <> ''),
    layer_number      INTEGER NOT NULL CHECK (layer_number BETWEEN 1 AND 7),
    workflows         TEXT NOT NULL DEFAULT '[]'
                      CHECK (json_valid(workflows) AND json_type(workflows) = 'array'),
    technical_debt    TEXT,
    status            TEXT NOT NULL
                      CHECK (status IN ('Not Started', 'In Progress', 'Complete', 'Failed')),
    notes             TEXT,
    pattern_id        INTEGER REFERENCES fix_patterns (id) ON DELETE SET NULL,
    work_started_at   TEXT,
    work_completed_at TEXT,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    UNIQUE (project, file_path)
) STRICT;
-- Listings are by layer then path, all or by status.
CREATE INDEX file_audits_by_layer ON file_audits (project, layer_number, file_path);
CREATE INDEX file_audits_by_status ON file_audits (project, status, layer_number, file_path);
-- For the SET NULL when a pattern goes.
CREATE INDEX file_audits_by_pattern ON file_audits (pattern_id);

-- Every status an audit took, with its time: the creation (from_status NULL)
-- and each change. Read oldest first, in id order.
CREATE TABLE file_audit_history (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    audit_id    INTEGER NOT NULL REFERENCES file_audits (id) ON DELETE CASCADE,
    from_status TEXT
                CHECK (from_status IN ('Not Started', 'In Progress', 'Complete', 'Failed')),
    to_status   TEXT NOT NULL
                CHECK (to_status IN ('Not Started', 'In Progress', 'Complete', 'Failed')),
    at          TEXT NOT NULL
) STRICT;
CREATE INDEX file_audit_history_by_audit ON file_audit_history (audit_id, id);

-- The seed's fix_patterns, every column but the embeddings (below) and
-- related_patterns (derived from pattern_relationships when read). The small
-- columns a search filters on come first: SQLite reads a row's columns in
-- order, so a scan that stops at them never touches the long texts after.
CREATE TABLE fix_patterns (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    project              TEXT NOT NULL,
    reviewed             INTEGER NOT NULL DEFAULT 0 CHECK (reviewed IN (0, 1)),
    confidence_score     REAL NOT NULL DEFAULT 1.0 CHECK (confidence_score BETWEEN 0.0 AND 1.0),
    applied_count        INTEGER NOT NULL DEFAULT 0 CHECK (applied_count >= 0),
    layers               TEXT NOT NULL
                         CHECK (json_valid(layers) AND json_type(layers) = 'array'
                                AND json_array_length(layers) > 0),
    workflows            TEXT NOT NULL DEFAULT '[]'
                         CHECK (json_valid(workflows) AND json_type(workflows) = 'array'),
    file_types           TEXT NOT NULL DEFAULT '[]'
                         CHECK (json_valid(file_types) AND json_type(file_types) = 'array'),
    tags                 TEXT NOT NULL DEFAULT '[]'
                         CHECK (json_valid(tags) AND json_type(tags) = 'array'),
    problem_type         TEXT NOT NULL
                         CHECK (problem_type IN ('Security', 'Architecture', 'Standards', 'UI-UX')),
    code_type            TEXT,
    severity             TEXT NOT NULL CHECK (severity IN ('CRITICAL', 'HIGH', 'MEDIUM', 'LOW')),
    success_rate         REAL NOT NULL DEFAULT 1.0 CHECK (success_rate BETWEEN 0.0 AND 1.0),
    avg_time_saved       INTEGER NOT NULL DEFAULT 0 CHECK (avg_time_saved >= 0),
    last_applied         TEXT,
    source_file_audit_id INTEGER REFERENCES file_audits (id) ON DELETE SET NULL,
    applied_to_files     TEXT NOT NULL DEFAULT '[]'
                         CHECK (json_valid(applied_to_files) AND json_type(applied_to_files) = 'array'),
    dart_task_ids        TEXT NOT NULL DEFAULT '[]'
                         CHECK (json_valid(dart_task_ids) AND json_type(dart_task_ids) = 'array'),
    related_files        TEXT NOT NULL DEFAULT '[]'
                         CHECK (json_valid(related_files) AND json_type(related_files) = 'array'),
    anti_patterns        TEXT NOT NULL DEFAULT '[]'
                         CHECK (json_valid(anti_patterns) AND json_type(anti_patterns) = 'array'),
    -- The rules the pattern asks for, as written (an array of RuleSpec);
    -- the rules made from them are rows of guardian_rules.
    guardian_rules       TEXT NOT NULL DEFAULT '[]'
                         CHECK (json_valid(guardian_rules) AND json_type(guardian_rules) = 'array'),
    created_by           TEXT,
    reviewer_notes       TEXT,
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL,
    title                TEXT NOT NULL CHECK (trim(title) <> ''),
    problem_description  TEXT NOT NULL CHECK (trim(problem_description) <> ''),
    solution_steps       TEXT NOT NULL CHECK (trim(solution_steps) <> ''),
    code_before          TEXT,
    code_after           TEXT,
    verification_steps   TEXT,
    learnings            TEXT,
    prevention_guidance  TEXT
) STRICT;
-- Listings are newest first, all or by problem type.
CREATE INDEX fix_patterns_by_project ON fix_patterns (project, id);
CREATE INDEX fix_patterns_by_problem_type ON fix_patterns (project, problem_type, id);
-- Covers the candidate scan of a search (every column its filters read), so
-- the scan reads this index and the vectors, never the pattern rows.
CREATE INDEX fix_patterns_for_search ON fix_patterns
    (project, reviewed, confidence_score, applied_count, layers, workflows, file_types);
-- For the SET NULL when an audit goes.
CREATE INDEX fix_patterns_by_source_audit ON fix_patterns (source_file_audit_id);

-- The three embeddings of each pattern (the seed's content_embedding,
-- code_embedding, problem_embedding), in the layout of `vectors` (0001):
-- little-endian f32, dimension * 4 bytes. One per (pattern, kind): the
-- UNIQUE key (which also serves the cascade from patterns). The rowid,
-- `slot`, is derived from both, kind first (content 1, code 2, problem 3,
-- times 2^40, plus the pattern id), so that the content vectors of all
-- patterns lie together in the table, as do the problem vectors: a search
-- reads a pattern's vector by its rowid and touches only pages holding
-- vectors of the kinds it compares, never the code vectors between them.
-- Pattern ids stay below 2^40 (checked). A rowid table: a vector is too big
-- for a WITHOUT ROWID row.
CREATE TABLE fix_pattern_vectors (
    slot       INTEGER PRIMARY KEY,
    pattern_id INTEGER NOT NULL REFERENCES fix_patterns (id) ON DELETE CASCADE
               CHECK (pattern_id BETWEEN 1 AND 1099511627775),
    kind       TEXT NOT NULL CHECK (kind IN ('content', 'code', 'problem')),
    vector     BLOB NOT NULL,
    UNIQUE (pattern_id, kind),
    CHECK (slot = (CASE kind WHEN 'content' THEN 1 WHEN 'code' THEN 2 ELSE 3 END)
                  * 1099511627776 + pattern_id)
) STRICT;

-- The seed's pattern_relationships: `source → target` of a type (a
-- `prerequisite` relationship reads "target is a prerequisite of source").
-- One per (source, target, type): linking again updates strength and
-- description. Both ends are patterns of `project` (checked when written).
-- The UNIQUE index serves lookups by source; the index below the cascade
-- from targets.
CREATE TABLE pattern_relationships (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    project           TEXT NOT NULL,
    source_pattern_id INTEGER NOT NULL REFERENCES fix_patterns (id) ON DELETE CASCADE,
    target_pattern_id INTEGER NOT NULL REFERENCES fix_patterns (id) ON DELETE CASCADE,
    relationship_type TEXT NOT NULL
                      CHECK (relationship_type IN ('prerequisite', 'follows', 'conflicts', 'enhances')),
    strength          REAL NOT NULL DEFAULT 1.0 CHECK (strength BETWEEN 0.0 AND 1.0),
    description       TEXT,
    created_at        TEXT NOT NULL,
    UNIQUE (source_pattern_id, target_pattern_id, relationship_type),
    CHECK (source_pattern_id <> target_pattern_id)
) STRICT;
CREATE INDEX pattern_relationships_by_target ON pattern_relationships (target_pattern_id);

-- Each time a pattern was applied to a file, with its outcome: what the
-- pattern's metrics are computed from. An application outlives its audit.
CREATE TABLE pattern_applications (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    project    TEXT NOT NULL,
    pattern_id INTEGER NOT NULL REFERENCES fix_patterns (id) ON DELETE CASCADE,
    audit_id   INTEGER REFERENCES file_audits (id) ON DELETE SET NULL,
    file_path  TEXT,
    success    INTEGER NOT NULL CHECK (success IN (0, 1)),
    time_taken INTEGER CHECK (time_taken IS NULL OR time_taken >= 0),
    time_saved INTEGER CHECK (time_saved IS NULL OR time_saved >= 0),
    notes      TEXT,
    applied_at TEXT NOT NULL
) STRICT;
CREATE INDEX pattern_applications_by_project ON pattern_applications (project, id);
CREATE INDEX pattern_applications_by_pattern ON pattern_applications (pattern_id, id);
CREATE INDEX pattern_applications_by_audit ON pattern_applications (audit_id);

-- The seed's guardian_rules, unique per (project, layer, name), with the
-- statistics of the checks run through ltmc. The regex is text: ltmc-guard
-- compiles it. An inactive rule may say why.
CREATE TABLE guardian_rules (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    project           TEXT NOT NULL,
    layer_number      INTEGER NOT NULL CHECK (layer_number BETWEEN 1 AND 7),
    rule_name         TEXT NOT NULL CHECK (trim(rule_name) <> ''),
    rule_type         TEXT NOT NULL CHECK (rule_type IN ('prevention', 'detection', 'enforcement')),
    rule_pattern      TEXT NOT NULL CHECK (trim(rule_pattern) <> ''),
    severity          TEXT NOT NULL CHECK (severity IN ('CRITICAL', 'HIGH', 'MEDIUM', 'LOW')),
    action_required   TEXT NOT NULL CHECK (trim(action_required) <> ''),
    source_pattern_id INTEGER REFERENCES fix_patterns (id) ON DELETE SET NULL,
    active            INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    inactive_reason   TEXT,
    hit_count         INTEGER NOT NULL DEFAULT 0 CHECK (hit_count >= 0),
    files_hit         INTEGER NOT NULL DEFAULT 0 CHECK (files_hit >= 0),
    last_hit_at       TEXT,
    created_at        TEXT NOT NULL,
    UNIQUE (project, layer_number, rule_name)
) STRICT;
CREATE INDEX guardian_rules_by_active ON guardian_rules (project, active, layer_number, rule_name);
CREATE INDEX guardian_rules_by_source ON guardian_rules (source_pattern_id);

-- Matches of a rule per file, summed over the checks that recorded them;
-- the rule's files_hit is the number of these rows.
CREATE TABLE guardian_rule_hits (
    rule_id     INTEGER NOT NULL REFERENCES guardian_rules (id) ON DELETE CASCADE,
    file_path   TEXT NOT NULL CHECK (file_path <> ''),
    hits        INTEGER NOT NULL CHECK (hits >= 0),
    last_hit_at TEXT NOT NULL,
    PRIMARY KEY (rule_id, file_path)
) STRICT, WITHOUT ROWID;
