//! `ltmc serve` as a process: in stdio mode stdout carries JSON-RPC frames
//! and nothing else (logs go to stderr); in HTTP mode it announces where it
//! listens and refuses a public address without a token.
//!
//! Frames are written by hand here, so this does not depend on any MCP
//! client; the full client round trip is `mcp_python`.

use crate::support::Ltmc;
use serde_json::{Value, json};
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::process::{Child, ChildStdout, Stdio};
use std::sync::mpsc;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(60);

/// Lines of a child's stdout, read on a thread so a silent server fails the
/// test instead of hanging it.
fn lines_of(stdout: ChildStdout) -> mpsc::Receiver<String> {
    let (send, receive) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if send.send(line).is_err() {
                break;
            }
        }
    });
    receive
}

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The child's exit status, or a failed test when it has not exited within
/// `wait` (the child is killed on drop).
#[track_caller]
fn exit_within(child: &mut Child, wait: Duration) -> std::process::ExitStatus {
    let start = std::time::Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        assert!(
            start.elapsed() < wait,
            "the server did not exit within {wait:?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[track_caller]
fn frame(line: &str) -> Value {
    let value: Value = serde_json::from_str(line)
        .unwrap_or_else(|e| panic!("stdout line is not JSON ({e}): {line:?}"));
    assert_eq!(value["jsonrpc"], "2.0", "not a JSON-RPC frame: {line}");
    value
}

#[test]
fn stdio_mode_writes_only_json_rpc_frames_on_stdout() {
    let ltmc = Ltmc::new(true);
    let child = ltmc
        .command()
        .args(["serve", "--stdio"])
        // Chatty logs, to prove they all go to stderr.
        .env("LTMC_LOG", "debug")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut child = Killed(child);
    let mut stdin = child.0.stdin.take().unwrap();
    let replies = lines_of(child.0.stdout.take().unwrap());
    // Read on a thread while the server runs: debug logs fill a pipe's
    // buffer long before the session ends, and a server blocked writing to
    // stderr would never answer (nor exit).
    let mut stderr = child.0.stderr.take().unwrap();
    let logs = std::thread::spawn(move || {
        let mut logs = String::new();
        stderr.read_to_string(&mut logs).map(|_| logs)
    });
    let mut send = move |message: Value| {
        writeln!(stdin, "{message}").unwrap();
        stdin.flush().unwrap();
    };
    let mut seen = Vec::new();
    let mut reply_to = |id: i64| -> Value {
        // Notifications may come first; every line must be a frame anyway.
        loop {
            let line = replies
                .recv_timeout(WAIT)
                .unwrap_or_else(|e| panic!("no reply to request {id}: {e}; saw {seen:?}"));
            let value = frame(&line);
            seen.push(line);
            if value["id"] == id {
                return value;
            }
        }
    };

    send(
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18",
            "capabilities": {},
            "clientInfo": {"name": "frame-test", "version": "0"},
        }}),
    );
    let init = reply_to(1);
    assert_eq!(init["result"]["serverInfo"]["name"], "ltmc", "{init}");

    send(json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));
    send(json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"}));
    let list = reply_to(2);
    assert!(list["result"]["tools"].is_array(), "{list}");

    send(
        json!({"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {
            "name": "store_memory",
            "arguments": {"file_name": "a.md", "content": "frames only on stdout"},
        }}),
    );
    let call = reply_to(3);
    assert!(call["result"]["isError"].is_boolean(), "{call}");
    assert!(call["result"]["content"][0]["text"].is_string(), "{call}");

    send(
        json!({"jsonrpc": "2.0", "id": 4, "method": "tools/call", "params": {
            "name": "no_such_tool", "arguments": {},
        }}),
    );
    let unknown = reply_to(4);
    assert_eq!(unknown["result"]["isError"], true, "{unknown}");

    // Closing stdin ends the session and the process.
    drop(send);
    let status = exit_within(&mut child.0, WAIT);
    assert!(status.success(), "{status}");
    for line in replies.try_iter() {
        frame(&line);
    }
    let logs = logs.join().unwrap().unwrap();
    assert!(!logs.is_empty(), "debug logs should be on stderr");
    assert!(!logs.contains("panicked"), "{logs}");
}

/// A message before `initialize` is answered (a request) or ignored (a
/// notification), and the session stays open for the handshake.
#[test]
fn stdio_mode_answers_a_request_before_initialize_and_stays_open() {
    let ltmc = Ltmc::new(true);
    let child = ltmc
        .command()
        .args(["serve", "--stdio"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut child = Killed(child);
    let mut stdin = child.0.stdin.take().unwrap();
    let replies = lines_of(child.0.stdout.take().unwrap());
    let mut send = move |line: &str| {
        writeln!(stdin, "{line}").unwrap();
        stdin.flush().unwrap();
    };
    let next = || frame(&replies.recv_timeout(WAIT).expect("a reply"));

    send(r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#);
    send(r#"{"jsonrpc":"2.0","id":7,"method":"tools/list"}"#);
    let refused = next();
    assert_eq!(refused["id"], 7, "{refused}");
    assert_eq!(refused["error"]["code"], -32600, "{refused}");
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("send `initialize` first"),
        "{refused}"
    );
    send(
        r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"0"}}}"#,
    );
    let init = next();
    assert_eq!(init["result"]["serverInfo"]["name"], "ltmc", "{init}");
    send(r#"{"jsonrpc":"2.0","id":2,"method":"tools/list"}"#);
    let list = next();
    assert!(list["result"]["tools"].is_array(), "{list}");
    // Closing stdin ends the session.
    drop(send);
    let status = exit_within(&mut child.0, WAIT);
    assert!(status.success(), "{status}");
}

#[test]
fn http_mode_on_a_public_address_needs_a_token() {
    let ltmc = Ltmc::new(true);
    ltmc.run(&["serve", "--http", "0.0.0.0:0"])
        .fails_with("not a loopback address");
    let run = ltmc.run(&["serve", "--http", "0.0.0.0:0", "--token", ""]);
    run.fails_with("token is empty");
}

#[test]
fn half_an_llm_configuration_is_an_error() {
    let ltmc = Ltmc::new(true);
    let run = ltmc
        .command()
        .args(["serve", "--stdio"])
        .env("LTMC_LLM_BASE_URL", "http://127.0.0.1:9/v1")
        .env_remove("LTMC_LLM_MODEL")
        .output()
        .unwrap();
    crate::support::Run::from(run).fails_with("LTMC_LLM_MODEL is not");
}

#[test]
fn http_mode_announces_its_address_and_answers_health() {
    let ltmc = Ltmc::new(true);
    let child = ltmc
        .command()
        .args(["--json", "serve", "--http", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut child = Killed(child);
    let lines = lines_of(child.0.stdout.take().unwrap());
    let announced: Value = serde_json::from_str(&lines.recv_timeout(WAIT).unwrap()).unwrap();
    let address = announced["address"].as_str().unwrap().to_owned();
    assert_eq!(announced["mcp"], format!("http://{address}/mcp"));
    assert_eq!(announced["token_required"], false);

    let mut stream = std::net::TcpStream::connect(&address).unwrap();
    stream.set_read_timeout(Some(WAIT)).unwrap();
    write!(
        stream,
        "GET /health HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    let body = response.split("\r\n\r\n").nth(1).unwrap();
    let health: Value = serde_json::from_str(body).unwrap();
    assert_eq!(health["status"], "ok", "{health}");
}

#[test]
fn stdio_mode_without_a_client_fails_cleanly() {
    // stdin is empty: the client hangs up before `initialize`.
    Ltmc::new(true)
        .run(&["serve", "--stdio"])
        .fails_with("handshake");
}
