//! The middleware in front of every route but `/health`: the `Host` check
//! (a loopback server answers only to loopback names: a DNS-rebinding page
//! whose name resolves to 127.0.0.1 is refused), the bearer token (when
//! configured) and the browser-origin check.
//!
//! Why an origin check besides CORS: CORS only stops a page from *reading*
//! answers; a page could still *send* a `tools/call` to a server on
//! localhost. Browsers put `Origin` on such requests and other clients do
//! not, so a request with an `Origin` that is not configured is refused,
//! unless it is the server's own origin (`http://` + the `Host` it was
//! sent to): the dashboard's own page, whose `Host` passed the check above.
//! Not here: the body limit and CORS headers (tower-http layers in `lib.rs`).

use crate::routes::error_response;
use crate::{AppState, HttpConfig};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use std::sync::Arc;

#[derive(Debug, Clone)]
pub(crate) struct Guard {
    token: Option<Arc<str>>,
    origins: Arc<[String]>,
    /// Accepted host names (without port); empty accepts any.
    hosts: Arc<[String]>,
}

impl Guard {
    pub(crate) fn new(config: &HttpConfig) -> Self {
        Self {
            token: config.token.as_deref().map(Arc::from),
            origins: config
                .cors_origins
                .iter()
                .map(|o| o.trim_end_matches('/').to_ascii_lowercase())
                .collect(),
            hosts: config
                .allowed_hosts
                .iter()
                .map(|h| h.trim_matches(['[', ']']).to_ascii_lowercase())
                .collect(),
        }
    }

    /// Whether the `Host` header (name and optional port) names an accepted
    /// host; a request without one is HTTP/1.0 or HTTP/2 with `:authority`
    /// already checked by the client library, and is let through.
    fn host_allowed(&self, host: Option<&HeaderValue>) -> bool {
        if self.hosts.is_empty() {
            return true;
        }
        let Some(host) = host else {
            return true;
        };
        let Ok(host) = host.to_str() else {
            return false;
        };
        let host = host.trim().to_ascii_lowercase();
        let name = if let Some(rest) = host.strip_prefix('[') {
            // [::1]:5050
            rest.split(']').next().unwrap_or_default().to_owned()
        } else if host.matches(':').count() > 1 {
            host // a bare IPv6 address
        } else {
            host.split(':').next().unwrap_or_default().to_owned()
        };
        self.hosts.contains(&name)
    }

    fn origin_allowed(&self, origin: &HeaderValue) -> bool {
        let Ok(origin) = origin.to_str() else {
            return false;
        };
        let origin = origin.trim_end_matches('/').to_ascii_lowercase();
        self.origins.contains(&origin)
    }

    /// Whether `origin` is this server's own (the dashboard calling its API):
    /// `http(s)://` followed by exactly the request's `Host`.
    fn same_origin(origin: &HeaderValue, host: Option<&HeaderValue>) -> bool {
        let (Ok(origin), Some(Ok(host))) = (origin.to_str(), host.map(HeaderValue::to_str)) else {
            return false;
        };
        let origin = origin.trim_end_matches('/').to_ascii_lowercase();
        let host = host.trim().to_ascii_lowercase();
        !host.is_empty()
            && (origin.strip_prefix("http://") == Some(host.as_str())
                || origin.strip_prefix("https://") == Some(host.as_str()))
    }

    fn token_accepted(&self, authorization: Option<&HeaderValue>) -> bool {
        let Some(token) = &self.token else {
            return true;
        };
        let given = authorization
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, value)| value.trim());
        given.is_some_and(|g| constant_time_eq(g.as_bytes(), token.as_bytes()))
    }
}

/// Compares without an early exit, so the time taken does not tell how much
/// of a guessed token was right.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

pub(crate) async fn check(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let headers = request.headers();
    if !state.guard.host_allowed(headers.get(header::HOST)) {
        let shown = headers
            .get(header::HOST)
            .map(|h| String::from_utf8_lossy(h.as_bytes()).into_owned())
            .unwrap_or_default();
        tracing::warn!(host = %shown, "refused a request for another host name");
        return error_response(
            StatusCode::FORBIDDEN,
            &format!(
                "host {shown} is not served here: a loopback server answers only to localhost, \
                 127.0.0.1 and [::1] (a page on another name is refused)"
            ),
        );
    }
    if let Some(origin) = headers.get(header::ORIGIN)
        && !state.guard.origin_allowed(origin)
        && !Guard::same_origin(origin, headers.get(header::HOST))
    {
        let shown = String::from_utf8_lossy(origin.as_bytes()).into_owned();
        tracing::warn!(origin = %shown, "refused a request from a web page");
        return error_response(
            StatusCode::FORBIDDEN,
            &format!(
                "requests from web pages are refused: origin {shown} is not allowed \
                 (start the server with --cors-origin {shown} to allow it)"
            ),
        );
    }
    if !state
        .guard
        .token_accepted(headers.get(header::AUTHORIZATION))
    {
        let mut response = error_response(
            StatusCode::UNAUTHORIZED,
            "missing or wrong bearer token: send `Authorization: Bearer TOKEN` \
             with the server's token (--token / LTMC_TOKEN)",
        );
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"ltmc\""),
        );
        return response;
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guard(token: Option<&str>, origins: &[&str]) -> Guard {
        Guard::new(&HttpConfig {
            token: token.map(str::to_owned),
            cors_origins: origins.iter().map(|o| (*o).to_owned()).collect(),
            ..HttpConfig::local()
        })
    }

    #[test]
    fn token_check() {
        let check = |authorization: Option<&str>, expected: bool| {
            let value = authorization.map(|a| HeaderValue::from_str(a).unwrap());
            assert_eq!(
                guard(Some("s3cret"), &[]).token_accepted(value.as_ref()),
                expected,
                "{authorization:?}"
            );
        };
        check(Some("Bearer s3cret"), true);
        check(Some("bearer s3cret"), true);
        check(Some("Bearer s3cre"), false);
        check(Some("Bearer s3cret2"), false);
        check(Some("Basic s3cret"), false);
        check(Some("s3cret"), false);
        check(None, false);
        assert!(guard(None, &[]).token_accepted(None));
    }

    #[test]
    fn host_check() {
        let g = guard(None, &[]);
        let allowed = |h: &str| g.host_allowed(Some(&HeaderValue::from_str(h).unwrap()));
        for ok in [
            "localhost",
            "localhost:5050",
            "127.0.0.1:5050",
            "[::1]:5050",
            "::1",
            "LOCALHOST",
        ] {
            assert!(allowed(ok), "{ok}");
        }
        for bad in [
            "evil.example",
            "evil.example:5050",
            "127.0.0.1.evil.example",
            "localhost.evil:1",
        ] {
            assert!(!allowed(bad), "{bad}");
        }
        assert!(g.host_allowed(None));
        let open = Guard::new(&HttpConfig {
            allowed_hosts: Vec::new(),
            ..HttpConfig::local()
        });
        assert!(open.host_allowed(Some(&HeaderValue::from_static("evil.example"))));
    }

    #[test]
    fn origin_check() {
        let g = guard(None, &["http://localhost:3000/"]);
        let allowed = |o: &str| g.origin_allowed(&HeaderValue::from_str(o).unwrap());
        assert!(allowed("http://localhost:3000"));
        assert!(allowed("HTTP://LOCALHOST:3000"));
        assert!(!allowed("http://localhost:3001"));
        assert!(!allowed("https://evil.example"));
        assert!(!guard(None, &[]).origin_allowed(&HeaderValue::from_static("null")));
    }

    #[test]
    fn the_servers_own_origin_is_same_origin() {
        let same = |o: &str, h: Option<&str>| {
            Guard::same_origin(
                &HeaderValue::from_str(o).unwrap(),
                h.map(|h| HeaderValue::from_str(h).unwrap()).as_ref(),
            )
        };
        assert!(same("http://127.0.0.1:5050", Some("127.0.0.1:5050")));
        assert!(same("http://localhost:5050/", Some("LOCALHOST:5050")));
        assert!(!same("http://127.0.0.1:5051", Some("127.0.0.1:5050")));
        assert!(!same("https://evil.example", Some("127.0.0.1:5050")));
        assert!(!same(
            "http://evil.example",
            Some("evil.example.127.0.0.1:5050")
        ));
        assert!(!same("null", Some("127.0.0.1:5050")));
        assert!(!same("http://127.0.0.1:5050", None));
    }
}
