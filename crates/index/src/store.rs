//! Opening the index, upserting documents, detecting duplicates, committing atomically.
//!
//! A document and its passages are replaced as a unit: every entry carries the document id,
//! and an upsert deletes that id's entries before adding the new ones. Nothing is visible
//! until [`IndexStore::commit`]; tantivy's commit is atomic, so a process killed at any
//! moment leaves the index at its last commit.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::{Facet, IndexRecordOption, Value};
use tantivy::{
    doc, Index, IndexReader, IndexWriter, ReloadPolicy, Searcher, TantivyDocument, Term,
};

use crate::compound::{Decompounder, Lexicon};
use crate::config::Analysis;
use crate::facet_table::{TableCache, Tables};
use crate::query::QueryParsers;
use crate::schema::{self, Fields, KIND_DOC, KIND_PASSAGE};
use crate::word_memo::MemoAnalyzer;
use crate::{IndexError, SearchConfig};
use plansok_model::{DocType, Document, Goal, Passage, Period};

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

/// Document metadata stored with every entry (what a hit shows).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DocMeta {
    pub id: String,
    pub url: Option<String>,
    pub path: Option<String>,
    pub title: String,
    pub region: Option<String>,
    pub municipality: Option<String>,
    pub organisation: Option<String>,
    pub doc_type: DocType,
    pub period: Option<Period>,
    pub goals: Vec<Goal>,
    pub lang: String,
    pub published: Option<String>,
    pub pages: Option<u32>,
}

impl DocMeta {
    fn of(d: &Document) -> Self {
        DocMeta {
            id: d.id.clone(),
            url: d.url.clone(),
            path: d.path.clone(),
            title: d.title.clone(),
            region: d.region.clone(),
            municipality: d.municipality.clone(),
            organisation: d.organisation.clone(),
            doc_type: d.doc_type,
            period: d.period,
            goals: d.goals.clone(),
            lang: d.lang.clone(),
            published: d.published.clone(),
            pages: d.pages,
        }
    }
}

/// The index on disk with its reader and (when writing) its writer.
pub struct IndexStore {
    index: Index,
    fields: Fields,
    reader: IndexReader,
    writer: Option<IndexWriter>,
    cfg: SearchConfig,
    /// The analysis the index was created with.
    analysis: Analysis,
    decompounder: Decompounder,
    /// Content hash → id of documents added since the last commit.
    pending: HashMap<String, String>,
    dir: PathBuf,
    /// Facet tables of the segments searched lately.
    tables: TableCache,
    parsers: QueryParsers,
    /// The analyzer of Swedish snippets.
    marker: MemoAnalyzer,
}

impl IndexStore {
    /// Opens the index in `dir`, creating it when absent.
    pub fn open(dir: &Path, cfg: SearchConfig) -> Result<Self, IndexError> {
        std::fs::create_dir_all(dir).map_err(|source| IndexError::Dir {
            path: dir.to_path_buf(),
            source,
        })?;
        let index = if dir.join("meta.json").exists() {
            Index::open_in_dir(dir)?
        } else {
            Index::builder()
                .schema(schema::build().0)
                .settings(schema::index_settings())
                .create_in_dir(dir)?
        };
        Self::from_index(index, dir, cfg)
    }

    /// Opens an existing index for reading; an absent index is an error.
    pub fn open_existing(dir: &Path, cfg: SearchConfig) -> Result<Self, IndexError> {
        if !dir.join("meta.json").exists() {
            return Err(IndexError::Open(format!(
                "no index in {} (run `plansok ingest` first)",
                dir.display()
            )));
        }
        Self::from_index(Index::open_in_dir(dir)?, dir, cfg)
    }

    fn from_index(index: Index, dir: &Path, cfg: SearchConfig) -> Result<Self, IndexError> {
        let analysis = analysis_of(dir, &cfg)?;
        let decompounder = Decompounder::new(shared_lexicon()?, analysis.compounds.clone());
        schema::register(&index, &analysis, decompounder.clone());
        let marker = schema::mark_analyzer(&analysis, decompounder.clone());
        let fields = schema::fields_of(&index.schema()).map_err(|e| {
            IndexError::Open(format!(
                "the index in {} was made by an older plansok ({e}); delete it and ingest again",
                dir.display()
            ))
        })?;
        let parsers = QueryParsers::new(&index.schema(), &fields, &cfg, &analysis);
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::OnCommitWithDelay)
            .try_into()?;
        Ok(IndexStore {
            index,
            fields,
            reader,
            writer: None,
            cfg,
            analysis,
            decompounder,
            pending: HashMap::new(),
            dir: dir.to_path_buf(),
            tables: TableCache::default(),
            parsers,
            marker,
        })
    }

    /// The parsers of user queries on this index.
    pub(crate) fn parsers(&self) -> &QueryParsers {
        &self.parsers
    }

    /// The analyzer Swedish snippets are marked with ([`schema::mark_analyzer`]).
    pub(crate) fn marker(&self) -> &MemoAnalyzer {
        &self.marker
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

    /// The facet tables of `searcher`'s segments (built for segments new to this store).
    pub(crate) fn facet_tables(&self, searcher: &Searcher) -> Result<Tables, IndexError> {
        self.tables.for_searcher(searcher, &self.fields)
    }

    /// Prepares searching: builds the facet tables of the current segments, so that the first
    /// search does not wait for them.
    pub fn warm(&self) -> Result<(), IndexError> {
        self.facet_tables(&self.reader.searcher()).map(drop)
    }

    /// True when the document `id` is indexed with this content hash.
    pub fn is_unchanged(&self, id: &str, hash: &str) -> Result<bool, IndexError> {
        Ok(self.committed_hash(id)?.as_deref() == Some(hash))
    }

    fn committed_hash(&self, id: &str) -> Result<Option<String>, IndexError> {
        let f = self.fields;
        let q = doc_entry_query(&f, f.doc_id, id);
        self.first_stored(&q, f.content_hash)
    }

    /// The id of a committed document with this content hash.
    fn committed_id_with_hash(&self, hash: &str) -> Result<Option<String>, IndexError> {
        let f = self.fields;
        let q = doc_entry_query(&f, f.content_hash, hash);
        self.first_stored(&q, f.doc_id)
    }

    fn first_stored(
        &self,
        q: &dyn Query,
        field: tantivy::schema::Field,
    ) -> Result<Option<String>, IndexError> {
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

    fn writer(&mut self) -> Result<&mut IndexWriter, IndexError> {
        if self.writer.is_none() {
            let heap = self.cfg.index.writer_heap_mb.max(16) * 1024 * 1024;
            let w = self.index.writer(heap).map_err(|e| match e {
                tantivy::TantivyError::LockFailure(..) => IndexError::Open(format!(
                    "the index in {} is being written by another process",
                    self.dir.display()
                )),
                e => IndexError::Tantivy(e),
            })?;
            self.writer = Some(w);
        }
        self.writer
            .as_mut()
            .ok_or_else(|| IndexError::Open("no writer".into()))
    }

    /// Adds or replaces a document and its passages (visible after [`commit`](Self::commit)).
    pub fn upsert(&mut self, d: &Document) -> Result<UpsertOutcome, IndexError> {
        let existing = self.committed_hash(&d.id)?;
        if existing.as_deref() == Some(d.content_hash.as_str()) {
            return Ok(UpsertOutcome::Unchanged);
        }
        let dup = match self.pending.get(&d.content_hash) {
            Some(id) => Some(id.clone()),
            None => self.committed_id_with_hash(&d.content_hash)?,
        };
        if let Some(of) = dup.filter(|of| *of != d.id) {
            return Ok(UpsertOutcome::Duplicate { of });
        }
        let f = self.fields;
        let entries = entries(&f, d, self.analysis.compounds.enabled);
        let w = self.writer()?;
        w.delete_term(Term::from_field_text(f.doc_id, &d.id));
        for e in entries {
            if let Err(e) = w.add_document(e) {
                return Err(write_error(&self.dir, e));
            }
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
        let field = self.fields.doc_id;
        self.writer()?.delete_term(Term::from_field_text(field, id));
        Ok(())
    }

    /// Makes everything since the last commit durable and visible, atomically.
    pub fn commit(&mut self) -> Result<(), IndexError> {
        if let Some(w) = self.writer.as_mut() {
            if let Err(e) = w.commit() {
                // A failed writer cannot be used again; the next write opens a new one.
                self.writer = None;
                return Err(write_error(&self.dir, e));
            }
            self.reader.reload()?;
        }
        self.pending.clear();
        Ok(())
    }

    /// Merges all committed segments into one (after a large ingest: fewer segments, less work
    /// per search) and waits for it.
    pub fn merge_segments(&mut self) -> Result<(), IndexError> {
        let ids = self.index.searchable_segment_ids()?;
        if ids.len() < 2 {
            return Ok(());
        }
        let dir = self.dir.clone();
        let w = self.writer()?;
        if let Err(e) = w.merge(&ids).wait() {
            self.writer = None;
            return Err(write_error(&dir, e));
        }
        self.reader.reload()?;
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
        let limit = self.cfg.index.merge_above_segments;
        if limit == 0 {
            return Ok(false);
        }
        if let Some(w) = self.writer.take() {
            w.wait_merging_threads()
                .map_err(|e| write_error(&self.dir, e))?;
            self.reader.reload()?;
        }
        if self.num_segments()? <= limit {
            return Ok(false);
        }
        self.merge_segments()?;
        Ok(true)
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
        Ok(self
            .reader
            .searcher()
            .search(&q, &tantivy::collector::Count)?)
    }
}

/// Below this much free space, a failed write is reported as a full disk.
const LOW_SPACE_BYTES: u64 = 64 * 1024 * 1024;

/// A write error, told as a full disk when the index's disk has (almost) no space left:
/// tantivy reports an I/O error of its writer threads only as "an index writer was killed".
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

const ANALYSIS_FILE: &str = "analysis.json";

/// The analysis of the index in `dir`: the one it was created with, else (a new index) the
/// configured one, which is then recorded.
fn analysis_of(dir: &Path, cfg: &SearchConfig) -> Result<Analysis, IndexError> {
    let path = dir.join(ANALYSIS_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => serde_json::from_str(&text)
            .map_err(|e| IndexError::Open(format!("{} cannot be read: {e}", path.display()))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let text = serde_json::to_string_pretty(&cfg.analysis).unwrap_or_default();
            std::fs::write(&path, text).map_err(|source| IndexError::Dir {
                path: path.clone(),
                source,
            })?;
            Ok(cfg.analysis.clone())
        }
        Err(source) => Err(IndexError::Dir { path, source }),
    }
}

/// The compound lexicon, read once per process.
fn shared_lexicon() -> Result<std::sync::Arc<Lexicon>, IndexError> {
    static LEXICON: std::sync::OnceLock<std::sync::Arc<Lexicon>> = std::sync::OnceLock::new();
    if let Some(l) = LEXICON.get() {
        return Ok(l.clone());
    }
    let loaded = std::sync::Arc::new(Lexicon::load()?);
    Ok(LEXICON.get_or_init(|| loaded).clone())
}

fn doc_entry_query(f: &Fields, field: tantivy::schema::Field, value: &str) -> BooleanQuery {
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

/// The index entries of a document: the document itself and each passage.
fn entries(f: &Fields, d: &Document, parts: bool) -> Vec<TantivyDocument> {
    let meta = serde_json::to_string(&DocMeta::of(d)).unwrap_or_default();
    let english = d.lang == "en";
    let mut doc_entry = common(f, d, &meta, KIND_DOC);
    let w = Writer { f, parts };
    w.text(&mut doc_entry, english, f.title, &d.title);
    w.text(&mut doc_entry, english, f.body, &d.body);
    // Words for autocomplete: once per document (its entry), not again per passage.
    doc_entry.add_text(f.words, &d.title);
    doc_entry.add_text(f.words, &d.body);
    add_goals(f, &mut doc_entry, &d.goals);
    let mut out = vec![doc_entry];
    for (i, p) in d.passages.iter().enumerate() {
        out.push(passage_entry(&w, d, &meta, i, p, english));
    }
    out
}

fn add_goals(f: &Fields, e: &mut TantivyDocument, goals: &[Goal]) {
    for g in goals {
        e.add_facet(f.goal, Facet::from_path(["goal", g.slug()]));
    }
    e.add_u64(f.goal_bits, schema::goal_bits(goals));
}

/// Writes text to the field of its language (and, for Swedish with compounds on, to the
/// field's `*_parts` and `*_pairs` shadows).
struct Writer<'a> {
    f: &'a Fields,
    parts: bool,
}

impl Writer<'_> {
    /// `sv_field` is the Swedish field (title, body, heading or text).
    fn text(
        &self,
        e: &mut TantivyDocument,
        english: bool,
        sv_field: tantivy::schema::Field,
        t: &str,
    ) {
        let Some(tf) = self.f.text_field(sv_field) else {
            return;
        };
        if english {
            e.add_text(tf.en, t);
            return;
        }
        e.add_text(tf.sv, t);
        if self.parts {
            e.add_text(tf.parts, t);
            if let Some(pairs) = tf.pairs {
                e.add_text(pairs, t);
            }
        }
    }
}

fn passage_entry(
    w: &Writer,
    d: &Document,
    meta: &str,
    i: usize,
    p: &Passage,
    english: bool,
) -> TantivyDocument {
    let f = w.f;
    let mut e = common(f, d, meta, KIND_PASSAGE);
    // A passage is analysed in its own language when it was told apart from the document's.
    let english = if p.lang.is_empty() {
        english
    } else {
        p.lang == "en"
    };
    e.add_u64(f.passage_no, i as u64);
    if let Some(h) = &p.heading {
        w.text(&mut e, english, f.heading, h);
    }
    w.text(&mut e, english, f.text, &p.text);
    if let Some(page) = p.page {
        e.add_u64(f.page, page as u64);
    }
    for g in &p.goals {
        e.add_facet(f.goal, Facet::from_path(["goal", g.slug()]));
    }
    // The ranking's goal factor rewards the section's own goal area, not a passing mention.
    e.add_u64(f.goal_bits, schema::goal_bits(&p.section_goals));
    e
}

/// Fields shared by a document's entries: id, hash, facets, period, metadata.
fn common(f: &Fields, d: &Document, meta: &str, kind: &str) -> TantivyDocument {
    let mut e = doc!(
        f.kind => kind,
        f.doc_id => d.id.as_str(),
        f.content_hash => d.content_hash.as_str(),
        f.meta => meta,
    );
    if let Some(order) = f.entry_order {
        e.add_u64(order, u64::from(kind != KIND_DOC));
    }
    if let Some(county) = &d.region {
        let facet = match &d.municipality {
            Some(m) => Facet::from_path(["region", county.as_str(), m.as_str()]),
            None => Facet::from_path(["region", county.as_str()]),
        };
        e.add_facet(f.region, facet);
    }
    e.add_facet(f.doc_type, Facet::from_path(["type", d.doc_type.slug()]));
    e.add_u64(f.type_code, schema::type_code(d.doc_type));
    if let Some(org) = &d.organisation {
        e.add_facet(f.org, Facet::from_path(["org", org.as_str()]));
    }
    e.add_facet(f.lang, Facet::from_path(["lang", d.lang.as_str()]));
    if let Some(p) = d.period {
        e.add_u64(f.period_start, p.start as u64);
        e.add_u64(f.period_end, p.end as u64);
        for y in p.start..=p.end {
            e.add_facet(
                f.year,
                Facet::from_path(["year".to_string(), y.to_string()]),
            );
        }
    }
    e
}

/// One passage as `/api/documents/{id}` shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PassageView {
    pub heading: Option<String>,
    pub text: String,
    pub page: Option<u32>,
    pub goals: Vec<String>,
}

/// A whole document: metadata, text and passages.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DocumentView {
    #[serde(flatten)]
    pub meta: DocMeta,
    pub text: String,
    pub passages: Vec<PassageView>,
}

impl IndexStore {
    /// The document `id` with its text and passages in order, if indexed.
    pub fn document(&self, id: &str) -> Result<Option<DocumentView>, IndexError> {
        let f = self.fields;
        let searcher = self.reader.searcher();
        let top = searcher.search(
            &doc_entry_query(&f, f.doc_id, id),
            &TopDocs::with_limit(1).order_by_score(),
        )?;
        let Some((_, addr)) = top.first() else {
            return Ok(None);
        };
        let d: TantivyDocument = searcher.doc(*addr)?;
        let Some(meta) = d
            .get_first(f.meta)
            .and_then(|v| v.as_str())
            .and_then(|m| serde_json::from_str::<DocMeta>(m).ok())
        else {
            return Ok(None);
        };
        let text_of = |d: &TantivyDocument| {
            [f.body, f.body_en, f.text, f.text_en]
                .iter()
                .find_map(|fl| d.get_first(*fl).and_then(|v| v.as_str()))
                .unwrap_or("")
                .to_string()
        };
        let text = text_of(&d);
        let id_q: Box<dyn Query> = Box::new(TermQuery::new(
            Term::from_field_text(f.doc_id, id),
            IndexRecordOption::Basic,
        ));
        let kind_q: Box<dyn Query> = Box::new(TermQuery::new(
            Term::from_field_text(f.kind, KIND_PASSAGE),
            IndexRecordOption::Basic,
        ));
        let q = BooleanQuery::new(vec![(Occur::Must, id_q), (Occur::Must, kind_q)]);
        let n = searcher.search(&q, &tantivy::collector::Count)?.max(1);
        let mut passages: Vec<(u64, PassageView)> = Vec::with_capacity(n);
        for (_, addr) in searcher.search(&q, &TopDocs::with_limit(n).order_by_score())? {
            let p: TantivyDocument = searcher.doc(addr)?;
            let no = p
                .get_first(f.passage_no)
                .and_then(|v| v.as_u64())
                .unwrap_or(0);
            let heading = [f.heading, f.heading_en]
                .iter()
                .find_map(|fl| p.get_first(*fl).and_then(|v| v.as_str()))
                .map(str::to_string);
            let goals = p
                .get_all(f.goal)
                .filter_map(|v| {
                    v.as_facet()
                        .map(|fc| fc.rsplit(['/', '\0']).next().unwrap_or("").to_string())
                })
                .collect();
            let page = p
                .get_first(f.page)
                .and_then(|v| v.as_u64())
                .map(|x| x as u32);
            passages.push((
                no,
                PassageView {
                    heading,
                    text: text_of(&p),
                    page,
                    goals,
                },
            ));
        }
        passages.sort_by_key(|(no, _)| *no);
        Ok(Some(DocumentView {
            meta,
            text,
            passages: passages.into_iter().map(|(_, p)| p).collect(),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{plan, section, Rng};

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

    fn document(id: &str, passages: usize, version: usize) -> Document {
        let body = format!("våld i nära relationer {id} version {version}");
        let passages = (0..passages)
            .map(|n| section(&format!("stycke {n} om våld, version {version}"), None))
            .collect();
        plan(id, &format!("{id}-{version}"), &body, passages)
    }

    /// An entry as read back: kind, document id, passage number, the version in its text.
    type Entry = (String, String, Option<u64>, String);

    /// The live entries of each segment, in doc id order.
    fn layout(store: &IndexStore) -> Vec<Vec<Entry>> {
        let f = store.fields();
        let searcher = store.reader().searcher();
        let text = |d: &TantivyDocument, field| {
            d.get_first(field)
                .and_then(|v| v.as_str())
                .unwrap_or("")
                .to_string()
        };
        let version = |t: String| t.rsplit(' ').next().unwrap_or("").to_string();
        (0..searcher.segment_readers().len() as u32)
            .map(|s| {
                let reader = searcher.segment_reader(s);
                (0..reader.max_doc())
                    .filter(|d| reader.alive_bitset().is_none_or(|a| a.is_alive(*d)))
                    .map(|d| {
                        let doc: TantivyDocument =
                            searcher.doc(tantivy::DocAddress::new(s, d)).unwrap();
                        let no = doc.get_first(f.passage_no).and_then(|v| v.as_u64());
                        let body = if no.is_some() { f.text } else { f.body };
                        (
                            text(&doc, f.kind),
                            text(&doc, f.doc_id),
                            no,
                            version(text(&doc, body)),
                        )
                    })
                    .collect()
            })
            .collect()
    }

    /// The entries the model's documents (id → passages, version) should have, sorted.
    fn expected(model: &Model) -> Vec<Entry> {
        let mut want: Vec<Entry> = model
            .iter()
            .flat_map(|(id, &(n, v))| {
                let entry = move |kind: &str, no| (kind.to_string(), id.clone(), no, v.to_string());
                std::iter::once(entry(KIND_DOC, None))
                    .chain((0..n as u64).map(move |p| entry(KIND_PASSAGE, Some(p))))
            })
            .collect();
        want.sort();
        want
    }

    fn documents_first(segment: &[Entry]) -> bool {
        let docs = segment.iter().take_while(|e| e.0 == KIND_DOC).count();
        segment[docs..].iter().all(|e| e.0 == KIND_PASSAGE)
    }

    #[test]
    fn a_new_index_keeps_document_entries_before_passages_and_loses_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = IndexStore::open(dir.path(), SearchConfig::load().unwrap()).unwrap();
        let mut model = HashMap::new();
        // Three commits: "b" rewritten in the last, "c" written twice before its commit.
        let commits: [&[(&str, usize)]; 3] = [
            &[("a", 2), ("b", 3), ("c", 4), ("c", 5)],
            &[("d", 2), ("e", 3)],
            &[("b", 2)],
        ];
        for (version, batch) in commits.iter().enumerate() {
            for (id, n) in batch.iter() {
                let v = version * 10 + n;
                store.upsert(&document(id, *n, v)).unwrap();
                model.insert(id.to_string(), (*n, v));
            }
            store.commit().unwrap();
        }
        store.reader().reload().unwrap();
        let before = layout(&store);
        // The writer's threads share a commit's entries out, a segment each.
        assert!(before.iter().all(|s| documents_first(s)), "{before:?}");
        store.merge_segments().unwrap();
        store.reader().reload().unwrap();
        let after = layout(&store);
        assert_eq!(after.len(), 1);
        assert!(documents_first(&after[0]), "{:?}", after[0]);
        let mut have = after[0].clone();
        have.sort();
        assert_eq!(have, expected(&model));
    }

    /// Passages and version of each document, as the model of an index.
    type Model = HashMap<String, (usize, usize)>;

    /// The model after a commit of the `pending` writes (`None`: a delete).
    fn apply(committed: &mut Model, pending: &mut HashMap<String, Option<(usize, usize)>>) {
        for (id, v) in pending.drain() {
            match v {
                Some(v) => committed.insert(id, v),
                None => committed.remove(&id),
            };
        }
    }

    /// Upserts, deletes, commits and merges in a seeded random order, on 25 ids (so most
    /// writes replace a document, some twice before a commit); after each commit the index
    /// holds exactly the model's entries, document entries first in every segment.
    #[test]
    fn random_writes_deletes_commits_and_merges_leave_exactly_the_latest_versions() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = IndexStore::open(dir.path(), SearchConfig::load().unwrap()).unwrap();
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let (mut committed, mut pending) = (HashMap::new(), HashMap::new());
        for step in 0..400 {
            let id = format!("d{}", rng.below(25));
            match rng.below(20) {
                0..=12 => {
                    let n = 1 + rng.below(4);
                    store.upsert(&document(&id, n, step)).unwrap();
                    pending.insert(id, Some((n, step)));
                }
                13..=15 => {
                    store.delete(&id).unwrap();
                    pending.insert(id, None);
                }
                16..=18 => {
                    store.commit().unwrap();
                    apply(&mut committed, &mut pending);
                    store.reader().reload().unwrap();
                    let segments = layout(&store);
                    assert!(segments.iter().all(|s| documents_first(s)), "step {step}");
                    let mut have: Vec<Entry> = segments.concat();
                    have.sort();
                    assert_eq!(have, expected(&committed), "step {step}");
                }
                _ => {
                    store.merge_if_fragmented().unwrap();
                    apply(&mut committed, &mut pending);
                }
            }
        }
        // The end of a run: a commit, then everything merged into one segment.
        store.merge_if_fragmented().unwrap();
        apply(&mut committed, &mut pending);
        store.merge_segments().unwrap();
        store.reader().reload().unwrap();
        let merged = layout(&store);
        assert!(merged.len() == 1 && documents_first(&merged[0]));
        let mut have = merged[0].clone();
        have.sort();
        assert_eq!(have, expected(&committed));
    }
}
