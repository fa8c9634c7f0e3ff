//! `plansok search` and `plansok stats`.

use std::path::Path;

use anyhow::Context;

use plansok_index::{IndexError, SearchConfig, SearchIndex, SearchRequest};
use plansok_model::Taxonomy;

use crate::output;
use crate::{DataArg, UsageError};

#[derive(clap::Args)]
pub struct SearchArgs {
    #[command(flatten)]
    data: DataArg,
    /// County (full or short name, slug or code) or municipality; repeat for OR.
    #[arg(long)]
    region: Vec<String>,
    /// A year ("2025": in force in 2025) or a range ("2022-2024": overlapping it).
    #[arg(long)]
    period: Option<String>,
    /// Goal area: forebyggande, skydd-och-stod, brottsbekampning, kunskap-och-metod; repeat for OR.
    #[arg(long)]
    goal: Vec<String>,
    /// Type: handlingsplan, overenskommelse, strategi, nyhet, kunskapsstod, annat; repeat for OR.
    #[arg(long = "type")]
    doc_type: Vec<String>,
    /// Organisation (exact name); repeat for OR.
    #[arg(long)]
    org: Vec<String>,
    /// Language (ISO 639-1).
    #[arg(long)]
    lang: Option<String>,
    /// on: only documents about the topic; off: only those that share its words.
    #[arg(long)]
    topic: Option<String>,
    #[arg(long)]
    limit: Option<usize>,
    #[arg(long, default_value_t = 0)]
    offset: usize,
    /// Newest plan periods first instead of by relevance.
    #[arg(long = "by-date")]
    sort_by_date: bool,
    /// Read the query by the strict grammar: a query it cannot read is an error (by default
    /// stray punctuation is read as spaces).
    #[arg(long)]
    strict: bool,
    /// List near-duplicates (the same text on several sites) as hits of their own instead of
    /// folding them into the best one's `also_at`.
    #[arg(long = "keep-duplicates")]
    keep_duplicates: bool,
    /// Print the JSON object of docs/api.md (the search response).
    #[arg(long)]
    json: bool,
    /// The query (words, "phrases", AND/OR/NOT, +/-); empty lists everything.
    #[arg(default_value = "")]
    query: Vec<String>,
}

pub fn run(a: &SearchArgs) -> anyhow::Result<()> {
    let store = SearchIndex::open(&a.data.index_dir(), SearchConfig::load()?)?;
    let taxonomy = Taxonomy::load()?;
    let req = SearchRequest {
        query: a.query.join(" "),
        regions: a.region.clone(),
        period: a.period.clone(),
        goals: a.goal.clone(),
        types: a.doc_type.clone(),
        orgs: a.org.clone(),
        langs: a.lang.iter().cloned().collect(),
        topics: a.topic.iter().cloned().collect(),
        limit: a.limit,
        offset: a.offset,
        sort_by_date: a.sort_by_date,
        strict_syntax: a.strict,
        keep_near_duplicates: a.keep_duplicates,
    };
    let resp = plansok_index::search(&store, &taxonomy, &req).map_err(|e| match e {
        IndexError::InvalidFilter { .. } => anyhow::Error::new(UsageError(e.to_string())),
        e => anyhow::Error::new(e),
    })?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&resp)?);
    } else {
        print!("{}", output::search_table(&resp));
    }
    Ok(())
}

pub fn stats(index_dir: &Path, json: bool) -> anyhow::Result<()> {
    let store = SearchIndex::open(index_dir, SearchConfig::load()?)?;
    let stats = plansok_index::stats(&store).context("counting")?;
    if json {
        println!("{}", serde_json::to_string_pretty(&stats)?);
    } else {
        print!("{}", output::stats_table(&stats));
    }
    Ok(())
}

/// `plansok lexicon`: words of the index to learn as compound parts, in the lexicon's format.
pub fn lexicon(index_dir: &Path, min_docs: u64, min_chars: usize) -> anyhow::Result<()> {
    let store = SearchIndex::open(index_dir, SearchConfig::load()?)?;
    let words = plansok_index::learn_words(&store, min_docs, min_chars)
        .context("reading the words of the index")?;
    println!(
        "# {} words of {} in at least {min_docs} documents, unknown to the lexicon and not compounds of known parts",
        words.len(),
        index_dir.display()
    );
    for w in words {
        println!("# {} documents\nB {}\nE {}", w.documents, w.word, w.word);
    }
    Ok(())
}
