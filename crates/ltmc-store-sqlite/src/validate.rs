//! Checks on a resource and its chunks before any write begins, so that a
//! refused write has touched nothing and says which field was wrong.
//!
//! Pure functions over values; the database's own constraints stay as the
//! second line of defence, not the first. Whether chunks cover the whole text
//! is the chunker's promise, not checked here: ranges only have to lie inside
//! the content and match the chunk's text.

use ltmc_core::{CoreError, NewChunk, NewResource};
use ltmc_store::StoreError;
use std::collections::HashSet;

pub(crate) fn check_put(
    resource: &NewResource,
    chunks: &[NewChunk],
    dimension: usize,
) -> Result<(), StoreError> {
    let content = &resource.content;
    if content.is_empty() {
        return Err(invalid(
            "content",
            "is empty; there is nothing to store".into(),
        ));
    }
    if resource.resource_type.trim().is_empty() {
        return Err(invalid(
            "resource_type",
            "is empty (e.g. \"document\")".into(),
        ));
    }
    if chunks.is_empty() {
        // Storing a resource that no search can find, and reporting success,
        // is the original's 0-chunk bug.
        return Err(invalid(
            "chunks",
            "none given; non-empty content needs at least one chunk".into(),
        ));
    }
    let mut ordinals = HashSet::with_capacity(chunks.len());
    for (i, chunk) in chunks.iter().enumerate() {
        check_vector(&chunk.vector, dimension, "chunks")
            .map_err(|err| with_chunk(err, i, chunk.ordinal))?;
        let NewChunk {
            ordinal,
            start,
            end,
            ..
        } = *chunk;
        let at = format!("chunk {i} (ordinal {ordinal})");
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

/// A vector the store can hold: the store's dimension, finite, not all zero
/// (a zero vector has no direction; it is a placeholder, not an embedding).
pub(crate) fn check_vector(
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
        return Err(invalid(field, "vector contains NaN or infinity".into()));
    }
    if vector.iter().all(|&x| x == 0.0) {
        return Err(invalid(
            field,
            "vector is all zeros; it has no direction to compare".into(),
        ));
    }
    Ok(())
}

/// `value` holds more than whitespace; `example` says what would.
pub(crate) fn not_blank(field: &'static str, value: &str, example: &str) -> Result<(), StoreError> {
    if value.trim().is_empty() {
        return Err(invalid(
            field,
            format!("is empty; give one (e.g. {example})"),
        ));
    }
    Ok(())
}

/// A JSON object as the text the database stores; `null` (the default of a
/// `serde_json::Value`) is the empty object. Anything else is refused: readers
/// add keys to these without checking their type.
pub(crate) fn json_object(
    field: &'static str,
    value: &serde_json::Value,
) -> Result<String, StoreError> {
    match value {
        serde_json::Value::Null => Ok("{}".to_owned()),
        serde_json::Value::Object(_) => Ok(value.to_string()),
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

/// A count as SQLite's LIMIT wants it.
pub(crate) fn sql_limit(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

pub(crate) fn invalid(field: &'static str, reason: String) -> StoreError {
    StoreError::Invalid(CoreError::invalid(field, reason))
}

/// Names the chunk in a vector error, except for WrongDimension whose fields
/// already say everything a caller acts on.
fn with_chunk(err: StoreError, index: usize, ordinal: usize) -> StoreError {
    match err {
        StoreError::Invalid(CoreError::Invalid { field, reason }) => invalid(
            field,
            format!("chunk {index} (ordinal {ordinal}): {reason}"),
        ),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ltmc_core::Project;

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

    /// `expected` is "ok", "WrongDimension", or the field of an Invalid.
    fn check(content: &str, chunks: &[NewChunk], expected: &str) {
        let got = match check_put(&resource(content), chunks, 2) {
            Ok(()) => "ok".to_owned(),
            Err(StoreError::WrongDimension { .. }) => "WrongDimension".to_owned(),
            Err(StoreError::Invalid(CoreError::Invalid { field, .. })) => field.to_owned(),
            Err(other) => panic!("{other}"),
        };
        assert_eq!(got, expected, "{chunks:?}");
    }

    #[test]
    fn json_objects_and_blanks() {
        use serde_json::json;
        assert_eq!(json_object("m", &json!(null)).unwrap(), "{}");
        assert_eq!(json_object("m", &json!({"a": 1})).unwrap(), r#"{"a":1}"#);
        for bad in [json!([1]), json!("x"), json!(1), json!(true)] {
            assert!(
                matches!(json_object("m", &bad), Err(StoreError::Invalid(_))),
                "{bad}"
            );
        }
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
    }
}
