//! Documents similar to a document, and measures similar to a measure: a like-this query
//! ([`like_this`]) of the title/heading and text (distinctive terms weighted by tf-idf), other counties
//! preferred (a coordinator looks for comparable plans and measures elsewhere), and for documents
//! the compared one's type (`[ranking]` in `config/search.toml`).

use std::collections::HashSet;
use std::sync::Arc;

use serde::Serialize;
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, EnableScoring, Occur, Query, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{DocAddress, Score, Searcher, SegmentOrdinal, TantivyDocument, Term};

use crate::facet::table::Tables;
use crate::facet::top_k::{Candidate, TopK};
use crate::query::dense::DensePlan;
use crate::query::kind_query;
use crate::query::like_this::{like_this, LikeThis};
use crate::schema::{Fields, KIND_DOC, KIND_PASSAGE};
use crate::searcher::SearchIndex;
use crate::stored::{stored_meta, StoredPassage};
use crate::{DocMeta, HitPeriod, IndexError};

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

/// Every entry (document and passages) of document `id`.
fn doc_id_query(f: &crate::schema::Fields, id: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(f.doc_id, id),
        IndexRecordOption::Basic,
    ))
}

/// Up to `limit` documents like `id`; None when `id` is not indexed.
pub fn similar(
    index: &SearchIndex,
    id: &str,
    limit: usize,
) -> Result<Option<Vec<SimilarDocument>>, IndexError> {
    let f = *index.fields();
    let searcher = index.reader().searcher();
    let id_q = || doc_id_query(&f, id);
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
    let texts = stored_values(&f, &d, &[f.title, f.title_en, f.body, f.body_en]);
    let settings = LikeThis {
        max_terms: 40,
        min_word_bytes: 3,
        max_doc_freq: None,
    };
    let q = BooleanQuery::new(vec![
        (
            Occur::Must,
            Box::new(like_this(&searcher, &texts, settings)?) as Box<dyn Query>,
        ),
        (Occur::Must, kind_query(&f, KIND_DOC)),
        (Occur::MustNot, id_q()),
    ]);
    let cfg = &index.config().ranking;
    let prior = crate::ranking::Ranker::new(cfg, &[]);
    let tables = index.facet_tables(&searcher)?;
    let mut out = Vec::new();
    for (score, addr) in top_documents(&searcher, &tables, &q, limit.max(1) * 3)? {
        // Its metadata from the facet table: a document entry's stored body is not read.
        let Some(m) = meta_at(&searcher, &tables, &f, addr)?.map(|m| DocMeta::clone(&m)) else {
            continue;
        };
        let same_county = if m.region.is_some() && m.region == me.region {
            cfg.similar_same_county
        } else {
            1.0
        };
        let other_type = if m.doc_type == me.doc_type {
            1.0
        } else {
            cfg.similar_other_type
        };
        // The type prior of search applies too: news below plans.
        let factor =
            same_county * other_type * prior.factor(crate::schema::type_code(m.doc_type), 0);
        out.push(SimilarDocument {
            id: m.id,
            title: m.title,
            url: m.url,
            region: m.region,
            organisation: m.organisation,
            doc_type: m.doc_type.slug().to_string(),
            period: m.period.map(HitPeriod::from),
            score: score * factor,
        });
    }
    out.sort_by(|a, b| b.score.total_cmp(&a.score));
    out.truncate(limit.max(1));
    Ok(Some(out))
}

/// A passage like another one (a comparable measure), with where it comes from.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct SimilarPassage {
    pub document_id: String,
    pub passage_no: u64,
    pub title: String,
    pub url: Option<String>,
    pub region: Option<String>,
    pub organisation: Option<String>,
    pub heading: Option<String>,
    pub text: String,
    pub page: Option<u32>,
    pub score: f32,
}

/// Below this many entries holding it, no word is too common for a like-this query (a small
/// index has few words, and each counts).
const COMMON_WORD_FLOOR: u64 = 5_000;

/// Up to `limit` passages like passage `passage_no` of document `id`, at most one per
/// document, other documents only; None when that passage is not indexed.
pub fn similar_passages(
    index: &SearchIndex,
    id: &str,
    passage_no: u64,
    limit: usize,
) -> Result<Option<Vec<SimilarPassage>>, IndexError> {
    let f = *index.fields();
    let searcher = index.reader().searcher();
    let id_q = || doc_id_query(&f, id);
    let candidates = searcher.search(
        &BooleanQuery::new(vec![
            (Occur::Must, id_q()),
            (Occur::Must, kind_query(&f, KIND_PASSAGE)),
        ]),
        &TopDocs::with_limit(100_000).order_by_score(),
    )?;
    let own: HashSet<DocAddress> = candidates.iter().map(|(_, a)| *a).collect();
    let mut source = None;
    for (_, addr) in candidates {
        let d: TantivyDocument = searcher.doc(addr)?;
        if d.get_first(f.passage_no).and_then(|v| v.as_u64()) == Some(passage_no) {
            source = Some(d);
            break;
        }
    }
    let Some(d) = source else {
        return Ok(None);
    };
    let me = stored_meta(&f, &d);
    // A word in more than a tenth of the entries (in a large index) tells no passage from
    // another, and its postings are most of the work of the union: at 1M passages "våld" is in
    // 40 % of them. Lucene's MoreLikeThis has the same cut (maxDocFreqPct).
    let entries = searcher.num_docs();
    let settings = LikeThis {
        max_terms: 25,
        min_word_bytes: 3,
        max_doc_freq: Some((entries / 10).max(COMMON_WORD_FLOOR)),
    };
    let texts = stored_values(&f, &d, &[f.heading, f.heading_en, f.text, f.text_en]);
    let mlt = like_this(&searcher, &texts, settings)?;
    // The like-this query alone is a union of term queries (the heading and text fields are
    // passages' only); the document's own passages are dropped afterwards, by address, unread.
    let looked_at = limit.max(1) * 10;
    let ranked = searcher.search(
        &mlt,
        &TopDocs::with_limit(looked_at + own.len()).order_by_score(),
    )?;
    // The best passage of each other document, scored with its county known from the facet
    // table; only the passages kept are read from the store.
    let tables = index.facet_tables(&searcher)?;
    let mut kept: Vec<(f32, DocAddress, Arc<DocMeta>)> = Vec::new();
    for (score, addr) in ranked
        .into_iter()
        .filter(|(_, a)| !own.contains(a))
        .take(looked_at)
    {
        let Some(m) = meta_at(&searcher, &tables, &f, addr)? else {
            continue;
        };
        if kept.iter().any(|(_, _, k)| k.id == m.id) {
            continue;
        }
        let same_county = m.region.is_some() && me.as_ref().is_some_and(|me| me.region == m.region);
        let factor = if same_county {
            index.config().ranking.similar_same_county
        } else {
            1.0
        };
        kept.push((score * factor, addr, m));
    }
    kept.sort_by(|a, b| b.0.total_cmp(&a.0));
    kept.truncate(limit.max(1));
    let mut out = Vec::with_capacity(kept.len());
    for (score, addr, m) in kept {
        let passage = StoredPassage::read(&f, &searcher.doc(addr)?);
        let m = DocMeta::clone(&m);
        out.push(SimilarPassage {
            document_id: m.id,
            passage_no: passage.no,
            title: m.title,
            url: m.url,
            region: m.region,
            organisation: m.organisation,
            heading: passage.heading,
            text: passage.text,
            page: passage.page,
            score,
        });
    }
    Ok(Some(out))
}

/// The metadata of the document of the entry at `addr`: from the facet table, else (an index
/// made before the `meta` column) from the stored entry.
fn meta_at(
    searcher: &Searcher,
    tables: &Tables,
    f: &Fields,
    addr: DocAddress,
) -> Result<Option<Arc<DocMeta>>, IndexError> {
    let table = tables.of(searcher.segment_reader(addr.segment_ord))?;
    if let Some(m) = table.entry_meta(addr.doc_id) {
        return Ok(Some(m.clone()));
    }
    let d: TantivyDocument = searcher.doc(addr)?;
    Ok(stored_meta(f, &d).map(Arc::new))
}

/// The best `k` entries of `query`, a query of document entries, best first (ties by the
/// documents' ids, [`crate::facet::top_k::tie_key`]; by the earlier entry in an unsorted
/// index): term by term over the documents that open each segment ([`DensePlan`]),
/// or, in an index whose segments are not sorted so, by tantivy's collector.
fn top_documents(
    searcher: &Searcher,
    tables: &Tables,
    query: &dyn Query,
    k: usize,
) -> Result<Vec<(Score, DocAddress)>, IndexError> {
    let plan = DensePlan::of(query, EnableScoring::enabled_from_searcher(searcher))?;
    let mut spans = Vec::new();
    for reader in searcher.segment_readers() {
        spans.push(tables.of(reader)?.documents.prefix_len());
    }
    let (Some(plan), true) = (plan, spans.iter().all(Option::is_some)) else {
        return Ok(searcher.search(query, &TopDocs::with_limit(k).order_by_score())?);
    };
    let mut top = TopK::new(k);
    for (segment, (reader, docs)) in searcher.segment_readers().iter().zip(spans).enumerate() {
        let alive = reader.alive_bitset();
        let docs = docs.unwrap_or(0);
        let table = tables.of(reader)?;
        plan.score(reader, std::iter::once(0..docs).collect())?
            .for_each_match(|doc, score| {
                if alive.is_none_or(|a| a.is_alive(doc)) {
                    let addr = DocAddress::new(segment as SegmentOrdinal, doc);
                    top.push(Candidate {
                        key: score,
                        score,
                        tie: table.documents.tie(doc),
                        addr,
                    });
                }
            });
    }
    Ok(top
        .into_sorted()
        .into_iter()
        .map(|c| (c.score, c.addr))
        .collect())
}

/// The stored texts of `fields` in `d`, each under the field it is searched in.
fn stored_values(
    f: &Fields,
    d: &TantivyDocument,
    fields: &[tantivy::schema::Field],
) -> Vec<(tantivy::schema::Field, Vec<String>)> {
    fields
        .iter()
        .filter_map(|field| {
            let values: Vec<String> = d
                .get_all(*field)
                .filter_map(|v| v.as_str())
                .map(str::to_string)
                .collect();
            // A long text that is only stored is searched in its parts shadow, analysed as it.
            (!values.is_empty()).then_some((f.searched(*field), values))
        })
        .collect()
}
