//! `/api/documents/{id}`, its similar documents and a passage's similar measures.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

use plansok_index::{SimilarDocument, SimilarPassage};

use super::{blocking, SEARCH_LIMIT};
use crate::error::ErrorBody;
use crate::{ApiError, AppState};

/// How many similar documents or measures are given.
const SIMILAR: usize = 10;

/// The answer of `/api/documents/{id}/similar`.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct SimilarDocuments {
    /// Documents like this one, other counties first.
    similar: Vec<SimilarDocument>,
}

/// The answer of `/api/documents/{id}/passages/{n}/similar`.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct SimilarPassages {
    /// Comparable measures of other documents, other counties first.
    similar: Vec<SimilarPassage>,
}

/// A document id is the hex of a hash: anything else (paths, traversal) is refused.
fn check_id(id: &str) -> Result<(), ApiError> {
    if id.is_empty() || id.len() > 64 || !id.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(ApiError::new(
            "invalid_id",
            "a document id is 1 to 64 hexadecimal digits, as in a hit's id",
        ));
    }
    Ok(())
}

#[utoipa::path(get, path = "/api/documents/{id}", summary = "One document with its text and passages",
    params(("id" = String, Path, description = "Document id (hex), as in a hit's `id`", pattern = "^[0-9a-fA-F]{1,64}$")),
    responses((status = 200, description = "The document", body = plansok_index::DocumentView),
              (status = 400, description = "Not a document id", body = ErrorBody),
              (status = 404, description = "No such document", body = ErrorBody)))]
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

#[utoipa::path(get, path = "/api/documents/{id}/similar", summary = "Documents like this one",
    params(("id" = String, Path, description = "Document id (hex), as in a hit's `id`", pattern = "^[0-9a-fA-F]{1,64}$")),
    responses((status = 200, description = "Up to 10 documents like this one, other counties first", body = SimilarDocuments),
              (status = 400, description = "Not a document id", body = ErrorBody),
              (status = 404, description = "No such document", body = ErrorBody)))]
pub(crate) async fn similar_handler(
    State(st): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    check_id(&id)?;
    let found = blocking(st, SEARCH_LIMIT, move |st| {
        plansok_index::similar(&st.store, &id, SIMILAR)
    })
    .await?;
    match found {
        Some(similar) => Ok(Json(SimilarDocuments { similar }).into_response()),
        None => Err(ApiError::no_document()),
    }
}

#[utoipa::path(get, path = "/api/documents/{id}/passages/{n}/similar", summary = "Measures like this one, in other documents",
    params(("id" = String, Path, description = "Document id (hex), as in a hit's `id`", pattern = "^[0-9a-fA-F]{1,64}$"),
           ("n" = u64, Path, description = "Passage number in the document (a measure's `passage_no`, a passage's `no`)", minimum = 0)),
    responses((status = 200, description = "Up to 10 comparable measures of other documents, other counties first", body = SimilarPassages),
              (status = 400, description = "Not a document id or passage number", body = ErrorBody),
              (status = 404, description = "No such document, or no such passage in it", body = ErrorBody)))]
pub(crate) async fn similar_passages_handler(
    State(st): State<Arc<AppState>>,
    Path((id, n)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    check_id(&id)?;
    let n: u64 = n.parse().map_err(|_| {
        ApiError::new(
            "invalid_passage",
            format!("a passage number is a whole number from 0, not {n:?}"),
        )
    })?;
    let found = blocking(
        st,
        SEARCH_LIMIT,
        move |st| match plansok_index::similar_passages(&st.store, &id, n, SIMILAR)? {
            Some(p) => Ok(Ok(p)),
            None => Ok(Err(st.store.contains(&id)?)),
        },
    )
    .await?;
    match found {
        Ok(similar) => Ok(Json(SimilarPassages { similar }).into_response()),
        Err(true) => Err(ApiError::new(
            "not_found",
            format!(
                "the document has no passage {n}; its passages are listed by /api/documents/{{id}}"
            ),
        )),
        Err(false) => Err(ApiError::no_document()),
    }
}
