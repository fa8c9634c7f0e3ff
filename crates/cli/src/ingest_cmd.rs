//! `plansok ingest`.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};

use plansok_classify::Classifier;
use plansok_extract::ExtractConfig;
use plansok_index::{Indexer, SearchConfig};
use plansok_ingest::{collect_files, FileOutcome, IngestOptions, IngestReport, Pipeline};

/// Opens the pipeline on the index in `index_dir`.
pub fn pipeline(index_dir: &Path, time_limit: Option<u64>) -> anyhow::Result<Pipeline> {
    let store = Indexer::open(index_dir, SearchConfig::load()?).context("opening the index")?;
    let mut opts = IngestOptions::load()?;
    if let Some(secs) = time_limit {
        opts.time_limit = Duration::from_secs(secs.max(1));
    }
    Ok(Pipeline::new(
        ExtractConfig::load()?,
        Classifier::load()?,
        store,
        opts,
    ))
}

pub fn run(index_dir: &Path, paths: &[PathBuf], time_limit: Option<u64>) -> anyhow::Result<()> {
    let mut pipeline = pipeline(index_dir, time_limit)?;
    let ignore = IngestOptions::load()?.ignore_file_names;
    let total = collect_files(paths, &ignore).0.len() as u64;
    let bar = progress_bar(total);
    let report = pipeline.ingest_paths(paths, |path, outcome| {
        if let FileOutcome::Skipped(e) = outcome {
            bar.suspend(|| tracing::warn!("skipped {}: {e}", path.display()));
        }
        bar.inc(1);
    })?;
    bar.finish_and_clear();
    print_report(&report);
    Ok(())
}

fn progress_bar(total: u64) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total);
    if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} files {elapsed}") {
        bar.set_style(style);
    }
    bar
}

fn print_report(r: &IngestReport) {
    println!(
        "indexed {} new, {} updated, {} unchanged, {} duplicates, {} skipped",
        r.added,
        r.updated,
        r.unchanged,
        r.duplicates.len(),
        r.skipped.len()
    );
    for (path, of) in &r.duplicates {
        println!(
            "  duplicate: {} (same content as document {of})",
            path.display()
        );
    }
    for (path, why) in &r.skipped {
        println!("  skipped: {}: {why}", path.display());
    }
}
