//! Fault injection: `kill -9` of ingest at random moments, a full disk, and the server under
//! load while an ingest commits beside it. (The crawl's random kills are in tests/crawl.rs,
//! beside its mirror.)

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{corpus_copies, repo, Moments};
use plansok_index::search;
use plansok_index::{SearchConfig, SearchIndex, SearchRequest};
use plansok_model::Taxonomy;

fn plansok(data: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_plansok"));
    c.env("PLANSOK_DATA", data)
        .env(
            "PLANSOK_CONFIG_DIR",
            repo().join("tests/config-commit-often"),
        )
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    c
}

/// Runs `plansok ingest` on `docs` to the end; it must succeed.
fn ingest_to_the_end(data: &Path, docs: &Path) {
    let out = plansok(data)
        .args(["ingest", docs.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The ids of every indexed document, and the total the index reports (None: no index yet).
fn indexed_ids(data: &Path) -> Option<(BTreeSet<String>, usize)> {
    let store = SearchIndex::open(&data.join("index"), SearchConfig::load().unwrap()).ok()?;
    let tax = Taxonomy::load().unwrap();
    let mut ids = BTreeSet::new();
    let mut total = 0;
    let mut seen = 0;
    loop {
        let r = search(
            &store,
            &tax,
            &SearchRequest {
                limit: Some(100),
                offset: seen,
                // Every document: the sample's county pages are near-duplicates.
                keep_near_duplicates: true,
                ..Default::default()
            },
        )
        .expect("the index answers");
        total = r.total.max(total);
        if r.hits.is_empty() {
            break;
        }
        seen += r.hits.len();
        ids.extend(r.hits.into_iter().map(|h| h.id));
    }
    Some((ids, total))
}

#[test]
fn ingest_killed_at_random_moments_loses_and_duplicates_nothing() {
    let data = tempfile::tempdir().unwrap();
    let docs = tempfile::tempdir().unwrap();
    let files = corpus_copies(docs.path(), 6);
    let expected = files - 6 * 2; // robots.txt and the broken PDF of each copy
    let mut moments = Moments::new();
    let mut before: BTreeSet<String> = BTreeSet::new();
    for round in 0..4 {
        let mut child = plansok(data.path())
            .args(["ingest", docs.path().to_str().unwrap()])
            .spawn()
            .unwrap();
        std::thread::sleep(moments.between_ms(150, 1200));
        child.kill().unwrap(); // SIGKILL
        let _ = child.wait();
        match indexed_ids(data.path()) {
            Some((ids, total)) => {
                assert_eq!(ids.len(), total, "round {round}: every document once");
                assert!(
                    ids.is_superset(&before),
                    "round {round}: a committed document was lost"
                );
                before = ids;
            }
            None => assert!(before.is_empty(), "round {round}: the index vanished"),
        }
    }
    ingest_to_the_end(data.path(), docs.path());
    let (ids, total) = indexed_ids(data.path()).unwrap();
    assert_eq!((ids.len(), total), (expected, expected));
    assert!(ids.is_superset(&before));
}

/// Runs `script` with a small tmpfs mounted at `$MNT` (in a user and mount namespace of its
/// own, else as root), returning its output; None when this machine allows neither.
fn with_small_disk(script: &str, kb: usize) -> Option<String> {
    let mnt = tempfile::tempdir().unwrap();
    let body = format!("set -e; mount -t tmpfs -o size={kb}k tmpfs \"$MNT\"; {script}");
    for launcher in [vec!["unshare", "-rm", "sh", "-c"], vec!["sh", "-c"]] {
        let out = Command::new(launcher[0])
            .args(&launcher[1..])
            .arg(&body)
            .env("MNT", mnt.path())
            .env("PLANSOK", env!("CARGO_BIN_EXE_plansok"))
            .env(
                "PLANSOK_CONFIG_DIR",
                repo().join("tests/config-commit-often"),
            )
            .env("CORPUS", repo().join("corpus/sample"))
            .output();
        if let Ok(out) = out {
            let text = String::from_utf8_lossy(&out.stdout).to_string()
                + &String::from_utf8_lossy(&out.stderr);
            if !text.contains("mount:") && !text.contains("unshare:") {
                return Some(text);
            }
        }
    }
    None
}

#[test]
fn a_full_disk_gives_a_clear_error_and_keeps_the_last_commit() {
    // 1. Ingest one county's pages (fits). 2. Fill the disk. 3. Ingest the whole corpus: it
    // must fail with a clear error. 4. The index still has the first commit and answers.
    let script = r#"
        D="$MNT/data"
        "$PLANSOK" ingest --data "$D" "$CORPUS/www.lansstyrelsen.se/jamtland" > /dev/null 2>&1
        echo "first: $("$PLANSOK" stats --data "$D" --json | tr -d ' \n' | grep -o '"documents":{"total":[0-9]*' | grep -o '[0-9]*$')"
        dd if=/dev/zero of="$MNT/filler" bs=4k 2>/dev/null || true
        set +e
        "$PLANSOK" ingest --data "$D" "$CORPUS" > "$MNT/../out.txt" 2> /tmp/plansok-full-disk.err
        echo "second exit: $?"
        echo "second stderr: $(grep -v '^\s*$' /tmp/plansok-full-disk.err | grep -iv 'skipped' | tail -3)"
        rm -f "$MNT/filler"
        echo "after: $("$PLANSOK" stats --data "$D" --json | tr -d ' \n' | grep -o '"documents":{"total":[0-9]*' | grep -o '[0-9]*$')"
    "#;
    let Some(out) = with_small_disk(script, 4096) else {
        eprintln!(
            "SKIP: this machine allows no tmpfs mount (neither in a user namespace nor as root)"
        );
        return;
    };
    let field = |name: &str| {
        out.lines()
            .find_map(|l| l.strip_prefix(name))
            .map(str::trim)
            .unwrap_or("")
            .to_string()
    };
    let first: usize = field("first:").parse().unwrap_or_else(|_| panic!("{out}"));
    assert!(first >= 2, "{out}");
    assert_eq!(
        field("second exit:"),
        "1",
        "a full disk is a failure: {out}"
    );
    let err = field("second stderr:").to_lowercase();
    assert!(
        err.contains("no space left") || (err.contains("disk") && err.contains("full")),
        "the error says the disk is full: {out}"
    );
    assert!(
        !err.contains("panicked at"),
        "no panic reaches the user: {out}"
    );
    assert_eq!(
        field("after:"),
        first.to_string(),
        "the last commit is intact: {out}"
    );
}

/// A plain HTTP/1.1 GET (Connection: close, identity body): status and body.
fn http_get(addr: std::net::SocketAddr, target: &str) -> std::io::Result<(u16, String)> {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr)?;
    s.set_read_timeout(Some(Duration::from_secs(20)))?;
    let target: String = target
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"/?=&-_.".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    write!(
        s,
        "GET {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )?;
    let mut buf = Vec::new();
    s.read_to_end(&mut buf)?;
    let text = String::from_utf8_lossy(&buf).to_string();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    let body = if text.to_lowercase().contains("transfer-encoding: chunked") {
        dechunk(&body)
    } else {
        body
    };
    Ok((status, body))
}

fn dechunk(mut b: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = b.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 || rest.len() < n {
            break;
        }
        out.push_str(&rest[..n]);
        b = rest[n..].trim_start_matches("\r\n");
    }
    out
}

#[test]
fn the_server_under_load_while_an_ingest_commits_beside_it_answers_without_errors() {
    let data = tempfile::tempdir().unwrap();
    let docs = tempfile::tempdir().unwrap();
    corpus_copies(docs.path(), 3);
    // A first commit, so the server has an index to open.
    let out = plansok(data.path())
        .args([
            "ingest",
            repo()
                .join("corpus/sample/www.lansstyrelsen.se/kalmar")
                .to_str()
                .unwrap(),
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let store =
        SearchIndex::open(&data.path().join("index"), SearchConfig::load().unwrap()).unwrap();
    let (addr, _rt) = common::start_server(store);

    let stop = Arc::new(AtomicBool::new(false));
    let ok = Arc::new(AtomicUsize::new(0));
    let failures = Arc::new(std::sync::Mutex::new(Vec::new()));
    let clients: Vec<_> = (0..8)
        .map(|i| {
            let (stop, ok, failures) = (stop.clone(), ok.clone(), failures.clone());
            std::thread::spawn(move || {
                let queries = ["våld", "skyddat boende", "handlingsplan", "barnahus"];
                let mut k = i;
                while !stop.load(Ordering::Relaxed) {
                    let target = format!("/api/search?q={}&limit=5", queries[k % queries.len()]);
                    k += 1;
                    match http_get(addr, &target) {
                        Ok((200, _)) => {
                            ok.fetch_add(1, Ordering::Relaxed);
                        }
                        Ok((status, body)) => failures
                            .lock()
                            .unwrap()
                            .push(format!("{target}: {status} {body}")),
                        Err(e) => failures.lock().unwrap().push(format!("{target}: {e}")),
                    }
                }
            })
        })
        .collect();
    let started = Instant::now();
    ingest_to_the_end(data.path(), docs.path());
    // Let the reader pick up the last commit while the load goes on.
    std::thread::sleep(Duration::from_millis(1500));
    stop.store(true, Ordering::Relaxed);
    for c in clients {
        c.join().unwrap();
    }
    let failures = failures.lock().unwrap();
    assert!(
        failures.is_empty(),
        "{} failed: {:?}",
        failures.len(),
        &failures[..failures.len().min(5)]
    );
    assert!(
        ok.load(Ordering::Relaxed) > 50,
        "the load ran: {}",
        ok.load(Ordering::Relaxed)
    );
    let (_, body) = http_get(addr, "/api/search?q=&limit=1").unwrap();
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert!(
        v["total"].as_u64().unwrap() > 100,
        "the server sees the new commits ({:?} of load): {v}",
        started.elapsed()
    );
}
