-- ltmc PostgreSQL schema, version 3: the fix-pattern knowledge base of seed
-- 000: file audits and their status history, fix patterns with their three
-- embeddings, relationships between patterns, applications of patterns to
-- files, guardian rules with their hit statistics, and the seed's two SQL
-- functions (search_patterns_enhanced, get_related_patterns).
--
-- The counterpart of the SQLite store's 0005_fix_patterns.sql (same rules),
-- in the seed's own PostgreSQL form: its table names (file_audit, not
-- file_audits), array columns (TEXT[], INTEGER[]) with GIN indexes, JSONB for
-- guardian_rules, and the embeddings as pgvector columns of fix_patterns.
-- Where ltmc differs from the seed, on purpose:
--   * ids are BIGINT identities, not UUIDs (several servers share the
--     database; an id is never reused after a delete);
--   * every table carries `project`; references between records of two
--     projects are refused by the write path (a foreign key cannot say "same
--     project");
--   * success_rate, confidence_score and strength are DOUBLE PRECISION, not
--     DECIMAL: they are f64 in ltmc and REAL in the SQLite store, and read
--     back exactly as written;
--   * related_patterns is not a column: it is derived from
--     pattern_relationships whenever a pattern is read (one truth);
--   * similarity is cosine (1 - <=>), not the seed's L2 distance.
--
-- Applied once, inside the transaction (holding the migration advisory lock)
-- that records it in schema_version; never edited after release (add a later
-- file instead). Times are timestamptz and leave the database through
-- ltmc_ts() (0001). Text is ordered COLLATE "C" by the queries, as SQLite
-- orders it (bytewise), whatever the database's collation.

-- The seed's file_audit: one audited file of a layered code base, unique per
-- project by path; pattern_id is the pattern last applied to it (its foreign
-- key is added below, once fix_patterns exists).
CREATE TABLE file_audit (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    project           TEXT NOT NULL,
    file_path         TEXT NOT NULL CHECK (btrim(file_path) <> ''),
    layer_number      INTEGER NOT NULL CHECK (layer_number BETWEEN 1 AND 7),
    workflows         TEXT[] NOT NULL DEFAULT '{}' CHECK (array_position(workflows, NULL) IS NULL),
    technical_debt    TEXT,
    status            TEXT NOT NULL
                      CHECK (status IN ('Not Started', 'In Progress', 'Complete', 'Failed')),
    notes             TEXT,
    pattern_id        BIGINT,
    work_started_at   TIMESTAMPTZ,
    work_completed_at TIMESTAMPTZ,
    created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (project, file_path)
);
-- Listings are by layer then path, all or by status.
CREATE INDEX file_audit_by_layer ON file_audit (project, layer_number, file_path COLLATE "C");
CREATE INDEX file_audit_by_status ON file_audit (project, status, layer_number, file_path COLLATE "C");
CREATE INDEX file_audit_workflows ON file_audit USING GIN (workflows);
-- For the SET NULL when a pattern goes.
CREATE INDEX file_audit_by_pattern ON file_audit (pattern_id);

-- Every status an audit took, with its time: the creation (from_status NULL)
-- and each change. Read oldest first, in id order.
CREATE TABLE file_audit_history (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    audit_id    BIGINT NOT NULL REFERENCES file_audit (id) ON DELETE CASCADE,
    from_status TEXT
                CHECK (from_status IN ('Not Started', 'In Progress', 'Complete', 'Failed')),
    to_status   TEXT NOT NULL
                CHECK (to_status IN ('Not Started', 'In Progress', 'Complete', 'Failed')),
    at          TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX file_audit_history_by_audit ON file_audit_history (audit_id, id);

-- The seed's fix_patterns, every column but related_patterns (see above).
-- The three embeddings are plain `vector` here: open.rs gives them the
-- store's dimension and an HNSW cosine index each once the model is recorded
-- (VECTOR_COLUMNS). All three are required, as in the SQLite store (the
-- trait always supplies a code embedding: of the code, or of title and
-- problem when the pattern has none).
CREATE TABLE fix_patterns (
    id                   BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    project              TEXT NOT NULL,
    title                TEXT NOT NULL CHECK (btrim(title) <> ''),
    problem_type         TEXT NOT NULL
                         CHECK (problem_type IN ('Security', 'Architecture', 'Standards', 'UI-UX')),
    code_type            TEXT,
    severity             TEXT NOT NULL CHECK (severity IN ('CRITICAL', 'HIGH', 'MEDIUM', 'LOW')),
    tags                 TEXT[] NOT NULL DEFAULT '{}' CHECK (array_position(tags, NULL) IS NULL),
    layers               INTEGER[] NOT NULL
                         CHECK (cardinality(layers) > 0 AND layers <@ ARRAY[1, 2, 3, 4, 5, 6, 7]),
    workflows            TEXT[] NOT NULL DEFAULT '{}' CHECK (array_position(workflows, NULL) IS NULL),
    file_types           TEXT[] NOT NULL DEFAULT '{}' CHECK (array_position(file_types, NULL) IS NULL),
    problem_description  TEXT NOT NULL CHECK (btrim(problem_description) <> ''),
    solution_steps       TEXT NOT NULL CHECK (btrim(solution_steps) <> ''),
    code_before          TEXT,
    code_after           TEXT,
    verification_steps   TEXT,
    learnings            TEXT,
    prevention_guidance  TEXT,
    source_file_audit_id BIGINT REFERENCES file_audit (id) ON DELETE SET NULL,
    -- file_audit ids, INTEGER[] as in the seed (so that its queries, e.g.
    -- `applied_to_files && ARRAY[12]`, keep working); the store refuses an
    -- id beyond INTEGER.
    applied_to_files     INTEGER[] NOT NULL DEFAULT '{}'
                         CHECK (array_position(applied_to_files, NULL) IS NULL),
    dart_task_ids        TEXT[] NOT NULL DEFAULT '{}'
                         CHECK (array_position(dart_task_ids, NULL) IS NULL),
    related_files        TEXT[] NOT NULL DEFAULT '{}'
                         CHECK (array_position(related_files, NULL) IS NULL),
    applied_count        BIGINT NOT NULL DEFAULT 0 CHECK (applied_count >= 0),
    success_rate         DOUBLE PRECISION NOT NULL DEFAULT 1.0
                         CHECK (success_rate BETWEEN 0.0 AND 1.0),
    -- Minutes.
    avg_time_saved       BIGINT NOT NULL DEFAULT 0 CHECK (avg_time_saved >= 0),
    confidence_score     DOUBLE PRECISION NOT NULL DEFAULT 1.0
                         CHECK (confidence_score BETWEEN 0.0 AND 1.0),
    last_applied         TIMESTAMPTZ,
    -- The rules the pattern asks for, as written (an array of RuleSpec); the
    -- rules made from them are rows of guardian_rules.
    guardian_rules       JSONB NOT NULL DEFAULT '[]'::jsonb
                         CHECK (jsonb_typeof(guardian_rules) = 'array'),
    anti_patterns        TEXT[] NOT NULL DEFAULT '{}'
                         CHECK (array_position(anti_patterns, NULL) IS NULL),
    content_embedding    vector NOT NULL,
    code_embedding       vector NOT NULL,
    problem_embedding    vector NOT NULL,
    created_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
    created_by           TEXT,
    reviewed             BOOLEAN NOT NULL DEFAULT false,
    reviewer_notes       TEXT
);
-- Listings are newest first, all or by problem type.
CREATE INDEX fix_patterns_by_project ON fix_patterns (project, id);
CREATE INDEX fix_patterns_by_problem_type ON fix_patterns (project, problem_type, id);
-- The search's scalar filters (project, reviewed, minimum confidence).
CREATE INDEX fix_patterns_for_search ON fix_patterns (project, reviewed, confidence_score);
-- The seed's GIN indexes: the array filters of listings and searches.
CREATE INDEX fix_patterns_layers ON fix_patterns USING GIN (layers);
CREATE INDEX fix_patterns_workflows ON fix_patterns USING GIN (workflows);
CREATE INDEX fix_patterns_tags ON fix_patterns USING GIN (tags);
CREATE INDEX fix_patterns_file_types ON fix_patterns USING GIN (file_types);
-- For the SET NULL when an audit goes.
CREATE INDEX fix_patterns_by_source_audit ON fix_patterns (source_file_audit_id);

ALTER TABLE file_audit ADD CONSTRAINT file_audit_pattern_id_fkey
    FOREIGN KEY (pattern_id) REFERENCES fix_patterns (id) ON DELETE SET NULL;

-- The seed's pattern_relationships: `source → target` of a type (a
-- `prerequisite` relationship reads "target is a prerequisite of source").
-- One per (source, target, type): linking again updates strength and
-- description. Both ends are patterns of `project` (checked when written).
-- The UNIQUE index serves lookups by source; the index below the cascade
-- from targets.
CREATE TABLE pattern_relationships (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    project           TEXT NOT NULL,
    source_pattern_id BIGINT NOT NULL REFERENCES fix_patterns (id) ON DELETE CASCADE,
    target_pattern_id BIGINT NOT NULL REFERENCES fix_patterns (id) ON DELETE CASCADE,
    relationship_type TEXT NOT NULL
                      CHECK (relationship_type IN ('prerequisite', 'follows', 'conflicts', 'enhances')),
    strength          DOUBLE PRECISION NOT NULL DEFAULT 1.0 CHECK (strength BETWEEN 0.0 AND 1.0),
    description       TEXT,
    created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (source_pattern_id, target_pattern_id, relationship_type),
    CHECK (source_pattern_id <> target_pattern_id)
);
CREATE INDEX pattern_relationships_by_target ON pattern_relationships (target_pattern_id);

-- Each time a pattern was applied to a file, with its outcome: what the
-- pattern's metrics are computed from. An application outlives its audit.
CREATE TABLE pattern_applications (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    project    TEXT NOT NULL,
    pattern_id BIGINT NOT NULL REFERENCES fix_patterns (id) ON DELETE CASCADE,
    audit_id   BIGINT REFERENCES file_audit (id) ON DELETE SET NULL,
    file_path  TEXT,
    success    BOOLEAN NOT NULL,
    -- Minutes.
    time_taken BIGINT CHECK (time_taken IS NULL OR time_taken >= 0),
    time_saved BIGINT CHECK (time_saved IS NULL OR time_saved >= 0),
    notes      TEXT,
    applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX pattern_applications_by_project ON pattern_applications (project, id);
CREATE INDEX pattern_applications_by_pattern ON pattern_applications (pattern_id, id);
CREATE INDEX pattern_applications_by_audit ON pattern_applications (audit_id);

-- The seed's guardian_rules, unique per (project, layer, name), with the
-- statistics of the checks run through ltmc. The regex is text: ltmc-guard
-- compiles it. An inactive rule may say why.
CREATE TABLE guardian_rules (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    project           TEXT NOT NULL,
    layer_number      INTEGER NOT NULL CHECK (layer_number BETWEEN 1 AND 7),
    rule_name         TEXT NOT NULL CHECK (btrim(rule_name) <> ''),
    rule_type         TEXT NOT NULL CHECK (rule_type IN ('prevention', 'detection', 'enforcement')),
    rule_pattern      TEXT NOT NULL CHECK (btrim(rule_pattern) <> ''),
    severity          TEXT NOT NULL CHECK (severity IN ('CRITICAL', 'HIGH', 'MEDIUM', 'LOW')),
    action_required   TEXT NOT NULL CHECK (btrim(action_required) <> ''),
    source_pattern_id BIGINT REFERENCES fix_patterns (id) ON DELETE SET NULL,
    active            BOOLEAN NOT NULL DEFAULT true,
    inactive_reason   TEXT,
    hit_count         BIGINT NOT NULL DEFAULT 0 CHECK (hit_count >= 0),
    files_hit         BIGINT NOT NULL DEFAULT 0 CHECK (files_hit >= 0),
    last_hit_at       TIMESTAMPTZ,
    created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (project, layer_number, rule_name)
);
CREATE INDEX guardian_rules_by_active
    ON guardian_rules (project, active, layer_number, rule_name COLLATE "C");
CREATE INDEX guardian_rules_by_source ON guardian_rules (source_pattern_id);

-- Matches of a rule per file, summed over the checks that recorded them;
-- the rule's files_hit is the number of these rows.
CREATE TABLE guardian_rule_hits (
    rule_id     BIGINT NOT NULL REFERENCES guardian_rules (id) ON DELETE CASCADE,
    file_path   TEXT NOT NULL CHECK (file_path <> ''),
    hits        BIGINT NOT NULL CHECK (hits >= 0),
    last_hit_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (rule_id, file_path)
);

-- The seed's search_patterns_enhanced, callable as a Supabase RPC with the
-- seed's parameter names and result columns, and the statement behind the
-- store's own search_patterns (which adds the project and reviewed-only
-- switch it needs), so the two cannot disagree. Differences from the seed:
--   * similarity is cosine, 1 - (a <=> b), where the seed used L2 distance
--     (<->); a stored vector of no length (only possible through direct
--     inserts) compares as 0, never as NaN (which PostgreSQL sorts above
--     every number);
--   * scoped to one project (p_project, default 'default'); reviewed
--     patterns only unless p_include_unreviewed;
--   * a NULL or empty filter list is no filter; the file extension is
--     normalized like stored file types (`PY`, `*.py`, `.py` → `.py`), a
--     blank one is no filter;
--   * `limit` is accepted beside match_count (the seed's Python passes
--     `limit`, its SQL declares match_count); when given it wins;
--   * ties end in id order, so the answer is deterministic.
-- Results are ordered by the mean of content and problem similarity (the
-- content similarity alone without a problem vector), then confidence, then
-- applied count. The threshold is on the content similarity, strictly above.
--
-- Exact, never approximate: the ORDER BY is a computed rank, not the bare
-- `embedding <=> query` an HNSW index can serve, so the planner never uses
-- the vector indexes here; it narrows the rows with the btree and GIN
-- filters (project, reviewed, confidence, layers, workflows, file types)
-- and computes the cosine of each candidate left. (pgvector's HNSW applies
-- WHERE filters after its walk, which can return fewer than the matches.)
-- LANGUAGE sql, STABLE and a single SELECT: the planner inlines it into the
-- calling query, so with a custom plan the unused filters fold away. Both
-- functions have string bodies, not BEGIN ATOMIC: open.rs retypes the
-- vector columns to vector(N) after this migration, which the recorded
-- dependencies of a parsed body would forbid.
CREATE FUNCTION search_patterns_enhanced(
    content_embedding    vector,
    problem_embedding    vector           DEFAULT NULL,
    filter_layers        integer[]        DEFAULT NULL,
    filter_workflows     text[]           DEFAULT NULL,
    file_extension       text             DEFAULT NULL,
    min_confidence       double precision DEFAULT 0.0,
    similarity_threshold double precision DEFAULT 0.65,
    match_count          integer          DEFAULT 10,
    p_project            text             DEFAULT 'default',
    p_include_unreviewed boolean          DEFAULT false,
    "limit"              integer          DEFAULT NULL
)
RETURNS TABLE (
    id                  bigint,
    title               text,
    problem_type        text,
    code_type           text,
    problem_description text,
    solution_steps      text,
    layers              integer[],
    workflows           text[],
    tags                text[],
    applied_count       bigint,
    success_rate        double precision,
    confidence_score    double precision,
    similarity          double precision,
    problem_similarity  double precision
)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT fp.id, fp.title, fp.problem_type, fp.code_type, fp.problem_description,
           fp.solution_steps, fp.layers, fp.workflows, fp.tags, fp.applied_count,
           fp.success_rate, fp.confidence_score, c.similarity, q.problem_similarity
    FROM fix_patterns fp
    CROSS JOIN LATERAL (
        SELECT coalesce(nullif(1 - (fp.content_embedding
                                    <=> search_patterns_enhanced.content_embedding),
                               'NaN'::float8), 0) AS similarity
    ) c
    CROSS JOIN LATERAL (
        SELECT CASE WHEN search_patterns_enhanced.problem_embedding IS NULL THEN 0::float8
                    ELSE coalesce(nullif(1 - (fp.problem_embedding
                                              <=> search_patterns_enhanced.problem_embedding),
                                         'NaN'::float8), 0)
               END AS problem_similarity
    ) q
    CROSS JOIN LATERAL (
        -- lower() under "C" folds ASCII only, as Rust's to_ascii_lowercase;
        -- the result goes back to the default collation, the GIN index's.
        SELECT CASE WHEN v = '' THEN NULL
                    ELSE ('.' || lower(v COLLATE "C")) COLLATE "default" END AS extension
        FROM (SELECT ltrim(ltrim(btrim(search_patterns_enhanced.file_extension), '*'), '.') AS v) t
    ) e
    WHERE fp.project = search_patterns_enhanced.p_project
      AND (search_patterns_enhanced.p_include_unreviewed OR fp.reviewed)
      AND fp.confidence_score >= search_patterns_enhanced.min_confidence
      AND (coalesce(cardinality(search_patterns_enhanced.filter_layers), 0) = 0
           OR fp.layers && search_patterns_enhanced.filter_layers)
      AND (coalesce(cardinality(search_patterns_enhanced.filter_workflows), 0) = 0
           OR fp.workflows && search_patterns_enhanced.filter_workflows)
      AND (e.extension IS NULL OR fp.file_types @> ARRAY[e.extension])
      AND c.similarity > search_patterns_enhanced.similarity_threshold
    ORDER BY CASE WHEN search_patterns_enhanced.problem_embedding IS NULL THEN c.similarity
                  ELSE (c.similarity + q.problem_similarity) / 2 END DESC,
             fp.confidence_score DESC,
             fp.applied_count DESC,
             fp.id
    LIMIT greatest(coalesce(search_patterns_enhanced."limit",
                            search_patterns_enhanced.match_count), 0)
$$;

-- The seed's get_related_patterns: the targets of the pattern's
-- relationships of the given types (default: prerequisite, follows,
-- enhances; NULL or empty: every type), strongest first, then by type, then
-- by id; scoped to one project (p_project, default 'default'). The store's
-- related_patterns calls it.
CREATE FUNCTION get_related_patterns(
    pattern_id         bigint,
    relationship_types text[] DEFAULT ARRAY['prerequisite', 'follows', 'enhances'],
    p_project          text   DEFAULT 'default'
)
RETURNS TABLE (
    id                bigint,
    title             text,
    relationship_type text,
    strength          double precision,
    description       text
)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT fp.id, fp.title, pr.relationship_type, pr.strength, pr.description
    FROM pattern_relationships pr
    JOIN fix_patterns fp ON fp.id = pr.target_pattern_id
    WHERE pr.source_pattern_id = get_related_patterns.pattern_id
      AND pr.project = get_related_patterns.p_project
      AND fp.project = get_related_patterns.p_project
      AND (coalesce(cardinality(get_related_patterns.relationship_types), 0) = 0
           OR pr.relationship_type = ANY (get_related_patterns.relationship_types))
    ORDER BY pr.strength DESC, pr.relationship_type COLLATE "C", fp.id
$$;
