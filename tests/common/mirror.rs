//! A local server that serves corpus/sample as a mirror of the county sites on 127.0.0.1, by
//! the Host header, with ETag/If-None-Match, a request log, and a host of faulty pages.
#![allow(dead_code)]

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

pub const FAULT_HOST: &str = "fel.example.se";

#[derive(Default)]
pub struct MirrorState {
    pub root: PathBuf,
    /// (host, path, when) of every request.
    pub log: Mutex<Vec<(String, String, Instant)>>,
    /// Paths answered 404 (to simulate pages that disappeared).
    pub gone: Mutex<HashSet<String>>,
    counters: Mutex<HashMap<String, usize>>,
    /// Delay before every answer (to make a crawl slow enough to kill).
    pub delay_ms: Mutex<u64>,
}

pub struct Mirror {
    pub addr: SocketAddr,
    pub state: Arc<MirrorState>,
    _rt: tokio::runtime::Runtime,
}

impl Mirror {
    pub fn start(root: PathBuf) -> Mirror {
        let state = Arc::new(MirrorState {
            root,
            ..Default::default()
        });
        let rt = tokio::runtime::Runtime::new().unwrap();
        let listener = rt
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let addr = listener.local_addr().unwrap();
        let app = axum::Router::new()
            .fallback(serve)
            .with_state(state.clone());
        rt.spawn(async move { axum::serve(listener, app).await });
        Mirror {
            addr,
            state,
            _rt: rt,
        }
    }

    /// Requests to `host` in order, as (path, time).
    pub fn requests(&self, host: &str) -> Vec<(String, Instant)> {
        self.state
            .log
            .lock()
            .unwrap()
            .iter()
            .filter(|(h, _, _)| h == host)
            .map(|(_, p, t)| (p.clone(), *t))
            .collect()
    }

    pub fn clear_log(&self) {
        self.state.log.lock().unwrap().clear();
    }
}

fn count(state: &MirrorState, key: &str) -> usize {
    let mut c = state.counters.lock().unwrap();
    let n = c.entry(key.to_string()).or_default();
    *n += 1;
    *n
}

async fn serve(State(state): State<Arc<MirrorState>>, req: Request) -> Response {
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("")
        .split(':')
        .next()
        .unwrap_or("")
        .to_string();
    let path = req.uri().path().to_string();
    state
        .log
        .lock()
        .unwrap()
        .push((host.clone(), path.clone(), Instant::now()));
    let delay = *state.delay_ms.lock().unwrap();
    if delay > 0 {
        tokio::time::sleep(Duration::from_millis(delay)).await;
    }
    if host == FAULT_HOST {
        return faults(&state, &path).await;
    }
    if state.gone.lock().unwrap().contains(&path) {
        return StatusCode::NOT_FOUND.into_response();
    }
    file(&state, &host, &path, req.headers())
}

fn file(state: &MirrorState, host: &str, path: &str, headers: &HeaderMap) -> Response {
    if path.contains("..") {
        return StatusCode::BAD_REQUEST.into_response();
    }
    let file = state.root.join(host).join(path.trim_start_matches('/'));
    let Ok(bytes) = std::fs::read(&file) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let etag = format!("\"{}\"", blake3::hash(&bytes).to_hex());
    if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        == Some(etag.as_str())
    {
        return (StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response();
    }
    let ct = match file.extension().and_then(|e| e.to_str()) {
        Some("pdf") => "application/pdf",
        Some("html")
            if bytes
                .windows(12)
                .any(|w| w.eq_ignore_ascii_case(b"windows-1252")) =>
        {
            "text/html"
        }
        Some("html") => "text/html; charset=utf-8",
        Some("txt") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    };
    (
        [(header::CONTENT_TYPE, ct.to_string()), (header::ETAG, etag)],
        bytes,
    )
        .into_response()
}

const FAULT_INDEX: &str = r#"<html><head><title>Felsidor</title></head><body><main><h1>Mäns våld mot kvinnor – testsidor</h1>
<p>Sidor om våld i nära relationer som svarar fel.</p>
<a href="/loop-a">loop</a> <a href="/flaky">flaky</a> <a href="/ratelimited">429</a> <a href="/hang">hang</a>
<a href="/huge.pdf">huge</a> <a href="/wrong-type.html">wrong type</a> <a href="/intern/hemlig.html">disallowed</a>
<a href="mailto:x@y.se">mail</a> <a href="javascript:alert(1)">js</a> <a href="file:///etc/passwd">file</a></main></body></html>"#;

const OK_PAGE: &str = "<html><head><meta charset=\"utf-8\"><title>Återhämtad</title></head><body><main><h1>Sidan svarar efter ett fel</h1><p>Handlingsplan mot mäns våld mot kvinnor, andra försöket lyckades.</p></main></body></html>";

async fn faults(state: &MirrorState, path: &str) -> Response {
    match path {
        "/robots.txt" => "User-agent: *\nDisallow: /intern/\n".into_response(),
        "/" | "/index.html" => (
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            FAULT_INDEX,
        )
            .into_response(),
        "/loop-a" => (StatusCode::FOUND, [(header::LOCATION, "/loop-b")]).into_response(),
        "/loop-b" => (StatusCode::FOUND, [(header::LOCATION, "/loop-a")]).into_response(),
        "/flaky" if count(state, path) == 1 => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        "/ratelimited" if count(state, path) == 1 => {
            (StatusCode::TOO_MANY_REQUESTS, [(header::RETRY_AFTER, "1")]).into_response()
        }
        "/flaky" | "/ratelimited" => (
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            OK_PAGE.replace("Återhämtad", path),
        )
            .into_response(),
        "/hang" => {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            StatusCode::OK.into_response()
        }
        "/huge.pdf" => {
            let body = Body::from(vec![b'%'; 3 * 1024 * 1024]);
            ([(header::CONTENT_TYPE, "application/pdf")], body).into_response()
        }
        "/wrong-type.html" => (
            [(header::CONTENT_TYPE, "application/octet-stream")],
            "binary?",
        )
            .into_response(),
        "/intern/hemlig.html" => (
            [(header::CONTENT_TYPE, "text/html")],
            "<p>mäns våld mot kvinnor</p>",
        )
            .into_response(),
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}
