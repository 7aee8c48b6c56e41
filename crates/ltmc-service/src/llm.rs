//! The optional language model of `ask_with_context`: one POST to an
//! OpenAI-compatible `/chat/completions` endpoint (OpenAI, vLLM, llama.cpp
//! server, Ollama's `/v1`, LiteLLM ...), asking it to answer from the
//! retrieved context only.
//!
//! A small blocking client (ureq) run on `spawn_blocking`: one request per
//! question needs no async HTTP stack. Not here: retrieval, and what to do
//! when the endpoint fails (the caller falls back to an extractive answer).

use serde_json::{Value, json};
use std::time::Duration;

/// An OpenAI-compatible chat endpoint for `ask_with_context`
/// (`LTMC_LLM_BASE_URL`, `LTMC_LLM_MODEL`, `LTMC_LLM_API_KEY`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LlmConfig {
    /// e.g. `http://127.0.0.1:8080/v1`; `/chat/completions` is appended.
    pub base_url: String,
    pub model: String,
    pub api_key: Option<String>,
}

impl LlmConfig {
    /// The URL the request goes to.
    pub fn endpoint(&self) -> String {
        format!("{}/chat/completions", self.base_url.trim_end_matches('/'))
    }
}

/// How long one question may take, connection to last byte.
pub const LLM_TIMEOUT: Duration = Duration::from_secs(120);

/// The system prompt: answer from the context, say so when it is not there.
pub const LLM_SYSTEM_PROMPT: &str = "You answer questions for a software engineering team \
from their long-term memory. Use only the context given with the question. If the context \
does not contain the answer, say so plainly instead of guessing. Be concise; quote \
identifiers, commands and error messages exactly.";

/// A model's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LlmAnswer {
    pub answer: String,
    /// The model that answered (as the endpoint reports it, else as configured).
    pub model: String,
}

/// Why the endpoint gave no answer.
#[derive(Debug, thiserror::Error)]
pub enum LlmError {
    #[error("request to {url} failed: {reason}")]
    Request { url: String, reason: String },
    #[error("{url} answered HTTP {status}: {body}")]
    Status {
        url: String,
        status: u16,
        body: String,
    },
    #[error("{url} answered something that is not an OpenAI chat completion: {reason}")]
    Response { url: String, reason: String },
}

/// The JSON body of the request: the system prompt, then the context and the question.
pub fn request_body(model: &str, question: &str, context: &str) -> Value {
    json!({
        "model": model,
        "temperature": 0,
        "messages": [
            {"role": "system", "content": LLM_SYSTEM_PROMPT},
            {"role": "user", "content": format!("Context:\n{context}\n\nQuestion: {question}")},
        ],
    })
}

/// Asks the configured model to answer `question` from `context`.
pub async fn ask_llm(
    config: &LlmConfig,
    question: &str,
    context: &str,
) -> Result<LlmAnswer, LlmError> {
    let config = config.clone();
    let body = request_body(&config.model, question, context).to_string();
    let url = config.endpoint();
    let task_url = url.clone();
    tokio::task::spawn_blocking(move || post(&config, &task_url, body))
        .await
        .map_err(|e| LlmError::Request {
            url,
            reason: format!("the request task failed: {e}"),
        })?
}

fn post(config: &LlmConfig, url: &str, body: String) -> Result<LlmAnswer, LlmError> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(LLM_TIMEOUT))
        .http_status_as_error(false)
        .build()
        .into();
    let mut request = agent
        .post(url)
        .header("Content-Type", "application/json")
        .header("Accept", "application/json");
    if let Some(key) = config.api_key.as_deref().filter(|k| !k.is_empty()) {
        request = request.header("Authorization", format!("Bearer {key}"));
    }
    let mut response = request.send(body).map_err(|e| LlmError::Request {
        url: url.to_owned(),
        reason: e.to_string(),
    })?;
    let status = response.status().as_u16();
    let text = response
        .body_mut()
        .read_to_string()
        .map_err(|e| LlmError::Request {
            url: url.to_owned(),
            reason: format!("reading the answer: {e}"),
        })?;
    if !(200..300).contains(&status) {
        let mut body: String = text.chars().take(500).collect();
        if body.len() < text.len() {
            body.push('…');
        }
        return Err(LlmError::Status {
            url: url.to_owned(),
            status,
            body,
        });
    }
    parse_completion(&text, &config.model).map_err(|reason| LlmError::Response {
        url: url.to_owned(),
        reason,
    })
}

/// The first choice's message content of a chat completion.
pub fn parse_completion(text: &str, configured_model: &str) -> Result<LlmAnswer, String> {
    let value: Value = serde_json::from_str(text).map_err(|e| format!("invalid JSON ({e})"))?;
    let answer = value
        .pointer("/choices/0/message/content")
        .and_then(Value::as_str)
        .ok_or("no choices[0].message.content string")?
        .trim()
        .to_owned();
    if answer.is_empty() {
        return Err("the answer is empty".into());
    }
    let model = value
        .get("model")
        .and_then(Value::as_str)
        .filter(|m| !m.is_empty())
        .unwrap_or(configured_model)
        .to_owned();
    Ok(LlmAnswer { answer, model })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_appends_the_path_once() {
        let config = LlmConfig {
            base_url: "http://h:1/v1/".into(),
            model: "m".into(),
            api_key: None,
        };
        assert_eq!(config.endpoint(), "http://h:1/v1/chat/completions");
    }

    #[test]
    fn body_carries_system_prompt_context_and_question() {
        let body = request_body("m", "why?", "because.");
        assert_eq!(body["model"], "m");
        assert_eq!(body["messages"][0]["role"], "system");
        let user = body["messages"][1]["content"].as_str().unwrap();
        assert!(user.contains("because.") && user.ends_with("Question: why?"));
    }

    #[test]
    fn completions_parse() {
        let ok = r#"{"model":"x","choices":[{"message":{"role":"assistant","content":" hi "}}]}"#;
        assert_eq!(
            parse_completion(ok, "m").unwrap(),
            LlmAnswer {
                answer: "hi".into(),
                model: "x".into()
            }
        );
        assert!(parse_completion("{}", "m").unwrap_err().contains("choices"));
        assert!(parse_completion("nope", "m").unwrap_err().contains("JSON"));
    }
}
