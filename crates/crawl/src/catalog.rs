//! The corpus store: raw bytes content-addressed on disk, and a SQLite catalog.
//!
//! Blobs live at `store/blobs/<2 hex>/<hash>`, written to a temporary file and renamed, so a
//! blob either exists whole or not at all. The catalog (WAL mode, each step one transaction)
//! records every URL with its source, final URL, status, content type, ETag, Last-Modified,
//! content hash, fetch times and whether it is gone, the links between pages, the crawl
//! frontier (so a killed crawl resumes) and the hash last committed to the index (so a page
//! fetched but not yet indexed when the crawl died is indexed on the next run).
//!
//! Recording a response does not finish its frontier entry: the crawler marks it done
//! ([`Catalog::mark_done`]) only once the page is wholly handled, its links queued. A crawl
//! killed in between fetches the page again on resume (a 304 then queues its links from the
//! stored copy), so no page's links are lost.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

use crate::CrawlError;

const SCHEMA: &str = "
PRAGMA journal_mode = WAL;
PRAGMA synchronous = NORMAL;
CREATE TABLE IF NOT EXISTS pages (
    url TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    final_url TEXT,
    status INTEGER,
    content_type TEXT,
    etag TEXT,
    last_modified TEXT,
    hash TEXT,
    indexed_hash TEXT,
    first_fetched INTEGER,
    last_fetched INTEGER,
    last_changed INTEGER,
    gone INTEGER NOT NULL DEFAULT 0,
    error TEXT
);
CREATE TABLE IF NOT EXISTS links (
    from_url TEXT NOT NULL,
    to_url TEXT NOT NULL,
    PRIMARY KEY (from_url, to_url)
);
CREATE TABLE IF NOT EXISTS frontier (
    url TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    depth INTEGER NOT NULL,
    done INTEGER NOT NULL DEFAULT 0
);
";

/// What the catalog knows of a URL from earlier fetches.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PageRecord {
    pub url: String,
    pub source: String,
    pub status: Option<u16>,
    pub content_type: Option<String>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub hash: Option<String>,
    pub indexed_hash: Option<String>,
    pub gone: bool,
    /// Why the last fetch failed (None after a success).
    pub error: Option<String>,
}

/// A fetched response to record.
#[derive(Debug, Clone, Default)]
pub struct Fetched {
    pub url: String,
    pub source: String,
    pub final_url: String,
    pub status: u16,
    pub content_type: Option<String>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub hash: Option<String>,
}

/// A frontier entry left by a run that did not finish.
#[derive(Debug, Clone, PartialEq)]
pub struct Pending {
    pub url: String,
    pub source: String,
    pub depth: u32,
}

pub struct Catalog {
    conn: Connection,
    blobs: PathBuf,
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

impl Catalog {
    /// Opens (or creates) the store under `dir`.
    pub fn open(dir: &Path) -> Result<Self, CrawlError> {
        let blobs = dir.join("blobs");
        std::fs::create_dir_all(&blobs).map_err(CrawlError::store(&blobs))?;
        let conn = Connection::open(dir.join("catalog.sqlite"))?;
        conn.busy_timeout(std::time::Duration::from_secs(30))?;
        conn.execute_batch(SCHEMA)?;
        Ok(Catalog { conn, blobs })
    }

    fn blob_path(&self, hash: &str) -> PathBuf {
        self.blobs.join(&hash[..2.min(hash.len())]).join(hash)
    }

    /// Stores bytes under their blake3 hash (atomically) and returns the hash.
    pub fn put_blob(&self, bytes: &[u8]) -> Result<String, CrawlError> {
        let hash = blake3::hash(bytes).to_hex().to_string();
        let path = self.blob_path(&hash);
        if path.exists() {
            return Ok(hash);
        }
        let dir = path.parent().unwrap_or(&self.blobs);
        std::fs::create_dir_all(dir).map_err(CrawlError::store(dir))?;
        let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(CrawlError::store(dir))?;
        std::io::Write::write_all(&mut tmp, bytes).map_err(CrawlError::store(tmp.path()))?;
        tmp.as_file().sync_all().map_err(CrawlError::store(&path))?;
        tmp.persist(&path)
            .map_err(|e| CrawlError::store(&path)(e.error))?;
        Ok(hash)
    }

    pub fn get_blob(&self, hash: &str) -> Result<Vec<u8>, CrawlError> {
        let path = self.blob_path(hash);
        std::fs::read(&path).map_err(CrawlError::store(&path))
    }

    pub fn page(&self, url: &str) -> Result<Option<PageRecord>, CrawlError> {
        let row = self
            .conn
            .query_row(
                "SELECT url, source, status, content_type, etag, last_modified, hash, indexed_hash, gone, error FROM pages WHERE url = ?1",
                params![url],
                |r| {
                    Ok(PageRecord {
                        url: r.get(0)?,
                        source: r.get(1)?,
                        status: r.get::<_, Option<i64>>(2)?.map(|s| s as u16),
                        content_type: r.get(3)?,
                        etag: r.get(4)?,
                        last_modified: r.get(5)?,
                        hash: r.get(6)?,
                        indexed_hash: r.get(7)?,
                        gone: r.get::<_, i64>(8)? != 0,
                        error: r.get(9)?,
                    })
                },
            )
            .optional()?;
        Ok(row)
    }

    /// Records a response with content (200); its frontier entry stays undone.
    pub fn record_fetch(&mut self, f: &Fetched) -> Result<(), CrawlError> {
        let t = now();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let old_hash: Option<String> = tx
            .query_row(
                "SELECT hash FROM pages WHERE url = ?1",
                params![f.url],
                |r| r.get(0),
            )
            .optional()?
            .flatten();
        let changed = old_hash != f.hash;
        tx.execute(
            "INSERT INTO pages (url, source, final_url, status, content_type, etag, last_modified, hash, first_fetched, last_fetched, last_changed, gone, error)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, ?9, 0, NULL)
             ON CONFLICT(url) DO UPDATE SET source = ?2, final_url = ?3, status = ?4, content_type = ?5, etag = ?6,
               last_modified = ?7, hash = ?8, last_fetched = ?9, gone = 0, error = NULL,
               last_changed = CASE WHEN ?10 THEN ?9 ELSE last_changed END",
            params![f.url, f.source, f.final_url, f.status, f.content_type, f.etag, f.last_modified, f.hash, t, changed],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Records a 304: the page is unchanged. Its frontier entry stays undone.
    pub fn record_unchanged(&mut self, url: &str) -> Result<(), CrawlError> {
        self.conn.execute(
            "UPDATE pages SET last_fetched = ?2, status = 304, error = NULL WHERE url = ?1",
            params![url, now()],
        )?;
        Ok(())
    }

    /// Records a page that is gone (404/410) or failed; `gone` pages are removed from search.
    /// Its frontier entry stays undone.
    pub fn record_failure(
        &mut self,
        url: &str,
        source: &str,
        status: Option<u16>,
        gone: bool,
        error: &str,
    ) -> Result<(), CrawlError> {
        self.conn.execute(
            "INSERT INTO pages (url, source, status, last_fetched, gone, error) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT(url) DO UPDATE SET status = ?3, last_fetched = ?4, gone = ?5, error = ?6",
            params![url, source, status, now(), gone as i64, error],
        )?;
        Ok(())
    }

    pub fn add_links(&mut self, from: &str, to: &[String]) -> Result<(), CrawlError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        for t in to {
            tx.execute(
                "INSERT OR IGNORE INTO links (from_url, to_url) VALUES (?1, ?2)",
                params![from, t],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Adds a URL to the frontier (ignored when already there).
    pub fn enqueue(&mut self, url: &str, source: &str, depth: u32) -> Result<(), CrawlError> {
        self.conn.execute(
            "INSERT OR IGNORE INTO frontier (url, source, depth, done) VALUES (?1, ?2, ?3, 0)",
            params![url, source, depth],
        )?;
        Ok(())
    }

    /// Marks `url`'s frontier entry done: it is wholly handled (recorded, its links queued)
    /// and a resumed run does not fetch it again.
    pub fn mark_done(&mut self, url: &str) -> Result<(), CrawlError> {
        self.conn
            .execute("UPDATE frontier SET done = 1 WHERE url = ?1", params![url])?;
        Ok(())
    }

    /// Entries an interrupted run left undone.
    pub fn pending(&self) -> Result<Vec<Pending>, CrawlError> {
        let mut st = self.conn.prepare(
            "SELECT url, source, depth FROM frontier WHERE done = 0 ORDER BY depth, url",
        )?;
        let rows = st.query_map([], |r| {
            Ok(Pending {
                url: r.get(0)?,
                source: r.get(1)?,
                depth: r.get::<_, i64>(2)? as u32,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// URLs already handled in the current (possibly resumed) run.
    pub fn done_urls(&self) -> Result<Vec<String>, CrawlError> {
        let mut st = self
            .conn
            .prepare("SELECT url FROM frontier WHERE done = 1")?;
        let rows = st.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Ends a run: the frontier is cleared.
    pub fn finish_run(&mut self) -> Result<(), CrawlError> {
        self.conn.execute("DELETE FROM frontier", [])?;
        Ok(())
    }

    /// Pages whose current content is not (yet) in the index.
    pub fn unindexed(&self) -> Result<Vec<PageRecord>, CrawlError> {
        let mut st = self.conn.prepare(
            "SELECT url FROM pages WHERE gone = 0 AND hash IS NOT NULL AND (indexed_hash IS NULL OR indexed_hash != hash)",
        )?;
        let urls: Vec<String> = st.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
        let mut out = Vec::new();
        for u in urls {
            if let Some(p) = self.page(&u)? {
                out.push(p);
            }
        }
        Ok(out)
    }

    /// Notes that `hash` of `url` is committed to the index.
    pub fn mark_indexed(&mut self, items: &[(String, String)]) -> Result<(), CrawlError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        for (url, hash) in items {
            tx.execute(
                "UPDATE pages SET indexed_hash = ?2 WHERE url = ?1",
                params![url, hash],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Counts of pages by state: (total, gone, with errors).
    pub fn counts(&self) -> Result<(u64, u64, u64), CrawlError> {
        Ok(self.conn.query_row(
            "SELECT COUNT(*), SUM(gone), SUM(CASE WHEN error IS NOT NULL AND gone = 0 THEN 1 ELSE 0 END) FROM pages",
            [],
            |r| Ok((r.get::<_, i64>(0)? as u64, r.get::<_, Option<i64>>(1)?.unwrap_or(0) as u64, r.get::<_, Option<i64>>(2)?.unwrap_or(0) as u64)),
        )?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fetched(url: &str) -> Fetched {
        Fetched {
            url: url.into(),
            source: "s".into(),
            final_url: url.into(),
            status: 200,
            hash: Some("ab".into()),
            ..Fetched::default()
        }
    }

    const URLS: [&str; 3] = [
        "http://a.test/new",
        "http://a.test/same",
        "http://a.test/gone",
    ];

    #[test]
    fn a_recorded_page_stays_pending_until_it_is_marked_done() {
        let dir = tempfile::tempdir().unwrap();
        let mut c = Catalog::open(dir.path()).unwrap();
        for url in URLS {
            c.enqueue(url, "s", 1).unwrap();
        }
        c.record_fetch(&fetched("http://a.test/new")).unwrap();
        c.record_fetch(&fetched("http://a.test/same")).unwrap();
        c.record_unchanged("http://a.test/same").unwrap();
        c.record_failure("http://a.test/gone", "s", Some(404), true, "HTTP 404")
            .unwrap();
        // Killed here (links not queued yet): every page is fetched again on resume.
        assert_eq!(c.pending().unwrap().len(), 3);
        assert!(c.done_urls().unwrap().is_empty());
        for url in URLS {
            c.mark_done(url).unwrap();
        }
        assert!(c.pending().unwrap().is_empty());
        assert_eq!(c.done_urls().unwrap().len(), 3);
    }
}
