//! `/api/search` (JSON or CSV), `/api/facets` and `/api/measures`.

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;

use plansok_index::{search, SearchRequest, SearchResponse};

use super::{blocking, EXPORT_LIMIT, SEARCH_LIMIT};
use crate::error::ErrorBody;
use crate::{ApiError, AppState, Params};

/// Runs a search on the blocking pool, bounded in time; a repeated request on the same index
/// generation is answered from the cache.
async fn run_search(
    st: Arc<AppState>,
    req: SearchRequest,
) -> Result<Arc<SearchResponse>, ApiError> {
    let started = std::time::Instant::now();
    let generation = st.store.reader().searcher().generation().generation_id();
    if let Some(hit) = st.cache.get(&req, generation) {
        let mut resp = (*hit).clone();
        resp.took_ms = (started.elapsed().as_secs_f64() * 1000.0 * 100.0).round() / 100.0;
        return Ok(Arc::new(resp));
    }
    let key = req.clone();
    let resp = blocking(st.clone(), SEARCH_LIMIT, move |st| {
        search(&st.store, &st.taxonomy, &req)
    })
    .await?;
    let resp = Arc::new(resp);
    st.cache.put(&key, generation, resp.clone());
    Ok(resp)
}

/// Most rows a CSV export carries.
const CSV_MAX_ROWS: usize = 50_000;

#[utoipa::path(get, path = "/api/search", params(crate::params::SearchParams),
    responses((status = 200, description = "Hits and facets (or text/csv with format=csv)", body = plansok_index::SearchResponse),
              (status = 400, description = "A bad parameter", body = ErrorBody)))]
pub(crate) async fn search_handler(
    State(st): State<Arc<AppState>>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let params = Params::parse(raw.as_deref().unwrap_or(""))?;
    let req = params.to_request()?;
    if params.format.as_deref() == Some("csv") {
        let resp = all_hits(st, req).await?;
        return csv_response(&resp);
    }
    let resp = run_search(st, req).await?;
    Ok(Json(&*resp).into_response())
}

/// Every hit of a search (page after page, up to CSV_MAX_ROWS), for export.
async fn all_hits(st: Arc<AppState>, mut req: SearchRequest) -> Result<SearchResponse, ApiError> {
    blocking(st, EXPORT_LIMIT, move |st| {
        req.limit = Some(st.store.config().search.max_limit);
        req.offset = 0;
        let mut first = search(&st.store, &st.taxonomy, &req)?;
        let mut hits = std::mem::take(&mut first.hits);
        while !hits.is_empty() && hits.len() < first.total.min(CSV_MAX_ROWS) {
            req.offset = hits.len();
            let page = search(&st.store, &st.taxonomy, &req)?;
            if page.hits.is_empty() {
                break;
            }
            hits.extend(page.hits);
        }
        hits.truncate(CSV_MAX_ROWS);
        first.hits = hits;
        Ok(first)
    })
    .await
}

/// Measures per county (at most this many each).
const MEASURES_PER_COUNTY: usize = 3;

#[utoipa::path(get, path = "/api/measures", params(crate::params::SearchParams),
    responses((status = 200, description = "Matching passages grouped by county", body = plansok_index::MeasuresResponse),
              (status = 400, body = ErrorBody)))]
pub(crate) async fn measures_handler(
    State(st): State<Arc<AppState>>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let params = Params::parse(raw.as_deref().unwrap_or(""))?;
    let req = params.to_request()?;
    let per_county = req.limit.unwrap_or(MEASURES_PER_COUNTY).min(20);
    let result = blocking(st, SEARCH_LIMIT, move |st| {
        plansok_index::measures(&st.store, &st.taxonomy, &req, per_county)
    })
    .await?;
    Ok(Json(result).into_response())
}

#[utoipa::path(get, path = "/api/facets", params(crate::params::SearchParams),
    responses((status = 200, description = "Counts per facet value", body = plansok_index::Facets), (status = 400, body = ErrorBody)))]
pub(crate) async fn facets_handler(
    State(st): State<Arc<AppState>>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let mut req = Params::parse(raw.as_deref().unwrap_or(""))?.to_request()?;
    req.limit = Some(1);
    let resp = run_search(st, req).await?;
    Ok(Json(&resp.facets).into_response())
}

/// Hits as CSV with the columns a researcher needs; snippets as plain text.
fn csv_response(resp: &SearchResponse) -> Result<Response, ApiError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let header_row = [
        "title",
        "url",
        "region",
        "municipality",
        "organisation",
        "type",
        "period_start",
        "period_end",
        "goals",
        "page",
        "snippet",
    ];
    w.write_record(header_row)
        .map_err(|e| ApiError::internal(e.to_string()))?;
    for h in &resp.hits {
        let opt = |s: &Option<String>| s.clone().unwrap_or_default();
        let period = h.period.as_ref();
        let row = [
            h.title.clone(),
            opt(&h.url),
            opt(&h.region),
            opt(&h.municipality),
            opt(&h.organisation),
            h.doc_type.clone(),
            period.map(|p| p.start.to_string()).unwrap_or_default(),
            period.map(|p| p.end.to_string()).unwrap_or_default(),
            h.goals.join(";"),
            h.page.map(|p| p.to_string()).unwrap_or_default(),
            plain(&h.snippet),
        ];
        w.write_record(row)
            .map_err(|e| ApiError::internal(e.to_string()))?;
    }
    let body = w
        .into_inner()
        .map_err(|e| ApiError::internal(e.to_string()))?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"plansok.csv\"",
            ),
        ],
        body,
    )
        .into_response())
}

fn plain(html: &str) -> String {
    html.replace("<mark>", "")
        .replace("</mark>", "")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&amp;", "&")
}
