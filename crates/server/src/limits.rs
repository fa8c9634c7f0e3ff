//! Size limits the server answers itself, with the API's error body: a URI over
//! [`MAX_URI_BYTES`] is a 414 and a declared body over [`MAX_BODY_BYTES`] a 413 ([`check`]).
//!
//! The HTTP library refuses a request line it cannot hold (over about 64 kB) before any
//! handler sees it, with an empty 414. [`Guarded`] watches the bytes of each connection for
//! such a line and answers it first, with the same JSON 414 ([`LineGuard`]).

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

use crate::ApiError;

/// Longest URI (path and query) a request may have.
pub const MAX_URI_BYTES: usize = 16 * 1024;
/// Largest request body a client may announce; the API reads none.
pub const MAX_BODY_BYTES: u64 = 64 * 1024;
/// Longest request line [`LineGuard`] lets through to the HTTP library, under its own limit.
const MAX_LINE_BYTES: usize = 60 * 1024;
/// Bytes of a refused request read (and dropped) after the answer, so that closing the
/// connection does not reset it before the client has read the answer.
const DRAIN_BYTES: usize = 1024 * 1024;

/// Refuses a too-long URI (414) or an announced body over the limit (413).
pub(crate) async fn check(req: Request, next: Next) -> Response {
    let uri_len = req.uri().path_and_query().map_or(0, |p| p.as_str().len());
    if uri_len > MAX_URI_BYTES {
        return uri_too_long().into_response();
    }
    let announced = req
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.trim().parse::<u64>().ok());
    if announced.is_some_and(|n| n > MAX_BODY_BYTES) {
        return ApiError::new(
            "payload_too_large",
            format!("a request body may have at most {MAX_BODY_BYTES} bytes; the API reads none"),
        )
        .into_response();
    }
    next.run(req).await
}

fn uri_too_long() -> ApiError {
    ApiError::new(
        "uri_too_long",
        format!("the URI is longer than {MAX_URI_BYTES} bytes; shorten the query"),
    )
}

/// A TCP listener whose connections are watched by a [`LineGuard`].
pub struct Guarded(pub TcpListener);

impl axum::serve::Listener for Guarded {
    type Io = LineGuard<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        let (io, addr) = axum::serve::Listener::accept(&mut self.0).await;
        (LineGuard::new(io), addr)
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.0.local_addr()
    }
}

/// Where the scan of a connection's incoming bytes is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scan {
    /// In a request line, this many bytes long so far.
    Line(usize),
    /// In the header block; `newlines` counts the line ends in a row (two end it).
    Head { newlines: u8 },
    /// In a body with this many bytes left.
    Body(u64),
    /// A chunked body: its end cannot be found cheaply, so the rest of the connection passes
    /// unwatched (the HTTP library's own limits still hold).
    Off,
    /// A request line was too long: the answer is being written (from this offset).
    Answering(usize),
    /// The answer is out; input is read and dropped (this many bytes so far), then closed.
    Draining(usize),
}

/// Passes a connection's bytes through while finding the request lines in them; answers a
/// request line over [`MAX_LINE_BYTES`] with the API's 414 and closes the connection.
pub struct LineGuard<S> {
    inner: S,
    scan: Scan,
    /// The header line being read, kept only as far as needed to see `content-length:` and
    /// `transfer-encoding:`.
    header: Vec<u8>,
    body: u64,
    chunked: bool,
    answer: Vec<u8>,
}

impl<S> LineGuard<S> {
    pub fn new(inner: S) -> Self {
        LineGuard {
            inner,
            scan: Scan::Line(0),
            header: Vec::new(),
            body: 0,
            chunked: false,
            answer: Vec::new(),
        }
    }

    /// Follows `bytes` through the scan; true when a request line has grown too long.
    fn follow(&mut self, bytes: &[u8]) -> bool {
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            i += 1;
            self.scan = match self.scan {
                Scan::Line(n) if b == b'\n' && n <= 1 => Scan::Line(0),
                Scan::Line(_) if b == b'\n' => {
                    self.header.clear();
                    self.body = 0;
                    self.chunked = false;
                    Scan::Head { newlines: 1 }
                }
                Scan::Line(n) if n + 1 > MAX_LINE_BYTES => return true,
                Scan::Line(n) => Scan::Line(n + 1),
                Scan::Head { newlines } => self.head_byte(b, newlines),
                Scan::Body(left) => {
                    let take =
                        (bytes.len() - i + 1).min(usize::try_from(left).unwrap_or(usize::MAX));
                    i += take - 1;
                    match left - take as u64 {
                        0 => Scan::Line(0),
                        rest => Scan::Body(rest),
                    }
                }
                other => return matches!(other, Scan::Answering(_)),
            };
        }
        false
    }

    fn head_byte(&mut self, b: u8, newlines: u8) -> Scan {
        match b {
            b'\r' => Scan::Head { newlines },
            b'\n' if newlines >= 1 && self.header.is_empty() => self.after_head(),
            b'\n' => {
                self.read_header();
                self.header.clear();
                Scan::Head { newlines: 1 }
            }
            _ => {
                if self.header.len() < 64 {
                    self.header.push(b.to_ascii_lowercase());
                }
                Scan::Head { newlines: 0 }
            }
        }
    }

    fn read_header(&mut self) {
        let line = String::from_utf8_lossy(&self.header);
        if let Some(v) = line.strip_prefix("content-length:") {
            self.body = v.trim().parse().unwrap_or(0);
        } else if let Some(v) = line.strip_prefix("transfer-encoding:") {
            self.chunked = v.contains("chunked");
        }
    }

    fn after_head(&mut self) -> Scan {
        match (self.chunked, self.body) {
            (true, _) => Scan::Off,
            (false, 0) => Scan::Line(0),
            (false, n) => Scan::Body(n),
        }
    }
}

/// The 414 as raw HTTP, with the API's error body.
fn answer_414() -> Vec<u8> {
    let body = serde_json::json!({
        "error": {
            "code": "uri_too_long",
            "message": format!("the URI is longer than {MAX_URI_BYTES} bytes; shorten the query"),
        }
    })
    .to_string();
    format!(
        "HTTP/1.1 414 URI Too Long\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncRead for LineGuard<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        loop {
            match this.scan {
                Scan::Answering(from) => {
                    let written =
                        ready!(Pin::new(&mut this.inner).poll_write(cx, &this.answer[from..]))?;
                    let next = from + written;
                    this.scan = if written == 0 || next >= this.answer.len() {
                        Scan::Draining(0)
                    } else {
                        Scan::Answering(next)
                    };
                }
                Scan::Draining(n) if n >= DRAIN_BYTES => return Poll::Ready(Ok(())),
                Scan::Draining(n) => {
                    let mut scratch = [0u8; 8192];
                    let mut sink = ReadBuf::new(&mut scratch);
                    ready!(Pin::new(&mut this.inner).poll_read(cx, &mut sink))?;
                    let got = sink.filled().len();
                    if got == 0 || sink.filled().contains(&b'\n') {
                        // The refused line has ended (or the client is gone): close.
                        return Poll::Ready(Ok(()));
                    }
                    this.scan = Scan::Draining(n + got);
                }
                Scan::Off => return Pin::new(&mut this.inner).poll_read(cx, buf),
                _ => {
                    let before = buf.filled().len();
                    ready!(Pin::new(&mut this.inner).poll_read(cx, buf))?;
                    if !this.follow(&buf.filled()[before..]) {
                        return Poll::Ready(Ok(()));
                    }
                    // The HTTP library never gets this line's end: answer it here instead.
                    buf.set_filled(before);
                    this.answer = answer_414();
                    this.scan = Scan::Answering(0);
                }
            }
        }
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for LineGuard<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, data)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guard() -> LineGuard<()> {
        LineGuard::new(())
    }

    #[test]
    fn short_requests_with_and_without_bodies_pass() {
        let mut g = guard();
        let req = b"GET /api/search?q=v HTTP/1.1\r\nHost: x\r\n\r\n";
        assert!(!g.follow(req));
        assert_eq!(g.scan, Scan::Line(0));
        let post = b"POST /x HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello";
        assert!(!g.follow(post));
        assert_eq!(g.scan, Scan::Line(0));
        // A body whose bytes look like a long line is not a request line.
        let big = format!(
            "POST /x HTTP/1.1\r\nContent-Length: {n}\r\n\r\n",
            n = 70_000
        );
        assert!(!g.follow(big.as_bytes()));
        assert!(!g.follow(&vec![b'a'; 70_000]));
        assert_eq!(g.scan, Scan::Line(0));
        assert!(!g.follow(req));
    }

    #[test]
    fn a_long_request_line_is_caught_even_across_reads_and_after_other_requests() {
        let mut g = guard();
        assert!(!g.follow(b"GET / HTTP/1.1\r\n\r\n"));
        assert!(!g.follow(b"GET /api/search?q="));
        let mut caught = false;
        for _ in 0..20 {
            caught |= g.follow(&[b'a'; 4096]);
        }
        assert!(caught);
    }

    #[test]
    fn a_chunked_body_turns_the_watch_off() {
        let mut g = guard();
        assert!(!g.follow(b"POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n"));
        assert_eq!(g.scan, Scan::Off);
    }
}
