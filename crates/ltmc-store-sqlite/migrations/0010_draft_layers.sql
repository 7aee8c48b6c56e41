-- A draft (reviewed = 0) may have no layers yet: a mined fix gets them from
-- the team's path-to-layer map or from its reviewer, and accepting it needs
-- them. SQLite cannot alter a CHECK: the migration's Rust step (migrate.rs,
-- `loosen_layers_check`) rewrites the check of fix_patterns.layers to
--   json_array_length(layers) > 0 OR reviewed = 0
-- This file only records the step.
SELECT 1;
