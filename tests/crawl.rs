//! The crawler against a mirror of the county sites (corpus/sample) served on 127.0.0.1.

mod common;
#[path = "common/mirror.rs"]
mod mirror;

use std::path::Path;
use std::time::Duration;

use common::{pipeline, repo};
use mirror::{Mirror, FAULT_HOST};
use plansok_crawl::{CrawlConfig, CrawlReport, Crawler};
use plansok_index::search;
use plansok_index::{SearchConfig, SearchIndex, SearchRequest, SearchResponse};
use plansok_model::Taxonomy;

const MUNICIPAL: [(&str, &str, &str); 5] = [
    (
        "www.ostersund.se",
        "Jämtlands län",
        "/nyheter/kommunen-staller-sig-bakom-handlingsplan-mot-vald.html",
    ),
    (
        "www.umea.se",
        "Västerbottens län",
        "/nyheter/nytt-stod-for-vaaldsutsatta-kvinnor.html",
    ),
    (
        "malmo.se",
        "Skåne län",
        "/aktuellt/nyheter/kommunen-okar-arbetet-mot-hedersrelaterat-vald.html",
    ),
    (
        "www.linkoping.se",
        "Östergötlands län",
        "/nyheter/samverkan-mot-vald-i-nara-relationer.html",
    ),
    (
        "www.lulea.se",
        "Norrbottens län",
        "/stod-och-omsorg/vald-i-nara-relationer/kvinnofrid.html",
    ),
];

/// A sources file for the mirror: every county, the municipalities and the fault host.
fn config(m: &Mirror, delay_ms: u64) -> String {
    let mut hosts = vec!["www.lansstyrelsen.se".to_string(), FAULT_HOST.to_string()];
    hosts.extend(MUNICIPAL.iter().map(|(h, _, _)| h.to_string()));
    let resolve: Vec<String> = hosts
        .iter()
        .map(|h| format!("\"{h}\" = \"{}\"", m.addr))
        .collect();
    let mut t = format!(
        "[crawl]\nuser_agent = \"plansok-test/0.1 (+http://127.0.0.1/)\"\ndelay_ms = {delay_ms}\nmax_depth = 2\nmax_body_mb = 1\n\
         request_timeout_secs = 3\nconnect_timeout_secs = 2\nmax_retries = 2\nallow_private = true\n\
         drop_query_params = [\"utm_*\"]\nrelevance_words = [\"mäns våld mot kvinnor\", \"våld i nära relationer\", \"men's violence against women\", \"handlingsplan\"]\n\
         resolve = {{ {} }}\n\n",
        resolve.join(", ")
    );
    for c in Taxonomy::load().unwrap().counties() {
        let mut start = vec![format!(
            "http://www.lansstyrelsen.se/{}/samhalle/social-hallbarhet/mans-vald-mot-kvinnor.html",
            c.slug
        )];
        if c.slug == "stockholm" {
            start.push("http://www.lansstyrelsen.se/stockholm/other-languages/english/mens-violence-against-women.html".into());
        }
        let start: Vec<String> = start.iter().map(|s| format!("\"{s}\"")).collect();
        t += &format!(
            "[[source]]\nid = \"lst-{0}\"\ncounty = \"{1}\"\norganisation = \"Länsstyrelsen {1}\"\nstart = [{2}]\nallow = [\"http://www.lansstyrelsen.se/{0}/\"]\npdf_hosts = [\"www.lansstyrelsen.se\"]\nmax_depth = 2\n\n",
            c.slug, c.name, start.join(", ")
        );
    }
    for (host, county, path) in MUNICIPAL {
        t += &format!("[[source]]\nid = \"{host}\"\ncounty = \"{county}\"\norganisation = \"{host}\"\nstart = [\"http://{host}{path}\"]\nallow = [\"http://{host}/\"]\n\n");
    }
    t += &format!("[[source]]\nid = \"fel\"\ncounty = \"Uppsala län\"\norganisation = \"Test\"\nstart = [\"http://{FAULT_HOST}/index.html\"]\nallow = [\"http://{FAULT_HOST}/\"]\nmax_depth = 1\n");
    t
}

fn crawl(cfg: &str, data: &Path, max_pages: Option<usize>) -> CrawlReport {
    let cfg = CrawlConfig::from_toml(cfg).unwrap();
    let crawler = Crawler::new(cfg, &data.join("store"), max_pages).unwrap();
    let p = pipeline(data);
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(crawler.run(p, &data.join("store"), |_| {}))
        .unwrap()
}

fn find(data: &Path, req: SearchRequest) -> SearchResponse {
    let store = SearchIndex::open(&data.join("index"), SearchConfig::load().unwrap()).unwrap();
    search(&store, &Taxonomy::load().unwrap(), &req).unwrap()
}

fn all(q: &str) -> SearchRequest {
    SearchRequest {
        query: q.into(),
        limit: Some(100),
        ..Default::default()
    }
}

#[test]
fn crawling_the_mirror_indexes_every_county_and_survives_faults_then_recrawls_with_304s() {
    let m = Mirror::start(repo().join("corpus/sample"));
    let data = tempfile::tempdir().unwrap();
    let cfg = config(&m, 100);
    let r = crawl(&cfg, data.path(), None);
    println!("{:#?}", r.hosts);
    println!(
        "errors {:?}\nskipped {:?}\nnot indexed {:?}",
        r.errors, r.skipped, r.ingest.failed
    );

    // Every county's documents are searchable by county; PDFs were followed.
    let everything = find(data.path(), all(""));
    assert_eq!(
        everything.facets.region.len(),
        21,
        "{:?}",
        everything.facets.region
    );
    for v in &everything.facets.region {
        assert!(
            v.count >= 2,
            "{}: topic page and plan ({})",
            v.value,
            v.count
        );
    }
    let pdfs = everything
        .hits
        .iter()
        .filter(|h| h.url.as_deref().is_some_and(|u| u.ends_with(".pdf")))
        .count();
    assert_eq!(pdfs, 21, "every county's plan PDF");
    assert!(
        r.ingest
            .failed
            .iter()
            .any(|(u, _)| u.ends_with("trasig.pdf")),
        "the broken PDF is named"
    );
    let lulea = find(data.path(), all("kvinnofridssamordnare"));
    assert_eq!(
        lulea.hits[0].title, "Kvinnofrid i Luleå kommun",
        "the Windows-1252 page reads right"
    );

    // robots.txt is obeyed.
    assert!(!m
        .requests(FAULT_HOST)
        .iter()
        .any(|(p, _)| p.starts_with("/intern/")));
    assert!(r
        .skipped
        .iter()
        .any(|(u, why)| u.contains("/intern/") && why.contains("robots")));
    // Faults are recorded and the crawl went on.
    let err = |part: &str| {
        r.errors
            .iter()
            .find(|(u, _)| u.contains(part))
            .map(|(_, e)| e.clone())
            .unwrap_or_default()
    };
    assert!(err("/loop-a").contains("redirect"), "{}", err("/loop-a"));
    assert!(err("/hang").contains("timed out"), "{}", err("/hang"));
    assert!(
        err("/huge.pdf").contains("larger than"),
        "{}",
        err("/huge.pdf")
    );
    assert!(r
        .skipped
        .iter()
        .any(|(u, why)| u.contains("wrong-type") && why.contains("content type")));
    assert!(
        find(data.path(), all("försöket lyckades")).total == 2,
        "500 then success, and 429 then success"
    );
    let rl: Vec<_> = m
        .requests(FAULT_HOST)
        .into_iter()
        .filter(|(p, _)| p == "/ratelimited")
        .collect();
    assert_eq!(rl.len(), 2);
    assert!(
        rl[1].1 - rl[0].1 >= Duration::from_millis(950),
        "Retry-After: 1 was honoured"
    );
    // Politeness: one request at a time per host, at least delay_ms apart (robots.txt is read
    // right before the host's first page).
    let lst: Vec<_> = m
        .requests("www.lansstyrelsen.se")
        .into_iter()
        .filter(|(p, _)| p != "/robots.txt")
        .collect();
    assert!(lst.len() >= 43, "{}", lst.len());
    // The server sees the arrival times, which scheduling on a loaded machine can bring closer
    // than the crawler sent them: no burst (every gap at least half the delay), and the
    // typical gap at least the delay.
    let mut gaps: Vec<Duration> = lst.windows(2).map(|w| w[1].1 - w[0].1).collect();
    for (w, gap) in lst.windows(2).zip(&gaps) {
        assert!(
            *gap >= Duration::from_millis(50),
            "requests {} and {} too close: {gap:?}",
            w[0].0,
            w[1].0
        );
    }
    gaps.sort();
    assert!(
        gaps[gaps.len() / 2] >= Duration::from_millis(95),
        "median gap {:?}",
        gaps[gaps.len() / 2]
    );

    // A second crawl of the unchanged mirror fetches nothing but 304s.
    m.clear_log();
    let again = crawl(&cfg, data.path(), None);
    let refetched: usize = again
        .hosts
        .iter()
        .filter(|(h, _)| *h != FAULT_HOST)
        .map(|(_, s)| s.fetched)
        .sum();
    assert_eq!(
        refetched, 0,
        "only the fault host (no validators) is fetched again: {:?}",
        again.hosts
    );
    assert!(again.not_modified() >= 48, "{}", again.not_modified());
    let after = find(data.path(), all(""));
    let before: std::collections::HashSet<_> =
        everything.hits.iter().map(|h| h.url.clone()).collect();
    let new: Vec<_> = after
        .hits
        .iter()
        .filter(|h| !before.contains(&h.url))
        .map(|h| (h.url.clone(), h.title.clone()))
        .collect();
    assert_eq!(after.total, everything.total, "new after recrawl: {new:?}");

    // A page that disappeared is marked gone and leaves the search.
    let gone = "/jamtland/samhalle/social-hallbarhet/mans-vald-mot-kvinnor.html";
    m.state.gone.lock().unwrap().insert(gone.to_string());
    let third = crawl(&cfg, data.path(), None);
    assert!(
        third.gone.iter().any(|u| u.ends_with(gone)),
        "{:?}",
        third.gone
    );
    let left = find(
        data.path(),
        SearchRequest {
            regions: vec!["jamtland".into()],
            ..all("")
        },
    );
    assert!(left
        .hits
        .iter()
        .all(|h| !h.url.as_deref().unwrap_or("").ends_with(gone)));
}

#[test]
fn depth_and_allowlist_bound_a_source() {
    let m = Mirror::start(repo().join("corpus/sample"));
    let data = tempfile::tempdir().unwrap();
    let mut cfg = CrawlConfig::from_toml(&config(&m, 0)).unwrap();
    cfg.select(&["lst-jamtland".to_string()]).unwrap();
    cfg.sources[0].max_depth = Some(0);
    let crawler = Crawler::new(cfg, &data.path().join("store"), None).unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let r = rt
        .block_on(crawler.run(pipeline(data.path()), &data.path().join("store"), |_| {}))
        .unwrap();
    let paths: Vec<String> = m
        .requests("www.lansstyrelsen.se")
        .into_iter()
        .map(|(p, _)| p)
        .collect();
    assert!(
        paths
            .iter()
            .all(|p| p == "/robots.txt" || p.starts_with("/jamtland/")),
        "{paths:?}"
    );
    assert_eq!(
        r.fetched(),
        2,
        "the start page and the PDF it links: {paths:?}"
    );
}

#[test]
fn max_pages_bounds_a_run_and_the_next_run_resumes() {
    let m = Mirror::start(repo().join("corpus/sample"));
    let data = tempfile::tempdir().unwrap();
    let cfg = config(&m, 0);
    let first = crawl(&cfg, data.path(), Some(10));
    assert!(first.truncated);
    let handled: usize = first
        .hosts
        .values()
        .map(|h| h.fetched + h.not_modified + h.skipped + h.errors)
        .sum();
    assert_eq!(handled, 10);
    let mut rounds = 0;
    loop {
        rounds += 1;
        let r = crawl(&cfg, data.path(), Some(25));
        if !r.truncated || rounds > 10 {
            break;
        }
    }
    let everything = find(data.path(), all(""));
    assert_eq!(everything.facets.region.len(), 21);
    assert_eq!(
        everything.total, 51,
        "48 corpus documents and three pages of the fault host, each once"
    );
}

#[test]
fn a_killed_crawl_resumes_with_nothing_lost_or_duplicated() {
    let m = Mirror::start(repo().join("corpus/sample"));
    *m.state.delay_ms.lock().unwrap() = 30;
    let data = tempfile::tempdir().unwrap();
    let cfg_path = data.path().join("sources.toml");
    std::fs::write(&cfg_path, config(&m, 0)).unwrap();
    let run = || {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_plansok"));
        c.args(["crawl", "--config", cfg_path.to_str().unwrap()])
            .env("PLANSOK_DATA", data.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null());
        c
    };
    // kill -9 at three random moments; after each, what was indexed is still there, once.
    let mut moments = common::Moments::new();
    let mut before = 0;
    for round in 0..3 {
        let mut child = run().spawn().unwrap();
        std::thread::sleep(moments.between_ms(300, 2000));
        child.kill().unwrap(); // SIGKILL
        let _ = child.wait();
        if data.path().join("index/meta.json").exists() {
            let now = find(data.path(), all(""));
            assert!(
                now.total >= before,
                "round {round}: {} < {before}",
                now.total
            );
            assert!(now.total <= 51, "round {round}: duplicates ({})", now.total);
            before = now.total;
        }
    }
    let status = run().status().unwrap();
    assert!(status.success());
    let everything = find(data.path(), all(""));
    assert_eq!(
        everything.total, 51,
        "48 corpus documents and three pages of the fault host, each once"
    );
    assert_eq!(everything.facets.region.len(), 21);
}

/// Runs `plansok crawl --config` on a sources file; no proxy from the environment is used.
fn crawl_cli(sources: &str, data: &Path) -> std::process::Output {
    let cfg_path = data.join("sources.toml");
    std::fs::write(&cfg_path, sources).unwrap();
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_plansok"));
    c.args(["crawl", "--config", cfg_path.to_str().unwrap()])
        .env("PLANSOK_DATA", data)
        .env_remove("PLANSOK_CONFIG_DIR");
    for proxy in ["http_proxy", "https_proxy", "all_proxy"] {
        c.env_remove(proxy).env_remove(proxy.to_uppercase());
    }
    c.output().expect("run plansok crawl")
}

/// The `[crawl]` table of the tests below: loopback allowed, no retries. The timeouts are long
/// so that they never fire before a slow resolver's answer: the lookup of a `.invalid` name must
/// end as a failed lookup, not a timeout. Nothing here waits for them (no server hangs, and a
/// resolver that answers fast ends the lookup at once).
const OFFLINE_CRAWL: &str = "[crawl]\nuser_agent = \"plansok-test/0.1 (+http://127.0.0.1/)\"\n\
    delay_ms = 0\nmax_retries = 0\nconnect_timeout_secs = 30\nrequest_timeout_secs = 40\n\
    allow_private = true\n";

/// A `[[source]]` with these start URLs, allowed below `allow`.
fn source(id: &str, start: &[&str], allow: &str) -> String {
    let start: Vec<String> = start.iter().map(|s| format!("\"{s}\"")).collect();
    format!(
        "\n[[source]]\nid = \"{id}\"\ncounty = \"Uppsala län\"\norganisation = \"Test\"\n\
         start = [{}]\nallow = [\"{allow}\"]\n",
        start.join(", ")
    )
}

/// The catalog's error for `url` after a crawl into `data`.
fn catalog_error(data: &Path, url: &str) -> String {
    let catalog = plansok_crawl::catalog::Catalog::open(&data.join("store")).unwrap();
    let page = catalog.page(url).unwrap();
    page.and_then(|p| p.error)
        .unwrap_or_else(|| panic!("no error recorded for {url}"))
}

#[test]
fn a_crawl_that_reaches_no_host_names_each_host_with_its_cause_and_fails() {
    let data = tempfile::tempdir().unwrap();
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    }; // nothing listens there any more
    let dead = format!("http://127.0.0.1:{port}/");
    let dead_page = format!("{dead}plan.html");
    let no_dns = "http://plansok-test.invalid/";
    let no_dns_pages = [format!("{no_dns}plan.html"), format!("{no_dns}annan.html")];
    let sources = format!(
        "{OFFLINE_CRAWL}{}{}",
        source("dead-port", &[&dead_page], &dead),
        source("no-dns", &[&no_dns_pages[0], &no_dns_pages[1]], no_dns)
    );
    let o = crawl_cli(&sources, data.path());
    let out = String::from_utf8_lossy(&o.stdout);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{out}\n{err}");
    assert!(
        out.contains("fetched 0,") && out.contains("errors 3,"),
        "{out}"
    );
    assert!(
        err.contains(&format!(
            "error: cannot reach 127.0.0.1:{port} (connection refused); 1 URL not fetched"
        )),
        "{err}"
    );
    assert!(
        err.contains(
            "error: cannot reach plansok-test.invalid (DNS lookup failed); 2 URLs not fetched"
        ),
        "{err}"
    );
    assert!(
        err.contains("2 of 2 sources could not be reached") && err.contains("dead-port, no-dns"),
        "{err}"
    );
    for url in [&dead_page, &no_dns_pages[0], &no_dns_pages[1]] {
        let why = catalog_error(data.path(), url);
        assert!(
            why.starts_with("robots.txt unreachable: cannot reach"),
            "{url}: {why}"
        );
        assert!(!why.contains("disallowed"), "{url}: {why}");
    }
}

/// Requests seen by [`robots_server`], as (host, path).
type Seen = std::sync::Arc<std::sync::Mutex<Vec<(String, String)>>>;

/// A server on 127.0.0.1 whose robots.txt answers 503 for host `down.test` and 404 elsewhere,
/// with one plan page.
fn robots_server() -> (std::net::SocketAddr, Seen, tokio::runtime::Runtime) {
    use axum::http::{header, HeaderMap, StatusCode, Uri};
    use axum::response::IntoResponse;
    let seen: Seen = Default::default();
    let log = seen.clone();
    let app = axum::Router::new().fallback(move |headers: HeaderMap, uri: Uri| {
        let log = log.clone();
        async move {
            let host = headers
                .get(header::HOST)
                .and_then(|h| h.to_str().ok())
                .unwrap_or("")
                .to_string();
            let path = uri.path().to_string();
            log.lock().unwrap().push((host.clone(), path.clone()));
            match path.as_str() {
                "/robots.txt" if host.starts_with("down.test") => {
                    StatusCode::SERVICE_UNAVAILABLE.into_response()
                }
                "/plan.html" => (
                    [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                    "<html><body><main><h1>Handlingsplan mot mäns våld mot kvinnor</h1>\
                     <p>Kommunen arbetar mot våld i nära relationer.</p></main></body></html>",
                )
                    .into_response(),
                _ => StatusCode::NOT_FOUND.into_response(),
            }
        }
    });
    let rt = tokio::runtime::Runtime::new().unwrap();
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    rt.spawn(async move { axum::serve(listener, app).await });
    (addr, seen, rt)
}

#[test]
fn robots_txt_answered_with_503_is_unreachable_not_a_disallow_and_404_allows_all() {
    let (addr, seen, _rt) = robots_server();
    let data = tempfile::tempdir().unwrap();
    let sources = format!(
        "{OFFLINE_CRAWL}resolve = {{ \"down.test\" = \"{addr}\", \"up.test\" = \"{addr}\" }}\n{}{}",
        source("down", &["http://down.test/plan.html"], "http://down.test/"),
        source("up", &["http://up.test/plan.html"], "http://up.test/")
    );
    let r = crawl(&sources, data.path(), None);

    let down_pages: Vec<String> = seen
        .lock()
        .unwrap()
        .iter()
        .filter(|(h, p)| h.starts_with("down.test") && p != "/robots.txt")
        .map(|(_, p)| p.clone())
        .collect();
    assert!(
        down_pages.is_empty(),
        "nothing fetched while robots.txt is 503: {down_pages:?}"
    );
    let why = catalog_error(data.path(), "http://down.test/plan.html");
    assert_eq!(why, "robots.txt unreachable: HTTP 503");
    assert!(
        r.skipped.is_empty(),
        "not a robots.txt rule: {:?}",
        r.skipped
    );
    assert_eq!(r.unreached_sources(), vec!["down"]);
    assert_eq!(
        r.unreachable_hosts().count(),
        0,
        "the host answered (with 503)"
    );
    assert_eq!(
        r.hosts["up.test"].fetched, 1,
        "robots.txt 404 allows all: {:?}",
        r.hosts
    );
    assert_eq!(r.ingest.indexed, 1);
}
