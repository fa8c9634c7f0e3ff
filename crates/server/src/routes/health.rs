//! `/api/health` and the Prometheus `/metrics`.

use std::sync::Arc;

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

use crate::{ApiError, AppState};

#[derive(Serialize, utoipa::ToSchema)]
pub struct Health {
    /// Always `ok`.
    status: &'static str,
    /// Documents in the index.
    documents: usize,
    /// True when the index holds plansok's fictitious sample corpus, not real plans.
    sample: bool,
}

#[utoipa::path(get, path = "/api/health", summary = "Whether the server is up, and how many documents it serves",
    responses((status = 200, description = "Up", body = Health),
              (status = 500, description = "The index cannot be read", body = crate::error::ErrorBody)))]
pub(crate) async fn health(State(st): State<Arc<AppState>>) -> Result<Json<Health>, ApiError> {
    let documents = st.store.num_documents()?;
    Ok(Json(Health {
        status: "ok",
        documents,
        sample: st.sample,
    }))
}

pub(crate) async fn metrics_handler(State(st): State<Arc<AppState>>) -> Result<Response, ApiError> {
    let docs = st.store.num_documents()? as f64;
    let body = st
        .metrics
        .render(&[("plansok_index_documents", "Documents in the index.", docs)]);
    Ok(([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], body).into_response())
}
