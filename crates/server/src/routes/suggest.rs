//! `/api/suggest`: words of the index that start with what the user typed.

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

use plansok_index::Suggestion;

use super::{blocking, SEARCH_LIMIT};
use crate::error::ErrorBody;
use crate::params::{number_in, Route};
use crate::{ApiError, AppState, Params};

/// Most suggestions one call may ask for, and how many when it does not say.
const MAX_SUGGESTIONS: usize = 50;
const DEFAULT_SUGGESTIONS: usize = 10;
/// Characters of the typed text that are looked at.
const MAX_PREFIX_CHARS: usize = 100;

/// The answer of `/api/suggest`.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct Suggestions {
    /// What the user typed (its first 100 characters).
    query: String,
    /// Words of the index starting with it, most documents first.
    suggestions: Vec<Suggestion>,
}

#[utoipa::path(get, path = "/api/suggest", summary = "Complete a word from the index",
    params(crate::params::SuggestParams),
    responses((status = 200, description = "Words of the index starting with q, most documents first", body = Suggestions),
              (status = 400, description = "A bad parameter", body = ErrorBody),
              (status = 503, description = "Too many searches waiting", body = ErrorBody)))]
pub(crate) async fn suggest_handler(
    State(st): State<Arc<AppState>>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let params = Params::parse(raw.as_deref().unwrap_or(""), Route::Suggest)?;
    let limit =
        number_in("limit", &params.limit, 1..=MAX_SUGGESTIONS, "")?.unwrap_or(DEFAULT_SUGGESTIONS);
    let query: String = params.q.chars().take(MAX_PREFIX_CHARS).collect();
    let prefix = query.clone();
    let suggestions = blocking(st, SEARCH_LIMIT, move |st| {
        plansok_index::suggest(&st.store, &prefix, limit)
    })
    .await?;
    Ok(Json(Suggestions { query, suggestions }).into_response())
}
