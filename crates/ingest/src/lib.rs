//! The ingest pipeline: files on disk (or fetched bytes) → extract → classify → index.
//!
//! Owns the wiring of the stages and the rules of a run: which files are read (`.html`,
//! `.htm`, `.pdf`, `.txt`, with an optional `FILE.meta.json` beside each), skipping unchanged
//! files by content hash before any extraction, a time limit per file (extraction runs on a
//! worker thread; a file that takes too long is skipped and named), containment of panics,
//! periodic atomic commits, and the report of what happened to every file.

use std::path::{Path, PathBuf};
use std::sync::{mpsc, Arc};
use std::time::Duration;

use plansok_classify::{document_id, Classifier, Source};
use plansok_extract::{ExtractConfig, ExtractError, Extracted, Format, Hints};
use plansok_index::{Indexer, UpsertOutcome};
use plansok_model::{Document, SourceMeta};

/// Why a file was not indexed.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("cannot read: {0}")]
    Read(#[from] std::io::Error),
    #[error("unsupported file type")]
    Unsupported,
    #[error("invalid {path}: {message}")]
    Meta { path: PathBuf, message: String },
    #[error(transparent)]
    Extract(#[from] ExtractError),
    #[error("extraction took longer than {0} s")]
    Timeout(u64),
    #[error("extraction crashed")]
    Crashed,
    #[error(transparent)]
    Index(#[from] plansok_index::IndexError),
    #[error(transparent)]
    Classify(#[from] plansok_classify::ClassifyError),
}

/// What happened to one file.
#[derive(Debug)]
pub enum FileOutcome {
    Indexed(UpsertOutcome),
    /// Same content as last time: not read further.
    Unchanged,
    Skipped(IngestError),
}

/// The summary of a run.
#[derive(Debug, Default)]
pub struct IngestReport {
    pub added: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub duplicates: Vec<(PathBuf, String)>,
    pub skipped: Vec<(PathBuf, String)>,
}

impl IngestReport {
    fn record(&mut self, path: &Path, outcome: &FileOutcome) {
        match outcome {
            FileOutcome::Indexed(UpsertOutcome::Added) => self.added += 1,
            FileOutcome::Indexed(UpsertOutcome::Updated) => self.updated += 1,
            FileOutcome::Indexed(UpsertOutcome::Unchanged) | FileOutcome::Unchanged => {
                self.unchanged += 1
            }
            FileOutcome::Indexed(UpsertOutcome::Duplicate { of }) => {
                self.duplicates.push((path.to_path_buf(), of.clone()))
            }
            FileOutcome::Skipped(e) => self.skipped.push((path.to_path_buf(), e.to_string())),
        }
    }
}

const EMBEDDED_CONFIG: &str = include_str!("../../../config/ingest.toml");

#[derive(serde::Deserialize)]
struct ConfigFile {
    time_limit_secs: u64,
    commit_every: usize,
    mirror_top_level_domains: Vec<String>,
    ignore_file_names: Vec<String>,
}

/// Settings of a run (`config/ingest.toml`).
#[derive(Debug, Clone)]
pub struct IngestOptions {
    /// Longest time extraction of one file may take.
    pub time_limit: Duration,
    /// Commit after this many indexed documents (and at the end).
    pub commit_every: usize,
    /// Top-level domains of folder names taken for mirrored hosts.
    pub mirror_tlds: Vec<String>,
    /// File names that are never ingested (robots.txt).
    pub ignore_file_names: Vec<String>,
}

impl IngestOptions {
    /// Loads `ingest.toml` (override directory first, else the embedded default).
    pub fn load() -> Result<Self, plansok_model::ConfigError> {
        let f: ConfigFile = plansok_model::load_toml("ingest.toml", EMBEDDED_CONFIG)?;
        Ok(IngestOptions {
            time_limit: Duration::from_secs(f.time_limit_secs.max(1)),
            commit_every: f.commit_every.max(1),
            mirror_tlds: f.mirror_top_level_domains,
            ignore_file_names: f.ignore_file_names,
        })
    }
}

/// The loaded stages and the open index.
pub struct Pipeline {
    extract_cfg: Arc<ExtractConfig>,
    classifier: Arc<Classifier>,
    store: Indexer,
    opts: IngestOptions,
    since_commit: usize,
}

/// One source as bytes with what is known about it.
pub struct Input {
    pub bytes: Vec<u8>,
    pub format: Format,
    pub path: Option<String>,
    pub meta: SourceMeta,
    pub hints: Hints,
    /// The extraction of `bytes` when the caller made it already (the crawler extracts an HTML
    /// page to judge its relevance and read its links): then it is not extracted again.
    pub extracted: Option<Extracted>,
}

impl Pipeline {
    pub fn new(
        extract_cfg: ExtractConfig,
        classifier: Classifier,
        store: Indexer,
        opts: IngestOptions,
    ) -> Self {
        Pipeline {
            extract_cfg: Arc::new(extract_cfg),
            classifier: Arc::new(classifier),
            store,
            opts,
            since_commit: 0,
        }
    }

    pub fn store(&self) -> &Indexer {
        &self.store
    }

    pub fn classifier(&self) -> &Classifier {
        &self.classifier
    }

    /// Ingests files and folders (recursively), calling `progress` after each file, and
    /// commits at the end.
    pub fn ingest_paths(
        &mut self,
        paths: &[PathBuf],
        mut progress: impl FnMut(&Path, &FileOutcome),
    ) -> Result<IngestReport, IngestError> {
        let mut report = IngestReport::default();
        let (files, missing) = collect_files(paths, &self.opts.ignore_file_names);
        for (path, why) in missing {
            report.skipped.push((path, why));
        }
        for path in files {
            let outcome = match self.ingest_file(&path) {
                Ok(o) => o,
                Err(IngestError::Index(e)) => return Err(IngestError::Index(e)),
                Err(e) => FileOutcome::Skipped(e),
            };
            report.record(&path, &outcome);
            progress(&path, &outcome);
        }
        self.finish_run()?;
        Ok(report)
    }

    /// Ingests one file.
    pub fn ingest_file(&mut self, path: &Path) -> Result<FileOutcome, IngestError> {
        let format = path
            .extension()
            .and_then(|e| e.to_str())
            .and_then(Format::from_extension)
            .ok_or(IngestError::Unsupported)?;
        let limit = self.extract_cfg.limits.max_file_mb * 1024 * 1024;
        let size = std::fs::metadata(path)?.len();
        if size > limit {
            return Err(ExtractError::TooLarge {
                size_mb: size >> 20,
                limit_mb: self.extract_cfg.limits.max_file_mb,
            }
            .into());
        }
        let mut meta = read_meta(path)?;
        let canonical_path = std::fs::canonicalize(path)?;
        if meta.url.is_none() {
            meta.url = mirror_url(&canonical_path, &self.opts.mirror_tlds);
        }
        let canonical = canonical_path.to_string_lossy().into_owned();
        let input = Input {
            bytes: std::fs::read(path)?,
            format,
            path: Some(canonical),
            meta,
            hints: Hints::default(),
            extracted: None,
        };
        self.ingest(input)
    }

    /// Ingests one source given as bytes (files, or the crawler's fetches).
    pub fn ingest(&mut self, input: Input) -> Result<FileOutcome, IngestError> {
        let hash = blake3::hash(&input.bytes).to_hex().to_string();
        let id = document_id(input.meta.url.as_deref(), input.path.as_deref());
        if self.store.is_unchanged(&id, &hash)? {
            return Ok(FileOutcome::Unchanged);
        }
        let doc = self.extract_and_classify(input, hash)?;
        let outcome = self.store.upsert(&doc)?;
        if matches!(outcome, UpsertOutcome::Added | UpsertOutcome::Updated) {
            self.since_commit += 1;
            if self.since_commit >= self.opts.commit_every {
                self.commit()?;
            }
        }
        Ok(FileOutcome::Indexed(outcome))
    }

    /// Runs extraction and classification on a worker thread, bounded by the time limit.
    fn extract_and_classify(&self, input: Input, hash: String) -> Result<Document, IngestError> {
        let (tx, rx) = mpsc::channel();
        let cfg = Arc::clone(&self.extract_cfg);
        let classifier = Arc::clone(&self.classifier);
        std::thread::Builder::new()
            .name("plansok-extract".into())
            .spawn(move || {
                let extracted = match input.extracted {
                    Some(ex) => Ok(ex),
                    None => {
                        plansok_extract::extract(&cfg, &input.bytes, input.format, &input.hints)
                    }
                };
                let result = extracted.map(|ex| {
                    let src = Source {
                        extracted: &ex,
                        format: input.format,
                        path: input.path.as_deref(),
                        meta: &input.meta,
                        content_hash: &hash,
                    };
                    classifier.classify(&src)
                });
                let _ = tx.send(result);
            })?;
        match rx.recv_timeout(self.opts.time_limit) {
            Ok(result) => Ok(result?),
            Err(mpsc::RecvTimeoutError::Timeout) => {
                Err(IngestError::Timeout(self.opts.time_limit.as_secs()))
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => Err(IngestError::Crashed),
        }
    }

    /// Removes the document fetched from `url` (a page that is gone).
    pub fn delete_url(&mut self, url: &str) -> Result<(), IngestError> {
        self.store.delete(&document_id(Some(url), None))?;
        Ok(())
    }

    /// Ends a run: commits, and merges the index's segments if a large run left too many
    /// ([`Indexer::merge_if_fragmented`]).
    pub fn finish_run(&mut self) -> Result<(), IngestError> {
        self.since_commit = 0;
        if self.store.merge_if_fragmented()? {
            tracing::info!("merged the index into one segment");
        }
        Ok(())
    }

    /// Commits what was indexed so far.
    pub fn commit(&mut self) -> Result<(), IngestError> {
        self.store.commit()?;
        self.since_commit = 0;
        Ok(())
    }
}

/// The URL of a file in a mirror folder (`…/www.host.se/a/b.html` → `https://www.host.se/a/b.html`).
pub fn mirror_url(path: &Path, tlds: &[String]) -> Option<String> {
    let parts: Vec<String> = path
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let last = parts.len().checked_sub(1)?;
    let host_at = parts[..last]
        .iter()
        .rposition(|p| looks_like_host(p, tlds))?;
    Some(format!("https://{}", parts[host_at..].join("/")))
}

fn looks_like_host(name: &str, tlds: &[String]) -> bool {
    let Some((rest, tld)) = name.rsplit_once('.') else {
        return false;
    };
    !rest.is_empty()
        && tlds.iter().any(|t| t == tld)
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-')
        && !name.starts_with(['.', '-'])
}

/// `PATH.meta.json` beside a file, if present.
fn read_meta(path: &Path) -> Result<SourceMeta, IngestError> {
    let mut name = path.as_os_str().to_owned();
    name.push(".meta.json");
    let meta_path = PathBuf::from(name);
    if !meta_path.is_file() {
        return Ok(SourceMeta::default());
    }
    let text = std::fs::read_to_string(&meta_path)?;
    serde_json::from_str(&text).map_err(|e| IngestError::Meta {
        path: meta_path,
        message: e.to_string(),
    })
}

/// The supported files under `paths` (sorted), and the paths that do not exist.
pub fn collect_files(
    paths: &[PathBuf],
    ignore: &[String],
) -> (Vec<PathBuf>, Vec<(PathBuf, String)>) {
    let mut files = Vec::new();
    let mut missing = Vec::new();
    for p in paths {
        if p.is_file() {
            files.push(p.clone());
            continue;
        }
        if !p.is_dir() {
            missing.push((p.clone(), "no such file or folder".to_string()));
            continue;
        }
        let walker = walkdir::WalkDir::new(p)
            .follow_links(false)
            .sort_by_file_name()
            .into_iter();
        for entry in walker
            .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'))
        {
            match entry {
                Ok(e)
                    if e.file_type().is_file()
                        && is_supported(e.path())
                        && !is_ignored(e.path(), ignore) =>
                {
                    files.push(e.into_path())
                }
                Ok(_) => {}
                Err(e) => missing.push((
                    e.path().map(Path::to_path_buf).unwrap_or_default(),
                    e.to_string(),
                )),
            }
        }
    }
    (files, missing)
}

fn is_ignored(path: &Path, ignore: &[String]) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    ignore.contains(&name)
}

fn is_supported(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .and_then(Format::from_extension)
        .is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mirror_paths_give_urls() {
        let tlds = IngestOptions::load().unwrap().mirror_tlds;
        let p = Path::new("/repo/corpus/sample/www.lansstyrelsen.se/jamtland/a/plan.pdf");
        assert_eq!(
            mirror_url(p, &tlds).as_deref(),
            Some("https://www.lansstyrelsen.se/jamtland/a/plan.pdf")
        );
        assert_eq!(mirror_url(Path::new("/home/me/docs/plan.pdf"), &tlds), None);
        assert_eq!(mirror_url(Path::new("/home/me/plan.se"), &tlds), None);
    }

    #[test]
    fn site_furniture_is_not_collected() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["robots.txt", "plan.pdf", "page.html", "notes.md", "a.txt"] {
            std::fs::write(dir.path().join(name), "x").unwrap();
        }
        let ignore = IngestOptions::load().unwrap().ignore_file_names;
        let (files, missing) = collect_files(
            &[dir.path().to_path_buf(), PathBuf::from("/no/such")],
            &ignore,
        );
        let names: Vec<String> = files
            .iter()
            .map(|f| f.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["a.txt", "page.html", "plan.pdf"]);
        assert_eq!(missing.len(), 1);
    }
}
