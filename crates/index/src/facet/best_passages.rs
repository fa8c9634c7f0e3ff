//! The best passage of each of a few documents ([`best_passages`]), by the passage query
//! restricted to the passages the facet table lists for them.

use std::ops::Range;
use std::sync::Arc;

use tantivy::query::{EnableScoring, Query};
use tantivy::{DocAddress, DocId, DocSet, Score, Searcher, SegmentOrdinal, TERMINATED};

use super::table::{SegmentTable, Tables};
use super::top_k::Candidate;
use crate::query::dense::DensePlan;
use crate::query::restrict::{restrict, EntrySet};
use crate::ranking::Ranker;

/// Per id (in the order given): the best passage in the goals and the best of all.
type Bests = Vec<(Option<Candidate>, Option<Candidate>)>;

/// Passages to score, with the position in `ids` of their document, in doc id order.
type Wanted = Vec<(DocId, usize)>;

fn keep_better(slot: &mut Option<Candidate>, c: Candidate) {
    if slot.is_none_or(|s| c.rank(&s).is_gt()) {
        *slot = Some(c);
    }
}

/// The runs of consecutive entries of `w` (sorted).
fn runs(w: &Wanted) -> Vec<Range<DocId>> {
    let mut out: Vec<Range<DocId>> = Vec::new();
    for &(d, _) in w {
        match out.last_mut() {
            Some(r) if r.end == d => r.end = d + 1,
            Some(r) if r.end > d => {}
            _ => out.push(d..d + 1),
        }
    }
    out
}

/// The best passage among the matches of `query` (a passage query) of each document of
/// `ids`, preferring passages in one of `goals` (the request's goal filter) when a document has
/// one; scored as a passage search scores (BM25 times the ranking factors), ties to the earlier
/// entry. The passages of the documents are read off the facet table, and the query's words
/// are scored over them ([`DensePlan`]), or, for a query of more words than a plan holds, the
/// query is run restricted to them ([`crate::query::restrict`]).
pub(crate) fn best_passages(
    searcher: &Searcher,
    tables: &Tables,
    query: &dyn Query,
    ids: &[String],
    goals: u8,
    ranker: &Ranker,
) -> tantivy::Result<Vec<Option<DocAddress>>> {
    // Per segment: its table and (passage, position in `ids`), in doc id order.
    let mut wanted: Vec<(Arc<SegmentTable>, Wanted)> = Vec::new();
    for reader in searcher.segment_readers() {
        let table = tables.of(reader)?;
        let mut w: Wanted = ids
            .iter()
            .enumerate()
            .filter_map(|(slot, id)| table.doc_ids.id(id).map(|d| (d, slot)))
            .flat_map(|(d, slot)| table.passages_of(d).iter().map(move |&p| (p, slot)))
            .collect();
        w.sort_unstable();
        wanted.push((table, w));
    }
    let scoring = EnableScoring::enabled_from_searcher(searcher);
    let plan = DensePlan::of(query, scoring)?;
    let mut weight = None;
    let mut best: Bests = vec![(None, None); ids.len()];
    for (segment, reader) in searcher.segment_readers().iter().enumerate() {
        let (table, w) = &wanted[segment];
        if w.is_empty() {
            continue;
        }
        let factor = ranker.scorer(reader);
        let alive = reader.alive_bitset();
        let mut offer = |d: DocId, score: Score| {
            let slot = w.partition_point(|(p, _)| *p < d);
            let Some(&(_, slot)) = w.get(slot).filter(|(p, _)| *p == d) else {
                return;
            };
            if alive.is_some_and(|a| a.is_deleted(d)) {
                return;
            }
            let s = factor(d, score);
            // Passages compared are of one document: ties to the earlier one.
            let c = Candidate {
                key: s,
                score: s,
                tie: 0,
                addr: DocAddress::new(segment as SegmentOrdinal, d),
            };
            let (in_goal, any) = &mut best[slot];
            let row_goals = table.entries.get(d as usize).map_or(0, |e| e.goals);
            if goals & row_goals != 0 {
                keep_better(in_goal, c);
            }
            keep_better(any, c);
        };
        if let Some(plan) = &plan {
            // A hit's passages are runs of consecutive entries: its words read term by term
            // over them.
            plan.score(reader, runs(w))?.for_each_match(&mut offer);
            continue;
        }
        if weight.is_none() {
            let set = EntrySet::new(
                searcher
                    .segment_readers()
                    .iter()
                    .zip(&wanted)
                    .map(|(r, (_, w))| (r.segment_id(), w.iter().map(|(d, _)| *d).collect()))
                    .collect(),
            );
            weight = Some(restrict(query, &set).weight(scoring)?);
        }
        let weight = weight.as_deref().expect("set above");
        let mut scorer = weight.scorer(reader, 1.0)?;
        let mut doc = scorer.doc();
        while doc != TERMINATED {
            offer(doc, scorer.score());
            doc = scorer.advance();
        }
    }
    Ok(best
        .into_iter()
        .map(|(g, a)| g.or(a).map(|c| c.addr))
        .collect())
}
