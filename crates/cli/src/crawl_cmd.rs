//! `plansok crawl`: runs the crawler, prints its summary, and names on stderr every host that
//! could not be reached with the cause (`error: cannot reach HOST (DNS lookup failed)`). The run
//! fails (exit code 1) when some source got no page because it could not be reached.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};

use plansok_crawl::{CrawlConfig, CrawlReport, Crawler};

pub struct CrawlArgs<'a> {
    pub data: &'a Path,
    pub config: Option<&'a Path>,
    pub sources: &'a [String],
    pub max_pages: Option<usize>,
}

pub fn run(a: CrawlArgs) -> anyhow::Result<()> {
    let mut cfg = CrawlConfig::load(a.config)?;
    cfg.select(a.sources)
        .map_err(|e| anyhow::Error::new(crate::UsageError(e.to_string())))?;
    let store_dir: PathBuf = a.data.join("store");
    let pipeline = crate::ingest_cmd::pipeline(&a.data.join("index"), None)?;
    let crawler = Crawler::new(cfg, &store_dir, a.max_pages)?;
    let bar = spinner();
    let runtime = tokio::runtime::Runtime::new()?;
    let report = runtime
        .block_on(crawler.run(pipeline, &store_dir, |r| {
            let queued: usize = r.hosts.values().map(|h| h.queued).sum();
            let errors: usize = r.hosts.values().map(|h| h.errors).sum();
            bar.set_message(format!(
                "queued {queued}, fetched {}, unchanged {}, skipped {}, errors {errors}",
                r.fetched(),
                r.not_modified(),
                r.skipped.len()
            ));
        }))
        .context("crawling")?;
    bar.finish_and_clear();
    print_report(&report);
    report_unreachable(&report)
}

/// One line per host that never answered; an error when a source got nothing because of it.
fn report_unreachable(r: &CrawlReport) -> anyhow::Result<()> {
    for (host, h, why) in r.unreachable_hosts() {
        eprintln!(
            "error: cannot reach {host} ({why}); {} URL{} not fetched",
            h.errors,
            if h.errors == 1 { "" } else { "s" }
        );
    }
    let unreached = r.unreached_sources();
    if unreached.is_empty() {
        return Ok(());
    }
    const SHOWN: usize = 5;
    let mut names = unreached[..unreached.len().min(SHOWN)].join(", ");
    if unreached.len() > SHOWN {
        names.push_str(&format!(" and {} more", unreached.len() - SHOWN));
    }
    anyhow::bail!(
        "{} of {} sources could not be reached, nothing fetched from them: {names}",
        unreached.len(),
        r.sources.len()
    )
}

fn spinner() -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new_spinner();
    if let Ok(style) = ProgressStyle::with_template("{spinner} {elapsed} {msg}") {
        bar.set_style(style);
    }
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    bar
}

fn print_report(r: &CrawlReport) {
    println!(
        "fetched {}, unchanged (304) {}, gone {}, errors {}, skipped {}; indexed {}, already indexed {}, removed {}, not indexable {}",
        r.fetched(),
        r.not_modified(),
        r.gone.len(),
        r.errors.len(),
        r.skipped.len(),
        r.ingest.indexed,
        r.ingest.unchanged,
        r.ingest.deleted,
        r.ingest.failed.len()
    );
    println!(
        "{:<32} {:>7} {:>8} {:>5} {:>8} {:>7}",
        "host", "queued", "fetched", "304", "skipped", "errors"
    );
    for (host, h) in &r.hosts {
        println!(
            "{host:<32} {:>7} {:>8} {:>5} {:>8} {:>7}",
            h.queued, h.fetched, h.not_modified, h.skipped, h.errors
        );
    }
    // A host that never answered gets one line on stderr instead (report_unreachable).
    for (url, why) in r.errors_of_reached_hosts() {
        println!("  error: {url}: {why}");
    }
    for (url, why) in &r.ingest.failed {
        println!("  not indexed: {url}: {why}");
    }
    if r.truncated {
        println!("stopped at --max-pages with work left; the next `plansok crawl` resumes it");
    }
}
