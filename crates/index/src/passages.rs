//! Passage search: the passages (measures, sections) matching a query, best first, under the
//! same filters and ranking factors as document search. Used by the evaluation and by callers
//! that want the units themselves rather than their documents.

use serde::Serialize;
use tantivy::query::Query;
use tantivy::TantivyDocument;

use crate::facet::filters::filter_queries;
use crate::query::UserQuery;
use crate::ranking::Ranker;
use crate::schema::Scope;
use crate::searcher::SearchIndex;
use crate::stored::{stored_meta, StoredPassage};
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
    index: &SearchIndex,
    tax: &Taxonomy,
    req: &SearchRequest,
    limit: usize,
    offset: usize,
) -> Result<Vec<PassageHit>, IndexError> {
    let f = *index.fields();
    let mut qs: Vec<Box<dyn Query>> = vec![
        UserQuery::read(
            index.parsers(),
            &req.query,
            Scope::Passages,
            req.strict_syntax,
        )?
        .1,
    ];
    qs.extend(filter_queries(&f, tax, req)?);
    let q = crate::query::all_of(qs);
    let searcher = index.reader().searcher();
    let ranker = Ranker::for_request(index, tax, req);
    let tables = index.facet_tables(&searcher)?;
    let ranks = tables.rank_bytes(&searcher)?;
    let top = ranker.top_entries(&searcher, &tables, &ranks, &*q, limit.max(1), offset)?;
    let mut out = Vec::with_capacity(top.len());
    for (score, addr) in top {
        let d: TantivyDocument = searcher.doc(addr)?;
        let Some(meta) = stored_meta(&f, &d) else {
            continue;
        };
        let passage = StoredPassage::read(&f, &d);
        out.push(PassageHit {
            document_id: meta.id,
            url: meta.url,
            region: meta.region,
            passage_no: passage.no,
            heading: passage.heading,
            text: passage.text,
            page: passage.page,
            score,
        });
    }
    Ok(out)
}
