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

use plansok_index::{SearchConfig, SearchIndex};
use plansok_model::Taxonomy;
use plansok_server::{AppState, ServerSettings};

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn build_index(dir: &Path, copies: usize) -> (usize, usize) {
    let (files, _) = support::scaled_corpus(&dir.join("docs"), copies);
    let mut p = support::pipeline_on(&dir.join("index"), SearchConfig::load().unwrap());
    for f in &files {
        let _ = p.ingest_file(f);
    }
    p.commit().unwrap();
    let stats = plansok_index::stats(p.store()).unwrap();
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
    let store =
        SearchIndex::open(&dir.path().join("index"), SearchConfig::load().unwrap()).unwrap();
    // Every request searched: the response cache is off unless PLANSOK_BENCH_CACHE sets its size.
    let mut settings = ServerSettings::load().unwrap();
    settings.search_cache_entries = env("PLANSOK_BENCH_CACHE", 0);
    let state = Arc::new(AppState::new(store, Taxonomy::load().unwrap(), settings));
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
