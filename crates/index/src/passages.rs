//! Passage search: the passages (measures, sections) matching a query, best first, under the
//! same filters and ranking factors as document search. Used by the evaluation and by callers
//! that want the units themselves rather than their documents.

use serde::Serialize;
use tantivy::query::{BooleanQuery, Occur, Query};
use tantivy::schema::Value;
use tantivy::TantivyDocument;

use crate::query::text_query;
use crate::schema::Scope;
use crate::search::{build_filters_for, ranker_for, stored_meta};
use crate::store::IndexStore;
use crate::{IndexError, SearchRequest};
use plansok_model::Taxonomy;

/// One passage hit.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct PassageHit {
    pub document_id: String,
    pub url: Option<String>,
    pub region: Option<String>,
    /// Position of the passage in its document (0-based).
    pub passage_no: u64,
    pub heading: Option<String>,
    pub text: String,
    pub page: Option<u32>,
    pub score: f32,
}

/// The `limit` best passages for `req` (its query, filters and goal factor), from `offset`.
pub fn search_passages(
    store: &IndexStore,
    tax: &Taxonomy,
    req: &SearchRequest,
    limit: usize,
    offset: usize,
) -> Result<Vec<PassageHit>, IndexError> {
    let f = *store.fields();
    let mut qs: Vec<Box<dyn Query>> = vec![text_query(store, &req.query, Scope::Passages)?];
    qs.extend(build_filters_for(&f, tax, req)?);
    let q = BooleanQuery::new(qs.into_iter().map(|q| (Occur::Must, q)).collect());
    let searcher = store.reader().searcher();
    let ranker = ranker_for(store, req);
    let top = searcher.search(&q, &ranker.top_docs(limit.max(1), offset))?;
    let mut out = Vec::with_capacity(top.len());
    for (score, addr) in top {
        let d: TantivyDocument = searcher.doc(addr)?;
        let Some(meta) = stored_meta(&f, &d) else {
            continue;
        };
        let first = |fields: [tantivy::schema::Field; 2]| {
            fields
                .iter()
                .find_map(|fl| d.get_first(*fl).and_then(|v| v.as_str()))
                .map(str::to_string)
        };
        out.push(PassageHit {
            document_id: meta.id,
            url: meta.url,
            region: meta.region,
            passage_no: d
                .get_first(f.passage_no)
                .and_then(|v| v.as_u64())
                .unwrap_or(0),
            heading: first([f.heading, f.heading_en]),
            text: first([f.text, f.text_en]).unwrap_or_default(),
            page: d
                .get_first(f.page)
                .and_then(|v| v.as_u64())
                .map(|p| p as u32),
            score,
        });
    }
    Ok(out)
}
