//! The web page in a real browser: headless Chromium from Debian's packages, driven over the
//! WebDriver protocol (chromedriver) by plain HTTP calls. It searches, clicks a facet, sees
//! the counts change, opens a result, and saves a screenshot under the target directory.
//! Skips with a message when /usr/bin/chromium or /usr/bin/chromedriver is absent.

mod common;

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use common::{pipeline, repo};
use plansok_index::{SearchConfig, SearchIndex};
use plansok_model::Taxonomy;
use plansok_server::{AppState, ServerSettings};

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

struct Driver {
    http: reqwest::Client,
    base: String,
    session: String,
    child: Child,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Driver {
    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}/session/{}{}", self.base, self.session, path);
        let mut req = self.http.request(method, url);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let v: Value = req
            .send()
            .await
            .expect("webdriver call")
            .json()
            .await
            .expect("webdriver JSON");
        v["value"].clone()
    }

    async fn find_all(&self, css: &str) -> Vec<String> {
        let v = self
            .call(
                reqwest::Method::POST,
                "/elements",
                Some(json!({"using": "css selector", "value": css})),
            )
            .await;
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|e| e[ELEMENT].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    }

    async fn text(&self, el: &str) -> String {
        self.call(reqwest::Method::GET, &format!("/element/{el}/text"), None)
            .await
            .as_str()
            .unwrap_or("")
            .to_string()
    }

    async fn click(&self, el: &str) {
        self.call(
            reqwest::Method::POST,
            &format!("/element/{el}/click"),
            Some(json!({})),
        )
        .await;
    }

    /// Waits until the text of the first element matching `css` satisfies `ok`.
    async fn wait_text(&self, css: &str, ok: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(el) = self.find_all(css).await.first() {
                let t = self.text(el).await;
                if ok(&t) {
                    return t;
                }
            }
            assert!(Instant::now() < deadline, "timed out waiting for {css}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn start_driver(profile: &Path) -> Driver {
    let port = free_port();
    let child = Command::new("/usr/bin/chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(20);
    while http.get(format!("{base}/status")).send().await.is_err() {
        assert!(Instant::now() < deadline, "chromedriver did not start");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let caps = json!({"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
        "binary": "/usr/bin/chromium",
        "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                 "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--window-size=1200,900", format!("--user-data-dir={}", profile.display())]}}}});
    let v: Value = http
        .post(format!("{base}/session"))
        .json(&caps)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let session = v["value"]["sessionId"]
        .as_str()
        .unwrap_or_else(|| panic!("no session: {v}"))
        .to_string();
    Driver {
        http,
        base,
        session,
        child,
    }
}

#[test]
fn search_filter_by_a_facet_and_open_a_result_in_chromium() {
    if !Path::new("/usr/bin/chromium").exists() || !Path::new("/usr/bin/chromedriver").exists() {
        common::skip(
            "Debian's chromium and chromium-driver are not installed (.ci/run installs them)",
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    pipeline(dir.path())
        .ingest_paths(&[repo().join("corpus/sample")], |_, _| {})
        .unwrap();
    let store =
        SearchIndex::open(&dir.path().join("index"), SearchConfig::load().unwrap()).unwrap();
    let state = Arc::new(AppState::new(
        store,
        Taxonomy::load().unwrap(),
        ServerSettings::load().unwrap(),
    ));
    let rt = tokio::runtime::Runtime::new().unwrap();
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let page = format!("http://{}/", listener.local_addr().unwrap());
    rt.spawn(async move { axum::serve(listener, plansok_server::router(state)).await });
    let profile = tempfile::tempdir().unwrap();
    rt.block_on(async {
        let d = start_driver(profile.path()).await;
        d.call(reqwest::Method::POST, "/url", Some(json!({"url": page})))
            .await;
        let count = |t: &str| {
            t.split_whitespace()
                .next()
                .and_then(|n| n.parse::<u64>().ok())
        };
        d.wait_text("#status", |t| count(t).is_some()).await;

        // Search.
        let q = d.find_all("#q").await[0].clone();
        d.call(
            reqwest::Method::POST,
            &format!("/element/{q}/value"),
            Some(json!({"text": "våld\n"})),
        )
        .await;
        let before = count(&d.wait_text("#status", |t| t.contains("träffar")).await).unwrap();
        tokio::time::sleep(Duration::from_millis(500)).await;
        let before =
            count(&d.wait_text("#status", |t| t.contains("träffar")).await).unwrap_or(before);
        assert!(before > 10, "{before}");

        // Click the facet of Jämtlands län: the hit count drops to the facet's count.
        let mut facet = None;
        for el in d.find_all("button.facet").await {
            let t = d.text(&el).await;
            if t.starts_with("Jämtlands län") {
                facet = Some((el, t));
            }
        }
        let (el, label) = facet.expect("a facet button for Jämtlands län");
        let expected: u64 = label
            .rsplit('(')
            .next()
            .unwrap()
            .trim_end_matches(')')
            .parse()
            .unwrap();
        d.click(&el).await;
        let after = count(&d.wait_text("#status", |t| count(t) == Some(expected)).await).unwrap();
        assert!(after < before, "{after} < {before}");
        let pressed = d.find_all("button.facet[aria-pressed=true]").await;
        assert_eq!(pressed.len(), 1);

        let shot = d.call(reqwest::Method::GET, "/screenshot", None).await;
        let png = base64::Engine::decode(
            &base64::engine::general_purpose::STANDARD,
            shot.as_str().unwrap(),
        )
        .unwrap();
        let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("plansok-web-page.png");
        std::fs::write(&out, &png).unwrap();
        eprintln!("screenshot: {}", out.display());
        assert!(png.starts_with(b"\x89PNG"));

        // Open the first result.
        let link = d.find_all(".hit h2 a").await[0].clone();
        let href = d
            .call(
                reqwest::Method::GET,
                &format!("/element/{link}/attribute/href"),
                None,
            )
            .await
            .as_str()
            .unwrap()
            .to_string();
        assert!(
            href.contains("lansstyrelsen.se/jamtland") || href.contains("ostersund.se"),
            "{href}"
        );
        d.click(&link).await;
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let url = d.call(reqwest::Method::GET, "/url", None).await;
            let url = url.as_str().unwrap_or("");
            if url != page && !url.is_empty() {
                break;
            }
            assert!(Instant::now() < deadline, "the result did not open");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        d.call(reqwest::Method::DELETE, "", None).await;
    });
}
