//! Helpers shared by the bench binaries.
#![allow(dead_code)] // each bench binary uses some of them

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use plansok_ingest::{collect_files, IngestOptions};

pub mod mix;
pub mod pg;

/// Peak resident memory of this process (VmHWM), in MB.
pub fn peak_rss_mb() -> f64 {
    peak_rss_mb_of("self")
}

/// Peak resident memory (VmHWM) of process `pid` ("self" for this one), in MB.
pub fn peak_rss_mb_of(pid: &str) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| status_kb(&s, "VmHWM:"))
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// The value in kB of the line `key` (`"VmHWM:"`) of a `/proc/PID/status` text.
fn status_kb(status: &str, key: &str) -> Option<f64> {
    status
        .lines()
        .find(|l| l.starts_with(key))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|k| k.parse::<f64>().ok())
}

/// The largest private (`RssAnon`) and file-backed (`RssFile`: the index's mapped pages, which
/// are the page cache's and shared) resident memory of a process, sampled every 20 ms on a
/// thread of its own until [`MemorySampler::stop`].
pub struct MemorySampler {
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: std::thread::JoinHandle<(f64, f64)>,
}

impl MemorySampler {
    pub fn start(pid: u32) -> Self {
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let done = stop.clone();
        let thread = std::thread::spawn(move || {
            let (mut anon, mut file) = (0.0f64, 0.0f64);
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                let Ok(status) = std::fs::read_to_string(format!("/proc/{pid}/status")) else {
                    break;
                };
                let kb = |key: &str| status_kb(&status, key).unwrap_or(0.0);
                anon = anon.max(kb("RssAnon:") / 1024.0);
                file = file.max(kb("RssFile:") / 1024.0);
                std::thread::sleep(Duration::from_millis(20));
            }
            (anon, file)
        });
        MemorySampler { stop, thread }
    }

    /// The peaks in MB: (private, file-backed).
    pub fn stop(self) -> (f64, f64) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        self.thread.join().unwrap_or((f64::NAN, f64::NAN))
    }
}

/// A pipeline on a new index in `dir` with the search configuration `cfg`.
pub fn pipeline_on(dir: &Path, cfg: plansok_index::SearchConfig) -> plansok_ingest::Pipeline {
    let store = plansok_index::Indexer::open(dir, cfg).unwrap();
    plansok_ingest::Pipeline::new(
        plansok_extract::ExtractConfig::load().unwrap(),
        plansok_classify::Classifier::load().unwrap(),
        store,
        IngestOptions::load().unwrap(),
    )
}

pub fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Writes `copies` variants of every corpus file (each made unique so none is a duplicate).
pub fn scaled_corpus(dir: &Path, copies: usize) -> (Vec<PathBuf>, u64) {
    let sample = repo().join("corpus/sample");
    let opts = IngestOptions::load().unwrap();
    let (files, _) = collect_files(std::slice::from_ref(&sample), &opts.ignore_file_names);
    let mut out = Vec::new();
    let mut bytes = 0u64;
    for c in 0..copies {
        for f in &files {
            // <host>/copy<c>/<path>: a distinct URL per copy.
            let rel = f.strip_prefix(&sample).unwrap();
            let mut parts = rel.components();
            let host = parts.next().unwrap();
            let target = dir
                .join(host)
                .join(format!("copy{c}"))
                .join(parts.as_path());
            std::fs::create_dir_all(target.parent().unwrap()).unwrap();
            let mut data = std::fs::read(f).unwrap();
            data.extend_from_slice(format!("\n<!-- copy {c} -->\n").as_bytes());
            bytes += data.len() as u64;
            std::fs::write(&target, data).unwrap();
            out.push(target);
        }
    }
    (out, bytes)
}

pub fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

pub fn percentile(mut v: Vec<f64>, p: f64) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

/// The query mix of the load benches: eight searches with filters.
pub const MIX: [&str; 8] = [
    "/api/search?q=v%C3%A5ld",
    "/api/search?q=skyddat+boende&region=skane",
    "/api/search?q=hedersrelaterat+v%C3%A5ld&period=2025",
    "/api/search?q=riskbed%C3%B6mning&goal=skydd-och-stod",
    "/api/search?q=barnahus&type=handlingsplan&region=jamtland&region=vasterbotten",
    "/api/search?q=%22v%C3%A5ld+i+n%C3%A4ra+relationer%22&limit=20",
    "/api/search?q=kvinnojour*&lang=sv",
    "/api/search?q=utbildning+kompetens&goal=kunskap-och-metod&period=2022-2024",
];

pub fn percentile_sorted(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// `clients` concurrent loops of GETs over `paths` for `secs` seconds: requests/s, p50 and p99
/// latency (ms), errors. The clients ask for uncompressed answers, as a tool on the same host
/// would (on loopback gzip gains nothing, and here its cost on both ends shares the server's
/// two cores); with `PLANSOK_BENCH_GZIP` set they ask for gzip and decode it.
pub async fn phase(
    base: &str,
    paths: &[&str],
    clients: usize,
    secs: u64,
) -> (f64, f64, f64, usize) {
    let (per_path, errors) = phase_by_path(base, paths, clients, secs).await;
    let mut all: Vec<f64> = per_path.into_iter().flatten().collect();
    all.sort_by(|a, b| a.total_cmp(b));
    (
        all.len() as f64 / secs as f64,
        percentile_sorted(&all, 0.5),
        percentile_sorted(&all, 0.99),
        errors,
    )
}

/// [`phase`] with the latencies (ms) of each path apart, and the number of failed requests.
pub async fn phase_by_path(
    base: &str,
    paths: &[&str],
    clients: usize,
    secs: u64,
) -> (Vec<Vec<f64>>, usize) {
    let gzip = std::env::var_os("PLANSOK_BENCH_GZIP").is_some();
    let client = reqwest::Client::builder().gzip(gzip).build().unwrap();
    let deadline = Instant::now() + Duration::from_secs(secs);
    let mut tasks = Vec::new();
    for c in 0..clients {
        let client = client.clone();
        let urls: Vec<String> = paths.iter().map(|p| format!("{base}{p}")).collect();
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut errors = 0;
            // Each client starts at its own place in the mix and strides through all of it.
            let mut i = c * urls.len() / clients.max(1);
            while Instant::now() < deadline {
                let t = Instant::now();
                let at = i % urls.len();
                match client.get(&urls[at]).send().await {
                    Ok(r) if r.status().is_success() => {
                        let _ = r.bytes().await;
                        lat.push((at, t.elapsed().as_secs_f64() * 1000.0));
                    }
                    _ => errors += 1,
                }
                i += 1;
            }
            (lat, errors)
        }));
    }
    let mut per_path = vec![Vec::new(); paths.len()];
    let mut errors = 0;
    for t in tasks {
        let (l, e) = t.await.unwrap();
        for (at, ms) in l {
            per_path[at].push(ms);
        }
        errors += e;
    }
    (per_path, errors)
}

/// Bytes of the files below `dir`.
pub fn dir_bytes(dir: &Path) -> u64 {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter_map(|e| e.metadata().ok())
        .filter(|m| m.is_file())
        .map(|m| m.len())
        .sum()
}
