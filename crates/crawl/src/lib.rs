//! The crawler: fetches county pages and the PDFs they link, politely and incrementally, into
//! the corpus store, and feeds them to the ingest pipeline.
//!
//! Owns the source configuration ([`config`], `config/sources.toml`), URL canonicalisation
//! and follow rules ([`urls`]), HTTP fetching with its limits and safety checks ([`fetch`]),
//! the corpus store and catalog ([`catalog`]), the crawl loop with relevance ([`crawler`]),
//! a host's pace and robots.txt (`politeness`), and what a crawl reports ([`report`]).

pub mod catalog;
pub mod config;
pub mod crawler;
pub mod fetch;
mod ingest_worker;
mod politeness;
pub mod report;
pub mod urls;

pub use config::{CrawlConfig, Source};
pub use crawler::{CrawlReport, Crawler, HostStats};
pub use ingest_worker::IngestTally;

/// Errors that stop a crawl (a failing page does not: it is recorded and the crawl goes on).
#[derive(Debug, thiserror::Error)]
pub enum CrawlError {
    #[error("crawl configuration: {0}")]
    Config(String),
    #[error(transparent)]
    ConfigFile(#[from] plansok_model::ConfigError),
    #[error("the HTTP client cannot be set up: {0}")]
    Client(#[from] fetch::FetchError),
    #[error("corpus store {path}: {source}")]
    Store {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("catalog: {0}")]
    Catalog(#[from] rusqlite::Error),
    #[error("indexing what was fetched: {0}")]
    Ingest(#[from] plansok_ingest::IngestError),
    #[error("the ingest thread stopped unexpectedly")]
    IngestThread,
    #[error("a crawl task failed: {0}")]
    Task(String),
}

impl CrawlError {
    /// An I/O error on `path` in the corpus store.
    pub(crate) fn store(path: &std::path::Path) -> impl FnOnce(std::io::Error) -> CrawlError + '_ {
        move |source| CrawlError::Store {
            path: path.to_path_buf(),
            source,
        }
    }
}
