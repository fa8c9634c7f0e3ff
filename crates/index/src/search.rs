//! Faceted search over documents, with the best passage's snippet and page for each hit.
//!
//! Filters: region (county or municipality; a county matches its municipalities), period
//! (overlap with the requested years), goal, type, organisation, language (see
//! [`crate::filters`]). Every facet is counted under all filters but its own, so a user sees
//! what each value would give; the hits, the total and all counts come from one pass over the
//! matches of the query's words ([`crate::collect::Faceted`]).

use std::collections::HashMap;
use std::time::Instant;

use serde::Serialize;
use tantivy::collector::FacetCollector;
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::{Facet, Field, IndexRecordOption, Value};
use tantivy::{DocAddress, Searcher, TantivyDocument, Term};

use crate::collect::{self, Counts, Faceted};
use crate::facet_table::Tables;
use crate::filters::{invalid, unscored, FilterSpec};
use crate::query::UserQuery;
use crate::ranking::Ranker;
use crate::schema::{self, Fields, Scope};
use crate::snippet::{Marker, SnippetMaker};
use crate::store::{DocMeta, IndexStore};
use crate::IndexError;
use plansok_model::{DocType, Goal, Period, Taxonomy};

/// A search as the CLI and the API receive it (raw user values).
#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    pub query: String,
    pub regions: Vec<String>,
    pub period: Option<String>,
    pub goals: Vec<String>,
    pub types: Vec<String>,
    pub orgs: Vec<String>,
    pub langs: Vec<String>,
    pub limit: Option<usize>,
    pub offset: usize,
    /// Newest plan periods first instead of by relevance.
    pub sort_by_date: bool,
}

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct HitPeriod {
    pub start: u16,
    pub end: u16,
}

impl From<Period> for HitPeriod {
    fn from(p: Period) -> Self {
        HitPeriod {
            start: p.start,
            end: p.end,
        }
    }
}

/// One document hit (DESIGN.md's hit object).
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct Hit {
    pub id: String,
    pub url: Option<String>,
    pub title: String,
    pub region: Option<String>,
    pub municipality: Option<String>,
    pub organisation: Option<String>,
    #[serde(rename = "type")]
    pub doc_type: String,
    pub period: Option<HitPeriod>,
    pub goals: Vec<String>,
    pub lang: String,
    pub score: f32,
    /// Text around the matches, HTML-escaped, matches in `<mark>`.
    pub snippet: String,
    /// PDF page of the best passage.
    pub page: Option<u32>,
    /// Local file the document came from (not in DESIGN.md's hit; omitted when absent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct FacetValue {
    pub value: String,
    pub count: u64,
}

/// Counts per facet value, each under all the other filters.
#[derive(Debug, Clone, Serialize, PartialEq, Default, utoipa::ToSchema)]
pub struct Facets {
    pub region: Vec<FacetValue>,
    pub goal: Vec<FacetValue>,
    #[serde(rename = "type")]
    pub doc_type: Vec<FacetValue>,
    pub period: Vec<FacetValue>,
    pub organisation: Vec<FacetValue>,
    pub lang: Vec<FacetValue>,
}

/// DESIGN.md's search response.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct SearchResponse {
    pub query: String,
    pub total: usize,
    pub took_ms: f64,
    pub hits: Vec<Hit>,
    pub facets: Facets,
}

/// The filter queries of a request (validated), for other kinds of search.
pub(crate) fn build_filters_for(
    f: &Fields,
    tax: &Taxonomy,
    req: &SearchRequest,
) -> Result<Vec<Box<dyn Query>>, IndexError> {
    Ok(FilterSpec::parse(tax, req)?.queries(f))
}

/// Entries of one kind (documents or passages), as a filter that adds nothing to the score.
pub(crate) fn kind_query(f: &Fields, kind: &str) -> Box<dyn Query> {
    unscored(Box::new(TermQuery::new(
        Term::from_field_text(f.kind, kind),
        IndexRecordOption::Basic,
    )))
}

/// The ranking factors of a request: its goal filter (valid slugs) and its words.
pub(crate) fn ranker_for(store: &IndexStore, req: &SearchRequest) -> Ranker {
    let goals: Vec<Goal> = req
        .goals
        .iter()
        .filter_map(|g| Goal::from_slug(g))
        .collect();
    Ranker::for_query(&store.config().ranking, &req.query, &goals)
}

/// Runs a search.
pub fn search(
    store: &IndexStore,
    tax: &Taxonomy,
    req: &SearchRequest,
) -> Result<SearchResponse, IndexError> {
    let started = Instant::now();
    let s = &store.config().search;
    if req.query.chars().count() > s.max_query_chars {
        return Err(invalid(
            "query",
            format!("longer than {} characters", s.max_query_chars),
        ));
    }
    let f = *store.fields();
    let spec = FilterSpec::parse(tax, req)?;
    let user = UserQuery::new(store, &req.query);
    let text = user.text(store, Scope::Documents)?;
    let passage_text = user.text(store, Scope::Passages)?;
    let searcher = store.reader().searcher();
    let tables = store.facet_tables(&searcher)?;
    let limit = req.limit.unwrap_or(s.default_limit).clamp(1, s.max_limit);
    let offset = req.offset.min(1_000_000);
    let ranker = ranker_for(store, req);
    // One pass over the matches of the words gives the hits, the total and every facet's
    // counts under the other filters.
    let fruit = searcher.search(
        &*text,
        &Faceted {
            tables: &tables,
            spec: &spec,
            ranker: &ranker,
            keep: offset + limit,
            by_date: req.sort_by_date,
        },
    )?;
    let total = fruit.total;
    let facets = facets_of(fruit.counts);
    let top: Vec<(f32, DocAddress)> = fruit
        .top
        .into_iter()
        .skip(offset)
        .map(|c| (c.score, c.addr))
        .collect();
    // Without a phrase the marking query is the passage query itself.
    let marking = if user.has_phrase() {
        user.marking(store, Scope::Passages)?
    } else {
        passage_text.box_clone()
    };
    let snippets = Snippets::new(store, &searcher, &*marking)?;
    let metas = top
        .into_iter()
        .map(|(score, addr)| Ok((score, addr, meta_of(&searcher, &tables, addr)?)))
        .collect::<Result<Vec<_>, IndexError>>()?;
    let ids: Vec<String> = metas.iter().map(|(_, _, m)| m.id.clone()).collect();
    let mut passages = best_passages(&f, &searcher, &tables, &*passage_text, &spec, &ranker, &ids)?;
    // A document matches when each word is somewhere in it, not necessarily in one passage:
    // its snippet then comes from the passage with the most of the words to mark.
    let apart: Vec<String> = ids
        .iter()
        .filter(|id| !passages.contains_key(*id))
        .cloned()
        .collect();
    if !apart.is_empty() {
        if let Some(any) = any_marked_term(store, &*marking) {
            passages.extend(best_passages(
                &f, &searcher, &tables, &*any, &spec, &ranker, &apart,
            )?);
        }
    }
    let chars = s.snippet_chars;
    let mut hits = Vec::with_capacity(metas.len());
    for (score, addr, meta) in metas {
        let (snippet, page) = match passages.get(&meta.id) {
            Some((t, p)) => (snippet(chars, snippets.of(&meta.lang), t), *p),
            // No passage holds a word to mark (matched by its title): the body's beginning.
            None => (
                head(chars, &stored_body(&f, &searcher, addr, &meta.lang)?),
                None,
            ),
        };
        hits.push(hit(meta, score, snippet, page));
    }
    Ok(SearchResponse {
        query: req.query.clone(),
        total,
        took_ms: (started.elapsed().as_secs_f64() * 1000.0 * 100.0).round() / 100.0,
        hits,
        facets,
    })
}

/// The facets of a search from its counts: each facet's values, most documents first (years
/// in order).
fn facets_of(c: Counts) -> Facets {
    let values = |pairs: Vec<(String, u64)>| {
        let mut v: Vec<FacetValue> = pairs
            .into_iter()
            .filter(|(_, count)| *count > 0)
            .map(|(value, count)| FacetValue { value, count })
            .collect();
        v.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
        v
    };
    let slugs = |names: Vec<&str>, counts: &[u64]| {
        values(
            names
                .into_iter()
                .map(str::to_string)
                .zip(counts.iter().copied())
                .collect(),
        )
    };
    Facets {
        region: values(c.region),
        goal: slugs(Goal::ALL.iter().map(|g| g.slug()).collect(), &c.goal),
        doc_type: slugs(DocType::ALL.iter().map(|t| t.slug()).collect(), &c.doc_type),
        period: c
            .year
            .into_iter()
            .map(|(y, count)| FacetValue {
                value: y.to_string(),
                count,
            })
            .collect(),
        organisation: values(c.org),
        lang: values(c.lang),
    }
}

/// Snippet makers, made once per search and field.
pub(crate) struct Snippets {
    sv: SnippetMaker,
    en: SnippetMaker,
}

impl Snippets {
    pub(crate) fn new(
        store: &IndexStore,
        searcher: &Searcher,
        text: &dyn Query,
    ) -> Result<Self, IndexError> {
        let f = store.fields();
        let sv = snippet_maker(store, searcher, text, swedish_snippet_field(store))?;
        let en = snippet_maker(store, searcher, text, f.text_en)?;
        Ok(Snippets { sv, en })
    }

    /// The maker for a text in `lang`.
    pub(crate) fn of(&self, lang: &str) -> &SnippetMaker {
        if lang == "en" {
            &self.en
        } else {
            &self.sv
        }
    }
}

/// A query for the passages holding any of the terms `marking` marks in snippets (in the
/// Swedish snippet field or the English text), scored by BM25; `None` without such terms.
fn any_marked_term(store: &IndexStore, marking: &dyn Query) -> Option<Box<dyn Query>> {
    let fields = [swedish_snippet_field(store), store.fields().text_en];
    let clauses: Vec<(Occur, Box<dyn Query>)> = terms_in(marking, &fields)
        .into_iter()
        .map(|t| -> (Occur, Box<dyn Query>) {
            let q = TermQuery::new(t, IndexRecordOption::WithFreqs);
            (Occur::Should, Box::new(q))
        })
        .collect();
    (!clauses.is_empty()).then(|| Box::new(BooleanQuery::new(clauses)) as Box<dyn Query>)
}

/// The distinct terms of `query` in one of `fields`, in order.
fn terms_in(query: &dyn Query, fields: &[Field]) -> std::collections::BTreeSet<Term> {
    let mut terms = std::collections::BTreeSet::new();
    query.query_terms(&mut |term, _| {
        if fields.contains(&term.field()) {
            terms.insert(term.clone());
        }
    });
    terms
}

/// A snippet maker of the terms of `query` in `field` (weighed as tantivy's own snippets:
/// `1 / (1 + doc_freq)`), tokenizing a text as `field` is indexed, except that a `*_parts` field's
/// text is tokenized with each word once, through the word memo ([`schema::mark_analyzer`]).
pub(crate) fn snippet_maker(
    store: &IndexStore,
    searcher: &Searcher,
    query: &dyn Query,
    field: Field,
) -> Result<SnippetMaker, IndexError> {
    let mut weighed = std::collections::BTreeMap::new();
    for term in terms_in(query, &[field]) {
        let Some(text) = term.value().as_str().map(str::to_string) else {
            continue;
        };
        let df = searcher.doc_freq(&term)?;
        if df > 0 {
            weighed.insert(text, 1.0 / (1.0 + df as f32));
        }
    }
    let marker = if field == store.fields().text_parts {
        Marker::Memo(store.marker().clone())
    } else {
        Marker::Plain(searcher.index().tokenizer_for_field(field)?)
    };
    Ok(SnippetMaker::new(
        weighed,
        marker,
        store.config().search.snippet_chars,
    ))
}

/// The field whose analyzer marks Swedish snippets: with compounds on, the parts field, so
/// "våld" marks "våldsutsatta".
pub(crate) fn swedish_snippet_field(store: &IndexStore) -> Field {
    let f = store.fields();
    if store.analysis().compounds.enabled {
        f.text_parts
    } else {
        f.text
    }
}

pub(crate) fn stored_meta(f: &Fields, d: &TantivyDocument) -> Option<DocMeta> {
    d.get_first(f.meta)
        .and_then(|v| v.as_str())
        .and_then(|m| serde_json::from_str(m).ok())
}

/// The metadata of the document entry at `addr` (decoded once per segment, in its table).
fn meta_of(searcher: &Searcher, tables: &Tables, addr: DocAddress) -> Result<DocMeta, IndexError> {
    let table = tables.of(searcher.segment_reader(addr.segment_ord))?;
    table
        .meta_of(addr.doc_id)
        .map(|m| DocMeta::clone(m))
        .ok_or_else(|| IndexError::Open("an index entry has no metadata".into()))
}

/// The stored body of the document entry at `addr` (in the field of its language).
fn stored_body(
    f: &Fields,
    searcher: &Searcher,
    addr: DocAddress,
    lang: &str,
) -> Result<String, IndexError> {
    let d: TantivyDocument = searcher.doc(addr)?;
    let field = if lang == "en" { f.body_en } else { f.body };
    Ok(d.get_first(field)
        .and_then(|v| v.as_str())
        .unwrap_or("")
        .to_string())
}

fn hit(meta: DocMeta, score: f32, snippet: String, page: Option<u32>) -> Hit {
    Hit {
        id: meta.id,
        url: meta.url,
        title: meta.title,
        region: meta.region,
        municipality: meta.municipality,
        organisation: meta.organisation,
        doc_type: meta.doc_type.slug().to_string(),
        period: meta.period.map(HitPeriod::from),
        goals: meta.goals.iter().map(|g| g.slug().to_string()).collect(),
        lang: meta.lang,
        score,
        snippet,
        page,
        path: meta.path,
    }
}

/// The best-matching passage (text, page) of each of the documents `ids`, preferring passages
/// in the goal areas of the goal filter ([`collect::best_passages`]).
fn best_passages(
    f: &Fields,
    searcher: &Searcher,
    tables: &Tables,
    text: &dyn Query,
    spec: &FilterSpec,
    ranker: &Ranker,
    ids: &[String],
) -> Result<HashMap<String, (String, Option<u32>)>, IndexError> {
    let goals = schema::goal_bits(&spec.goals) as u8;
    let best = collect::best_passages(searcher, tables, text, ids, goals, ranker)?;
    let mut out = HashMap::new();
    for (id, addr) in ids.iter().zip(best) {
        let Some(addr) = addr else { continue };
        let d: TantivyDocument = searcher.doc(addr)?;
        let t = [f.text, f.text_en]
            .iter()
            .find_map(|fl| d.get_first(*fl).and_then(|v| v.as_str()))
            .unwrap_or("");
        let page = d
            .get_first(f.page)
            .and_then(|v| v.as_u64())
            .map(|p| p as u32);
        out.insert(id.clone(), (t.to_string(), page));
    }
    Ok(out)
}

/// The snippet of `passage`: the matches of `maker`'s terms marked, HTML-escaped; without
/// a match, the passage's first `chars` characters ([`head`]).
pub(crate) fn snippet(chars: usize, maker: &SnippetMaker, passage: &str) -> String {
    let passage = passage.split_whitespace().collect::<Vec<_>>().join(" ");
    maker
        .html(&passage)
        .unwrap_or_else(|| head(chars, &passage))
}

/// The first `chars` characters of `text` (whitespace runs as one space), escaped, with " …"
/// when there is more; reads no further into `text` than it needs.
fn head(chars: usize, text: &str) -> String {
    let mut collapsed = text
        .split_whitespace()
        .flat_map(|w| std::iter::once(' ').chain(w.chars()))
        .skip(1);
    let out: String = collapsed.by_ref().take(chars).collect();
    let more = if collapsed.next().is_some() {
        " …"
    } else {
        ""
    };
    escape(&out) + more
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Counts of the children of `/root` among the documents matching `q`, largest first.
pub(crate) fn facet_counts(
    searcher: &Searcher,
    q: &dyn Query,
    field: Field,
    root: &str,
) -> Result<Vec<FacetValue>, IndexError> {
    let counts = searcher.search(q, &facet_collector(searcher, field, root))?;
    Ok(facet_values(counts, root))
}

fn facet_collector(searcher: &Searcher, field: Field, root: &str) -> FacetCollector {
    let name = searcher.schema().get_field_name(field).to_string();
    let mut collector = FacetCollector::for_field(name);
    collector.add_facet(Facet::from_path([root]));
    collector
}

/// The children of `/root` with their counts, largest first.
fn facet_values(counts: tantivy::collector::FacetCounts, root: &str) -> Vec<FacetValue> {
    let mut values: Vec<FacetValue> = counts
        .get(Facet::from_path([root]))
        .map(|(facet, count)| FacetValue {
            value: facet
                .to_path()
                .last()
                .map(|s| s.to_string())
                .unwrap_or_default(),
            count,
        })
        .collect();
    values.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
    values
}

#[cfg(test)]
mod tests {
    use super::head;

    #[test]
    fn a_head_is_the_first_characters_with_whitespace_as_one_space_and_escaped() {
        assert_eq!(head(5, "  a  b\n\tc d e"), "a b c …");
        assert_eq!(head(5, "a b c"), "a b c");
        assert_eq!(head(3, "åäö<b>"), "åäö …");
        assert_eq!(head(10, "x <b> & y"), "x &lt;b&gt; &amp; y");
        assert_eq!(head(4, ""), "");
    }
}
