//! `/api/search` (JSON, or every hit as CSV or JSON Lines through [`super::export`]),
//! `/api/facets` and `/api/measures`.

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::Json;

use plansok_index::{search, SearchRequest, SearchResponse};

use super::{blocking, export, EXPORT_LIMIT, SEARCH_LIMIT};
use crate::error::ErrorBody;
use crate::params::{Format, Route, MAX_MEASURES_PER_COUNTY};
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

/// Most rows an export (CSV or JSON Lines) carries.
const EXPORT_MAX_ROWS: usize = 50_000;

#[utoipa::path(get, path = "/api/search", summary = "Search documents, with facet counts",
    description = "The best documents for a query under the filters, with a snippet each and \
        the counts of every facet value under the other filters. `format=csv` and \
        `format=jsonl` export every hit (up to 50,000) instead.",
    params(crate::params::FilterParams, crate::params::PageParams),
    responses((status = 200, description = "Hits and facets; with format=csv a CSV file, with format=jsonl one hit per line",
                content((plansok_index::SearchResponse = "application/json"), (String = "text/csv"), (String = "application/x-ndjson"))),
              (status = 400, description = "A bad parameter; the message names the valid values", body = ErrorBody),
              (status = 503, description = "Too many searches waiting, or the search took too long", body = ErrorBody)))]
pub(crate) async fn search_handler(
    State(st): State<Arc<AppState>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let params = Params::parse(raw.as_deref().unwrap_or(""), Route::Search)?;
    let req = params.to_request(st.store.config().search.max_limit)?;
    match params.format {
        Format::Json => {
            let resp = run_search(st, req).await?;
            Ok(Json(&*resp).into_response())
        }
        Format::Csv => {
            let name = export_name(&req.query, "csv");
            let resp = all_hits(st, req).await?;
            let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
            export::csv(&resp, params.excel, host, &name)
        }
        Format::Jsonl => {
            let name = export_name(&req.query, "jsonl");
            let resp = all_hits(st, req).await?;
            export::jsonl(&resp, &name)
        }
    }
}

/// Every hit of a search (page after page, up to EXPORT_MAX_ROWS), for export.
async fn all_hits(st: Arc<AppState>, mut req: SearchRequest) -> Result<SearchResponse, ApiError> {
    blocking(st, EXPORT_LIMIT, move |st| {
        req.limit = Some(st.store.config().search.max_limit);
        req.offset = 0;
        let mut first = search(&st.store, &st.taxonomy, &req)?;
        let mut hits = std::mem::take(&mut first.hits);
        while !hits.is_empty() && hits.len() < first.total.min(EXPORT_MAX_ROWS) {
            req.offset = hits.len();
            let page = search(&st.store, &st.taxonomy, &req)?;
            if page.hits.is_empty() {
                break;
            }
            hits.extend(page.hits);
        }
        hits.truncate(EXPORT_MAX_ROWS);
        first.hits = hits;
        Ok(first)
    })
    .await
}

/// The file name of an export: `plansok-` and the query's words in ASCII.
fn export_name(query: &str, ext: &str) -> String {
    let folded = plansok_model::fold_ascii(&query.to_lowercase());
    let mut slug = String::new();
    for c in folded.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug: String = slug.trim_end_matches('-').chars().take(60).collect();
    let slug = slug.trim_end_matches('-');
    match slug {
        "" => format!("plansok-alla.{ext}"),
        s => format!("plansok-{s}.{ext}"),
    }
}

/// Measures per county when the request does not say.
const MEASURES_PER_COUNTY: usize = 3;

#[utoipa::path(get, path = "/api/measures", summary = "Compare measures across counties",
    description = "Passages that hold every word of the query, grouped by county: how many \
        match in each county and the best `limit` of them.",
    params(crate::params::FilterParams, crate::params::MeasuresParams),
    responses((status = 200, description = "Matching passages grouped by county", body = plansok_index::MeasuresResponse),
              (status = 400, description = "A bad parameter", body = ErrorBody),
              (status = 503, description = "Too many searches waiting, or the search took too long", body = ErrorBody)))]
pub(crate) async fn measures_handler(
    State(st): State<Arc<AppState>>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let params = Params::parse(raw.as_deref().unwrap_or(""), Route::Measures)?;
    let req = params.to_request(MAX_MEASURES_PER_COUNTY)?;
    let per_county = req.limit.unwrap_or(MEASURES_PER_COUNTY);
    let result = blocking(st, SEARCH_LIMIT, move |st| {
        plansok_index::measures(&st.store, &st.taxonomy, &req, per_county)
    })
    .await?;
    Ok(Json(result).into_response())
}

#[utoipa::path(get, path = "/api/facets", summary = "Facet counts of a search",
    description = "The counts of `/api/search` alone: for each facet, its values with the \
        number of matching documents under the other filters.",
    params(crate::params::FilterParams),
    responses((status = 200, description = "Counts per facet value", body = plansok_index::Facets),
              (status = 400, description = "A bad parameter", body = ErrorBody),
              (status = 503, description = "Too many searches waiting, or the search took too long", body = ErrorBody)))]
pub(crate) async fn facets_handler(
    State(st): State<Arc<AppState>>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let params = Params::parse(raw.as_deref().unwrap_or(""), Route::Facets)?;
    let mut req = params.to_request(0)?;
    req.limit = Some(0);
    let resp = run_search(st, req).await?;
    Ok(Json(&resp.facets).into_response())
}
