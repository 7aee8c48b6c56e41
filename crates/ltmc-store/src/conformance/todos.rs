//! Checks of todos: add, list newest first with filters, complete (once),
//! invalid input and unknown ids writing nothing, keyword search, project
//! isolation.

use super::{
    NASTY_QUERIES, Project, Store, assert_invalid, assert_not_found, assert_sound, is_rfc3339,
    project,
};
use ltmc_core::{NewTodo, Priority, Todo, TodoFilter, TodoId};

fn todo(title: &str, description: &str, priority: Priority) -> NewTodo {
    NewTodo {
        title: title.to_owned(),
        description: description.to_owned(),
        priority,
    }
}

async fn add(store: &dyn Store, project: &Project, new: NewTodo) -> Todo {
    store.add_todo(project, new).await.expect("add_todo")
}

async fn listed(
    store: &dyn Store,
    project: &Project,
    completed: Option<bool>,
    limit: Option<usize>,
) -> Vec<TodoId> {
    store
        .list_todos(project, &TodoFilter { completed, limit })
        .await
        .expect("list_todos")
        .iter()
        .map(|t| t.id)
        .collect()
}

async fn found(store: &dyn Store, project: &Project, query: &str, limit: usize) -> Vec<TodoId> {
    store
        .search_todos(project, query, limit)
        .await
        .unwrap_or_else(|err| panic!("search_todos({query:?}): {err}"))
        .iter()
        .map(|t| t.id)
        .collect()
}

/// A todo reads back as given, open; listings are newest first and filter
/// by state; completing sets `completed_at`, and completing again keeps it.
pub async fn todo_add_list_complete(store: &dyn Store) {
    let p = project("alpha");
    let first = add(
        store,
        &p,
        todo("write the migration", "tables for todos", Priority::High),
    )
    .await;
    assert_eq!(first.title, "write the migration");
    assert_eq!(first.description, "tables for todos");
    assert_eq!(first.priority, Priority::High);
    assert!(!first.completed);
    assert_eq!(first.completed_at, None);
    assert!(is_rfc3339(&first.created_at), "{}", first.created_at);
    let second = add(store, &p, todo("review it", "", Priority::Low)).await;
    let third = add(store, &p, todo("ship it", "friday", Priority::Medium)).await;

    assert_eq!(
        listed(store, &p, None, None).await,
        [third.id, second.id, first.id]
    );
    assert_eq!(
        listed(store, &p, None, Some(2)).await,
        [third.id, second.id]
    );
    assert!(listed(store, &p, Some(true), None).await.is_empty());

    let done = store.complete_todo(&p, second.id).await.expect("complete");
    assert!(done.completed);
    let at = done.completed_at.clone().expect("completed_at is set");
    assert!(is_rfc3339(&at), "{at}");
    assert_eq!(
        (done.id, &done.title, done.priority, &done.created_at),
        (
            second.id,
            &second.title,
            second.priority,
            &second.created_at
        )
    );
    let again = store
        .complete_todo(&p, second.id)
        .await
        .expect("complete again");
    assert_eq!(again, done, "completing again changes nothing");

    assert_eq!(listed(store, &p, Some(true), None).await, [second.id]);
    assert_eq!(
        listed(store, &p, Some(false), None).await,
        [third.id, first.id]
    );
    assert_eq!(listed(store, &p, Some(false), Some(1)).await, [third.id]);
    let all = store
        .list_todos(&p, &TodoFilter::default())
        .await
        .expect("list");
    assert_eq!(all[1], done);
    assert_sound(store).await;
}

/// A blank title is `Invalid` and an unknown id `NotFound`; neither writes.
pub async fn todo_invalid_and_unknown_write_nothing(store: &dyn Store) {
    let p = project("alpha");
    for title in ["", "  \t"] {
        let result = store
            .add_todo(&p, todo(title, "a description", Priority::Medium))
            .await;
        assert_invalid(&result, "title");
    }
    assert!(listed(store, &p, None, None).await.is_empty());
    assert!(found(store, &p, "description", 10).await.is_empty());
    let kept = add(store, &p, todo("the only todo", "", Priority::Low)).await;
    assert_not_found(&store.complete_todo(&p, TodoId(kept.id.0 + 1000)).await);
    assert!(listed(store, &p, Some(true), None).await.is_empty());
    assert_sound(store).await;
}

/// Search finds todos by the words of their title or description (stemmed,
/// as chunks are), best first, at most `limit`; free text never errors.
pub async fn todo_search_finds_by_word(store: &dyn Store) {
    let p = project("alpha");
    let by_title = add(
        store,
        &p,
        todo("rotate the zanzibar keys", "", Priority::High),
    )
    .await;
    let by_description = add(
        store,
        &p,
        todo(
            "security chores",
            "check zanzibar certificates",
            Priority::Low,
        ),
    )
    .await;
    let identifier = add(
        store,
        &p,
        todo(
            "rename parse_config_v2",
            "configs everywhere",
            Priority::Medium,
        ),
    )
    .await;
    add(store, &p, todo("unrelated", "nothing here", Priority::Low)).await;

    let hits = found(store, &p, "zanzibar", 10).await;
    assert_eq!(hits.len(), 2, "{hits:?}");
    assert!(hits.contains(&by_title.id) && hits.contains(&by_description.id));
    assert_eq!(found(store, &p, "zanzibar", 1).await.len(), 1);
    assert!(found(store, &p, "zanzibar", 0).await.is_empty());
    assert_eq!(
        found(store, &p, "certificate", 10).await,
        [by_description.id]
    );
    assert_eq!(
        found(store, &p, "parse_config_v2", 10).await,
        [identifier.id]
    );
    assert_eq!(found(store, &p, "config", 10).await, [identifier.id]);
    // More of the query's words rank higher.
    assert_eq!(
        found(store, &p, "zanzibar certificates", 10).await[0],
        by_description.id
    );
    assert!(found(store, &p, "absent", 10).await.is_empty());
    for &query in NASTY_QUERIES {
        let result = store.search_todos(&p, query, 5).await;
        assert!(result.is_ok(), "{query:?}: {result:?}");
    }
    // Completing a todo keeps it searchable.
    store
        .complete_todo(&p, by_title.id)
        .await
        .expect("complete");
    assert_eq!(found(store, &p, "rotate", 10).await, [by_title.id]);
    assert_sound(store).await;
}

/// No todo call with one project reads, completes or finds another's todos.
pub async fn todo_projects_are_isolated(store: &dyn Store) {
    let (a, b) = (project("alpha"), project("beta"));
    let secret = add(
        store,
        &a,
        todo("alpha's secret plan", "walrus", Priority::High),
    )
    .await;
    let own = add(store, &b, todo("beta's plan", "walrus", Priority::Low)).await;
    assert_not_found(&store.complete_todo(&b, secret.id).await);
    assert_eq!(listed(store, &b, None, None).await, [own.id]);
    assert_eq!(found(store, &b, "walrus secret", 10).await, [own.id]);
    assert!(
        found(store, &project("gamma"), "walrus", 10)
            .await
            .is_empty()
    );
    let still_open = store
        .list_todos(&a, &TodoFilter::default())
        .await
        .expect("list");
    assert_eq!(still_open, vec![secret]);
    assert_sound(store).await;
}
