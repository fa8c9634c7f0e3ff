//! The `plansok` binary: ingest, search (table and the JSON of docs/api.md), stats, serve,
//! exit codes, and messages that say what happened.

mod common;

use std::process::{Command, Output};

use common::repo;

fn plansok(data: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_plansok"))
        .args(args)
        .env("PLANSOK_DATA", data)
        .env_remove("PLANSOK_CONFIG_DIR")
        .output()
        .expect("run plansok")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn ingest_search_and_stats_from_the_command_line() {
    let data = tempfile::tempdir().unwrap();
    let corpus = repo().join("corpus/sample");
    let o = plansok(data.path(), &["ingest", corpus.to_str().unwrap()]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let out = stdout(&o);
    assert!(
        out.contains("1 skipped") && out.contains("trasig.pdf"),
        "{out}"
    );

    let o = plansok(
        data.path(),
        &[
            "search",
            "--json",
            "--region",
            "jamtland",
            "--period",
            "2025",
            "våldsutsatta",
            "barn",
        ],
    );
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(v["query"], "våldsutsatta barn");
    for key in ["total", "took_ms", "hits", "facets"] {
        assert!(v.get(key).is_some(), "{key}");
    }
    let hits = v["hits"].as_array().unwrap();
    assert!(!hits.is_empty());
    for key in [
        "id",
        "url",
        "title",
        "region",
        "municipality",
        "organisation",
        "type",
        "period",
        "goals",
        "lang",
        "score",
        "snippet",
        "page",
    ] {
        assert!(hits[0].get(key).is_some(), "hit key {key}");
    }
    assert_eq!(hits[0]["region"], "Jämtlands län");
    for key in ["region", "goal", "type", "period", "organisation", "lang"] {
        assert!(v["facets"][key].is_array(), "facet {key}");
    }

    let o = plansok(data.path(), &["search", "handlingsplan"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("hits for \"handlingsplan\""));

    let o = plansok(data.path(), &["stats", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(v["documents"]["region"].as_array().unwrap().len(), 21);
    assert!(v["passages"]["total"].as_u64().unwrap() > v["documents"]["total"].as_u64().unwrap());
}

#[test]
fn exit_codes_tell_bad_usage_from_failure() {
    let data = tempfile::tempdir().unwrap();
    let o = plansok(data.path(), &["search", "våld"]);
    assert_eq!(o.status.code(), Some(1), "no index yet is a failure");
    assert!(String::from_utf8_lossy(&o.stderr).contains("plansok ingest"));

    let corpus = repo().join("corpus/sample/www.lansstyrelsen.se/jamtland");
    assert_eq!(
        plansok(data.path(), &["ingest", corpus.to_str().unwrap()])
            .status
            .code(),
        Some(0)
    );
    let o = plansok(data.path(), &["search", "--region", "Narnia", "våld"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("Narnia"));
    assert_eq!(
        plansok(data.path(), &["search", "--period", "2030-2020", "våld"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(plansok(data.path(), &["frobnicate"]).status.code(), Some(2));
    let o = plansok(data.path(), &["ingest", "/no/such/folder"]);
    assert_eq!(o.status.code(), Some(2), "a missing path is bad usage");
    assert!(
        stderr(&o).contains("no such file or folder: /no/such/folder"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_killed_ingest_leaves_a_usable_index_and_a_rerun_completes() {
    let data = tempfile::tempdir().unwrap();
    let docs = tempfile::tempdir().unwrap();
    // Enough work that the kill lands mid-run: 10 unique copies of the corpus.
    let n = common::corpus_copies(docs.path(), 10);
    let mut child = Command::new(env!("CARGO_BIN_EXE_plansok"))
        .args(["ingest", docs.path().to_str().unwrap()])
        .env("PLANSOK_DATA", data.path())
        .env(
            "PLANSOK_CONFIG_DIR",
            repo().join("tests/config-commit-often"),
        )
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(700));
    let _ = child.kill();
    let _ = child.wait();

    // The index opens at its last commit (possibly empty) and answers.
    let o = plansok(data.path(), &["stats", "--json"]);
    if o.status.code() == Some(0) {
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert!(v["documents"]["total"].as_u64().unwrap() <= n as u64);
    }
    // A re-run completes the work without duplicates.
    let o = plansok(data.path(), &["ingest", docs.path().to_str().unwrap()]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let o = plansok(data.path(), &["stats", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let robots = 10; // robots.txt is not a document
    let broken = 10; // the broken PDF is skipped
    assert_eq!(
        v["documents"]["total"].as_u64().unwrap(),
        (n - robots - broken) as u64
    );
}

/// A plan text that names no county.
const NO_COUNTY_PLAN: &str = "Handlingsplan mot mäns våld mot kvinnor 2025–2027\n\n\
    Kommunen ska arbeta förebyggande mot våld i nära relationer. Socialtjänsten erbjuder stöd \
    och skydd till våldsutsatta kvinnor och barn, och samverkar med polisen och hälso- och \
    sjukvården. Alla medarbetare ska få utbildning om våld i nära relationer.\n";

#[test]
fn ingest_names_each_skipped_file_once_with_why_and_says_when_nothing_was_found() {
    let data = tempfile::tempdir().unwrap();
    let docs = tempfile::tempdir().unwrap();
    std::fs::write(docs.path().join("plan.txt"), NO_COUNTY_PLAN).unwrap();
    std::fs::write(docs.path().join("plan.docx"), b"PK\x03\x04 not really Word").unwrap();
    std::fs::write(docs.path().join("anteckningar.md"), "# Anteckningar\n").unwrap();
    let o = plansok(data.path(), &["ingest", docs.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let (out, err) = (stdout(&o), stderr(&o));
    assert!(
        out.contains("indexed 1 new") && out.contains("2 skipped"),
        "{out}"
    );
    let docx = docs.path().join("plan.docx");
    assert!(
        out.contains(&format!(
            "skipped {}: unsupported file type .docx (supported: .pdf, .html, .htm",
            docx.display()
        )),
        "{out}"
    );
    assert!(out.contains("unsupported file type .md"), "{out}");
    for name in ["plan.docx", "anteckningar.md"] {
        let said = out.matches(name).count() + err.matches(name).count();
        assert_eq!(said, 1, "{name} is reported once:\n{out}\n{err}");
    }

    let empty = tempfile::tempdir().unwrap();
    let o = plansok(data.path(), &["ingest", empty.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0));
    assert!(
        stderr(&o).contains("nothing to ingest: no .pdf, .html")
            && stderr(&o).contains(&empty.path().display().to_string()),
        "{}",
        stderr(&o)
    );
}

#[test]
fn stats_has_a_row_for_documents_without_a_county_so_the_counties_sum_to_the_total() {
    let data = tempfile::tempdir().unwrap();
    let docs = tempfile::tempdir().unwrap();
    std::fs::write(docs.path().join("plan.txt"), NO_COUNTY_PLAN).unwrap();
    let jamtland = repo().join("corpus/sample/www.lansstyrelsen.se/jamtland");
    for path in [docs.path(), jamtland.as_path()] {
        let o = plansok(data.path(), &["ingest", path.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    }
    let o = plansok(data.path(), &["stats"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    let total: u64 = out
        .split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .expect("the first line gives the total");
    let county_rows: Vec<&str> = out
        .split("\n\n")
        .find(|s| s.starts_with("county"))
        .expect("a county table")
        .lines()
        .skip(1)
        .collect();
    let no_county = county_rows
        .iter()
        .find(|l| l.starts_with("(no county)"))
        .unwrap_or_else(|| panic!("a (no county) row:\n{out}"));
    assert_eq!(
        no_county.split_whitespace().nth(2),
        Some("1"),
        "{no_county}"
    );
    let documents = |row: &&str| -> u64 {
        let cols: Vec<&str> = row.split_whitespace().collect();
        cols[cols.len() - 2].parse().unwrap()
    };
    assert_eq!(
        county_rows.iter().map(documents).sum::<u64>(),
        total,
        "{out}"
    );
}

/// `plansok serve` with these arguments on an empty data folder, its stderr read line by line.
struct Served {
    child: std::process::Child,
    lines: std::sync::mpsc::Receiver<String>,
    seen: Vec<String>,
}

impl Served {
    fn start(data: &std::path::Path, args: &[&str]) -> Served {
        let mut child = Command::new(env!("CARGO_BIN_EXE_plansok"))
            .arg("serve")
            .args(args)
            .env("PLANSOK_DATA", data)
            .env("PLANSOK_LOG", "info")
            .env_remove("PLANSOK_CONFIG_DIR")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("run plansok serve");
        let err = child.stderr.take().unwrap();
        let (tx, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            use std::io::BufRead;
            for line in std::io::BufReader::new(err).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        Served {
            child,
            lines,
            seen: Vec::new(),
        }
    }

    /// The first stderr line starting with `prefix` (None when stderr ends first).
    fn line_starting(&mut self, prefix: &str) -> Option<String> {
        let timeout = std::time::Duration::from_secs(300);
        while let Ok(line) = self.lines.recv_timeout(timeout) {
            self.seen.push(line.clone());
            if line.starts_with(prefix) {
                return Some(line);
            }
        }
        None
    }

    /// Stops the server; returns all it wrote to stderr.
    fn stop(mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.seen.extend(self.lines.iter());
        self.seen.join("\n")
    }
}

/// GET `path` over plain HTTP/1.0; the status line.
fn get_status(addr: &str, path: &str) -> String {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).expect("the announced port answers");
    write!(s, "GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n").unwrap();
    let mut answer = String::new();
    let _ = s.read_to_string(&mut answer);
    answer.lines().next().unwrap_or("").to_string()
}

#[test]
fn serve_takes_a_host_name_and_announces_the_address_once_it_listens() {
    let data = tempfile::tempdir().unwrap();
    let mut served = Served::start(data.path(), &["--addr", "localhost:0"]);
    let line = served.line_starting("plansok: http://");
    let Some(line) = line else {
        panic!("no address announced:\n{}", served.stop());
    };
    let addr = line
        .trim_start_matches("plansok: http://")
        .split('/')
        .next()
        .unwrap()
        .to_string();
    assert!(!addr.ends_with(":0"), "the real port is announced: {line}");
    let status = get_status(&addr, "/api/health");
    let log = served.stop();
    assert!(status.contains(" 200 "), "{status}\n{log}");
    assert!(
        log.contains("listening on"),
        "an INFO line was logged:\n{log}"
    );
    assert!(
        !log.contains('\x1b'),
        "no colour codes in a piped log:\n{log:?}"
    );
}

#[test]
fn serve_on_a_busy_port_fails_with_one_clear_error_and_no_address_line() {
    let data = tempfile::tempdir().unwrap();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let o = plansok(data.path(), &["serve", "--addr", &addr]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains(&format!("cannot listen on {addr}: address already in use")),
        "{err}"
    );
    assert!(!err.contains("plansok: http"), "{err}");
    assert_eq!(err.matches("error").count(), 1, "{err}");
    assert!(
        !data.path().join("index").exists(),
        "nothing is done before the port is ours"
    );

    let o = plansok(data.path(), &["serve", "--addr", "localhost"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("HOST:PORT"), "{}", stderr(&o));
}

/// GET `path` over plain HTTP/1.0; the body.
fn get_body(addr: &str, path: &str) -> String {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).expect("the announced port answers");
    write!(s, "GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n").unwrap();
    let mut answer = String::new();
    let _ = s.read_to_string(&mut answer);
    answer
        .split_once("\r\n\r\n")
        .map_or(String::new(), |(_, b)| b.to_string())
}

#[test]
fn serve_fills_only_a_new_data_folder_with_the_sample_and_says_it_is_fictitious() {
    // A new folder: filled, marked, and the API says so.
    let data = tempfile::tempdir().unwrap();
    let mut served = Served::start(data.path(), &["--addr", "127.0.0.1:0"]);
    let Some(line) = served.line_starting("plansok: http://") else {
        panic!("no address announced:\n{}", served.stop());
    };
    let addr = line
        .trim_start_matches("plansok: http://")
        .split('/')
        .next()
        .unwrap()
        .to_string();
    let health: serde_json::Value = serde_json::from_str(&get_body(&addr, "/api/health")).unwrap();
    let log = served.stop();
    assert!(log.contains("fictitious sample corpus"), "{log}");
    assert_eq!(health["sample"], true, "{health}");
    assert!(health["documents"].as_u64().unwrap() >= 48);
    assert!(data.path().join("SAMPLE.txt").is_file());

    // A folder a crawl has written to (here, only its store): never filled, even when empty.
    let crawled = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(crawled.path().join("store")).unwrap();
    let mut served = Served::start(crawled.path(), &["--addr", "127.0.0.1:0"]);
    let Some(line) = served.line_starting("plansok: http://") else {
        panic!("no address announced:\n{}", served.stop());
    };
    let addr = line
        .trim_start_matches("plansok: http://")
        .split('/')
        .next()
        .unwrap()
        .to_string();
    let health: serde_json::Value = serde_json::from_str(&get_body(&addr, "/api/health")).unwrap();
    let log = served.stop();
    assert_eq!(
        (health["documents"].as_u64(), health["sample"].as_bool()),
        (Some(0), Some(false)),
        "{health}"
    );
    assert!(log.contains("is empty"), "{log}");
    assert!(!log.contains("sample corpus"), "{log}");
    assert!(!crawled.path().join("SAMPLE.txt").exists());
}
