//! The API's contract as a tool that calls it sees it: one error body for every status, no
//! path of the server's in any answer, the edge cases of the parameters, the exports (CSV for
//! a Swedish spreadsheet, JSON Lines) and the Atom feed, and every answer within the OpenAPI
//! document (checked by schemathesis against the live server, when it is installed).
//!
//! Python tools are looked for as `PLANSOK_PYTHON` (default `python3`) and
//! `PLANSOK_SCHEMATHESIS` (default `schemathesis`); `.ci/run` installs them in a virtual
//! environment. LibreOffice is `soffice`. A test whose tool is missing says SKIP.

mod common;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use common::http::{self, sample_server, Answer, SampleServer};
use common::{repo, skip};

fn server() -> &'static SampleServer {
    sample_server("contract-corpus")
}

fn send(method: &str, target: &str, extra: &str) -> Answer {
    http::send(server().addr, method, target, extra)
}

fn get(target: &str) -> Answer {
    send("GET", target, "")
}

/// Asserts the error body `{"error": {"code", "message"}}` with this status and code.
fn assert_error(a: &Answer, status: u16, code: &str, what: &str) {
    assert_eq!(a.status, status, "{what}: {}", a.text());
    assert!(
        a.head.contains("content-type: application/json"),
        "{what}: {}",
        a.head
    );
    let v = a.json();
    assert_eq!(v["error"]["code"], code, "{what}: {v}");
    let message = v["error"]["message"].as_str().unwrap_or("");
    assert!(!message.is_empty(), "{what}: a message for people");
}

#[test]
fn every_error_status_has_the_error_body() {
    assert_error(&get("/nope"), 404, "not_found", "unknown route");
    assert_error(&get("/favicon.ico"), 404, "not_found", "no favicon");
    assert_error(
        &get("/api/documents/0123456789abcdef/passages"),
        404,
        "not_found",
        "unknown sub-route",
    );
    let post = send("POST", "/api/search", "Content-Length: 2\r\n");
    assert_error(&post, 405, "method_not_allowed", "POST");
    assert!(post.head.contains("allow:"), "{}", post.head);
    let big = send("POST", "/api/search", "Content-Length: 999999999\r\n");
    assert_error(&big, 413, "payload_too_large", "a huge body");
    let q20k = format!("/api/search?q={}", "a".repeat(20_000));
    assert_error(&get(&q20k), 414, "uri_too_long", "a 20 kB query");
    // Longer than the HTTP library holds: still plansok's answer, and the server goes on.
    let q100k = format!("/api/search?q={}", "a".repeat(100_000));
    assert_error(&get(&q100k), 414, "uri_too_long", "a 100 kB query");
    assert_eq!(get("/api/health").status, 200);
    assert_error(&get("/api/documents/xyz"), 400, "invalid_id", "not hex");
    assert_error(
        &get("/api/documents/00ff/passages/x/similar"),
        400,
        "invalid_passage",
        "not a number",
    );
    assert_error(
        &get("/api/search?q=v&period=2025&period=2026"),
        400,
        "invalid_parameter",
        "a repeated period",
    );
    assert_error(
        &get("/api/search?q=v&limit=-1"),
        400,
        "invalid_limit",
        "negative limit",
    );
    assert_error(
        &get("/api/search?q=v&offset=-1"),
        400,
        "invalid_offset",
        "negative offset",
    );
    assert_error(
        &get("/api/search?limit=101"),
        400,
        "invalid_limit",
        "over the cap",
    );
    assert_error(
        &get("/api/suggest?q=ha&limit=0"),
        400,
        "invalid_limit",
        "no suggestions",
    );
}

#[test]
fn a_missing_passage_is_told_apart_from_a_missing_document() {
    let hit = get("/api/search?q=kontaktf%C3%B6rbud&limit=1").json();
    let id = hit["hits"][0]["id"].as_str().unwrap().to_string();
    let a = get(&format!("/api/documents/{id}/passages/99999/similar"));
    assert_error(&a, 404, "not_found", "missing passage");
    assert!(a.json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("passage 99999"));
    let a = get("/api/documents/0123456789abcdef/passages/1/similar");
    assert_error(&a, 404, "not_found", "missing document");
    assert!(a.json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("document"));
}

#[test]
fn no_answer_shows_a_path_of_the_server() {
    let hit = get("/api/search?q=riskbed%C3%B6mning&limit=1").json();
    let id = hit["hits"][0]["id"].as_str().unwrap().to_string();
    let doc = get(&format!("/api/documents/{id}")).json();
    let n = doc["passages"][0]["no"]
        .as_u64()
        .expect("a passage has its number");
    let targets = [
        "/api/search?q=v%C3%A5ld&limit=100".to_string(),
        "/api/search?q=v%C3%A5ld&format=csv".into(),
        "/api/search?q=v%C3%A5ld&format=jsonl".into(),
        "/api/facets?q=v%C3%A5ld".into(),
        "/api/measures?q=skyddat+boende".into(),
        "/api/suggest?q=han".into(),
        "/api/feed.atom?q=v%C3%A5ld".into(),
        format!("/api/documents/{id}"),
        format!("/api/documents/{id}/similar"),
        format!("/api/documents/{id}/passages/{n}/similar"),
    ];
    let here = repo().display().to_string();
    let data = server().dir.display().to_string();
    for t in targets {
        let a = get(&t);
        assert_eq!(a.status, 200, "{t}");
        let text = a.text();
        for leak in [here.as_str(), data.as_str(), "\"path\"", "corpus/sample"] {
            assert!(!text.contains(leak), "{t} shows {leak}");
        }
    }
    // One name for a field everywhere: `type`.
    assert!(doc["type"].is_string(), "{doc}");
    assert!(doc.get("doc_type").is_none());
}

#[test]
fn limit_zero_gives_the_counts_and_facets_without_hits() {
    let v = get("/api/search?q=v%C3%A5ld&limit=0").json();
    assert_eq!(v["hits"].as_array().unwrap().len(), 0, "{v}");
    let with_hits = get("/api/search?q=v%C3%A5ld").json();
    assert_eq!(v["total"], with_hits["total"]);
    assert!(v["total"].as_u64().unwrap() > 10);
    assert_eq!(v["facets"], with_hits["facets"]);
    let m = get("/api/measures?q=skyddat+boende&limit=0").json();
    let counties = m["counties"].as_array().unwrap();
    assert!(!counties.is_empty(), "{m}");
    assert!(counties
        .iter()
        .all(|c| c["matches"].as_u64().unwrap() > 0 && c["measures"] == serde_json::json!([])));
}

#[test]
fn errors_name_the_valid_values_and_labels_are_accepted() {
    let message = |t: &str| {
        get(t).json()["error"]["message"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let m = message("/api/search?q=v&goal=fred");
    assert!(
        m.contains("skydd-och-stod") && m.contains("Skydd och stöd"),
        "{m}"
    );
    let m = message("/api/search?q=v&type=plan");
    assert!(
        m.contains("overenskommelse") && m.contains("handlingsplan"),
        "{m}"
    );
    let m = message("/api/search?q=v&region=Narnia");
    assert!(m.contains("skane") && m.contains("lulea"), "{m}");
    let m = message("/api/search?q=v&regoin=skane");
    assert!(m.contains("region") && m.contains("period"), "{m}");
    let total = |t: &str| {
        let a = get(t);
        assert_eq!(a.status, 200, "{t}: {}", a.text());
        a.json()["total"].as_u64().unwrap()
    };
    let by_slug = total("/api/search?goal=skydd-och-stod");
    assert!(by_slug > 0);
    assert_eq!(total("/api/search?goal=Skydd%20och%20st%C3%B6d"), by_slug);
    let by_slug = total("/api/search?type=overenskommelse");
    assert_eq!(total("/api/search?type=%C3%96verenskommelse"), by_slug);
    let by_name = total("/api/search?region=Lule%C3%A5%20kommun");
    assert_eq!(total("/api/search?region=lulea"), by_name);
}

#[test]
fn csv_for_a_swedish_spreadsheet_and_json_lines_for_tools() {
    let total = get("/api/search?q=v%C3%A5ld&limit=0").json()["total"]
        .as_u64()
        .unwrap() as usize;
    let a = get("/api/search?q=v%C3%A5ld&format=csv&dialect=excel");
    assert_eq!(a.status, 200);
    assert!(
        a.head.contains("filename=\"plansok-vald.csv\""),
        "{}",
        a.head
    );
    assert!(
        a.body.starts_with("\u{feff}".as_bytes()),
        "a byte-order mark"
    );
    let text = a.text();
    let text = text.trim_start_matches('\u{feff}');
    let header = text.lines().next().unwrap();
    assert!(
        header.starts_with("id;score;title;url;document;"),
        "{header}"
    );
    assert!(text.contains("\r\n"), "CRLF line ends");
    let rows: Vec<csv::StringRecord> = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_reader(text.as_bytes())
        .records()
        .map(Result::unwrap)
        .collect();
    assert_eq!(rows.len(), total, "every hit");
    assert!(
        rows[0][4].starts_with("http://localhost/api/documents/"),
        "{:?}",
        &rows[0]
    );
    // A Swedish spreadsheet reads a number with a decimal comma.
    let score = &rows[0][1];
    assert!(
        score.contains(',') && score.replace(',', ".").parse::<f64>().is_ok(),
        "score {score:?}"
    );
    assert!(rows
        .iter()
        .any(|r| r[2].contains('ä') || r[2].contains('å') || r[2].contains('ö')));
    libreoffice_reads_back(&a.body, &rows[0][2]);

    let a = get("/api/search?q=v%C3%A5ld&format=jsonl");
    assert_eq!(a.status, 200);
    assert!(a.head.contains("application/x-ndjson"), "{}", a.head);
    let lines: Vec<serde_json::Value> = a
        .text()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), total);
    assert!(lines
        .iter()
        .all(|h| h["id"].is_string() && h["score"].is_number()));
}

/// LibreOffice (headless) opens the Excel-dialect CSV as a Swedish-locale spreadsheet would
/// (semicolons) and saves it as xlsx; read back, the first title keeps its å, ä and ö.
fn libreoffice_reads_back(csv: &[u8], first_title: &str) {
    let dir = tempfile::tempdir().unwrap();
    let profile = format!(
        "-env:UserInstallation=file://{}/profile",
        dir.path().display()
    );
    let probe = dir.path().join("probe.csv");
    std::fs::write(&probe, "a,b\n1,2\n").unwrap();
    if !convert(&profile, dir.path(), &probe, "xlsx", None) {
        skip(
            "LibreOffice Calc (soffice) is not installed; the CSV was not opened in a spreadsheet",
        );
        return;
    }
    let file = dir.path().join("export.csv");
    std::fs::write(&file, csv).unwrap();
    // Field separator ';' as in a Swedish locale, text delimiter '"', the character set left
    // to LibreOffice to find (Excel needs the BOM for that; LibreOffice finds UTF-8 either way).
    assert!(convert(
        &profile,
        dir.path(),
        &file,
        "xlsx",
        Some("CSV:59,34,,1")
    ));
    let xlsx = dir.path().join("export.xlsx");
    assert!(xlsx.is_file(), "LibreOffice made no xlsx");
    let back = dir.path().join("back");
    std::fs::create_dir_all(&back).unwrap();
    assert!(convert(
        &profile,
        &back,
        &xlsx,
        "csv:Text - txt - csv (StarCalc):44,34,76",
        None
    ));
    let text = std::fs::read_to_string(back.join("export.csv")).unwrap();
    let mut rows = csv::Reader::from_reader(text.as_bytes());
    let title = rows.records().next().unwrap().unwrap()[2].to_string();
    assert_eq!(title, first_title, "the title survives the spreadsheet");
}

/// Converts `file` into `out` with LibreOffice; false when it could not (not installed, or
/// without Calc).
fn convert(profile: &str, out: &Path, file: &Path, to: &str, infilter: Option<&str>) -> bool {
    let mut cmd = Command::new("soffice");
    cmd.arg(profile).args(["--headless", "--convert-to", to]);
    if let Some(f) = infilter {
        cmd.arg(format!("--infilter={f}"));
    }
    let ran = cmd
        .arg("--outdir")
        .arg(out)
        .arg(file)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    let made = file.with_extension(to.split(':').next().unwrap_or(to));
    ran && out.join(made.file_name().unwrap()).is_file()
}

fn python() -> String {
    std::env::var("PLANSOK_PYTHON").unwrap_or_else(|_| "python3".into())
}

#[test]
fn the_atom_feed_of_a_search_is_valid_atom() {
    let a = get("/api/feed.atom?q=v%C3%A5ld&region=skane");
    assert_eq!(a.status, 200, "{}", a.text());
    assert!(a.head.contains("application/atom+xml"), "{}", a.head);
    let xml = a.text();
    let entries = xml.matches("<entry>").count();
    let total = get("/api/search?q=v%C3%A5ld&region=skane&limit=0").json()["total"]
        .as_u64()
        .unwrap() as usize;
    assert_eq!(entries, total.min(50), "{xml}");
    assert!(entries > 0);
    assert_error(
        &get("/api/feed.atom?goal=fred"),
        400,
        "invalid_goal",
        "feed filter",
    );
    let check = "import sys, feedparser\n\
        d = feedparser.parse(sys.stdin.buffer.read())\n\
        assert not d.bozo, d.get('bozo_exception')\n\
        assert d.version == 'atom10', d.version\n\
        assert all(e.get('updated_parsed') and e.get('link') and e.get('title') for e in d.entries)\n\
        print(len(d.entries))\n";
    let has_feedparser = Command::new(python())
        .args(["-c", "import feedparser"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !has_feedparser {
        skip("Python's feedparser is not installed; the feed was not validated by a parser");
        return;
    }
    let mut child = Command::new(python())
        .args(["-c", check])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(&a.body).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        entries.to_string()
    );
}

#[test]
fn schemathesis_finds_every_answer_within_the_openapi_document() {
    let st = std::env::var("PLANSOK_SCHEMATHESIS").unwrap_or_else(|_| "schemathesis".into());
    if Command::new(&st).arg("--version").output().is_err() {
        skip("schemathesis is not installed; the OpenAPI document was not checked against the server");
        return;
    }
    let url = format!("http://{}/openapi.json", server().addr);
    // It keeps a database of examples in its working folder: a fresh one, so that each run
    // draws the examples of its seed alone, and none lands in the repository.
    let work = tempfile::tempdir().unwrap();
    let out = Command::new(&st)
        .args(["run", &url])
        .args([
            "--checks",
            "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
            "--max-examples",
            "40",
            "--workers",
            "2",
            "--seed",
            "1",
        ])
        .env("NO_COLOR", "1")
        .current_dir(work.path())
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&out.stdout);
    // The summary goes to the test's output, so CI shows how many cases ran.
    let tail: Vec<&str> = report.lines().rev().take(12).collect();
    let _ = writeln!(
        std::io::stderr().lock(),
        "schemathesis summary:\n{}",
        tail.into_iter().rev().collect::<Vec<_>>().join("\n")
    );
    assert!(
        out.status.success(),
        "schemathesis found answers outside the OpenAPI document:\n{report}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
