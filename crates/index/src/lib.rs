//! The search index: one tantivy index of documents and their passages.
//!
//! Owns the schema ([`schema`]: Swedish and English analyzers, facets for region, goal, type,
//! organisation, language and year, period start/end as fast fields), writing with upserts,
//! duplicate detection and atomic commits ([`store`]), faceted search with stemmed `<mark>`
//! snippets ([`search`]) and counts ([`stats`]). Settings come from `config/search.toml`.

mod collect;
pub mod compound;
mod config;
mod entries;
mod facet_table;
mod filters;
pub mod learn;
pub mod measures;
pub mod pairs;
pub mod passages;
mod prefix;
pub mod query;
pub mod ranking;
pub mod schema;
pub mod search;
pub mod similar;
mod snippet;
pub mod stats;
pub mod store;
pub mod suggest;
#[cfg(test)]
mod test_support;
pub mod word_memo;

pub use config::SearchConfig;
pub use measures::{CountyMeasures, Measure, MeasuresResponse};
pub use passages::{search_passages, PassageHit};
pub use search::{FacetValue, Facets, Hit, HitPeriod, SearchRequest, SearchResponse};
pub use stats::Stats;
pub use store::{DocMeta, DocumentView, IndexStore, PassageView, UpsertOutcome};

/// Errors of the index.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("index error: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    #[error("cannot open index directory {path}: {source}")]
    Dir {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("cannot open index: {0}")]
    Open(String),
    #[error("the disk holding {path} is full ({free_kb} kB free): {source}")]
    DiskFull {
        path: std::path::PathBuf,
        free_kb: u64,
        source: tantivy::TantivyError,
    },
    #[error("invalid {name}: {message}")]
    InvalidFilter { name: &'static str, message: String },
    #[error(transparent)]
    Config(#[from] plansok_model::ConfigError),
}
