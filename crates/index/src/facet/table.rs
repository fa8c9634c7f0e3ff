//! The facet table: for every entry of a segment, its document, county, municipality, type,
//! organisation, language, goal areas and plan period as small integers, in one array.
//!
//! Built once per segment from the segment's facet columns, fast fields and `doc_id` terms,
//! and kept while the segment is searched (segments never change; a merge makes a new one).
//! Document search reads it to apply the facet filters and to count every facet in a single
//! pass over the matches (see [`super::faceted`]), instead of one tantivy facet collector per
//! facet and one more run of the query per filtered facet; and to group passages by document.
//! Names are local to a segment: a row holds indices into the segment's name lists.
//!
//! It also gives each document's metadata ([`DocMeta`], what a hit shows) from the `meta`
//! column, decoded the first time it is asked for and kept, so that a page of hits costs no
//! JSON parsing after the first and opening a segment decodes only the documents' ids.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use tantivy::columnar::StrColumn;
use tantivy::fastfield::FacetReader;
use tantivy::index::SegmentId;
use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, DocSet, Searcher, SegmentReader, TERMINATED};

pub(crate) use super::doc_rows::{DocRows, Row};
use super::ords::ord_values;
use super::top_k::tie_key;
use crate::meta::DocMeta;
use crate::schema::{self, Fields, KIND_DOC};
use crate::IndexError;
use plansok_model::{Goal, Period};

/// Names of one kind in one segment; index 0 is the empty name ("none").
#[derive(Debug, Clone)]
pub(crate) struct Names {
    names: Vec<String>,
    ids: HashMap<String, u32>,
}

impl Default for Names {
    fn default() -> Self {
        Names {
            names: vec![String::new()],
            ids: HashMap::new(),
        }
    }
}

impl Names {
    fn intern(&mut self, name: &str) -> u32 {
        if let Some(id) = self.ids.get(name) {
            return *id;
        }
        let id = self.names.len() as u32;
        self.names.push(name.to_string());
        self.ids.insert(name.to_string(), id);
        id
    }

    /// The index of `name`, if an entry of the segment has it.
    pub fn id(&self, name: &str) -> Option<u32> {
        self.ids.get(name).copied()
    }

    pub fn name(&self, id: u32) -> &str {
        self.names.get(id as usize).map_or("", String::as_str)
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }
}

/// What a passage is preferred by: its goal areas.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Entry {
    pub goals: u8,
}

/// One segment's tables and name lists.
#[derive(Debug, Default)]
pub(crate) struct SegmentTable {
    /// Every entry, by tantivy doc id.
    pub entries: Vec<Entry>,
    pub documents: DocRows,
    /// The passage entries of each document of [`doc_ids`](Self::doc_ids), in doc id order
    /// (deleted ones too): those of name `d` are `passages[passage_starts[d]..passage_starts[d + 1]]`.
    passage_starts: Vec<u32>,
    passages: Vec<DocId>,
    pub doc_ids: Names,
    /// The `meta` ordinal of each document of [`doc_ids`](Self::doc_ids) (by its index there),
    /// that of its document entry; `u32::MAX` for a name without one.
    meta_ords: Vec<u32>,
    /// The metadata of any entry (a passage's too) by its `meta` value.
    entry_metas: EntryMetas,
    /// Each entry's document, by its index in [`doc_ids`](Self::doc_ids) (0: none).
    entry_docs: Vec<u32>,
    /// The [`tie_key`] of each document of [`doc_ids`](Self::doc_ids) (0 for index 0, none).
    doc_ties: Vec<u64>,
    pub counties: Names,
    pub places: Names,
    pub orgs: Names,
    pub langs: Names,
    /// Smallest and largest year of any period in the segment (0, 0 when none has one).
    pub min_year: u16,
    pub max_year: u16,
    /// Each entry's [`schema::rank_byte`], read on first use ([`SegmentTable::ranks`]).
    ranks: OnceLock<Arc<Vec<u8>>>,
}

impl SegmentTable {
    /// The metadata of the document entry `doc` (`None` for a passage entry).
    pub fn meta_of(&self, doc: DocId) -> Option<&Arc<DocMeta>> {
        let row = self.documents.get(doc)?;
        self.entry_metas
            .by_ord(*self.meta_ords.get(row.doc as usize)?)
    }

    /// The metadata of the document of entry `doc`, a passage's as well as a document's: read
    /// from the entry's `meta` value, with no stored entry decompressed.
    pub fn entry_meta(&self, doc: DocId) -> Option<&Arc<DocMeta>> {
        self.entry_metas.of(doc)
    }

    /// The [`tie_key`] of the document of entry `doc` (a passage's or a document's), which
    /// orders entries of equal score; 0 for an entry without a document name.
    #[inline]
    pub fn entry_tie(&self, doc: DocId) -> u64 {
        self.doc_tie(self.entry_docs.get(doc as usize).copied().unwrap_or(0))
    }

    /// The [`tie_key`] of document `name` of [`doc_ids`](Self::doc_ids) (a [`Row::doc`]);
    /// 0 for none.
    #[inline]
    pub fn doc_tie(&self, name: u32) -> u64 {
        self.doc_ties.get(name as usize).copied().unwrap_or(0)
    }

    /// Each entry's [`schema::rank_byte`] (what the ranking factors read of it), from the
    /// segment's columns the first time it is asked for: a search over passages then ranks
    /// its matches from one array instead of three columns.
    pub fn ranks(&self, segment: &SegmentReader) -> Result<Arc<Vec<u8>>, IndexError> {
        if let Some(r) = self.ranks.get() {
            return Ok(r.clone());
        }
        let ranks = super::rank_bytes::read(segment)?;
        Ok(self.ranks.get_or_init(|| Arc::new(ranks)).clone())
    }

    /// The passage entries of the document named `doc` in [`doc_ids`](Self::doc_ids).
    pub fn passages_of(&self, doc: u32) -> &[DocId] {
        let at = |i: usize| self.passage_starts.get(i).map_or(0, |&s| s as usize);
        let (from, to) = (at(doc as usize), at(doc as usize + 1));
        self.passages.get(from..to).unwrap_or(&[])
    }

    /// Groups the passage entries (those not in `is_doc`) by their document (`names`: each
    /// entry's, 0 for none).
    fn group_passages(&mut self, names: &[u32], is_doc: &[u64]) {
        let is_passage = |doc: usize| !is_set(is_doc, doc as DocId);
        let mut starts = vec![0u32; self.doc_ids.len() + 1];
        for (doc, &name) in names.iter().enumerate() {
            if name != 0 && is_passage(doc) {
                starts[name as usize + 1] += 1;
            }
        }
        for i in 1..starts.len() {
            starts[i] += starts[i - 1];
        }
        let mut next = starts.clone();
        let mut passages = vec![0; starts.last().copied().unwrap_or(0) as usize];
        for (doc, &name) in names.iter().enumerate() {
            if name != 0 && is_passage(doc) {
                passages[next[name as usize] as usize] = doc as DocId;
                next[name as usize] += 1;
            }
        }
        self.passage_starts = starts;
        self.passages = passages;
    }
}

/// Every entry's document metadata: the segment's `meta` column, and each of its values (one
/// per document version, by ordinal) decoded when first asked for.
#[derive(Default)]
struct EntryMetas {
    column: Option<StrColumn>,
    by_ord: Vec<OnceLock<Option<Arc<DocMeta>>>>,
}

impl EntryMetas {
    fn new(column: Option<StrColumn>) -> Self {
        let values = column.as_ref().map_or(0, |c| c.dictionary().num_terms());
        EntryMetas {
            column,
            by_ord: (0..values).map(|_| OnceLock::new()).collect(),
        }
    }

    fn of(&self, doc: DocId) -> Option<&Arc<DocMeta>> {
        let ord = self.column.as_ref()?.term_ords(doc).next()?;
        self.by_ord(u32::try_from(ord).ok()?)
    }

    /// The value of ordinal `ord`, decoded once; `None` for a value that does not decode.
    fn by_ord(&self, ord: u32) -> Option<&Arc<DocMeta>> {
        let slot = self.by_ord.get(ord as usize)?;
        slot.get_or_init(|| {
            let mut bytes = Vec::new();
            let found = self
                .column
                .as_ref()?
                .dictionary()
                .ord_to_term(u64::from(ord), &mut bytes)
                .ok()?;
            found
                .then(|| serde_json::from_slice(&bytes).ok().map(Arc::new))
                .flatten()
        })
        .as_ref()
    }
}

impl std::fmt::Debug for EntryMetas {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EntryMetas")
            .field("values", &self.by_ord.len())
            .finish()
    }
}

/// The tables of the segments of one searcher.
pub(crate) struct Tables {
    segments: HashMap<SegmentId, Arc<SegmentTable>>,
}

impl Tables {
    /// Every segment's [`SegmentTable::ranks`].
    pub fn rank_bytes(
        &self,
        searcher: &Searcher,
    ) -> Result<HashMap<SegmentId, Arc<Vec<u8>>>, IndexError> {
        searcher
            .segment_readers()
            .iter()
            .map(|r| Ok((r.segment_id(), self.of(r)?.ranks(r)?)))
            .collect()
    }

    /// The table of each segment of `searcher`, by segment ordinal.
    pub fn by_ordinal(&self, searcher: &Searcher) -> tantivy::Result<Vec<Arc<SegmentTable>>> {
        searcher
            .segment_readers()
            .iter()
            .map(|r| self.of(r))
            .collect()
    }

    pub fn of(&self, segment: &SegmentReader) -> tantivy::Result<Arc<SegmentTable>> {
        self.segments
            .get(&segment.segment_id())
            .cloned()
            .ok_or_else(|| {
                tantivy::TantivyError::InternalError(format!(
                    "no facet table for segment {}",
                    segment.segment_id().short_uuid_string()
                ))
            })
    }
}

/// The tables of the segments searched lately, built on first use.
#[derive(Default)]
pub(crate) struct TableCache {
    segments: Mutex<HashMap<SegmentId, Arc<SegmentTable>>>,
}

impl TableCache {
    /// The tables of `searcher`'s segments. Tables of segments the searcher no longer has are
    /// dropped (a searcher still holding them builds them again).
    pub fn for_searcher(&self, searcher: &Searcher, f: &Fields) -> Result<Tables, IndexError> {
        let mut cache = self.segments.lock().unwrap_or_else(|e| e.into_inner());
        let mut segments = HashMap::new();
        for reader in searcher.segment_readers() {
            let id = reader.segment_id();
            let table = match cache.get(&id) {
                Some(t) => t.clone(),
                None => Arc::new(build(reader, f)?),
            };
            segments.insert(id, table);
        }
        cache.clone_from(&segments);
        Ok(Tables { segments })
    }
}

/// The key of a municipality in [`SegmentTable::places`].
pub(crate) fn place_key(county: &str, municipality: &str) -> String {
    format!("{county}/{municipality}")
}

/// Reads the facet values of every entry of `segment`.
///
/// A passage shares its document's facets, all but its goal areas (see `write::entries`), so the
/// county, organisation, language, topic, type and period are read for the document entries
/// only (and for any passage whose document entry is not in the segment, for the year range);
/// a passage reaches them through its document ([`DocRows`], [`SegmentTable::passages_of`]).
/// Each entry's document is named from its `meta` value: a second thread reads the id of each
/// value ([`meta_ids`]) while this one reads the goal areas and which entries are documents.
/// Only arrays of a few bytes per entry are made, so the tables of a 1M-passage index cost
/// little memory to build.
fn build(segment: &SegmentReader, f: &Fields) -> Result<SegmentTable, IndexError> {
    let meta_column = segment.fast_fields().str("meta")?;
    std::thread::scope(|scope| {
        let ids = scope.spawn(|| meta_ids(meta_column.as_ref()));
        let mut t = SegmentTable::default();
        let max_doc = segment.max_doc();
        let goals = goal_bits_of(segment, f)?;
        let mut is_doc = vec![0u64; (max_doc as usize).div_ceil(64)];
        each_posting(segment, f.kind, |kind, doc| {
            if kind == KIND_DOC {
                is_doc[doc as usize / 64] |= 1 << (doc % 64);
            }
        })?;
        // Each entry's `meta` value, by ordinal: one per document version.
        let ords: Option<Vec<u32>> = meta_column.as_ref().map(|column| {
            (0..max_doc)
                .map(|doc| column.term_ords(doc).next().map_or(u32::MAX, |o| o as u32))
                .collect()
        });
        let ids = ids
            .join()
            .map_err(|_| IndexError::Open("reading the documents' ids failed".into()))??;
        let names = name_documents(segment, f, ords.as_deref(), &ids, max_doc, &mut t)?;
        drop(ids);
        let entry_of = document_entries(segment, &names, &is_doc, t.doc_ids.len());
        let read: Vec<DocId> = (0..max_doc)
            .filter(|&doc| {
                let name = names[doc as usize] as usize;
                is_set(&is_doc, doc) || entry_of.get(name).is_none_or(|e| e.is_none())
            })
            .collect();
        let mut rows = vec![Row::default(); read.len()];
        for (row, &doc) in rows.iter_mut().zip(&read) {
            row.doc = names[doc as usize];
            row.goals = goals[doc as usize];
        }
        read_shared_facets(segment, f, &read, &mut rows, &mut t)?;
        let doc_rows: Vec<Row> = read
            .iter()
            .zip(&rows)
            .filter(|(&doc, _)| is_set(&is_doc, doc))
            .map(|(_, row)| *row)
            .collect();
        t.doc_ties = (0..t.doc_ids.len())
            .map(|i| {
                if i == 0 {
                    0
                } else {
                    tie_key(t.doc_ids.name(i as u32))
                }
            })
            .collect();
        // The rows' tie keys again, in row order: the search pass reads them beside the rows.
        let ties = doc_rows.iter().map(|r| t.doc_tie(r.doc)).collect();
        t.documents = DocRows::new(doc_rows, ties, &is_doc);
        t.entries = goals.iter().map(|&goals| Entry { goals }).collect();
        t.meta_ords = meta_ords_by_name(ords.as_deref(), &entry_of);
        t.entry_metas = EntryMetas::new(meta_column.clone());
        t.group_passages(&names, &is_doc);
        t.entry_docs = names;
        Ok(t)
    })
}

/// The [`schema::goal_bits`] of every entry's goal facets.
fn goal_bits_of(segment: &SegmentReader, f: &Fields) -> Result<Vec<u8>, IndexError> {
    let goal = segment.facet_reader(segment.schema().get_field_name(f.goal))?;
    let bits_of_ord = ord_values(&goal, |path| {
        let goal = path.get(1).and_then(|g| Goal::from_slug(g));
        schema::goal_bits(goal.as_slice()) as u8
    })?;
    Ok((0..segment.max_doc())
        .map(|doc| {
            goal.facet_ords(doc)
                .filter_map(|ord| bits_of_ord.get(ord as usize))
                .fold(0, |bits, b| bits | b)
        })
        .collect())
}

fn is_set(bits: &[u64], doc: DocId) -> bool {
    bits.get(doc as usize / 64)
        .is_some_and(|w| w >> (doc % 64) & 1 == 1)
}

/// The document entry of each of the `count` document names (`names`: each entry's): an alive
/// one when there is one, else the last.
fn document_entries(
    segment: &SegmentReader,
    names: &[u32],
    is_doc: &[u64],
    count: usize,
) -> Vec<Option<DocId>> {
    let alive = segment.alive_bitset();
    let is_alive = |doc: DocId| alive.is_none_or(|a| a.is_alive(doc));
    let mut out: Vec<Option<DocId>> = vec![None; count];
    for doc in (0..names.len() as DocId).filter(|&d| is_set(is_doc, d)) {
        let Some(slot) = out.get_mut(names[doc as usize] as usize) else {
            continue;
        };
        if slot.is_none_or(|current| is_alive(doc) || !is_alive(current)) {
            *slot = Some(doc);
        }
    }
    out
}

/// The facets a passage shares with its document (county and municipality, organisation,
/// language, topic, type, period) of the entries `docs`, into `rows` (one per entry of `docs`).
fn read_shared_facets(
    segment: &SegmentReader,
    f: &Fields,
    docs: &[DocId],
    rows: &mut [Row],
    t: &mut SegmentTable,
) -> Result<(), IndexError> {
    let schema = segment.schema();
    let facets = |field| segment.facet_reader(schema.get_field_name(field));
    let region = facets(f.region)?;
    let region_ids = ord_values(&region, |path| match path {
        [_, county] => (t.counties.intern(county), 0),
        [_, county, municipality, ..] => (
            t.counties.intern(county),
            t.places.intern(&place_key(county, municipality)),
        ),
        _ => (0, 0),
    })?;
    fill(&region, &region_ids, rows, docs, |row, (county, place)| {
        row.county = county as u16;
        row.place = place as u16;
    });
    let org = facets(f.org)?;
    let org_ids = ord_values(&org, |path| path.get(1).map_or(0, |o| t.orgs.intern(o)))?;
    fill(&org, &org_ids, rows, docs, |row, id| row.org = id);
    let lang = facets(f.lang)?;
    let lang_ids = ord_values(&lang, |path| path.get(1).map_or(0, |l| t.langs.intern(l)))?;
    fill(&lang, &lang_ids, rows, docs, |row, id| row.lang = id as u16);
    if let Some(field) = f.topic {
        let topic = facets(field)?;
        let off_value = schema::topic_value(false);
        let off = ord_values(&topic, |path| path.get(1) == Some(&off_value))?;
        fill(&topic, &off, rows, docs, |row, off| row.off_topic = off);
    }
    read_fast_fields(segment, docs, rows, t)
}

/// The document id of each value of the `meta` column's dictionary, by ordinal (`None` for a
/// value that does not read as metadata). Passages share their document's metadata, so the
/// dictionary holds one value per document version; only the id is read here.
fn meta_ids(column: Option<&StrColumn>) -> Result<Vec<Option<String>>, IndexError> {
    #[derive(serde::Deserialize)]
    struct Id<'a> {
        #[serde(borrow)]
        id: std::borrow::Cow<'a, str>,
    }
    let mut ids = Vec::new();
    let Some(column) = column else {
        return Ok(ids);
    };
    let mut values = column
        .dictionary()
        .stream()
        .map_err(tantivy::TantivyError::from)?;
    while values.advance() {
        let id = serde_json::from_slice::<Id>(values.key()).ok();
        ids.push(id.map(|m| m.id.into_owned()));
    }
    Ok(ids)
}

/// Names each entry's document: an index into `t.doc_ids`, per entry. Every entry of a document
/// carries its metadata, whose id is the document's: with the `meta` ordinal of every entry
/// known (`ords`) and each value's id (`ids`), the names come from those; else (an index
/// without the column, or a value that does not read) from the `doc_id` terms' postings, which
/// costs a posting list per document.
fn name_documents(
    segment: &SegmentReader,
    f: &Fields,
    ords: Option<&[u32]>,
    ids: &[Option<String>],
    max_doc: DocId,
    t: &mut SegmentTable,
) -> Result<Vec<u32>, IndexError> {
    let complete = ords.filter(|ords| {
        ords.iter()
            .all(|&o| ids.get(o as usize).is_some_and(Option::is_some))
    });
    if let Some(ords) = complete {
        let by_ord: Vec<u32> = ids
            .iter()
            .map(|id| id.as_deref().map_or(0, |id| t.doc_ids.intern(id)))
            .collect();
        return Ok(ords.iter().map(|&ord| by_ord[ord as usize]).collect());
    }
    let mut names = vec![0u32; max_doc as usize];
    each_posting(segment, f.doc_id, |id, doc| {
        let n = t.doc_ids.intern(id);
        if let Some(name) = names.get_mut(doc as usize) {
            *name = n;
        }
    })?;
    Ok(names)
}

/// The `meta` ordinal of each document name's document entry (`entry_of`,
/// [`document_entries`]), from each entry's ordinal (`ords`); `u32::MAX` for none.
fn meta_ords_by_name(ords: Option<&[u32]>, entry_of: &[Option<DocId>]) -> Vec<u32> {
    entry_of
        .iter()
        .map(|entry| {
            entry
                .and_then(|e| ords?.get(e as usize).copied())
                .unwrap_or(u32::MAX)
        })
        .collect()
}

/// Sets the value of each facet of the entries `docs` in their rows (`rows[i]` is `docs[i]`'s).
fn fill<T: Copy>(
    reader: &FacetReader,
    values: &[T],
    rows: &mut [Row],
    docs: &[DocId],
    set: impl Fn(&mut Row, T),
) {
    for (row, &doc) in rows.iter_mut().zip(docs) {
        for ord in reader.facet_ords(doc) {
            if let Some(v) = values.get(ord as usize) {
                set(row, *v);
            }
        }
    }
}

/// The type and period of the entries `docs` (into `rows`, one per entry of `docs`), and the
/// segment's smallest and largest year.
fn read_fast_fields(
    segment: &SegmentReader,
    docs: &[DocId],
    rows: &mut [Row],
    t: &mut SegmentTable,
) -> Result<(), IndexError> {
    let fast = segment.fast_fields();
    let types = fast.u64("type_code")?.first_or_default_col(0);
    let starts = fast.u64("period_start")?;
    let ends = fast.u64("period_end")?;
    let (mut min, mut max) = (u16::MAX, 0);
    for (row, &doc) in rows.iter_mut().zip(docs) {
        row.doc_type = types.get_val(doc) as u8;
        // A period as `Period::new` admits it (plausible years, start ≤ end); other values
        // (an index not written by plansok) count as no period.
        let period = starts
            .first(doc)
            .zip(ends.first(doc))
            .and_then(|(s, e)| Period::new(u16::try_from(s).ok()?, u16::try_from(e).ok()?));
        if let Some(p) = period {
            row.start = p.start;
            row.end = p.end;
            min = min.min(p.start);
            max = max.max(p.end);
        }
    }
    (t.min_year, t.max_year) = if max == 0 { (0, 0) } else { (min, max) };
    Ok(())
}

/// Calls `each(term, doc)` for every term of the untokenized text `field` and every entry of
/// the segment that has it (deleted ones too).
fn each_posting(
    segment: &SegmentReader,
    field: tantivy::schema::Field,
    mut each: impl FnMut(&str, DocId),
) -> Result<(), IndexError> {
    let inverted = segment.inverted_index(field)?;
    let mut terms = inverted
        .terms()
        .stream()
        .map_err(tantivy::TantivyError::from)?;
    while terms.advance() {
        let Ok(term) = std::str::from_utf8(terms.key()) else {
            continue;
        };
        let mut postings = inverted
            .read_postings_from_terminfo(terms.value(), IndexRecordOption::Basic)
            .map_err(tantivy::TantivyError::from)?;
        let mut doc = postings.doc();
        while doc != TERMINATED {
            each(term, doc);
            doc = postings.advance();
        }
    }
    Ok(())
}
