//! The crawl's link to the pipeline: a thread that owns the ingest [`Pipeline`], indexes
//! fetched documents, removes gone ones, commits, and then notes in the catalog which content
//! is committed (so a crawl killed before a commit re-indexes that content next time).

use std::path::PathBuf;
use std::sync::mpsc;
use std::thread::JoinHandle;

use plansok_ingest::{FileOutcome, Input, Pipeline};

use crate::catalog::Catalog;

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
    handle: Option<JoinHandle<Result<IngestTally, String>>>,
}

impl IngestWorker {
    pub fn spawn(mut pipeline: Pipeline, store_dir: PathBuf) -> std::io::Result<Self> {
        let (tx, rx) = mpsc::channel::<Job>();
        let handle = std::thread::Builder::new()
            .name("plansok-ingest".into())
            .spawn(move || {
                let mut catalog = Catalog::open(&store_dir).map_err(|e| e.to_string())?;
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
                                Err(plansok_ingest::IngestError::Index(e)) => {
                                    return Err(e.to_string())
                                }
                                Err(e) => tally.failed.push((url.clone(), e.to_string())),
                            }
                            uncommitted.push((url, hash));
                        }
                        Job::Delete { url } => {
                            pipeline.delete_url(&url).map_err(|e| e.to_string())?;
                            tally.deleted += 1;
                        }
                    }
                    if uncommitted.len() >= COMMIT_EVERY {
                        commit(&mut pipeline, &mut catalog, &mut uncommitted)?;
                    }
                }
                commit(&mut pipeline, &mut catalog, &mut uncommitted)?;
                pipeline.finish_run().map_err(|e| e.to_string())?;
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
    pub fn finish(mut self) -> Result<IngestTally, String> {
        self.tx.take();
        match self.handle.take().map(JoinHandle::join) {
            Some(Ok(r)) => r,
            _ => Err("the ingest thread stopped unexpectedly".into()),
        }
    }
}

fn commit(
    pipeline: &mut Pipeline,
    catalog: &mut Catalog,
    uncommitted: &mut Vec<(String, String)>,
) -> Result<(), String> {
    pipeline.commit().map_err(|e| e.to_string())?;
    catalog
        .mark_indexed(uncommitted)
        .map_err(|e| e.to_string())?;
    uncommitted.clear();
    Ok(())
}
