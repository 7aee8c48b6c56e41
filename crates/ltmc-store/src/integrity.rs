//! The integrity checks behind `ltmc doctor` that read the same in SQLite and
//! PostgreSQL: each a [`Finding`] (what it counts, in words, and the query
//! counting it), written once here and listed by both backends beside their
//! own, dialect-bound checks; and [`note`], which turns a count into a line
//! of the shared result, [`IntegrityReport`].
//!
//! Only queries both dialects run unchanged are here. Not here: the checks
//! whose SQL differs (byte ranges of the content, the vector-id allocator,
//! SQLite's pragmas and vector rows, pgvector's column type), nor running a
//! query (each backend does, in its own read snapshot).

use crate::IntegrityReport;

/// One cross-row invariant the schema or the write path should make
/// impossible: a count above zero is worth a person's look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Finding {
    /// What is counted, as it reads after the number ("3 resources whose …").
    pub what: &'static str,
    /// A query returning one row with one integer: how many there are.
    pub sql: &'static str,
}

/// Vector ids held by more than one chunk (the report's
/// `duplicate_vector_ids` counter).
pub const DUPLICATE_VECTOR_IDS: &str = "SELECT count(*) FROM (SELECT vector_id FROM chunks \
     GROUP BY vector_id HAVING count(*) > 1) d";

pub const CHUNK_COUNTS: Finding = Finding {
    what: "resources whose chunk_count differs from their stored chunks",
    sql: "SELECT count(*) FROM resources r WHERE r.chunk_count <> \
          (SELECT count(*) FROM chunks c WHERE c.resource_id = r.id)",
};

pub const ATTEMPT_RESOURCES: Finding = Finding {
    what: "code attempts whose resource is of another project, not of type code_attempt, or not one chunk",
    sql: "SELECT count(*) FROM code_attempts a JOIN resources r ON r.id = a.resource_id \
          WHERE r.project <> a.project OR r.resource_type <> 'code_attempt' OR r.chunk_count <> 1",
};

pub const ATTEMPTLESS_RESOURCES: Finding = Finding {
    what: "resources of type code_attempt without their attempt (attempt search relies on it)",
    sql: "SELECT count(*) FROM resources r WHERE r.resource_type = 'code_attempt' \
          AND NOT EXISTS (SELECT 1 FROM code_attempts a WHERE a.resource_id = r.id)",
};

pub const ATTEMPT_LINK_PROJECTS: Finding = Finding {
    what: "attempt links between attempts of different projects",
    sql: "SELECT count(*) FROM attempt_links l JOIN code_attempts a ON a.id = l.attempt_id \
          JOIN code_attempts b ON b.id = l.related_id WHERE a.project <> b.project",
};

pub const CONTEXT_LINK_PROJECTS: Finding = Finding {
    what: "context links whose project differs from their message's or their chunk's",
    sql: "SELECT count(*) FROM context_links l JOIN chat_messages m ON m.id = l.message_id \
          JOIN chunks c ON c.id = l.chunk_id WHERE l.project <> m.project OR l.project <> c.project",
};

pub const FOLDS: Finding = Finding {
    what: "folds whose resource still has chunks, or whose resources are of another project",
    sql: "SELECT count(*) FROM resource_folds f JOIN resources r ON r.id = f.folded_id \
          JOIN resources k ON k.id = f.kept_id \
          WHERE r.chunk_count <> 0 OR r.project <> f.project OR k.project <> f.project",
};

/// Records `count` occurrences of `finding` in `report` (nothing when 0).
pub fn note(report: &mut IntegrityReport, finding: &Finding, count: u64) {
    if count > 0 {
        report.problems.push(format!("{count} {}", finding.what));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_count_above_zero_becomes_one_line() {
        let mut report = IntegrityReport::default();
        note(&mut report, &CHUNK_COUNTS, 0);
        assert!(report.problems.is_empty());
        note(&mut report, &ATTEMPT_LINK_PROJECTS, 3);
        assert_eq!(
            report.problems,
            ["3 attempt links between attempts of different projects"]
        );
    }

    #[test]
    fn every_shared_query_counts() {
        for finding in [
            CHUNK_COUNTS,
            ATTEMPT_RESOURCES,
            ATTEMPTLESS_RESOURCES,
            ATTEMPT_LINK_PROJECTS,
            CONTEXT_LINK_PROJECTS,
        ] {
            assert!(
                finding.sql.starts_with("SELECT count(*) FROM "),
                "{finding:?}"
            );
            assert!(!finding.what.is_empty());
        }
        assert!(DUPLICATE_VECTOR_IDS.starts_with("SELECT count(*) FROM "));
    }
}
