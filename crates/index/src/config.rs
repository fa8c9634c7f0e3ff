//! `config/search.toml`.

use serde::Deserialize;

use plansok_model::{config_text, ConfigError};

const EMBEDDED: &str = include_str!("../../../config/search.toml");

#[derive(Debug, Clone, Deserialize)]
pub struct IndexSettings {
    pub writer_heap_mb: usize,
}

#[derive(Debug, Clone, Deserialize)]
pub struct SearchSettings {
    pub max_limit: usize,
    pub default_limit: usize,
    pub max_query_chars: usize,
    pub snippet_chars: usize,
    pub title_boost: f32,
    pub heading_boost: f32,
}

/// Index and search settings.
#[derive(Debug, Clone, Deserialize)]
pub struct SearchConfig {
    pub index: IndexSettings,
    pub search: SearchSettings,
}

impl SearchConfig {
    /// Loads `search.toml` (override directory first, else the embedded default).
    pub fn load() -> Result<Self, ConfigError> {
        let text = config_text("search.toml", EMBEDDED)?;
        toml::from_str(&text).map_err(|e| ConfigError::Parse {
            name: "search.toml".into(),
            message: e.to_string(),
        })
    }
}
