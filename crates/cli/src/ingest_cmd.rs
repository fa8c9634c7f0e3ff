//! `plansok ingest`: checks that every path exists (else exit 2, naming it), finds the files
//! of types the extractor cannot read (reported as skipped, with the supported types), ingests
//! the rest, and reports every file not indexed once, with why, in the summary.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};

use plansok_classify::Classifier;
use plansok_extract::{ExtractConfig, Format};
use plansok_index::{Indexer, SearchConfig};
use plansok_ingest::{collect_files, IngestOptions, IngestReport, Pipeline};

use crate::UsageError;

/// The file extensions the extractor reads ([`Format::from_extension`]).
const SUPPORTED: [&str; 6] = ["pdf", "html", "htm", "xhtml", "txt", "text"];

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
    if let Some(missing) = paths.iter().find(|p| !p.exists()) {
        let why = format!("no such file or folder: {}", missing.display());
        return Err(UsageError(why).into());
    }
    let ignore = IngestOptions::load()?.ignore_file_names;
    let unsupported = unsupported_files(paths, &ignore);
    // A file named on the command line goes to the pipeline only when it can be read.
    let readable: Vec<PathBuf> = paths
        .iter()
        .filter(|p| !unsupported.contains(p))
        .cloned()
        .collect();
    let (files, unreadable) = collect_files(&readable, &ignore);
    if files.is_empty() && unreadable.is_empty() {
        print_unsupported(&unsupported);
        return nothing_found(paths);
    }
    let mut pipeline = pipeline(index_dir, time_limit)?;
    let bar = progress_bar(files.len() as u64);
    let report = pipeline.ingest_paths(&readable, |_, _| bar.inc(1))?;
    bar.finish_and_clear();
    print_report(&report, unsupported.len());
    print_unsupported(&unsupported);
    Ok(())
}

fn nothing_found(paths: &[PathBuf]) -> anyhow::Result<()> {
    let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    eprintln!(
        "nothing to ingest: no {} files found in {}",
        supported_list(),
        names.join(", ")
    );
    Ok(())
}

/// `.pdf, .html, …`
fn supported_list() -> String {
    SUPPORTED.map(|e| format!(".{e}")).join(", ")
}

/// The files under `paths` (or named there) that are not read for their type: not
/// `PATH.meta.json` beside a document, not an ignored name, not hidden (like
/// [`collect_files`], which leaves them out silently).
fn unsupported_files(paths: &[PathBuf], ignore: &[String]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            unsupported_below(p, ignore, &mut out);
        } else if is_unsupported(p, ignore) {
            out.push(p.clone());
        }
    }
    out.sort();
    out
}

fn unsupported_below(dir: &Path, ignore: &[String], out: &mut Vec<PathBuf>) {
    // An unreadable folder is reported by the pipeline's own walk.
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        // Symbolic links are not followed, as in the pipeline's walk.
        match entry.file_type() {
            Ok(t) if t.is_dir() => unsupported_below(&entry.path(), ignore, out),
            Ok(t) if t.is_file() && is_unsupported(&entry.path(), ignore) => out.push(entry.path()),
            _ => {}
        }
    }
}

fn is_unsupported(path: &Path, ignore: &[String]) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let readable = path
        .extension()
        .and_then(|e| e.to_str())
        .and_then(Format::from_extension)
        .is_some();
    !readable && !name.ends_with(".meta.json") && !ignore.contains(&name)
}

fn print_unsupported(files: &[PathBuf]) {
    for path in files {
        let kind = path
            .extension()
            .map(|e| format!(" .{}", e.to_string_lossy()))
            .unwrap_or_else(|| " (no extension)".into());
        println!(
            "  skipped {}: unsupported file type{kind} (supported: {})",
            path.display(),
            supported_list()
        );
    }
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

fn print_report(r: &IngestReport, unsupported: usize) {
    println!(
        "indexed {} new, {} updated, {} unchanged, {} duplicates, {} skipped",
        r.added,
        r.updated,
        r.unchanged,
        r.duplicates.len(),
        r.skipped.len() + unsupported
    );
    for (path, of) in &r.duplicates {
        println!(
            "  duplicate: {} (same content as document {of})",
            path.display()
        );
    }
    for (path, why) in &r.skipped {
        println!("  skipped {}: {why}", path.display());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_supported_list_is_what_the_extractor_reads() {
        for ext in SUPPORTED {
            assert!(Format::from_extension(ext).is_some(), "{ext}");
        }
        for ext in ["docx", "doc", "md", "odt", "rtf", "xml", "json"] {
            assert!(Format::from_extension(ext).is_none(), "{ext}");
        }
    }
}
