-- ltmc SQLite schema, version 6: the fix-pattern calibrations a team refits
-- from its own outcomes and reviews (`ltmc patterns calibrate`). Each row is
-- one refit of one embedding model's calibration (its JSON, as
-- ltmc_core::fix::calibration::Calibration serialises it) with what the refit
-- measured; the newest row of a model that is not undone is the active one.
-- Rows are never deleted: an undo sets undone_at. Applied once, never edited
-- after release.

CREATE TABLE fix_calibrations (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    project     TEXT NOT NULL,
    model_id    TEXT NOT NULL CHECK (model_id <> ''),
    calibration TEXT NOT NULL CHECK (json_valid(calibration)),
    report      TEXT NOT NULL CHECK (json_valid(report)),
    created_at  TEXT NOT NULL,
    undone_at   TEXT
) STRICT;

CREATE INDEX fix_calibrations_by_model ON fix_calibrations (project, model_id, id);
