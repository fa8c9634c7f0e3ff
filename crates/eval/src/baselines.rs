//! External baselines scored in the same run as plansok: a stock Xapian index and PostgreSQL's
//! full-text search, both with the Swedish Snowball stemmer, run by
//! `crates/eval/scripts/baselines.py` over the very texts plansok indexed (each document's
//! title and body, or each passage's heading and text). A county-filtered query gives them the
//! gold county of each unit where the corpus has gold labels.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Deserialize;
use serde_json::json;

use plansok_index::{search_passages, SearchIndex, SearchRequest};
use plansok_model::Taxonomy;

use crate::gold::{county_slug, GoldSet};
use crate::{document_grade, every_hit, mean, normalise, passage_grade};
use crate::{EvalError, QueryScore, Report, Scores, DEPTH};
use crate::{JudgedQuery, Judgments, Level};

/// The engines the script runs, as the table names them.
pub const ENGINES: [(&str, &str); 2] = [
    ("xapian", "Xapian BM25 (sv stemmer)"),
    ("postgres", "PostgreSQL ts_rank_cd (swedish)"),
];

/// The script, beside this crate's sources.
fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/baselines.py")
}

/// One unit as the script reads it, with what grades it.
struct Unit {
    title: String,
    text: String,
    county: String,
    /// The URL (documents) or the normalised text (passages) a judgment matches.
    key: String,
}

/// Scores both baselines on every judged query (one report per engine).
pub fn evaluate_baselines(
    index: &SearchIndex,
    tax: &Taxonomy,
    judgments: &Judgments,
    gold: &GoldSet,
) -> Result<Vec<Report>, EvalError> {
    let mut ranked: Vec<Vec<Vec<u8>>> =
        vec![vec![Vec::new(); judgments.query.len()]; ENGINES.len()];
    let mut all_grades = vec![Vec::new(); judgments.query.len()];
    for level in [Level::Document, Level::Passage] {
        let queries: Vec<(usize, &JudgedQuery)> = judgments
            .query
            .iter()
            .enumerate()
            .filter(|(_, q)| q.level == level)
            .collect();
        if queries.is_empty() {
            continue;
        }
        let units = units(index, tax, gold, level)?;
        let answers = run_script(&units, &queries)?;
        for (i, jq) in &queries {
            let grade = |u: &Unit| match level {
                Level::Document => document_grade(jq, &u.key),
                Level::Passage => passage_grade(jq, &u.key),
            };
            all_grades[*i] = units.iter().map(grade).filter(|g| *g > 0).collect();
            for (e, (engine, _)) in ENGINES.iter().enumerate() {
                let ids = answers.get(*engine).and_then(|a| a.get(&i.to_string()));
                ranked[e][*i] = ids
                    .into_iter()
                    .flatten()
                    .filter_map(|id| id.parse::<usize>().ok())
                    .filter_map(|n| units.get(n))
                    .map(grade)
                    .collect();
            }
        }
    }
    Ok(ENGINES
        .iter()
        .enumerate()
        .map(|(e, (_, name))| {
            let per_query: Vec<QueryScore> = judgments
                .query
                .iter()
                .enumerate()
                .map(|(i, jq)| QueryScore {
                    q: jq.q.clone(),
                    scores: Scores::of(&ranked[e][i], &all_grades[i]),
                    top: Vec::new(),
                })
                .collect();
            Report {
                name: name.to_string(),
                variant: None,
                mean: mean(&per_query),
                per_query,
                index_bytes: 0,
                ingest_secs: 0.0,
            }
        })
        .collect())
}

/// Every document (title, body) or passage (heading, text) of the index.
fn units(
    index: &SearchIndex,
    tax: &Taxonomy,
    gold: &GoldSet,
    level: Level,
) -> Result<Vec<Unit>, EvalError> {
    let slug = |region: Option<&str>| county_slug(tax, region);
    let county = |path: Option<&str>, region: Option<&str>| {
        path.and_then(|p| gold.of(p))
            .map(|g| g.county.clone())
            .unwrap_or_else(|| slug(region))
    };
    if level == Level::Passage {
        let all = SearchRequest::default();
        return Ok(search_passages(index, tax, &all, 1_000_000, 0)?
            .into_iter()
            .map(|p| Unit {
                county: slug(p.region.as_deref()),
                key: normalise(&p.text),
                title: p.heading.unwrap_or_default(),
                text: p.text,
            })
            .collect());
    }
    let mut out = Vec::new();
    for h in every_hit(index, tax)? {
        let text = index.document(&h.id)?.map(|d| d.text).unwrap_or_default();
        out.push(Unit {
            county: county(h.path.as_deref(), h.region.as_deref()),
            key: h.url.clone().unwrap_or_default(),
            title: h.title,
            text,
        });
    }
    Ok(out)
}

#[derive(Deserialize)]
struct Answers {
    #[serde(flatten)]
    engines: std::collections::HashMap<String, serde_json::Value>,
}

/// Runs the script on `units` and `queries`; per engine, per query index, the ranked unit ids.
fn run_script(
    units: &[Unit],
    queries: &[(usize, &JudgedQuery)],
) -> Result<
    std::collections::HashMap<String, std::collections::HashMap<String, Vec<String>>>,
    EvalError,
> {
    let dir = tempfile::tempdir()?;
    let units_path = dir.path().join("units.jsonl");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&units_path)?);
    for (i, u) in units.iter().enumerate() {
        let line =
            json!({"id": i.to_string(), "title": u.title, "text": u.text, "county": u.county});
        writeln!(f, "{line}")?;
    }
    f.flush()?;
    drop(f);
    let queries_path = dir.path().join("queries.jsonl");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&queries_path)?);
    for (i, q) in queries {
        let line = json!({"id": i.to_string(), "q": q.q, "county": q.region});
        writeln!(f, "{line}")?;
    }
    f.flush()?;
    drop(f);
    let out = Command::new("/usr/bin/python3")
        .arg(script())
        .arg("--units")
        .arg(&units_path)
        .arg("--queries")
        .arg(&queries_path)
        .arg("--k")
        .arg(DEPTH.to_string())
        .output()
        .map_err(|e| EvalError::Baseline(format!("cannot run /usr/bin/python3: {e}")))?;
    if !out.status.success() {
        return Err(EvalError::Baseline(format!(
            "{} failed: {}",
            script().display(),
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    let answers: Answers = serde_json::from_slice(&out.stdout)
        .map_err(|e| EvalError::Baseline(format!("unreadable answer of the script: {e}")))?;
    Ok(answers
        .engines
        .into_iter()
        .filter(|(k, _)| k != "info")
        .filter_map(|(k, v)| serde_json::from_value(v).ok().map(|m| (k, m)))
        .collect())
}
