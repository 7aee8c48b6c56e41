//! Turns any failure into what the user reads: one `error: ...` line, one
//! `hint: ...` line when there is a fix to suggest, and a non-zero exit code.
//!
//! Hints come from the typed errors of the lower layers (matched exhaustively
//! so a new variant must decide its hint) or from a [`Hinted`] wrapper added
//! where the binary knows the fix best.

#![allow(clippy::print_stderr)] // this is the one place that writes the final error line

use ltmc_embed::EmbedError;
use ltmc_guard::GuardError;
use ltmc_legacy::LegacyError;
use ltmc_migrate::MigrateError;
use ltmc_service::ServiceError;
use ltmc_store::StoreError;
use std::fmt;
use std::process::ExitCode;

/// An error with the fix the user should try.
#[derive(Debug)]
pub struct Hinted {
    pub error: anyhow::Error,
    pub hint: String,
}

impl fmt::Display for Hinted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `{:#}` prints anyhow's cause chain on one line.
        write!(f, "{:#}", self.error)
    }
}

impl std::error::Error for Hinted {}

pub fn with_hint(error: impl Into<anyhow::Error>, hint: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(Hinted {
        error: error.into(),
        hint: hint.into(),
    })
}

pub fn report(error: &anyhow::Error) -> ExitCode {
    eprintln!("error: {error:#}");
    if let Some(hint) = hint_for(error) {
        eprintln!("hint: {hint}");
    }
    ExitCode::from(1)
}

pub fn hint_for(error: &anyhow::Error) -> Option<String> {
    for cause in error.chain() {
        if let Some(h) = cause.downcast_ref::<Hinted>() {
            return Some(h.hint.clone());
        }
        if let Some(e) = cause.downcast_ref::<MigrateError>() {
            return migrate_hint(e);
        }
        if let Some(e) = cause.downcast_ref::<ServiceError>() {
            return service_hint(e);
        }
        if let Some(e) = cause.downcast_ref::<StoreError>() {
            return Some(store_hint(e));
        }
        if let Some(e) = cause.downcast_ref::<GuardError>() {
            return Some(guard_hint(e));
        }
        if let Some(e) = cause.downcast_ref::<LegacyError>() {
            return Some(legacy_hint(e));
        }
        if let Some(e) = cause.downcast_ref::<EmbedError>() {
            return e.hint().map(str::to_owned);
        }
    }
    None
}

fn service_hint(error: &ServiceError) -> Option<String> {
    match error {
        ServiceError::Invalid { field, .. } => Some(format!("fix the {field} and try again")),
        ServiceError::Store(e) => Some(store_hint(e)),
        ServiceError::Embed(e) => e.hint().map(str::to_owned),
        ServiceError::Guard(e) => Some(guard_hint(e)),
        ServiceError::Internal(_) => {
            Some("this is a bug in ltmc; run again with -v and report it".into())
        }
    }
}

fn migrate_hint(error: &MigrateError) -> Option<String> {
    match error {
        MigrateError::SourceUnreadable { .. } => Some(
            "give the original LTMC's ltmc.db (and its faiss_index) with --from / --index".into(),
        ),
        MigrateError::StoreChanged { .. } => Some(
            "stop the other ltmc processes using this data dir (ltmc serve, MCP clients), then run the migration again".into(),
        ),
        MigrateError::NothingToRollBack { .. } => Some(
            "run `ltmc migrate --from ltmc.db` first, or pass the --data-dir it used".into(),
        ),
        MigrateError::ImportDump { .. } => Some(
            "nothing was written to the target (the copy is one transaction); fix the cause and run the command again".into(),
        ),
        MigrateError::Batch { source, .. } | MigrateError::Store { source } => {
            Some(store_hint(source))
        }
        MigrateError::Legacy { source } => Some(legacy_hint(source)),
        MigrateError::Service { source } => service_hint(source),
        MigrateError::Embed { source } => source.hint().map(str::to_owned),
        MigrateError::SourceChanged
        | MigrateError::Io { .. }
        | MigrateError::TooFewVectors
        | MigrateError::Task { .. } => None,
    }
}

fn guard_hint(error: &GuardError) -> String {
    match error {
        GuardError::InvalidRegex { .. } => {
            "use Rust regex syntax (no look-around, no backreferences)".into()
        }
        GuardError::InvalidRule { rule_id, .. } => {
            format!("deactivate the rule (`ltmc guard disable {rule_id}`) or add a corrected one")
        }
        GuardError::NotFound { .. } => "give existing files or directories".into(),
        GuardError::Io { .. } => "check the path's permissions".into(),
    }
}

fn store_hint(error: &StoreError) -> String {
    match error {
        StoreError::NotFound { .. } => "check the id (`ltmc search` prints ids) and --project".into(),
        StoreError::WrongDimension { .. } | StoreError::WrongModel { .. } => {
            "use the model this store was created with, or a new --data-dir".into()
        }
        StoreError::Conflict(_) => "retry; if it persists run `ltmc doctor`".into(),
        StoreError::Invalid(_) => "fix the input and try again".into(),
        StoreError::Corrupt(_) => "run `ltmc doctor`; restore the data dir from a backup if it is damaged".into(),
        // PostgreSQL's messages start with the server's location (ltmc-store-pg).
        StoreError::Unavailable(m) if m.starts_with("postgres://") => {
            "check that the PostgreSQL server is running and that --database-url (LTMC_DATABASE_URL) names it, its user and database".into()
        }
        StoreError::Unavailable(m) if m.contains(ltmc_store_sqlite::READ_ONLY_REFUSAL) => {
            "leave out --read-only (LTMC_READ_ONLY), make the data dir and its ltmc.db writable \
             (chmod u+w, or remount read-write), or copy the data dir somewhere writable"
                .into()
        }
        StoreError::Unavailable(_) => {
            "check that --data-dir points to a readable ltmc data directory and that no other program holds it locked".into()
        }
    }
}

fn legacy_hint(error: &LegacyError) -> String {
    match error {
        LegacyError::Io { .. } => {
            "give the original LTMC's ltmc.db (and its faiss_index) with --from / --index".into()
        }
        LegacyError::Locked { .. } => {
            "stop the old LTMC server (it holds the database), then run the migration again".into()
        }
        LegacyError::CorruptDatabase { .. } => {
            "check the file is the original LTMC's SQLite database; restore it from a backup if damaged".into()
        }
        LegacyError::CorruptIndex { .. } => {
            "restore the index from a backup, or leave out --index (chunks are re-embedded anyway)".into()
        }
        LegacyError::Matching(_) => {
            "this is a bug in ltmc: run again with --index left out (the vector statistics are then skipped), and report it".into()
        }
    }
}
