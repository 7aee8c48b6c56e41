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

fn invalid(field: &'static str, reason: String) -> StoreError {
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
