//! A whole document as `/api/documents/{id}` shows it ([`DocumentView`]): its metadata, text
//! and passages in order, read from the stored entries.

use serde::Serialize;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{TantivyDocument, Term};

use crate::meta::DocMeta;
use crate::schema::{Fields, KIND_PASSAGE};
use crate::searcher::{doc_entry_query, SearchIndex};
use crate::stored::{first_text, stored_goals, stored_meta, StoredPassage};
use crate::IndexError;

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

impl SearchIndex {
    /// The document `id` with its text and passages in order, if indexed.
    pub fn document(&self, id: &str) -> Result<Option<DocumentView>, IndexError> {
        let f = *self.fields();
        let searcher = self.reader().searcher();
        let top = searcher.search(
            &doc_entry_query(&f, f.doc_id, id),
            &TopDocs::with_limit(1).order_by_score(),
        )?;
        let Some((_, addr)) = top.first() else {
            return Ok(None);
        };
        let d: TantivyDocument = searcher.doc(*addr)?;
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
                    heading: stored.heading,
                    text: stored.text,
                    page: stored.page,
                    goals: stored_goals(&f, &p),
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
