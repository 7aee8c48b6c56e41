//! Checks of chat messages and context links: read back, links kept once,
//! unknown ids and invalid input write nothing, project isolation, links
//! dying with their chunks, the usage statistics, and batches of messages
//! (each as a single message, all or nothing).

use super::{
    ChunkId, Project, Store, assert_batch_item, assert_invalid, assert_not_found, assert_sound,
    chunks_of, is_rfc3339, project, put, put_whole, resource, split,
};
use ltmc_core::{ChatMessage, ChunkUsage, ContextLink, ContextUsage, MessageId, NewChatMessage};

fn message(conversation: &str, role: &str, content: &str) -> NewChatMessage {
    NewChatMessage {
        conversation_id: conversation.to_owned(),
        role: role.to_owned(),
        content: content.to_owned(),
        ..NewChatMessage::default()
    }
}

async fn log(
    store: &dyn Store,
    project: &Project,
    message: NewChatMessage,
    context: &[ChunkId],
) -> ChatMessage {
    store
        .log_message(project, message, context)
        .await
        .expect("log_message")
}

async fn links(store: &dyn Store, project: &Project, id: MessageId) -> Vec<ChunkId> {
    let links = store
        .links_of_message(project, id)
        .await
        .expect("links_of_message");
    assert!(links.iter().all(|l| l.message_id == id), "{links:?}");
    links.iter().map(|l| l.chunk_id).collect()
}

async fn conversation(store: &dyn Store, project: &Project, id: &str) -> Vec<MessageId> {
    store
        .conversation(project, id, 100)
        .await
        .expect("conversation")
        .iter()
        .map(|m| m.id)
        .collect()
}

/// Three chunks of one document in `project`.
async fn three_chunks(store: &dyn Store, project: &Project) -> Vec<ChunkId> {
    let content = "a document of three chunks that messages use as context";
    let out = put(
        store,
        resource(project, "ctx.md", "document", content),
        split(content, 3),
    )
    .await;
    chunks_of(store, project, out.resource_id)
        .await
        .iter()
        .map(|c| c.id)
        .collect()
}

/// A logged message reads back as given, with an id and a timestamp; a
/// conversation is its messages oldest first, the latest `limit` of them.
pub async fn chat_log_and_read_back(store: &dyn Store) {
    let p = project("alpha");
    let mut first = message("conv-1", "user", "how do I fix the flaky test?");
    first.agent_name = Some("claude".to_owned());
    first.source_tool = Some("retrieve_memory".to_owned());
    first.metadata = serde_json::json!({"turn": 1, "tags": ["ci"]});
    let logged = log(store, &p, first.clone(), &[]).await;
    assert_eq!(logged.conversation_id, "conv-1");
    assert_eq!(logged.role, "user");
    assert_eq!(logged.content, first.content);
    assert_eq!(logged.agent_name.as_deref(), Some("claude"));
    assert_eq!(logged.source_tool.as_deref(), Some("retrieve_memory"));
    assert_eq!(logged.metadata, first.metadata);
    assert!(is_rfc3339(&logged.timestamp), "{}", logged.timestamp);
    let got = store.get_message(&p, logged.id).await.expect("get_message");
    assert_eq!(got, logged);

    // No metadata given: the empty object.
    let second = log(store, &p, message("conv-1", "assistant", "retry it"), &[]).await;
    assert_eq!(second.metadata, serde_json::json!({}));
    assert_eq!(second.agent_name, None);
    let other = log(store, &p, message("conv-2", "user", "elsewhere"), &[]).await;
    let third = log(store, &p, message("conv-1", "user", "thanks"), &[]).await;
    assert!(logged.id < second.id && second.id < third.id);

    assert_eq!(
        conversation(store, &p, "conv-1").await,
        [logged.id, second.id, third.id]
    );
    assert_eq!(conversation(store, &p, "conv-2").await, [other.id]);
    assert!(conversation(store, &p, "conv-3").await.is_empty());
    let latest = store
        .conversation(&p, "conv-1", 2)
        .await
        .expect("conversation");
    assert_eq!(
        latest.iter().map(|m| m.id).collect::<Vec<_>>(),
        [second.id, third.id]
    );
    assert!(
        store
            .conversation(&p, "conv-1", 0)
            .await
            .expect("conversation")
            .is_empty()
    );
    assert_sound(store).await;
}

/// Links name the chunks a message used; a link given twice, in one call or
/// in two, is kept once and counted as new once.
pub async fn chat_context_links_kept_once(store: &dyn Store) {
    let p = project("alpha");
    let chunks = three_chunks(store, &p).await;
    let m = log(
        store,
        &p,
        message("c", "user", "q"),
        &[chunks[1], chunks[0], chunks[1]],
    )
    .await;
    assert_eq!(links(store, &p, m.id).await, [chunks[0], chunks[1]]);
    let created = store
        .link_context(&p, m.id, &[chunks[1], chunks[2], chunks[2]])
        .await
        .expect("link_context");
    assert_eq!(created, 1);
    let again = store
        .link_context(&p, m.id, &chunks)
        .await
        .expect("link_context");
    assert_eq!(again, 0);
    assert_eq!(
        store.link_context(&p, m.id, &[]).await.expect("no chunks"),
        0
    );
    let all = store.links_of_message(&p, m.id).await.expect("links");
    assert_eq!(
        all,
        chunks
            .iter()
            .map(|&chunk_id| ContextLink {
                message_id: m.id,
                chunk_id
            })
            .collect::<Vec<_>>()
    );
    let users = store
        .messages_for_chunk(&p, chunks[2])
        .await
        .expect("messages_for_chunk");
    assert_eq!(users, vec![m.clone()]);
    let unused = three_chunks_more(store, &p).await;
    assert!(
        store
            .messages_for_chunk(&p, unused)
            .await
            .expect("messages_for_chunk")
            .is_empty()
    );
    assert_sound(store).await;
}

/// A chunk no message used.
async fn three_chunks_more(store: &dyn Store, project: &Project) -> ChunkId {
    put_whole(
        store,
        project,
        "unused.md",
        "document",
        "never used as context",
    )
    .await
    .id
}

/// An unknown message or chunk is `NotFound`, and nothing is written: not the
/// message, not the links that were fine.
pub async fn chat_unknown_ids_write_nothing(store: &dyn Store) {
    let p = project("alpha");
    let chunks = three_chunks(store, &p).await;
    let missing_chunk = ChunkId(chunks.iter().map(|c| c.0).max().unwrap_or(0) + 1000);
    let result = store
        .log_message(&p, message("c", "user", "q"), &[chunks[0], missing_chunk])
        .await;
    assert_not_found(&result);
    assert!(conversation(store, &p, "c").await.is_empty());

    let m = log(store, &p, message("c", "user", "q"), &[chunks[0]]).await;
    let missing_message = MessageId(m.id.0 + 1000);
    assert_not_found(&store.get_message(&p, missing_message).await);
    assert_not_found(&store.link_context(&p, missing_message, &[chunks[1]]).await);
    assert_not_found(&store.links_of_message(&p, missing_message).await);
    assert_not_found(&store.messages_for_chunk(&p, missing_chunk).await);
    let result = store
        .link_context(&p, m.id, &[chunks[1], missing_chunk, chunks[2]])
        .await;
    assert_not_found(&result);
    assert_eq!(links(store, &p, m.id).await, [chunks[0]]);
    let usage = store.context_usage(&p, 10).await.expect("usage");
    assert_eq!(usage.total_context_links, 1);
    assert_sound(store).await;
}

/// A blank conversation id or role, or metadata that is not an object, is
/// `Invalid` naming the field, and nothing is written.
pub async fn chat_invalid_writes_nothing(store: &dyn Store) {
    let p = project("alpha");
    let chunks = three_chunks(store, &p).await;
    let mut bad_metadata = message("c", "user", "q");
    bad_metadata.metadata = serde_json::json!(["not", "an", "object"]);
    for (field, bad) in [
        ("conversation_id", message(" ", "user", "q")),
        ("role", message("c", "", "q")),
        ("metadata", bad_metadata),
    ] {
        let result = store.log_message(&p, bad, &chunks).await;
        assert_invalid(&result, field);
    }
    assert!(conversation(store, &p, "c").await.is_empty());
    assert!(conversation(store, &p, " ").await.is_empty());
    let usage = store.context_usage(&p, 10).await.expect("usage");
    assert_eq!(usage, ContextUsage::default());
    assert_sound(store).await;
}

/// No chat call with one project reads or links another project's messages
/// or chunks.
pub async fn chat_projects_are_isolated(store: &dyn Store) {
    let (a, b) = (project("alpha"), project("beta"));
    let a_chunks = three_chunks(store, &a).await;
    let b_chunks = three_chunks(store, &b).await;
    let a_message = log(store, &a, message("shared", "user", "alpha's"), &a_chunks).await;
    let b_message = log(store, &b, message("shared", "user", "beta's"), &[]).await;

    assert_not_found(&store.get_message(&b, a_message.id).await);
    assert_not_found(&store.links_of_message(&b, a_message.id).await);
    assert_not_found(&store.link_context(&b, a_message.id, &b_chunks).await);
    assert_not_found(&store.link_context(&b, b_message.id, &a_chunks[..1]).await);
    assert_not_found(&store.messages_for_chunk(&b, a_chunks[0]).await);
    assert_not_found(
        &store
            .log_message(&b, message("x", "user", "q"), &a_chunks[..1])
            .await,
    );
    assert_eq!(conversation(store, &b, "shared").await, [b_message.id]);
    assert!(links(store, &b, b_message.id).await.is_empty());
    let usage = store.context_usage(&b, 10).await.expect("usage");
    assert_eq!(usage, ContextUsage::default());
    let usage = store.context_usage(&a, 10).await.expect("usage");
    assert_eq!(usage.total_context_links, 3);
    assert_sound(store).await;
}

/// Deleting a document deletes the links to its chunks, not the messages.
pub async fn chat_links_go_with_their_chunks(store: &dyn Store) {
    let p = project("alpha");
    let content = "a document that is deleted after it was used";
    let out = put(
        store,
        resource(&p, "gone.md", "document", content),
        split(content, 2),
    )
    .await;
    let gone: Vec<ChunkId> = chunks_of(store, &p, out.resource_id)
        .await
        .iter()
        .map(|c| c.id)
        .collect();
    let kept = put_whole(store, &p, "kept.md", "document", "a document that stays").await;
    let m = log(
        store,
        &p,
        message("c", "user", "q"),
        &[gone[0], gone[1], kept.id],
    )
    .await;
    store
        .delete_resource(&p, out.resource_id)
        .await
        .expect("delete");
    assert_eq!(links(store, &p, m.id).await, [kept.id]);
    assert_not_found(&store.messages_for_chunk(&p, gone[0]).await);
    assert_eq!(store.get_message(&p, m.id).await.expect("message"), m);
    let usage = store.context_usage(&p, 10).await.expect("usage");
    assert_eq!(
        (usage.total_context_links, usage.unique_chunks_used),
        (1, 1)
    );
    assert_sound(store).await;
}

/// Usage counts links, distinct messages and distinct chunks of the project,
/// and ranks chunks by use, ties by chunk id, at most `top`.
pub async fn context_usage_counts_and_ranks(store: &dyn Store) {
    let p = project("alpha");
    let c = three_chunks(store, &p).await;
    log(store, &p, message("x", "user", "1"), &[c[2], c[0]]).await;
    log(store, &p, message("x", "user", "2"), &[c[2]]).await;
    log(store, &p, message("x", "user", "3"), &[c[0], c[2], c[1]]).await;
    log(store, &p, message("x", "user", "4"), &[]).await;
    let usage = store.context_usage(&p, 10).await.expect("usage");
    assert_eq!(usage.total_context_links, 6);
    assert_eq!(usage.unique_messages, 3);
    assert_eq!(usage.unique_chunks_used, 3);
    let used = |chunk_id, usage_count| ChunkUsage {
        chunk_id,
        usage_count,
    };
    assert_eq!(
        usage.most_used_chunks,
        [used(c[2], 3), used(c[0], 2), used(c[1], 1)]
    );
    let top = store.context_usage(&p, 1).await.expect("usage");
    assert_eq!(top.most_used_chunks, [used(c[2], 3)]);
    assert_eq!(top.total_context_links, 6);
    assert!(
        store
            .context_usage(&p, 0)
            .await
            .expect("usage")
            .most_used_chunks
            .is_empty()
    );
    assert_sound(store).await;
}

/// A batch logs each message as a single call would, in order, with its
/// links; an empty batch writes nothing.
pub async fn chat_batch_logs_each_with_links(store: &dyn Store) {
    let p = project("alpha");
    let empty = store.log_messages(&p, Vec::new()).await;
    assert!(empty.expect("an empty batch").is_empty());
    let c = three_chunks(store, &p).await;
    let mut first = message("conv", "user", "which chunk explains it?");
    first.agent_name = Some("claude".to_owned());
    first.metadata = serde_json::json!({"turn": 1});
    let logged = store
        .log_messages(
            &p,
            vec![
                (first.clone(), vec![c[1], c[0]]),
                (message("conv", "assistant", "the second one"), Vec::new()),
                (message("other", "user", "and here?"), vec![c[2]]),
            ],
        )
        .await
        .expect("log_messages");
    assert_eq!(logged.len(), 3);
    assert!(logged.windows(2).all(|w| w[0].id < w[1].id), "{logged:?}");
    assert_eq!(logged[0].content, first.content);
    assert_eq!(logged[0].agent_name.as_deref(), Some("claude"));
    assert_eq!(logged[0].metadata, first.metadata);
    assert_eq!(logged[1].role, "assistant");
    assert_eq!(logged[1].metadata, serde_json::json!({}));
    for m in &logged {
        assert!(is_rfc3339(&m.timestamp), "{}", m.timestamp);
        assert_eq!(&store.get_message(&p, m.id).await.expect("get"), m);
    }
    assert_eq!(
        conversation(store, &p, "conv").await,
        [logged[0].id, logged[1].id]
    );
    assert_eq!(conversation(store, &p, "other").await, [logged[2].id]);
    assert_eq!(links(store, &p, logged[0].id).await, [c[0], c[1]]);
    assert!(links(store, &p, logged[1].id).await.is_empty());
    assert_eq!(links(store, &p, logged[2].id).await, [c[2]]);
    let usage = store.context_usage(&p, 10).await.expect("usage");
    assert_eq!(
        (
            usage.total_context_links,
            usage.unique_messages,
            usage.unique_chunks_used
        ),
        (3, 2, 3)
    );
    assert_sound(store).await;
}

/// Identical messages, in a batch or before it, are separate messages (each
/// is an event); a chunk given twice in one message's context is linked once.
pub async fn chat_batch_repeats_are_separate_messages(store: &dyn Store) {
    let p = project("alpha");
    let c = three_chunks(store, &p).await;
    let earlier = log(store, &p, message("c", "user", "same words"), &[c[0]]).await;
    let same = message("c", "user", "same words");
    let logged = store
        .log_messages(
            &p,
            vec![
                (same.clone(), vec![c[0], c[0]]),
                (same, vec![c[0], c[1], c[0]]),
            ],
        )
        .await
        .expect("log_messages");
    assert_eq!(logged.len(), 2);
    assert!(earlier.id < logged[0].id && logged[0].id < logged[1].id);
    assert_eq!(
        conversation(store, &p, "c").await,
        [earlier.id, logged[0].id, logged[1].id]
    );
    assert_eq!(links(store, &p, logged[0].id).await, [c[0]]);
    assert_eq!(links(store, &p, logged[1].id).await, [c[0], c[1]]);
    let usage = store.context_usage(&p, 10).await.expect("usage");
    assert_eq!((usage.total_context_links, usage.unique_messages), (4, 3));
    assert_eq!(
        usage.most_used_chunks,
        [
            ChunkUsage {
                chunk_id: c[0],
                usage_count: 3
            },
            ChunkUsage {
                chunk_id: c[1],
                usage_count: 1
            }
        ]
    );
    assert_sound(store).await;
}

/// A batch fails whole when its last message is refused (an `Invalid`
/// naming the field and the item) or names a chunk the project does not
/// hold (`NotFound`, as a single call): nothing of it is written, not the
/// good messages before it, not their links.
pub async fn chat_batch_failure_writes_nothing(store: &dyn Store) {
    let (p, other) = (project("alpha"), project("beta"));
    let c = three_chunks(store, &p).await;
    let foreign = three_chunks(store, &other).await;
    let highest = c.iter().chain(&foreign).map(|c| c.0).max().unwrap_or(0);
    let missing = ChunkId(highest + 1000);
    let kept = log(
        store,
        &p,
        message("c", "user", "before the batches"),
        &[c[0]],
    )
    .await;
    let good = || {
        vec![
            (message("c", "user", "one"), vec![c[0], c[1]]),
            (message("c", "assistant", "two"), vec![c[2]]),
        ]
    };
    let mut bad_metadata = message("c", "user", "three");
    bad_metadata.metadata = serde_json::json!("not an object");
    for (field, bad) in [
        ("role", message("c", " ", "three")),
        ("conversation_id", message("", "user", "three")),
        ("metadata", bad_metadata),
    ] {
        let mut batch = good();
        batch.push((bad, vec![c[0]]));
        let result = store.log_messages(&p, batch).await;
        assert_invalid(&result, field);
        assert_batch_item(&result, 2);
    }
    for context in [vec![c[1], missing], vec![foreign[0]]] {
        let mut batch = good();
        batch.push((message("c", "user", "three"), context));
        assert_not_found(&store.log_messages(&p, batch).await);
    }
    assert_eq!(conversation(store, &p, "c").await, [kept.id]);
    assert_eq!(links(store, &p, kept.id).await, [c[0]]);
    let usage = store.context_usage(&p, 10).await.expect("usage");
    assert_eq!((usage.total_context_links, usage.unique_messages), (1, 1));
    assert!(conversation(store, &other, "c").await.is_empty());
    assert_sound(store).await;
}
