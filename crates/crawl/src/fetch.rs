//! HTTP fetching: timeouts, a body size limit, bounded retries with backoff (Retry-After
//! honoured), redirects with a limit and loop detection, conditional GET, and no private or
//! loopback addresses unless the configuration allows them (checked in the DNS resolver, so a
//! name that re-resolves to a private address is refused too).

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
    #[error("refused address: {0}")]
    Refused(String),
    #[error("redirect error: {0}")]
    Redirect(String),
    #[error("network error: {0}")]
    Network(String),
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

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_string();
        Box::pin(async move {
            let addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let public: Vec<SocketAddr> = addrs.into_iter().filter(|a| is_public(a.ip())).collect();
            if public.is_empty() {
                return Err(format!("{host} resolves to no public address").into());
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
                return Err(FetchError::Refused(ip.to_string()));
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
        let mut resp = req.send().await.map_err(|e| (classify(&e), None))?;
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
        while let Some(chunk) = resp.chunk().await.map_err(|e| (classify(&e), None))? {
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
        _ => false,
    }
}

fn classify(e: &reqwest::Error) -> FetchError {
    if e.is_timeout() {
        return FetchError::Timeout;
    }
    if e.is_redirect() {
        return FetchError::Redirect(error_chain(e));
    }
    let chain = error_chain(e);
    if chain.contains("no public address") {
        return FetchError::Refused(chain);
    }
    FetchError::Network(chain)
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
}
