//! A whole document as `/api/documents/{id}` shows it ([`DocumentView`]): its metadata, text
//! and passages in order, read from the stored entries.

use serde::Serialize;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{Searcher, TantivyDocument, Term};

use crate::meta::DocMeta;
use crate::schema::{Fields, KIND_PASSAGE};
use crate::searcher::{doc_entry_query, SearchIndex};
use crate::stored::{first_text, stored_goals, stored_meta, StoredPassage};
use crate::{HitPeriod, IndexError};
use plansok_model::{DocType, Goal};

/// One passage as `/api/documents/{id}` shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PassageView {
    /// Its number in the document (as in `/api/documents/{id}/passages/{no}/similar`).
    pub no: u64,
    pub heading: Option<String>,
    pub text: String,
    pub page: Option<u32>,
    pub goals: Vec<String>,
}

/// A whole document: what a hit shows of it, its text and its passages in order. The file it
/// was read from is not shown: that is the server's business.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DocumentView {
    pub id: String,
    pub url: Option<String>,
    pub title: String,
    pub region: Option<String>,
    pub municipality: Option<String>,
    pub organisation: Option<String>,
    #[serde(rename = "type")]
    pub doc_type: DocType,
    pub period: Option<HitPeriod>,
    pub goals: Vec<Goal>,
    /// Whether the document is about the topic (a plan, a news item or a guide on it).
    pub on_topic: bool,
    pub lang: String,
    /// Publication date as given by the source (free text, often ISO 8601).
    pub published: Option<String>,
    /// Pages of a PDF.
    pub pages: Option<u32>,
    /// When the index first took the document in (RFC 3339, UTC).
    pub first_seen: Option<String>,
    pub text: String,
    pub passages: Vec<PassageView>,
}

impl DocumentView {
    fn new(meta: DocMeta, text: String, passages: Vec<PassageView>) -> Self {
        DocumentView {
            id: meta.id,
            url: meta.url,
            title: meta.title,
            region: meta.region,
            municipality: meta.municipality,
            organisation: meta.organisation,
            doc_type: meta.doc_type,
            period: meta.period.map(HitPeriod::from),
            goals: meta.goals,
            on_topic: meta.on_topic,
            lang: meta.lang,
            published: meta.published,
            pages: meta.pages,
            first_seen: meta.first_seen,
            text,
            passages,
        }
    }
}

impl SearchIndex {
    /// The document `id` with its text and passages in order, if indexed.
    pub fn document(&self, id: &str) -> Result<Option<DocumentView>, IndexError> {
        let f = *self.fields();
        let searcher = self.reader().searcher();
        let Some(d) = doc_entry(&searcher, &f, id)? else {
            return Ok(None);
        };
        let Some(meta) = stored_meta(&f, &d) else {
            return Ok(None);
        };
        let text = text_of(&f, &d);
        let q = passages_of(&f, id);
        let n = searcher.search(&q, &Count)?.max(1);
        let mut passages: Vec<(u64, PassageView)> = Vec::with_capacity(n);
        for (_, addr) in searcher.search(&q, &TopDocs::with_limit(n).order_by_score())? {
            let p: TantivyDocument = searcher.doc(addr)?;
            let stored = StoredPassage::read(&f, &p);
            passages.push((
                stored.no,
                PassageView {
                    no: stored.no,
                    heading: stored.heading,
                    text: stored.text,
                    page: stored.page,
                    goals: stored_goals(&f, &p),
                },
            ));
        }
        passages.sort_by_key(|(no, _)| *no);
        let passages = passages.into_iter().map(|(_, p)| p).collect();
        Ok(Some(DocumentView::new(meta, text, passages)))
    }

    /// The stored metadata of the document `id` (with the file it came from), if indexed.
    pub fn document_meta(&self, id: &str) -> Result<Option<DocMeta>, IndexError> {
        let f = *self.fields();
        let searcher = self.reader().searcher();
        Ok(doc_entry(&searcher, &f, id)?.and_then(|d| stored_meta(&f, &d)))
    }

    /// Whether the document `id` is indexed.
    pub fn contains(&self, id: &str) -> Result<bool, IndexError> {
        let f = *self.fields();
        let searcher = self.reader().searcher();
        Ok(searcher.search(&doc_entry_query(&f, f.doc_id, id), &Count)? > 0)
    }
}

/// The stored document entry of `id`, if indexed.
fn doc_entry(
    searcher: &Searcher,
    f: &Fields,
    id: &str,
) -> Result<Option<TantivyDocument>, IndexError> {
    let top = searcher.search(
        &doc_entry_query(f, f.doc_id, id),
        &TopDocs::with_limit(1).order_by_score(),
    )?;
    match top.first() {
        Some((_, addr)) => Ok(Some(searcher.doc(*addr)?)),
        None => Ok(None),
    }
}

/// The text of a document entry (its body, in the field of its language).
fn text_of(f: &Fields, d: &TantivyDocument) -> String {
    first_text(d, [f.body, f.body_en, f.text, f.text_en])
        .unwrap_or("")
        .to_string()
}

/// The passage entries of the document `id`.
fn passages_of(f: &Fields, id: &str) -> BooleanQuery {
    let term = |field, value: &str| -> Box<dyn Query> {
        Box::new(TermQuery::new(
            Term::from_field_text(field, value),
            IndexRecordOption::Basic,
        ))
    };
    BooleanQuery::new(vec![
        (Occur::Must, term(f.doc_id, id)),
        (Occur::Must, term(f.kind, KIND_PASSAGE)),
    ])
}
