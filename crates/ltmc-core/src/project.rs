//! The project (namespace) every record lives in: a validated name.
//!
//! Not a registry of projects: a project exists as soon as something is stored
//! in it, and no query ever crosses from one project into another.

use crate::CoreError;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A project name: 1 to 64 characters of ASCII letters, digits, `_`, `-`, `.`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Project(String);

impl Project {
    pub const DEFAULT: &'static str = "default";

    pub fn new(name: &str) -> Result<Self, CoreError> {
        let ok_len = (1..=64).contains(&name.len());
        let ok_chars = name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
        if ok_len && ok_chars {
            Ok(Self(name.to_owned()))
        } else {
            Err(CoreError::invalid(
                "project",
                format!(
                    "{name:?} must be 1-64 characters of letters, digits, '_', '-' or '.' (e.g. \"default\")"
                ),
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for Project {
    fn default() -> Self {
        Self(Self::DEFAULT.to_owned())
    }
}

impl fmt::Display for Project {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Project {
    type Error = CoreError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::new(&value)
    }
}

impl From<Project> for String {
    fn from(value: Project) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(name: &str, ok: bool) {
        assert_eq!(Project::new(name).is_ok(), ok, "{name:?}");
    }

    #[test]
    fn names() {
        check("default", true);
        check("team-a.v2_x", true);
        check("", false);
        check("has space", false);
        check("ünïcode", false);
        check(&"a".repeat(64), true);
        check(&"a".repeat(65), false);
    }
}
