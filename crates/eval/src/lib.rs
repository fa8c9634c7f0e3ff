//! Search-quality evaluation.
//!
//! Owns the judged query set's format (`tests/judgments/queries.toml`), the three analyses
//! compared ([`Variant`]: tantivy's default tokenizer, Swedish stemming only, the full
//! analysis with compounds and synonyms), and the metrics ([`metrics`]: nDCG@10, recall@20,
//! MRR). [`evaluate`] indexes a corpus with one variant in a temporary folder and runs every
//! judged query against it; `plansok eval` prints the table.

pub mod baselines;
pub mod gold;
pub mod metrics;

use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::{Deserialize, Serialize};

use gold::{Classification, GoldSet};
use plansok_classify::Classifier;
use plansok_extract::ExtractConfig;
use plansok_index::{
    search, search_passages, DocMeta, Hit, Indexer, SearchConfig, SearchIndex, SearchRequest,
};
use plansok_ingest::{IngestOptions, Pipeline};
use plansok_model::Taxonomy;

/// Results looked at per query (recall@20).
pub(crate) const DEPTH: usize = 20;

#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    #[error("cannot read {path}: {message}")]
    Judgments { path: PathBuf, message: String },
    #[error("{0}")]
    Config(#[from] plansok_model::ConfigError),
    #[error("{0}")]
    Classify(#[from] plansok_classify::ClassifyError),
    #[error("{0}")]
    Index(#[from] plansok_index::IndexError),
    #[error("{0}")]
    Ingest(#[from] plansok_ingest::IngestError),
    #[error("temporary folder: {0}")]
    Io(#[from] std::io::Error),
    #[error("external baseline: {0}")]
    Baseline(String),
}

/// What a judged query's answers are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Passage,
    Document,
}

/// A relevant unit: a passage containing `text`, or a document whose URL contains `url`.
#[derive(Debug, Clone, Deserialize)]
pub struct Relevant {
    pub text: Option<String>,
    pub url: Option<String>,
    pub grade: u8,
}

#[derive(Debug, Clone, Deserialize)]
pub struct JudgedQuery {
    pub q: String,
    pub need: String,
    pub level: Level,
    /// A county filter as the user sets it (a county slug), if any.
    #[serde(default)]
    pub region: Option<String>,
    pub relevant: Vec<Relevant>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Judgments {
    pub query: Vec<JudgedQuery>,
}

impl Judgments {
    pub fn read(path: &Path) -> Result<Judgments, EvalError> {
        let err = |message: String| EvalError::Judgments {
            path: path.to_path_buf(),
            message,
        };
        let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
        toml::from_str(&text).map_err(|e| err(e.to_string()))
    }
}

/// The analyses compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Variant {
    /// tantivy's default tokenizer (words, lowercased), no synonyms.
    DefaultTokenizer,
    /// Swedish stop words and stemming, no compounds, no synonyms.
    Stemming,
    /// Stemming, compound splitting and synonyms (the shipped configuration).
    Full,
}

impl Variant {
    pub const ALL: [Variant; 3] = [Variant::DefaultTokenizer, Variant::Stemming, Variant::Full];

    pub fn name(self) -> &'static str {
        match self {
            Variant::DefaultTokenizer => "default tokenizer",
            Variant::Stemming => "Swedish stemming",
            Variant::Full => "full analysis",
        }
    }

    /// The shipped configuration changed to this variant (ranking factors stay the same).
    pub fn config(self, base: &SearchConfig) -> SearchConfig {
        let mut cfg = base.clone();
        if self != Variant::Full {
            cfg.analysis.compounds.enabled = false;
            cfg.synonyms.groups.clear();
        }
        cfg.analysis.stemming = self != Variant::DefaultTokenizer;
        cfg
    }
}

/// Mean scores over the queries.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Scores {
    pub ndcg10: f64,
    pub recall20: f64,
    pub mrr: f64,
}

impl Scores {
    /// The scores of a ranking (the grade of each result, in order) against the grades of
    /// every relevant unit.
    pub fn of(ranked: &[u8], all: &[u8]) -> Scores {
        Scores {
            ndcg10: metrics::ndcg_at(10, ranked, all),
            recall20: metrics::recall_at(DEPTH, ranked, all.len()),
            mrr: metrics::reciprocal_rank(ranked),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct QueryScore {
    pub q: String,
    pub scores: Scores,
    /// The first results (passage text or document URL) with their grades.
    pub top: Vec<(u8, String)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The row's name: an analysis of plansok's or an external baseline.
    pub name: String,
    pub variant: Option<Variant>,
    pub mean: Scores,
    pub per_query: Vec<QueryScore>,
    /// Size of the index on disk (bytes) and the time to build it (seconds).
    pub index_bytes: u64,
    pub ingest_secs: f64,
}

/// Indexes `corpus` with `variant` in a temporary folder and scores every judged query.
pub fn evaluate(
    corpus: &Path,
    judgments: &Judgments,
    variant: Variant,
) -> Result<Report, EvalError> {
    Ok(evaluate_with(corpus, judgments, variant, &GoldSet::default(), false)?.report)
}

/// What one evaluation run found.
pub struct Run {
    pub report: Report,
    /// The external baselines, over the same texts (when asked for).
    pub baselines: Vec<Report>,
    /// The classification against `gold` (when the corpus has gold labels).
    pub classification: Option<Classification>,
}

/// [`evaluate`], also scoring the classification against `gold` and, with `baselines`, the
/// external baselines on the texts this run indexed.
pub fn evaluate_with(
    corpus: &Path,
    judgments: &Judgments,
    variant: Variant,
    gold: &GoldSet,
    baselines: bool,
) -> Result<Run, EvalError> {
    let dir = tempfile::tempdir()?;
    let cfg = variant.config(&SearchConfig::load()?);
    let store = Indexer::open(dir.path(), cfg)?;
    let mut pipeline = Pipeline::new(
        ExtractConfig::load()?,
        Classifier::load()?,
        store,
        IngestOptions::load()?,
    );
    let started = Instant::now();
    pipeline.ingest_paths(&[corpus.to_path_buf()], |_, _| {})?;
    let ingest_secs = started.elapsed().as_secs_f64();
    pipeline
        .store()
        .reader()
        .reload()
        .map_err(plansok_index::IndexError::from)?;
    let tax = Taxonomy::load()?;
    let units = Units::collect(pipeline.store(), &tax)?;
    let mut per_query = Vec::new();
    for jq in &judgments.query {
        let (ranked, top) = ranked_grades(pipeline.store(), &tax, jq)?;
        let all = units.grades(jq);
        let scores = Scores::of(&ranked, &all);
        per_query.push(QueryScore {
            q: jq.q.clone(),
            scores,
            top,
        });
    }
    let report = Report {
        name: variant.name().to_string(),
        variant: Some(variant),
        mean: mean(&per_query),
        per_query,
        index_bytes: dir_size(dir.path()),
        ingest_secs,
    };
    let classification = (!gold.is_empty())
        .then(|| all_metas(pipeline.store(), &tax))
        .transpose()?
        .map(|metas| Classification::score(gold, &metas, &tax));
    let baselines = if baselines {
        baselines::evaluate_baselines(pipeline.store(), &tax, judgments, gold)?
    } else {
        Vec::new()
    };
    Ok(Run {
        report,
        baselines,
        classification,
    })
}

/// The metadata of every document of the index.
fn all_metas(index: &SearchIndex, tax: &Taxonomy) -> Result<Vec<DocMeta>, EvalError> {
    let mut out = Vec::new();
    for h in every_hit(index, tax)? {
        if let Some(meta) = index.document_meta(&h.id)? {
            out.push(meta);
        }
    }
    Ok(out)
}

/// Every document of the index as a hit of the empty query, page by page.
pub(crate) fn every_hit(index: &SearchIndex, tax: &Taxonomy) -> Result<Vec<Hit>, EvalError> {
    let mut out = Vec::new();
    let page = index.config().search.max_limit;
    loop {
        let req = SearchRequest {
            limit: Some(page),
            offset: out.len(),
            keep_near_duplicates: true,
            ..SearchRequest::default()
        };
        let hits = search(index, tax, &req)?.hits;
        if hits.is_empty() {
            return Ok(out);
        }
        out.extend(hits);
    }
}

pub(crate) fn mean(per_query: &[QueryScore]) -> Scores {
    let n = per_query.len().max(1) as f64;
    let sum = |f: fn(&Scores) -> f64| per_query.iter().map(|q| f(&q.scores)).sum::<f64>() / n;
    Scores {
        ndcg10: sum(|s| s.ndcg10),
        recall20: sum(|s| s.recall20),
        mrr: sum(|s| s.mrr),
    }
}

/// The grade of each of the first results of a judged query, and the results themselves.
type Ranked = (Vec<u8>, Vec<(u8, String)>);

fn ranked_grades(
    store: &SearchIndex,
    tax: &Taxonomy,
    jq: &JudgedQuery,
) -> Result<Ranked, EvalError> {
    let req = SearchRequest {
        query: jq.q.clone(),
        regions: jq.region.iter().cloned().collect(),
        limit: Some(DEPTH),
        ..SearchRequest::default()
    };
    let top: Vec<(u8, String)> = match jq.level {
        Level::Passage => search_passages(store, tax, &req, DEPTH, 0)?
            .into_iter()
            .map(|p| {
                let text = normalise(&p.text);
                (passage_grade(jq, &text), text)
            })
            .collect(),
        // A folded hit shows where else its text stands: its near-duplicates follow it.
        Level::Document => search(store, tax, &req)?
            .hits
            .into_iter()
            .flat_map(|h| {
                let also = h.also_at.into_iter().map(|a| a.url);
                std::iter::once(h.url).chain(also).collect::<Vec<_>>()
            })
            .take(DEPTH)
            .map(|url| {
                let url = url.unwrap_or_default();
                (document_grade(jq, &url), url)
            })
            .collect(),
    };
    Ok((top.iter().map(|(g, _)| *g).collect(), top))
}

pub(crate) fn normalise(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

pub(crate) fn passage_grade(jq: &JudgedQuery, text: &str) -> u8 {
    jq.relevant
        .iter()
        .filter(|r| {
            r.text
                .as_deref()
                .is_some_and(|t| text.contains(&normalise(t)))
        })
        .map(|r| r.grade)
        .max()
        .unwrap_or(0)
}

pub(crate) fn document_grade(jq: &JudgedQuery, url: &str) -> u8 {
    jq.relevant
        .iter()
        .filter(|r| r.url.as_deref().is_some_and(|u| url.contains(u)))
        .map(|r| r.grade)
        .max()
        .unwrap_or(0)
}

/// Every passage text and document URL of the index, to find all relevant units.
struct Units {
    passages: Vec<String>,
    urls: Vec<String>,
}

impl Units {
    fn collect(store: &SearchIndex, tax: &Taxonomy) -> Result<Units, EvalError> {
        let all = SearchRequest::default();
        let passages = search_passages(store, tax, &all, 1_000_000, 0)?
            .iter()
            .map(|p| normalise(&p.text))
            .collect();
        let urls = every_hit(store, tax)?
            .into_iter()
            .map(|h| h.url.unwrap_or_default())
            .collect();
        Ok(Units { passages, urls })
    }

    /// The grades of all relevant units of a judged query.
    fn grades(&self, jq: &JudgedQuery) -> Vec<u8> {
        let grades: Vec<u8> = match jq.level {
            Level::Passage => self.passages.iter().map(|t| passage_grade(jq, t)).collect(),
            Level::Document => self.urls.iter().map(|u| document_grade(jq, u)).collect(),
        };
        grades.into_iter().filter(|g| *g > 0).collect()
    }
}

fn dir_size(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .filter_map(|e| e.metadata().ok())
                .filter(|m| m.is_file())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}
