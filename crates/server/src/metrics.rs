//! Request metrics in the Prometheus text format: counts by route and status, latency
//! histograms by route.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;

#[derive(Default)]
struct Route {
    by_status: BTreeMap<u16, u64>,
    buckets: Vec<u64>,
    count: u64,
    sum: f64,
}

/// Counters shared by all requests.
pub struct Metrics {
    buckets: Vec<f64>,
    routes: Mutex<BTreeMap<String, Route>>,
}

impl Metrics {
    pub fn new(buckets: Vec<f64>) -> Self {
        Metrics {
            buckets,
            routes: Mutex::new(BTreeMap::new()),
        }
    }

    fn record(&self, route: &str, status: u16, secs: f64) {
        let Ok(mut routes) = self.routes.lock() else {
            return;
        };
        let r = routes.entry(route.to_string()).or_default();
        if r.buckets.is_empty() {
            r.buckets = vec![0; self.buckets.len()];
        }
        *r.by_status.entry(status).or_default() += 1;
        for (i, le) in self.buckets.iter().enumerate() {
            if secs <= *le {
                r.buckets[i] += 1;
            }
        }
        r.count += 1;
        r.sum += secs;
    }

    /// The Prometheus text exposition, with `extra` gauges appended.
    pub fn render(&self, extra: &[(&str, &str, f64)]) -> String {
        let mut out = String::new();
        let Ok(routes) = self.routes.lock() else {
            return out;
        };
        out.push_str("# HELP plansok_http_requests_total HTTP requests by route and status.\n# TYPE plansok_http_requests_total counter\n");
        for (route, r) in routes.iter() {
            for (status, n) in &r.by_status {
                let _ = writeln!(
                    out,
                    "plansok_http_requests_total{{route=\"{route}\",status=\"{status}\"}} {n}"
                );
            }
        }
        out.push_str("# HELP plansok_http_request_duration_seconds Request latency by route.\n# TYPE plansok_http_request_duration_seconds histogram\n");
        for (route, r) in routes.iter() {
            for (le, n) in self.buckets.iter().zip(&r.buckets) {
                let _ = writeln!(out, "plansok_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{le}\"}} {n}");
            }
            let _ = writeln!(
                out,
                "plansok_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}",
                r.count
            );
            let _ = writeln!(
                out,
                "plansok_http_request_duration_seconds_sum{{route=\"{route}\"}} {}",
                r.sum
            );
            let _ = writeln!(
                out,
                "plansok_http_request_duration_seconds_count{{route=\"{route}\"}} {}",
                r.count
            );
        }
        for (name, help, value) in extra {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {value}"
            );
        }
        out
    }
}

/// Middleware: times every request and records it under its route pattern.
pub async fn track(
    State(m): State<std::sync::Arc<crate::AppState>>,
    req: Request,
    next: Next,
) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".into());
    let start = Instant::now();
    let resp = next.run(req).await;
    m.metrics.record(
        &route,
        resp.status().as_u16(),
        start.elapsed().as_secs_f64(),
    );
    resp
}
