//! The crawler: fetches county pages and the PDFs they link, politely and incrementally, into
//! the corpus store, and feeds them to the ingest pipeline.
//!
//! Owns the source configuration ([`config`], `config/sources.toml`), URL canonicalisation
//! and follow rules ([`urls`]), HTTP fetching with its limits and safety checks ([`fetch`]),
//! the corpus store and catalog ([`catalog`]), and the crawl loop with politeness, robots.txt
//! and relevance ([`crawler`]).

pub mod catalog;
pub mod config;
pub mod crawler;
pub mod fetch;
mod ingest_worker;
pub mod urls;

pub use config::{CrawlConfig, Source};
pub use crawler::{CrawlReport, Crawler, HostStats};
pub use ingest_worker::IngestTally;

/// Errors that stop a crawl (a failing page does not: it is recorded and the crawl goes on).
#[derive(Debug, thiserror::Error)]
pub enum CrawlError {
    #[error("crawl configuration: {0}")]
    Config(String),
    #[error("corpus store: {0}")]
    Store(String),
    #[error("catalog: {0}")]
    Catalog(#[from] rusqlite::Error),
}
