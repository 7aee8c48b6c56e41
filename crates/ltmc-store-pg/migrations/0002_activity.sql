-- ltmc PostgreSQL schema, version 2: chat messages and context links, todos,
-- the relationship graph, code attempts. (Being written.)
SELECT 1;
