//! The crawl's link to the pipeline: a thread that owns the ingest [`Pipeline`], indexes
//! fetched documents, removes gone ones, commits, and then notes in the catalog which content
//! is committed (so a crawl killed before a commit re-indexes that content next time).

use std::path::PathBuf;
use std::sync::mpsc;
use std::thread::JoinHandle;

use plansok_ingest::{FileOutcome, Input, Pipeline};

use crate::catalog::Catalog;
use crate::CrawlError;

/// Commit after this many indexed documents.
const COMMIT_EVERY: usize = 50;

pub enum Job {
    Ingest {
        url: String,
        hash: String,
        input: Box<Input>,
    },
    Delete {
        url: String,
    },
}

/// What the worker did.
#[derive(Debug, Default, Clone)]
pub struct IngestTally {
    pub indexed: usize,
    pub unchanged: usize,
    pub deleted: usize,
    pub failed: Vec<(String, String)>,
}

pub struct IngestWorker {
    tx: Option<mpsc::Sender<Job>>,
    handle: Option<JoinHandle<Result<IngestTally, CrawlError>>>,
}

impl IngestWorker {
    pub fn spawn(mut pipeline: Pipeline, store_dir: PathBuf) -> std::io::Result<Self> {
        let (tx, rx) = mpsc::channel::<Job>();
        let handle = std::thread::Builder::new()
            .name("plansok-ingest".into())
            .spawn(move || {
                let mut catalog = Catalog::open(&store_dir)?;
                let mut tally = IngestTally::default();
                let mut uncommitted: Vec<(String, String)> = Vec::new();
                for job in rx {
                    match job {
                        Job::Ingest { url, hash, input } => {
                            match pipeline.ingest(*input) {
                                Ok(FileOutcome::Indexed(_)) => tally.indexed += 1,
                                Ok(FileOutcome::Unchanged) => tally.unchanged += 1,
                                Ok(FileOutcome::Skipped(e)) => {
                                    tally.failed.push((url.clone(), e.to_string()))
                                }
                                Err(e @ plansok_ingest::IngestError::Index(_)) => {
                                    return Err(e.into())
                                }
                                Err(e) => tally.failed.push((url.clone(), e.to_string())),
                            }
                            uncommitted.push((url, hash));
                        }
                        Job::Delete { url } => {
                            pipeline.delete_url(&url)?;
                            tally.deleted += 1;
                        }
                    }
                    if uncommitted.len() >= COMMIT_EVERY {
                        commit(&mut pipeline, &mut catalog, &mut uncommitted)?;
                    }
                }
                commit(&mut pipeline, &mut catalog, &mut uncommitted)?;
                pipeline.finish_run()?;
                Ok(tally)
            })?;
        Ok(IngestWorker {
            tx: Some(tx),
            handle: Some(handle),
        })
    }

    pub fn send(&self, job: Job) {
        if let Some(tx) = &self.tx {
            let _ = tx.send(job);
        }
    }

    /// Commits the rest and returns the tally.
    pub fn finish(mut self) -> Result<IngestTally, CrawlError> {
        self.tx.take();
        match self.handle.take().map(JoinHandle::join) {
            Some(Ok(r)) => r,
            _ => Err(CrawlError::IngestThread),
        }
    }
}

fn commit(
    pipeline: &mut Pipeline,
    catalog: &mut Catalog,
    uncommitted: &mut Vec<(String, String)>,
) -> Result<(), CrawlError> {
    pipeline.commit()?;
    catalog.mark_indexed(uncommitted)?;
    uncommitted.clear();
    Ok(())
}
