//! Code Pattern Memory (seed 001): logging code-generation attempts with their
//! outcome, finding earlier attempts by meaning, and analysing success rates.
//!
//! Logging embeds the attempt's text once ([`ltmc_core::NewCodeAttempt::text`]), uses
//! that one vector both to find related earlier attempts and as the stored
//! vector, and writes the attempt with its links in one store call. Searching
//! ranks by the query's embedding with the filters inside the vector search
//! (never by date). Not here: JSON argument handling (`tools/code_tools.rs`).

use crate::{MAX_TOP_K, Memory, ServiceError};
use ltmc_core::{
    AttemptFilter, AttemptId, AttemptLink, AttemptLinkKind, AttemptResult, CodeAttempt,
    NewCodeAttempt, Project, present,
};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// An earlier attempt at least this similar (cosine of the attempts' texts)
/// is linked as `similar_function` even under another function name. High on
/// purpose: all-MiniLM-L6-v2 scores paraphrases of one task around 0.8 and
/// unrelated code in one language around 0.3-0.5.
pub const SIMILAR_ATTEMPT_THRESHOLD: f32 = 0.8;

/// At most this many links of each kind, strongest first.
pub const MAX_LINKS_PER_KIND: usize = 5;

/// How many nearest earlier attempts are examined for similarity links.
const SIMILAR_CANDIDATES: usize = 20;

/// A logged attempt and the links stored with it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LoggedAttempt {
    pub attempt: CodeAttempt,
    /// Strongest first.
    pub links: Vec<AttemptLink>,
}

/// Logs an attempt: validate, embed once, link to related earlier attempts
/// (`similar_function`: same function name or similarity ≥
/// [`SIMILAR_ATTEMPT_THRESHOLD`]; `same_file`; `same_module`; each with its
/// cosine similarity, at most [`MAX_LINKS_PER_KIND`] per kind), store both
/// in one transaction.
pub async fn log_attempt(
    memory: &Memory,
    project: &Project,
    input: NewCodeAttempt,
) -> Result<LoggedAttempt, ServiceError> {
    if input.input_prompt.trim().is_empty() {
        return Err(ServiceError::invalid(
            "input_prompt",
            "is empty; give the prompt the code was generated for",
        ));
    }
    if input.generated_code.trim().is_empty() {
        return Err(ServiceError::invalid(
            "generated_code",
            "is empty; give the code that was generated",
        ));
    }
    if let Some(ms) = input.execution_time_ms.filter(|ms| *ms < 0) {
        return Err(ServiceError::invalid(
            "execution_time_ms",
            format!("must be 0 or more, got {ms}"),
        ));
    }
    let function_name = present(input.function_name);
    let file_name = present(input.file_name);
    let module_name = present(input.module_name);
    let error_message = present(input.error_message);
    let tags = ltmc_core::fix::normalize_list(input.tags.iter().map(String::as_str));
    let attempt = NewCodeAttempt {
        function_name,
        file_name,
        module_name,
        error_message,
        tags,
        ..input
    };
    let vector = memory.embed_one(&attempt.text()).await?;
    let links = related_attempts(
        memory,
        project,
        &vector,
        attempt.function_name.as_deref(),
        attempt.file_name.as_deref(),
        attempt.module_name.as_deref(),
    )
    .await?;
    let stored = memory
        .store()
        .put_attempt(project, attempt, vector, links.clone())
        .await?;
    Ok(LoggedAttempt {
        attempt: stored,
        links,
    })
}

/// The links a new attempt with this vector and these names gets.
async fn related_attempts(
    memory: &Memory,
    project: &Project,
    vector: &[f32],
    function_name: Option<&str>,
    file_name: Option<&str>,
    module_name: Option<&str>,
) -> Result<Vec<AttemptLink>, ServiceError> {
    let store = memory.store();
    let mut best: HashMap<(AttemptId, AttemptLinkKind), f32> = HashMap::new();
    let mut add = |id: AttemptId, kind: AttemptLinkKind, similarity: f32| {
        let slot = best.entry((id, kind)).or_insert(similarity);
        *slot = slot.max(similarity);
    };
    let nearest = store
        .nearest_attempts(
            project,
            vector,
            SIMILAR_CANDIDATES,
            &AttemptFilter::default(),
        )
        .await?;
    for (attempt, similarity) in nearest {
        let same_function =
            function_name.is_some() && attempt.function_name.as_deref() == function_name;
        if same_function || similarity >= SIMILAR_ATTEMPT_THRESHOLD {
            add(attempt.id, AttemptLinkKind::SimilarFunction, similarity);
        }
    }
    // The same function, file or module may hold attempts too dissimilar to be
    // among the nearest overall: ask for them by name.
    let by_name = [
        (AttemptLinkKind::SimilarFunction, function_name),
        (AttemptLinkKind::SameFile, file_name),
        (AttemptLinkKind::SameModule, module_name),
    ];
    for (kind, name) in by_name {
        let Some(name) = name else { continue };
        let mut filter = AttemptFilter::default();
        match kind {
            AttemptLinkKind::SimilarFunction => filter.function_name = Some(name.to_owned()),
            AttemptLinkKind::SameFile => filter.file_name = Some(name.to_owned()),
            AttemptLinkKind::SameModule => filter.module_name = Some(name.to_owned()),
        }
        for (attempt, similarity) in store
            .nearest_attempts(project, vector, MAX_LINKS_PER_KIND, &filter)
            .await?
        {
            add(attempt.id, kind, similarity);
        }
    }
    let mut links: Vec<AttemptLink> = best
        .into_iter()
        .map(|((related, kind), similarity)| AttemptLink {
            related,
            kind,
            similarity,
        })
        .collect();
    links.sort_by(|a, b| {
        b.similarity
            .total_cmp(&a.similarity)
            .then(a.related.cmp(&b.related))
            .then(a.kind.as_str().cmp(b.kind.as_str()))
    });
    let mut per_kind: HashMap<AttemptLinkKind, usize> = HashMap::new();
    links.retain(|link| {
        let n = per_kind.entry(link.kind).or_default();
        *n += 1;
        *n <= MAX_LINKS_PER_KIND
    });
    Ok(links)
}

/// The `top_k` attempts passing `filter` closest in meaning to `query`, best
/// first, each with its cosine similarity.
pub async fn find_attempts(
    memory: &Memory,
    project: &Project,
    query: &str,
    filter: &AttemptFilter,
    top_k: usize,
) -> Result<Vec<(CodeAttempt, f32)>, ServiceError> {
    if query.trim().is_empty() {
        return Err(ServiceError::invalid(
            "query",
            "is empty; describe the code you are about to write",
        ));
    }
    if top_k == 0 || top_k > MAX_TOP_K {
        return Err(ServiceError::invalid(
            "top_k",
            format!("must be between 1 and {MAX_TOP_K}, got {top_k}"),
        ));
    }
    let vector = memory.embed_one(query).await?;
    Ok(memory
        .store()
        .nearest_attempts(project, &vector, top_k, filter)
        .await?)
}

/// One day of attempts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DayTrend {
    /// `YYYY-MM-DD` (UTC).
    pub date: String,
    pub total: u64,
    pub pass: u64,
    pub fail: u64,
    pub partial: u64,
    /// pass / total.
    pub pass_rate: f64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FunctionFailures {
    pub function_name: String,
    pub fail_count: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorCount {
    pub error_message: String,
    pub count: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AttemptTrends {
    /// Oldest day first; only days with attempts.
    pub per_day: Vec<DayTrend>,
    /// Most failures first, at most [`TOP_TRENDS`].
    pub most_failing_functions: Vec<FunctionFailures>,
    /// Most frequent first (first line of the message, trimmed), at most [`TOP_TRENDS`].
    pub common_errors: Vec<ErrorCount>,
}

/// How many functions and errors the trends list.
pub const TOP_TRENDS: usize = 10;

/// Success rates and trends of a set of attempts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AttemptAnalysis {
    pub total_patterns: u64,
    pub pass_count: u64,
    pub fail_count: u64,
    pub partial_count: u64,
    /// pass / total, in [0, 1]; 0 when there are no attempts.
    pub success_rate: f64,
    /// Mean `execution_time_ms` of the attempts that report one; `None` when none does.
    pub avg_execution_time: Option<f64>,
    pub trends: AttemptTrends,
}

/// The longest time range an analysis accepts, in days (100 years).
pub const MAX_TIME_RANGE_DAYS: u32 = 36_500;

/// Analyses the attempts passing `filter` created in the last
/// `time_range_days` days (`filter.since` is replaced by that bound).
/// Returns the analysis and the RFC 3339 start of the range.
pub async fn analyze_attempts(
    memory: &Memory,
    project: &Project,
    mut filter: AttemptFilter,
    time_range_days: u32,
) -> Result<(AttemptAnalysis, String), ServiceError> {
    if time_range_days == 0 || time_range_days > MAX_TIME_RANGE_DAYS {
        return Err(ServiceError::invalid(
            "time_range_days",
            format!("must be between 1 and {MAX_TIME_RANGE_DAYS}, got {time_range_days}"),
        ));
    }
    let since = days_ago_rfc3339(time_range_days);
    filter.since = Some(since.clone());
    let attempts = memory.store().list_attempts(project, &filter).await?;
    Ok((summarize_attempts(&attempts), since))
}

/// The RFC 3339 time (UTC, milliseconds, like the stores write) `days` days ago.
fn days_ago_rfc3339(days: u32) -> String {
    let now = time::OffsetDateTime::now_utc();
    let then = now - time::Duration::days(i64::from(days));
    let then = then
        .replace_nanosecond(u32::from(then.millisecond()) * 1_000_000)
        .unwrap_or(then);
    then.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| ltmc_core::now_rfc3339())
}

/// Counts, rates and trends of `attempts` (pure; the analysis of
/// [`analyze_attempts`]).
pub fn summarize_attempts(attempts: &[CodeAttempt]) -> AttemptAnalysis {
    let mut counts = [0u64; 3];
    let mut days: BTreeMap<String, [u64; 3]> = BTreeMap::new();
    let mut failing: HashMap<&str, u64> = HashMap::new();
    let mut errors: HashMap<String, u64> = HashMap::new();
    let (mut time_sum, mut time_n) = (0f64, 0u64);
    for attempt in attempts {
        let slot = match attempt.result {
            AttemptResult::Pass => 0,
            AttemptResult::Fail => 1,
            AttemptResult::Partial => 2,
        };
        counts[slot] += 1;
        let date: String = attempt.created_at.chars().take(10).collect();
        days.entry(date).or_default()[slot] += 1;
        if attempt.result == AttemptResult::Fail
            && let Some(name) = attempt.function_name.as_deref()
        {
            *failing.entry(name).or_default() += 1;
        }
        if let Some(error) = attempt.error_message.as_deref() {
            let first_line = error.lines().next().unwrap_or("").trim();
            if !first_line.is_empty() {
                let key: String = first_line.chars().take(300).collect();
                *errors.entry(key).or_default() += 1;
            }
        }
        if let Some(ms) = attempt.execution_time_ms {
            time_sum += ms as f64;
            time_n += 1;
        }
    }
    let total = counts.iter().sum::<u64>();
    let rate = |pass: u64, total: u64| {
        if total == 0 {
            0.0
        } else {
            pass as f64 / total as f64
        }
    };
    let per_day = days
        .into_iter()
        .map(|(date, [pass, fail, partial])| {
            let total = pass + fail + partial;
            DayTrend {
                date,
                total,
                pass,
                fail,
                partial,
                pass_rate: rate(pass, total),
            }
        })
        .collect();
    let mut most_failing_functions: Vec<FunctionFailures> = failing
        .into_iter()
        .map(|(name, fail_count)| FunctionFailures {
            function_name: name.to_owned(),
            fail_count,
        })
        .collect();
    most_failing_functions.sort_by(|a, b| {
        b.fail_count
            .cmp(&a.fail_count)
            .then_with(|| a.function_name.cmp(&b.function_name))
    });
    most_failing_functions.truncate(TOP_TRENDS);
    let mut common_errors: Vec<ErrorCount> = errors
        .into_iter()
        .map(|(error_message, count)| ErrorCount {
            error_message,
            count,
        })
        .collect();
    common_errors.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then_with(|| a.error_message.cmp(&b.error_message))
    });
    common_errors.truncate(TOP_TRENDS);
    AttemptAnalysis {
        total_patterns: total,
        pass_count: counts[0],
        fail_count: counts[1],
        partial_count: counts[2],
        success_rate: rate(counts[0], total),
        avg_execution_time: (time_n > 0).then(|| time_sum / time_n as f64),
        trends: AttemptTrends {
            per_day,
            most_failing_functions,
            common_errors,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ltmc_core::ResourceId;

    fn attempt(
        day: &str,
        result: AttemptResult,
        function: Option<&str>,
        error: Option<&str>,
        ms: Option<i64>,
    ) -> CodeAttempt {
        CodeAttempt {
            id: AttemptId(1),
            resource_id: ResourceId(1),
            input_prompt: "p".into(),
            generated_code: "c".into(),
            result,
            function_name: function.map(str::to_owned),
            file_name: None,
            module_name: None,
            execution_time_ms: ms,
            error_message: error.map(str::to_owned),
            tags: Vec::new(),
            created_at: format!("{day}T10:00:00.000Z"),
        }
    }

    #[test]
    fn summary_counts_rates_and_trends() {
        use AttemptResult::{Fail, Partial, Pass};
        let attempts = [
            attempt("2025-01-01", Pass, Some("f"), None, Some(10)),
            attempt(
                "2025-01-01",
                Fail,
                Some("g"),
                Some("KeyError: x\ntrace"),
                Some(30),
            ),
            attempt("2025-01-02", Fail, Some("g"), Some("KeyError: x"), None),
            attempt("2025-01-02", Partial, Some("f"), None, None),
            attempt("2025-01-02", Fail, Some("f"), Some("timeout"), None),
        ];
        let a = summarize_attempts(&attempts);
        assert_eq!(
            (
                a.total_patterns,
                a.pass_count,
                a.fail_count,
                a.partial_count
            ),
            (5, 1, 3, 1)
        );
        assert!((a.success_rate - 0.2).abs() < 1e-9);
        assert_eq!(a.avg_execution_time, Some(20.0));
        assert_eq!(a.trends.per_day.len(), 2);
        assert_eq!(a.trends.per_day[0].date, "2025-01-01");
        assert!((a.trends.per_day[0].pass_rate - 0.5).abs() < 1e-9);
        assert_eq!(a.trends.per_day[1].total, 3);
        assert_eq!(
            a.trends.most_failing_functions[0],
            FunctionFailures {
                function_name: "g".into(),
                fail_count: 2
            }
        );
        assert_eq!(
            a.trends.common_errors[0],
            ErrorCount {
                error_message: "KeyError: x".into(),
                count: 2
            }
        );
    }

    #[test]
    fn empty_summary() {
        let a = summarize_attempts(&[]);
        assert_eq!(a.total_patterns, 0);
        assert!(a.success_rate.abs() < f64::EPSILON);
        assert_eq!(a.avg_execution_time, None);
        assert!(a.trends.per_day.is_empty());
    }

    #[test]
    fn days_ago_is_rfc3339_utc_in_the_past() {
        let since = days_ago_rfc3339(1);
        assert!(since.ends_with('Z'));
        assert!(since < ltmc_core::now_rfc3339());
    }
}
