//! The crawl loop: per-host queues with politeness, many hosts in parallel, robots.txt,
//! link following within each source's allowlist and depth, a relevance filter, and the
//! catalog updated after every response.
//!
//! Politeness: a host has at most `concurrency_per_host` requests out, and each is sent at least
//! the delay (`delay_ms`, or robots.txt's Crawl-delay when longer) after the previous request to
//! the host was really sent (`crate::politeness`).
//!
//! robots.txt is read once per host and run (as `crate::politeness` reads an answer): when it
//! is unreachable, nothing on that host is fetched in this run. Each of its URLs is an error
//! "robots.txt unreachable: …" in the report and the catalog (never "disallowed by
//! robots.txt", which only a rule says), and the next run tries again.
//!
//! A URL's frontier entry is marked done only after its response is recorded and its links
//! are queued, so a crawl killed at any moment loses no link when it resumes.
//!
//! The report tells which hosts never answered ([`CrawlReport::unreachable_hosts`]) and which
//! sources got no page because of that ([`CrawlReport::unreached_sources`]).

use std::collections::{HashMap, HashSet, VecDeque};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use tokio::task::JoinSet;
use url::Url;

use plansok_extract::charset::from_content_type;
use plansok_extract::{ExtractConfig, Extracted, Format, Hints};
use plansok_ingest::{Input, Pipeline};
use plansok_model::SourceMeta;

use crate::catalog::{Catalog, Fetched};
use crate::config::{CrawlConfig, Source};
use crate::fetch::{host_of, FetchError, Fetcher, Response, Validators};
use crate::ingest_worker::{IngestWorker, Job};
use crate::politeness::{load_robots, Pace, Robots};
pub use crate::report::{CrawlReport, HostStats, SourceStats};
use crate::urls::{canonical, is_allowed, is_pdf_url};
use crate::CrawlError;

#[derive(Clone)]
struct Item {
    url: Url,
    source: usize,
    depth: u32,
}

#[derive(Default)]
struct Host {
    queue: VecDeque<Item>,
    active: usize,
    pace: Arc<Pace>,
    robots: Option<Arc<Robots>>,
}

enum Outcome {
    Fetched(Result<Response, FetchError>),
    Disallowed,
    RobotsUnreachable(FetchError),
}

struct Done {
    host: String,
    item: Item,
    robots: Option<Arc<Robots>>,
    outcome: Outcome,
}

pub struct Crawler {
    cfg: CrawlConfig,
    fetcher: Arc<Fetcher>,
    catalog: Catalog,
    extract_cfg: ExtractConfig,
    hosts: HashMap<String, Host>,
    seen: HashSet<String>,
    report: CrawlReport,
    budget: usize,
}

fn host_key(u: &Url) -> String {
    format!(
        "{}:{}",
        u.host_str().unwrap_or(""),
        u.port_or_known_default().unwrap_or(0)
    )
}

impl Crawler {
    pub fn new(
        cfg: CrawlConfig,
        store_dir: &Path,
        max_pages: Option<usize>,
    ) -> Result<Self, CrawlError> {
        let fetcher = Arc::new(Fetcher::new(&cfg.crawl)?);
        let catalog = Catalog::open(store_dir)?;
        let budget = max_pages.unwrap_or(cfg.crawl.max_pages);
        let extract_cfg = ExtractConfig::load()?;
        Ok(Crawler {
            cfg,
            fetcher,
            catalog,
            extract_cfg,
            hosts: HashMap::new(),
            seen: HashSet::new(),
            report: CrawlReport::default(),
            budget,
        })
    }

    /// Crawls every source, feeding documents to `pipeline`; `progress` sees the report as it grows.
    pub async fn run(
        mut self,
        pipeline: Pipeline,
        store_dir: &Path,
        mut progress: impl FnMut(&CrawlReport),
    ) -> Result<CrawlReport, CrawlError> {
        let worker = IngestWorker::spawn(pipeline, store_dir.to_path_buf())
            .map_err(CrawlError::store(store_dir))?;
        self.reindex_uncommitted(&worker)?;
        self.seed()?;
        let mut tasks: JoinSet<Done> = JoinSet::new();
        loop {
            self.dispatch(&mut tasks);
            let Some(joined) = tasks.join_next().await else {
                break;
            };
            let done = joined.map_err(|e| CrawlError::Task(e.to_string()))?;
            self.handle(done, &worker)?;
            progress(&self.report);
        }
        self.report.truncated = self.hosts.values().any(|h| !h.queue.is_empty());
        if !self.report.truncated {
            self.catalog.finish_run()?;
        }
        self.report.ingest = worker.finish()?;
        Ok(self.report)
    }

    /// Content fetched by an earlier run that died before its index commit, sent to the index
    /// by the rules of [`Crawler::content`]: content of no supported format, and HTML without
    /// any relevance word, is noted as handled and not indexed.
    fn reindex_uncommitted(&mut self, worker: &IngestWorker) -> Result<(), CrawlError> {
        for p in self.catalog.unindexed()? {
            let (Some(hash), Some(source)) = (
                p.hash.clone(),
                self.cfg.sources.iter().find(|s| s.id == p.source),
            ) else {
                continue;
            };
            let bytes = self.catalog.get_blob(&hash)?;
            let read = self.read_body(p.content_type.as_deref(), &bytes);
            let Some((format, hints, page)) = read.filter(|(_, _, page)| page.relevant) else {
                self.catalog.mark_indexed(&[(p.url, hash)])?;
                continue;
            };
            let extracted = page.extracted;
            worker.send(Job::Ingest {
                url: p.url.clone(),
                hash,
                input: Box::new(input(source, &p.url, bytes, format, hints, extracted)),
            });
        }
        Ok(())
    }

    fn seed(&mut self) -> Result<(), CrawlError> {
        self.seen.extend(self.catalog.done_urls()?);
        let index_of: HashMap<String, usize> = self
            .cfg
            .sources
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.clone(), i))
            .collect();
        for p in self.catalog.pending()? {
            if let (Some(&source), Ok(url)) = (index_of.get(&p.source), Url::parse(&p.url)) {
                self.push(Item {
                    url,
                    source,
                    depth: p.depth,
                })?;
            }
        }
        let drop = self.cfg.crawl.drop_query_params.clone();
        for (i, s) in self.cfg.sources.clone().iter().enumerate() {
            for start in &s.start {
                let Ok(base) = Url::parse(start) else {
                    continue;
                };
                if let Some(url) = canonical(&base, start, &drop) {
                    self.push(Item {
                        url,
                        source: i,
                        depth: 0,
                    })?;
                }
            }
        }
        Ok(())
    }

    /// Queues an item once per run.
    fn push(&mut self, item: Item) -> Result<(), CrawlError> {
        if !self.seen.insert(item.url.to_string()) {
            return Ok(());
        }
        let source_id = self.cfg.sources[item.source].id.clone();
        self.catalog
            .enqueue(item.url.as_str(), &source_id, item.depth)?;
        self.source_stats(&source_id);
        let key = host_key(&item.url);
        self.report
            .hosts
            .entry(host_of(&item.url))
            .or_default()
            .queued += 1;
        self.hosts.entry(key).or_default().queue.push_back(item);
        Ok(())
    }

    fn dispatch(&mut self, tasks: &mut JoinSet<Done>) {
        let conc = self.cfg.crawl.concurrency_per_host.max(1);
        let base_delay = Duration::from_millis(self.cfg.crawl.delay_ms);
        for (key, host) in self.hosts.iter_mut() {
            // One task until robots.txt is known: the first task reads it, once.
            let conc = if host.robots.is_some() { conc } else { 1 };
            while host.active < conc && self.budget > 0 {
                let Some(item) = host.queue.pop_front() else {
                    break;
                };
                self.budget -= 1;
                host.active += 1;
                let validators = self
                    .catalog
                    .page(item.url.as_str())
                    .ok()
                    .flatten()
                    .filter(|p| !p.gone)
                    .map(|p| Validators {
                        etag: p.etag,
                        last_modified: p.last_modified,
                    })
                    .unwrap_or_default();
                let fetcher = self.fetcher.clone();
                let robots = host.robots.clone();
                let pace = host.pace.clone();
                let agent = self.cfg.crawl.user_agent.clone();
                let key = key.clone();
                tasks.spawn(async move {
                    // robots.txt is read right before the host's first page.
                    let robots = match robots {
                        Some(r) => r,
                        None => Arc::new(load_robots(&fetcher, &item.url, &agent).await),
                    };
                    let outcome = match &*robots {
                        Robots::Unreachable(e) => Outcome::RobotsUnreachable(e.clone()),
                        r if r.allowed(&item.url) => {
                            pace.turn(r.delay(base_delay)).await;
                            Outcome::Fetched(fetcher.get(&item.url, &validators).await)
                        }
                        _ => Outcome::Disallowed,
                    };
                    Done {
                        host: key,
                        item,
                        robots: Some(robots),
                        outcome,
                    }
                });
            }
        }
    }

    /// Records a finished task's outcome, queues the page's links, sends its content to the
    /// index, and then (exactly once, whatever the outcome) marks its frontier entry done.
    fn handle(&mut self, done: Done, worker: &IngestWorker) -> Result<(), CrawlError> {
        let robots_answered = done
            .robots
            .as_deref()
            .is_some_and(|r| !matches!(r, Robots::Unreachable(_)));
        if let Some(h) = self.hosts.get_mut(&done.host) {
            h.active -= 1;
            if h.robots.is_none() {
                h.robots = done.robots;
            }
        }
        let item = done.item;
        let url = item.url.to_string();
        let source = self.cfg.sources[item.source].clone();
        let stats_key = host_of(&item.url);
        if robots_answered {
            self.stats(&stats_key).reached = true;
        }
        match done.outcome {
            Outcome::Disallowed => {
                self.stats(&stats_key).skipped += 1;
                self.report
                    .skipped
                    .push((url.clone(), "disallowed by robots.txt".into()));
                self.catalog.record_failure(
                    &url,
                    &source.id,
                    None,
                    false,
                    "disallowed by robots.txt",
                )?;
            }
            Outcome::Fetched(Ok(Response::NotModified)) => {
                self.stats(&stats_key).not_modified += 1;
                self.source_stats(&source.id).pages += 1;
                self.catalog.record_unchanged(&url)?;
                self.follow_stored(&item, &source)?;
            }
            Outcome::Fetched(Ok(Response::Body {
                final_url,
                content_type,
                etag,
                last_modified,
                bytes,
            })) => {
                self.stats(&stats_key).fetched += 1;
                self.source_stats(&source.id).pages += 1;
                let hash = self.catalog.put_blob(&bytes)?;
                let fetched = Fetched {
                    url: url.clone(),
                    source: source.id.clone(),
                    final_url: final_url.to_string(),
                    status: 200,
                    content_type: content_type.clone(),
                    etag,
                    last_modified,
                    hash: Some(hash.clone()),
                };
                self.catalog.record_fetch(&fetched)?;
                self.content(
                    &item,
                    &source,
                    &final_url,
                    content_type.as_deref(),
                    bytes,
                    hash,
                    worker,
                )?;
            }
            Outcome::Fetched(Err(FetchError::Status(s))) if s == 404 || s == 410 => {
                self.stats(&stats_key).errors += 1;
                self.report.gone.push(url.clone());
                self.catalog.record_failure(
                    &url,
                    &source.id,
                    Some(s),
                    true,
                    &format!("HTTP {s}"),
                )?;
                worker.send(Job::Delete { url });
            }
            Outcome::Fetched(Err(e)) => {
                let status = if let FetchError::Status(s) = e {
                    Some(s)
                } else {
                    None
                };
                self.failed(&url, &source.id, &stats_key, status, &e, false)?;
            }
            Outcome::RobotsUnreachable(e) => {
                self.failed(&url, &source.id, &stats_key, None, &e, true)?;
            }
        }
        // Done only now that its links are queued: a crawl killed before this line fetches
        // the page again on resume rather than losing what it links to.
        self.catalog.mark_done(item.url.as_str())?;
        Ok(())
    }

    /// A URL that failed with `e` (its own, or robots.txt's when `robots` is set): an error in
    /// the report and the catalog, and whether its host and source got an answer.
    fn failed(
        &mut self,
        url: &str,
        source: &str,
        host: &str,
        status: Option<u16>,
        e: &FetchError,
        robots: bool,
    ) -> Result<(), CrawlError> {
        let stats = self.stats(host);
        stats.errors += 1;
        match e.no_answer_cause() {
            Some(cause) => {
                stats.unreachable.get_or_insert(cause);
            }
            None => stats.reached = true,
        }
        if robots || e.connect_failure().is_some() {
            self.source_stats(source).unreachable += 1;
        }
        let why = if robots {
            format!("robots.txt unreachable: {e}")
        } else {
            e.to_string()
        };
        self.catalog
            .record_failure(url, source, status, false, &why)?;
        self.report.errors.push((url.to_string(), why));
        Ok(())
    }

    fn stats(&mut self, host: &str) -> &mut HostStats {
        self.report.hosts.entry(host.to_string()).or_default()
    }

    fn source_stats(&mut self, id: &str) -> &mut SourceStats {
        self.report.sources.entry(id.to_string()).or_default()
    }

    /// A fetched body: follow its links (HTML), send it to the index when relevant.
    #[allow(clippy::too_many_arguments)]
    fn content(
        &mut self,
        item: &Item,
        source: &Source,
        final_url: &Url,
        content_type: Option<&str>,
        bytes: Vec<u8>,
        hash: String,
        worker: &IngestWorker,
    ) -> Result<(), CrawlError> {
        let url = item.url.to_string();
        let Some((format, hints, page)) = self.read_body(content_type, &bytes) else {
            self.catalog.mark_indexed(&[(url.clone(), hash)])?;
            self.report.skipped.push((
                url,
                format!(
                    "unsupported content type {}",
                    content_type.unwrap_or("(none)")
                ),
            ));
            return Ok(());
        };
        let relevant = page.relevant;
        if format == Format::Html && (relevant || item.depth == 0) {
            self.follow_links(item, source, final_url, &page.links)?;
        }
        let extracted = page.extracted;
        if !relevant {
            // Nothing to index for this content: note it as handled.
            self.catalog.mark_indexed(&[(url.clone(), hash)])?;
            self.report
                .skipped
                .push((url, "not about the topic (no relevance word)".into()));
            return Ok(());
        }
        worker.send(Job::Ingest {
            url: url.clone(),
            hash,
            input: Box::new(input(source, &url, bytes, format, hints, extracted)),
        });
        Ok(())
    }

    /// An unchanged page: its links are followed from the stored copy, so a recrawl still
    /// reaches (and revalidates) everything below it.
    fn follow_stored(&mut self, item: &Item, source: &Source) -> Result<(), CrawlError> {
        let Some(page) = self.catalog.page(item.url.as_str())? else {
            return Ok(());
        };
        let is_html = page
            .content_type
            .as_deref()
            .and_then(Format::from_content_type)
            == Some(Format::Html);
        let Some(hash) = page.hash.filter(|_| is_html) else {
            return Ok(());
        };
        let bytes = self.catalog.get_blob(&hash)?;
        let hints = Hints {
            charset: page.content_type.as_deref().and_then(from_content_type),
        };
        let html = self.read_html(&bytes, &hints);
        if item.depth == 0 || html.relevant {
            let base = item.url.clone();
            self.follow_links(item, source, &base, &html.links)?;
        }
        Ok(())
    }

    /// A body's format (from its content type, else sniffed) and charset hints, and what the
    /// crawl reads of it: an HTML page is extracted here, once ([`Self::read_html`]); any other
    /// format is relevant and links nowhere. None for a format no extractor reads.
    fn read_body(
        &self,
        content_type: Option<&str>,
        bytes: &[u8],
    ) -> Option<(Format, Hints, HtmlPage)> {
        let format = content_type
            .and_then(Format::from_content_type)
            .or_else(|| Format::sniff(bytes))?;
        let hints = Hints {
            charset: content_type.and_then(from_content_type),
        };
        let page = if format == Format::Html {
            self.read_html(bytes, &hints)
        } else {
            HtmlPage {
                relevant: true,
                links: Vec::new(),
                extracted: None,
            }
        };
        Some((format, hints, page))
    }

    /// Extracts an HTML page once: whether it has any of the relevance words, its links, and
    /// the extraction itself (none when the page has no text: ingest then says why).
    fn read_html(&self, bytes: &[u8], hints: &Hints) -> HtmlPage {
        match plansok_extract::extract(&self.extract_cfg, bytes, Format::Html, hints) {
            Ok(mut ex) => HtmlPage {
                relevant: self.is_relevant(&ex.body()),
                links: std::mem::take(&mut ex.links),
                extracted: Some(ex),
            },
            // No text (or too large): nothing relevant, but a start page's links still count.
            Err(_) => {
                let html = plansok_extract::charset::decode(bytes, hints.charset.as_deref(), true);
                HtmlPage {
                    relevant: false,
                    links: plansok_extract::html::extract_html(&self.extract_cfg, &html).links,
                    extracted: None,
                }
            }
        }
    }

    fn is_relevant(&self, text: &str) -> bool {
        let words = &self.cfg.crawl.relevance_words;
        if words.is_empty() {
            return true;
        }
        let text = text.to_lowercase();
        words.iter().any(|w| text.contains(&w.to_lowercase()))
    }

    fn follow_links(
        &mut self,
        item: &Item,
        source: &Source,
        base: &Url,
        links: &[String],
    ) -> Result<(), CrawlError> {
        let max_depth = source.max_depth.unwrap_or(self.cfg.crawl.max_depth);
        let drop = self.cfg.crawl.drop_query_params.clone();
        let mut found = Vec::new();
        for href in links {
            let Some(link) = canonical(base, href, &drop) else {
                continue;
            };
            found.push(link.to_string());
            let pdf = is_pdf_url(&link);
            let ok = if pdf {
                let host_ok = link
                    .host_str()
                    .is_some_and(|h| source.pdf_hosts.iter().any(|p| p == h));
                (host_ok || is_allowed(&link, &source.allow)) && item.depth < max_depth + 1
            } else {
                is_allowed(&link, &source.allow) && item.depth < max_depth
            };
            if ok {
                self.push(Item {
                    url: link,
                    source: item.source,
                    depth: item.depth + 1,
                })?;
            }
        }
        self.catalog.add_links(item.url.as_str(), &found)?;
        Ok(())
    }
}

/// What the crawler reads of a body: whether to index it, and for an HTML page its links and
/// extraction.
struct HtmlPage {
    relevant: bool,
    links: Vec<String>,
    extracted: Option<Extracted>,
}

/// The ingest input for fetched bytes, with the source's county and organisation.
fn input(
    source: &Source,
    url: &str,
    bytes: Vec<u8>,
    format: Format,
    hints: Hints,
    extracted: Option<Extracted>,
) -> Input {
    Input {
        bytes,
        format,
        path: None,
        meta: SourceMeta {
            url: Some(url.to_string()),
            region: Some(source.county.clone()),
            ..SourceMeta::default()
        },
        hints,
        extracted,
    }
}
