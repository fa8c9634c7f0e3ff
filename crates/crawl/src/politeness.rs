//! A host's politeness: its pace ([`Pace`]: each request sent at least the delay after the
//! previous one was really sent) and its robots.txt ([`Robots`], read by [`load_robots`]).
//!
//! robots.txt is read as RFC 9309 says (section 2.3.1): an answer with rules is obeyed; a 4xx
//! answer (no robots.txt) allows everything; a 5xx or 429 answer, or no answer at all (DNS,
//! connection, TLS, timeout), makes robots.txt *unreachable*, and nothing on the host may be
//! fetched until it is read again.

use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use tokio::time::Instant;
use url::Url;

use crate::fetch::{FetchError, Fetcher, Response, Validators};

/// A host's politeness: each request is sent at least the delay after the previous request to
/// the host was *really* sent. Counting from when a request was sent, not from when it was
/// planned, keeps the real gap whole when a task wakes late on a loaded machine.
#[derive(Default)]
pub(crate) struct Pace {
    last_sent: Mutex<Option<Instant>>,
}

impl Pace {
    /// Waits until `delay` has passed since the host's last request was sent, then notes a
    /// request as sent now and returns that moment: the caller sends it at once.
    pub(crate) async fn turn(&self, delay: Duration) -> Instant {
        loop {
            let earliest = {
                let mut last = self
                    .last_sent
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner);
                let now = Instant::now();
                match *last {
                    Some(sent) if sent + delay > now => sent + delay,
                    _ => {
                        *last = Some(now);
                        return now;
                    }
                }
            };
            tokio::time::sleep_until(earliest).await;
        }
    }
}

/// A host's robots.txt rules.
pub(crate) enum Robots {
    Rules(texting_robots::Robot),
    AllowAll,
    /// robots.txt could not be read (5xx, 429 or no answer): nothing may be fetched for now.
    Unreachable(FetchError),
}

impl Robots {
    /// Whether `url` may be fetched (false for everything while robots.txt is unreachable).
    pub(crate) fn allowed(&self, url: &Url) -> bool {
        match self {
            Robots::Rules(r) => r.allowed(url.as_str()),
            Robots::AllowAll => true,
            Robots::Unreachable(_) => false,
        }
    }
    /// The politeness delay: the configured one, or robots.txt's Crawl-delay when longer.
    pub(crate) fn delay(&self, base: Duration) -> Duration {
        match self {
            Robots::Rules(r) => r.delay.map_or(base, |d| {
                Duration::from_secs_f32(d.clamp(0.0, 60.0)).max(base)
            }),
            _ => base,
        }
    }
}

/// The robots.txt of `url`'s host, as RFC 9309 reads an answer (see the module doc).
pub(crate) async fn load_robots(fetcher: &Fetcher, url: &Url, agent: &str) -> Robots {
    let Ok(robots_url) = url.join("/robots.txt") else {
        return Robots::AllowAll;
    };
    match fetcher.get(&robots_url, &Validators::default()).await {
        Ok(Response::Body { bytes, .. }) => {
            let name = agent.split('/').next().unwrap_or(agent);
            texting_robots::Robot::new(name, &bytes)
                .map(Robots::Rules)
                .unwrap_or(Robots::AllowAll)
        }
        Ok(Response::NotModified) => Robots::AllowAll,
        Err(FetchError::Status(s)) if s != 429 && (400..500).contains(&s) => Robots::AllowAll,
        Err(e) => Robots::Unreachable(e),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn requests_to_a_host_are_sent_the_delay_apart() {
        let pace = Arc::new(Pace::default());
        let delay = Duration::from_millis(40);
        // Four at once (as with concurrency_per_host above 1), one of them late to ask.
        let asks: Vec<_> = (0..4u64)
            .map(|i| {
                let pace = pace.clone();
                tokio::spawn(async move {
                    tokio::time::sleep(Duration::from_millis(15 * i)).await;
                    pace.turn(delay).await
                })
            })
            .collect();
        let mut sent = Vec::new();
        for ask in asks {
            sent.push(ask.await.unwrap());
        }
        sent.sort();
        for w in sent.windows(2) {
            assert!(w[1] - w[0] >= delay, "{:?}", w[1] - w[0]);
        }
        // The first request, and one asked for long after the last, go at once.
        let hour = Duration::from_secs(3600);
        let pace = Pace::default();
        let at_once = Duration::from_secs(10);
        assert!(tokio::time::timeout(at_once, pace.turn(hour)).await.is_ok());
        *pace.last_sent.lock().unwrap() = Instant::now().checked_sub(2 * hour);
        assert!(tokio::time::timeout(at_once, pace.turn(hour)).await.is_ok());
    }
}
