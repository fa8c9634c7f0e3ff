//! Faceted search over documents, with the best passage's snippet and page for each hit.
//!
//! Filters: region (county or municipality; a county matches its municipalities), period
//! (overlap with the requested years), goal, type, organisation, language (see
//! [`crate::facet::filters`]). Every facet is counted under all filters but its own, so a user
//! sees what each value would give; the hits, the total and all counts come from one pass over
//! the matches of the query's words ([`crate::facet::faceted::Faceted`]).

use std::collections::HashMap;
use std::time::Instant;

use tantivy::query::Query;
use tantivy::schema::Value;
use tantivy::{DocAddress, Searcher, TantivyDocument};

use crate::dedup::{self, Folded};
use crate::error::invalid;
use crate::facet::best_passages;
use crate::facet::counts::Counts;
use crate::facet::faceted::Faceted;
use crate::facet::filters::FilterSpec;
use crate::facet::table::Tables;
use crate::meta::DocMeta;
use crate::query::UserQuery;
use crate::ranking::Ranker;
use crate::request::SearchRequest;
use crate::response::{AlsoAt, FacetValue, Facets, Hit, HitPeriod, SearchResponse};
use crate::schema::{self, Fields, Scope};
use crate::searcher::SearchIndex;
use crate::snippet::{any_marked_term, head, passage_snippet, Snippets};
use crate::stored::StoredPassage;
use crate::IndexError;
use plansok_model::{DocType, Goal, Taxonomy};

/// Runs a search.
pub fn search(
    index: &SearchIndex,
    tax: &Taxonomy,
    req: &SearchRequest,
) -> Result<SearchResponse, IndexError> {
    let started = Instant::now();
    let s = &index.config().search;
    if req.query.chars().count() > s.max_query_chars {
        return Err(invalid(
            "query",
            format!("longer than {} characters", s.max_query_chars),
        ));
    }
    let f = *index.fields();
    let spec = FilterSpec::parse(tax, req)?;
    let (user, text) = UserQuery::read(
        index.parsers(),
        &req.query,
        Scope::Documents,
        req.strict_syntax,
    )?;
    let passage_text = user.text(index.parsers(), Scope::Passages)?;
    let searcher = index.reader().searcher();
    let tables = index.facet_tables(&searcher)?;
    let limit = req.limit.unwrap_or(s.default_limit).min(s.max_limit);
    let offset = req.offset.min(1_000_000);
    let ranker = Ranker::for_request(index, tax, req);
    let folding = if req.keep_near_duplicates {
        0
    } else {
        s.near_duplicate_bits
    };
    // A request for the facets alone (`limit=0`) keeps no hit: nothing is folded, and the
    // pass scores nothing (`Faceted::requires_scoring`).
    let counting_only = limit == 0;
    let pool = if folding > 0 && !counting_only {
        s.near_duplicate_pool
    } else {
        0
    };
    // One pass over the matches of the words gives the hits, the total and every facet's
    // counts under the other filters.
    let fruit = Faceted {
        tables: &tables,
        spec: &spec,
        ranker: &ranker,
        keep: if counting_only {
            0
        } else {
            offset + limit + pool
        },
        by_date: req.sort_by_date,
    }
    .run(&searcher, &*text)?;
    let total = fruit.total;
    let facets = facets_of(fruit.counts);
    // Every match was ranked (none beyond the pool): its folded count is the number of hits.
    let all_ranked = !counting_only && fruit.top.len() == total;
    // Near-duplicates folded into the better hit, then the page.
    let folded = dedup::collapse(&searcher, &tables, fruit.top, folding)?;
    let distinct = if folding == 0 {
        Some(total)
    } else {
        all_ranked.then_some(folded.len())
    };
    let top: Vec<Folded> = folded.into_iter().skip(offset).take(limit).collect();
    // Without a phrase the marking query is the passage query itself.
    let marking = if user.has_phrase() {
        user.marking(index.parsers(), Scope::Passages)?
    } else {
        passage_text.box_clone()
    };
    let snippets = Snippets::new(index, &searcher, &*marking)?;
    let metas = top
        .into_iter()
        .map(|f| {
            let also_at = f
                .others
                .iter()
                .map(|a| meta_of(&searcher, &tables, *a).map(also_at))
                .collect::<Result<Vec<_>, IndexError>>()?;
            let meta = meta_of(&searcher, &tables, f.best.addr)?;
            Ok((f.best.score, f.best.addr, meta, also_at))
        })
        .collect::<Result<Vec<_>, IndexError>>()?;
    let ids: Vec<String> = metas.iter().map(|(_, _, m, _)| m.id.clone()).collect();
    let passage_search = PassageSearch {
        f: &f,
        searcher: &searcher,
        tables: &tables,
        spec: &spec,
        ranker: &ranker,
    };
    let mut passages = passage_search.best(&*passage_text, &ids)?;
    // A document matches when each word is somewhere in it, not necessarily in one passage:
    // its snippet then comes from the passage with the most of the words to mark.
    let apart: Vec<String> = ids
        .iter()
        .filter(|id| !passages.contains_key(*id))
        .cloned()
        .collect();
    if !apart.is_empty() {
        if let Some(any) = any_marked_term(index, &*marking) {
            passages.extend(passage_search.best(&*any, &apart)?);
        }
    }
    let chars = s.snippet_chars;
    let mut hits = Vec::with_capacity(metas.len());
    for (score, addr, meta, also_at) in metas {
        let (snippet, page) = match passages.get(&meta.id) {
            Some(p) => (
                passage_snippet(
                    chars,
                    snippets.of(&meta.lang),
                    &p.text,
                    p.heading.as_deref(),
                ),
                p.page,
            ),
            // No passage holds a word to mark (matched by its title): the body's beginning.
            None => (
                head(chars, &stored_body(&f, &searcher, addr, &meta.lang)?),
                None,
            ),
        };
        hits.push(Hit {
            also_at,
            ..hit(meta, score, snippet, page)
        });
    }
    Ok(SearchResponse {
        query: req.query.clone(),
        total,
        distinct,
        took_ms: (started.elapsed().as_secs_f64() * 1000.0 * 100.0).round() / 100.0,
        hits,
        facets,
        filters: spec.applied(),
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
        topic: slugs(
            crate::facet::filters::TOPICS
                .iter()
                .map(|(s, _)| *s)
                .collect(),
            &c.topic,
        ),
    }
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
        first_seen: meta.first_seen,
        also_at: Vec::new(),
        path: meta.path,
    }
}

fn also_at(meta: DocMeta) -> AlsoAt {
    AlsoAt {
        id: meta.id,
        url: meta.url,
        title: meta.title,
        region: meta.region,
    }
}

/// What finding the best passages of a page of hits needs.
struct PassageSearch<'a> {
    f: &'a Fields,
    searcher: &'a Searcher,
    tables: &'a Tables,
    spec: &'a FilterSpec,
    ranker: &'a Ranker,
}

impl PassageSearch<'_> {
    /// The best-matching passage of each of the documents `ids` among the
    /// matches of `text`, preferring passages in the goal areas of the goal filter
    /// ([`best_passages::best_passages`]).
    fn best(
        &self,
        text: &dyn Query,
        ids: &[String],
    ) -> Result<HashMap<String, StoredPassage>, IndexError> {
        let goals = schema::goal_bits(&self.spec.goals) as u8;
        let best = best_passages::best_passages(
            self.searcher,
            self.tables,
            text,
            ids,
            goals,
            self.ranker,
        )?;
        let mut out = HashMap::new();
        for (id, addr) in ids.iter().zip(best) {
            let Some(addr) = addr else { continue };
            let d: TantivyDocument = self.searcher.doc(addr)?;
            out.insert(id.clone(), StoredPassage::read(self.f, &d));
        }
        Ok(out)
    }
}
