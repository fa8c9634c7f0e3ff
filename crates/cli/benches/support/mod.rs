//! Helpers shared by the bench binaries.
#![allow(dead_code)] // each bench binary uses some of them

use std::path::{Path, PathBuf};

use plansok_ingest::{collect_files, IngestOptions};

/// Peak resident memory of this process (VmHWM), in MB.
pub fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|k| k.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

pub fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Writes `copies` variants of every corpus file (each made unique so none is a duplicate).
pub fn scaled_corpus(dir: &Path, copies: usize) -> (Vec<PathBuf>, u64) {
    let sample = repo().join("corpus/sample");
    let opts = IngestOptions::load().unwrap();
    let (files, _) = collect_files(std::slice::from_ref(&sample), &opts.ignore_file_names);
    let mut out = Vec::new();
    let mut bytes = 0u64;
    for c in 0..copies {
        for f in &files {
            // <host>/copy<c>/<path>: a distinct URL per copy.
            let rel = f.strip_prefix(&sample).unwrap();
            let mut parts = rel.components();
            let host = parts.next().unwrap();
            let target = dir
                .join(host)
                .join(format!("copy{c}"))
                .join(parts.as_path());
            std::fs::create_dir_all(target.parent().unwrap()).unwrap();
            let mut data = std::fs::read(f).unwrap();
            data.extend_from_slice(format!("\n<!-- copy {c} -->\n").as_bytes());
            bytes += data.len() as u64;
            std::fs::write(&target, data).unwrap();
            out.push(target);
        }
    }
    (out, bytes)
}

pub fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

pub fn percentile(mut v: Vec<f64>, p: f64) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}
