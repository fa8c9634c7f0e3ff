//! `config/search.toml`.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::analysis::compound::CompoundSettings;

use plansok_model::{load_toml, ConfigError};

const EMBEDDED: &str = include_str!("../../../config/search.toml");

#[derive(Debug, Clone, Deserialize)]
pub struct IndexSettings {
    pub writer_heap_mb: usize,
    /// At the end of an ingest or crawl run, merge all segments into one when there are more
    /// than this many (0: never).
    pub merge_above_segments: usize,
}

#[derive(Debug, Clone, Deserialize)]
pub struct SearchSettings {
    pub max_limit: usize,
    pub default_limit: usize,
    pub max_query_chars: usize,
    pub snippet_chars: usize,
    /// A query word ending in `*` is read as the union of its terms' postings when a segment
    /// has at most this many of them, else as a range of the term dictionary.
    pub prefix_union_terms: usize,
    pub title_boost: f32,
    pub heading_boost: f32,
    /// The share of a query's words a match must have (soft conjunction; 1.0: all).
    #[serde(default = "every_word")]
    pub min_words_share: f32,
    /// The weight of the all-words score added to a match that has every word.
    #[serde(default)]
    pub all_words_boost: f32,
    /// Hits whose near-duplicate signatures differ in at most this many of 64 bits are one hit
    /// (0: never folded). Defaults (for override files written before): the shipped values.
    #[serde(default = "near_duplicate_bits")]
    pub near_duplicate_bits: u32,
    /// How many hits beyond the page a search ranks to find the page's near-duplicates in.
    #[serde(default = "near_duplicate_pool")]
    pub near_duplicate_pool: usize,
}

fn near_duplicate_bits() -> u32 {
    10
}

fn near_duplicate_pool() -> usize {
    50
}

fn every_word() -> f32 {
    1.0
}

/// How text is analysed; an index keeps the analysis it was created with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    pub stemming: bool,
    pub compounds: CompoundSettings,
}

/// Query-time ranking factors.
#[derive(Debug, Clone, Deserialize)]
pub struct Ranking {
    /// Score factor per document type slug (absent types: 1.0).
    pub type_prior: HashMap<String, f32>,
    pub goal_boost: f32,
    /// Score factor of an entry of a place the query names (a county or a municipality).
    /// (Default for override files written before it: the shipped 1.5.)
    #[serde(default = "place_boost")]
    pub place_boost: f32,
    /// Score factor of a document that is off the topic (it only shares the words).
    /// (Default for override files written before it: the shipped 0.5.)
    #[serde(default = "off_topic")]
    pub off_topic: f32,
    /// Similar documents and measures: factor for one of the compared one's county.
    pub similar_same_county: f32,
    /// Similar documents: factor for a document of another type than the compared one.
    pub similar_other_type: f32,
}

fn place_boost() -> f32 {
    1.5
}

fn off_topic() -> f32 {
    0.5
}

const EMBEDDED_SYNONYMS: &str = include_str!("../../../config/synonyms.toml");

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Synonyms {
    pub groups: Vec<Vec<String>>,
}

/// Index and search settings.
#[derive(Debug, Clone, Deserialize)]
pub struct SearchConfig {
    pub index: IndexSettings,
    pub search: SearchSettings,
    pub analysis: Analysis,
    pub ranking: Ranking,
    /// From `synonyms.toml`.
    #[serde(skip)]
    pub synonyms: Synonyms,
}

impl SearchConfig {
    /// Loads `search.toml` (override directory first, else the embedded default).
    pub fn load() -> Result<Self, ConfigError> {
        let mut cfg: SearchConfig = load_toml("search.toml", EMBEDDED)?;
        cfg.synonyms = load_toml("synonyms.toml", EMBEDDED_SYNONYMS)?;
        Ok(cfg)
    }
}
