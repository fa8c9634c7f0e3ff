//! `/api/documents/{id}`, its similar documents and a passage's similar measures.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::{blocking, SEARCH_LIMIT};
use crate::error::ErrorBody;
use crate::{ApiError, AppState};

/// A document id is the hex of a hash: anything else (paths, traversal) is refused.
fn check_id(id: &str) -> Result<(), ApiError> {
    if id.is_empty() || id.len() > 64 || !id.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(ApiError::new("invalid_id", "a document id is hexadecimal"));
    }
    Ok(())
}

#[utoipa::path(get, path = "/api/documents/{id}", params(("id" = String, Path, description = "Document id (hex)")),
    responses((status = 200, body = plansok_index::DocumentView), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn document_handler(
    State(st): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    check_id(&id)?;
    let found = blocking(st, SEARCH_LIMIT, move |st| st.store.document(&id)).await?;
    match found {
        Some(doc) => Ok(Json(doc).into_response()),
        None => Err(ApiError::no_document()),
    }
}

#[utoipa::path(get, path = "/api/documents/{id}/similar", params(("id" = String, Path, description = "Document id (hex)")),
    responses((status = 200, description = "`{\"similar\": [SimilarDocument]}`", body = Vec<plansok_index::SimilarDocument>), (status = 404, body = ErrorBody)))]
pub(crate) async fn similar_handler(
    State(st): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    check_id(&id)?;
    let found = blocking(st, SEARCH_LIMIT, move |st| {
        plansok_index::similar(&st.store, &id, 10)
    })
    .await?;
    match found {
        Some(docs) => Ok(Json(serde_json::json!({ "similar": docs })).into_response()),
        None => Err(ApiError::no_document()),
    }
}

#[utoipa::path(get, path = "/api/documents/{id}/passages/{n}/similar",
    params(("id" = String, Path, description = "Document id (hex)"), ("n" = u64, Path, description = "Passage number in the document (a measure's passage_no)")),
    responses((status = 200, description = "`{\"similar\": [SimilarPassage]}`: comparable measures of other documents, other counties first", body = Vec<plansok_index::SimilarPassage>),
              (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn similar_passages_handler(
    State(st): State<Arc<AppState>>,
    Path((id, n)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    check_id(&id)?;
    let n: u64 = n
        .parse()
        .map_err(|_| ApiError::new("invalid_passage", "a passage number is a whole number"))?;
    let found = blocking(st, SEARCH_LIMIT, move |st| {
        plansok_index::similar_passages(&st.store, &id, n, 10)
    })
    .await?;
    match found {
        Some(p) => Ok(Json(serde_json::json!({ "similar": p })).into_response()),
        None => Err(ApiError::no_document()),
    }
}
