//! HTTP fetching: timeouts, a body size limit, bounded retries with backoff (Retry-After
//! honoured), redirects with a limit and loop detection, conditional GET, and no private or
//! loopback addresses unless the configuration allows them (checked in the DNS resolver, so a
//! name that re-resolves to a private address is refused too).
//!
//! A request that gets no HTTP answer at all is [`FetchError::Unreachable`], with its cause
//! ([`NetCause`]: DNS lookup, connection refused or failed, TLS, connect timeout) read from the
//! error's source chain. A failed DNS lookup or TLS handshake is not retried; the other causes
//! are, like 429 and 5xx answers.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{
    HeaderMap, CONTENT_TYPE, ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED, RETRY_AFTER,
};
use reqwest::{redirect, StatusCode};
use url::Url;

use crate::config::CrawlSettings;

/// Why a fetch failed.
#[derive(Debug, Clone, thiserror::Error, PartialEq)]
pub enum FetchError {
    #[error("HTTP {0}")]
    Status(u16),
    #[error("body larger than {0} MB")]
    TooLarge(u64),
    #[error("timed out")]
    Timeout,
    #[error("refused: {0}")]
    Refused(String),
    #[error("redirect error: {0}")]
    Redirect(String),
    #[error("cannot reach {host} ({cause})")]
    Unreachable { host: String, cause: NetCause },
    #[error("network error: {0}")]
    Network(String),
}

impl FetchError {
    /// Why no connection to the host was made (it could not be reached, or only at an address
    /// that is refused); None when there was one.
    pub fn connect_failure(&self) -> Option<String> {
        match self {
            FetchError::Unreachable { cause, .. } => Some(cause.to_string()),
            FetchError::Refused(why) => Some(format!("refused: {why}")),
            _ => None,
        }
    }

    /// Why the request got no HTTP answer: [`FetchError::connect_failure`], or a timeout.
    pub fn no_answer_cause(&self) -> Option<String> {
        match self {
            FetchError::Timeout => Some("timed out".into()),
            e => e.connect_failure(),
        }
    }
}

/// Why a host could not be reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetCause {
    Dns,
    ConnectionRefused,
    ConnectFailed,
    Tls,
    ConnectTimeout,
}

impl std::fmt::Display for NetCause {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            NetCause::Dns => "DNS lookup failed",
            NetCause::ConnectionRefused => "connection refused",
            NetCause::ConnectFailed => "connection failed",
            NetCause::Tls => "TLS handshake failed",
            NetCause::ConnectTimeout => "connection timed out",
        })
    }
}

/// A successful response.
#[derive(Debug, Clone)]
pub enum Response {
    Body {
        final_url: Url,
        content_type: Option<String>,
        etag: Option<String>,
        last_modified: Option<String>,
        bytes: Vec<u8>,
    },
    NotModified,
}

/// Validators for a conditional GET.
#[derive(Debug, Clone, Default)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// Refuses loopback, private, link-local and other non-public addresses.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_broadcast()
                || v4.is_documentation()
                || v4.is_unspecified()
                || v4.octets()[0] == 0
                || (v4.octets()[0] == 100 && (64..128).contains(&v4.octets()[1])))
        }
        IpAddr::V6(v6) => {
            let seg = v6.segments();
            !(v6.is_loopback()
                || v6.is_unspecified()
                || (seg[0] & 0xfe00) == 0xfc00
                || (seg[0] & 0xffc0) == 0xfe80
                || v6
                    .to_ipv4_mapped()
                    .is_some_and(|v4| !is_public(IpAddr::V4(v4))))
        }
    }
}

/// A resolver that drops non-public addresses.
struct PublicOnly;

/// The resolver's answer for a name with only non-public addresses.
#[derive(Debug, thiserror::Error)]
#[error("{0} resolves to no public address")]
struct NoPublicAddress(String);

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_string();
        Box::pin(async move {
            let addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let public: Vec<SocketAddr> = addrs.into_iter().filter(|a| is_public(a.ip())).collect();
            if public.is_empty() {
                return Err(Box::new(NoPublicAddress(host)) as Box<_>);
            }
            Ok(Box::new(public.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

pub struct Fetcher {
    client: reqwest::Client,
    max_body: u64,
    max_retries: u32,
    allow_private: bool,
}

impl Fetcher {
    pub fn new(s: &CrawlSettings) -> Result<Self, FetchError> {
        let max_redirects = s.max_redirects;
        let policy = redirect::Policy::custom(move |attempt| {
            if attempt.previous().len() >= max_redirects {
                attempt.error(format!("more than {max_redirects} redirects"))
            } else if attempt.previous().iter().any(|p| p == attempt.url()) {
                attempt.error("redirect loop")
            } else if !matches!(attempt.url().scheme(), "http" | "https") {
                attempt.error("redirect to a non-web URL")
            } else {
                attempt.follow()
            }
        });
        let mut b = reqwest::Client::builder()
            .user_agent(&s.user_agent)
            .connect_timeout(Duration::from_secs(s.connect_timeout_secs))
            .timeout(Duration::from_secs(s.request_timeout_secs))
            .redirect(policy);
        if !s.allow_private {
            b = b.dns_resolver(Arc::new(PublicOnly));
        }
        for (host, addr) in &s.resolve {
            let addr: SocketAddr = addr
                .parse()
                .map_err(|_| FetchError::Network(format!("bad resolve address {addr}")))?;
            b = b.resolve(host, addr);
        }
        let client = b.build().map_err(|e| FetchError::Network(e.to_string()))?;
        Ok(Fetcher {
            client,
            max_body: s.max_body_mb * 1024 * 1024,
            max_retries: s.max_retries,
            allow_private: s.allow_private,
        })
    }

    /// GETs `url`, retrying 429 and 5xx answers and network errors with backoff.
    pub async fn get(&self, url: &Url, v: &Validators) -> Result<Response, FetchError> {
        if let Some(ip) = url
            .host_str()
            .and_then(|h| h.trim_matches(['[', ']']).parse::<IpAddr>().ok())
        {
            if !self.allow_private && !is_public(ip) {
                return Err(FetchError::Refused(format!("{ip} is not a public address")));
            }
        }
        let mut attempt = 0;
        loop {
            match self.get_once(url, v).await {
                Err((e, retry_after)) if attempt < self.max_retries && is_retryable(&e) => {
                    let backoff = Duration::from_millis(500 * 2u64.pow(attempt));
                    tokio::time::sleep(retry_after.unwrap_or(backoff).min(Duration::from_secs(60)))
                        .await;
                    attempt += 1;
                }
                Err((e, _)) => return Err(e),
                Ok(r) => return Ok(r),
            }
        }
    }

    async fn get_once(
        &self,
        url: &Url,
        v: &Validators,
    ) -> Result<Response, (FetchError, Option<Duration>)> {
        let mut req = self.client.get(url.clone());
        if let Some(e) = &v.etag {
            req = req.header(IF_NONE_MATCH, e);
        }
        if let Some(lm) = &v.last_modified {
            req = req.header(IF_MODIFIED_SINCE, lm);
        }
        let mut resp = req.send().await.map_err(|e| (classify(&e, url), None))?;
        let status = resp.status();
        if status == StatusCode::NOT_MODIFIED {
            return Ok(Response::NotModified);
        }
        if !status.is_success() {
            return Err((
                FetchError::Status(status.as_u16()),
                retry_after(resp.headers()),
            ));
        }
        if resp.content_length().is_some_and(|n| n > self.max_body) {
            return Err((FetchError::TooLarge(self.max_body >> 20), None));
        }
        let headers = resp.headers().clone();
        let final_url = resp.url().clone();
        let mut bytes = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(|e| (classify(&e, url), None))? {
            if bytes.len() as u64 + chunk.len() as u64 > self.max_body {
                return Err((FetchError::TooLarge(self.max_body >> 20), None));
            }
            bytes.extend_from_slice(&chunk);
        }
        let header = |h| {
            headers
                .get(h)
                .and_then(|v: &reqwest::header::HeaderValue| v.to_str().ok())
                .map(str::to_string)
        };
        Ok(Response::Body {
            final_url,
            content_type: header(CONTENT_TYPE),
            etag: header(ETAG),
            last_modified: header(LAST_MODIFIED),
            bytes,
        })
    }
}

fn is_retryable(e: &FetchError) -> bool {
    match e {
        FetchError::Status(s) => *s == 429 || (500..600).contains(s),
        FetchError::Network(_) => true,
        FetchError::Unreachable { cause, .. } => !matches!(cause, NetCause::Dns | NetCause::Tls),
        _ => false,
    }
}

/// Names a reqwest error by what the user can act on, walking its source chain.
fn classify(e: &reqwest::Error, url: &Url) -> FetchError {
    tracing::debug!("{url}: {}", error_chain(e));
    if let Some(refused) = find_in_chain::<NoPublicAddress>(e) {
        return FetchError::Refused(refused.to_string());
    }
    if let Some(cause) = net_cause(e) {
        return FetchError::Unreachable {
            host: host_of(url),
            cause,
        };
    }
    if e.is_timeout() {
        return FetchError::Timeout;
    }
    if e.is_redirect() {
        return FetchError::Redirect(error_chain(e));
    }
    FetchError::Network(error_chain(e))
}

/// Why no connection was made, or None when the error came after connecting.
fn net_cause(e: &reqwest::Error) -> Option<NetCause> {
    if e.is_dns() {
        return Some(NetCause::Dns);
    }
    if !e.is_connect() {
        return None;
    }
    let refused = find_in_chain::<std::io::Error>(e)
        .is_some_and(|io| io.kind() == std::io::ErrorKind::ConnectionRefused);
    Some(if refused {
        NetCause::ConnectionRefused
    } else if e.is_timeout() {
        NetCause::ConnectTimeout
    } else if looks_like_tls(&error_chain(e)) {
        NetCause::Tls
    } else {
        NetCause::ConnectFailed
    })
}

/// TLS failures reach us as I/O errors carrying rustls' message.
fn looks_like_tls(chain: &str) -> bool {
    let chain = chain.to_ascii_lowercase();
    ["certificate", "tls", "handshake", "corrupt message"]
        .iter()
        .any(|w| chain.contains(w))
}

/// The first error of type `T` in the source chain of `e`.
fn find_in_chain<T: std::error::Error + 'static>(e: &reqwest::Error) -> Option<&T> {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(e);
    while let Some(c) = cur {
        if let Some(t) = c.downcast_ref::<T>() {
            return Some(t);
        }
        cur = c.source();
    }
    None
}

/// `host`, or `host:port` when the URL names a port that is not the scheme's default.
pub fn host_of(url: &Url) -> String {
    let host = url.host_str().unwrap_or("");
    match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_string(),
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cur = c.source();
    }
    s
}

/// Retry-After in seconds (an HTTP date is not interpreted).
fn retry_after(h: &HeaderMap) -> Option<Duration> {
    h.get(RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_and_loopback_addresses_are_not_public() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "192.168.0.1",
            "172.16.5.4",
            "169.254.1.1",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "100.64.0.1",
            "0.0.0.0",
        ] {
            assert!(!is_public(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["194.71.11.69", "2a00:1450:4001::1"] {
            assert!(is_public(ip.parse().unwrap()), "{ip}");
        }
    }

    /// A fetcher without retries whose timeouts are long enough for a slow resolver to answer
    /// (a lookup must fail as a lookup, not time out); the tests below never wait for them.
    fn offline_fetcher() -> Fetcher {
        let cfg = crate::CrawlConfig::from_toml(
            "[crawl]\nuser_agent = \"t\"\nallow_private = true\nmax_retries = 0\nconnect_timeout_secs = 30\nrequest_timeout_secs = 40\n",
        )
        .unwrap();
        Fetcher::new(&cfg.crawl).unwrap()
    }

    async fn fetch_error(url: &str) -> FetchError {
        let url = Url::parse(url).unwrap();
        offline_fetcher()
            .get(&url, &Validators::default())
            .await
            .unwrap_err()
    }

    /// A port on 127.0.0.1 that nothing listens on.
    fn closed_port() -> u16 {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    }

    #[tokio::test]
    async fn a_closed_port_is_connection_refused() {
        let port = closed_port();
        let e = fetch_error(&format!("http://127.0.0.1:{port}/")).await;
        assert_eq!(
            e.to_string(),
            format!("cannot reach 127.0.0.1:{port} (connection refused)")
        );
        assert_eq!(e.no_answer_cause().as_deref(), Some("connection refused"));
    }

    #[tokio::test]
    async fn an_unknown_name_is_a_failed_dns_lookup() {
        let e = fetch_error("http://plansok-test.invalid/robots.txt").await;
        assert_eq!(
            e.to_string(),
            "cannot reach plansok-test.invalid (DNS lookup failed)"
        );
    }

    #[tokio::test]
    async fn a_server_that_does_not_speak_tls_is_a_tls_failure() {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        std::thread::spawn(move || {
            if let Ok((mut s, _)) = l.accept() {
                let _ = std::io::Write::write_all(&mut s, b"HTTP/1.1 400 Bad Request\r\n\r\n");
            }
        });
        let e = fetch_error(&format!("https://127.0.0.1:{port}/")).await;
        assert_eq!(
            e.to_string(),
            format!("cannot reach 127.0.0.1:{port} (TLS handshake failed)")
        );
    }
}
