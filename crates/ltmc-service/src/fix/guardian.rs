//! Guardian rules: add (the regex is compiled first and refused with the
//! parser's message), list, activate or deactivate, and check a file, a
//! directory or given content against the active rules of a layer (or all),
//! recording the hits. Paths are confined to the configured project root.
//!
//! Not here: running regexes and walking trees (`ltmc-guard`), storage.

use crate::ServiceError;
use ltmc_core::fix::{GuardianRule, NewGuardianRule, RuleFilter, RuleHit};
use ltmc_core::{PatternId, Project, RuleId};
use ltmc_guard::{RuleInput, RuleSet, ScanOptions, ScanReport};
use ltmc_store::Store;
use std::collections::{BTreeMap, HashMap};
use std::path::{Component, Path, PathBuf};

/// Adds a rule after compiling its regex.
pub async fn add_rule(
    store: &dyn Store,
    project: &Project,
    rule: NewGuardianRule,
) -> Result<GuardianRule, ServiceError> {
    let rule = rule.validated()?;
    ltmc_guard::compile_pattern("rule_pattern", &rule.rule_pattern)?;
    Ok(store.add_rule(project, rule).await?)
}

/// What to check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckTarget {
    /// A file or directory, relative to the project root (or absolute inside it).
    Path(String),
    /// Text given directly, optionally with the path it would have (for
    /// file-type scoping and the report).
    Content {
        content: String,
        file_path: Option<String>,
    },
}

/// A check's result.
#[derive(Debug, Clone)]
pub struct GuardianCheck {
    pub report: ScanReport,
    /// The rules that were checked.
    pub rules: Vec<GuardianRule>,
}

/// The active rules of `layer` (all layers when none) with the file types of
/// the patterns they came from, compiled.
pub async fn active_rule_set(
    store: &dyn Store,
    project: &Project,
    layer: Option<i64>,
) -> Result<(RuleSet, Vec<GuardianRule>), ServiceError> {
    if let Some(l) = layer {
        ltmc_core::fix::audit::check_layer("layer", l)?;
    }
    let rules = store
        .list_rules(
            project,
            &RuleFilter {
                layer,
                active: Some(true),
                ..RuleFilter::default()
            },
        )
        .await?;
    let mut file_types: HashMap<PatternId, Vec<String>> = HashMap::new();
    let mut inputs = Vec::with_capacity(rules.len());
    for rule in &rules {
        let types = match rule.source_pattern_id {
            Some(id) => {
                if let Some(t) = file_types.get(&id) {
                    t.clone()
                } else {
                    let t = match store.get_pattern(project, id).await {
                        Ok(p) => p.file_types,
                        Err(ltmc_store::StoreError::NotFound { .. }) => Vec::new(),
                        Err(e) => return Err(e.into()),
                    };
                    file_types.insert(id, t.clone());
                    t
                }
            }
            None => Vec::new(),
        };
        inputs.push(RuleInput {
            rule: rule.clone(),
            file_types: types,
        });
    }
    Ok((RuleSet::compile(inputs)?, rules))
}

/// Resolves `path` inside `root`: relative paths are taken from the root;
/// the result (symbolic links resolved) must be the root or under it, and a
/// regular file or a directory (a FIFO, socket or device would block or
/// never end a read).
///
/// The one confinement rule of every path a tool reads. A path outside the
/// root and a path that does not exist get the same answer, so a caller
/// cannot learn which files exist outside the root (an existence oracle).
pub fn confine(root: &Path, path: &str) -> Result<PathBuf, ServiceError> {
    let root = root.canonicalize().map_err(|e| {
        ServiceError::invalid(
            "project_root",
            format!(
                "{} cannot be opened ({e}); configure an existing directory",
                root.display()
            ),
        )
    })?;
    let given = Path::new(path.trim());
    let joined = if given.is_absolute() {
        given.to_path_buf()
    } else {
        if given
            .components()
            .any(|c| matches!(c, Component::ParentDir))
        {
            return Err(ServiceError::invalid(
                "file_path",
                format!(
                    "{path:?} leaves the project root with ..; give a path inside {}",
                    root.display()
                ),
            ));
        }
        root.join(given)
    };
    let not_inside = || {
        ServiceError::invalid(
            "file_path",
            format!(
                "{path:?} is not a file or directory inside the project root {}; give a path of an \
                 existing file inside it (relative to it, or absolute)",
                root.display()
            ),
        )
    };
    let real = joined.canonicalize().map_err(|_| not_inside())?;
    if !real.starts_with(&root) {
        return Err(not_inside());
    }
    let kind = std::fs::metadata(&real)
        .map_err(|_| not_inside())?
        .file_type();
    if !(kind.is_file() || kind.is_dir()) {
        return Err(ServiceError::invalid(
            "file_path",
            format!(
                "{path:?} is not a regular file or a directory (a FIFO, socket or device); \
                 give a regular file"
            ),
        ));
    }
    Ok(real)
}

/// Checks a path (inside `project_root`) or given content against the
/// active rules, and records the hits when `record` is set.
pub async fn check_rules(
    store: &dyn Store,
    project: &Project,
    project_root: Option<&Path>,
    target: CheckTarget,
    layer: Option<i64>,
    record: bool,
) -> Result<GuardianCheck, ServiceError> {
    let (set, rules) = active_rule_set(store, project, layer).await?;
    let report = match target {
        CheckTarget::Content { content, file_path } => {
            let started = std::time::Instant::now();
            let path = file_path.unwrap_or_else(|| "<content>".to_owned());
            let violations = set.check_content(&path, &content);
            ScanReport {
                base: PathBuf::new(),
                roots: vec![PathBuf::from(&path)],
                files_scanned: 1,
                files_skipped: 0,
                files_without_rules: 0,
                bytes_scanned: content.len() as u64,
                violations,
                rules: set.len(),
                elapsed_ms: started.elapsed().as_secs_f64() * 1000.0,
            }
        }
        CheckTarget::Path(path) => {
            let root = project_root.ok_or_else(|| {
                ServiceError::invalid(
                    "file_path",
                    "cannot be checked: no project root is configured (start the server with --project-root); give content instead",
                )
            })?;
            let real = confine(root, &path)?;
            let base = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
            tokio::task::spawn_blocking(move || {
                ltmc_guard::scan_paths(&set, &[real], &base, &ScanOptions::default())
            })
            .await
            .map_err(|e| ServiceError::Internal(format!("guardian scan failed: {e}")))??
        }
    };
    if record && !report.violations.is_empty() {
        store.record_rule_hits(project, hits_of(&report)).await?;
    }
    Ok(GuardianCheck { report, rules })
}

/// The report's matches counted per rule and file.
pub fn hits_of(report: &ScanReport) -> Vec<RuleHit> {
    let mut counts: BTreeMap<(RuleId, String), u64> = BTreeMap::new();
    for v in &report.violations {
        *counts.entry((v.rule_id, v.file_path.clone())).or_default() += 1;
    }
    counts
        .into_iter()
        .map(|((rule_id, file_path), count)| RuleHit {
            rule_id,
            file_path,
            count,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_stay_inside_the_root() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("root");
        std::fs::create_dir_all(root.join("src")).unwrap();
        std::fs::write(root.join("src/a.py"), "x").unwrap();
        std::fs::write(dir.path().join("secret.txt"), "x").unwrap();
        assert!(confine(&root, "src/a.py").is_ok());
        assert!(confine(&root, "src").is_ok());
        let up = confine(&root, "../secret.txt").unwrap_err().to_string();
        assert!(up.contains("file_path") && up.contains(".."), "{up}");
        let abs = dir.path().join("secret.txt");
        let out = confine(&root, abs.to_str().unwrap())
            .unwrap_err()
            .to_string();
        assert!(
            out.contains("not a file or directory inside the project root"),
            "{out}"
        );
        // Outside and missing read the same: no existence oracle.
        let missing = dir.path().join("no-such-file.txt");
        let gone = confine(&root, missing.to_str().unwrap())
            .unwrap_err()
            .to_string();
        assert_eq!(
            out.replace(abs.to_str().unwrap(), "P"),
            gone.replace(missing.to_str().unwrap(), "P")
        );
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(dir.path().join("secret.txt"), root.join("link")).unwrap();
            let link = confine(&root, "link").unwrap_err().to_string();
            assert!(link.contains("not a file or directory inside"), "{link}");
            std::os::unix::fs::symlink(&missing, root.join("dangling")).unwrap();
            let dangling = confine(&root, "dangling").unwrap_err().to_string();
            assert_eq!(
                link.replace("\"link\"", "P"),
                dangling.replace("\"dangling\"", "P")
            );
        }
        assert!(confine(&root, "missing.py").is_err());
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_refused_before_it_is_opened() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("audits.csv");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        let err = confine(dir.path(), "audits.csv").unwrap_err().to_string();
        assert!(err.contains("not a regular file"), "{err}");
    }
}
