//! The cost of the Swedish analysis, each next to its baseline in the same run:
//!
//! - index size and ingest time with compound splitting against without (stemming only), on
//!   the sample corpus scaled up (PLANSOK_BENCH_COPIES copies, default 20; medians of
//!   PLANSOK_BENCH_RUNS runs, default 3);
//! - query latency of a mix of field queries (abbreviations, compounds) with synonyms and
//!   compound rewriting, against the same queries without synonyms, and against the
//!   stemming-only index.
//!
//! `cargo bench -p plansok --bench analysis`

use std::path::{Path, PathBuf};
use std::time::Instant;

use plansok_index::search;
use plansok_index::{SearchConfig, SearchIndex, SearchRequest};
use plansok_model::Taxonomy;

mod support;
use support::{env_usize, median, percentile, scaled_corpus};

const QUERIES: [&str; 8] = [
    "MVK",
    "VNR riskbedömning",
    "hedersvåld",
    "kvinnofridsarbete",
    "HRV skolan",
    "behandling för våldsutövare",
    "utsatta kvinnor",
    "barnahus",
];

fn config(compounds: bool, synonyms: bool) -> SearchConfig {
    let mut cfg = SearchConfig::load().unwrap();
    cfg.analysis.compounds.enabled = compounds;
    if !synonyms {
        cfg.synonyms.groups.clear();
    }
    cfg
}

fn ingest(files: &[PathBuf], dir: &Path, compounds: bool) -> f64 {
    let mut p = support::pipeline_on(dir, config(compounds, true));
    let t = Instant::now();
    for f in files {
        let _ = p.ingest_file(f);
    }
    p.commit().unwrap();
    t.elapsed().as_secs_f64()
}

/// Latencies (ms) of the query mix, `rounds` times.
fn latencies(store: &SearchIndex, rounds: usize) -> Vec<f64> {
    let tax = Taxonomy::load().unwrap();
    let mut out = Vec::new();
    for _ in 0..rounds {
        for q in QUERIES {
            let req = SearchRequest {
                query: q.into(),
                ..Default::default()
            };
            let t = Instant::now();
            std::hint::black_box(search(store, &tax, &req).unwrap());
            out.push(t.elapsed().as_secs_f64() * 1000.0);
        }
    }
    out
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let copies = env_usize("PLANSOK_BENCH_COPIES", 20);
    let runs = env_usize("PLANSOK_BENCH_RUNS", 3).max(1);
    let rounds = env_usize("PLANSOK_BENCH_ROUNDS", 50);
    let work = tempfile::tempdir().unwrap();
    let (files, bytes) = scaled_corpus(&work.path().join("corpus"), copies);
    println!(
        "corpus: {} files ({copies} copies of the sample), {:.1} MB",
        files.len(),
        bytes as f64 / 1e6
    );
    let mut rows = Vec::new();
    for compounds in [false, true] {
        let mut times = Vec::new();
        let mut size = 0;
        for r in 0..runs {
            let dir = work.path().join(format!("index-{compounds}-{r}"));
            times.push(ingest(&files, &dir, compounds));
            size = support::dir_bytes(&dir);
        }
        rows.push((compounds, median(times), size));
    }
    println!("\ningest and index size (median of {runs} runs)");
    for (compounds, t, size) in &rows {
        let name = if *compounds {
            "with compound splitting"
        } else {
            "baseline: stemming only"
        };
        println!(
            "  {name:<28} {t:>7.2} s {:>9.1} docs/s {:>8.1} MB index",
            files.len() as f64 / t,
            *size as f64 / 1e6
        );
    }
    println!(
        "  ratio with/without: ingest time {:.2}, index size {:.2}",
        rows[1].1 / rows[0].1,
        rows[1].2 as f64 / rows[0].2 as f64
    );

    let full_dir = work.path().join("index-true-0");
    let plain_dir = work.path().join("index-false-0");
    let cases = [
        ("full: synonyms + compounds", &full_dir, true),
        ("same index, no synonyms", &full_dir, false),
        (
            "baseline: stemming-only index, no synonyms",
            &plain_dir,
            false,
        ),
    ];
    println!(
        "\nquery latency ({} queries × {rounds} rounds: {})",
        QUERIES.len(),
        QUERIES.join(", ")
    );
    let mut medians = Vec::new();
    for (name, dir, synonyms) in cases {
        let store = SearchIndex::open(dir, config(true, synonyms)).unwrap();
        let l = latencies(&store, rounds);
        let m = median(l.clone());
        medians.push(m);
        println!(
            "  {name:<44} median {m:>7.3} ms  p95 {:>7.3} ms",
            percentile(l, 0.95)
        );
    }
    println!(
        "  ratio full/no synonyms {:.2}, full/stemming-only {:.2}",
        medians[0] / medians[1],
        medians[0] / medians[2]
    );
}
