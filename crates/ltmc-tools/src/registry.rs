//! The machinery behind the registry: the [`Tool`] trait every tool file
//! implements, the type-erased [`ToolEntry`] the adapters see, the `registry!`
//! macro that `tools.rs` invokes with the one list of tools, and [`Tools`],
//! the tools over one memory and project with its `call` by name (the only
//! dispatch on tool names).
//!
//! Not here: any tool (one file each under `tools/`), argument parsing
//! (`args.rs`), error shapes (`error.rs`).

use crate::args::{input_schema, parse};
use crate::error::{ToolError, ToolErrorKind, success};
use ltmc_core::Project;
use ltmc_service::Memory;
use ltmc_service::llm::LlmConfig;
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde::{Serialize, Serializer};
use serde_json::Value;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;

pub use crate::tools::REGISTRY;

/// One tool: its arguments, description, group, whether it writes, and what
/// it does. The answer object is `Output` as JSON plus `"success": true`.
pub trait Tool: Send + Sync + 'static {
    const NAME: &'static str;
    const DESCRIPTION: &'static str;
    const GROUP: ToolGroup;
    /// Whether a call may change the store (the CLI then may create one).
    const WRITES: bool;
    type Args: DeserializeOwned + Serialize + JsonSchema + Send + 'static;
    type Output: Serialize + Send + 'static;

    /// Reshapes an argument error (e.g. to add the accepted values).
    fn parse_error(e: ToolError) -> ToolError {
        e
    }

    fn run(
        tools: &Tools,
        args: Self::Args,
    ) -> impl Future<Output = Result<Self::Output, ToolError>> + Send;
}

type BoxFuture = Pin<Box<dyn Future<Output = Result<Value, ToolError>> + Send>>;

/// A tool with its types erased: what the adapters list and call.
#[derive(Clone, Copy)]
pub struct ToolEntry {
    pub name: &'static str,
    pub description: &'static str,
    pub group: ToolGroup,
    pub writes: bool,
    schema: fn() -> Value,
    parse: fn(Value) -> Result<(), ToolError>,
    call: fn(Tools, Value) -> BoxFuture,
}

impl std::fmt::Debug for ToolEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ToolEntry")
            .field("name", &self.name)
            .field("group", &self.group)
            .field("writes", &self.writes)
            .finish_non_exhaustive()
    }
}

impl ToolEntry {
    /// The JSON Schema object of the arguments.
    pub fn input_schema(&self) -> Value {
        (self.schema)()
    }

    /// Checks `arguments` as a call would, without running the tool: `Ok`
    /// when the call would reach `run`, else the same error.
    pub fn check_arguments(&self, arguments: Value) -> Result<(), ToolError> {
        (self.parse)(arguments)
    }

    pub fn spec(&self) -> ToolSpec {
        ToolSpec {
            name: self.name,
            description: self.description,
            input_schema: self.input_schema(),
        }
    }

    /// The entry of a tool name, if there is one.
    pub fn find(name: &str) -> Option<&'static Self> {
        REGISTRY.iter().find(|e| e.name == name)
    }
}

/// The entry of one tool type (used by `registry!`).
pub const fn entry<T: Tool>() -> ToolEntry {
    ToolEntry {
        name: T::NAME,
        description: T::DESCRIPTION,
        group: T::GROUP,
        writes: T::WRITES,
        schema: input_schema::<T::Args>,
        parse: parse_erased::<T>,
        call: call_erased::<T>,
    }
}

fn parse_erased<T: Tool>(arguments: Value) -> Result<(), ToolError> {
    parse::<T::Args>(arguments)
        .map(drop)
        .map_err(T::parse_error)
}

fn call_erased<T: Tool>(tools: Tools, arguments: Value) -> BoxFuture {
    Box::pin(async move {
        let args = parse::<T::Args>(arguments).map_err(T::parse_error)?;
        let output = T::run(&tools, args).await?;
        to_value::<T>(&output)
    })
}

fn to_value<T: Tool>(output: &T::Output) -> Result<Value, ToolError> {
    serde_json::to_value(output).map_err(|e| {
        ToolError::of(
            ToolErrorKind::Internal,
            format!("the answer of {} cannot be written as JSON: {e}", T::NAME),
        )
    })
}

/// Lists the tools: `registry! { ltmc { file::Type => TypeOutput, ... }
/// patterns { ... } }` declares the modules `tools::ltmc::file`, re-exports
/// each tool type and its output type (checked to be the tool's `Output`)
/// and builds [`REGISTRY`] in that order. A tool whose `GROUP` disagrees with
/// its directory does not compile.
macro_rules! registry {
    (
        ltmc { $($lm:ident :: $lt:ident $(=> $lo:ident)?),* $(,)? }
        patterns { $($pm:ident :: $pt:ident $(=> $po:ident)?),* $(,)? }
    ) => {
        /// The tools of the LTMC contract (SPEC section 4).
        pub mod ltmc {
            $(pub mod $lm;)*
        }
        /// The tools of the fix-pattern knowledge base (SPEC section 5).
        pub mod patterns {
            $(pub mod $pm;)*
        }
        $(pub use ltmc::$lm::$lt;)*
        $(pub use patterns::$pm::$pt;)*
        $($(pub use ltmc::$lm::$lo;)?)*
        $($(pub use patterns::$pm::$po;)?)*

        // The output type listed is the tool's own.
        $($(const _: fn(<ltmc::$lm::$lt as $crate::Tool>::Output) -> ltmc::$lm::$lo = |o| o;)?)*
        $($(const _: fn(<patterns::$pm::$pt as $crate::Tool>::Output) -> patterns::$pm::$po = |o| o;)?)*

        /// Every tool, in the order clients see them.
        pub static REGISTRY: &[$crate::ToolEntry] = &[
            $($crate::entry::<ltmc::$lm::$lt>(),)*
            $($crate::entry::<patterns::$pm::$pt>(),)*
        ];

        $(const _: () = assert!(
            matches!(<ltmc::$lm::$lt as $crate::Tool>::GROUP, $crate::ToolGroup::Ltmc),
            "a tool under tools/ltmc/ must say GROUP = ToolGroup::Ltmc"
        );)*
        $(const _: () = assert!(
            matches!(<patterns::$pm::$pt as $crate::Tool>::GROUP, $crate::ToolGroup::Patterns),
            "a tool under tools/patterns/ must say GROUP = ToolGroup::Patterns"
        );)*
    };
}
pub(crate) use registry;

/// One tool as listed to clients.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ToolSpec {
    pub name: &'static str,
    pub description: &'static str,
    /// A JSON Schema object (`{"type": "object", "properties": ..., "required": ...}`).
    pub input_schema: Value,
}

/// What a tool call answers: the tool's object, and whether it is a failure
/// (`{"success": false, "error": ...}`, sent as an MCP result with `isError`).
#[derive(Debug, Clone, PartialEq)]
pub struct ToolOutcome {
    pub value: Value,
    pub is_error: bool,
    /// The failure's kind (for REST statuses); `None` on success.
    pub error_kind: Option<ToolErrorKind>,
}

impl Serialize for ToolOutcome {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Shown<'a> {
            value: &'a Value,
            is_error: bool,
        }
        Shown {
            value: &self.value,
            is_error: self.is_error,
        }
        .serialize(s)
    }
}

impl ToolOutcome {
    fn of(result: Result<Value, ToolError>) -> Self {
        match result {
            Ok(fields) => Self {
                value: success(fields),
                is_error: false,
                error_kind: None,
            },
            Err(e) => Self {
                error_kind: Some(e.kind()),
                value: e.into_value(),
                is_error: true,
            },
        }
    }
}

/// A family of tools a server can expose (`--tools ltmc,patterns`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ToolGroup {
    /// The 22 tools of the original LTMC (SPEC section 4).
    Ltmc,
    /// The fix-pattern knowledge base: audits, patterns, guardian rules (SPEC section 5).
    Patterns,
}

impl ToolGroup {
    pub const ALL: [Self; 2] = [Self::Ltmc, Self::Patterns];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ltmc => "ltmc",
            Self::Patterns => "patterns",
        }
    }

    /// Parses a comma-separated list (`ltmc,patterns`, or `all`).
    pub fn parse_list(value: &str) -> Result<Vec<Self>, ToolError> {
        let mut out = Vec::new();
        for name in value.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            let groups: &[Self] = match name.to_ascii_lowercase().as_str() {
                "all" => &Self::ALL,
                "ltmc" => &[Self::Ltmc],
                "patterns" | "fix" | "fix-patterns" => &[Self::Patterns],
                other => {
                    return Err(ToolError::new(format!(
                        "invalid tools: {other:?} is not a tool group; use ltmc, patterns or all"
                    )));
                }
            };
            for g in groups {
                if !out.contains(g) {
                    out.push(*g);
                }
            }
        }
        if out.is_empty() {
            return Err(ToolError::new(
                "invalid tools: names no tool group; use ltmc, patterns or all",
            ));
        }
        Ok(out)
    }
}

/// The tools over one memory and one project. Cheap to clone; shared by
/// every session of a server.
#[derive(Debug, Clone)]
pub struct Tools {
    pub(crate) memory: Memory,
    pub(crate) project: Project,
    pub(crate) llm: Option<LlmConfig>,
    /// The directory guardian checks and imports may read; nothing outside it.
    pub(crate) project_root: Option<PathBuf>,
    groups: Vec<ToolGroup>,
    /// How long one call may run before it is stopped.
    call_timeout: std::time::Duration,
}

/// How long one tool call may run by default (`Tools::with_call_timeout`).
pub const DEFAULT_CALL_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(300);

impl Tools {
    pub fn new(memory: Memory, project: Project, llm: Option<LlmConfig>) -> Self {
        Self {
            memory,
            project,
            llm,
            project_root: None,
            groups: ToolGroup::ALL.to_vec(),
            call_timeout: DEFAULT_CALL_TIMEOUT,
        }
    }

    /// Stops a call that runs longer than `limit` (a stuck call cannot hold
    /// a server, nor its shutdown, forever).
    #[must_use]
    pub fn with_call_timeout(mut self, limit: std::time::Duration) -> Self {
        self.call_timeout = limit;
        self
    }

    /// Sets the directory guardian checks and audit imports may read.
    #[must_use]
    pub fn with_project_root(mut self, root: Option<PathBuf>) -> Self {
        self.project_root = root;
        self
    }

    /// Exposes only these groups of tools.
    #[must_use]
    pub fn with_groups(mut self, groups: Vec<ToolGroup>) -> Self {
        self.groups = groups;
        self
    }

    pub fn project_root(&self) -> Option<&Path> {
        self.project_root.as_deref()
    }

    pub fn memory(&self) -> &Memory {
        &self.memory
    }

    pub fn project(&self) -> &Project {
        &self.project
    }

    /// The entries this instance exposes, in order.
    pub fn enabled(&self) -> impl Iterator<Item = &'static ToolEntry> + '_ {
        REGISTRY.iter().filter(|e| self.groups.contains(&e.group))
    }

    /// The tools this instance exposes, in order.
    pub fn enabled_specs(&self) -> Vec<ToolSpec> {
        self.enabled().map(ToolEntry::spec).collect()
    }

    /// Every tool of every group, in order: the 22 LTMC tools, then the fix-pattern tools.
    pub fn specs() -> Vec<ToolSpec> {
        REGISTRY.iter().map(ToolEntry::spec).collect()
    }

    /// The 22 tools of the LTMC contract.
    pub fn ltmc_specs() -> Vec<ToolSpec> {
        REGISTRY
            .iter()
            .filter(|e| e.group == ToolGroup::Ltmc)
            .map(ToolEntry::spec)
            .collect()
    }

    /// Runs a tool by name. Never panics on input: an unknown tool, a missing
    /// or mistyped argument, an unknown id, a failing store or a panicking
    /// tool all come back as `is_error: true` with `{"success": false, "error": "..."}`.
    pub async fn call(&self, name: &str, arguments: Value) -> ToolOutcome {
        let Some(entry) = ToolEntry::find(name) else {
            let names: Vec<&str> = self.enabled().map(|e| e.name).collect();
            return ToolOutcome::of(Err(ToolError::of(
                ToolErrorKind::NotFound,
                format!("unknown tool {name:?}; the tools are: {}", names.join(", ")),
            )
            .with("available_tools", names)));
        };
        if let Err(e) = self.check_group(entry) {
            return ToolOutcome::of(Err(e));
        }
        let future = (entry.call)(self.clone(), arguments);
        ToolOutcome::of(guarded(name, self.call_timeout, future).await)
    }

    fn check_group(&self, entry: &ToolEntry) -> Result<(), ToolError> {
        if self.groups.contains(&entry.group) {
            return Ok(());
        }
        let g = entry.group.as_str();
        Err(ToolError::of(
            ToolErrorKind::NotFound,
            format!(
                "tool {:?} belongs to the {g} tools, which this server does not expose (start it with --tools including {g})",
                entry.name
            ),
        ))
    }
}

/// Runs a tool with its own types (the CLI's typed commands). The arguments
/// go through the same schema checks as a call by name, so the CLI refuses
/// what MCP refuses, with the same message.
pub async fn run<T: Tool>(tools: &Tools, args: T::Args) -> Result<T::Output, ToolError> {
    let arguments = serde_json::to_value(&args).map_err(|e| {
        ToolError::of(
            ToolErrorKind::Internal,
            format!(
                "the arguments of {} cannot be written as JSON: {e}",
                T::NAME
            ),
        )
    })?;
    run_json::<T>(tools, arguments).await
}

/// Runs a tool chosen by type with arguments given as JSON (a data set's
/// object, or flags gathered into one); `null` fields are "not given".
pub async fn run_json<T: Tool>(tools: &Tools, arguments: Value) -> Result<T::Output, ToolError> {
    tools.check_group(&entry::<T>())?;
    let arguments = without_nulls(arguments);
    let tools = tools.clone();
    let limit = tools.call_timeout;
    guarded(T::NAME, limit, async move {
        let args = parse::<T::Args>(arguments).map_err(T::parse_error)?;
        T::run(&tools, args).await
    })
    .await
}

/// A tool's answer object: its output as JSON plus `"success": true`.
pub fn answer<O: Serialize>(output: &O) -> Result<Value, ToolError> {
    serde_json::to_value(output).map(success).map_err(|e| {
        ToolError::of(
            ToolErrorKind::Internal,
            format!("an answer cannot be written as JSON: {e}"),
        )
    })
}

/// Optional arguments left out are `null` when serialised; a missing field
/// means "not given", so drop them.
fn without_nulls(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            Value::Object(map.into_iter().filter(|(_, v)| !v.is_null()).collect())
        }
        other => other,
    }
}

/// Runs a tool in its own task, so that a bug that panics becomes an error
/// answer instead of taking the server down.
async fn guarded<O: Send + 'static>(
    name: &str,
    limit: std::time::Duration,
    future: impl Future<Output = Result<O, ToolError>> + Send + 'static,
) -> Result<O, ToolError> {
    let mut task = tokio::spawn(future);
    let Ok(joined) = tokio::time::timeout(limit, &mut task).await else {
        task.abort();
        tracing::warn!(
            tool = name,
            seconds = limit.as_secs_f64(),
            "tool call stopped"
        );
        return Err(ToolError::of(
            ToolErrorKind::TimedOut,
            format!(
                "tool {name} did not finish within {:.0} s and was stopped; ask for less \
                 (a smaller limit or top_k), or raise the limit (--call-timeout)",
                limit.as_secs_f64()
            ),
        ));
    };
    match joined {
        Ok(result) => result,
        Err(e) => {
            tracing::error!(tool = name, error = %e, "tool call panicked");
            Err(ToolError::of(
                ToolErrorKind::Internal,
                format!("tool {name} failed unexpectedly ({e}); this is a bug in ltmc"),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_call_past_its_time_limit_is_stopped_with_a_timed_out_error() {
        let started = std::time::Instant::now();
        let stuck = guarded("stuck", std::time::Duration::from_millis(50), async {
            tokio::time::sleep(std::time::Duration::from_secs(30)).await;
            Ok(())
        })
        .await;
        let e = stuck.unwrap_err();
        assert_eq!(e.kind(), ToolErrorKind::TimedOut);
        assert!(
            e.message().contains("did not finish within"),
            "{}",
            e.message()
        );
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
        let quick = guarded("quick", std::time::Duration::from_secs(5), async { Ok(7) }).await;
        assert_eq!(quick.unwrap(), 7);
    }
}
