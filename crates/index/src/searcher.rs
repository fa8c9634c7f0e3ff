//! The read side of the index ([`SearchIndex`]): the opened tantivy index with its reader, the
//! analysis it was made with, the query parsers, the snippet analyzer, the goal vocabulary that
//! reads a query's goal areas, and the facet tables of the segments searched lately. All that
//! the server holds: it has no way to write.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use tantivy::collector::{Count, TopDocs};
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::{Index, IndexReader, ReloadPolicy, Searcher, TantivyDocument, Term};

use crate::analysis::analyzers;
use crate::analysis::compound::{Decompounder, Lexicon};
use crate::analysis::word_memo::MemoAnalyzer;
use crate::config::{Analysis, SearchConfig};
use crate::facet::table::{TableCache, Tables};
use crate::query::QueryParsers;
use crate::schema::{self, Fields, KIND_DOC};
use crate::IndexError;
use plansok_model::goals::{GoalRules, GoalScorer};

/// An opened index to search: everything a search needs, and nothing that writes.
pub struct SearchIndex {
    index: Index,
    fields: Fields,
    reader: IndexReader,
    cfg: SearchConfig,
    /// The analysis the index was created with.
    analysis: Analysis,
    decompounder: Decompounder,
    dir: PathBuf,
    /// Facet tables of the segments searched lately.
    tables: TableCache,
    parsers: QueryParsers,
    /// The analyzer of Swedish snippets.
    marker: MemoAnalyzer,
    /// The goal areas a query's words name ("förebyggande arbete i skolan").
    goals: Arc<GoalScorer>,
}

impl SearchIndex {
    /// Opens the index in `dir` for searching; an absent index is an error.
    pub fn open(dir: &Path, cfg: SearchConfig) -> Result<Self, IndexError> {
        Self::open_existing(dir, cfg, false)
    }

    /// Opens the index in `dir` for searching, as [`open`](Self::open), with the facet tables
    /// of its segments built, so that the first search does not wait for them. They are built
    /// while the compound lexicon loads on another thread (each takes tens of milliseconds at
    /// 1M passages), for a server's first answer soon after it starts.
    pub fn open_warm(dir: &Path, cfg: SearchConfig) -> Result<Self, IndexError> {
        Self::open_existing(dir, cfg, true)
    }

    /// Opens the index in `dir`, which must exist; with `warm`, see [`open_warm`](Self::open_warm).
    fn open_existing(dir: &Path, cfg: SearchConfig, warm: bool) -> Result<Self, IndexError> {
        if !dir.join("meta.json").exists() {
            return Err(IndexError::Open(format!(
                "no index in {} (run `plansok ingest` first)",
                dir.display()
            )));
        }
        Self::from_index(Index::open_in_dir(dir)?, dir, cfg, warm)
    }

    /// Opens the index in `dir`, creating it when absent (for the writer).
    pub(crate) fn open_or_create(dir: &Path, cfg: SearchConfig) -> Result<Self, IndexError> {
        std::fs::create_dir_all(dir).map_err(|source| IndexError::Dir {
            path: dir.to_path_buf(),
            source,
        })?;
        let index = if dir.join("meta.json").exists() {
            Index::open_in_dir(dir)?
        } else {
            let analysis = analysis_of(dir, &cfg)?;
            Index::builder()
                .schema(schema::build(long_text(&analysis)).0)
                .settings(schema::index_settings())
                .create_in_dir(dir)?
        };
        Self::from_index(index, dir, cfg, false)
    }

    /// The index's readers and settings; with `warm`, the facet tables of its segments built
    /// while the lexicon loads.
    fn from_index(
        index: Index,
        dir: &Path,
        cfg: SearchConfig,
        warm: bool,
    ) -> Result<Self, IndexError> {
        let fields = schema::fields_of(&index.schema()).map_err(|e| {
            IndexError::Open(format!(
                "the index in {} was made by an older plansok ({e}); delete it and ingest again",
                dir.display()
            ))
        })?;
        let reader: IndexReader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::OnCommitWithDelay)
            .try_into()?;
        let tables = TableCache::default();
        let lexicon = if warm {
            std::thread::scope(|scope| {
                let lexicon = scope.spawn(shared_lexicon);
                tables.for_searcher(&reader.searcher(), &fields)?;
                lexicon
                    .join()
                    .map_err(|_| IndexError::Open("loading the compound lexicon failed".into()))?
            })?
        } else {
            shared_lexicon()?
        };
        let analysis = analysis_of(dir, &cfg)?;
        let decompounder = Decompounder::new(lexicon, analysis.compounds.clone());
        analyzers::register(&index, &analysis, decompounder.clone());
        let marker = analyzers::mark_analyzer(&analysis, decompounder.clone());
        let parsers = QueryParsers::new(
            &index.schema(),
            &fields,
            &cfg,
            &analysis,
            decompounder.clone(),
        );
        Ok(SearchIndex {
            index,
            fields,
            reader,
            cfg,
            analysis,
            decompounder,
            dir: dir.to_path_buf(),
            tables,
            parsers,
            marker,
            goals: Arc::new(GoalScorer::new(&GoalRules::load()?)),
        })
    }

    /// The parsers of user queries on this index.
    pub fn parsers(&self) -> &QueryParsers {
        &self.parsers
    }

    /// The analyzer Swedish snippets are marked with ([`analyzers::mark_analyzer`]).
    pub(crate) fn marker(&self) -> &MemoAnalyzer {
        &self.marker
    }

    /// The goal areas the words of `query` name.
    pub(crate) fn query_goals(&self, query: &str) -> Vec<plansok_model::Goal> {
        self.goals.text_goals(query)
    }

    /// The analysis the index was created with.
    pub fn analysis(&self) -> &Analysis {
        &self.analysis
    }

    /// Splits compounds as the index does.
    pub fn decompounder(&self) -> &Decompounder {
        &self.decompounder
    }

    pub fn fields(&self) -> &Fields {
        &self.fields
    }

    pub fn index(&self) -> &Index {
        &self.index
    }

    pub fn config(&self) -> &SearchConfig {
        &self.cfg
    }

    pub fn reader(&self) -> &IndexReader {
        &self.reader
    }

    /// The folder the index lives in.
    pub(crate) fn dir(&self) -> &Path {
        &self.dir
    }

    /// The facet tables of `searcher`'s segments (built for segments new to this index).
    pub(crate) fn facet_tables(&self, searcher: &Searcher) -> Result<Tables, IndexError> {
        self.tables.for_searcher(searcher, &self.fields)
    }

    /// True when the document `id` is indexed with this content hash.
    pub fn is_unchanged(&self, id: &str, hash: &str) -> Result<bool, IndexError> {
        Ok(self.committed_hash(id)?.as_deref() == Some(hash))
    }

    /// The content hash of the committed document `id`.
    pub(crate) fn committed_hash(&self, id: &str) -> Result<Option<String>, IndexError> {
        let f = self.fields;
        let q = doc_entry_query(&f, f.doc_id, id);
        self.first_stored(&q, f.content_hash)
    }

    /// When the committed document `id` was first taken in, if its entry says.
    pub(crate) fn committed_first_seen(&self, id: &str) -> Result<Option<String>, IndexError> {
        Ok(self.document_meta(id)?.and_then(|m| m.first_seen))
    }

    /// The id of a committed document with this content hash.
    pub(crate) fn committed_id_with_hash(&self, hash: &str) -> Result<Option<String>, IndexError> {
        let f = self.fields;
        let q = doc_entry_query(&f, f.content_hash, hash);
        self.first_stored(&q, f.doc_id)
    }

    fn first_stored(&self, q: &dyn Query, field: Field) -> Result<Option<String>, IndexError> {
        let searcher = self.reader.searcher();
        let top = searcher.search(q, &TopDocs::with_limit(1).order_by_score())?;
        let Some((_, addr)) = top.first() else {
            return Ok(None);
        };
        let d: TantivyDocument = searcher.doc(*addr)?;
        Ok(d.get_first(field)
            .and_then(|v| v.as_str())
            .map(str::to_string))
    }

    /// Number of segments of the committed index.
    pub fn num_segments(&self) -> Result<usize, IndexError> {
        Ok(self.index.searchable_segment_ids()?.len())
    }

    /// Number of documents (not passages) in the committed index.
    pub fn num_documents(&self) -> Result<usize, IndexError> {
        let f = self.fields;
        let q = TermQuery::new(
            Term::from_field_text(f.kind, KIND_DOC),
            IndexRecordOption::Basic,
        );
        Ok(self.reader.searcher().search(&q, &Count)?)
    }
}

/// The query matching the document entry whose `field` is `value`.
pub(crate) fn doc_entry_query(f: &Fields, field: Field, value: &str) -> BooleanQuery {
    let term = |field, v: &str| -> Box<dyn Query> {
        Box::new(TermQuery::new(
            Term::from_field_text(field, v),
            IndexRecordOption::Basic,
        ))
    };
    BooleanQuery::new(vec![
        (Occur::Must, term(f.kind, KIND_DOC)),
        (Occur::Must, term(field, value)),
    ])
}

pub(crate) const ANALYSIS_FILE: &str = "analysis.json";

/// How a new index with `analysis` keeps its long whole-word fields: with positions where
/// phrases are matched in them, only stored where the parts fields hold every whole word.
fn long_text(analysis: &Analysis) -> schema::LongText {
    let c = &analysis.compounds;
    match (c.enabled, c.whole_words_twice) {
        (false, _) => schema::LongText::Positions,
        (true, false) => schema::LongText::Freqs,
        (true, true) => schema::LongText::Stored,
    }
}

/// The analysis of the index in `dir`: the one it was created with, else (a new index) the
/// configured one, which is then recorded.
pub(crate) fn analysis_of(dir: &Path, cfg: &SearchConfig) -> Result<Analysis, IndexError> {
    let path = dir.join(ANALYSIS_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => serde_json::from_str(&text)
            .map_err(|e| IndexError::Open(format!("{} cannot be read: {e}", path.display()))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let text = serde_json::to_string_pretty(&cfg.analysis).unwrap_or_default();
            write_whole(&path, text.as_bytes()).map_err(|source| IndexError::Dir {
                path: path.clone(),
                source,
            })?;
            Ok(cfg.analysis.clone())
        }
        Err(source) => Err(IndexError::Dir { path, source }),
    }
}

/// Writes `bytes` to `path` whole or not at all: to a file beside it, synced, then renamed over
/// it. A run stopped while writing leaves no half-written record that would keep the index
/// from opening, only its temporary file, which nothing reads.
fn write_whole(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    // Named by the process: two processes opening a new index at once write apart.
    let tmp = path.with_extension(format!("json.{}.tmp", std::process::id()));
    let mut file = std::fs::File::create(&tmp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    drop(file);
    std::fs::rename(&tmp, path)
}

/// The compound lexicon, read once per process.
fn shared_lexicon() -> Result<Arc<Lexicon>, IndexError> {
    static LEXICON: std::sync::OnceLock<Arc<Lexicon>> = std::sync::OnceLock::new();
    if let Some(l) = LEXICON.get() {
        return Ok(l.clone());
    }
    let loaded = Arc::new(Lexicon::load()?);
    Ok(LEXICON.get_or_init(|| loaded).clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_index_keeps_the_analysis_it_was_made_with() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = SearchConfig::load().unwrap();
        assert!(cfg.analysis.compounds.whole_words_twice);
        // analysis.json as indexes made before `whole_words_twice` have it: without the key.
        let mut old = serde_json::to_value(&cfg.analysis).unwrap();
        old["compounds"]
            .as_object_mut()
            .unwrap()
            .remove("whole_words_twice");
        std::fs::write(dir.path().join(ANALYSIS_FILE), old.to_string()).unwrap();
        let kept = analysis_of(dir.path(), &cfg).unwrap();
        assert!(!kept.compounds.whole_words_twice);
        assert_eq!(kept.compounds.part_boost, cfg.analysis.compounds.part_boost);
        // A new index takes the configuration's and writes it down.
        let new = tempfile::tempdir().unwrap();
        assert_eq!(analysis_of(new.path(), &cfg).unwrap(), cfg.analysis);
        assert_eq!(analysis_of(new.path(), &cfg).unwrap(), cfg.analysis);
    }

    /// A run stopped while recording a new index's analysis leaves its temporary file behind,
    /// never a half-written record: the next run records the analysis and opens the index.
    #[test]
    fn a_record_cut_short_by_a_stopped_run_does_not_keep_the_index_shut() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = SearchConfig::load().unwrap();
        let tmp = dir
            .path()
            .join(format!("{ANALYSIS_FILE}.{}.tmp", std::process::id()));
        std::fs::write(&tmp, "{\"compounds\": {\"enab").unwrap();
        assert_eq!(analysis_of(dir.path(), &cfg).unwrap(), cfg.analysis);
        assert!(!tmp.exists(), "the temporary file is renamed into place");
        let recorded = std::fs::read_to_string(dir.path().join(ANALYSIS_FILE)).unwrap();
        let read: crate::config::Analysis = serde_json::from_str(&recorded).unwrap();
        assert_eq!(read, cfg.analysis);
    }
}
