-- A draft (reviewed = false) may have no layers yet: a mined fix gets them
-- from the team's path-to-layer map or from its reviewer, and accepting it
-- needs them. 0003's column check becomes a table check that says so.
ALTER TABLE fix_patterns DROP CONSTRAINT fix_patterns_layers_check;
ALTER TABLE fix_patterns ADD CONSTRAINT fix_patterns_layers_check
    CHECK ((cardinality(layers) > 0 OR NOT reviewed) AND layers <@ ARRAY[1, 2, 3, 4, 5, 6, 7]);
