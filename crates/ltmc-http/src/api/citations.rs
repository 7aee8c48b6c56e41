//! `GET /api/citations`: how the project's citations to code stand (issue
//! 22), for the Overview page's "stale memories" card: memories and fix
//! patterns citing code, each citation checked against the files under the
//! project root now, and the items whose cited code changed or is gone.
//!
//! Not here: the survey itself (`ltmc_service::citations::survey`) nor
//! ranking stale items down (the retrieval tools do that when they answer).

use super::{ok, store_error};
use crate::AppState;
use crate::routes::error_response;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use ltmc_service::ServiceError;
use ltmc_service::citations::survey;

pub(crate) async fn citations(State(state): State<AppState>) -> Response {
    let store = state.tools.memory().store();
    match survey(
        store.as_ref(),
        state.tools.project(),
        state.tools.project_root(),
    )
    .await
    {
        Ok(s) => ok(&s),
        Err(ServiceError::Store(e)) => store_error(&e),
        Err(e) => {
            tracing::error!(error = %e, "the citation survey failed");
            error_response(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string())
        }
    }
}
