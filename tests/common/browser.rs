//! A headless Chromium (Debian's packages) driven over the WebDriver protocol by plain HTTP
//! calls, and a server of the sample corpus for it: what the browser tests share.
#![allow(dead_code)]

use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use plansok_index::{SearchConfig, SearchIndex};
use plansok_model::Taxonomy;
use plansok_server::{AppState, ServerSettings};

/// Whether Chromium and chromedriver are installed; if not, says SKIP with `what`.
pub fn available(what: &str) -> bool {
    let ok = Path::new("/usr/bin/chromium").exists() && Path::new("/usr/bin/chromedriver").exists();
    if !ok {
        super::skip(&format!(
            "Debian's chromium and chromium-driver are not installed (.ci/run installs them); {what}"
        ));
    }
    ok
}

/// A server of the sample corpus on 127.0.0.1: its base URL (`http://127.0.0.1:PORT`), the
/// runtime it runs on and the folder of its index. `sample`: the server is told the index
/// holds the fictitious sample (as `plansok serve` does when it fills an empty folder).
pub struct PageServer {
    pub base: String,
    pub rt: tokio::runtime::Runtime,
    pub dir: tempfile::TempDir,
}

pub fn serve_sample(sample: bool) -> PageServer {
    let dir = tempfile::tempdir().unwrap();
    super::pipeline(dir.path())
        .ingest_paths(&[super::repo().join("corpus/sample")], |_, _| {})
        .unwrap();
    let store =
        SearchIndex::open(&dir.path().join("index"), SearchConfig::load().unwrap()).unwrap();
    let state = Arc::new(
        AppState::new(
            store,
            Taxonomy::load().unwrap(),
            ServerSettings::load().unwrap(),
        )
        .with_sample(sample),
    );
    let rt = tokio::runtime::Runtime::new().unwrap();
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    rt.spawn(plansok_server::serve_until(
        listener,
        state,
        std::future::pending(),
    ));
    PageServer { base, rt, dir }
}

/// Where a test's screenshot goes: `NAME.png` under cargo's tmp folder for tests.
pub fn screenshot_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}.png"))
}

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

pub struct Driver {
    http: reqwest::Client,
    base: String,
    session: String,
    child: Child,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.child.id())])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Driver {
    pub async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
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

    pub async fn find_all(&self, css: &str) -> Vec<String> {
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

    pub async fn text(&self, el: &str) -> String {
        self.call(reqwest::Method::GET, &format!("/element/{el}/text"), None)
            .await
            .as_str()
            .unwrap_or("")
            .to_string()
    }

    pub async fn click(&self, el: &str) {
        self.call(
            reqwest::Method::POST,
            &format!("/element/{el}/click"),
            Some(json!({})),
        )
        .await;
    }

    /// Waits until the text of the first element matching `css` satisfies `ok`.
    pub async fn wait_text(&self, css: &str, ok: impl Fn(&str) -> bool) -> String {
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

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub async fn start_driver(profile: &Path) -> Driver {
    let port = free_port();
    // Its own process group, so that dropping the driver ends the browsers it started too,
    // also when a test fails before `quit`.
    let child = Command::new("/usr/bin/chromedriver")
        .process_group(0)
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

impl Driver {
    /// Opens `url` and waits for the page's script to be done with its first answer.
    pub async fn goto(&self, url: &str) {
        self.call(reqwest::Method::POST, "/url", Some(json!({"url": url})))
            .await;
    }

    /// Runs `script` (a function body; `arguments` are `args`) in the page; its return value.
    pub async fn js(&self, script: &str, args: Value) -> Value {
        self.call(
            reqwest::Method::POST,
            "/execute/sync",
            Some(json!({"script": script, "args": args})),
        )
        .await
    }

    /// Waits until `script` (a function body) returns something truthy; returns it.
    pub async fn wait_js(&self, script: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let v = self.js(script, json!([])).await;
            let truthy = !(v.is_null()
                || v == json!(false)
                || v == json!(0)
                || v == json!("")
                || v.get("error").is_some());
            if truthy {
                return v;
            }
            assert!(Instant::now() < deadline, "timed out waiting for: {script}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Types `text` into the first element matching `css` (`\n` submits).
    pub async fn type_into(&self, css: &str, text: &str) {
        let el = self.find_all(css).await[0].clone();
        self.call(
            reqwest::Method::POST,
            &format!("/element/{el}/value"),
            Some(json!({"text": text})),
        )
        .await;
    }

    /// The window's inner size in CSS pixels.
    pub async fn resize(&self, width: u32, height: u32) {
        self.call(
            reqwest::Method::POST,
            "/window/rect",
            Some(json!({"width": width, "height": height})),
        )
        .await;
    }

    /// Saves a screenshot as `name.png` (see [`screenshot_path`]) and says where on stderr.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let shot = self.call(reqwest::Method::GET, "/screenshot", None).await;
        let png = base64::Engine::decode(
            &base64::engine::general_purpose::STANDARD,
            shot.as_str().unwrap_or(""),
        )
        .unwrap();
        assert!(png.starts_with(b"\x89PNG"));
        let out = screenshot_path(name);
        std::fs::write(&out, &png).unwrap();
        use std::io::Write;
        let _ = writeln!(std::io::stderr().lock(), "screenshot: {}", out.display());
        out
    }

    /// Ends the browser session.
    pub async fn quit(&self) {
        self.call(reqwest::Method::DELETE, "", None).await;
    }
}
