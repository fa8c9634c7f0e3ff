//! The HTTP API and web page (`plansok serve`), on axum over the index.
//!
//! Owns routing ([`router`]), the handlers by route (`routes/`), request parsing (`params.rs`:
//! repeated parameters are OR within a facet), the one table of error codes (`error.rs`:
//! `{"error": {"code", "message"}}`, never a panic), the response cache (`cache.rs`), metrics,
//! the OpenAPI document and the embedded web page. Index work runs on the index workers of
//! `pool.rs`, never on the runtime's threads; the server holds a [`SearchIndex`] only (it cannot
//! write), whose reader reloads by itself when `ingest` commits beside the server.

mod cache;
mod error;
mod limits;
mod metrics;
mod openapi;
mod params;
mod pool;
mod routes;
mod settings;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::http::StatusCode;
use axum::response::Html;
use axum::routing::get;
use axum::{Json, Router};
use tower_http::cors::CorsLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use plansok_index::SearchIndex;
use plansok_model::Taxonomy;

pub use error::{ApiError, CODES};
pub use limits::{MAX_BODY_BYTES, MAX_URI_BYTES};
pub use params::{Params, Route};
use routes::coverage::coverage_handler;
use routes::documents::{document_handler, similar_handler, similar_passages_handler};
use routes::feed::feed_handler;
use routes::health::{health, metrics_handler};
use routes::search::{facets_handler, measures_handler, search_handler};
use routes::suggest::suggest_handler;
pub use settings::{Compression, ServerSettings};

const PAGE: &str = include_str!("../assets/index.html");
/// The coverage page (`/tackning`).
const COVERAGE_PAGE: &str = include_str!("../assets/coverage.html");

/// What the handlers share.
pub struct AppState {
    pub store: SearchIndex,
    pub taxonomy: Taxonomy,
    pub settings: ServerSettings,
    metrics: metrics::Metrics,
    cache: cache::ResponseCache,
    /// The threads that do index work (`search_workers`, `search_queue`).
    workers: pool::WorkerPool,
    /// Whether the index holds plansok's fictitious sample corpus (the page says so).
    pub sample: bool,
}

impl AppState {
    pub fn new(store: SearchIndex, taxonomy: Taxonomy, settings: ServerSettings) -> Self {
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
            sample: false,
        }
    }

    /// The state of an index that holds the fictitious sample corpus (`sample`), which
    /// `/api/health` reports and the web page shows in a banner.
    pub fn with_sample(mut self, sample: bool) -> Self {
        self.sample = sample;
        self
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
        .route("/dokument/{id}", get(|| async { Html(PAGE) }))
        .route("/tackning", get(|| async { Html(COVERAGE_PAGE) }))
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
        .route("/api/feed.atom", get(feed_handler))
        .route("/api/coverage", get(coverage_handler))
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .with_state(state)
        .layer(compression)
        .layer(cors)
        .layer(axum::middleware::from_fn(limits::check))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            timeout,
        ))
        .layer(axum::middleware::map_response(error::json_errors))
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

/// Binds `addr` and serves until Ctrl-C or SIGTERM.
pub async fn serve(addr: SocketAddr, state: Arc<AppState>) -> std::io::Result<()> {
    serve_on(tokio::net::TcpListener::bind(addr).await?, state).await
}

/// Serves on a listener already bound (so a caller can report the address only once the port
/// is really its own) until Ctrl-C or SIGTERM.
pub async fn serve_on(
    listener: tokio::net::TcpListener,
    state: Arc<AppState>,
) -> std::io::Result<()> {
    serve_until(listener, state, shutdown_signal()).await
}

/// Serves on `listener` until `shutdown` completes. Each connection is watched for request
/// lines too long for the HTTP library, which are answered with the API's 414.
pub async fn serve_until(
    listener: tokio::net::TcpListener,
    state: Arc<AppState>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    tracing::info!("listening on http://{}", listener.local_addr()?);
    axum::serve(limits::Guarded(listener), router(state))
        .with_graceful_shutdown(shutdown)
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
