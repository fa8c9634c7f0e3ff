//! `config/classify.toml`.

use serde::Deserialize;

use plansok_model::{load_toml, parse_toml, ConfigError};

const EMBEDDED: &str = include_str!("../../../config/classify.toml");

#[derive(Debug, Clone, Deserialize)]
pub struct PeriodRules {
    pub cue_words: Vec<String>,
    pub cue_window: usize,
    pub single_cue_window: usize,
    pub exclude_context: Vec<String>,
    pub exclude_window: usize,
    /// The national strategy's own period: never a document's when the text names the strategy.
    #[serde(default = "national_period")]
    pub national_period: [u16; 2],
    pub weight_title: f32,
    pub weight_cue: f32,
    pub weight_range: f32,
    pub weight_occurrence: f32,
    pub weight_early: f32,
    pub early_chars: usize,
}

#[derive(Debug, Clone, Deserialize)]
pub struct TypeRule {
    #[serde(rename = "type")]
    pub doc_type: String,
    pub words: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct DocTypeRules {
    pub news_markers: Vec<String>,
    pub news_url_parts: Vec<String>,
    /// Hosts (and their subdomains) of newspapers, radio, press-release services and parties:
    /// their pages are news.
    #[serde(default)]
    pub news_hosts: Vec<String>,
    /// Hosts (or host/path prefixes) of national knowledge-support bodies: their pages that are
    /// not news are knowledge support.
    #[serde(default)]
    pub knowledge_hosts: Vec<String>,
    pub title_zone_blocks: usize,
    pub title_zone_block_chars: usize,
    pub rules: Vec<TypeRule>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct OrganisationRules {
    /// Hosts of national bodies: their pages are no county's, whatever places they name.
    #[serde(default)]
    pub national_hosts: Vec<String>,
    pub lansstyrelsen_signals: Vec<String>,
    pub lansstyrelsen_host: String,
    pub weight_url: f32,
    pub weight_meta: f32,
    pub weight_email: f32,
    pub weight_signal: f32,
    pub weight_title: f32,
    pub weight_body: f32,
    pub body_cap: usize,
    /// On a host of no organisation (news, mirrors), a town is the page's municipality when
    /// its evidence reaches this score and `town_margin` times the next town's.
    #[serde(default = "two")]
    pub town_min_score: f32,
    #[serde(default = "two")]
    pub town_margin: f32,
}

// Defaults of keys added after 2026-12-05, so that an override file written before still
// loads with the shipped behaviour.
fn national_period() -> [u16; 2] {
    [2017, 2026]
}

fn two() -> f32 {
    2.0
}

/// What makes a text about the topic (`[topic]`).
#[derive(Debug, Clone, Deserialize)]
pub struct TopicRules {
    /// Words and phrases of the topic (prefixes: "våldsutsatt" matches "våldsutsatta").
    pub words: Vec<String>,
    /// Mentions needed in the body; a mention in the title counts `title_weight` times.
    pub min_hits: usize,
    pub title_weight: usize,
    /// Languages whose texts can be on topic (the counties' own languages).
    pub languages: Vec<String>,
}

/// All classification rules.
#[derive(Debug, Clone, Deserialize)]
pub struct ClassifyConfig {
    pub period: PeriodRules,
    pub doctype: DocTypeRules,
    pub organisation: OrganisationRules,
    pub topic: TopicRules,
}

impl ClassifyConfig {
    /// Loads `classify.toml` (override directory first, else the embedded default).
    pub fn load() -> Result<Self, ConfigError> {
        load_toml("classify.toml", EMBEDDED)
    }

    pub fn from_toml(text: &str) -> Result<Self, ConfigError> {
        parse_toml("classify.toml", text)
    }
}
