//! Documents similar to a document: tantivy's MoreLikeThis over its title and text (distinctive
//! terms weighted by tf-idf), other counties preferred (a coordinator looks for comparable
//! plans elsewhere).

use serde::Serialize;
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, MoreLikeThisQuery, Occur, Query, TermQuery};
use tantivy::schema::{IndexRecordOption, OwnedValue, Value};
use tantivy::{TantivyDocument, Term};

use crate::schema::KIND_DOC;
use crate::search::{kind_query, stored_meta};
use crate::store::IndexStore;
use crate::{HitPeriod, IndexError};

/// Score factor for a document of the same county as the one compared with.
const SAME_COUNTY_FACTOR: f32 = 0.5;

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct SimilarDocument {
    pub id: String,
    pub title: String,
    pub url: Option<String>,
    pub region: Option<String>,
    pub organisation: Option<String>,
    #[serde(rename = "type")]
    pub doc_type: String,
    pub period: Option<HitPeriod>,
    pub score: f32,
}

/// Up to `limit` documents like `id`; None when `id` is not indexed.
pub fn similar(
    store: &IndexStore,
    id: &str,
    limit: usize,
) -> Result<Option<Vec<SimilarDocument>>, IndexError> {
    let f = *store.fields();
    let searcher = store.reader().searcher();
    let id_q = || -> Box<dyn Query> {
        Box::new(TermQuery::new(
            Term::from_field_text(f.doc_id, id),
            IndexRecordOption::Basic,
        ))
    };
    let q = BooleanQuery::new(vec![
        (Occur::Must, id_q()),
        (Occur::Must, kind_query(&f, KIND_DOC)),
    ]);
    let Some((_, addr)) = searcher
        .search(&q, &TopDocs::with_limit(1).order_by_score())?
        .into_iter()
        .next()
    else {
        return Ok(None);
    };
    let d: TantivyDocument = searcher.doc(addr)?;
    let Some(me) = stored_meta(&f, &d) else {
        return Ok(None);
    };
    let mut fields = Vec::new();
    for field in [f.title, f.title_en, f.text, f.text_en] {
        let values: Vec<OwnedValue> = d
            .get_all(field)
            .filter_map(|v| v.as_str())
            .map(|s| OwnedValue::Str(s.to_string()))
            .collect();
        if !values.is_empty() {
            fields.push((field, values));
        }
    }
    let mlt = MoreLikeThisQuery::builder()
        .with_min_doc_frequency(1)
        .with_min_term_frequency(1)
        .with_max_query_terms(40)
        .with_min_word_length(3)
        .with_document_fields(fields);
    let q = BooleanQuery::new(vec![
        (Occur::Must, Box::new(mlt) as Box<dyn Query>),
        (Occur::Must, kind_query(&f, KIND_DOC)),
        (Occur::MustNot, id_q()),
    ]);
    let mut out = Vec::new();
    for (score, addr) in
        searcher.search(&q, &TopDocs::with_limit(limit.max(1) * 3).order_by_score())?
    {
        let doc: TantivyDocument = searcher.doc(addr)?;
        let Some(m) = stored_meta(&f, &doc) else {
            continue;
        };
        let factor = if m.region.is_some() && m.region == me.region {
            SAME_COUNTY_FACTOR
        } else {
            1.0
        };
        out.push(SimilarDocument {
            id: m.id,
            title: m.title,
            url: m.url,
            region: m.region,
            organisation: m.organisation,
            doc_type: m.doc_type.slug().to_string(),
            period: m.period.map(|p| HitPeriod {
                start: p.start,
                end: p.end,
            }),
            score: score * factor,
        });
    }
    out.sort_by(|a, b| b.score.total_cmp(&a.score));
    out.truncate(limit.max(1));
    Ok(Some(out))
}
