//! National-size benchmark: a synthetic corpus of N passages (default 100,000 and 1,000,000),
//! indexed by plansok and loaded into PostgreSQL's full-text search (`swedish` configuration,
//! GIN index), both timed; then the 8 searches of [`MIX`] and a generated mix of every endpoint
//! ([`support::mix`]) from 32 concurrent clients, the mix's searches against PostgreSQL too
//! ([`support::pg`]), each phase `PLANSOK_SCALE_RUNS` times (default 1). `benches/README.md`
//! lists every setting.
//!
//! `cargo bench -p plansok --bench scale` (needs PostgreSQL 15 server binaries and pgbench:
//! `apt-get install postgresql`; without them the PostgreSQL rows are skipped). Settings:
//! PLANSOK_SCALE_PASSAGES (comma list, default "100000,1000000"), PLANSOK_SCALE_SEED (default
//! 42), PLANSOK_SCALE_CLIENTS (32), PLANSOK_SCALE_SECS per load phase (20),
//! PLANSOK_SCALE_NO_PG
//! (skip PostgreSQL), PLANSOK_SCALE_KEEP (keep the work folder), PLANSOK_SCALE_REPEAT (runs of
//! each query alone, 30), PLANSOK_SCALE_ALONE_ONLY (only the queries alone, no load phases), PLANSOK_SCALE_INDEX (a
//! folder kept by an earlier run: only the queries alone on it, nothing built; with
//! PLANSOK_SCALE_ONLY, only the queries of the mix containing that text; PLANSOK_SCALE_QUERIES,
//! other queries instead of the mix (API query strings separated by spaces);
//! PLANSOK_SCALE_IN_PROCESS_SECS, seconds of each in-process throughput run, 5, 0 for none, so
//! that `perf stat` counts the queries alone; with PLANSOK_SCALE_LOAD, the load phases on it
//! too, `PLANSOK_SCALE_LOAD=uncached` only the one without the response cache);
//! PLANSOK_SCALE_NO_YIELD serves with `yield_after_job = false`; PLANSOK_SCALE_SERVER, the
//! `plansok` binary the load phases serve with (another build, to compare two on one index);
//! PLANSOK_SCALE_MIX_FILE, a file the generated mix's request paths are written to.
//! The table is printed and written to target/bench-results/scale.md.
//!
//! The corpus generator recombines the passages of the sample corpus (classified as plansok
//! classifies them) into documents with the sample's metadata distributions (county, a
//! municipality for a third, type, period, 20–80 passages for plans, 3–8 for news), replacing
//! one word in twelve by another word of the sample's vocabulary so that term statistics are
//! not those of copies. The same seed gives the same corpus.

#[path = "support/mod.rs"]
mod support;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use plansok_classify::{Classifier, Source};
use plansok_extract::{extract, ExtractConfig, Format, Hints};
use plansok_index::{Indexer, SearchConfig, SearchIndex};
use plansok_ingest::{collect_files, IngestOptions};
use plansok_model::{DocType, Document, Passage, Period, SourceMeta, Taxonomy};
use support::mix::{MixInput, Request, Rng};
use support::{env_usize, percentile_sorted, phase, repo, MIX};

/// The allocator of the `plansok` binary: the index is built in this process, and its build
/// time is that of `plansok ingest` only with the same allocator (the system one costs about a
/// tenth more in the many small allocations of analysis and indexing).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// What the generator recombines: the sample's passages and vocabulary.
struct Pool {
    passages: Vec<Passage>,
    words: Vec<String>,
}

fn pool() -> Pool {
    let sample = repo().join("corpus/sample");
    let opts = IngestOptions::load().unwrap();
    let (files, _) = collect_files(std::slice::from_ref(&sample), &opts.ignore_file_names);
    let cfg = ExtractConfig::load().unwrap();
    let classifier = Classifier::load().unwrap();
    let mut passages = Vec::new();
    for f in files {
        let Some(format) = f
            .extension()
            .and_then(|e| e.to_str())
            .and_then(Format::from_extension)
        else {
            continue;
        };
        let bytes = std::fs::read(&f).unwrap();
        let Ok(ex) = extract(&cfg, &bytes, format, &Hints::default()) else {
            continue;
        };
        let d = classifier.classify(&Source {
            extracted: &ex,
            format,
            path: Some(&f.to_string_lossy()),
            meta: &SourceMeta::default(),
            content_hash: "0",
        });
        if d.lang == "sv" {
            passages.extend(d.passages);
        }
    }
    let mut words: Vec<String> = passages
        .iter()
        .flat_map(|p| p.text.split_whitespace())
        .filter(|w| w.chars().count() >= 4 && w.chars().all(char::is_alphabetic))
        .map(str::to_lowercase)
        .collect();
    words.sort();
    words.dedup();
    Pool { passages, words }
}

const TYPES: [(DocType, usize); 6] = [
    (DocType::Handlingsplan, 30),
    (DocType::Strategi, 15),
    (DocType::Overenskommelse, 10),
    (DocType::Nyhet, 30),
    (DocType::Kunskapsstod, 10),
    (DocType::Annat, 5),
];

fn pick_type(rng: &mut Rng) -> DocType {
    let mut r = rng.below(100);
    for (t, w) in TYPES {
        if r < w {
            return t;
        }
        r -= w;
    }
    DocType::Annat
}

/// Document `i` of the synthetic corpus.
fn generate(i: usize, seed: u64, pool: &Pool, tax: &Taxonomy) -> Document {
    let mut rng = Rng((seed ^ (i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15)).max(1));
    let county = &tax.counties()[rng.below(tax.counties().len())];
    let municipality = (rng.below(3) == 0 && !county.municipalities.is_empty())
        .then(|| &county.municipalities[rng.below(county.municipalities.len())]);
    let doc_type = pick_type(&mut rng);
    let start = 2016 + rng.below(11) as u16;
    let len = if doc_type == DocType::Nyhet {
        0
    } else {
        rng.below(5) as u16
    };
    let n = if doc_type == DocType::Nyhet {
        3 + rng.below(6)
    } else {
        20 + rng.below(61)
    };
    let mut passages = Vec::with_capacity(n);
    for _ in 0..n {
        let mut p = pool.passages[rng.below(pool.passages.len())].clone();
        p.text = p
            .text
            .split(' ')
            .map(|w| {
                if rng.below(12) == 0 {
                    pool.words[rng.below(pool.words.len())].clone()
                } else {
                    w.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join(" ");
        passages.push(p);
    }
    let mut goals: Vec<_> = passages.iter().flat_map(|p| p.goals.clone()).collect();
    goals.sort();
    goals.dedup();
    let body = passages
        .iter()
        .map(|p| p.text.as_str())
        .collect::<Vec<_>>()
        .join("\n\n");
    let place = municipality.map_or(county.name.clone(), |m| m.display_name());
    Document {
        id: format!("{:016x}", rng.next()),
        url: Some(format!(
            "https://www.lansstyrelsen.se/{}/gen/{i}.html",
            county.slug
        )),
        path: None,
        title: format!("{} {place} {start}", doc_type.slug()),
        region: Some(county.name.clone()),
        municipality: municipality.map(|m| m.display_name()),
        organisation: Some(municipality.map_or(county.lansstyrelsen(), |m| m.display_name())),
        doc_type,
        on_topic: true,
        period: Period::new(start, start + len),
        goals,
        lang: "sv".into(),
        published: None,
        content_hash: blake3::hash(format!("{i}{body}").as_bytes())
            .to_hex()
            .to_string(),
        body,
        passages,
        pages: None,
    }
}

struct Built {
    docs: usize,
    passages: usize,
    /// Seconds to generate the documents and write the CSV (not part of either build).
    generate_secs: f64,
    /// Seconds to index: adding with a commit every 2,000 documents, then the final merge.
    add_secs: f64,
    merge_secs: f64,
    index_bytes: u64,
    csv: PathBuf,
}

impl Built {
    fn secs(&self) -> f64 {
        self.add_secs + self.merge_secs
    }
}

/// Generates documents until `target` passages and writes them as CSV for PostgreSQL, then
/// indexes them, timed apart from the generation (PostgreSQL's time is that of loading the
/// CSV and indexing it).
fn build(dir: &Path, target: usize, seed: u64, pool: &Pool) -> Built {
    let tax = Taxonomy::load().unwrap();
    let csv = dir.join("docs.csv");
    let mut w = csv::Writer::from_path(&csv).unwrap();
    let t = Instant::now();
    let mut all = Vec::new();
    let mut passages = 0;
    while passages < target {
        let d = generate(all.len(), seed, pool, &tax);
        passages += d.passages.len();
        write_csv_row(&mut w, &d);
        all.push(d);
    }
    w.flush().unwrap();
    let generate_secs = t.elapsed().as_secs_f64();
    let mut store = Indexer::open(&dir.join("index"), SearchConfig::load().unwrap()).unwrap();
    let t = Instant::now();
    for (i, d) in all.iter().enumerate() {
        store.upsert(d).unwrap();
        if (i + 1) % env_usize("PLANSOK_SCALE_COMMIT_EVERY", 2000) == 0 {
            store.commit().unwrap();
        }
    }
    store.commit().unwrap();
    let add_secs = t.elapsed().as_secs_f64();
    // As `plansok ingest` ends a run: a merge if the run left many segments.
    let t = Instant::now();
    store.merge_if_fragmented().unwrap();
    let merge_secs = t.elapsed().as_secs_f64();
    Built {
        docs: all.len(),
        passages,
        generate_secs,
        add_secs,
        merge_secs,
        index_bytes: support::dir_bytes(&dir.join("index")),
        csv,
    }
}

/// A document as a row of the CSV (the columns of [`support::pg::COLUMNS`]).
fn write_csv_row(w: &mut csv::Writer<std::fs::File>, d: &Document) {
    let p = d.period.unwrap();
    let goals: Vec<&str> = d.goals.iter().map(|g| g.slug()).collect();
    w.write_record([
        d.id.as_str(),
        d.title.as_str(),
        d.region.as_deref().unwrap_or(""),
        d.municipality.as_deref().unwrap_or(""),
        d.organisation.as_deref().unwrap_or(""),
        d.lang.as_str(),
        d.doc_type.slug(),
        &p.start.to_string(),
        &p.end.to_string(),
        &goals.join(" "),
        d.body.as_str(),
    ])
    .unwrap();
}

/// A request of the mix as the search library takes it, read by the API's own parameter
/// parser.
fn request_of(path: &str) -> plansok_index::SearchRequest {
    let raw = path.split_once('?').map_or("", |(_, q)| q);
    let max_limit = plansok_index::SearchConfig::load()
        .unwrap()
        .search
        .max_limit;
    plansok_server::Params::parse(raw, plansok_server::Route::Search)
        .and_then(|p| p.to_request(max_limit))
        .unwrap()
}

/// Whether the load phases run the mix `name` ("fixed": the 8 searches, "generated"):
/// `PLANSOK_SCALE_MIX` is `both` (default), `fixed` or `generated`.
fn mix_wanted(name: &str) -> bool {
    let want = std::env::var("PLANSOK_SCALE_MIX").unwrap_or_else(|_| "both".into());
    want == "both" || want == name
}

/// Distinct requests in the generated mix (`PLANSOK_SCALE_MIX_SIZE`, default 240).
fn mix_size() -> usize {
    env_usize("PLANSOK_SCALE_MIX_SIZE", 240)
}

/// Each query of the mix run alone, in this process, `PLANSOK_SCALE_REPEAT` times (default
/// 30) after one warm-up: (query, hits, median ms, p95 ms), and the mean of the medians.
fn one_at_a_time(dir: &Path) -> (Vec<(String, usize, f64, f64)>, f64) {
    let store = SearchIndex::open(&dir.join("index"), SearchConfig::load().unwrap()).unwrap();
    let tax = Taxonomy::load().unwrap();
    let repeat = env_usize("PLANSOK_SCALE_REPEAT", 30).max(1);
    let mut rows = Vec::new();
    let only = std::env::var("PLANSOK_SCALE_ONLY").unwrap_or_default();
    let paths: Vec<String> = match std::env::var("PLANSOK_SCALE_QUERIES") {
        Ok(list) => list
            .split(' ')
            .map(|p| format!("/api/search?{p}"))
            .collect(),
        Err(_) => MIX.iter().map(|p| p.to_string()).collect(),
    };
    for path in paths.iter().filter(|p| p.contains(&only)) {
        let req = request_of(path);
        let total = plansok_index::search(&store, &tax, &req).unwrap().total;
        let mut ms: Vec<f64> = (0..repeat)
            .map(|_| {
                let t = Instant::now();
                plansok_index::search(&store, &tax, &req).unwrap();
                t.elapsed().as_secs_f64() * 1000.0
            })
            .collect();
        ms.sort_by(f64::total_cmp);
        rows.push((
            path.trim_start_matches("/api/search?").to_string(),
            total,
            percentile_sorted(&ms, 0.5),
            percentile_sorted(&ms, 0.95),
        ));
    }
    let mean = rows.iter().map(|r| r.2).sum::<f64>() / rows.len() as f64;
    (rows, mean)
}

/// Searches per second of `threads` threads running the mix in this process for `secs`
/// seconds (no HTTP): what the index work alone allows.
fn in_process_throughput(dir: &Path, threads: usize, secs: u64) -> f64 {
    let store = SearchIndex::open(&dir.join("index"), SearchConfig::load().unwrap()).unwrap();
    let tax = Taxonomy::load().unwrap();
    let reqs: Vec<_> = MIX.iter().map(|p| request_of(p)).collect();
    let deadline = Instant::now() + Duration::from_secs(secs);
    let done: usize = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let (store, tax, reqs) = (&store, &tax, &reqs);
                s.spawn(move || {
                    let mut n = 0;
                    while Instant::now() < deadline {
                        plansok_index::search(store, tax, &reqs[(t + n) % reqs.len()]).unwrap();
                        n += 1;
                    }
                    n
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).sum()
    });
    done as f64 / secs as f64
}

struct Load {
    rps: f64,
    p50: f64,
    p99: f64,
    errors: usize,
    peak_mb: f64,
    /// The largest private (anonymous) and file-backed (mapped index) resident memory, MB.
    private_mb: f64,
    mapped_mb: f64,
    /// Latencies (ms) under load, per request of the mix.
    per_path: Vec<Vec<f64>>,
    /// Each request of the mix alone (sequential, median of 3, ms), when asked for.
    alone: Vec<f64>,
    /// From starting `plansok serve` until it accepts connections (ms).
    startup_ms: f64,
    /// The first request it answers (a search for "våld" with every facet), ms.
    first_ms: f64,
}

/// `plansok serve` on the index as a process of its own, under the request mix `paths`; with
/// its response cache or without it (every request searched). `alone`: afterwards, each
/// request of the mix is also timed alone.
fn load_plansok(
    dir: &Path,
    clients: usize,
    secs: u64,
    cache: bool,
    paths: &[String],
    alone: bool,
) -> Load {
    let port = support::pg::free_port();
    let cfg = dir.join(if cache { "cfg-cache" } else { "cfg-nocache" });
    std::fs::create_dir_all(&cfg).unwrap();
    let server_toml = std::fs::read_to_string(repo().join("config/server.toml")).unwrap();
    let entries = if cache { "2000" } else { "0" };
    let no_yield = std::env::var_os("PLANSOK_SCALE_NO_YIELD").is_some();
    let server_toml: String = server_toml
        .lines()
        .map(|l| {
            if l.starts_with("search_cache_entries") {
                format!("search_cache_entries = {entries}\n")
            } else if l.starts_with("yield_after_job") && no_yield {
                "yield_after_job = false\n".to_string()
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    std::fs::write(cfg.join("server.toml"), server_toml).unwrap();
    let binary = std::env::var_os("PLANSOK_SCALE_SERVER").map_or_else(
        || PathBuf::from(env!("CARGO_BIN_EXE_plansok")),
        PathBuf::from,
    );
    // Dirty pages of the build (or of PostgreSQL) written out first: their writeback would
    // slow the new server's first reads.
    let _ = Command::new("sync").status();
    let started = Instant::now();
    let mut server = Command::new(binary)
        .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
        .env("PLANSOK_DATA", dir)
        .env("PLANSOK_CONFIG_DIR", &cfg)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let sampler = support::MemorySampler::start(server.id());
    let base = format!("http://127.0.0.1:{port}");
    wait_http(&format!("{base}/api/health"));
    let startup_ms = started.elapsed().as_secs_f64() * 1000.0;
    let rt = tokio::runtime::Runtime::new().unwrap();
    let first_ms = rt.block_on(each_once(&base, MIX[0]));
    let paths: Vec<&str> = paths.iter().map(String::as_str).collect();
    // Warm up (first reads of the index files), then measure.
    rt.block_on(phase(&base, &paths, clients, 3));
    let (per_path, errors) = rt.block_on(support::phase_by_path(&base, &paths, clients, secs));
    let peak_mb = support::peak_rss_mb_of(&server.id().to_string());
    let (private_mb, mapped_mb) = sampler.stop();
    let alone = if alone {
        rt.block_on(each_alone(&base, &paths))
    } else {
        Vec::new()
    };
    let _ = server.kill();
    let _ = server.wait();
    let mut all: Vec<f64> = per_path.iter().flatten().copied().collect();
    all.sort_by(f64::total_cmp);
    Load {
        rps: all.len() as f64 / secs as f64,
        p50: percentile_sorted(&all, 0.5),
        p99: percentile_sorted(&all, 0.99),
        errors,
        peak_mb,
        private_mb,
        mapped_mb,
        per_path,
        alone,
        startup_ms,
        first_ms,
    }
}

/// One request on a new connection, ms (the client is made before the clock starts, so only
/// the request is timed).
async fn each_once(base: &str, path: &str) -> f64 {
    let client = reqwest::Client::new();
    let t = Instant::now();
    let ok = match client.get(format!("{base}{path}")).send().await {
        Ok(r) => r.status().is_success() && r.bytes().await.is_ok(),
        Err(_) => false,
    };
    assert!(ok, "the first request {path} failed");
    t.elapsed().as_secs_f64() * 1000.0
}

/// Each of `paths` alone, one after the other: the median of three runs (ms).
async fn each_alone(base: &str, paths: &[&str]) -> Vec<f64> {
    let client = reqwest::Client::new();
    let mut out = Vec::with_capacity(paths.len());
    for p in paths {
        let mut ms = Vec::new();
        for _ in 0..3 {
            let t = Instant::now();
            if let Ok(r) = client.get(format!("{base}{p}")).send().await {
                let _ = r.bytes().await;
            }
            ms.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        out.push(support::median(ms));
    }
    out
}

/// The generated mix for the index in `dir` (see `support::mix`): its vocabulary by frequency
/// from the sample's passages, documents and passages from the index itself.
fn generated_mix(dir: &Path, pool: &Pool, seed: u64, n: usize) -> Vec<Request> {
    let store = SearchIndex::open(&dir.join("index"), SearchConfig::load().unwrap()).unwrap();
    let tax = Taxonomy::load().unwrap();
    let mut counts: std::collections::HashMap<String, usize> = Default::default();
    for p in &pool.passages {
        for w in p.text.split_whitespace() {
            let w = w.trim_matches(|c: char| !c.is_alphabetic()).to_lowercase();
            if w.chars().count() >= 4 && w.chars().all(char::is_alphabetic) {
                *counts.entry(w).or_default() += 1;
            }
        }
    }
    let mut words: Vec<(String, usize)> = counts.into_iter().collect();
    words.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let words: Vec<String> = words.into_iter().map(|(w, _)| w).collect();
    let mut doc_ids = Vec::new();
    let mut passages = Vec::new();
    for w in words.iter().step_by(7).take(30) {
        let req = plansok_index::SearchRequest {
            query: w.clone(),
            limit: Some(10),
            ..Default::default()
        };
        let resp = plansok_index::search(&store, &tax, &req).unwrap();
        doc_ids.extend(resp.hits.into_iter().map(|h| h.id));
        let m = plansok_index::measures(&store, &tax, &req, 1).unwrap();
        passages.extend(
            m.counties
                .into_iter()
                .flat_map(|c| c.measures)
                .map(|m| (m.document_id, m.passage_no)),
        );
    }
    let all =
        plansok_index::search(&store, &tax, &plansok_index::SearchRequest::default()).unwrap();
    let orgs: Vec<String> = all
        .facets
        .organisation
        .iter()
        .take(40)
        .map(|v| v.value.clone())
        .collect();
    let mut regions: Vec<String> = tax.counties().iter().map(|c| c.slug.clone()).collect();
    regions.extend(
        tax.municipalities()
            .step_by(10)
            .map(|(_, m)| m.name.clone()),
    );
    let input = MixInput {
        words,
        doc_ids,
        passages,
        regions,
        orgs,
    };
    support::mix::generate(&input, seed, n)
}

/// The endpoints of a generated mix under load (req/s, p50, p99 each), and its slowest
/// requests alone, as a Markdown table.
fn mix_report(mix: &[Request], l: &Load, secs: u64) -> String {
    let mut out = String::from(
        "| endpoint | requests in the mix | req/s | p50 ms | p99 ms | median alone ms | time alone ms (share) |\n|---|---|---|---|---|---|---|\n",
    );
    let all_alone: f64 = l.alone.iter().sum();
    let endpoints: Vec<&str> = support::mix::WEIGHTS.iter().map(|(e, _)| *e).collect();
    for e in endpoints {
        let at: Vec<usize> = (0..mix.len()).filter(|&i| mix[i].endpoint == e).collect();
        if at.is_empty() {
            continue;
        }
        let mut lat: Vec<f64> = at
            .iter()
            .flat_map(|&i| l.per_path[i].iter().copied())
            .collect();
        lat.sort_by(f64::total_cmp);
        if lat.is_empty() {
            continue;
        }
        let times: Vec<f64> = at.iter().filter_map(|&i| l.alone.get(i).copied()).collect();
        let sum: f64 = times.iter().sum();
        let share = 100.0 * sum / all_alone.max(f64::MIN_POSITIVE);
        let alone = support::median(times);
        let _ = writeln!(
            out,
            "| {e} | {} | {:.0} | {:.1} | {:.1} | {alone:.2} | {sum:.0} ({share:.0} %) |",
            at.len(),
            lat.len() as f64 / secs as f64,
            percentile_sorted(&lat, 0.5),
            percentile_sorted(&lat, 0.99)
        );
    }
    let _ = writeln!(
        out,
        "\nEvery request of the mix once, one after the other: {all_alone:.0} ms."
    );
    let mut slow: Vec<usize> = (0..l.alone.len()).collect();
    slow.sort_by(|a, b| l.alone[*b].total_cmp(&l.alone[*a]));
    out.push_str(
        "\nThe slowest requests of the mix, alone:\n\n| request | ms alone |\n|---|---|\n",
    );
    for i in slow.into_iter().take(10) {
        let _ = writeln!(out, "| `{}` | {:.1} |", mix[i].path, l.alone[i]);
    }
    out
}

fn wait_http(url: &str) {
    let addr: std::net::SocketAddr = url
        .trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    for _ in 0..12_000 {
        if std::net::TcpStream::connect(addr).is_ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    panic!("{url} did not come up");
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let sizes: Vec<usize> = std::env::var("PLANSOK_SCALE_PASSAGES")
        .unwrap_or_else(|_| "100000,1000000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let seed = env_usize("PLANSOK_SCALE_SEED", 42) as u64;
    let clients = env_usize("PLANSOK_SCALE_CLIENTS", 32);
    let secs = env_usize("PLANSOK_SCALE_SECS", 20) as u64;
    if let Some(kept) = std::env::var_os("PLANSOK_SCALE_INDEX") {
        // Only the queries alone, on a folder kept by an earlier run (for a profiler).
        let (rows, mean) = one_at_a_time(Path::new(&kept));
        for (q, hits, p50, p95) in rows {
            println!("{q}: {hits} hits, median {p50:.2} ms, p95 {p95:.2} ms");
        }
        println!("mean of the medians {mean:.2} ms");
        let in_process = env_usize("PLANSOK_SCALE_IN_PROCESS_SECS", 5) as u64;
        for threads in [1, 2].into_iter().filter(|_| in_process > 0) {
            let rate = in_process_throughput(Path::new(&kept), threads, in_process);
            println!("in process, {threads} threads: {rate:.0} searches/s");
        }
        if let Some(load) = std::env::var_os("PLANSOK_SCALE_LOAD") {
            let phases: &[bool] = if load == "uncached" {
                &[false]
            } else {
                &[false, true]
            };
            let fixed: Vec<String> = MIX.iter().map(|p| p.to_string()).collect();
            for &cache in phases.iter().filter(|_| mix_wanted("fixed")) {
                let l = load_plansok(Path::new(&kept), clients, secs, cache, &fixed, false);
                println!(
                    "cache {cache}: {:.0} req/s, p50 {:.1} ms, p99 {:.1} ms, {} errors, {:.0} MB peak",
                    l.rps, l.p50, l.p99, l.errors, l.peak_mb
                );
            }
            if mix_wanted("generated") {
                let mix = generated_mix(Path::new(&kept), &pool(), seed, mix_size());
                let paths: Vec<String> = mix.iter().map(|r| r.path.clone()).collect();
                if let Some(file) = std::env::var_os("PLANSOK_SCALE_MIX_FILE") {
                    // The mix's paths, one per line, for a profiler or a counter of its own.
                    std::fs::write(file, paths.join("\n") + "\n").unwrap();
                }
                let l = load_plansok(Path::new(&kept), clients, secs, false, &paths, true);
                println!(
                    "generated mix ({} requests), uncached: {:.0} req/s, p50 {:.1} ms, p99 {:.1} ms, {} errors, {:.0} MB peak ({:.0} MB private), first request {:.1} ms\n\n{}",
                    mix.len(), l.rps, l.p50, l.p99, l.errors, l.peak_mb, l.private_mb, l.first_ms, mix_report(&mix, &l, secs)
                );
            }
        }
        return;
    }
    let pool = pool();
    let runs = env_usize("PLANSOK_SCALE_RUNS", 1).max(1);
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_default();
    let mut out = format!(
        "Machine: {} cores ({cpu}). Seed {seed}; {clients} concurrent clients, {secs} s per load \
         phase, {runs} run(s) of every phase, alternating plansok and PostgreSQL.\n",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    for target in sizes {
        out.push_str(&run_size(target, seed, &pool, clients, secs, runs));
    }
    println!("\n{out}");
    let dir = std::env::var("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| repo().join("target"))
        .join("bench-results");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("scale.md"), &out).unwrap();
    println!("written to {}", dir.join("scale.md").display());
}

/// A load phase's row of the results table.
fn load_row(size: &str, run: usize, system: &str, mix: &str, l: &Load) -> String {
    format!(
        "| {size} | {run} | {system} | {mix} | {:.0} | {:.1} | {:.1} | {:.0} MB | {:.0} MB | {:.0} MB | {:.0} | {:.1} |\n",
        l.rps, l.p50, l.p99, l.peak_mb, l.private_mb, l.mapped_mb, l.startup_ms, l.first_ms
    )
}

/// Builds the corpus of `target` passages, loads PostgreSQL with it, and runs every phase
/// `runs` times; returns this size's tables (Markdown).
fn run_size(
    target: usize,
    seed: u64,
    pool: &Pool,
    clients: usize,
    secs: u64,
    runs: usize,
) -> String {
    let keep = std::env::var_os("PLANSOK_SCALE_KEEP").is_some();
    let work = tempfile::tempdir().unwrap();
    let built = build(work.path(), target, seed, pool);
    let size = format!("{} ({})", built.passages, built.docs);
    println!(
        "{size}: generated in {:.1} s; indexed in {:.1} s ({:.1} s adding, {:.1} s merging; \
         {:.0} passages/s), {:.0} MB ({:.0} bytes/passage)",
        built.generate_secs,
        built.secs(),
        built.add_secs,
        built.merge_secs,
        built.passages as f64 / built.secs(),
        built.index_bytes as f64 / 1e6,
        built.index_bytes as f64 / built.passages as f64
    );
    let tax = Taxonomy::load().unwrap();
    let pg = std::env::var_os("PLANSOK_SCALE_NO_PG")
        .is_none()
        .then(|| support::pg::Postgres::start(work.path()))
        .flatten();
    let pg_built = pg
        .as_ref()
        .map(|pg| (pg.load(&built.csv), pg.table_bytes()));
    if let Some(pg) = &pg {
        pg.quiesce();
    }
    let mut out = format!(
        "\n## {size} passages (documents)\n\n### Building\n\n\
         | system | build s | of which merging s | index MB | bytes per passage |\n|---|---|---|---|---|\n\
         | plansok | {:.1} | {:.1} | {:.0} | {:.0} |\n",
        built.secs(),
        built.merge_secs,
        built.index_bytes as f64 / 1e6,
        built.index_bytes as f64 / built.passages as f64
    );
    match pg_built {
        Some((load_secs, bytes)) => {
            println!(
                "  PostgreSQL: loaded and indexed in {load_secs:.1} s, {:.0} MB",
                bytes as f64 / 1e6
            );
            let _ = writeln!(
                out,
                "| PostgreSQL FTS (swedish, GIN): load the CSV, tsvector, index, analyze | {load_secs:.1} | – | {:.0} | {:.0} |\n\n\
                 plansok's build is {:.2}× PostgreSQL's.",
                bytes as f64 / 1e6,
                bytes as f64 / built.passages as f64,
                built.secs() / load_secs
            );
        }
        None => out.push_str(
            "\nPostgreSQL: skipped (no server binaries, initdb failed, or PLANSOK_SCALE_NO_PG).\n",
        ),
    }
    let (rows, mean) = one_at_a_time(work.path());
    let mut alone = format!(
        "\n### The 8 searches alone (median of {} runs; mean of the medians {mean:.2} ms)\n\n\
         | query | hits | median ms | p95 ms |\n|---|---|---|---|\n",
        env_usize("PLANSOK_SCALE_REPEAT", 30)
    );
    for (q, hits, p50, p95) in rows {
        println!("  alone: {q}: {hits} hits, median {p50:.2} ms, p95 {p95:.2} ms");
        let _ = writeln!(alone, "| `{q}` | {hits} | {p50:.2} | {p95:.2} |");
    }
    if std::env::var_os("PLANSOK_SCALE_ALONE_ONLY").is_some() {
        if keep {
            println!("  kept {}", work.keep().display());
        }
        out.push_str(&alone);
        return out;
    }
    let fixed: Vec<String> = MIX.iter().map(|p| p.to_string()).collect();
    let mix = generated_mix(work.path(), pool, seed, mix_size());
    let generated: Vec<String> = mix.iter().map(|r| r.path.clone()).collect();
    let searches: Vec<String> = generated
        .iter()
        .filter(|p| p.starts_with("/api/search?"))
        .cloned()
        .collect();
    let sql = |paths: &[String]| -> Vec<String> {
        paths
            .iter()
            .filter_map(|p| support::pg::sql_of(p, &tax))
            .collect()
    };
    let (fixed_sql, searches_sql) = (sql(&fixed), sql(&searches));
    let _ = writeln!(
        out,
        "\n### Under load, uncached unless said\n\n\
         The generated mix: {} requests of every endpoint ([`support/mix.rs`]); its searches: the {} \
         `/api/search` requests of it (searches and browsing), which PostgreSQL answers too. Startup: \
         from starting `plansok serve` to its first accepted connection; first request: a search for \
         \"våld\" with every facet, the server's first answer. Peak server memory: its largest resident \
         set (VmHWM); of it private: the largest anonymous memory (sampled every 20 ms); mapped index: \
         the largest file-backed part, the index's pages in the page cache, which the kernel shares \
         and can take back.\n\n\
         | passages (documents) | run | system | mix | req/s | p50 ms | p99 ms | peak server memory | of it private, peak | of it mapped index, peak | startup ms | first request ms |\n\
         |---|---|---|---|---|---|---|---|---|---|---|---|",
        mix.len(),
        searches.len()
    );
    let mut ratios = Vec::new();
    let mut by_endpoint = String::new();
    for run in 1..=runs {
        if mix_wanted("fixed") {
            for (cache, name) in [
                (false, "8 searches"),
                (true, "8 searches, response cache on"),
            ] {
                let l = load_plansok(work.path(), clients, secs, cache, &fixed, false);
                print_load(name, &l);
                out.push_str(&load_row(&size, run, "plansok", name, &l));
            }
        }
        if mix_wanted("generated") {
            let l = load_plansok(work.path(), clients, secs, false, &generated, run == 1);
            print_load("generated mix", &l);
            out.push_str(&load_row(&size, run, "plansok", "generated mix", &l));
            if run == 1 {
                by_endpoint = mix_report(&mix, &l, secs);
            }
            let l = load_plansok(work.path(), clients, secs, false, &searches, false);
            print_load("generated mix's searches", &l);
            out.push_str(&load_row(&size, run, "plansok", "its searches", &l));
            if let Some(pg) = &pg {
                let (rps, p50, p99) =
                    pg.bench(work.path(), "searches", &searches_sql, clients, secs);
                pg.quiesce();
                println!("  PostgreSQL, the generated mix's searches: {rps:.1} req/s, p50 {p50:.1} ms, p99 {p99:.1} ms");
                let _ = writeln!(out, "| {size} | {run} | PostgreSQL FTS | its searches | {rps:.1} | {p50:.1} | {p99:.1} | – | – | – | – | – |");
                ratios.push(l.rps / rps);
            }
        }
        if let (Some(pg), true) = (&pg, mix_wanted("fixed")) {
            let (rps, p50, p99) = pg.bench(work.path(), "fixed", &fixed_sql, clients, secs);
            pg.quiesce();
            println!("  PostgreSQL, 8 searches: {rps:.1} req/s, p50 {p50:.1} ms, p99 {p99:.1} ms");
            let _ = writeln!(out, "| {size} | {run} | PostgreSQL FTS | 8 searches | {rps:.1} | {p50:.1} | {p99:.1} | – | – | – | – | – |");
        }
    }
    if !ratios.is_empty() {
        let text: Vec<String> = ratios.iter().map(|r| format!("{r:.0}×")).collect();
        let _ = writeln!(
            out,
            "\nplansok's requests per second over PostgreSQL's on the generated mix's searches: {} \
             (median {:.0}×).",
            text.join(", "),
            support::median(ratios.clone())
        );
    }
    if !by_endpoint.is_empty() {
        let _ = write!(
            out,
            "\n### The generated mix by endpoint (run 1)\n\n{by_endpoint}"
        );
    }
    out.push_str(&alone);
    if keep {
        println!("  kept {}", work.keep().display());
    }
    out
}

fn print_load(name: &str, l: &Load) {
    println!(
        "  plansok, {name}: {:.0} req/s, p50 {:.1} ms, p99 {:.1} ms, {} errors, {:.0} MB peak \
         ({:.0} MB private, {:.0} MB mapped index), startup {:.0} ms, first request {:.1} ms",
        l.rps,
        l.p50,
        l.p99,
        l.errors,
        l.peak_mb,
        l.private_mb,
        l.mapped_mb,
        l.startup_ms,
        l.first_ms
    );
}
