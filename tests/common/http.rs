//! The sample corpus served on 127.0.0.1 for one test binary, and raw HTTP/1.1 requests to a
//! server (raw, so that invalid encodings, odd methods and huge lengths can be sent).

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::sync::OnceLock;

use plansok_index::{SearchConfig, SearchIndex};

use super::{fixture_dir, pipeline, repo};

/// `plansok`'s API over an index of the sample corpus; it serves while the value lives.
pub struct SampleServer {
    pub addr: SocketAddr,
    /// The data folder (the index is in `index/`).
    pub dir: PathBuf,
    _rt: tokio::runtime::Runtime,
}

/// The sample corpus ingested into the fixture folder `name` and served, once per test binary
/// (the first call's `name` is the one used).
pub fn sample_server(name: &str) -> &'static SampleServer {
    static S: OnceLock<SampleServer> = OnceLock::new();
    S.get_or_init(|| {
        let dir = fixture_dir(name);
        pipeline(&dir)
            .ingest_paths(&[repo().join("corpus/sample")], |_, _| {})
            .unwrap();
        let store = SearchIndex::open(&dir.join("index"), SearchConfig::load().unwrap()).unwrap();
        let (addr, rt) = super::start_server(store);
        SampleServer { addr, dir, _rt: rt }
    })
}

/// An answer: status, head (lower case) and body (de-chunked).
pub struct Answer {
    pub status: u16,
    pub head: String,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("{e}: {} {}", self.status, self.text()))
    }
}

/// Sends `method target` with `extra` header lines to `addr`; the connection closes after the
/// answer.
pub fn send(addr: SocketAddr, method: &str, target: &str, extra: &str) -> Answer {
    let mut s = TcpStream::connect(addr).unwrap();
    let request = format!(
        "{method} {target} HTTP/1.1\r\nHost: localhost\r\n{extra}Connection: close\r\n\r\n"
    );
    // The server may answer and close before a long request is all written.
    let _ = s.write_all(request.as_bytes());
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf);
    let split = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no answer to {method} {}", &target[..target.len().min(80)]));
    let head = String::from_utf8_lossy(&buf[..split]).to_lowercase();
    let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    let mut body = buf[split + 4..].to_vec();
    if head.contains("transfer-encoding: chunked") {
        body = dechunk(&body);
    }
    Answer { status, head, body }
}

/// `GET target` at `addr`.
pub fn get(addr: SocketAddr, target: &str) -> Answer {
    send(addr, "GET", target, "")
}

/// The body of a chunked answer.
pub fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = b.windows(2).position(|w| w == b"\r\n") {
        let size =
            usize::from_str_radix(std::str::from_utf8(&b[..eol]).unwrap().trim(), 16).unwrap();
        if size == 0 {
            break;
        }
        out.extend_from_slice(&b[eol + 2..eol + 2 + size]);
        b = &b[eol + 2 + size + 2..];
    }
    out
}
