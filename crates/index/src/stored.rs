//! Reading stored entries back: a document's metadata ([`stored_meta`]) and a passage's
//! number, heading, text, page and goal areas ([`StoredPassage`]), each in the field of its
//! language. The one decoder of what [`crate::write`] stores.

use tantivy::schema::{Field, Value};
use tantivy::TantivyDocument;

use crate::meta::DocMeta;
use crate::schema::Fields;

/// A passage entry as stored.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct StoredPassage {
    pub no: u64,
    pub heading: Option<String>,
    pub text: String,
    pub page: Option<u32>,
}

impl StoredPassage {
    pub(crate) fn read(f: &Fields, d: &TantivyDocument) -> StoredPassage {
        StoredPassage {
            no: d
                .get_first(f.passage_no)
                .and_then(|v| v.as_u64())
                .unwrap_or(0),
            heading: first_text(d, [f.heading, f.heading_en]).map(str::to_string),
            text: first_text(d, [f.text, f.text_en]).unwrap_or("").to_string(),
            page: d
                .get_first(f.page)
                .and_then(|v| v.as_u64())
                .map(|p| p as u32),
        }
    }
}

/// The goal-area slugs stored with an entry.
pub(crate) fn stored_goals(f: &Fields, d: &TantivyDocument) -> Vec<String> {
    d.get_all(f.goal)
        .filter_map(|v| {
            v.as_facet()
                .map(|fc| fc.rsplit(['/', '\0']).next().unwrap_or("").to_string())
        })
        .collect()
}

/// The metadata stored with every entry of a document.
pub(crate) fn stored_meta(f: &Fields, d: &TantivyDocument) -> Option<DocMeta> {
    d.get_first(f.meta)
        .and_then(|v| v.as_str())
        .and_then(|m| serde_json::from_str(m).ok())
}

/// The text of the first of `fields` that `d` has.
pub(crate) fn first_text<const N: usize>(d: &TantivyDocument, fields: [Field; N]) -> Option<&str> {
    fields
        .iter()
        .find_map(|fl| d.get_first(*fl).and_then(|v| v.as_str()))
}
