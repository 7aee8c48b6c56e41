//! The fix-pattern knowledge base (seed 000) on PostgreSQL: file audits,
//! patterns with their three pgvector embeddings, relationships,
//! applications, guardian rules and their hits. The seed's
//! `search_patterns_enhanced` and `get_related_patterns` also exist as SQL
//! functions in the database (migration 0003) for callers that used them as
//! Supabase RPCs. Not here: inference, confidence, regexes (service, ltmc-guard).

mod audits;
mod guardian;
mod patterns;
