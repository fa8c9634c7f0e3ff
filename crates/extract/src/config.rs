//! `config/extract.toml`: limits and boilerplate rules.

use regex::Regex;
use serde::Deserialize;

use plansok_model::{config_text, ConfigError};

const EMBEDDED: &str = include_str!("../../../config/extract.toml");

#[derive(Debug, Clone, Deserialize)]
pub struct Limits {
    pub max_file_mb: u64,
    pub max_pdf_pages: u32,
    pub max_page_content_mb: u64,
    pub max_text_mb: u64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct HtmlRules {
    pub root_selectors: Vec<String>,
    pub min_root_chars: usize,
    pub skip_tags: Vec<String>,
    /// Skipped only when shorter than `min_root_chars` (a search form, not a page-wide form).
    #[serde(default)]
    pub skip_small_tags: Vec<String>,
    pub skip_roles: Vec<String>,
    pub skip_class_words: Vec<String>,
    pub signal_class_words: Vec<String>,
    pub signal_tags: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
struct BoilerplateFile {
    stop_headings: Vec<String>,
    drop_lines: Vec<String>,
    published_patterns: Vec<String>,
}

/// Boilerplate rules with compiled patterns.
#[derive(Debug, Clone)]
pub struct Boilerplate {
    stop_headings: Vec<String>,
    drop_lines: Vec<Regex>,
    published: Vec<Regex>,
}

impl Boilerplate {
    /// True when `line` is a heading that starts a non-content block ("Kontakt", "Dela sidan:").
    pub fn is_stop_heading(&self, line: &str) -> bool {
        let t = line
            .trim()
            .trim_end_matches([':', '?'])
            .trim()
            .to_lowercase();
        !t.is_empty() && self.stop_headings.contains(&t)
    }

    /// True when the line is boilerplate to drop.
    pub fn is_drop_line(&self, line: &str) -> bool {
        let t = line.trim();
        self.drop_lines.iter().any(|r| r.is_match(t))
    }

    /// A publication date in the line, if it carries one.
    pub fn published_in(&self, line: &str) -> Option<String> {
        self.published.iter().find_map(|r| {
            r.captures(line)
                .and_then(|c| c.get(1))
                .map(|m| m.as_str().to_string())
        })
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct LanguageRules {
    pub allowlist: Vec<String>,
    pub min_words: usize,
    pub default: String,
}

#[derive(Deserialize)]
struct File {
    limits: Limits,
    html: HtmlRules,
    boilerplate: BoilerplateFile,
    language: LanguageRules,
}

/// All extraction settings.
#[derive(Debug, Clone)]
pub struct ExtractConfig {
    pub limits: Limits,
    pub html: HtmlRules,
    pub boilerplate: Boilerplate,
    pub language: LanguageRules,
}

impl ExtractConfig {
    /// Loads `extract.toml` (override directory first, else the embedded default).
    pub fn load() -> Result<Self, ConfigError> {
        Self::from_toml(&config_text("extract.toml", EMBEDDED)?)
    }

    pub fn from_toml(text: &str) -> Result<Self, ConfigError> {
        let bad = |message: String| ConfigError::Parse {
            name: "extract.toml".into(),
            message,
        };
        let f: File = plansok_model::parse_toml("extract.toml", text)?;
        let compile = |v: &[String]| -> Result<Vec<Regex>, ConfigError> {
            v.iter()
                .map(|p| Regex::new(p).map_err(|e| bad(format!("pattern {p:?}: {e}"))))
                .collect()
        };
        let boilerplate = Boilerplate {
            stop_headings: f
                .boilerplate
                .stop_headings
                .iter()
                .map(|s| s.to_lowercase())
                .collect(),
            drop_lines: compile(&f.boilerplate.drop_lines)?,
            published: compile(&f.boilerplate.published_patterns)?,
        };
        Ok(ExtractConfig {
            limits: f.limits,
            html: f.html,
            boilerplate,
            language: f.language,
        })
    }
}
