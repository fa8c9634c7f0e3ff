//! Crawl throughput against a local mirror with politeness off, next to a baseline in the same
//! run: plain sequential GETs of the same URLs with reqwest (no robots.txt, catalog, store or
//! index). Reports pages/s for both, their ratio, and the peak memory of this process.
//!
//! `cargo bench -p plansok --bench crawl` (copies of the sample mirror: PLANSOK_BENCH_COPIES,
//! default 10).

#[path = "../../../tests/common/mirror.rs"]
mod mirror;

#[path = "support/mod.rs"]
mod support;

use std::path::{Path, PathBuf};
use std::time::Instant;

use plansok_classify::Classifier;
use plansok_crawl::{CrawlConfig, Crawler};
use plansok_extract::ExtractConfig;
use plansok_index::{Indexer, SearchConfig};
use plansok_ingest::{IngestOptions, Pipeline};
use plansok_model::Taxonomy;

/// Copies the lansstyrelsen.se part of the sample `copies` times, as counties `<slug>-c<N>`.
fn scaled_mirror(dir: &Path, copies: usize) -> Vec<String> {
    let src =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../corpus/sample/www.lansstyrelsen.se");
    let mut starts = Vec::new();
    let tax = Taxonomy::load().unwrap();
    for c in 0..copies {
        for county in tax.counties() {
            let from = src.join(&county.slug);
            let to_slug = format!("{}-c{c}", county.slug);
            for e in walkdir::WalkDir::new(&from)
                .into_iter()
                .filter_map(Result::ok)
                .filter(|e| e.file_type().is_file())
            {
                let rel = e.path().strip_prefix(&from).unwrap();
                let target = dir.join("www.lansstyrelsen.se").join(&to_slug).join(rel);
                std::fs::create_dir_all(target.parent().unwrap()).unwrap();
                let mut bytes = std::fs::read(e.path()).unwrap();
                if e.path().extension().is_some_and(|x| x == "html") {
                    let html = String::from_utf8_lossy(&bytes).replace(
                        &format!("href=\"/{}/", county.slug),
                        &format!("href=\"/{to_slug}/"),
                    );
                    bytes = html.into_bytes();
                } else {
                    bytes.extend_from_slice(format!("\n% copy {c}\n").as_bytes());
                }
                std::fs::write(target, bytes).unwrap();
            }
            starts.push(format!("http://www.lansstyrelsen.se/{to_slug}/samhalle/social-hallbarhet/mans-vald-mot-kvinnor.html"));
        }
    }
    std::fs::write(
        dir.join("www.lansstyrelsen.se/robots.txt"),
        "User-agent: *\nDisallow: /intern/\n",
    )
    .unwrap();
    starts
}

fn config(addr: std::net::SocketAddr, starts: &[String]) -> String {
    let mut t = format!(
        "[crawl]\nuser_agent = \"plansok-bench/0.1 (+http://127.0.0.1/)\"\ndelay_ms = 0\nconcurrency_per_host = 1\nallow_private = true\nmax_pages = 1000000\n\
         relevance_words = [\"mäns våld mot kvinnor\"]\nresolve = {{ \"www.lansstyrelsen.se\" = \"{addr}\" }}\n\n"
    );
    for (i, s) in starts.iter().enumerate() {
        let prefix = &s[..s.find("/samhalle/").unwrap() + 1];
        t += &format!("[[source]]\nid = \"s{i}\"\ncounty = \"Jämtlands län\"\norganisation = \"x\"\nstart = [\"{s}\"]\nallow = [\"{prefix}\"]\npdf_hosts = [\"www.lansstyrelsen.se\"]\nmax_depth = 2\n\n");
    }
    t
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let copies: usize = std::env::var("PLANSOK_BENCH_COPIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10);
    let site = tempfile::tempdir().unwrap();
    let starts = scaled_mirror(site.path(), copies);
    let m = mirror::Mirror::start(PathBuf::from(site.path()));
    let data = tempfile::tempdir().unwrap();
    let cfg = CrawlConfig::from_toml(&config(m.addr, &starts)).unwrap();
    let store = Indexer::open(&data.path().join("index"), SearchConfig::load().unwrap()).unwrap();
    let pipeline = Pipeline::new(
        ExtractConfig::load().unwrap(),
        Classifier::load().unwrap(),
        store,
        IngestOptions::load().unwrap(),
    );
    let crawler = Crawler::new(cfg, &data.path().join("store"), None).unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let t = Instant::now();
    let report = rt
        .block_on(crawler.run(pipeline, &data.path().join("store"), |_| {}))
        .unwrap();
    let crawl_s = t.elapsed().as_secs_f64();
    let pages = report.fetched();

    // Baseline: the same URLs, fetched one after another with a bare client.
    let urls: Vec<String> = m
        .state
        .log
        .lock()
        .unwrap()
        .iter()
        .map(|(h, p, _)| format!("http://{h}{p}"))
        .filter(|u| !u.ends_with("robots.txt"))
        .collect();
    let client = reqwest::Client::builder()
        .resolve("www.lansstyrelsen.se", m.addr)
        .build()
        .unwrap();
    let t = Instant::now();
    rt.block_on(async {
        for u in &urls {
            let _ = client.get(u).send().await.unwrap().bytes().await.unwrap();
        }
    });
    let base_s = t.elapsed().as_secs_f64();

    println!(
        "mirror: {} start pages ({copies} copies of the 21 counties), {} URLs fetched",
        starts.len(),
        pages
    );
    println!(
        "  {:<52} {:>8.1} pages/s {:>7.2} s",
        "plansok crawl (robots, catalog, store, extract, index)",
        pages as f64 / crawl_s,
        crawl_s
    );
    println!(
        "  {:<52} {:>8.1} pages/s {:>7.2} s",
        "baseline: sequential GETs of the same URLs",
        urls.len() as f64 / base_s,
        base_s
    );
    println!("  ratio crawl/baseline time: {:.2}", crawl_s / base_s);
    println!(
        "  indexed {} documents; peak memory of the bench process {:.0} MB",
        report.ingest.indexed,
        support::peak_rss_mb()
    );
}
