//! Test support for code that runs against a real PostgreSQL: the test
//! server's URL from the environment, and a throw-away database per test.
//!
//! Used by this crate's tests and by the service and CLI tests that run on
//! both backends. `scripts/test` starts the server (`scripts/with-pg`, PyPI
//! `pgserver`) and exports `LTMC_TEST_DATABASE_URL`. Not for production use:
//! database names are made from the process id and a counter, and dropping a
//! [`TestDb`] drops its database with every connection to it.

use std::sync::atomic::{AtomicU32, Ordering};

/// Which backend the backend-neutral tests (service, CLI) run on:
/// `LTMC_TEST_BACKEND=postgres` for PostgreSQL, else SQLite.
pub fn postgres_selected() -> bool {
    std::env::var("LTMC_TEST_BACKEND").is_ok_and(|b| b.eq_ignore_ascii_case("postgres"))
}

/// The server's URL (its maintenance database), or `None` with a message when
/// no server was started for the tests (never on CI).
pub fn server_url() -> Option<String> {
    if let Some(url) = std::env::var("LTMC_TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())
    {
        return Some(url);
    }
    let why = "LTMC_TEST_DATABASE_URL is not set: run `scripts/test`, or \
               `scripts/with-pg cargo test -p ltmc-store-pg`";
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "{why} (required on CI)"
    );
    #[allow(clippy::print_stderr)] // a skipped test must say so (tests only)
    {
        eprintln!("skipping a PostgreSQL test: {why}");
    }
    None
}

/// `url` with its database name replaced by `db` (TCP and socket URLs alike:
/// the path is the database).
pub fn with_database(url: &str, db: &str) -> String {
    let scheme_end = url.find("://").expect("URL has a scheme") + 3;
    let path_start = url[scheme_end..]
        .find('/')
        .map_or(url.len(), |i| scheme_end + i);
    let query_start = url[path_start..]
        .find('?')
        .map_or(url.len(), |i| path_start + i);
    format!("{}/{db}{}", &url[..path_start], &url[query_start..])
}

/// Drops its database when it goes.
#[derive(Debug)]
pub struct TestDb {
    pub url: String,
    admin_url: String,
    name: String,
}

impl TestDb {
    /// A new, empty database on the test server.
    pub async fn create(admin_url: &str) -> Self {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "ltmc_t_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        let (client, conn) = tokio_postgres::connect(admin_url, tokio_postgres::NoTls)
            .await
            .unwrap_or_else(|e| panic!("cannot reach the test server {admin_url}: {e}"));
        let conn = tokio::spawn(conn);
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .unwrap();
        drop(client);
        let _ = conn.await;
        Self {
            url: with_database(admin_url, &name),
            admin_url: admin_url.to_owned(),
            name,
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let (admin_url, name) = (self.admin_url.clone(), self.name.clone());
        // Drop runs inside the test's runtime, which cannot be blocked on:
        // the drop gets a thread and a runtime of its own.
        let dropped = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                let (client, conn) = tokio_postgres::connect(&admin_url, tokio_postgres::NoTls)
                    .await
                    .ok()?;
                let conn = tokio::spawn(conn);
                client
                    .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .await
                    .ok()?;
                drop(client);
                conn.await.ok()
            })
        });
        let _ = dropped.join();
    }
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn database_names_are_replaced_in_both_url_forms() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/postgres", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            with_database("postgresql://postgres@/postgres?host=/tmp/d&port=7", "x"),
            "postgresql://postgres@/x?host=/tmp/d&port=7"
        );
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
    }
}
