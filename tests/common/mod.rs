//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use plansok_classify::{Classifier, Source};
use plansok_extract::{extract, ExtractConfig, Format, Hints};
use plansok_index::{Indexer, SearchConfig, SearchIndex};
use plansok_ingest::{IngestOptions, Pipeline};
use plansok_model::{Document, SourceMeta};

pub mod browser;
pub mod http;

/// The repository root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("repo root")
}

/// `../shared` beside the repository, or None (with a message) when it is absent.
pub fn shared() -> Option<PathBuf> {
    let dir = repo().join("../shared");
    if dir.is_dir() {
        Some(dir)
    } else {
        skip(&format!(
            "{} is absent; this test needs the shared test material",
            dir.display()
        ));
        None
    }
}

/// Says on the test run's own stderr that a test is skipped and why: written to the stream
/// itself, not through `eprintln!`, which the harness captures and hides for a passing test.
pub fn skip(reason: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "SKIP: {reason}");
}

/// The folder of a fixture that lives as long as the test process (in a `static`, which is never
/// dropped, so a temporary folder would stay behind in /tmp after every run): `name` under
/// cargo's tmp folder for tests, emptied when the fixture is made again.
pub fn fixture_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    if dir.exists() {
        std::fs::remove_dir_all(&dir).expect("removing the previous run's fixture");
    }
    std::fs::create_dir_all(&dir).expect("creating the fixture folder");
    dir
}

/// Extracts and classifies one file without indexing it.
pub fn classify_file(path: &Path) -> Document {
    let cfg = ExtractConfig::load().expect("extract config");
    let classifier = Classifier::load().expect("classifier");
    let bytes = std::fs::read(path).expect("read file");
    let format = Format::from_extension(path.extension().and_then(|e| e.to_str()).unwrap_or(""))
        .expect("format");
    let ex = extract(&cfg, &bytes, format, &Hints::default())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let hash = blake3_hex(&bytes);
    let p = path.to_string_lossy();
    classifier.classify(&Source {
        extracted: &ex,
        format,
        path: Some(&p),
        meta: &SourceMeta::default(),
        content_hash: &hash,
    })
}

fn blake3_hex(bytes: &[u8]) -> String {
    blake3::hash(bytes).to_hex().to_string()
}

/// A pipeline on a new index in `dir`.
pub fn pipeline(dir: &Path) -> Pipeline {
    pipeline_with(dir, SearchConfig::load().unwrap())
}

/// A pipeline on a new index in `dir` made with `cfg`.
pub fn pipeline_with(dir: &Path, cfg: SearchConfig) -> Pipeline {
    let store = Indexer::open(&dir.join("index"), cfg).expect("open index");
    Pipeline::new(
        ExtractConfig::load().unwrap(),
        Classifier::load().unwrap(),
        store,
        IngestOptions::load().unwrap(),
    )
}

/// Whitespace-collapsed text.
pub fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Similarity of two texts by word diff (2·matches / total, like difflib's ratio).
pub fn similarity(a: &str, b: &str) -> f64 {
    let a = collapse(a);
    let b = collapse(b);
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    let diff = similar::TextDiff::configure()
        .timeout(std::time::Duration::from_secs(5))
        .diff_chars(&a, &b);
    diff.ratio() as f64
}

pub fn median(mut v: Vec<f64>) -> f64 {
    assert!(!v.is_empty(), "median of nothing");
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Writes `copies` copies of the sample corpus below `dir` (`<host>/c<copy>/<path>`, each file
/// made unique so none is a duplicate); returns the number of files.
pub fn corpus_copies(dir: &Path, copies: usize) -> usize {
    let sample = repo().join("corpus/sample");
    let mut n = 0;
    for c in 0..copies {
        for e in walkdir::WalkDir::new(&sample)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
        {
            let rel = e.path().strip_prefix(&sample).unwrap();
            let mut parts = rel.components();
            let host = parts.next().unwrap();
            let target = dir.join(host).join(format!("c{c}")).join(parts.as_path());
            std::fs::create_dir_all(target.parent().unwrap()).unwrap();
            let mut bytes = std::fs::read(e.path()).unwrap();
            bytes.extend_from_slice(format!("\n<!-- {c} -->\n").as_bytes());
            std::fs::write(target, bytes).unwrap();
            n += 1;
        }
    }
    n
}

/// A small deterministic generator (xorshift) for random moments; the seed comes from
/// `PLANSOK_TEST_SEED` or the clock, and is printed so a failure can be replayed.
pub struct Moments(u64);

impl Moments {
    pub fn new() -> Moments {
        let seed = std::env::var("PLANSOK_TEST_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_nanos() as u64)
                    .unwrap_or(1)
            });
        eprintln!("random moments: PLANSOK_TEST_SEED={seed}");
        Moments(seed.max(1))
    }

    /// A duration in [lo, hi) milliseconds.
    pub fn between_ms(&mut self, lo: u64, hi: u64) -> std::time::Duration {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        std::time::Duration::from_millis(lo + self.0 % (hi - lo).max(1))
    }
}

/// Serves `store` on 127.0.0.1 from a runtime of its own; returns the address and the runtime
/// (the server runs while the runtime lives).
pub fn start_server(store: SearchIndex) -> (std::net::SocketAddr, tokio::runtime::Runtime) {
    start_server_with(store, plansok_server::ServerSettings::load().unwrap())
}

/// [`start_server`] with these settings.
#[allow(dead_code)]
pub fn start_server_with(
    store: SearchIndex,
    settings: plansok_server::ServerSettings,
) -> (std::net::SocketAddr, tokio::runtime::Runtime) {
    let state = std::sync::Arc::new(plansok_server::AppState::new(
        store,
        plansok_model::Taxonomy::load().unwrap(),
        settings,
    ));
    let rt = tokio::runtime::Runtime::new().unwrap();
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    rt.spawn(plansok_server::serve_until(
        listener,
        state,
        std::future::pending(),
    ));
    (addr, rt)
}
