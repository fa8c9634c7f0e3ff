//! What a crawl reports: counts per host and per source, the failed and skipped URLs, the
//! hosts that never answered and the sources that got nothing because of them.

use std::collections::BTreeMap;

use url::Url;

use crate::fetch::host_of;
use crate::ingest_worker::IngestTally;

/// Counts for one host (`host`, or `host:port` for a port that is not the scheme's default).
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct HostStats {
    pub queued: usize,
    pub fetched: usize,
    pub not_modified: usize,
    pub skipped: usize,
    pub errors: usize,
    /// True once the host answered anything over HTTP (robots.txt included).
    pub reached: bool,
    /// Why a request to the host first got no answer, e.g. "DNS lookup failed".
    pub unreachable: Option<String>,
}

/// Counts for one source: pages got (200 or 304), and URLs not fetched because their host
/// could not be connected to or its robots.txt was unreachable.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct SourceStats {
    pub pages: usize,
    pub unreachable: usize,
}

/// The summary of a crawl.
#[derive(Debug, Default, Clone)]
pub struct CrawlReport {
    pub hosts: BTreeMap<String, HostStats>,
    /// By source id, for every source with a URL queued in this run.
    pub sources: BTreeMap<String, SourceStats>,
    /// URL and reason of every failed fetch.
    pub errors: Vec<(String, String)>,
    /// URLs skipped, with the reason (robots.txt, content type, irrelevant).
    pub skipped: Vec<(String, String)>,
    pub gone: Vec<String>,
    pub ingest: IngestTally,
    /// True when --max-pages stopped the crawl with work left (the next run resumes it).
    pub truncated: bool,
}

impl CrawlReport {
    pub fn fetched(&self) -> usize {
        self.hosts.values().map(|h| h.fetched).sum()
    }
    pub fn not_modified(&self) -> usize {
        self.hosts.values().map(|h| h.not_modified).sum()
    }

    /// Hosts (`host` or `host:port`) that never answered, with why.
    pub fn unreachable_hosts(&self) -> impl Iterator<Item = (&str, &HostStats, &str)> {
        self.hosts
            .iter()
            .filter_map(|(host, h)| match &h.unreachable {
                Some(why) if !h.reached => Some((host.as_str(), h, why.as_str())),
                _ => None,
            })
    }

    /// The errors of URLs whose host answered (those of a host that never answered all have
    /// its cause: [`CrawlReport::unreachable_hosts`]).
    pub fn errors_of_reached_hosts(&self) -> impl Iterator<Item = &(String, String)> {
        let unreachable: Vec<&str> = self.unreachable_hosts().map(|(h, _, _)| h).collect();
        self.errors.iter().filter(move |(url, _)| {
            let host = Url::parse(url).map(|u| host_of(&u)).unwrap_or_default();
            !unreachable.contains(&host.as_str())
        })
    }

    /// Sources of which no page was got, because no URL of theirs got an answer or robots.txt
    /// was unreachable.
    pub fn unreached_sources(&self) -> Vec<&str> {
        self.sources
            .iter()
            .filter(|(_, s)| s.pages == 0 && s.unreachable > 0)
            .map(|(id, _)| id.as_str())
            .collect()
    }
}
