//! A query over given entries: [`EntrySet`] matches the doc ids it holds per segment and adds
//! nothing to a score; [`restrict`] pushes such a filter into every clause of a query.
//!
//! The best passages of a page of hits are a few hundred known entries. Matched as
//! `query AND entries` the filter would sit beside a union of field clauses that reads ahead in
//! windows of thousands of entries (matching a phrase in each); pushed into each clause, every
//! clause leaps from one wanted entry to the next.

use std::collections::HashMap;
use std::sync::Arc;

use tantivy::index::SegmentId;
use tantivy::query::{
    BooleanQuery, ConstScorer, EnableScoring, Explanation, Occur, Query, Scorer, Weight,
};
use tantivy::{DocId, DocSet, Score, SegmentReader, TantivyError, TERMINATED};

/// The entries of `docs` (sorted doc ids per segment).
#[derive(Debug, Clone)]
pub(crate) struct EntrySet {
    docs: Arc<HashMap<SegmentId, Vec<DocId>>>,
}

impl EntrySet {
    /// `docs` need not be sorted nor unique.
    pub fn new(mut docs: HashMap<SegmentId, Vec<DocId>>) -> Self {
        for d in docs.values_mut() {
            d.sort_unstable();
            d.dedup();
        }
        EntrySet {
            docs: Arc::new(docs),
        }
    }
}

impl Query for EntrySet {
    fn weight(&self, _: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(self.clone()))
    }
}

impl Weight for EntrySet {
    fn scorer(&self, reader: &SegmentReader, _boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let docs = self.docs.get(&reader.segment_id()).cloned();
        Ok(Box::new(ConstScorer::new(
            SortedDocs::new(docs.unwrap_or_default()),
            0.0,
        )))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let listed = self
            .docs
            .get(&reader.segment_id())
            .is_some_and(|d| d.binary_search(&doc).is_ok());
        if listed {
            Ok(Explanation::new("EntrySet", 0.0))
        } else {
            Err(TantivyError::InvalidArgument(format!(
                "entry {doc} is not in the set"
            )))
        }
    }
}

/// A sorted list of doc ids as a [`DocSet`].
struct SortedDocs {
    docs: Vec<DocId>,
    at: usize,
}

impl SortedDocs {
    fn new(docs: Vec<DocId>) -> Self {
        SortedDocs { docs, at: 0 }
    }
}

impl DocSet for SortedDocs {
    fn advance(&mut self) -> DocId {
        self.at = (self.at + 1).min(self.docs.len());
        self.doc()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        let rest = self.docs.get(self.at..).unwrap_or(&[]);
        self.at += rest.partition_point(|&d| d < target);
        self.doc()
    }

    fn doc(&self) -> DocId {
        self.docs.get(self.at).copied().unwrap_or(TERMINATED)
    }

    fn size_hint(&self) -> u32 {
        (self.docs.len() - self.at.min(self.docs.len())) as u32
    }
}

/// `q` restricted to the entries `filter` matches, with the filter pushed down to every clause
/// of `q` (see the module doc). Matches and scores are those of `q AND filter` when the filter
/// adds nothing to a score.
pub(crate) fn restrict(q: &dyn Query, filter: &dyn Query) -> Box<dyn Query> {
    if let Some(b) = q.downcast_ref::<BooleanQuery>() {
        let clauses = b
            .clauses()
            .iter()
            .map(|(occur, c)| match occur {
                Occur::MustNot => (*occur, c.box_clone()),
                _ => (*occur, restrict(&**c, filter)),
            })
            .collect();
        return Box::new(BooleanQuery::with_minimum_required_clauses(
            clauses,
            b.get_minimum_number_should_match(),
        ));
    }
    Box::new(BooleanQuery::new(vec![
        (Occur::Must, q.box_clone()),
        (Occur::Must, filter.box_clone()),
    ]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted_docs_advance_and_seek_to_the_next_listed_entry() {
        let mut d = SortedDocs::new(vec![2, 5, 9, 40]);
        assert_eq!((d.doc(), d.size_hint()), (2, 4));
        assert_eq!(d.seek(2), 2);
        assert_eq!(d.seek(6), 9);
        assert_eq!(d.advance(), 40);
        assert_eq!(d.seek(41), TERMINATED);
        assert_eq!(d.advance(), TERMINATED);
        assert_eq!(SortedDocs::new(Vec::new()).doc(), TERMINATED);
    }
}
