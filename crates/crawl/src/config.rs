//! `config/sources.toml`: crawl settings and sources (the shape is in docs/api.md, "Configuration").

use std::collections::HashMap;
use std::path::Path;

use serde::Deserialize;

use crate::CrawlError;

const EMBEDDED: &str = include_str!("../../../config/sources.toml");

fn d_delay() -> u64 {
    1000
}
fn d_one() -> usize {
    1
}
fn d_depth() -> u32 {
    3
}
fn d_body() -> u64 {
    100
}
fn d_pages() -> usize {
    5000
}
fn d_connect() -> u64 {
    10
}
fn d_request() -> u64 {
    60
}
fn d_retries() -> u32 {
    3
}
fn d_redirects() -> usize {
    10
}

/// The `[crawl]` table.
#[derive(Debug, Clone, Deserialize)]
pub struct CrawlSettings {
    pub user_agent: String,
    #[serde(default = "d_delay")]
    pub delay_ms: u64,
    #[serde(default = "d_one")]
    pub concurrency_per_host: usize,
    #[serde(default = "d_depth")]
    pub max_depth: u32,
    #[serde(default = "d_body")]
    pub max_body_mb: u64,
    #[serde(default = "d_pages")]
    pub max_pages: usize,
    #[serde(default = "d_connect")]
    pub connect_timeout_secs: u64,
    #[serde(default = "d_request")]
    pub request_timeout_secs: u64,
    #[serde(default = "d_retries")]
    pub max_retries: u32,
    #[serde(default = "d_redirects")]
    pub max_redirects: usize,
    #[serde(default)]
    pub allow_private: bool,
    #[serde(default)]
    pub drop_query_params: Vec<String>,
    #[serde(default)]
    pub relevance_words: Vec<String>,
    /// Host → address overrides (tests point real host names at 127.0.0.1).
    #[serde(default)]
    pub resolve: HashMap<String, String>,
}

/// One `[[source]]`.
#[derive(Debug, Clone, Deserialize)]
pub struct Source {
    pub id: String,
    pub county: String,
    pub organisation: String,
    pub start: Vec<String>,
    pub allow: Vec<String>,
    #[serde(default)]
    pub pdf_hosts: Vec<String>,
    pub max_depth: Option<u32>,
}

/// The whole file.
#[derive(Debug, Clone, Deserialize)]
pub struct CrawlConfig {
    pub crawl: CrawlSettings,
    #[serde(rename = "source", default)]
    pub sources: Vec<Source>,
}

impl CrawlConfig {
    /// The embedded `config/sources.toml`, or `path` when given.
    pub fn load(path: Option<&Path>) -> Result<Self, CrawlError> {
        let text = match path {
            Some(p) => {
                std::fs::read_to_string(p).map_err(|source| plansok_model::ConfigError::Read {
                    path: p.to_path_buf(),
                    source,
                })?
            }
            None => plansok_model::config_text("sources.toml", EMBEDDED)?,
        };
        Self::from_toml(&text)
    }

    pub fn from_toml(text: &str) -> Result<Self, CrawlError> {
        let cfg: CrawlConfig = plansok_model::parse_toml("sources.toml", text)?;
        for s in &cfg.sources {
            for u in s.start.iter().chain(&s.allow) {
                url::Url::parse(u)
                    .map_err(|e| CrawlError::Config(format!("source {}: {u}: {e}", s.id)))?;
            }
        }
        Ok(cfg)
    }

    /// Keeps only the named sources (all when `ids` is empty); unknown ids are an error.
    pub fn select(&mut self, ids: &[String]) -> Result<(), CrawlError> {
        if ids.is_empty() {
            return Ok(());
        }
        if let Some(bad) = ids
            .iter()
            .find(|id| !self.sources.iter().any(|s| &s.id == *id))
        {
            return Err(CrawlError::Config(format!("no source with id {bad:?}")));
        }
        self.sources.retain(|s| ids.contains(&s.id));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_county_has_a_source_with_valid_urls() {
        let cfg = CrawlConfig::load(None).unwrap();
        let tax = plansok_model::Taxonomy::load().unwrap();
        for c in tax.counties() {
            let s = cfg
                .sources
                .iter()
                .find(|s| s.county == c.name)
                .unwrap_or_else(|| panic!("no source for {}", c.name));
            assert!(
                s.start.iter().all(|u| u.starts_with(&s.allow[0])),
                "{}: start URLs inside the allowlist",
                s.id
            );
        }
        assert!(
            !cfg.crawl.allow_private,
            "the shipped config never allows private addresses"
        );
        assert!(
            cfg.crawl.user_agent.contains("+http"),
            "a contact URL in the User-Agent"
        );
    }

    #[test]
    fn unknown_source_ids_are_an_error() {
        let mut cfg = CrawlConfig::load(None).unwrap();
        assert!(cfg.select(&["lst-narnia".into()]).is_err());
        cfg.select(&["lst-jamtland".into()]).unwrap();
        assert_eq!(cfg.sources.len(), 1);
    }
}
