//! Confidence of a pattern for a file (seed 000's `score_pattern_confidence`,
//! as SPEC section 5 states it): the cosine similarity, ×1.2 on a layer match,
//! ×(1 + 0.3·workflow overlap), ×(1 + (success_rate − 0.5)·0.2) when the
//! pattern was applied before, ×1.1 on a file-type match, capped at 1.0.
//!
//! Pure arithmetic with every factor reported, so an answer can say why.

use serde::Serialize;

pub const LAYER_BOOST: f64 = 1.2;
pub const WORKFLOW_WEIGHT: f64 = 0.3;
pub const HISTORY_WEIGHT: f64 = 0.2;
pub const FILE_TYPE_BOOST: f64 = 1.1;
/// `recommend_fix` applies a pattern above this confidence (seed 000).
pub const APPLY_THRESHOLD: f64 = 0.8;

/// What the file (or free-text request) says about where the fix goes.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FixContext {
    pub layer: Option<i64>,
    pub workflows: Vec<String>,
    /// With the dot, lower case: `.py`.
    pub file_extension: Option<String>,
}

/// The pattern facts the score uses.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PatternFacts<'a> {
    pub layers: &'a [i64],
    pub workflows: &'a [String],
    pub file_types: &'a [String],
    pub applied_count: i64,
    pub success_rate: f64,
}

/// The score and each factor that made it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Confidence {
    pub similarity: f64,
    /// 1.2 when the file's layer is one of the pattern's, else 1.
    pub layer_factor: f64,
    /// Shared workflows over the file's workflows (0 when it names none).
    pub workflow_overlap: f64,
    pub workflow_factor: f64,
    /// 1 + (success_rate − 0.5)·0.2 when applied before, else 1.
    pub history_factor: f64,
    /// 1.1 when the file's extension is one of the pattern's file types, else 1.
    pub file_type_factor: f64,
    /// The product before the cap.
    pub uncapped: f64,
    /// min(uncapped, 1).
    pub confidence: f64,
}

/// The seed's score, factor by factor.
pub fn score_confidence(
    similarity: f64,
    pattern: PatternFacts<'_>,
    ctx: &FixContext,
) -> Confidence {
    let layer_factor = match ctx.layer {
        Some(l) if pattern.layers.contains(&l) => LAYER_BOOST,
        _ => 1.0,
    };
    let shared = ctx
        .workflows
        .iter()
        .filter(|w| pattern.workflows.contains(w))
        .count();
    let workflow_overlap = shared as f64 / ctx.workflows.len().max(1) as f64;
    let workflow_factor = 1.0 + workflow_overlap * WORKFLOW_WEIGHT;
    let history_factor = if pattern.applied_count > 0 {
        1.0 + (pattern.success_rate - 0.5) * HISTORY_WEIGHT
    } else {
        1.0
    };
    let file_type_factor = match &ctx.file_extension {
        Some(ext) if pattern.file_types.iter().any(|t| t == ext) => FILE_TYPE_BOOST,
        _ => 1.0,
    };
    let uncapped = similarity * layer_factor * workflow_factor * history_factor * file_type_factor;
    Confidence {
        similarity,
        layer_factor,
        workflow_overlap,
        workflow_factor,
        history_factor,
        file_type_factor,
        uncapped,
        confidence: uncapped.min(1.0),
    }
}

/// What `recommend_fix` decides (seed 000's `execute_fix_with_intelligence`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    /// The best match's confidence is above 0.8: apply it.
    Apply,
    /// A match below that: use it as a starting point and verify.
    Adapt,
    /// No match: solve from scratch (and extract a pattern afterwards).
    New,
}

impl Decision {
    pub fn from_top(confidence: Option<f64>) -> Self {
        match confidence {
            Some(c) if c > APPLY_THRESHOLD => Self::Apply,
            Some(_) => Self::Adapt,
            None => Self::New,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Apply => "apply",
            Self::Adapt => "adapt",
            Self::New => "new",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| (*x).to_owned()).collect()
    }

    struct Case {
        name: &'static str,
        similarity: f64,
        layers: Vec<i64>,
        workflows: Vec<String>,
        file_types: Vec<String>,
        applied_count: i64,
        success_rate: f64,
        ctx: FixContext,
        want: f64,
    }

    fn case(name: &'static str, similarity: f64, want: f64) -> Case {
        Case {
            name,
            similarity,
            layers: vec![4],
            workflows: s(&["WF1"]),
            file_types: s(&[".py"]),
            applied_count: 0,
            success_rate: 1.0,
            ctx: FixContext::default(),
            want,
        }
    }

    #[test]
    fn every_boost_and_the_cap() {
        let ctx = |layer: Option<i64>, wf: &[&str], ext: Option<&str>| FixContext {
            layer,
            workflows: s(wf),
            file_extension: ext.map(str::to_owned),
        };
        let cases = vec![
            case("no context: similarity itself", 0.5, 0.5),
            Case {
                ctx: ctx(Some(4), &[], None),
                ..case("layer match ×1.2", 0.5, 0.6)
            },
            Case {
                ctx: ctx(Some(3), &[], None),
                ..case("other layer: no boost", 0.5, 0.5)
            },
            Case {
                ctx: ctx(None, &["WF1"], None),
                ..case("full workflow overlap ×1.3", 0.5, 0.65)
            },
            Case {
                ctx: ctx(None, &["WF1", "WF2"], None),
                ..case("half workflow overlap ×1.15", 0.5, 0.575)
            },
            Case {
                ctx: ctx(None, &["WF9"], None),
                ..case("no workflow overlap", 0.5, 0.5)
            },
            Case {
                applied_count: 4,
                success_rate: 1.0,
                ..case("applied, all succeeded ×1.1", 0.5, 0.55)
            },
            Case {
                applied_count: 4,
                success_rate: 0.25,
                ..case("applied, mostly failed ×0.95", 0.5, 0.475)
            },
            Case {
                applied_count: 0,
                success_rate: 0.0,
                ..case("never applied: no history factor", 0.5, 0.5)
            },
            Case {
                ctx: ctx(None, &[], Some(".py")),
                ..case("file type match ×1.1", 0.5, 0.55)
            },
            Case {
                ctx: ctx(None, &[], Some(".ts")),
                ..case("other file type", 0.5, 0.5)
            },
            Case {
                ctx: ctx(Some(4), &["WF1"], Some(".py")),
                applied_count: 2,
                success_rate: 1.0,
                ..case("all boosts multiply", 0.5, 0.5 * 1.2 * 1.3 * 1.1 * 1.1)
            },
            Case {
                ctx: ctx(Some(4), &["WF1"], Some(".py")),
                ..case("capped at 1.0", 0.9, 1.0)
            },
        ];
        for c in cases {
            let got = score_confidence(
                c.similarity,
                PatternFacts {
                    layers: &c.layers,
                    workflows: &c.workflows,
                    file_types: &c.file_types,
                    applied_count: c.applied_count,
                    success_rate: c.success_rate,
                },
                &c.ctx,
            );
            assert!(
                (got.confidence - c.want).abs() < 1e-9,
                "{}: got {} want {}",
                c.name,
                got.confidence,
                c.want
            );
            assert!(got.confidence <= 1.0, "{}", c.name);
        }
    }

    #[test]
    fn the_cap_keeps_the_uncapped_product() {
        let layers = [4];
        let wf = s(&["WF1"]);
        let ft = s(&[".py"]);
        let got = score_confidence(
            0.9,
            PatternFacts {
                layers: &layers,
                workflows: &wf,
                file_types: &ft,
                applied_count: 0,
                success_rate: 1.0,
            },
            &FixContext {
                layer: Some(4),
                workflows: wf.clone(),
                file_extension: Some(".py".into()),
            },
        );
        assert!((got.uncapped - 0.9 * 1.2 * 1.3 * 1.1).abs() < 1e-9);
        assert!((got.confidence - 1.0).abs() < f64::EPSILON);
    }

    #[test]
    fn decisions_follow_the_threshold() {
        assert_eq!(Decision::from_top(Some(0.81)), Decision::Apply);
        assert_eq!(Decision::from_top(Some(0.8)), Decision::Adapt);
        assert_eq!(Decision::from_top(Some(0.1)), Decision::Adapt);
        assert_eq!(Decision::from_top(None), Decision::New);
    }
}
