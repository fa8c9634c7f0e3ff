//! The HTTP API and web page (`plansok serve`), on axum over the index.
//!
//! Owns routing, request parsing (repeated parameters are OR within a facet), error bodies
//! (`{"error": {"code", "message"}}` with 4xx statuses, never a panic), CSV export, and the
//! embedded web page. Searches run on tokio's blocking pool; the index reader reloads by itself
//! when `ingest` commits beside the server.

mod cache;
mod metrics;
mod openapi;
mod params;
mod pool;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tower_http::cors::CorsLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use plansok_index::search::search;
use plansok_index::{IndexError, IndexStore, SearchRequest, SearchResponse};
use plansok_model::Taxonomy;

pub use params::Params;

const PAGE: &str = include_str!("../assets/index.html");

const EMBEDDED_CONFIG: &str = include_str!("../../../config/server.toml");

/// `config/server.toml`.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct ServerSettings {
    pub request_timeout_secs: u64,
    pub cors_allow_origins: Vec<String>,
    pub latency_buckets: Vec<f64>,
    /// Search responses kept for repeated requests (0: no cache).
    #[serde(default)]
    pub search_cache_entries: usize,
    /// Index workers (0: one per core).
    #[serde(default)]
    pub search_workers: usize,
    /// Index work that may wait for a worker; more is refused with 503 `busy`.
    #[serde(default = "default_search_queue")]
    pub search_queue: usize,
    /// Whether an index worker yields its core after each job, so that the HTTP thread its
    /// answer woke writes the response at once.
    #[serde(default = "default_yield_after_job")]
    pub yield_after_job: bool,
    /// How hard responses are gzip-compressed for clients that accept it.
    #[serde(default)]
    pub compression: Compression,
}

/// Gzip level of responses (`compression` in `config/server.toml`).
#[derive(Debug, Clone, Copy, Default, serde::Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Compression {
    /// Never compressed.
    Off,
    /// The fastest level: a search response is a fifth of its size at a small cost.
    #[default]
    Fastest,
    /// zlib's default level (6).
    Default,
}

impl Compression {
    fn layer(self) -> CompressionLayer {
        match self {
            Compression::Off => CompressionLayer::new().no_gzip(),
            Compression::Fastest => CompressionLayer::new().quality(CompressionLevel::Fastest),
            Compression::Default => CompressionLayer::new().quality(CompressionLevel::Default),
        }
    }
}

fn default_search_queue() -> usize {
    1024
}

fn default_yield_after_job() -> bool {
    true
}

impl ServerSettings {
    pub fn load() -> Result<Self, plansok_model::ConfigError> {
        let text = plansok_model::config_text("server.toml", EMBEDDED_CONFIG)?;
        toml::from_str(&text).map_err(|e| plansok_model::ConfigError::Parse {
            name: "server.toml".into(),
            message: e.to_string(),
        })
    }
}

/// What the handlers share.
pub struct AppState {
    pub store: IndexStore,
    pub taxonomy: Taxonomy,
    pub settings: ServerSettings,
    metrics: metrics::Metrics,
    cache: cache::ResponseCache,
    /// The threads that do index work (`search_workers`, `search_queue`).
    workers: pool::WorkerPool,
}

impl AppState {
    pub fn new(store: IndexStore, taxonomy: Taxonomy, settings: ServerSettings) -> Self {
        let metrics = metrics::Metrics::new(settings.latency_buckets.clone());
        let cache = cache::ResponseCache::new(settings.search_cache_entries);
        let workers = match settings.search_workers {
            0 => std::thread::available_parallelism().map_or(2, |n| n.get()),
            n => n,
        };
        let workers =
            pool::WorkerPool::new(workers, settings.search_queue, settings.yield_after_job);
        AppState {
            store,
            taxonomy,
            settings,
            metrics,
            cache,
            workers,
        }
    }
}

/// An error as the API reports it.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: String,
    message: String,
}

/// An error: `{"error": {"code", "message"}}`.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody<'a> {
    error: ErrorInner<'a>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorInner<'a> {
    /// A stable code such as `invalid_region`.
    code: &'a str,
    /// What is wrong, for people.
    message: &'a str,
}

impl ApiError {
    pub fn bad_request(code: &str, message: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            code: code.into(),
            message: message.into(),
        }
    }

    fn no_document() -> Self {
        ApiError {
            status: StatusCode::NOT_FOUND,
            code: "not_found".into(),
            message: "no such document".into(),
        }
    }

    fn internal(message: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: "internal".into(),
            message: message.into(),
        }
    }
}

impl From<IndexError> for ApiError {
    fn from(e: IndexError) -> Self {
        match &e {
            IndexError::InvalidFilter { name, .. } => {
                ApiError::bad_request(&format!("invalid_{name}"), e.to_string())
            }
            _ => {
                tracing::error!("search failed: {e}");
                ApiError::internal("the search failed")
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorInner {
                code: &self.code,
                message: &self.message,
            },
        };
        (self.status, Json(body)).into_response()
    }
}

/// The application's routes.
pub fn router(state: Arc<AppState>) -> Router {
    let timeout = Duration::from_secs(state.settings.request_timeout_secs.max(1));
    let cors = cors_layer(&state.settings.cors_allow_origins);
    let compression = state.settings.compression.layer();
    Router::new()
        .route("/metrics", get(metrics_handler))
        .route("/openapi.json", get(|| async { Json(openapi::document()) }))
        .route("/", get(|| async { Html(PAGE) }))
        .route("/api/health", get(health))
        .route("/api/search", get(search_handler))
        .route("/api/facets", get(facets_handler))
        .route("/api/measures", get(measures_handler))
        .route("/api/documents/{id}", get(document_handler))
        .route("/api/documents/{id}/similar", get(similar_handler))
        .route(
            "/api/documents/{id}/passages/{n}/similar",
            get(similar_passages_handler),
        )
        .route("/api/suggest", get(suggest_handler))
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .with_state(state)
        .layer(compression)
        .layer(cors)
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            timeout,
        ))
        .layer(TraceLayer::new_for_http())
}

fn cors_layer(origins: &[String]) -> CorsLayer {
    let base = CorsLayer::new().allow_methods([axum::http::Method::GET]);
    if origins.iter().any(|o| o == "*") {
        return base.allow_origin(tower_http::cors::Any);
    }
    let list: Vec<axum::http::HeaderValue> =
        origins.iter().filter_map(|o| o.parse().ok()).collect();
    base.allow_origin(list)
}

async fn metrics_handler(State(st): State<Arc<AppState>>) -> Result<Response, ApiError> {
    let docs = st.store.num_documents()? as f64;
    let body = st
        .metrics
        .render(&[("plansok_index_documents", "Documents in the index.", docs)]);
    Ok(([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], body).into_response())
}

/// Serves until Ctrl-C or SIGTERM.
pub async fn serve(addr: SocketAddr, state: Arc<AppState>) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    tracing::info!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown_signal())
        .await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Health {
    status: &'static str,
    documents: usize,
}

#[utoipa::path(get, path = "/api/health", responses((status = 200, body = Health)))]
async fn health(State(st): State<Arc<AppState>>) -> Result<Json<Health>, ApiError> {
    let documents = st.store.num_documents()?;
    Ok(Json(Health {
        status: "ok",
        documents,
    }))
}

/// Runs index work on the index workers in arrival order ([`pool`]), bounded in time from
/// arrival. Work started runs to its end even when the request stopped waiting for it; work not
/// yet started by then is skipped.
async fn blocking<T: Send + 'static>(
    st: Arc<AppState>,
    limit: Duration,
    work: impl FnOnce(&AppState) -> Result<T, IndexError> + Send + 'static,
) -> Result<T, ApiError> {
    let unavailable = |code: &str, message: &str| ApiError {
        status: StatusCode::SERVICE_UNAVAILABLE,
        code: code.into(),
        message: message.into(),
    };
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
const SEARCH_LIMIT: Duration = Duration::from_secs(10);
const EXPORT_LIMIT: Duration = Duration::from_secs(60);

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

#[utoipa::path(get, path = "/api/search", params(openapi::SearchParams),
    responses((status = 200, description = "Hits and facets (or text/csv with format=csv)", body = plansok_index::SearchResponse),
              (status = 400, description = "A bad parameter", body = ErrorBody)))]
async fn search_handler(
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

#[utoipa::path(get, path = "/api/measures", params(openapi::SearchParams),
    responses((status = 200, description = "Matching passages grouped by county", body = plansok_index::MeasuresResponse),
              (status = 400, body = ErrorBody)))]
async fn measures_handler(
    State(st): State<Arc<AppState>>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let params = Params::parse(raw.as_deref().unwrap_or(""))?;
    let req = params.to_request()?;
    let per_county = req.limit.unwrap_or(MEASURES_PER_COUNTY).min(20);
    let result = blocking(st, SEARCH_LIMIT, move |st| {
        plansok_index::measures::measures(&st.store, &st.taxonomy, &req, per_county)
    })
    .await?;
    Ok(Json(result).into_response())
}

#[utoipa::path(get, path = "/api/facets", params(openapi::SearchParams),
    responses((status = 200, description = "Counts per facet value", body = plansok_index::Facets), (status = 400, body = ErrorBody)))]
async fn facets_handler(
    State(st): State<Arc<AppState>>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let mut req = Params::parse(raw.as_deref().unwrap_or(""))?.to_request()?;
    req.limit = Some(1);
    let resp = run_search(st, req).await?;
    Ok(Json(&resp.facets).into_response())
}

/// A document id is the hex of a hash: anything else (paths, traversal) is refused.
fn check_id(id: &str) -> Result<(), ApiError> {
    if id.is_empty() || id.len() > 64 || !id.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(ApiError::bad_request(
            "invalid_id",
            "a document id is hexadecimal",
        ));
    }
    Ok(())
}

#[utoipa::path(get, path = "/api/documents/{id}", params(("id" = String, Path, description = "Document id (hex)")),
    responses((status = 200, body = plansok_index::DocumentView), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn document_handler(
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
    responses((status = 200, description = "`{\"similar\": [SimilarDocument]}`", body = Vec<plansok_index::similar::SimilarDocument>), (status = 404, body = ErrorBody)))]
async fn similar_handler(
    State(st): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    check_id(&id)?;
    let found = blocking(st, SEARCH_LIMIT, move |st| {
        plansok_index::similar::similar(&st.store, &id, 10)
    })
    .await?;
    match found {
        Some(docs) => Ok(Json(serde_json::json!({ "similar": docs })).into_response()),
        None => Err(ApiError::no_document()),
    }
}

#[utoipa::path(get, path = "/api/documents/{id}/passages/{n}/similar",
    params(("id" = String, Path, description = "Document id (hex)"), ("n" = u64, Path, description = "Passage number in the document (a measure's passage_no)")),
    responses((status = 200, description = "`{\"similar\": [SimilarPassage]}`: comparable measures of other documents, other counties first", body = Vec<plansok_index::similar::SimilarPassage>),
              (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn similar_passages_handler(
    State(st): State<Arc<AppState>>,
    Path((id, n)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    check_id(&id)?;
    let n: u64 = n.parse().map_err(|_| {
        ApiError::bad_request("invalid_passage", "a passage number is a whole number")
    })?;
    let found = blocking(st, SEARCH_LIMIT, move |st| {
        plansok_index::similar::similar_passages(&st.store, &id, n, 10)
    })
    .await?;
    match found {
        Some(p) => Ok(Json(serde_json::json!({ "similar": p })).into_response()),
        None => Err(ApiError::no_document()),
    }
}

/// Most suggestions one call may ask for.
const MAX_SUGGESTIONS: usize = 50;

#[utoipa::path(get, path = "/api/suggest", params(openapi::SuggestParams),
    responses((status = 200, description = "`{\"query\": q, \"suggestions\": [Suggestion]}`: words of the index starting with q, most documents first", body = Vec<plansok_index::suggest::Suggestion>),
              (status = 400, body = ErrorBody)))]
async fn suggest_handler(
    State(st): State<Arc<AppState>>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let mut q = String::new();
    let mut limit = 10;
    for (k, v) in url::form_urlencoded::parse(raw.as_deref().unwrap_or("").as_bytes()) {
        match k.as_ref() {
            "q" => q = v.chars().take(100).collect(),
            "limit" => {
                limit = v.parse::<usize>().map_err(|_| {
                    ApiError::bad_request("invalid_limit", "limit is a whole number")
                })?
            }
            _ => {}
        }
    }
    let limit = limit.clamp(1, MAX_SUGGESTIONS);
    let prefix = q.clone();
    let suggestions = blocking(st, SEARCH_LIMIT, move |st| {
        plansok_index::suggest::suggest(&st.store, &prefix, limit)
    })
    .await?;
    Ok(Json(serde_json::json!({ "query": q, "suggestions": suggestions })).into_response())
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
