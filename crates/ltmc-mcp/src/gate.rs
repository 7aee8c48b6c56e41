//! [`HandshakeGate`]: a filter in front of the stdio transport that keeps a
//! session alive when a client sends something other than `initialize`
//! first.
//!
//! Why a wrapper and not a handler hook: rmcp runs the handshake itself
//! (`serve_server`), before any `ServerHandler` method is called. In that
//! loop it answers `ping`, serves requests that carry the inline metadata of
//! the handshake-less protocol revision, and answers other requests with a
//! -32602 about missing `_meta` — but any notification, response or error
//! ends the session with `ExpectedInitializeRequest`. Nothing in rmcp's API
//! lets a server change that without forking it, so the gate sits between
//! the transport and rmcp and, until the handshake starts:
//! - passes `initialize`, `ping` and requests with complete inline metadata
//!   to rmcp untouched (rmcp's own handshake rules decide those);
//! - answers any other request itself with -32600 (invalid request, the id
//!   kept) saying to send `initialize` first; -32002 would read as MCP's
//!   "resource not found";
//! - drops notifications, responses and errors with a warning on stderr: a
//!   JSON-RPC peer must not answer those, and the server sent no request.
//!
//! After `initialize` (or a request that selects the handshake-less
//! lifecycle) has passed, every message goes through untouched. Not here:
//! framing and parse errors (rmcp's codec skips a line that is not JSON and
//! answers a non-message with -32600), or anything the HTTP transport does.

use rmcp::RoleServer;
use rmcp::model::{
    ClientJsonRpcMessage, ClientRequest, ErrorData, GetMeta as _, ProtocolVersion, RequestId,
    ServerJsonRpcMessage,
};
use rmcp::service::{RxJsonRpcMessage, TxJsonRpcMessage};
use rmcp::transport::Transport;

/// The stdio transport with the pre-handshake rules above.
#[derive(Debug)]
pub struct HandshakeGate<T> {
    inner: T,
    open: bool,
}

impl<T> HandshakeGate<T> {
    pub fn new(inner: T) -> Self {
        Self { inner, open: false }
    }
}

/// What the gate does with one message before the handshake.
enum Verdict {
    /// Hand it to rmcp; `opens` when it starts the session.
    Pass { opens: bool },
    /// Answer it with this error, the request's id kept.
    Refuse(ErrorData, RequestId),
    /// Neither pass nor answer (a notification, response or error).
    Drop(&'static str),
}

fn judge(message: &ClientJsonRpcMessage) -> Verdict {
    match message {
        ClientJsonRpcMessage::Request(request) => match &request.request {
            ClientRequest::InitializeRequest(_) => Verdict::Pass { opens: true },
            ClientRequest::PingRequest(_) => Verdict::Pass { opens: false },
            other => {
                let meta = other.get_meta();
                let inline = meta.protocol_version().is_some()
                    && meta
                        .missing_required_keys(&ProtocolVersion::NO_INITIALIZE)
                        .is_empty();
                if inline {
                    // A discover probe answers without choosing a lifecycle.
                    let opens = !matches!(other, ClientRequest::DiscoverRequest(_));
                    Verdict::Pass { opens }
                } else {
                    let error = ErrorData::invalid_request(
                        format!(
                            "the MCP session is not initialized: send `initialize` first \
                             (got `{}` before it)",
                            other.method()
                        ),
                        None,
                    );
                    Verdict::Refuse(error, request.id.clone())
                }
            }
        },
        ClientJsonRpcMessage::Notification(_) => Verdict::Drop("a notification"),
        ClientJsonRpcMessage::Response(_) => Verdict::Drop("a response"),
        ClientJsonRpcMessage::Error(_) => Verdict::Drop("an error"),
    }
}

impl<T> Transport<RoleServer> for HandshakeGate<T>
where
    T: Transport<RoleServer>,
{
    type Error = T::Error;

    fn send(
        &mut self,
        item: TxJsonRpcMessage<RoleServer>,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send + 'static {
        self.inner.send(item)
    }

    async fn receive(&mut self) -> Option<RxJsonRpcMessage<RoleServer>> {
        loop {
            let message = self.inner.receive().await?;
            if self.open {
                return Some(message);
            }
            match judge(&message) {
                Verdict::Pass { opens } => {
                    self.open = opens;
                    return Some(message);
                }
                Verdict::Refuse(error, id) => {
                    tracing::warn!("MCP request before `initialize` refused");
                    let answer = ServerJsonRpcMessage::error(error, Some(id));
                    if let Err(error) = self.inner.send(answer).await {
                        tracing::warn!(%error, "could not answer a request sent before `initialize`");
                        return None;
                    }
                }
                Verdict::Drop(what) => {
                    tracing::warn!("MCP client sent {what} before `initialize`; ignored");
                }
            }
        }
    }

    fn close(&mut self) -> impl Future<Output = Result<(), Self::Error>> + Send {
        self.inner.close()
    }
}
