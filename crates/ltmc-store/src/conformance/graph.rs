//! Checks of the relationship graph: edges upserted by (source, target,
//! relation), looked up by node with or without a relation, invalid batches
//! writing nothing, project isolation.

use super::{Project, Store, assert_invalid, assert_sound, is_rfc3339, project};
use ltmc_core::{Edge, NewEdge};

fn edge(source: &str, target: &str, relation: &str, properties: serde_json::Value) -> NewEdge {
    NewEdge {
        source: source.to_owned(),
        target: target.to_owned(),
        relation: relation.to_owned(),
        properties,
    }
}

async fn put_edges(store: &dyn Store, project: &Project, edges: Vec<NewEdge>) -> Vec<(Edge, bool)> {
    store.put_edges(project, edges).await.expect("put_edges")
}

async fn edges_of(
    store: &dyn Store,
    project: &Project,
    node: &str,
    relation: Option<&str>,
) -> Vec<Edge> {
    store
        .edges_of(project, node, relation)
        .await
        .expect("edges_of")
}

fn triples(edges: &[Edge]) -> Vec<(&str, &str, &str)> {
    edges
        .iter()
        .map(|e| (e.source.as_str(), e.target.as_str(), e.relation.as_str()))
        .collect()
}

/// A new edge is created; the same (source, target, relation) again, in a
/// later call or the same one, is not: it keeps its id and creation time
/// and takes the new properties.
pub async fn graph_put_edges_upserts(store: &dyn Store) {
    let p = project("alpha");
    let first = put_edges(
        store,
        &p,
        vec![
            edge(
                "1",
                "2",
                "references",
                serde_json::json!({"similarity": 0.8}),
            ),
            edge("1", "3", "references", serde_json::Value::Null),
        ],
    )
    .await;
    assert_eq!(first.len(), 2);
    assert!(first.iter().all(|(_, created)| *created));
    let (a, _) = &first[0];
    assert_eq!(triples(std::slice::from_ref(a)), [("1", "2", "references")]);
    assert_eq!(a.properties, serde_json::json!({"similarity": 0.8}));
    assert_eq!(first[1].0.properties, serde_json::json!({}));
    assert!(is_rfc3339(&a.created_at), "{}", a.created_at);
    assert_ne!(a.id, first[1].0.id);

    let again = put_edges(
        store,
        &p,
        vec![
            edge(
                "1",
                "2",
                "references",
                serde_json::json!({"similarity": 0.9}),
            ),
            edge("1", "2", "follows", serde_json::json!({})),
            edge("1", "2", "follows", serde_json::json!({"n": 2})),
        ],
    )
    .await;
    let created: Vec<bool> = again.iter().map(|(_, c)| *c).collect();
    assert_eq!(created, [false, true, false]);
    let (updated, _) = &again[0];
    assert_eq!((updated.id, &updated.created_at), (a.id, &a.created_at));
    assert_eq!(updated.properties, serde_json::json!({"similarity": 0.9}));
    assert_eq!(again[2].0.id, again[1].0.id);
    assert_eq!(again[2].0.properties, serde_json::json!({"n": 2}));

    let stored = edges_of(store, &p, "1", None).await;
    assert_eq!(stored.len(), 3, "{stored:?}");
    assert_eq!(stored[0], *updated);
    assert_eq!(stored[2], again[2].0);
    assert!(put_edges(store, &p, Vec::new()).await.is_empty());
    assert_sound(store).await;
}

/// `edges_of` returns edges that start or end at the node, oldest first,
/// of one relation when asked; a self-loop comes once; an unknown node has
/// no edges (nodes are names, not records).
pub async fn graph_edges_of_node_and_relation(store: &dyn Store) {
    let p = project("alpha");
    put_edges(
        store,
        &p,
        vec![
            edge("a", "b", "references", serde_json::json!({})),
            edge("c", "a", "references", serde_json::json!({})),
            edge("a", "d", "supersedes", serde_json::json!({})),
            edge("b", "c", "references", serde_json::json!({})),
            edge("a", "a", "mentions", serde_json::json!({})),
        ],
    )
    .await;
    assert_eq!(
        triples(&edges_of(store, &p, "a", None).await),
        [
            ("a", "b", "references"),
            ("c", "a", "references"),
            ("a", "d", "supersedes"),
            ("a", "a", "mentions")
        ]
    );
    assert_eq!(
        triples(&edges_of(store, &p, "a", Some("references")).await),
        [("a", "b", "references"), ("c", "a", "references")]
    );
    assert_eq!(
        triples(&edges_of(store, &p, "d", None).await),
        [("a", "d", "supersedes")]
    );
    assert!(
        edges_of(store, &p, "d", Some("references"))
            .await
            .is_empty()
    );
    assert!(edges_of(store, &p, "z", None).await.is_empty());
    assert!(edges_of(store, &p, "A", None).await.is_empty());
    assert_sound(store).await;
}

/// A blank source, target or relation, or properties that are not a JSON
/// object, is `Invalid` naming the field, and the whole batch writes nothing.
pub async fn graph_invalid_batch_writes_nothing(store: &dyn Store) {
    let p = project("alpha");
    let good = edge("1", "2", "references", serde_json::json!({}));
    for (field, bad) in [
        (
            "source",
            edge(" ", "2", "references", serde_json::json!({})),
        ),
        ("target", edge("1", "", "references", serde_json::json!({}))),
        ("relation", edge("1", "2", "\t", serde_json::json!({}))),
        ("properties", edge("1", "2", "r", serde_json::json!([0.5]))),
        ("properties", edge("1", "2", "r", serde_json::json!("x"))),
    ] {
        let result = store.put_edges(&p, vec![good.clone(), bad]).await;
        assert_invalid(&result, field);
    }
    assert!(edges_of(store, &p, "1", None).await.is_empty());
    assert!(edges_of(store, &p, "2", None).await.is_empty());
    assert_sound(store).await;
}

/// No graph call with one project reads or updates another project's edges.
pub async fn graph_projects_are_isolated(store: &dyn Store) {
    let (a, b) = (project("alpha"), project("beta"));
    let alpha = put_edges(
        store,
        &a,
        vec![edge(
            "1",
            "2",
            "references",
            serde_json::json!({"p": "alpha"}),
        )],
    )
    .await;
    assert!(edges_of(store, &b, "1", None).await.is_empty());
    // The same triple in beta is beta's own edge.
    let beta = put_edges(
        store,
        &b,
        vec![edge(
            "1",
            "2",
            "references",
            serde_json::json!({"p": "beta"}),
        )],
    )
    .await;
    assert!(beta[0].1, "created in beta");
    assert_ne!(beta[0].0.id, alpha[0].0.id);
    let in_alpha = edges_of(store, &a, "2", None).await;
    assert_eq!(in_alpha, vec![alpha[0].0.clone()]);
    let in_beta = edges_of(store, &b, "2", None).await;
    assert_eq!(in_beta, vec![beta[0].0.clone()]);
    assert_sound(store).await;
}
