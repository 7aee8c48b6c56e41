//! ask_with_context with a language model: a one-shot OpenAI-compatible
//! server on a local port proves the request (path, auth, model, system
//! prompt, context and question) and that the model's answer is returned as
//! `answer_source: "llm"`; a failing endpoint falls back to the extractive
//! answer and says why.

use crate::support::env_with;
use ltmc_tools::LlmConfig;
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::mpsc;

/// What the fake endpoint received.
struct Received {
    request_line: String,
    headers: Vec<(String, String)>,
    body: Value,
}

/// Serves one HTTP request with `status` and `body`, and sends what it got.
fn one_shot_server(status: u16, body: String) -> (String, mpsc::Receiver<Received>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base_url = format!("http://{}/v1", listener.local_addr().unwrap());
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut request_line = String::new();
        reader.read_line(&mut request_line).unwrap();
        let mut headers = Vec::new();
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            let (k, v) = line.split_once(':').unwrap();
            headers.push((k.trim().to_ascii_lowercase(), v.trim().to_owned()));
        }
        let length: usize = headers
            .iter()
            .find(|(k, _)| k == "content-length")
            .map_or(0, |(_, v)| v.parse().unwrap());
        let mut raw = vec![0u8; length];
        reader.read_exact(&mut raw).unwrap();
        let reason = if status == 200 { "OK" } else { "Error" };
        let mut stream = stream;
        write!(
            stream,
            "HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        stream.flush().unwrap();
        let _ = tx.send(Received {
            request_line: request_line.trim_end().to_owned(),
            headers,
            body: serde_json::from_slice(&raw).unwrap_or(Value::Null),
        });
    });
    (base_url, rx)
}

const DOC: &str = "The staging token lives in the vault under ci/staging. Deploys run from main.";

#[tokio::test]
async fn ask_with_context_asks_the_configured_model() {
    let completion = json!({
        "id": "x", "object": "chat.completion", "model": "tiny-test-model",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "In the vault, under ci/staging."}, "finish_reason": "stop"}]
    });
    let (base_url, received) = one_shot_server(200, completion.to_string());
    let env = env_with(Some(LlmConfig {
        base_url,
        model: "tiny-test-model".into(),
        api_key: Some("secret-key".into()),
    }))
    .await;
    env.store("deploy.md", DOC, "document").await;
    let v = env
        .ok(
            "ask_with_context",
            json!({"query": "Where is the staging token?", "conversation_id": "c"}),
        )
        .await;
    assert_eq!(v["answer_source"], "llm");
    assert_eq!(v["answer"], "In the vault, under ci/staging.");
    assert_eq!(v["model"], "tiny-test-model");
    assert!(v.get("llm_error").is_none());

    let got = received.recv().unwrap();
    assert_eq!(got.request_line, "POST /v1/chat/completions HTTP/1.1");
    let header = |name: &str| {
        got.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    assert_eq!(
        header("authorization").as_deref(),
        Some("Bearer secret-key")
    );
    assert!(
        header("content-type")
            .unwrap()
            .starts_with("application/json")
    );
    assert_eq!(got.body["model"], "tiny-test-model");
    let messages = got.body["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 2);
    assert_eq!(messages[0]["role"], "system");
    assert!(messages[0]["content"].as_str().unwrap().contains("context"));
    assert_eq!(messages[1]["role"], "user");
    let user = messages[1]["content"].as_str().unwrap();
    assert!(user.contains("ci/staging"), "{user}");
    assert!(
        user.ends_with("Question: Where is the staging token?"),
        "{user}"
    );

    // The model's answer is what the conversation remembers.
    let answer = env
        .ok(
            "get_context_links_for_message_tool",
            json!({"message_id": v["answer_message_id"]}),
        )
        .await;
    assert_eq!(answer["count"], 1);
}

#[tokio::test]
async fn a_failing_model_falls_back_to_the_extractive_answer() {
    let (base_url, received) = one_shot_server(500, r#"{"error":"overloaded"}"#.into());
    let env = env_with(Some(LlmConfig {
        base_url,
        model: "m".into(),
        api_key: None,
    }))
    .await;
    env.store("deploy.md", DOC, "document").await;
    let v = env
        .ok(
            "ask_with_context",
            json!({"query": "Where is the staging token?", "conversation_id": "c"}),
        )
        .await;
    assert_eq!(v["answer_source"], "extractive");
    assert!(v["answer"].as_str().unwrap().contains("vault"));
    let error = v["llm_error"].as_str().unwrap();
    assert!(
        error.contains("500") && error.contains("overloaded"),
        "{error}"
    );
    let got = received.recv().unwrap();
    assert!(got.headers.iter().all(|(k, _)| k != "authorization"));
}
