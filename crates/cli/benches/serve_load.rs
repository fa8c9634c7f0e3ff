//! Load on the HTTP API: many concurrent clients against /api/search with a mix of queries and
//! filters, on an index of the sample corpus scaled to at least 100,000 passages. The baseline
//! in the same run is /api/health under the same load (the cost of the HTTP stack alone).
//! Reports requests/s, p50/p99 latency and the peak memory of the process (server and
//! clients share it, so the figure is an upper bound for the server).
//!
//! `cargo bench -p plansok --bench serve_load` (PLANSOK_BENCH_COPIES, default 260 copies of
//! the sample; PLANSOK_BENCH_CLIENTS, default 32; PLANSOK_BENCH_SECS per phase, default 10).

#[path = "support/mod.rs"]
mod support;
use support::{phase, MIX};

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use plansok_classify::Classifier;
use plansok_extract::ExtractConfig;
use plansok_index::{IndexStore, SearchConfig};
use plansok_ingest::{collect_files, IngestOptions, Pipeline};
use plansok_model::Taxonomy;
use plansok_server::{AppState, ServerSettings};

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn build_index(dir: &Path, copies: usize) -> (usize, usize) {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../corpus/sample");
    let opts = IngestOptions::load().unwrap();
    let (files, _) = collect_files(std::slice::from_ref(&sample), &opts.ignore_file_names);
    let docs = dir.join("docs");
    for c in 0..copies {
        for f in &files {
            let rel = f.strip_prefix(&sample).unwrap();
            let mut parts = rel.components();
            let host = parts.next().unwrap();
            let target = docs
                .join(host)
                .join(format!("copy{c}"))
                .join(parts.as_path());
            std::fs::create_dir_all(target.parent().unwrap()).unwrap();
            let mut bytes = std::fs::read(f).unwrap();
            bytes.extend_from_slice(format!("\n<!-- {c} -->\n").as_bytes());
            std::fs::write(target, bytes).unwrap();
        }
    }
    let store = IndexStore::open(&dir.join("index"), SearchConfig::load().unwrap()).unwrap();
    let mut p = Pipeline::new(
        ExtractConfig::load().unwrap(),
        Classifier::load().unwrap(),
        store,
        opts,
    );
    p.ingest_paths(&[docs], |_, _| {}).unwrap();
    let stats = plansok_index::stats::stats(p.store()).unwrap();
    (stats.documents.total, stats.passages.total)
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let copies = env("PLANSOK_BENCH_COPIES", 260);
    let clients = env("PLANSOK_BENCH_CLIENTS", 32);
    let secs = env("PLANSOK_BENCH_SECS", 10) as u64;
    let dir = tempfile::tempdir().unwrap();
    let t = Instant::now();
    let (docs, passages) = build_index(dir.path(), copies);
    println!(
        "index: {docs} documents, {passages} passages (built in {:.0} s)",
        t.elapsed().as_secs_f64()
    );
    let rss_before = support::peak_rss_mb();
    let store = IndexStore::open_existing(&dir.path().join("index"), SearchConfig::load().unwrap())
        .unwrap();
    let state = Arc::new(AppState::new(
        store,
        Taxonomy::load().unwrap(),
        ServerSettings::load().unwrap(),
    ));
    let rt = tokio::runtime::Runtime::new().unwrap();
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    rt.spawn(async move { axum::serve(listener, plansok_server::router(state)).await });
    let (h_rps, h50, h99, h_err) = rt.block_on(phase(&base, &["/api/health"], clients, secs));
    let (s_rps, s50, s99, s_err) = rt.block_on(phase(&base, &MIX, clients, secs));
    println!("{clients} concurrent clients, {secs} s per phase");
    println!(
        "  {:<44} {:>9.0} req/s  p50 {:>7.2} ms  p99 {:>7.2} ms  errors {}",
        "/api/search, 8-query mix with filters", s_rps, s50, s99, s_err
    );
    println!(
        "  {:<44} {:>9.0} req/s  p50 {:>7.2} ms  p99 {:>7.2} ms  errors {}",
        "baseline: /api/health (HTTP stack only)", h_rps, h50, h99, h_err
    );
    println!("  ratio health/search throughput: {:.1}", h_rps / s_rps);
    println!("  peak memory: {:.0} MB after indexing, {:.0} MB after the load (one process: index build, server, clients)", rss_before, support::peak_rss_mb());
}
