//! What PostgreSQL cannot store that SQLite can: a NUL character, in text or
//! anywhere in JSON (a string or a key). Each write refuses it here, naming
//! the field, before any SQL runs (the server would refuse it too, naming no
//! field). These are the PostgreSQL store's own checks, run beside the ones
//! every backend runs ([`ltmc_store::validate`]); this is the one place they
//! are written.
//!
//! Not here: the backend-neutral checks (ltmc-store), or anything that needs
//! the database (ids that must exist are checked inside each write's
//! transaction).

use crate::error::{Result, invalid};
use ltmc_core::{NewChatMessage, NewCodeAttempt, NewResource};
use ltmc_store::validate;

/// Text PostgreSQL can store: no NUL character.
pub(crate) fn no_nul(field: &'static str, value: &str) -> Result<()> {
    if value.contains('\0') {
        return Err(refused(field));
    }
    Ok(())
}

/// Optional texts PostgreSQL can store, each named by its field.
fn no_nul_in<'a>(fields: impl IntoIterator<Item = (&'static str, Option<&'a str>)>) -> Result<()> {
    for (field, value) in fields {
        if let Some(value) = value {
            no_nul(field, value)?;
        }
    }
    Ok(())
}

/// A JSON object as [`validate::json_object`] takes it (`null` is the empty
/// object, anything else but an object is refused), holding no NUL in any
/// string or key.
pub(crate) fn json_object(
    field: &'static str,
    value: &serde_json::Value,
) -> Result<serde_json::Value> {
    let object = validate::json_object(field, value)?;
    json_no_nul(field, &object)?;
    Ok(object)
}

/// JSON PostgreSQL can store (JSONB refuses a NUL): no NUL in any string or
/// key.
fn json_no_nul(field: &'static str, value: &serde_json::Value) -> Result<()> {
    fn has_nul(value: &serde_json::Value) -> bool {
        match value {
            serde_json::Value::String(s) => s.contains('\0'),
            serde_json::Value::Array(items) => items.iter().any(has_nul),
            serde_json::Value::Object(map) => map
                .iter()
                .any(|(key, value)| key.contains('\0') || has_nul(value)),
            serde_json::Value::Null | serde_json::Value::Bool(_) | serde_json::Value::Number(_) => {
                false
            }
        }
    }
    if has_nul(value) {
        return Err(refused(field));
    }
    Ok(())
}

/// A resource's text and metadata.
pub(crate) fn resource(resource: &NewResource) -> Result<()> {
    no_nul("content", &resource.content)?;
    no_nul("file_name", &resource.file_name)?;
    no_nul("resource_type", &resource.resource_type)?;
    json_no_nul("metadata", &resource.metadata)
}

/// A chat message's text (its metadata: [`json_object`]).
pub(crate) fn message(message: &NewChatMessage) -> Result<()> {
    no_nul("conversation_id", &message.conversation_id)?;
    no_nul("role", &message.role)?;
    no_nul("content", &message.content)?;
    no_nul_in([
        ("agent_name", message.agent_name.as_deref()),
        ("source_tool", message.source_tool.as_deref()),
    ])
}

/// A code attempt's text and tags.
pub(crate) fn attempt(attempt: &NewCodeAttempt) -> Result<()> {
    no_nul("input_prompt", &attempt.input_prompt)?;
    no_nul("generated_code", &attempt.generated_code)?;
    no_nul_in([
        ("function_name", attempt.function_name.as_deref()),
        ("file_name", attempt.file_name.as_deref()),
        ("module_name", attempt.module_name.as_deref()),
        ("error_message", attempt.error_message.as_deref()),
    ])?;
    no_nul_in(attempt.tags.iter().map(|tag| ("tags", Some(tag.as_str()))))
}

fn refused(field: &'static str) -> crate::error::Error {
    invalid(
        field,
        "contains a NUL character, which PostgreSQL cannot store",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;
    use ltmc_core::{CoreError, Project};
    use ltmc_store::StoreError;
    use serde_json::json;

    /// "ok", or the field of an Invalid.
    fn outcome(result: Result<()>) -> String {
        match result {
            Ok(()) => "ok".to_owned(),
            Err(Error::Store(StoreError::Invalid(CoreError::Invalid { field, .. }))) => {
                field.to_owned()
            }
            Err(other) => panic!("{other:?}"),
        }
    }

    #[test]
    fn json_objects_refuse_a_nul_anywhere() {
        assert_eq!(json_object("m", &json!(null)).unwrap(), json!({}));
        assert_eq!(outcome(json_object("m", &json!([1])).map(drop)), "m");
        for bad in [json!({"a": ["ok", "not\0ok"]}), json!({"key\0": 1})] {
            assert_eq!(outcome(json_object("m", &bad).map(drop)), "m", "{bad}");
        }
        let fine = json!({"n": 1, "ok": [true, null, "fine"]});
        assert_eq!(json_object("m", &fine).unwrap(), fine);
    }

    #[test]
    fn messages_and_attempts_name_the_field() {
        let mut message = NewChatMessage {
            conversation_id: "c".into(),
            role: "user".into(),
            content: "hi".into(),
            agent_name: None,
            source_tool: Some("t".into()),
            metadata: serde_json::Value::Null,
        };
        assert_eq!(outcome(super::message(&message)), "ok");
        message.source_tool = Some("t\0".into());
        assert_eq!(outcome(super::message(&message)), "source_tool");

        let mut attempt = NewCodeAttempt {
            input_prompt: "p".into(),
            generated_code: "c".into(),
            result: ltmc_core::AttemptResult::Pass,
            function_name: None,
            file_name: Some("a.rs".into()),
            module_name: None,
            execution_time_ms: None,
            error_message: None,
            tags: vec!["ok".into()],
            citations: Vec::new(),
        };
        assert_eq!(outcome(super::attempt(&attempt)), "ok");
        attempt.tags.push("b\0d".into());
        assert_eq!(outcome(super::attempt(&attempt)), "tags");
        attempt.file_name = Some("a\0.rs".into());
        assert_eq!(outcome(super::attempt(&attempt)), "file_name");

        let mut resource = NewResource {
            project: Project::default(),
            file_name: "a.md".into(),
            resource_type: "document".into(),
            content: "text".into(),
            metadata: json!({"k\0": 1}),
        };
        assert_eq!(outcome(super::resource(&resource)), "metadata");
        resource.resource_type = "doc\0".into();
        assert_eq!(outcome(super::resource(&resource)), "resource_type");
    }
}
