//! [`HttpConfig`]: who may call the HTTP server, and the rule that makes a
//! public address safe (a non-loopback bind needs a bearer token).
//!
//! Validation happens here, once, before anything listens; the router takes
//! a valid config. Not here: parsing flags or environment variables (the
//! `ltmc` binary does that).

use axum::http::HeaderValue;
use ltmc_mcp::McpHttpOptions;
use std::net::SocketAddr;

/// Where `ltmc serve --http` listens by default.
pub const DEFAULT_ADDRESS: &str = "127.0.0.1:5050";

/// Largest request body accepted by default (a stored document or a batch
/// of JSON-RPC calls); larger ones get 413.
pub const DEFAULT_MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

/// Why the server cannot start as configured.
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    #[error(
        "{address} is not a loopback address, and serving it without a token would let anyone on the network read and write this memory"
    )]
    TokenRequired { address: SocketAddr },
    #[error("the bearer token is empty")]
    EmptyToken,
    #[error("CORS origin {origin:?} is not valid: {reason}")]
    BadOrigin {
        origin: String,
        reason: &'static str,
    },
    #[error("cannot listen on {address}: {source}")]
    Bind {
        address: SocketAddr,
        source: std::io::Error,
    },
    #[error("the HTTP server failed: {0}")]
    Serve(std::io::Error),
}

/// How the HTTP server guards itself. Build it with [`HttpConfig::for_address`]
/// (which enforces the rules) or start from [`HttpConfig::local`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpConfig {
    /// The bearer token every route but `/health` requires, when set.
    pub token: Option<String>,
    /// Browser origins (`https://host:port`) allowed to call, with CORS
    /// headers for them. Empty: no CORS, and any request with an `Origin`
    /// header is refused (a web page cannot drive a local server).
    pub cors_origins: Vec<String>,
    /// Accepted `Host` headers at `/mcp` (DNS-rebinding defence); empty
    /// accepts any host, which is what a token-protected public bind needs.
    pub allowed_hosts: Vec<String>,
    pub max_body_bytes: usize,
}

impl HttpConfig {
    /// Loopback only, no token, no CORS, the default body limit.
    pub fn local() -> Self {
        Self {
            token: None,
            cors_origins: Vec::new(),
            allowed_hosts: McpHttpOptions::default().allowed_hosts,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
        }
    }

    /// The config for listening on `address`: a non-loopback address needs
    /// a token; origins must be `http(s)://host[:port]`.
    pub fn for_address(
        address: SocketAddr,
        token: Option<String>,
        cors_origins: Vec<String>,
    ) -> Result<Self, HttpError> {
        if token.as_deref().is_some_and(|t| t.trim().is_empty()) {
            return Err(HttpError::EmptyToken);
        }
        let loopback = address.ip().is_loopback();
        if !loopback && token.is_none() {
            return Err(HttpError::TokenRequired { address });
        }
        for origin in &cors_origins {
            check_origin(origin)?;
        }
        let mut config = Self {
            token,
            cors_origins,
            ..Self::local()
        };
        if !loopback {
            // Clients reach a public server under names we cannot know; the
            // token, not the Host header, is what keeps strangers out.
            config.allowed_hosts.clear();
        }
        Ok(config)
    }

    pub(crate) fn cors_origin_values(&self) -> Vec<HeaderValue> {
        self.cors_origins
            .iter()
            .filter_map(|o| HeaderValue::from_str(o).ok())
            .collect()
    }

    pub(crate) fn mcp_options(&self) -> McpHttpOptions {
        McpHttpOptions {
            allowed_hosts: self.allowed_hosts.clone(),
            allowed_origins: self.cors_origins.clone(),
            max_body_bytes: self.max_body_bytes,
        }
    }
}

fn check_origin(origin: &str) -> Result<(), HttpError> {
    let bad = |reason| {
        Err(HttpError::BadOrigin {
            origin: origin.to_owned(),
            reason,
        })
    };
    let Some(rest) = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"))
    else {
        return bad("it must start with http:// or https://");
    };
    if rest.is_empty() || rest.contains('/') {
        return bad("it must be scheme://host[:port], without a path");
    }
    if HeaderValue::from_str(origin).is_err() {
        return bad("it contains characters a header cannot carry");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(address: &str, token: Option<&str>, origins: &[&str], expected: Result<(), &str>) {
        let got = HttpConfig::for_address(
            address.parse().unwrap(),
            token.map(str::to_owned),
            origins.iter().map(|o| (*o).to_owned()).collect(),
        );
        match (got, expected) {
            (Ok(_), Ok(())) => {}
            (Err(e), Err(needle)) => assert!(e.to_string().contains(needle), "{e}"),
            (got, expected) => {
                panic!("{address} {token:?} {origins:?}: {got:?}, expected {expected:?}")
            }
        }
    }

    #[test]
    fn public_addresses_need_a_token_and_origins_are_checked() {
        check("127.0.0.1:5050", None, &[], Ok(()));
        check("[::1]:5050", None, &[], Ok(()));
        check("0.0.0.0:5050", None, &[], Err("not a loopback address"));
        check("192.168.1.4:5050", None, &[], Err("not a loopback address"));
        check("0.0.0.0:5050", Some("s3cret"), &[], Ok(()));
        check("127.0.0.1:5050", Some(" "), &[], Err("token is empty"));
        check("127.0.0.1:1", None, &["http://localhost:3000"], Ok(()));
        check("127.0.0.1:1", None, &["https://app.example"], Ok(()));
        check("127.0.0.1:1", None, &["localhost:3000"], Err("http://"));
        check(
            "127.0.0.1:1",
            None,
            &["http://a.example/x"],
            Err("without a path"),
        );
    }

    #[test]
    fn a_public_bind_accepts_any_host_a_local_one_only_loopback_names() {
        let public =
            HttpConfig::for_address("0.0.0.0:1".parse().unwrap(), Some("t".into()), vec![])
                .unwrap();
        assert!(public.allowed_hosts.is_empty());
        let local = HttpConfig::for_address("127.0.0.1:1".parse().unwrap(), None, vec![]).unwrap();
        assert!(local.allowed_hosts.contains(&"localhost".to_owned()));
    }
}
