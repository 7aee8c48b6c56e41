//! The dashboard's files: `GET /` (the page) and `GET /assets/{file}` (its
//! script and style sheet), embedded in the binary with `include_str!` so
//! that `cargo build` alone makes a server with its dashboard (no CDN, no
//! npm). They hold no data and need no token: the page asks for the token
//! when the API answers 401, and calls `/api` with it.
//!
//! Every answer carries a strict Content-Security-Policy (scripts, styles,
//! images and requests only from this server; no framing). Not here: the
//! API the page calls (`api/`), the guard in front of it (`guard.rs`).

use crate::AppState;
use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse as _, Response};
use axum::routing::get;

const INDEX: &str = include_str!("../assets/index.html");
const APP_JS: &str = include_str!("../assets/app.js");
const APP_CSS: &str = include_str!("../assets/app.css");

const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(index))
        .route("/assets/{file}", get(asset))
}

async fn index() -> Response {
    file(INDEX, "text/html; charset=utf-8")
}

async fn asset(Path(name): Path<String>) -> Response {
    match name.as_str() {
        "app.js" => file(APP_JS, "text/javascript; charset=utf-8"),
        "app.css" => file(APP_CSS, "text/css; charset=utf-8"),
        _ => crate::routes::error_response(
            StatusCode::NOT_FOUND,
            &format!("no dashboard file {name:?}"),
        ),
    }
}

fn file(body: &'static str, content_type: &'static str) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}
