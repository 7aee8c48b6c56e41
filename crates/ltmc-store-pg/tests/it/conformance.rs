//! The shared conformance suite (ltmc-store) on PostgreSQL stores, each in a
//! database of its own.

ltmc_store::store_conformance_tests!(optional crate::support::fresh);
