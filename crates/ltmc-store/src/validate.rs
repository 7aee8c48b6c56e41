//! The checks every backend runs on its input before a write begins, so that
//! a refused write has touched nothing and its `Invalid` names the field that
//! was wrong: a resource and its chunks ([`check_put`]), a vector
//! ([`check_vector`]), a code attempt and its links ([`check_attempt`],
//! [`checked_links`]), a chat message ([`check_message`]), guardian rule hits
//! ([`checked_hits`]), text that must say something ([`not_blank`]) and JSON
//! that must be an object ([`json_object`]). Searches check their query
//! vector with [`check_vector`] too.
//!
//! Pure functions over ltmc-core values returning [`StoreError`], so both
//! backends refuse the same input with the same kind, field and message.
//! Not here: SQL, or the database's own constraints (they stay as the second
//! line of defence, not the first), nor what only one database cannot store
//! (PostgreSQL's refusal of NUL in text is the PostgreSQL backend's check).
//! Whether chunks cover the whole text is the chunker's promise, not checked
//! here: ranges only have to lie inside the content and match the chunk's
//! text.

use crate::StoreError;
use ltmc_core::fix::RuleHit;
use ltmc_core::{
    AttemptLink, CoreError, NewChatMessage, NewChunk, NewCodeAttempt, NewResource, RuleId,
};
use std::collections::HashSet;

/// How far a link's similarity may stray outside [-1, 1] by rounding (it is
/// then clamped); further is a caller's mistake.
pub const SIMILARITY_SLACK: f32 = 1e-3;

/// `Invalid` naming the field.
pub fn invalid(field: &'static str, reason: impl Into<String>) -> StoreError {
    StoreError::Invalid(CoreError::invalid(field, reason))
}

/// Why a draft without layers cannot be marked reviewed (both stores).
pub fn no_layers_to_review(id: ltmc_core::PatternId) -> StoreError {
    invalid(
        "layers",
        format!(
            "fix pattern {id} has none yet; give the architecture layers (1-7) it applies to \
             when accepting it (`ltmc patterns accept {id} --layers 3,4`, or accept_pattern's `layers`)"
        ),
    )
}

/// An update that marks the pattern reviewed must leave it with layers.
pub fn check_reviewable(
    id: ltmc_core::PatternId,
    pattern: &ltmc_core::fix::NewFixPattern,
    review: Option<&crate::ReviewMark>,
) -> Result<(), StoreError> {
    if review.is_some_and(|r| r.reviewed) && pattern.layers.is_empty() {
        return Err(no_layers_to_review(id));
    }
    Ok(())
}

/// A resource and its chunks as a put takes them: [`check_resource`], then
/// [`check_chunks`].
pub fn check_put(
    resource: &NewResource,
    chunks: &[NewChunk],
    dimension: usize,
) -> Result<(), StoreError> {
    check_resource(resource)?;
    check_chunks(&resource.content, chunks, dimension)
}

/// The resource itself: content not empty, a resource type.
pub fn check_resource(resource: &NewResource) -> Result<(), StoreError> {
    if resource.content.is_empty() {
        return Err(invalid("content", "is empty; there is nothing to store"));
    }
    if resource.resource_type.trim().is_empty() {
        return Err(invalid("resource_type", "is empty (e.g. \"document\")"));
    }
    Ok(())
}

/// The chunks of `content`: at least one, each one's vector of the store's
/// dimension, finite and not zero, ordinals distinct, each byte range inside
/// the content, on character boundaries, and the chunk's text.
pub fn check_chunks(
    content: &str,
    chunks: &[NewChunk],
    dimension: usize,
) -> Result<(), StoreError> {
    if chunks.is_empty() {
        // Storing a resource that no search can find, and reporting success,
        // is the original's 0-chunk bug.
        return Err(invalid(
            "chunks",
            "none given; non-empty content needs at least one chunk",
        ));
    }
    let mut ordinals = HashSet::with_capacity(chunks.len());
    for (i, chunk) in chunks.iter().enumerate() {
        let NewChunk {
            ordinal,
            start,
            end,
            ..
        } = *chunk;
        let at = format!("chunk {i} (ordinal {ordinal})");
        // WrongDimension's fields already say everything a caller acts on;
        // an Invalid is told which chunk.
        check_vector(&chunk.vector, dimension, "chunks").map_err(|err| match err {
            StoreError::Invalid(CoreError::Invalid { field, reason }) => {
                invalid(field, format!("{at}: {reason}"))
            }
            other => other,
        })?;
        if !ordinals.insert(ordinal) {
            return Err(invalid("chunks", format!("{at}: ordinal used twice")));
        }
        if start > end || end > content.len() {
            return Err(invalid(
                "chunks",
                format!(
                    "{at}: byte range {start}..{end} is outside the content (0..{})",
                    content.len()
                ),
            ));
        }
        let Some(slice) = content.get(start..end) else {
            return Err(invalid(
                "chunks",
                format!("{at}: byte range {start}..{end} splits a UTF-8 character"),
            ));
        };
        if slice != chunk.text {
            return Err(invalid(
                "chunks",
                format!("{at}: text is not content[{start}..{end}]"),
            ));
        }
    }
    Ok(())
}

/// A vector the store can hold or search with: the store's dimension (else
/// `WrongDimension`), finite, not all zero (a zero vector has no direction;
/// it is a placeholder, not an embedding, and its cosine is NaN). `field`
/// names it in an `Invalid`.
pub fn check_vector(
    vector: &[f32],
    dimension: usize,
    field: &'static str,
) -> Result<(), StoreError> {
    if vector.len() != dimension {
        return Err(StoreError::WrongDimension {
            expected: dimension,
            got: vector.len(),
        });
    }
    if !vector.iter().all(|x| x.is_finite()) {
        return Err(invalid(field, "vector contains NaN or infinity"));
    }
    if vector.iter().all(|&x| x == 0.0) {
        return Err(invalid(
            field,
            "vector is all zeros; it has no direction to compare",
        ));
    }
    Ok(())
}

/// A code attempt and its vector: a prompt and code that say something, the
/// vector ([`check_vector`], field `vector`), a duration not below zero, no
/// blank tag.
pub fn check_attempt(
    attempt: &NewCodeAttempt,
    vector: &[f32],
    dimension: usize,
) -> Result<(), StoreError> {
    not_blank(
        "input_prompt",
        &attempt.input_prompt,
        "the request the code was generated for",
    )?;
    not_blank(
        "generated_code",
        &attempt.generated_code,
        "the code that was produced",
    )?;
    check_vector(vector, dimension, "vector")?;
    if let Some(ms) = attempt.execution_time_ms.filter(|ms| *ms < 0) {
        return Err(invalid(
            "execution_time_ms",
            format!("is {ms}; a duration is 0 or more milliseconds"),
        ));
    }
    if let Some(i) = attempt.tags.iter().position(|tag| tag.trim().is_empty()) {
        return Err(invalid("tags", format!("tag {i} is empty; leave it out")));
    }
    Ok(())
}

/// Links with finite similarities in [-1, 1] (rounding slack,
/// [`SIMILARITY_SLACK`], clamped).
pub fn checked_links(links: &[AttemptLink]) -> Result<Vec<AttemptLink>, StoreError> {
    links
        .iter()
        .enumerate()
        .map(|(i, link)| {
            let s = link.similarity;
            if !s.is_finite() || s.abs() > 1.0 + SIMILARITY_SLACK {
                return Err(invalid(
                    "links",
                    format!("link {i}: similarity {s} is not a cosine similarity in [-1, 1]"),
                ));
            }
            Ok(AttemptLink {
                similarity: s.clamp(-1.0, 1.0),
                ..*link
            })
        })
        .collect()
}

/// A chat message: a conversation and a role that say something.
pub fn check_message(message: &NewChatMessage) -> Result<(), StoreError> {
    not_blank(
        "conversation_id",
        &message.conversation_id,
        "\"session-42\"",
    )?;
    not_blank("role", &message.role, "\"user\" or \"assistant\"")
}

/// Guardian rule hits as they are written: each one's rule, its path trimmed
/// with `/` separators (not blank), and its count as a signed 64-bit integer,
/// in order. Hits of no match are kept (their rules are still checked); the
/// writer skips them.
pub fn checked_hits(hits: Vec<RuleHit>) -> Result<Vec<(RuleId, String, i64)>, StoreError> {
    hits.into_iter()
        .enumerate()
        .map(|(i, hit)| {
            let file_path = hit.file_path.trim().replace('\\', "/");
            if file_path.is_empty() {
                return Err(invalid(
                    "file_path",
                    format!(
                        "hit {i} (rule {}): the file is empty; name the file matched",
                        hit.rule_id
                    ),
                ));
            }
            let count = i64::try_from(hit.count).map_err(|_| {
                invalid(
                    "count",
                    format!(
                        "hit {i} (rule {}): {} matches is too many",
                        hit.rule_id, hit.count
                    ),
                )
            })?;
            Ok((hit.rule_id, file_path, count))
        })
        .collect()
}

/// `value` holds more than whitespace; `example` says what would.
pub fn not_blank(field: &'static str, value: &str, example: &str) -> Result<(), StoreError> {
    if value.trim().is_empty() {
        return Err(invalid(
            field,
            format!("is empty; give one (e.g. {example})"),
        ));
    }
    Ok(())
}

/// A JSON object as it is stored; `null` (the default of a
/// `serde_json::Value`) is the empty object. Anything else is refused:
/// readers add keys to these without checking their type.
pub fn json_object(
    field: &'static str,
    value: &serde_json::Value,
) -> Result<serde_json::Value, StoreError> {
    match value {
        serde_json::Value::Null => Ok(serde_json::Value::Object(serde_json::Map::new())),
        serde_json::Value::Object(_) => Ok(value.clone()),
        other => Err(invalid(
            field,
            format!(
                "must be a JSON object such as {{\"key\": \"value\"}}, not {}",
                json_kind(other)
            ),
        )),
    }
}

fn json_kind(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

/// A count as a LIMIT wants it (a signed 64-bit integer, in SQLite and
/// PostgreSQL alike): a `usize` beyond `i64` is no limit anyway.
pub fn sql_limit(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// A refitted calibration and its report as the stores keep them (JSON
/// text), validated: the calibration must be usable (monotone, finite,
/// thresholds in range) and the report a JSON object.
pub fn calibration_texts(
    calibration: &ltmc_core::fix::calibration::Calibration,
    report: &serde_json::Value,
) -> Result<(String, String), StoreError> {
    let calibration = calibration
        .clone()
        .validated()
        .map_err(|e| invalid("calibration", e.to_string()))?;
    if !report.is_object() {
        return Err(invalid("report", "must be a JSON object"));
    }
    let text =
        serde_json::to_string(&calibration).map_err(|e| invalid("calibration", e.to_string()))?;
    Ok((text, report.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ltmc_core::{AttemptId, AttemptLinkKind, AttemptResult, Project};
    use serde_json::json;

    const CONTENT: &str = "héllo world";

    fn resource(content: &str) -> NewResource {
        NewResource {
            project: Project::default(),
            file_name: "a.md".into(),
            resource_type: "document".into(),
            content: content.into(),
            metadata: serde_json::Value::Null,
        }
    }

    fn chunk(ordinal: usize, start: usize, end: usize, text: &str, vector: &[f32]) -> NewChunk {
        NewChunk {
            ordinal,
            start,
            end,
            text: text.into(),
            vector: vector.to_vec(),
        }
    }

    /// "ok", "WrongDimension", or the field of an Invalid.
    fn outcome(result: Result<(), StoreError>) -> String {
        match result {
            Ok(()) => "ok".to_owned(),
            Err(StoreError::WrongDimension { .. }) => "WrongDimension".to_owned(),
            Err(StoreError::Invalid(CoreError::Invalid { field, .. })) => field.to_owned(),
            Err(other) => panic!("{other}"),
        }
    }

    fn check(content: &str, chunks: &[NewChunk], expected: &str) {
        let got = outcome(check_put(&resource(content), chunks, 2));
        assert_eq!(got, expected, "{chunks:?}");
    }

    #[test]
    fn json_objects_and_blanks() {
        assert_eq!(json_object("m", &json!(null)).unwrap(), json!({}));
        assert_eq!(
            json_object("m", &json!({"a": 1})).unwrap().to_string(),
            r#"{"a":1}"#
        );
        for bad in [json!([1]), json!("x"), json!(1), json!(true)] {
            assert!(
                matches!(json_object("m", &bad), Err(StoreError::Invalid(_))),
                "{bad}"
            );
        }
        let err = json_object("metadata", &json!([1])).unwrap_err();
        assert!(err.to_string().contains("not an array"), "{err}");
        assert!(not_blank("role", " \t", "\"user\"").is_err());
        assert!(not_blank("role", "user", "\"user\"").is_ok());
    }

    #[test]
    fn puts() {
        let v = [1.0, 0.0];
        check(CONTENT, &[chunk(0, 0, 12, CONTENT, &v)], "ok");
        check(
            CONTENT,
            &[chunk(0, 0, 6, "héllo", &v), chunk(1, 6, 12, " world", &v)],
            "ok",
        );
        check("", &[chunk(0, 0, 0, "", &v)], "content");
        check(CONTENT, &[], "chunks");
        check(CONTENT, &[chunk(0, 0, 13, CONTENT, &v)], "chunks");
        check(CONTENT, &[chunk(0, 5, 4, "", &v)], "chunks");
        check(CONTENT, &[chunk(0, 0, 2, "h", &v)], "chunks"); // inside 'é'
        check(CONTENT, &[chunk(0, 0, 5, "hello", &v)], "chunks");
        check(
            CONTENT,
            &[chunk(0, 0, 6, "héllo", &v), chunk(0, 6, 12, " world", &v)],
            "chunks",
        );
        check(
            CONTENT,
            &[chunk(0, 0, 12, CONTENT, &[1.0])],
            "WrongDimension",
        );
        check(
            CONTENT,
            &[chunk(0, 0, 12, CONTENT, &[f32::NAN, 1.0])],
            "chunks",
        );
        check(CONTENT, &[chunk(0, 0, 12, CONTENT, &[0.0, 0.0])], "chunks");
        let mut untyped = resource(CONTENT);
        untyped.resource_type = " ".into();
        let got = outcome(check_put(&untyped, &[chunk(0, 0, 12, CONTENT, &v)], 2));
        assert_eq!(got, "resource_type");
    }

    #[test]
    fn a_chunk_error_names_its_chunk() {
        let err = check_put(
            &resource(CONTENT),
            &[chunk(0, 0, 12, CONTENT, &[0.0, 0.0])],
            2,
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .contains("chunk 0 (ordinal 0): vector is all zeros"),
            "{err}"
        );
    }

    #[test]
    fn messages_and_hits() {
        let mut message = NewChatMessage {
            conversation_id: "session-42".into(),
            role: "user".into(),
            content: String::new(),
            agent_name: None,
            source_tool: None,
            metadata: serde_json::Value::Null,
        };
        assert_eq!(outcome(check_message(&message)), "ok");
        message.role = " ".into();
        assert_eq!(outcome(check_message(&message)), "role");
        message.conversation_id = String::new();
        assert_eq!(outcome(check_message(&message)), "conversation_id");

        let hit = |path: &str, count| RuleHit {
            rule_id: RuleId(7),
            file_path: path.into(),
            count,
        };
        let kept = checked_hits(vec![hit(" src\\a.rs ", 2), hit("b.rs", 0)]).unwrap();
        assert_eq!(
            kept,
            [
                (RuleId(7), "src/a.rs".to_owned(), 2),
                (RuleId(7), "b.rs".to_owned(), 0)
            ]
        );
        for (bad, field) in [(hit(" ", 1), "file_path"), (hit("a.rs", u64::MAX), "count")] {
            let got = checked_hits(vec![hit("ok.rs", 1), bad]).map(drop);
            assert_eq!(outcome(got), field);
        }
    }

    type Change = fn(&mut NewCodeAttempt);

    #[test]
    fn attempts_and_links() {
        let attempt = NewCodeAttempt {
            input_prompt: "add two numbers".into(),
            generated_code: "fn add(a: i32, b: i32) -> i32 { a + b }".into(),
            result: AttemptResult::Pass,
            function_name: None,
            file_name: None,
            module_name: None,
            execution_time_ms: Some(3),
            error_message: None,
            tags: vec!["math".into()],
            citations: Vec::new(),
        };
        let v = [1.0, 0.0];
        assert_eq!(outcome(check_attempt(&attempt, &v, 2)), "ok");
        let cases: [(Change, &str); 4] = [
            (|a| a.input_prompt = " ".into(), "input_prompt"),
            (|a| a.generated_code = String::new(), "generated_code"),
            (|a| a.execution_time_ms = Some(-1), "execution_time_ms"),
            (|a| a.tags.push("\t".into()), "tags"),
        ];
        for (change, field) in cases {
            let mut bad = attempt.clone();
            change(&mut bad);
            assert_eq!(outcome(check_attempt(&bad, &v, 2)), field);
        }
        assert_eq!(
            outcome(check_attempt(&attempt, &[1.0], 2)),
            "WrongDimension"
        );
        assert_eq!(outcome(check_attempt(&attempt, &[0.0, 0.0], 2)), "vector");

        let link = |similarity| AttemptLink {
            related: AttemptId(1),
            kind: AttemptLinkKind::SimilarFunction,
            similarity,
        };
        let kept = checked_links(&[link(1.0005), link(-0.5)]).unwrap();
        assert_eq!(kept, [link(1.0), link(-0.5)]);
        for bad in [1.01, f32::NAN, f32::INFINITY] {
            assert!(
                matches!(
                    checked_links(&[link(0.0), link(bad)]),
                    Err(StoreError::Invalid(CoreError::Invalid {
                        field: "links",
                        ..
                    }))
                ),
                "{bad}"
            );
        }
    }
}
