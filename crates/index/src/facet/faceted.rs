//! Document search in one pass over the matches of the text query ([`Faceted`]). Each match is
//! checked against every facet filter; one that passes all is a hit (counted, ranked and
//! counted in every facet), one that fails exactly one filter is counted in that filter's
//! facet only. So each facet is counted under all the other filters ("drill sideways"),
//! without running the query again per filtered facet.

use std::sync::Arc;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::query::{EnableScoring, Query, Weight};
use tantivy::{
    DocAddress, DocId, DocSet, Score, Searcher, SegmentOrdinal, SegmentReader, TERMINATED,
};

use super::counts::{Counts, LocalCounts};
use super::filters::{FilterSpec, DIMS};
use super::segment_filter::SegmentFilter;
use super::table::{place_key, Row, SegmentTable, Tables};
use super::top_k::{Candidate, TopK};
use crate::query::dense::DensePlan;
use crate::ranking::Ranker;

/// Document search in one pass: hits, total and every facet's counts. The query must match
/// document entries only (their rows are the ones the table keeps).
pub(crate) struct Faceted<'a> {
    pub tables: &'a Tables,
    pub spec: &'a FilterSpec,
    pub ranker: &'a Ranker,
    /// How many of the best hits to keep (offset + limit).
    pub keep: usize,
    /// Rank by the end of the plan period, newest first, instead of by score.
    pub by_date: bool,
}

/// What [`Faceted`] found.
#[derive(Debug, Default)]
pub(crate) struct FacetedFruit {
    /// Matches passing every filter.
    pub total: usize,
    /// The best of them, best first.
    pub top: Vec<Candidate>,
    pub counts: Counts,
}

pub(crate) struct FacetedSegment {
    table: Arc<SegmentTable>,
    filter: SegmentFilter,
    ranker: Ranker,
    /// The segment's ids of the counties and municipalities the query names.
    named: NamedPlaces,
    by_date: bool,
    segment: SegmentOrdinal,
    total: usize,
    top: TopK,
    counts: LocalCounts,
}

impl Faceted<'_> {
    /// Searches `query` over every segment. In a segment whose documents are its first entries,
    /// the query's words are scored term by term over them ([`DensePlan`]); elsewhere, and for
    /// a query of more words than a plan holds, by the query's own scorer
    /// ([`Collector::collect_segment`]). The same hits, totals and counts either way.
    pub fn run(&self, searcher: &Searcher, query: &dyn Query) -> tantivy::Result<FacetedFruit> {
        let scoring = if self.requires_scoring() {
            EnableScoring::enabled_from_searcher(searcher)
        } else {
            EnableScoring::disabled_from_searcher(searcher)
        };
        let plan = DensePlan::of(query, scoring)?;
        let mut weight = None;
        let mut fruits = Vec::with_capacity(searcher.segment_readers().len());
        for (segment, reader) in searcher.segment_readers().iter().enumerate() {
            let segment = segment as SegmentOrdinal;
            let docs = self.tables.of(reader)?.documents.prefix_len();
            let fruit = match (&plan, docs) {
                (Some(plan), Some(docs)) => self.collect_dense(plan, docs, segment, reader)?,
                _ => {
                    if weight.is_none() {
                        weight = Some(query.weight(scoring)?);
                    }
                    let w = weight.as_deref().expect("set above");
                    self.collect_segment(w, segment, reader)?
                }
            };
            fruits.push(fruit);
        }
        self.merge_fruits(fruits)
    }

    /// [`Collector::collect_segment`] with the matches and scores of `plan` over the segment's
    /// `docs` first entries.
    fn collect_dense(
        &self,
        plan: &DensePlan,
        docs: u32,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<FacetedFruit> {
        let mut collector = self.for_segment(segment, reader)?;
        let mut dense = plan.score(reader, std::iter::once(0..docs).collect())?;
        let alive = reader.alive_bitset();
        dense.for_each_match(|doc, score| {
            if alive.is_none_or(|a| a.is_alive(doc)) {
                collector.offer(doc, || score);
            }
        });
        Ok(collector.harvest())
    }
}

impl Collector for Faceted<'_> {
    type Fruit = FacetedFruit;
    type Child = FacetedSegment;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<FacetedSegment> {
        let table = self.tables.of(reader)?;
        Ok(FacetedSegment {
            filter: SegmentFilter::new(self.spec, &table),
            counts: LocalCounts::new(&table),
            named: NamedPlaces::new(self.ranker, &table),
            ranker: self.ranker.clone(),
            by_date: self.by_date,
            segment,
            total: 0,
            top: TopK::new(self.keep),
            table,
        })
    }

    /// Hits ranked by date, or none kept (a request for the facets alone), need no score.
    fn requires_scoring(&self) -> bool {
        !self.by_date && self.keep > 0
    }

    /// Walks the matches itself instead of through [`Weight::for_each`], which scores every
    /// match before the collector sees it: here only the hits are scored, not the matches a
    /// filter drops nor those counted in one facet only. The matches, totals and counts are
    /// those of tantivy's walk (`one_pass_equals_a_query_per_facet`).
    fn collect_segment(
        &self,
        weight: &dyn Weight,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<FacetedFruit> {
        let mut collector = self.for_segment(segment, reader)?;
        let mut scorer = weight.scorer(reader, 1.0)?;
        let alive = reader.alive_bitset();
        let mut doc = scorer.doc();
        while doc != TERMINATED {
            if alive.is_none_or(|a| a.is_alive(doc)) {
                collector.offer(doc, || scorer.score());
            }
            doc = scorer.advance();
        }
        Ok(collector.harvest())
    }

    fn merge_fruits(&self, fruits: Vec<FacetedFruit>) -> tantivy::Result<FacetedFruit> {
        // The first segment's counts are taken as they are (an index is mostly one segment
        // after a run's merge): only the others are added to them by name.
        let mut fruits = fruits.into_iter();
        let mut out = fruits.next().unwrap_or_default();
        for f in fruits {
            out.total += f.total;
            out.top.extend(f.top);
            out.counts.merge(f.counts);
        }
        out.top.sort_by(|a, b| b.rank(a));
        out.top.truncate(self.keep);
        Ok(out)
    }
}

impl FacetedSegment {
    /// Counts and ranks `doc`; `score` is asked only for a hit (a match that passes every
    /// filter) ranked by score.
    #[inline]
    fn offer(&mut self, doc: DocId, score: impl FnOnce() -> Score) {
        let documents = &self.table.documents;
        let Some(at) = documents.at(doc) else {
            return;
        };
        let Some(row) = documents.row(at) else {
            return;
        };
        match self.filter.fails(row) {
            0 => {
                self.total += 1;
                self.counts.add_all(row);
                if !self.top.keeps_any() {
                    return;
                }
                let (key, score) = if self.by_date {
                    (row.end as f32, 0.0)
                } else {
                    // A document's goal bits are its goal facets, as in the table.
                    let s = score()
                        * self.ranker.factor(row.doc_type as u64, row.goals as u64)
                        * self.ranker.place_factor(self.named.holds(row))
                        * self.ranker.topic_factor(row.off_topic);
                    (s, s)
                };
                self.top.push(Candidate {
                    key,
                    score,
                    tie: documents.tie_at(at),
                    addr: DocAddress::new(self.segment, doc),
                });
            }
            bits if bits.is_power_of_two() => {
                if let Some(d) = DIMS.get(bits.trailing_zeros() as usize) {
                    self.counts.add(*d, row);
                }
            }
            _ => {}
        }
    }
}

impl SegmentCollector for FacetedSegment {
    type Fruit = FacetedFruit;

    fn collect(&mut self, doc: DocId, score: Score) {
        self.offer(doc, || score);
    }

    fn harvest(self) -> FacetedFruit {
        FacetedFruit {
            total: self.total,
            top: self.top.into_sorted(),
            counts: self.counts.into_counts(&self.table),
        }
    }
}

/// The places a query names, as one segment's table ids.
#[derive(Debug, Default)]
struct NamedPlaces {
    counties: Vec<u16>,
    places: Vec<u16>,
}

impl NamedPlaces {
    fn new(ranker: &Ranker, table: &SegmentTable) -> Self {
        let mut named = NamedPlaces::default();
        for (county, municipality) in ranker.places() {
            match municipality {
                None => named
                    .counties
                    .extend(table.counties.id(county).map(|i| i as u16)),
                Some(m) => named
                    .places
                    .extend(table.places.id(&place_key(county, m)).map(|i| i as u16)),
            }
        }
        named
    }

    #[inline]
    fn holds(&self, row: &Row) -> bool {
        (!self.counties.is_empty() && self.counties.contains(&row.county))
            || (!self.places.is_empty() && row.place != 0 && self.places.contains(&row.place))
    }
}
