//! The team's path-to-layer map (`--layers FILE`): lines `glob=N` (N the
//! seed's architecture layer 1-7, e.g. `app/models/**=1`), `#` comments and
//! blank lines ignored; globs in `globset` syntax, matched against
//! repository-relative `/` paths. A path's layers are those of every glob
//! it matches, in the file's order. Pure (the caller reads the file).

use crate::MineError;
use globset::{Glob, GlobSet, GlobSetBuilder};

/// A compiled path-to-layer map.
#[derive(Debug, Clone)]
pub struct LayerMap {
    set: GlobSet,
    layers: Vec<i64>,
}

impl LayerMap {
    /// Parses the map's text; an error names the line and the accepted form.
    pub fn parse(text: &str) -> Result<Self, MineError> {
        let mut builder = GlobSetBuilder::new();
        let mut layers = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let bad = |why: String| MineError::Invalid {
                field: "layers",
                reason: format!(
                    "line {}: {why}; write `glob=N` with N from 1 to 7, e.g. `app/models/**=1`",
                    i + 1
                ),
            };
            let Some((glob, layer)) = line.rsplit_once('=') else {
                return Err(bad(format!("{line:?} has no `=`")));
            };
            let layer: i64 = layer
                .trim()
                .parse()
                .map_err(|_| bad(format!("{:?} is not a layer number", layer.trim())))?;
            if !(1..=7).contains(&layer) {
                return Err(bad(format!("layer {layer} is outside 1-7")));
            }
            let glob = Glob::new(glob.trim()).map_err(|e| bad(format!("bad glob: {e}")))?;
            builder.add(glob);
            layers.push(layer);
        }
        let set = builder.build().map_err(|e| MineError::Invalid {
            field: "layers",
            reason: e.to_string(),
        })?;
        Ok(Self { set, layers })
    }

    /// The layers of `path`, in the map's order, each once.
    pub fn layers_of(&self, path: &str) -> Vec<i64> {
        let mut out = Vec::new();
        for i in self.set.matches(path) {
            let layer = self.layers[i];
            if !out.contains(&layer) {
                out.push(layer);
            }
        }
        out
    }

    /// The layers of all `paths`, in order of first appearance.
    pub fn layers_of_all<'a>(&self, paths: impl IntoIterator<Item = &'a str>) -> Vec<i64> {
        let mut out = Vec::new();
        for p in paths {
            for l in self.layers_of(p) {
                if !out.contains(&l) {
                    out.push(l);
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_map_paths_to_layers() {
        let map =
            LayerMap::parse("# models first\napp/models/**=1\n\napp/api/**=3\n**/*_test.py = 7\n")
                .unwrap();
        assert_eq!(map.layers_of("app/models/user.py"), [1]);
        assert_eq!(map.layers_of("app/api/user_test.py"), [3, 7]);
        assert!(map.layers_of("README.md").is_empty());
        assert_eq!(
            map.layers_of_all(["app/api/x.py", "app/models/y.py", "app/api/z.py"]),
            [3, 1]
        );
    }

    #[test]
    fn bad_lines_are_refused_with_the_line_and_the_form() {
        for (text, needle) in [
            ("app/**", "line 1"),
            ("app/**=9", "outside 1-7"),
            ("ok/**=1\napp/**=x", "line 2"),
            ("a[=1", "bad glob"),
        ] {
            let err = LayerMap::parse(text).unwrap_err().to_string();
            assert!(err.contains(needle) && err.contains("glob=N"), "{err}");
        }
    }
}
