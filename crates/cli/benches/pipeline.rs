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

use plansok_extract::{extract, ExtractConfig, Format, Hints};
use plansok_index::search;
use plansok_index::{SearchConfig, SearchIndex, SearchRequest};
use plansok_model::Taxonomy;

mod support;
use support::{env_usize, median, percentile, scaled_corpus};

fn ingest_once(files: &[PathBuf]) -> (Duration, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let mut p = support::pipeline_on(&dir.path().join("index"), SearchConfig::load().unwrap());
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

/// Longest pdftotext may take on one file.
const PDFTOTEXT_LIMIT_SECS: u64 = 20;

/// plansok's PDF extraction against pdftotext (poppler-utils) on the same files: the sample's
/// PDFs and, when `../shared` is beside the repository, its fixtures and real-world PDFs.
fn pdf_against_pdftotext() {
    let mut pdfs: Vec<PathBuf> = Vec::new();
    for dir in ["corpus/sample", "../shared/fixtures", "../shared/realworld"] {
        let dir = support::repo().join(dir);
        pdfs.extend(
            walkdir::WalkDir::new(&dir)
                .into_iter()
                .filter_map(Result::ok)
                .map(|e| e.into_path())
                .filter(|p| p.extension().is_some_and(|e| e == "pdf")),
        );
    }
    if std::process::Command::new("pdftotext")
        .arg("-v")
        .output()
        .is_err()
    {
        println!("pdftotext: not installed (apt-get install poppler-utils); comparison skipped");
        return;
    }
    let cfg = ExtractConfig::load().unwrap();
    let (mut ours, mut theirs, mut ratios, mut timeouts) = (0.0, 0.0, Vec::new(), 0);
    for p in &pdfs {
        let bytes = std::fs::read(p).unwrap();
        let t = Instant::now();
        let _ = extract(&cfg, &bytes, Format::Pdf, &Hints::default());
        let a = t.elapsed().as_secs_f64();
        let t = Instant::now();
        // pdftotext has no limit of its own: some hostile files run for minutes.
        let status = std::process::Command::new("timeout")
            .args([PDFTOTEXT_LIMIT_SECS.to_string().as_str(), "pdftotext"])
            .arg(p)
            .arg("-")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status();
        if status.is_ok_and(|s| s.code() == Some(124)) {
            timeouts += 1;
        }
        let b = t.elapsed().as_secs_f64();
        ours += a;
        theirs += b;
        ratios.push(a / b.max(1e-9));
    }
    println!(
        "\nPDF extraction, {} files: plansok {:.2} s, pdftotext {:.2} s (one process per file, {timeouts} stopped at {PDFTOTEXT_LIMIT_SECS} s); median per-file ratio plansok/pdftotext {:.2}",
        pdfs.len(),
        ours,
        theirs,
        median(ratios)
    );
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

    pdf_against_pdftotext();
    let mut full = Vec::new();
    let mut base = Vec::new();
    let mut index_dir = None;
    let mut texts = Vec::new();
    let mut ingest_rss = 0.0;
    for _ in 0..runs {
        let (t, dir) = ingest_once(&files);
        full.push(t.as_secs_f64());
        if ingest_rss == 0.0 {
            ingest_rss = support::peak_rss_mb();
        }
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
    let store =
        SearchIndex::open(&dir.path().join("index"), SearchConfig::load().unwrap()).unwrap();
    let stats = plansok_index::stats(&store).unwrap();
    let index_bytes = support::dir_bytes(&dir.path().join("index"));
    println!(
        "  index: {} documents, {} passages, {:.1} MB ({:.0} bytes per passage); peak memory after the first ingest {:.0} MB",
        stats.documents.total,
        stats.passages.total,
        index_bytes as f64 / 1e6,
        index_bytes as f64 / stats.passages.total.max(1) as f64,
        ingest_rss
    );
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
