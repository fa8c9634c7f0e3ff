//! Measures side by side: the passages that match a query, grouped by county.
//!
//! The coordinator's question "what do the other counties do about this?": passages (list
//! items and sections) are searched under the filters (a goal filter applies to the passage's
//! own goal areas), then the best few of each county are kept, counties ordered by their best
//! match.

use std::collections::HashMap;

use serde::Serialize;
use tantivy::query::Query;
use tantivy::TantivyDocument;

use crate::facet::filters::FilterSpec;
use crate::query::UserQuery;
use crate::ranking::Ranker;
use crate::request::SearchRequest;
use crate::response::AppliedFilters;
use crate::schema::Scope;
use crate::searcher::SearchIndex;
use crate::snippet::{passage_snippet, Snippets};
use crate::stored::{stored_goals, StoredPassage};
use crate::IndexError;
use plansok_model::Taxonomy;

/// Passages looked at before grouping.
const CANDIDATES: usize = 2000;

/// One measure: a passage with where it comes from.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct Measure {
    pub document_id: String,
    /// Position of the passage in its document (for `/api/documents/{id}/passages/{n}/similar`).
    pub passage_no: u64,
    pub title: String,
    pub url: Option<String>,
    pub organisation: Option<String>,
    pub municipality: Option<String>,
    #[serde(rename = "type")]
    pub doc_type: String,
    pub period: Option<crate::HitPeriod>,
    pub heading: Option<String>,
    pub snippet: String,
    pub goals: Vec<String>,
    pub page: Option<u32>,
    pub score: f32,
}

/// The measures of one county.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct CountyMeasures {
    pub region: String,
    /// Matching passages in this county (among the candidates looked at).
    pub matches: usize,
    pub measures: Vec<Measure>,
}

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct MeasuresResponse {
    pub query: String,
    pub counties: Vec<CountyMeasures>,
    /// The request's filters as the index read them (as a search answer names them).
    pub filters: AppliedFilters,
}

/// Groups the passages matching `req` by county, `per_county` best of each.
pub fn measures(
    index: &SearchIndex,
    tax: &Taxonomy,
    req: &SearchRequest,
    per_county: usize,
) -> Result<MeasuresResponse, IndexError> {
    let f = *index.fields();
    let spec = FilterSpec::parse(tax, req)?;
    let filters = spec.queries(&f);
    // Measures are compared side by side: a passage holds every word of the query.
    let (user, text) = UserQuery::read_with(
        index.parsers(),
        &req.query,
        Scope::Passages,
        req.strict_syntax,
        true,
    )?;
    let searcher = index.reader().searcher();
    // Words the walk seeks into, led by a sparser word or filter, walked field by field.
    let mut qs: Vec<Box<dyn Query>> = vec![crate::query::word_union::side_by_side(
        text, &filters, &searcher,
    )];
    qs.extend(filters);
    let q = crate::query::all_of(qs);
    let ranker = Ranker::for_request(index, tax, req);
    // The candidates' factors from the tables' rank bytes, and their documents from the
    // tables' metadata: no column nor stored entry is read per candidate.
    let tables = index.facet_tables(&searcher)?;
    let ranks = tables.rank_bytes(&searcher)?;
    let top = ranker.top_entries(&searcher, &tables, &ranks, &*q, CANDIDATES, 0)?;
    let marking = user.marking(index.parsers(), Scope::Passages)?;
    let snippets = Snippets::new(index, &searcher, &*marking)?;
    let chars = index.config().search.snippet_chars;
    // Counties in the order of their best match; a county's place found by its name.
    let mut counties: Vec<CountyMeasures> = Vec::new();
    let mut county_at: HashMap<String, usize> = HashMap::new();
    let segment_tables = tables.by_ordinal(&searcher)?;
    for (score, addr) in top {
        let Some(table) = segment_tables.get(addr.segment_ord as usize) else {
            continue;
        };
        let Some(meta) = table.entry_meta(addr.doc_id) else {
            continue;
        };
        let Some(region) = &meta.region else {
            continue;
        };
        let at = match county_at.get(region.as_str()) {
            Some(&at) => at,
            None => {
                county_at.insert(region.clone(), counties.len());
                counties.push(CountyMeasures {
                    region: region.clone(),
                    matches: 0,
                    measures: Vec::new(),
                });
                counties.len() - 1
            }
        };
        let entry = &mut counties[at];
        entry.matches += 1;
        if entry.measures.len() >= per_county {
            continue;
        }
        let d: TantivyDocument = searcher.doc(addr)?;
        let passage = StoredPassage::read(&f, &d);
        let snippet = passage_snippet(
            chars,
            snippets.of(&meta.lang),
            &passage.text,
            passage.heading.as_deref(),
        );
        let goals = stored_goals(&f, &d);
        entry.measures.push(Measure {
            document_id: meta.id.clone(),
            passage_no: passage.no,
            title: meta.title.clone(),
            url: meta.url.clone(),
            organisation: meta.organisation.clone(),
            municipality: meta.municipality.clone(),
            doc_type: meta.doc_type.slug().to_string(),
            period: meta.period.map(crate::HitPeriod::from),
            heading: passage.heading,
            snippet,
            goals,
            page: passage.page,
            score,
        });
    }
    Ok(MeasuresResponse {
        query: req.query.clone(),
        counties,
        filters: spec.applied(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{self, section};
    use crate::SearchConfig;
    use plansok_model::Document;

    /// A plan in `county` with one passage under `heading`.
    fn plan(id: &str, county: &str, heading: &str, text: &str) -> Document {
        let passages = vec![section(text, Some(heading))];
        Document {
            region: Some(county.into()),
            ..test_support::plan(id, id, text, passages)
        }
    }

    #[test]
    fn a_measure_matched_by_its_heading_shows_its_text_escaped_and_cut() {
        let tax = Taxonomy::load().unwrap();
        let county = tax.counties()[0].name.clone();
        let dir = tempfile::tempdir().unwrap();
        let mut index = crate::Indexer::open(dir.path(), SearchConfig::load().unwrap()).unwrap();
        let text = format!(
            "Stöd <b>&</b> hjälp\n\n till   utsatta. {}",
            "Mer text. ".repeat(60)
        );
        index
            .upsert(&plan("p1", &county, "Kvinnojourer", &text))
            .unwrap();
        index.commit().unwrap();
        index.reader().reload().unwrap();
        let req = SearchRequest {
            query: "kvinnojourer".into(),
            ..SearchRequest::default()
        };
        let got = measures(&index, &tax, &req, 3).unwrap();
        let m = &got.counties[0].measures[0];
        let chars = index.config().search.snippet_chars;
        // No word of the query in the text: its beginning, as a hit's snippet would show it.
        assert!(
            m.snippet
                .starts_with("Stöd &lt;b&gt;&amp;&lt;/b&gt; hjälp till utsatta."),
            "{}",
            m.snippet
        );
        assert!(!m.snippet.contains('<'), "{}", m.snippet);
        assert!(m.snippet.ends_with(" …"), "{}", m.snippet);
        assert!(m.snippet.chars().count() < chars + 40, "{}", m.snippet);
    }
}
