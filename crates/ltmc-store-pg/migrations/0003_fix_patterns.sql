-- ltmc PostgreSQL schema, version 3: the fix-pattern knowledge base of seed
-- 000. (Being written.)
SELECT 1;
