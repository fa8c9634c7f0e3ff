//! National-size benchmark: a synthetic corpus of N passages (default 100,000 and 1,000,000),
//! indexed by plansok and loaded into PostgreSQL's full-text search (`swedish` configuration,
//! GIN index), then the same query mix with filters from 32 concurrent clients against both.
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
//! `plansok` binary the load phases serve with (another build, to compare two on one index).
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
use std::io::Write as _;
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
    secs: f64,
    index_bytes: u64,
    csv: PathBuf,
}

/// Generates documents until `target` passages, indexes them, writes them as CSV for
/// PostgreSQL.
fn build(dir: &Path, target: usize, seed: u64, pool: &Pool) -> Built {
    let tax = Taxonomy::load().unwrap();
    let mut store = Indexer::open(&dir.join("index"), SearchConfig::load().unwrap()).unwrap();
    let csv = dir.join("docs.csv");
    let mut w = csv::Writer::from_path(&csv).unwrap();
    let (mut docs, mut passages) = (0, 0);
    let t = Instant::now();
    while passages < target {
        let d = generate(docs, seed, pool, &tax);
        passages += d.passages.len();
        docs += 1;
        store.upsert(&d).unwrap();
        let p = d.period.unwrap();
        w.write_record([
            d.id.as_str(),
            d.title.as_str(),
            d.region.as_deref().unwrap_or(""),
            d.doc_type.slug(),
            &p.start.to_string(),
            &p.end.to_string(),
            &d.goals
                .iter()
                .map(|g| g.slug())
                .collect::<Vec<_>>()
                .join(" "),
            d.body.as_str(),
        ])
        .unwrap();
        if docs % 2000 == 0 {
            store.commit().unwrap();
        }
    }
    // As `plansok ingest` ends a run: a commit, and a merge if the run left many segments.
    store.merge_if_fragmented().unwrap();
    let secs = t.elapsed().as_secs_f64();
    w.flush().unwrap();
    Built {
        docs,
        passages,
        secs,
        index_bytes: support::dir_bytes(&dir.join("index")),
        csv,
    }
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
    /// Latencies (ms) under load, per request of the mix.
    per_path: Vec<Vec<f64>>,
    /// Each request of the mix alone (sequential, median of 3, ms), when asked for.
    alone: Vec<f64>,
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
    let port = free_port();
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
    let mut server = Command::new(binary)
        .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
        .env("PLANSOK_DATA", dir)
        .env("PLANSOK_CONFIG_DIR", &cfg)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    wait_http(&format!("{base}/api/health"));
    let rt = tokio::runtime::Runtime::new().unwrap();
    let paths: Vec<&str> = paths.iter().map(String::as_str).collect();
    // Warm up (first reads of the index files), then measure.
    rt.block_on(phase(&base, &paths, clients, 3));
    let (per_path, errors) = rt.block_on(support::phase_by_path(&base, &paths, clients, secs));
    let peak_mb = support::peak_rss_mb_of(&server.id().to_string());
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
        per_path,
        alone,
    }
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
        "| endpoint | requests in the mix | req/s | p50 ms | p99 ms | median alone ms |\n|---|---|---|---|---|---|\n",
    );
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
        let alone = support::median(at.iter().filter_map(|&i| l.alone.get(i).copied()).collect());
        let _ = writeln!(
            out,
            "| {e} | {} | {:.0} | {:.1} | {:.1} | {alone:.2} |",
            at.len(),
            lat.len() as f64 / secs as f64,
            percentile_sorted(&lat, 0.5),
            percentile_sorted(&lat, 0.99)
        );
    }
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

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn wait_http(url: &str) {
    let addr: std::net::SocketAddr = url
        .trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    for _ in 0..600 {
        if std::net::TcpStream::connect(addr).is_ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("{url} did not come up");
}

/// The query mix as SQL: the ten best documents with a headline, the total and the counts
/// per county, under the same filters (one pgbench transaction per search).
fn sql_mix() -> Vec<String> {
    let q = |words: &str, filter: &str| {
        let m = format!("tsv @@ websearch_to_tsquery('swedish', '{words}'){filter}");
        format!(
            "SELECT id, title, ts_headline('swedish', body, websearch_to_tsquery('swedish', '{words}'), 'MaxWords=35') \
             FROM (SELECT id, title, body FROM docs WHERE {m} \
             ORDER BY ts_rank(tsv, websearch_to_tsquery('swedish', '{words}')) DESC LIMIT 10) top;\n\
             SELECT count(*) FROM docs WHERE {m};\n\
             SELECT region, count(*) FROM docs WHERE {m} GROUP BY region;\n"
        )
    };
    vec![
        q("våld", ""),
        q("skyddat boende", " AND region = 'Skåne län'"),
        q(
            "hedersrelaterat våld",
            " AND period_start <= 2025 AND period_end >= 2025",
        ),
        q("riskbedömning", " AND goals LIKE '%skydd-och-stod%'"),
        q(
            "barnahus",
            " AND doc_type = 'handlingsplan' AND region IN ('Jämtlands län', 'Västerbottens län')",
        ),
        q("\"våld i nära relationer\"", ""),
        q("kvinnojour", ""),
        q(
            "utbildning kompetens",
            " AND goals LIKE '%kunskap-och-metod%' AND period_start <= 2024 AND period_end >= 2022",
        ),
    ]
}

/// A PostgreSQL server of its own on loopback, with the documents and a GIN index.
struct Postgres {
    dir: PathBuf,
    port: u16,
    bin: PathBuf,
    as_postgres: bool,
}

impl Postgres {
    fn bin_dir() -> Option<PathBuf> {
        let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
            .ok()?
            .filter_map(Result::ok)
            .map(|e| e.path().join("bin"))
            .filter(|p| p.join("postgres").exists() && p.join("pgbench").exists())
            .collect();
        dirs.sort();
        dirs.pop()
    }

    fn cmd(&self, prog: &str) -> Command {
        let path = self.bin.join(prog);
        if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(path);
            c
        } else {
            Command::new(path)
        }
    }

    fn start(work: &Path) -> Option<Postgres> {
        let bin = Self::bin_dir()?;
        let as_postgres = Command::new("id")
            .arg("-u")
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
            .unwrap_or(false);
        let dir = work.join("pgdata");
        std::fs::create_dir_all(&dir).ok()?;
        if as_postgres {
            Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(work)
                .status()
                .ok()?;
        }
        let pg = Postgres {
            dir,
            port: free_port(),
            bin,
            as_postgres,
        };
        let ok = pg
            .cmd("initdb")
            .args([
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "-D",
            ])
            .arg(&pg.dir)
            .stdout(Stdio::null())
            .status()
            .ok()?
            .success();
        if !ok {
            return None;
        }
        let opts = format!(
            "-p {} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c shared_buffers=512MB -c max_connections=100",
            pg.port
        );
        let ok = pg
            .cmd("pg_ctl")
            .args(["-w", "-D"])
            .arg(&pg.dir)
            .args(["-o", &opts, "-l"])
            .arg(pg.dir.join("log"))
            .arg("start")
            .stdout(Stdio::null())
            .status()
            .ok()?
            .success();
        ok.then_some(pg)
    }

    fn psql(&self, sql: &str) -> bool {
        let mut child = Command::new(self.bin.join("psql"))
            .args([
                "-h",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-U",
                "postgres",
                "-q",
                "-v",
                "ON_ERROR_STOP=1",
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(sql.as_bytes())
            .unwrap();
        child.wait().map(|s| s.success()).unwrap_or(false)
    }

    /// Loads the CSV and builds the GIN index; returns the seconds it took.
    fn load(&self, csv: &Path) -> f64 {
        let t = Instant::now();
        let sql = format!(
            "SET client_min_messages = warning;\nDROP TABLE IF EXISTS docs;\n\
             CREATE TABLE docs (id text PRIMARY KEY, title text, region text, doc_type text, \
             period_start int, period_end int, goals text, body text);\n\
             \\copy docs FROM '{}' WITH (FORMAT csv)\n\
             ALTER TABLE docs ADD COLUMN tsv tsvector GENERATED ALWAYS AS \
             (setweight(to_tsvector('swedish', title), 'A') || to_tsvector('swedish', body)) STORED;\n\
             CREATE INDEX docs_tsv ON docs USING gin (tsv);\n\
             CREATE INDEX docs_region ON docs (region);\n\
             VACUUM ANALYZE docs;\n",
            csv.display()
        );
        assert!(self.psql(&sql), "loading PostgreSQL failed");
        t.elapsed().as_secs_f64()
    }

    /// pgbench with the SQL mix: requests/s, p50, p99 (ms).
    fn bench(&self, work: &Path, clients: usize, secs: u64) -> (f64, f64, f64) {
        let scripts = work.join("pgbench");
        std::fs::create_dir_all(&scripts).unwrap();
        let mut args = vec![
            "-h".to_string(),
            "127.0.0.1".into(),
            "-p".into(),
            self.port.to_string(),
            "-U".into(),
            "postgres".into(),
            "-n".into(),
            "-c".into(),
            clients.to_string(),
            "-j".into(),
            "2".into(),
            "-T".into(),
            secs.to_string(),
            "-l".into(),
            format!("--log-prefix={}", scripts.join("log").display()),
        ];
        for (i, sql) in sql_mix().iter().enumerate() {
            let f = scripts.join(format!("q{i}.sql"));
            std::fs::write(&f, sql).unwrap();
            args.push("-f".into());
            args.push(format!("{}@1", f.display()));
        }
        args.push("postgres".into());
        let out = Command::new(self.bin.join("pgbench"))
            .args(&args)
            .current_dir(&scripts)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut lat: Vec<f64> = Vec::new();
        for e in std::fs::read_dir(&scripts).unwrap().filter_map(Result::ok) {
            if !e.file_name().to_string_lossy().starts_with("log") {
                continue;
            }
            for line in std::fs::read_to_string(e.path()).unwrap().lines() {
                if let Some(us) = line
                    .split_whitespace()
                    .nth(2)
                    .and_then(|v| v.parse::<f64>().ok())
                {
                    lat.push(us / 1000.0);
                }
            }
        }
        lat.sort_by(|a, b| a.total_cmp(b));
        (
            lat.len() as f64 / secs as f64,
            percentile_sorted(&lat, 0.5),
            percentile_sorted(&lat, 0.99),
        )
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let _ = self
            .cmd("pg_ctl")
            .args(["-m", "immediate", "-D"])
            .arg(&self.dir)
            .arg("stop")
            .stdout(Stdio::null())
            .status();
    }
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
                let l = load_plansok(Path::new(&kept), clients, secs, false, &paths, true);
                println!(
                    "generated mix ({} requests), uncached: {:.0} req/s, p50 {:.1} ms, p99 {:.1} ms, {} errors, {:.0} MB peak\n\n{}",
                    mix.len(), l.rps, l.p50, l.p99, l.errors, l.peak_mb, mix_report(&mix, &l, secs)
                );
            }
        }
        return;
    }
    let pool = pool();
    let mut table = String::new();
    let mut serial = String::new();
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_default();
    let _ = writeln!(
        table,
        "Machine: {} cores ({cpu}). Seed {seed}; {clients} concurrent clients, {secs} s per load phase; \
         query mix: 8 searches with filters (top 10 with snippets, total, facet counts).\n",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    let _ = writeln!(
        table,
        "| passages (documents) | system | build | index | req/s | p50 ms | p99 ms | peak server memory |\n|---|---|---|---|---|---|---|---|"
    );
    for target in sizes {
        let keep = std::env::var_os("PLANSOK_SCALE_KEEP").is_some();
        let work = tempfile::tempdir().unwrap();
        let built = build(work.path(), target, seed, &pool);

        println!(
            "{} passages in {} documents: indexed in {:.1} s ({:.0} passages/s), {:.0} MB ({:.0} bytes/passage)",
            built.passages,
            built.docs,
            built.secs,
            built.passages as f64 / built.secs,
            built.index_bytes as f64 / 1e6,
            built.index_bytes as f64 / built.passages as f64
        );
        let (rows, mean) = one_at_a_time(work.path());
        let _ = writeln!(
            serial,
            "\n{} passages, each query alone (median of {} runs; mean of the medians {mean:.2} ms):\n\n\
             | query | hits | median ms | p95 ms |\n|---|---|---|---|",
            built.passages,
            env_usize("PLANSOK_SCALE_REPEAT", 30)
        );
        for (q, hits, p50, p95) in rows {
            println!("  alone: {q}: {hits} hits, median {p50:.2} ms, p95 {p95:.2} ms");
            let _ = writeln!(serial, "| `{q}` | {hits} | {p50:.2} | {p95:.2} |");
        }
        if std::env::var_os("PLANSOK_SCALE_ALONE_ONLY").is_some() {
            if keep {
                println!("  kept {}", work.keep().display());
            }
            continue;
        }
        let fixed: Vec<String> = MIX.iter().map(|p| p.to_string()).collect();
        let generated =
            mix_wanted("generated").then(|| generated_mix(work.path(), &pool, seed, mix_size()));
        let mut runs: Vec<(&str, &[String], bool)> = Vec::new();
        if mix_wanted("fixed") {
            runs.push((
                "plansok, 8-search mix, every request searched",
                &fixed,
                false,
            ));
            runs.push(("plansok, 8-search mix, response cache on", &fixed, true));
        }
        let generated_paths: Vec<String> =
            generated.iter().flatten().map(|r| r.path.clone()).collect();
        if generated.is_some() {
            runs.push((
                "plansok, generated mix, every request searched",
                &generated_paths,
                false,
            ));
        }
        for (name, paths, cache) in runs {
            let alone = !cache && std::ptr::eq(paths, &generated_paths[..]);
            let l = load_plansok(work.path(), clients, secs, cache, paths, alone);
            if alone {
                if let Some(mix) = &generated {
                    let _ = writeln!(
                        serial,
                        "\n{} passages, the generated mix ({} requests) by endpoint, uncached:\n\n{}",
                        built.passages,
                        mix.len(),
                        mix_report(mix, &l, secs)
                    );
                }
            }
            println!(
                "  {name}: {:.0} req/s, p50 {:.1} ms, p99 {:.1} ms, {} errors, {:.0} MB peak",
                l.rps, l.p50, l.p99, l.errors, l.peak_mb
            );
            let _ = writeln!(
                table,
                "| {} ({}) | {name} | {:.0} s | {:.0} MB | {:.0} | {:.1} | {:.1} | {:.0} MB |",
                built.passages,
                built.docs,
                built.secs,
                built.index_bytes as f64 / 1e6,
                l.rps,
                l.p50,
                l.p99,
                l.peak_mb
            );
        }
        match Postgres::start(work.path()) {
            Some(pg) if std::env::var_os("PLANSOK_SCALE_NO_PG").is_none() => {
                let load_secs = pg.load(&built.csv);
                let (rps, p50, p99) = pg.bench(work.path(), clients, secs);
                println!(
                    "  PostgreSQL FTS: loaded and indexed in {load_secs:.0} s; {rps:.0} req/s, p50 {p50:.1} ms, p99 {p99:.1} ms"
                );
                let _ = writeln!(
                    table,
                    "| {} ({}) | PostgreSQL FTS (swedish, GIN) | {load_secs:.0} s | – | {rps:.0} | {p50:.1} | {p99:.1} | – |",
                    built.passages, built.docs
                );
            }
            _ => println!(
                "  PostgreSQL: skipped (no server binaries, initdb failed, or PLANSOK_SCALE_NO_PG)"
            ),
        }
        if keep {
            println!("  kept {}", work.keep().display());
        }
    }
    table.push_str(&serial);
    println!("\n{table}");
    let out = std::env::var("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| repo().join("target"))
        .join("bench-results");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("scale.md"), &table).unwrap();
    println!("written to {}", out.join("scale.md").display());
}
