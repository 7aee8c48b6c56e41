//! Fuzz harness body of the FTS5 query builder (issue 21): [`fts_query`]
//! turns arbitrary bytes into a MATCH expression with `fts_query.rs` and runs
//! it, and each single-term expression, against a real FTS5 table with the
//! store's tokenizer; an SQL error there is a panic (the builder promises
//! that no input is FTS5 syntax).
//!
//! Called by the coverage-guided target in `fuzz/` (cargo-afl) and by the
//! replay of `fuzz/regressions/fts_query/` and `fuzz/seeds/fts_query/` in the
//! test below. Not a fuzzer; not the store's keyword search itself
//! (`keyword.rs`).

use crate::fts_query::{match_expression, term_expressions};
use rusqlite::Connection;
use std::cell::RefCell;

thread_local! {
    /// One in-memory FTS5 table per thread, made once: a fuzzer calls this
    /// millions of times.
    static TABLE: RefCell<Connection> = RefCell::new(table());
}

fn table() -> Connection {
    let conn = Connection::open_in_memory().expect("an in-memory database");
    conn.execute_batch(
        "CREATE VIRTUAL TABLE t USING fts5(text, tokenize = 'porter unicode61 remove_diacritics 2'); \
         INSERT INTO t (text) VALUES ('a near and or not text 1 é parse_config_v2 \"quoted\"');",
    )
    .expect("the FTS5 table");
    conn
}

/// The bytes (lossy UTF-8) as a query.
pub fn fts_query(data: &[u8]) {
    let query = String::from_utf8_lossy(data);
    let mut expressions = term_expressions(&query);
    if let Some(whole) = match_expression(&query) {
        expressions.push(whole);
    }
    TABLE.with(|conn| {
        let conn = conn.borrow();
        let mut stmt = conn
            .prepare_cached("SELECT count(*) FROM t WHERE t MATCH ?1")
            .expect("the MATCH statement");
        for expression in &expressions {
            assert!(!expression.contains('\0'), "NUL in {expression:?}");
            let counted: rusqlite::Result<i64> = stmt.query_row([expression], |r| r.get(0));
            assert!(counted.is_ok(), "{query:?} -> {expression:?}: {counted:?}");
        }
    });
}

#[cfg(test)]
mod tests {
    #[test]
    fn fts_query_replays_the_committed_fuzz_inputs() {
        for input in ltmc_core::fuzz::committed_inputs("fts_query") {
            super::fts_query(&input);
        }
    }
}
