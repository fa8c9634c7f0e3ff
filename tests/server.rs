//! The HTTP API on 127.0.0.1 over an index of the sample corpus.

mod common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};

use common::http::{self, sample_server, SampleServer};
use common::{pipeline, repo};
use plansok_index::{SearchConfig, SearchIndex};

fn server() -> &'static SampleServer {
    sample_server("server-corpus")
}

/// GET `target` (raw, so invalid encodings can be sent); returns status, headers and body.
fn get(target: &str) -> (u16, String, Vec<u8>) {
    get_at(server().addr, target)
}

fn get_at(addr: SocketAddr, target: &str) -> (u16, String, Vec<u8>) {
    let a = http::get(addr, target);
    (a.status, a.head, a.body)
}

fn json(target: &str) -> (u16, serde_json::Value) {
    let (status, _, body) = get(target);
    (
        status,
        serde_json::from_slice(&body)
            .unwrap_or_else(|e| panic!("{target}: {e}: {}", String::from_utf8_lossy(&body))),
    )
}

#[test]
fn one_search_worker_answers_concurrent_requests_in_turn() {
    // A second server over the same index, with one worker and no cache: 24 searches sent at
    // once all wait their turn and get the answer a search alone gets.
    let store =
        SearchIndex::open(&server().dir.join("index"), SearchConfig::load().unwrap()).unwrap();
    let mut settings = plansok_server::ServerSettings::load().unwrap();
    settings.search_workers = 1;
    settings.search_cache_entries = 0;
    let (addr, _rt) = common::start_server_with(store, settings);
    let targets = [
        "/api/search?q=v%C3%A5ld",
        "/api/search?q=barnahus&region=jamtland",
        "/api/search?q=%22v%C3%A5ld+i+n%C3%A4ra+relationer%22",
        "/api/search?q=kvinnojour*",
        "/api/measures?q=skyddat+boende",
        "/api/suggest?q=han",
    ];
    let alone: Vec<Vec<u8>> = targets.iter().map(|t| get_at(addr, t).2).collect();
    let handles: Vec<_> = (0..24)
        .map(|i| std::thread::spawn(move || (i % 6, get_at(addr, targets[i % 6]))))
        .collect();
    for h in handles {
        let (i, (status, _, body)) = h.join().unwrap();
        assert_eq!(status, 200, "{}", targets[i]);
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        let mut want: serde_json::Value = serde_json::from_slice(&alone[i]).unwrap();
        if let Some(took) = want.get_mut("took_ms") {
            *took = v["took_ms"].clone();
        }
        assert_eq!(v, want, "{}", targets[i]);
    }
}

#[test]
fn health_and_the_web_page() {
    let (status, v) = json("/api/health");
    assert_eq!(status, 200);
    assert!(v["documents"].as_u64().unwrap() >= 48);
    let (status, head, body) = get("/");
    assert_eq!(status, 200);
    assert!(head.to_lowercase().contains("text/html"));
    assert!(String::from_utf8_lossy(&body).contains("<html lang=\"sv\">"));
}

#[test]
fn search_with_repeated_filters_and_facets() {
    let (status, v) = json("/api/search?q=v%C3%A5ld&region=skane&region=halland&limit=50");
    assert_eq!(status, 200);
    let hits = v["hits"].as_array().unwrap();
    assert!(!hits.is_empty());
    for h in hits {
        let r = h["region"].as_str().unwrap();
        assert!(r == "Skåne län" || r == "Hallands län", "{r}");
    }
    let regions = v["facets"]["region"].as_array().unwrap();
    assert!(
        regions.len() > 2,
        "the region facet is counted without the region filter"
    );
}

#[test]
fn the_answer_names_the_filters_as_the_facets_do() {
    // Slugs, short names and labels come back as the facets' values, so a page or tool can
    // mark the chosen facet values whatever spelling a link used.
    let (status, v) = json(
        "/api/search?q=v%C3%A5ld&region=skane&region=UMEA&goal=Skydd+och+st%C3%B6d\
         &type=Handlingsplan&period=2022-2026&topic=on&lang=SV&limit=0",
    );
    assert_eq!(status, 200, "{v}");
    assert_eq!(
        v["filters"],
        serde_json::json!({
            "region": ["Skåne län", "Umeå kommun"], "goal": ["skydd-och-stod"],
            "type": ["handlingsplan"], "period": "2022-2026", "organisation": [],
            "lang": ["sv"], "topic": ["on"]
        })
    );
    let chosen = v["filters"]["region"][0].as_str().unwrap();
    assert!(
        v["facets"]["region"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["value"] == chosen),
        "the county is a value of the region facet"
    );
    // The compare view's measures name them the same way.
    let (status, m) = json("/api/measures?q=v%C3%A5ld&region=skane&goal=Skydd+och+st%C3%B6d");
    assert_eq!(status, 200, "{m}");
    assert_eq!(m["filters"]["region"], serde_json::json!(["Skåne län"]));
    assert_eq!(m["filters"]["goal"], serde_json::json!(["skydd-och-stod"]));
    assert!(m["counties"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["region"] == "Skåne län"));
    let (_, none) = json("/api/search?q=v%C3%A5ld&period=2024&limit=0");
    assert_eq!(none["filters"]["period"], "2024");
    assert_eq!(none["filters"]["region"], serde_json::json!([]));
}

#[test]
fn csv_export_has_a_researchers_columns() {
    let (status, head, body) = get("/api/search?q=skyddat%20boende&format=csv");
    assert_eq!(status, 200);
    assert!(head.to_lowercase().contains("text/csv"));
    let text = String::from_utf8(body).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        "id,score,title,url,document,region,municipality,organisation,type,period_start,\
         period_end,goals,page,snippet"
    );
    let rows: Vec<&str> = lines.collect();
    assert!(!rows.is_empty());
    // The export carries every hit, not one page of them.
    let (_, body) = json("/api/search?q=v%C3%A5ld&limit=5");
    let total = body["total"].as_u64().unwrap() as usize;
    assert!(total > 5);
    let (_, _, csv) = get("/api/search?q=v%C3%A5ld&limit=5&format=csv");
    let n = csv::ReaderBuilder::new()
        .from_reader(csv.as_slice())
        .records()
        .count();
    assert_eq!(n, total, "all {total} hits exported");
    assert!(!text.contains("<mark>"), "snippets are plain text");
}

#[test]
fn a_document_with_its_passages() {
    let (_, v) = json("/api/search?q=riskbed%C3%B6mning&type=handlingsplan&limit=1");
    let id = v["hits"][0]["id"].as_str().unwrap().to_string();
    let (status, d) = json(&format!("/api/documents/{id}"));
    assert_eq!(status, 200);
    assert_eq!(d["id"], id.as_str());
    let passages = d["passages"].as_array().unwrap();
    assert!(passages.len() >= 5);
    assert!(
        passages.iter().all(|p| p["page"].as_u64().is_some()),
        "PDF passages have pages"
    );
    assert_eq!(json("/api/documents/0123456789abcdef").0, 404);
    assert_eq!(json("/api/documents/..%2F..%2Fetc%2Fpasswd").0, 400);
}

#[test]
fn bad_parameters_are_400_with_a_code() {
    for (target, code) in [
        ("/api/search?q=v&region=Narnia", "invalid_region"),
        ("/api/search?q=v&period=2030-2020", "invalid_period"),
        ("/api/search?q=v&limit=-1", "invalid_limit"),
        ("/api/search?q=v&offset=x", "invalid_offset"),
        ("/api/search?q=v&goal=fred", "invalid_goal"),
        ("/api/search?q=v&format=xml", "invalid_format"),
        ("/api/search?q=%22unbalanced&syntax=strict", "invalid_query"),
        ("/api/search?q=nosuchfield:x&syntax=strict", "invalid_query"),
        ("/api/search?q=v&syntax=loose", "invalid_syntax"),
    ] {
        let (status, v) = json(target);
        assert_eq!(status, 400, "{target}");
        assert_eq!(v["error"]["code"], code, "{target}");
        assert!(v["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()));
    }
    // Read leniently by default: punctuation people type is never an error.
    for target in [
        "/api/search?q=%22unbalanced",
        "/api/search?q=nosuchfield:x",
        "/api/search?q=v%C3%A5ld+i+n%C3%A4ra+relationer%3A+handlingsplan",
        "/api/search?q=hedersv%C3%A5ld%3F",
        "/api/search?q=(%5B%7Bstrategi",
    ] {
        let (status, v) = json(target);
        assert_eq!(status, 200, "{target}: {v}");
    }
    let (_, v) = json("/api/search?q=v%C3%A5ld+i+n%C3%A4ra+relationer%3A+handlingsplan");
    assert!(v["total"].as_u64().unwrap() > 0, "{v}");
    let (status, v) = json("/api/search?q=%FF%FEv%C3%A5ld&offset=10000");
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["hits"].as_array().unwrap().len(), 0);
    let (status, v) = json("/api/search?q=v&offset=999999999");
    assert_eq!(
        (status, v["error"]["code"].as_str()),
        (400, Some("invalid_offset"))
    );
}

#[test]
fn measures_side_by_side_per_county() {
    let (status, v) = json("/api/measures?q=skyddat%20boende&goal=skydd-och-stod");
    assert_eq!(status, 200, "{v}");
    let counties = v["counties"].as_array().unwrap();
    assert!(
        counties.len() >= 3,
        "several counties have a measure about sheltered housing: {v}"
    );
    let mut seen = std::collections::HashSet::new();
    for c in counties {
        assert!(
            seen.insert(c["region"].as_str().unwrap().to_string()),
            "one group per county"
        );
        let measures = c["measures"].as_array().unwrap();
        assert!(!measures.is_empty() && measures.len() <= 3);
        for m in measures {
            assert!(
                m["goals"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|g| g == "skydd-och-stod"),
                "{m}"
            );
            assert!(m["snippet"].as_str().unwrap().contains("<mark>"), "{m}");
            assert!(m["url"].as_str().is_some());
        }
    }
    let (status, v) = json("/api/measures?q=v&goal=fred");
    assert_eq!(
        (status, v["error"]["code"].as_str()),
        (400, Some("invalid_goal"))
    );
}

#[test]
fn similar_documents_prefer_other_counties() {
    let (_, v) = json("/api/search?q=handlingsplan&region=jamtland&type=handlingsplan&limit=1");
    let id = v["hits"][0]["id"].as_str().unwrap().to_string();
    let (status, s) = json(&format!("/api/documents/{id}/similar"));
    assert_eq!(status, 200, "{s}");
    let similar = s["similar"].as_array().unwrap();
    assert!(similar.len() >= 5, "{s}");
    assert!(similar.iter().all(|d| d["id"] != id.as_str()), "not itself");
    assert_ne!(
        similar[0]["region"], "Jämtlands län",
        "another county's plan comes first: {s}"
    );
    let first_type = similar[0]["type"].as_str().unwrap();
    assert!(
        ["handlingsplan", "strategi", "overenskommelse"].contains(&first_type),
        "a plan is most like a plan: {s}"
    );
    assert_eq!(json("/api/documents/0123456789abcdef/similar").0, 404);
}

#[test]
fn metrics_count_requests_by_route() {
    let _ = get("/api/health");
    let _ = get("/api/search?q=v%C3%A5ld");
    let (status, head, body) = get("/metrics");
    assert_eq!(status, 200);
    assert!(head.to_lowercase().contains("text/plain"));
    let text = String::from_utf8(body).unwrap();
    assert!(
        text.contains("plansok_http_requests_total{route=\"/api/search\",status=\"200\"}"),
        "{text}"
    );
    assert!(text.contains(
        "plansok_http_request_duration_seconds_bucket{route=\"/api/search\",le=\"+Inf\"}"
    ));
    let docs = text
        .lines()
        .find(|l| l.starts_with("plansok_index_documents "))
        .unwrap();
    assert!(
        docs.split_whitespace()
            .nth(1)
            .unwrap()
            .parse::<f64>()
            .unwrap()
            >= 48.0
    );
}

#[test]
fn cors_allows_other_tools() {
    let mut s = TcpStream::connect(server().addr).unwrap();
    write!(s, "GET /api/health HTTP/1.1\r\nHost: localhost\r\nOrigin: https://example.org\r\nConnection: close\r\n\r\n").unwrap();
    let mut buf = String::new();
    s.read_to_string(&mut buf).unwrap();
    assert!(
        buf.to_lowercase()
            .contains("access-control-allow-origin: *"),
        "{buf}"
    );
}

#[test]
fn sort_by_date_puts_the_newest_plan_periods_first() {
    let (status, v) = json("/api/search?q=handlingsplan&sort=date&limit=20");
    assert_eq!(status, 200);
    let ends: Vec<u64> = v["hits"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|h| h["period"]["end"].as_u64())
        .collect();
    assert!(ends.len() >= 10);
    assert!(ends.windows(2).all(|w| w[0] >= w[1]), "{ends:?}");
    assert_eq!(
        json("/api/search?q=x&sort=alphabet").1["error"]["code"],
        "invalid_sort"
    );
}

#[test]
fn similar_measures_come_from_other_documents_and_counties_first() {
    let (_, v) = json("/api/measures?q=kontaktf%C3%B6rbud");
    let m = &v["counties"][0]["measures"][0];
    let county = v["counties"][0]["region"].as_str().unwrap();
    let (id, n) = (
        m["document_id"].as_str().unwrap(),
        m["passage_no"].as_u64().unwrap(),
    );
    let (status, s) = json(&format!("/api/documents/{id}/passages/{n}/similar"));
    assert_eq!(status, 200, "{s}");
    let similar = s["similar"].as_array().unwrap();
    assert!(similar.len() >= 5, "{s}");
    let docs: std::collections::HashSet<&str> = similar
        .iter()
        .map(|p| p["document_id"].as_str().unwrap())
        .collect();
    assert_eq!(docs.len(), similar.len(), "one per document");
    assert!(!docs.contains(id), "not its own document");
    assert_ne!(similar[0]["region"], county, "{s}");
    assert!(
        similar[0]["text"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("kontaktförbud"),
        "the same measure elsewhere is most alike: {s}"
    );
    assert_eq!(
        json(&format!("/api/documents/{id}/passages/99999/similar")).0,
        404
    );
    assert_eq!(
        json(&format!("/api/documents/{id}/passages/x/similar")).0,
        400
    );
}

#[test]
fn suggest_completes_words_of_the_index() {
    let (status, v) = json("/api/suggest?q=han");
    assert_eq!(status, 200, "{v}");
    let terms: Vec<&str> = v["suggestions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["term"].as_str().unwrap())
        .collect();
    assert!(terms.contains(&"handlingsplan"), "{terms:?}");
    assert!(terms.iter().all(|t| t.starts_with("han")), "{terms:?}");
    let counts: Vec<u64> = v["suggestions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["documents"].as_u64().unwrap())
        .collect();
    assert!(
        counts.windows(2).all(|w| w[0] >= w[1]),
        "most documents first"
    );
    // Whole words as written, not stems; Swedish letters and case folded.
    let (_, v) = json("/api/suggest?q=V%C3%85LDSUTS");
    assert_eq!(v["suggestions"][0]["term"], "våldsutsatta", "{v}");
    let (_, v) = json("/api/suggest?q=h&limit=5");
    assert_eq!(v["suggestions"].as_array().unwrap().len(), 0, "too short");
    assert_eq!(json("/api/suggest?q=han&limit=x").0, 400);
}

#[test]
fn openapi_document_describes_every_endpoint() {
    let (status, v) = json("/openapi.json");
    assert_eq!(status, 200);
    assert!(v["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/api/search",
        "/api/facets",
        "/api/measures",
        "/api/documents/{id}",
        "/api/documents/{id}/similar",
        "/api/documents/{id}/passages/{n}/similar",
        "/api/suggest",
        "/api/health",
        "/api/feed.atom",
    ] {
        assert!(v["paths"][path]["get"].is_object(), "{path}");
        assert!(
            v["paths"][path]["get"]["summary"].is_string(),
            "{path} has a summary"
        );
    }
    let schemas = &v["components"]["schemas"];
    for s in ["SearchResponse", "Hit", "Facets", "ErrorBody"] {
        assert!(schemas[s].is_object(), "schema {s}");
    }
    let params: Vec<&str> = v["paths"]["/api/search"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["name"].as_str())
        .collect();
    let mut params = params;
    params.sort_unstable();
    let mut want = [
        "q", "region", "period", "goal", "type", "org", "lang", "topic", "limit", "offset", "sort",
        "format", "dialect", "syntax",
    ];
    want.sort_unstable();
    assert_eq!(
        params, want,
        "the parameters /api/search reads, no more, no fewer"
    );
}

#[test]
fn the_server_sees_an_ingest_committed_beside_it_without_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = repo().join("corpus/sample/www.lansstyrelsen.se");
    pipeline(dir.path())
        .ingest_paths(&[corpus.join("jamtland")], |_, _| {})
        .unwrap();
    let store =
        SearchIndex::open(&dir.path().join("index"), SearchConfig::load().unwrap()).unwrap();
    let (addr, _rt) = common::start_server(store);
    let documents = || {
        let mut s = TcpStream::connect(addr).unwrap();
        write!(
            s,
            "GET /api/health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut buf = String::new();
        s.read_to_string(&mut buf).unwrap();
        let body = &buf[buf.find("\r\n\r\n").unwrap() + 4..];
        let v: serde_json::Value = serde_json::from_str(body.trim()).unwrap();
        v["documents"].as_u64().unwrap()
    };
    assert_eq!(documents(), 2);
    // Another process's ingest (here: another writer on the same folder) commits.
    pipeline(dir.path())
        .ingest_paths(&[corpus.join("skane")], |_, _| {})
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while documents() != 4 {
        assert!(
            std::time::Instant::now() < deadline,
            "the reader did not reload"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

/// Sends a raw request; returns the status.
fn raw_status(request: &str) -> u16 {
    let mut s = TcpStream::connect(server().addr).unwrap();
    s.write_all(request.as_bytes()).unwrap();
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf);
    String::from_utf8_lossy(&buf)
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0)
}

#[test]
fn the_api_is_read_only_and_serves_no_files() {
    // No method but GET changes or reads anything: the index cannot be written over HTTP.
    for (method, path) in [
        ("POST", "/api/search"),
        ("PUT", "/api/documents/0123456789abcdef"),
        ("DELETE", "/api/documents/0123456789abcdef"),
        ("PATCH", "/api/facets"),
        ("POST", "/"),
    ] {
        let status = raw_status(&format!(
            "{method} {path} HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{{}}"
        ));
        assert_eq!(status, 405, "{method} {path}");
    }
    // Paths that try to reach files are not found; nothing on disk is served.
    for path in [
        "/../../../../etc/passwd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/static/..%2f..%2fCargo.toml",
        "/index.html/../../config/server.toml",
        "/api/documents/..%2f..%2fetc%2fpasswd",
    ] {
        let (status, _, body) = get(path);
        assert!(
            status == 404 || status == 400,
            "{path}: {status} {}",
            String::from_utf8_lossy(&body)
        );
        assert!(!String::from_utf8_lossy(&body).contains("root:"), "{path}");
    }
    // A body is never read: a huge one is refused or ignored, not buffered.
    let status = raw_status(
        "POST /api/search HTTP/1.1\r\nHost: localhost\r\nContent-Length: 999999999\r\nConnection: close\r\n\r\n",
    );
    assert!(status == 405 || status == 413, "{status}");
}

#[test]
fn responses_are_gzipped_for_clients_that_accept_it_unless_turned_off() {
    let target = "/api/search?q=v%C3%A5ld&limit=20";
    let fetch = |addr: SocketAddr, gzip: bool| {
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async {
            let client = reqwest::Client::builder().no_gzip().build().unwrap();
            let mut req = client.get(format!("http://{addr}{target}"));
            if gzip {
                req = req.header("accept-encoding", "gzip");
            }
            let resp = req.send().await.unwrap();
            let encoding = resp
                .headers()
                .get("content-encoding")
                .map(|v| v.to_str().unwrap().to_string());
            (encoding, resp.bytes().await.unwrap().len())
        })
    };
    let (plain_encoding, plain) = fetch(server().addr, false);
    let (encoding, packed) = fetch(server().addr, true);
    assert_eq!(plain_encoding, None);
    assert_eq!(encoding.as_deref(), Some("gzip"));
    assert!(packed * 3 < plain, "{packed} of {plain} bytes");
    // A client that decodes gzip reads the same answer.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let decoded: serde_json::Value = rt.block_on(async {
        let url = format!("http://{}{target}", server().addr);
        reqwest::get(url).await.unwrap().json().await.unwrap()
    });
    let mut want = json(target).1;
    want["took_ms"] = decoded["took_ms"].clone();
    assert_eq!(decoded, want);

    let store =
        SearchIndex::open(&server().dir.join("index"), SearchConfig::load().unwrap()).unwrap();
    let mut settings = plansok_server::ServerSettings::load().unwrap();
    settings.compression = plansok_server::Compression::Off;
    let (addr, _rt) = common::start_server_with(store, settings);
    let (off_encoding, off) = fetch(addr, true);
    assert_eq!(off_encoding, None);
    assert!(off > packed * 3, "{off} bytes with compression off");
}
