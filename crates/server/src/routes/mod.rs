//! The handlers, by route: [`search`] (`/api/search`, `/api/facets`, `/api/measures`), with
//! [`export`] (CSV and JSON Lines), [`documents`] (`/api/documents/{id}` and the similar documents and measures),
//! [`feed`] (`/api/feed.atom`), [`suggest`] (`/api/suggest`), [`health`] (`/api/health`, `/metrics`). Index work runs on the
//! index workers through [`blocking`].

pub(crate) mod coverage;
pub(crate) mod documents;
pub(crate) mod export;
pub(crate) mod feed;
pub(crate) mod health;
pub(crate) mod search;
pub(crate) mod suggest;

use std::sync::Arc;
use std::time::Duration;

use plansok_index::IndexError;

use crate::{ApiError, AppState};

/// Runs index work on the index workers in arrival order ([`crate::pool`]), bounded in time from
/// arrival. Work started runs to its end even when the request stopped waiting for it; work not
/// yet started by then is skipped.
pub(crate) async fn blocking<T: Send + 'static>(
    st: Arc<AppState>,
    limit: Duration,
    work: impl FnOnce(&AppState) -> Result<T, IndexError> + Send + 'static,
) -> Result<T, ApiError> {
    let unavailable = ApiError::new;
    let shared = st.clone();
    let answer = st
        .workers
        .submit(move || work(&shared))
        .map_err(|_| unavailable("busy", "too many searches are waiting; try again"))?;
    match tokio::time::timeout(limit, answer).await {
        Ok(Ok(result)) => Ok(result?),
        Ok(Err(_)) => Err(ApiError::internal("the search failed")),
        Err(_) => Err(unavailable("timeout", "the search took too long")),
    }
}

/// Longest a search may take; an export may take longer.
pub(crate) const SEARCH_LIMIT: Duration = Duration::from_secs(10);
pub(crate) const EXPORT_LIMIT: Duration = Duration::from_secs(60);
