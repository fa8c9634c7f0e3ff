//! The write side of the index ([`Indexer`]): opening (or creating) the index for writing,
//! upserting documents, detecting duplicates, deleting, committing atomically and merging.
//!
//! A document and its passages are replaced as a unit: every entry carries the document id,
//! and an upsert deletes that id's entries before adding the new ones. Nothing is visible
//! until [`Indexer::commit`]; tantivy's commit is atomic, so a process killed at any
//! moment leaves the index at its last commit. Only `ingest` (and the crawl through it) holds an
//! `Indexer`; it reads as its [`SearchIndex`] does.

mod entries;

use std::collections::HashMap;
use std::path::Path;

use tantivy::indexer::{NoMergePolicy, UserOperation};
use tantivy::{IndexWriter, Term};

use crate::searcher::SearchIndex;
use crate::{IndexError, SearchConfig};
use entries::entries;
use plansok_model::Document;

/// What an upsert did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UpsertOutcome {
    Added,
    Updated,
    /// The same id with the same content is already indexed.
    Unchanged,
    /// The same content is already indexed under another id.
    Duplicate {
        of: String,
    },
}

/// The index opened for writing, with the [`SearchIndex`] it reads through.
pub struct Indexer {
    read: SearchIndex,
    writer: Option<IndexWriter>,
    /// Content hash → id of documents added since the last commit.
    pending: HashMap<String, String>,
}

impl std::ops::Deref for Indexer {
    type Target = SearchIndex;

    /// An indexer reads as its index does: ingest checks hashes, tests search what they wrote.
    fn deref(&self) -> &SearchIndex {
        &self.read
    }
}

impl Indexer {
    /// Opens the index in `dir` for writing, creating it when absent.
    pub fn open(dir: &Path, cfg: SearchConfig) -> Result<Self, IndexError> {
        Ok(Indexer {
            read: SearchIndex::open_or_create(dir, cfg)?,
            writer: None,
            pending: HashMap::new(),
        })
    }

    /// The read side, as a searcher holds it.
    pub fn search_index(&self) -> &SearchIndex {
        &self.read
    }

    fn writer(&mut self) -> Result<&mut IndexWriter, IndexError> {
        if self.writer.is_none() {
            let heap = self.read.config().index.writer_heap_mb.max(16) * 1024 * 1024;
            let w = self.read.index().writer(heap).map_err(|e| match e {
                tantivy::TantivyError::LockFailure(..) => IndexError::Open(format!(
                    "the index in {} is being written by another process",
                    self.read.dir().display()
                )),
                e => IndexError::Tantivy(e),
            })?;
            if self.read.config().index.merge_above_segments > 0 {
                // The run's end merges its segments once ([`Self::merge_if_fragmented`]):
                // merges in the background meanwhile would only be rewritten by it, and take
                // a core from the indexing threads.
                w.set_merge_policy(Box::new(NoMergePolicy));
            }
            self.writer = Some(w);
        }
        self.writer
            .as_mut()
            .ok_or_else(|| IndexError::Open("no writer".into()))
    }

    /// Adds or replaces a document and its passages (visible after [`commit`](Self::commit)).
    pub fn upsert(&mut self, d: &Document) -> Result<UpsertOutcome, IndexError> {
        let existing = self.read.committed_hash(&d.id)?;
        if existing.as_deref() == Some(d.content_hash.as_str()) {
            return Ok(UpsertOutcome::Unchanged);
        }
        let dup = match self.pending.get(&d.content_hash) {
            Some(id) => Some(id.clone()),
            None => self.read.committed_id_with_hash(&d.content_hash)?,
        };
        if let Some(of) = dup.filter(|of| *of != d.id) {
            return Ok(UpsertOutcome::Duplicate { of });
        }
        let f = *self.read.fields();
        let first_seen = match existing {
            Some(_) => self.read.committed_first_seen(&d.id)?,
            None => None,
        }
        .unwrap_or_else(now_rfc3339);
        let entries = entries(&f, d, self.read.analysis().compounds.enabled, &first_seen);
        let w = self.writer()?;
        // One batch: the old version's removal and the new entries, all of which go to one
        // segment in their order (tantivy's writer threads would otherwise share a document's
        // passages between their segments, and passages of equal score would come in the order
        // of segments an ingest happened to make rather than their own).
        let ops: Vec<UserOperation> = std::iter::once(UserOperation::Delete(
            Term::from_field_text(f.doc_id, &d.id),
        ))
        .chain(entries.into_iter().map(UserOperation::Add))
        .collect();
        if let Err(e) = w.run(ops) {
            return Err(write_error(self.read.dir(), e));
        }
        self.pending.insert(d.content_hash.clone(), d.id.clone());
        Ok(if existing.is_some() {
            UpsertOutcome::Updated
        } else {
            UpsertOutcome::Added
        })
    }

    /// Removes a document and its passages.
    pub fn delete(&mut self, id: &str) -> Result<(), IndexError> {
        let field = self.read.fields().doc_id;
        self.writer()?.delete_term(Term::from_field_text(field, id));
        Ok(())
    }

    /// Makes everything since the last commit durable and visible, atomically.
    pub fn commit(&mut self) -> Result<(), IndexError> {
        if let Some(w) = self.writer.as_mut() {
            if let Err(e) = w.commit() {
                // A failed writer cannot be used again; the next write opens a new one.
                self.writer = None;
                return Err(write_error(self.read.dir(), e));
            }
            self.read.reader().reload()?;
        }
        self.pending.clear();
        Ok(())
    }

    /// Merges all committed segments into one (after a large ingest: fewer segments, less work
    /// per search) and waits for it.
    pub fn merge_segments(&mut self) -> Result<(), IndexError> {
        let ids = self.read.index().searchable_segment_ids()?;
        if ids.len() < 2 {
            return Ok(());
        }
        let dir = self.read.dir().to_path_buf();
        let w = self.writer()?;
        if let Err(e) = w.merge(&ids).wait() {
            self.writer = None;
            return Err(write_error(&dir, e));
        }
        self.read.reader().reload()?;
        Ok(())
    }

    /// Commits, then merges every segment into one if the index has more than
    /// `[index] merge_above_segments` of them (0: never), after the writer's own background
    /// merges have ended (a segment being merged cannot be merged again). Meant for the end of
    /// an ingest or crawl run: each segment costs every search a pass of its own (term lookups,
    /// scorers, facet table), so a large run's many segments make searches slower. Returns
    /// whether it merged.
    pub fn merge_if_fragmented(&mut self) -> Result<bool, IndexError> {
        self.commit()?;
        let limit = self.read.config().index.merge_above_segments;
        if limit == 0 {
            return Ok(false);
        }
        if let Some(w) = self.writer.take() {
            w.wait_merging_threads()
                .map_err(|e| write_error(self.read.dir(), e))?;
            self.read.reader().reload()?;
        }
        if self.num_segments()? <= limit {
            return Ok(false);
        }
        self.merge_segments()?;
        Ok(true)
    }
}

/// Below this much free space, a failed write is reported as a full disk.
const LOW_SPACE_BYTES: u64 = 64 * 1024 * 1024;

/// A write error, told as a full disk when the index's disk has (almost) no space left:
/// tantivy reports an I/O error of its writer threads only as "an index writer was killed".
/// The time now, as RFC 3339 in UTC to the second.
fn now_rfc3339() -> String {
    let now = time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .unwrap_or_else(|_| time::OffsetDateTime::now_utc());
    now.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

fn write_error(dir: &Path, e: tantivy::TantivyError) -> IndexError {
    match fs4::available_space(dir) {
        Ok(free) if free < LOW_SPACE_BYTES => IndexError::DiskFull {
            path: dir.to_path_buf(),
            free_kb: free / 1024,
            source: e,
        },
        _ => IndexError::Tantivy(e),
    }
}

#[cfg(test)]
mod tests;
