//! `/api/suggest`: words of the index that start with what the user typed.

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::{blocking, SEARCH_LIMIT};
use crate::error::ErrorBody;
use crate::{ApiError, AppState};

/// Most suggestions one call may ask for.
const MAX_SUGGESTIONS: usize = 50;

#[utoipa::path(get, path = "/api/suggest", params(crate::params::SuggestParams),
    responses((status = 200, description = "`{\"query\": q, \"suggestions\": [Suggestion]}`: words of the index starting with q, most documents first", body = Vec<plansok_index::Suggestion>),
              (status = 400, body = ErrorBody)))]
pub(crate) async fn suggest_handler(
    State(st): State<Arc<AppState>>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let mut q = String::new();
    let mut limit = 10;
    for (k, v) in url::form_urlencoded::parse(raw.as_deref().unwrap_or("").as_bytes()) {
        match k.as_ref() {
            "q" => q = v.chars().take(100).collect(),
            "limit" => {
                limit = v
                    .parse::<usize>()
                    .map_err(|_| ApiError::new("invalid_limit", "limit is a whole number"))?
            }
            _ => {}
        }
    }
    let limit = limit.clamp(1, MAX_SUGGESTIONS);
    let prefix = q.clone();
    let suggestions = blocking(st, SEARCH_LIMIT, move |st| {
        plansok_index::suggest(&st.store, &prefix, limit)
    })
    .await?;
    Ok(Json(serde_json::json!({ "query": q, "suggestions": suggestions })).into_response())
}
