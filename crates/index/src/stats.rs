//! Counts of documents and passages per county, type, goal and year.

use serde::Serialize;
use tantivy::query::{Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::Term;

use crate::response::FacetValue;
use crate::schema::{KIND_DOC, KIND_PASSAGE};
use crate::searcher::SearchIndex;
use crate::IndexError;
use tantivy::collector::FacetCollector;
use tantivy::schema::{Facet, Field};
use tantivy::Searcher;

/// Counts of one kind of entry.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Counts {
    pub total: usize,
    pub region: Vec<FacetValue>,
    #[serde(rename = "type")]
    pub doc_type: Vec<FacetValue>,
    pub goal: Vec<FacetValue>,
    pub year: Vec<FacetValue>,
}

/// What `plansok stats` shows.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Stats {
    pub documents: Counts,
    pub passages: Counts,
}

fn counts(index: &SearchIndex, kind: &str) -> Result<Counts, IndexError> {
    let f = index.fields();
    let searcher = index.reader().searcher();
    let q: Box<dyn Query> = Box::new(TermQuery::new(
        Term::from_field_text(f.kind, kind),
        IndexRecordOption::Basic,
    ));
    let total = searcher.search(&*q, &tantivy::collector::Count)?;
    let mut year = facet_counts(&searcher, &*q, f.year, "year")?;
    year.sort_by(|a, b| a.value.cmp(&b.value));
    Ok(Counts {
        total,
        region: facet_counts(&searcher, &*q, f.region, "region")?,
        doc_type: facet_counts(&searcher, &*q, f.doc_type, "type")?,
        goal: facet_counts(&searcher, &*q, f.goal, "goal")?,
        year,
    })
}

/// Counts documents and passages in the committed index.
pub fn stats(index: &SearchIndex) -> Result<Stats, IndexError> {
    Ok(Stats {
        documents: counts(index, KIND_DOC)?,
        passages: counts(index, KIND_PASSAGE)?,
    })
}

/// Counts of the children of `/root` among the documents matching `q`, largest first.
fn facet_counts(
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
