//! The seed's SQL functions (`search_patterns_enhanced`,
//! `get_related_patterns`, migration 0003) called as a team calling them as
//! Supabase RPCs would (named arguments, the seed's parameter names, its
//! defaults), on a store filled through the traits: they answer what the
//! store's `search_patterns` / `related_patterns` answer, scoped to a
//! project, with cosine similarity, and with the seed's result columns.

use crate::support::fresh;
use ltmc_core::Project;
use ltmc_core::fix::{
    FixPattern, NewFixPattern, NewRelationship, PatternEmbeddings, ProblemType, RelatedPattern,
    RelationshipType, Severity,
};
use ltmc_store::conformance::{DIMENSION, spec};
use ltmc_store::{PatternMatch, PatternQuery, PatternStore};
use ltmc_store_pg::PgStore;
use pgvector::Vector;
use tokio_postgres::{Client, Column};

/// The seed's result columns of `search_patterns_enhanced`, in order.
const SEARCH_COLUMNS: [&str; 14] = [
    "id",
    "title",
    "problem_type",
    "code_type",
    "problem_description",
    "solution_steps",
    "layers",
    "workflows",
    "tags",
    "applied_count",
    "success_rate",
    "confidence_score",
    "similarity",
    "problem_similarity",
];

fn mix(parts: &[(usize, f32)]) -> Vec<f32> {
    let mut v = vec![0.0; DIMENSION];
    for &(i, w) in parts {
        v[i] += w;
    }
    v
}

fn axis(i: usize, scale: f32) -> Vec<f32> {
    mix(&[(i, scale)])
}

struct Spec {
    title: &'static str,
    reviewed: bool,
    layers: &'static [i64],
    workflows: &'static [&'static str],
    file_types: &'static [&'static str],
    confidence: f64,
    applied: i64,
    content: Vec<f32>,
    problem: Vec<f32>,
}

async fn put(store: &PgStore, project: &Project, s: Spec) -> FixPattern {
    let mut new = NewFixPattern::new(
        s.title,
        ProblemType::Security,
        Severity::High,
        s.layers.to_vec(),
        format!("the problem {} fixes", s.title),
        "step one\nstep two",
    );
    new.reviewed = s.reviewed;
    new.workflows = s.workflows.iter().map(|w| (*w).to_owned()).collect();
    new.file_types = s.file_types.iter().map(|t| (*t).to_owned()).collect();
    new.tags = vec!["tag".to_owned()];
    new.code_type = Some("secret_in_code".to_owned());
    new.confidence_score = s.confidence;
    new.applied_count = s.applied;
    new.success_rate = 0.75;
    let vectors = PatternEmbeddings {
        content: s.content,
        code: axis(7, 1.0),
        problem: s.problem,
    };
    store
        .put_pattern(project, new, vectors, Vec::new(), Vec::new())
        .await
        .expect("put_pattern")
        .pattern
}

fn spec_of(title: &'static str, content: Vec<f32>, problem: Vec<f32>) -> Spec {
    Spec {
        title,
        reviewed: true,
        layers: &[4],
        workflows: &[],
        file_types: &[],
        confidence: 1.0,
        applied: 0,
        content,
        problem,
    }
}

/// A store with patterns differing in everything the search reads, in the
/// default project and in `team`, and relationships of every type.
struct Filled {
    store: PgStore,
    client: Client,
    default: Project,
    team: Project,
    hub: FixPattern,
    team_hub: FixPattern,
    _db: crate::support::TestDb,
}

async fn filled() -> Option<Filled> {
    let (store, db) = fresh(&spec()).await?;
    let (client, conn) = tokio_postgres::connect(&db.url, tokio_postgres::NoTls)
        .await
        .expect("connect");
    tokio::spawn(conn);
    let default = Project::default();
    let team = Project::new("team").expect("a valid project");

    let hub = put(
        &store,
        &default,
        Spec {
            layers: &[4],
            workflows: &["WF1"],
            file_types: &[".py"],
            confidence: 0.9,
            applied: 3,
            ..spec_of("hub", axis(0, 3.0), axis(2, 1.0))
        },
    )
    .await;
    let same_direction = put(
        &store,
        &default,
        Spec {
            confidence: 0.9,
            ..spec_of("same direction", axis(0, 0.5), mix(&[(2, 1.0), (3, 1.0)]))
        },
    )
    .await;
    let layered = put(
        &store,
        &default,
        Spec {
            layers: &[2, 6],
            workflows: &["WF3", "WF5"],
            file_types: &[".tsx"],
            confidence: 0.7,
            ..spec_of("layered", mix(&[(0, 4.0), (1, 3.0)]), axis(2, 2.0))
        },
    )
    .await;
    let unreviewed = put(
        &store,
        &default,
        Spec {
            reviewed: false,
            ..spec_of("unreviewed", axis(0, 1.0), axis(2, 1.0))
        },
    )
    .await;
    // cos 0.6: below the default threshold.
    let weak = put(
        &store,
        &default,
        spec_of("weak", mix(&[(0, 3.0), (1, 4.0)]), axis(3, 1.0)),
    )
    .await;
    let doubtful = put(
        &store,
        &default,
        Spec {
            file_types: &[".py"],
            workflows: &["WF1", "WF2"],
            confidence: 0.4,
            ..spec_of("doubtful", mix(&[(0, 1.0), (2, 0.2)]), axis(1, 1.0))
        },
    )
    .await;
    let team_hub = put(
        &store,
        &team,
        Spec {
            confidence: 0.8,
            ..spec_of("team's hub", axis(0, 1.0), axis(2, 1.0))
        },
    )
    .await;
    let team_other = put(
        &store,
        &team,
        spec_of("team's other", axis(1, 1.0), axis(2, 1.0)),
    )
    .await;

    for (source, target, kind, strength) in [
        (&hub, &layered, RelationshipType::Enhances, 0.5),
        (&hub, &same_direction, RelationshipType::Prerequisite, 0.9),
        (&hub, &layered, RelationshipType::Follows, 0.9),
        (&hub, &weak, RelationshipType::Conflicts, 1.0),
        (&hub, &doubtful, RelationshipType::Enhances, 0.9),
        (&hub, &unreviewed, RelationshipType::Follows, 0.2),
        (&team_hub, &team_other, RelationshipType::Follows, 0.6),
    ] {
        let project = if source.id == team_hub.id {
            &team
        } else {
            &default
        };
        store
            .link_patterns(
                project,
                NewRelationship {
                    source: source.id,
                    target: target.id,
                    relationship_type: kind,
                    strength,
                    description: Some(format!("{} of {}", kind.as_str(), source.title)),
                },
            )
            .await
            .expect("link_patterns");
    }
    Some(Filled {
        store,
        client,
        default,
        team,
        hub,
        team_hub,
        _db: db,
    })
}

/// What the store's search says: (id, similarity, problem similarity).
async fn by_trait(f: &Filled, project: &Project, query: &PatternQuery) -> Vec<PatternMatch> {
    f.store
        .search_patterns(project, query)
        .await
        .expect("search_patterns")
}

/// Checks the function's rows against the store's matches: the same
/// patterns in the same order, the same similarities, and each seed column
/// equal to the pattern's field.
fn assert_agree(rows: &[tokio_postgres::Row], matches: &[PatternMatch], what: &str) {
    let got: Vec<i64> = rows.iter().map(|r| r.get("id")).collect();
    let want: Vec<i64> = matches.iter().map(|m| m.pattern.id.0).collect();
    assert_eq!(got, want, "{what}: ids in order");
    for (row, m) in rows.iter().zip(matches) {
        let columns: Vec<&str> = row.columns().iter().map(Column::name).collect();
        assert_eq!(columns, SEARCH_COLUMNS, "{what}: the seed's result columns");
        let similarity: f64 = row.get("similarity");
        let problem_similarity: f64 = row.get("problem_similarity");
        assert!(
            (similarity - m.similarity).abs() < 1e-12,
            "{what}: {similarity} vs {}",
            m.similarity
        );
        assert!(
            (problem_similarity - m.problem_similarity).abs() < 1e-12,
            "{what}: {problem_similarity} vs {}",
            m.problem_similarity
        );
        let p = &m.pattern;
        assert_eq!(row.get::<_, String>("title"), p.title);
        assert_eq!(
            row.get::<_, String>("problem_type"),
            p.problem_type.as_str()
        );
        assert_eq!(row.get::<_, Option<String>>("code_type"), p.code_type);
        assert_eq!(
            row.get::<_, String>("problem_description"),
            p.problem_description
        );
        assert_eq!(row.get::<_, String>("solution_steps"), p.solution_steps);
        let layers: Vec<i64> = row
            .get::<_, Vec<i32>>("layers")
            .into_iter()
            .map(i64::from)
            .collect();
        assert_eq!(layers, p.layers);
        assert_eq!(row.get::<_, Vec<String>>("workflows"), p.workflows);
        assert_eq!(row.get::<_, Vec<String>>("tags"), p.tags);
        assert_eq!(row.get::<_, i64>("applied_count"), p.applied_count);
        // The very values stored: bit for bit.
        assert_eq!(
            row.get::<_, f64>("success_rate").to_bits(),
            p.success_rate.to_bits()
        );
        assert_eq!(
            row.get::<_, f64>("confidence_score").to_bits(),
            p.confidence_score.to_bits()
        );
    }
}

/// The store's query as every named argument of the function.
async fn by_function(f: &Filled, project: &Project, q: &PatternQuery) -> Vec<tokio_postgres::Row> {
    let layers: Option<Vec<i32>> = q
        .layers
        .as_ref()
        .map(|l| l.iter().map(|x| i32::try_from(*x).unwrap()).collect());
    let limit = i32::try_from(q.limit).unwrap();
    f.client
        .query(
            "SELECT * FROM search_patterns_enhanced(content_embedding => $1, \
             problem_embedding => $2, filter_layers => $3, filter_workflows => $4, \
             file_extension => $5, min_confidence => $6, similarity_threshold => $7, \
             match_count => $8, p_project => $9, p_include_unreviewed => $10)",
            &[
                &Vector::from(q.content.clone()),
                &q.problem.clone().map(Vector::from),
                &layers,
                &q.workflows,
                &q.file_extension,
                &q.min_confidence,
                &q.similarity_threshold,
                &limit,
                &project.as_str(),
                &q.include_unreviewed,
            ],
        )
        .await
        .expect("search_patterns_enhanced")
}

/// The seed's defaults: threshold 0.65, 10 results, reviewed only, no filter.
fn query(content: Vec<f32>) -> PatternQuery {
    PatternQuery {
        content,
        problem: None,
        layers: None,
        workflows: None,
        file_extension: None,
        min_confidence: 0.0,
        similarity_threshold: 0.65,
        limit: 10,
        include_unreviewed: false,
    }
}

#[tokio::test]
async fn search_function_agrees_with_the_store() {
    let Some(f) = filled().await else { return };
    let q = axis(0, 1.0);
    let with_problem = PatternQuery {
        problem: Some(axis(2, 5.0)),
        ..query(q.clone())
    };
    let queries = [
        ("defaults", query(q.clone())),
        ("with a problem vector", with_problem.clone()),
        (
            "unreviewed too, low threshold",
            PatternQuery {
                include_unreviewed: true,
                similarity_threshold: -1.0,
                ..with_problem.clone()
            },
        ),
        (
            "layers",
            PatternQuery {
                layers: Some(vec![6, 7]),
                ..query(q.clone())
            },
        ),
        (
            "empty layers: no filter",
            PatternQuery {
                layers: Some(Vec::new()),
                ..query(q.clone())
            },
        ),
        (
            "workflows",
            PatternQuery {
                workflows: Some(vec!["WF5".to_owned(), "WF2".to_owned()]),
                ..query(q.clone())
            },
        ),
        (
            "file extension, normalized",
            PatternQuery {
                file_extension: Some("PY".to_owned()),
                ..query(q.clone())
            },
        ),
        (
            "min confidence",
            PatternQuery {
                min_confidence: 0.8,
                ..query(q.clone())
            },
        ),
        (
            "limit",
            PatternQuery {
                limit: 2,
                ..with_problem.clone()
            },
        ),
        ("far", query(axis(5, 1.0))),
    ];
    for (what, q) in &queries {
        let matches = by_trait(&f, &f.default, q).await;
        let rows = by_function(&f, &f.default, q).await;
        assert_agree(&rows, &matches, what);
    }
    // The fixture is not vacuous: the searches above find and rank.
    let ranked = by_trait(&f, &f.default, &with_problem).await;
    assert!(ranked.len() >= 3, "{ranked:?}");
    assert_eq!(ranked[0].pattern.id, f.hub.id);

    // The other project: only its own patterns, by either road.
    let team = by_trait(&f, &f.team, &query(q.clone())).await;
    assert_eq!(
        team.iter().map(|m| m.pattern.id).collect::<Vec<_>>(),
        [f.team_hub.id]
    );
    assert_agree(
        &by_function(&f, &f.team, &query(q.clone())).await,
        &team,
        "team",
    );
}

/// A call as the seed's Python makes it (its names only, `limit` rather
/// than `match_count`), and one with the content vector alone: the defaults
/// are the seed's, in the default project, reviewed patterns only, cosine.
#[tokio::test]
async fn search_function_takes_the_seeds_calls() {
    let Some(f) = filled().await else { return };
    let content = axis(0, 1.0);
    let problem = axis(2, 1.0);
    let seed_call = f
        .client
        .query(
            "SELECT * FROM search_patterns_enhanced(content_embedding => $1, \
             problem_embedding => $2, filter_layers => $3, filter_workflows => $4, \
             file_extension => $5, similarity_threshold => 0.65, \"limit\" => 2)",
            &[
                &Vector::from(content.clone()),
                &Vector::from(problem.clone()),
                &vec![4_i32, 2],
                &vec!["WF1".to_owned(), "WF3".to_owned()],
                &".py",
            ],
        )
        .await
        .expect("the seed's call");
    let matches = by_trait(
        &f,
        &f.default,
        &PatternQuery {
            problem: Some(problem),
            layers: Some(vec![4, 2]),
            workflows: Some(vec!["WF1".to_owned(), "WF3".to_owned()]),
            file_extension: Some(".py".to_owned()),
            limit: 2,
            ..query(content.clone())
        },
    )
    .await;
    assert!(!matches.is_empty());
    assert_agree(&seed_call, &matches, "the seed's call");

    let bare = f
        .client
        .query(
            "SELECT * FROM search_patterns_enhanced($1)",
            &[&Vector::from(content.clone())],
        )
        .await
        .expect("content vector only");
    assert_agree(
        &bare,
        &by_trait(&f, &f.default, &query(content.clone())).await,
        "defaults",
    );
    // Cosine, not L2: the hub's vector is three times the query's.
    let hub = bare
        .iter()
        .find(|r| r.get::<_, i64>("id") == f.hub.id.0)
        .expect("the hub is found");
    assert!((hub.get::<_, f64>("similarity") - 1.0).abs() < 1e-9);

    // `limit` wins over match_count; match_count alone limits too.
    let limited = f
        .client
        .query(
            "SELECT id FROM search_patterns_enhanced($1, match_count => 5, \"limit\" => 1)",
            &[&Vector::from(content.clone())],
        )
        .await
        .expect("limit");
    assert_eq!(limited.len(), 1);
    let counted = f
        .client
        .query(
            "SELECT id FROM search_patterns_enhanced($1, match_count => 2)",
            &[&Vector::from(content.clone())],
        )
        .await
        .expect("match_count");
    assert_eq!(counted.len(), 2);
    // Another project by name.
    let team = f
        .client
        .query(
            "SELECT id FROM search_patterns_enhanced($1, p_project => 'team')",
            &[&Vector::from(content)],
        )
        .await
        .expect("p_project");
    assert_eq!(
        team.iter().map(|r| r.get::<_, i64>(0)).collect::<Vec<_>>(),
        [f.team_hub.id.0]
    );
}

fn related_rows(rows: &[tokio_postgres::Row]) -> Vec<RelatedPattern> {
    rows.iter()
        .map(|r| {
            let columns: Vec<&str> = r.columns().iter().map(Column::name).collect();
            assert_eq!(
                columns,
                [
                    "id",
                    "title",
                    "relationship_type",
                    "strength",
                    "description"
                ],
                "the seed's result columns"
            );
            RelatedPattern {
                id: ltmc_core::PatternId(r.get(0)),
                title: r.get(1),
                relationship_type: RelationshipType::parse("relationship_type", r.get(2))
                    .expect("a relationship type"),
                strength: r.get(3),
                description: r.get(4),
            }
        })
        .collect()
}

#[tokio::test]
async fn related_function_agrees_with_the_store() {
    let Some(f) = filled().await else { return };
    let related = |project: Project, types: Vec<RelationshipType>, id| {
        let store = f.store.clone();
        async move {
            store
                .related_patterns(&project, id, &types)
                .await
                .expect("related_patterns")
        }
    };

    // The seed's default types: prerequisite, follows, enhances.
    let rows = f
        .client
        .query(
            "SELECT * FROM get_related_patterns(pattern_id => $1)",
            &[&f.hub.id.0],
        )
        .await
        .expect("get_related_patterns");
    let want = related(
        f.default.clone(),
        RelationshipType::DEFAULT_RELATED.to_vec(),
        f.hub.id,
    )
    .await;
    assert_eq!(want.len(), 5, "{want:?}");
    assert_eq!(related_rows(&rows), want);

    for types in [
        vec![RelationshipType::Conflicts],
        vec![RelationshipType::Follows, RelationshipType::Enhances],
        Vec::new(),
    ] {
        let names: Vec<&str> = types.iter().map(|t| t.as_str()).collect();
        let rows = f
            .client
            .query(
                "SELECT * FROM get_related_patterns($1, relationship_types => $2)",
                &[&f.hub.id.0, &names],
            )
            .await
            .expect("get_related_patterns");
        assert_eq!(
            related_rows(&rows),
            related(f.default.clone(), types.clone(), f.hub.id).await,
            "{names:?}"
        );
    }

    // Scoped to the project: team's pattern is not the default project's.
    let rows = f
        .client
        .query(
            "SELECT * FROM get_related_patterns($1)",
            &[&f.team_hub.id.0],
        )
        .await
        .expect("get_related_patterns");
    assert!(rows.is_empty());
    let rows = f
        .client
        .query(
            "SELECT * FROM get_related_patterns($1, p_project => 'team')",
            &[&f.team_hub.id.0],
        )
        .await
        .expect("get_related_patterns");
    let team = related(
        f.team.clone(),
        RelationshipType::DEFAULT_RELATED.to_vec(),
        f.team_hub.id,
    )
    .await;
    assert_eq!(team.len(), 1);
    assert_eq!(related_rows(&rows), team);
}
