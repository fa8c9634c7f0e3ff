//! The search index: one tantivy index of documents and their passages.
//!
//! The write side is [`Indexer`] (upserts, duplicate detection, atomic commits, merges), held
//! by `ingest`; the read side is [`SearchIndex`] (reader, query parsers, snippet analyzer,
//! facet tables), all that the server holds. Searches are functions over a [`SearchIndex`]:
//! [`search()`] (faceted document search with snippets), [`search_passages`], [`measures()`]
//! (per county), [`similar()`] and [`similar_passages`], [`suggest()`], [`stats()`],
//! [`learn_words`].
//!
//! Inside: [`schema`] (fields), `analysis/` (Swedish analyzers, compounds, pairs, word memo),
//! `query/` (the user's query: rewriting, parsing, prefixes), `facet/` (filters, facet table,
//! one-pass collectors), `write/` (entry layout), `ranking.rs`, `snippet.rs`. Settings come from
//! `config/search.toml` ([`SearchConfig`]).

mod analysis;
mod config;
mod coverage;
mod dedup;
mod document;
mod error;
mod facet;
mod learn;
mod measures;
mod meta;
mod passages;
mod query;
mod ranking;
mod request;
mod response;
pub mod schema;
mod search;
mod searcher;
mod similar;
mod snippet;
mod stats;
mod stored;
mod suggest;
#[cfg(test)]
mod test_support;
mod write;

pub use analysis::compound::{CompoundSettings, Decompounder};
pub use config::{Analysis, SearchConfig};
pub use coverage::{
    coverage, CountyCoverage, Coverage, CoveragePlan, CoverageRequest, MunicipalityCoverage,
    COVERAGE_TYPES, COVERAGE_YEARS,
};
pub use document::{DocumentView, PassageView};
pub use error::IndexError;
pub use learn::{learn_words, LearntWord};
pub use measures::{measures, CountyMeasures, Measure, MeasuresResponse};
pub use meta::DocMeta;
pub use passages::{search_passages, PassageHit};
pub use query::rewrite::{expand_compounds, expand_synonyms};
pub use query::{marking_query, text_query, QueryParsers};
pub use request::SearchRequest;
pub use response::{AlsoAt, AppliedFilters, FacetValue, Facets, Hit, HitPeriod, SearchResponse};
pub use search::search;
pub use searcher::SearchIndex;
pub use similar::{similar, similar_passages, SimilarDocument, SimilarPassage};
pub use stats::{stats, Stats};
pub use suggest::{suggest, Suggestion};
pub use write::{Indexer, UpsertOutcome};
