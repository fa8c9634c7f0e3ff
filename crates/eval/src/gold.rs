//! Gold labels of a corpus (`X.gold.toml` beside each document `X`, written before tuning; see
//! `corpus/realistic/README.md`) and the classification scored against them per field.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use plansok_index::DocMeta;
use plansok_model::Taxonomy;

use crate::EvalError;

/// The gold labels of one document.
#[derive(Debug, Clone, Deserialize)]
pub struct Gold {
    pub county: String,
    pub municipality: String,
    #[serde(default)]
    pub organisation: String,
    pub period: String,
    #[serde(rename = "type")]
    pub doc_type: String,
    pub goals: Vec<String>,
    pub language: String,
    pub on_topic: bool,
}

/// The gold labels of a corpus, by the canonical path of each document.
#[derive(Debug, Default)]
pub struct GoldSet {
    by_path: HashMap<PathBuf, Gold>,
}

impl GoldSet {
    /// Reads every `*.gold.toml` below `corpus` (none: an empty set).
    pub fn read(corpus: &Path) -> Result<GoldSet, EvalError> {
        let mut by_path = HashMap::new();
        read_dir(corpus, &mut by_path)?;
        Ok(GoldSet { by_path })
    }

    pub fn is_empty(&self) -> bool {
        self.by_path.is_empty()
    }

    pub fn len(&self) -> usize {
        self.by_path.len()
    }

    /// The gold labels of the document read from `path`.
    pub fn of(&self, path: &str) -> Option<&Gold> {
        self.by_path.get(Path::new(path))
    }
}

fn read_dir(dir: &Path, out: &mut HashMap<PathBuf, Gold>) -> Result<(), EvalError> {
    let bad = |path: &Path, message: String| EvalError::Judgments {
        path: path.to_path_buf(),
        message,
    };
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            read_dir(&path, out)?;
            continue;
        }
        let Some(doc) = path
            .to_str()
            .and_then(|p| p.strip_suffix(".gold.toml"))
            .map(PathBuf::from)
        else {
            continue;
        };
        let text = std::fs::read_to_string(&path).map_err(|e| bad(&path, e.to_string()))?;
        let gold: Gold = toml::from_str(&text).map_err(|e| bad(&path, e.to_string()))?;
        let doc = std::fs::canonicalize(&doc).map_err(|e| bad(&doc, e.to_string()))?;
        out.insert(doc, gold);
    }
    Ok(())
}

/// Classification against the gold labels, per field: right / judged.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Classification {
    /// Documents with gold labels, and those of them that were indexed.
    pub gold: usize,
    pub indexed: usize,
    pub county: Tally,
    pub municipality: Tally,
    pub period: Tally,
    pub doc_type: Tally,
    pub language: Tally,
    pub on_topic: Tally,
    /// Goal areas, micro-averaged over (document, goal) pairs.
    pub goals: GoalTally,
    /// Each document's field that was wrong: (url, field, gold, plansok's).
    pub misses: Vec<(String, String, String, String)>,
}

#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Tally {
    pub right: usize,
    pub judged: usize,
}

impl Tally {
    pub fn accuracy(&self) -> f64 {
        self.right as f64 / self.judged.max(1) as f64
    }
}

#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct GoalTally {
    pub true_pos: usize,
    pub false_pos: usize,
    pub false_neg: usize,
}

impl GoalTally {
    pub fn f1(&self) -> f64 {
        let tp = self.true_pos as f64;
        let denominator = 2.0 * tp + (self.false_pos + self.false_neg) as f64;
        if denominator == 0.0 {
            1.0
        } else {
            2.0 * tp / denominator
        }
    }
}

impl Classification {
    /// Scores the indexed documents `metas` against `gold`.
    pub fn score(gold: &GoldSet, metas: &[DocMeta], tax: &Taxonomy) -> Classification {
        let mut c = Classification {
            gold: gold.len(),
            ..Classification::default()
        };
        for m in metas {
            let Some(g) = m.path.as_deref().and_then(|p| gold.of(p)) else {
                continue;
            };
            c.indexed += 1;
            let url = m.url.clone().unwrap_or_default();
            let county = county_slug(tax, m.region.as_deref());
            let period = m
                .period
                .map(|p| format!("{}-{}", p.start, p.end))
                .unwrap_or_default();
            let lang = language_class(&m.lang);
            let fields = [
                ("county", &mut c.county, g.county.clone(), county),
                (
                    "municipality",
                    &mut c.municipality,
                    municipality_name(tax, &g.municipality),
                    municipality_name(tax, m.municipality.as_deref().unwrap_or("")),
                ),
                ("period", &mut c.period, g.period.clone(), period),
                (
                    "type",
                    &mut c.doc_type,
                    g.doc_type.clone(),
                    m.doc_type.slug().to_string(),
                ),
                (
                    "language",
                    &mut c.language,
                    language_class(&g.language),
                    lang,
                ),
                (
                    "on_topic",
                    &mut c.on_topic,
                    g.on_topic.to_string(),
                    m.on_topic.to_string(),
                ),
            ];
            for (name, tally, want, have) in fields {
                tally.judged += 1;
                if want == have {
                    tally.right += 1;
                } else {
                    c.misses.push((url.clone(), name.into(), want, have));
                }
            }
            let have: Vec<&str> = m.goals.iter().map(|g| g.slug()).collect();
            for goal in &have {
                if g.goals.iter().any(|w| w == goal) {
                    c.goals.true_pos += 1;
                } else {
                    c.goals.false_pos += 1;
                }
            }
            let missed = g
                .goals
                .iter()
                .filter(|w| !have.contains(&w.as_str()))
                .count();
            c.goals.false_neg += missed;
            let extra = have.iter().any(|h| !g.goals.iter().any(|w| w == h));
            if missed > 0 || extra {
                let mut want = g.goals.clone();
                want.sort();
                let mut have: Vec<String> = have.iter().map(|h| h.to_string()).collect();
                have.sort();
                c.misses
                    .push((url.clone(), "goals".into(), want.join(","), have.join(",")));
            }
        }
        c
    }
}

/// The slug of the county named `region` (a full name, as documents carry it); "" for none.
pub(crate) fn county_slug(tax: &Taxonomy, region: Option<&str>) -> String {
    region
        .and_then(|r| tax.county_by_name(r))
        .map(|c| c.slug.clone())
        .unwrap_or_default()
}

/// A municipality by its name in the taxonomy ("Gävle kommun" and "Gävle" are one), else as
/// given.
fn municipality_name(tax: &Taxonomy, name: &str) -> String {
    tax.resolve(name)
        .and_then(|r| r.municipality)
        .map_or_else(|| name.to_string(), |m| m.name.clone())
}

/// Swedish and English as themselves; every other language as `other` (plansok indexes
/// Swedish and English text, and maps the rest to `other`).
fn language_class(lang: &str) -> String {
    match lang {
        "sv" | "en" => lang.to_string(),
        _ => "other".to_string(),
    }
}
