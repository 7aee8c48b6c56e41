-- ltmc PostgreSQL schema, version 4: the fix-pattern calibrations a team
-- refits from its own outcomes and reviews (`ltmc patterns calibrate`); the
-- counterpart of the SQLite store's 0006_calibrations.sql (same rules). Each
-- row is one refit of one embedding model's calibration (its JSON, as
-- ltmc_core::fix::calibration::Calibration serialises it) with what the refit
-- measured; the newest row of a model that is not undone is the active one.
-- Rows are never deleted: an undo sets undone_at. Times leave the database
-- through ltmc_ts() (0001). Applied once, never edited after release.

CREATE TABLE fix_calibrations (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    project     TEXT NOT NULL,
    model_id    TEXT NOT NULL CHECK (model_id <> ''),
    calibration JSONB NOT NULL,
    report      JSONB NOT NULL CHECK (jsonb_typeof(report) = 'object'),
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    undone_at   TIMESTAMPTZ
);

CREATE INDEX fix_calibrations_by_model ON fix_calibrations (project, model_id, id);
