//! Counts of documents and passages per county, type, goal and year.

use serde::Serialize;
use tantivy::query::{Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::Term;

use crate::schema::{KIND_DOC, KIND_PASSAGE};
use crate::search::{facet_counts, FacetValue};
use crate::store::IndexStore;
use crate::IndexError;

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

fn counts(store: &IndexStore, kind: &str) -> Result<Counts, IndexError> {
    let f = store.fields();
    let searcher = store.reader().searcher();
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
pub fn stats(store: &IndexStore) -> Result<Stats, IndexError> {
    Ok(Stats {
        documents: counts(store, KIND_DOC)?,
        passages: counts(store, KIND_PASSAGE)?,
    })
}
