//! `config/server.toml` ([`ServerSettings`]): timeouts, CORS, metrics buckets, the response
//! cache, the index workers and their queue, and compression.

use tower_http::compression::{CompressionLayer, CompressionLevel};

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
    pub(crate) fn layer(self) -> CompressionLayer {
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
        plansok_model::load_toml("server.toml", EMBEDDED_CONFIG)
    }
}
