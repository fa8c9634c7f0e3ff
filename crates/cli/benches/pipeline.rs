//! Ingest throughput and search latency on the sample corpus scaled up, each next to a
//! baseline measured in the same run.
//!
//! `cargo bench -p plansok --bench pipeline` (copies of the corpus: PLANSOK_BENCH_COPIES,
//! default 20; repetitions: PLANSOK_BENCH_RUNS, default 3).
//!
//! - Ingest: the whole pipeline (extract + classify + index + commit) against extraction
//!   alone, on the same files: documents/s and MB/s, medians over the runs.
//! - Search: plansok's search (query + facets under filters + snippets) against a linear scan
//!   of all document texts in memory for the same words (what a grep over the corpus costs);
//!   median and p95 latency per query over a fixed query mix.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use plansok_classify::Classifier;
use plansok_extract::{extract, ExtractConfig, Format, Hints};
use plansok_index::search::search;
use plansok_index::{IndexStore, SearchConfig, SearchRequest};
use plansok_ingest::{IngestOptions, Pipeline};
use plansok_model::Taxonomy;

mod support;
use support::{env_usize, median, percentile, scaled_corpus};

fn ingest_once(files: &[PathBuf]) -> (Duration, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = IndexStore::open(&dir.path().join("index"), SearchConfig::load().unwrap()).unwrap();
    let mut p = Pipeline::new(
        ExtractConfig::load().unwrap(),
        Classifier::load().unwrap(),
        store,
        IngestOptions::load().unwrap(),
    );
    let t = Instant::now();
    for f in files {
        let _ = p.ingest_file(f);
    }
    p.commit().unwrap();
    (t.elapsed(), dir)
}

fn extract_once(files: &[PathBuf]) -> (Duration, Vec<String>) {
    let cfg = ExtractConfig::load().unwrap();
    let t = Instant::now();
    let mut texts = Vec::new();
    for f in files {
        let bytes = std::fs::read(f).unwrap();
        let format = Format::from_extension(f.extension().unwrap().to_str().unwrap()).unwrap();
        if let Ok(e) = extract(&cfg, &bytes, format, &Hints::default()) {
            texts.push(e.body().to_lowercase());
        }
    }
    (t.elapsed(), texts)
}

fn main() {
    // `cargo test --benches` runs bench binaries with --bench absent; do nothing then.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let copies = env_usize("PLANSOK_BENCH_COPIES", 20);
    let runs = env_usize("PLANSOK_BENCH_RUNS", 3).max(1);
    let work = tempfile::tempdir().unwrap();
    let (files, bytes) = scaled_corpus(work.path(), copies);
    let mb = bytes as f64 / 1e6;
    println!(
        "corpus: {} files ({copies} copies of the sample), {mb:.1} MB",
        files.len()
    );

    let mut full = Vec::new();
    let mut base = Vec::new();
    let mut index_dir = None;
    let mut texts = Vec::new();
    for _ in 0..runs {
        let (t, dir) = ingest_once(&files);
        full.push(t.as_secs_f64());
        index_dir = Some(dir);
        let (t, x) = extract_once(&files);
        base.push(t.as_secs_f64());
        texts = x;
    }
    let (f, b) = (median(full), median(base));
    let n = files.len() as f64;
    println!("\ningest (median of {runs} runs)");
    println!(
        "  {:<34} {:>9.1} docs/s {:>7.2} MB/s {:>8.2} s",
        "full pipeline (plansok ingest)",
        n / f,
        mb / f,
        f
    );
    println!(
        "  {:<34} {:>9.1} docs/s {:>7.2} MB/s {:>8.2} s",
        "baseline: extraction alone",
        n / b,
        mb / b,
        b
    );
    println!("  ratio full/extraction time: {:.2}", f / b);

    let dir = index_dir.unwrap();
    let store = IndexStore::open_existing(&dir.path().join("index"), SearchConfig::load().unwrap())
        .unwrap();
    let tax = Taxonomy::load().unwrap();
    let mix: Vec<(SearchRequest, Vec<&str>)> = vec![
        (
            SearchRequest {
                query: "våld".into(),
                ..Default::default()
            },
            vec!["våld"],
        ),
        (
            SearchRequest {
                query: "skyddat boende".into(),
                regions: vec!["skane".into()],
                ..Default::default()
            },
            vec!["skyddat", "boende"],
        ),
        (
            SearchRequest {
                query: "hedersrelaterat våld".into(),
                period: Some("2025".into()),
                ..Default::default()
            },
            vec!["hedersrelaterat", "våld"],
        ),
        (
            SearchRequest {
                query: "riskbedömning".into(),
                goals: vec!["skydd-och-stod".into()],
                ..Default::default()
            },
            vec!["riskbedömning"],
        ),
        (
            SearchRequest {
                query: "barnahus".into(),
                types: vec!["handlingsplan".into()],
                ..Default::default()
            },
            vec!["barnahus"],
        ),
        (
            SearchRequest {
                query: "\"våld i nära relationer\"".into(),
                ..Default::default()
            },
            vec!["våld i nära relationer"],
        ),
    ];
    let rounds = env_usize("PLANSOK_BENCH_ROUNDS", 50);
    let mut ours = Vec::new();
    let mut scan = Vec::new();
    for _ in 0..rounds {
        for (req, words) in &mix {
            let t = Instant::now();
            let r = search(&store, &tax, req).unwrap();
            ours.push(t.elapsed().as_secs_f64() * 1000.0);
            std::hint::black_box(r);
            let t = Instant::now();
            let hits = texts
                .iter()
                .filter(|x| words.iter().all(|w| x.contains(w)))
                .count();
            scan.push(t.elapsed().as_secs_f64() * 1000.0);
            std::hint::black_box(hits);
        }
    }
    let (om, sm) = (median(ours.clone()), median(scan.clone()));
    println!(
        "\nsearch over {} documents ({} queries × {rounds} rounds)",
        texts.len(),
        mix.len()
    );
    println!(
        "  {:<58} median {:>7.3} ms  p95 {:>7.3} ms",
        "plansok (query + 6 facets + snippets + filters)",
        om,
        percentile(ours, 0.95)
    );
    println!(
        "  {:<58} median {:>7.3} ms  p95 {:>7.3} ms",
        "baseline: linear substring scan of the texts (no ranking)",
        sm,
        percentile(scan, 0.95)
    );
    println!("  ratio plansok/scan median: {:.2}", om / sm);
}
