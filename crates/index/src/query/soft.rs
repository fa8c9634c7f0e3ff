//! The soft conjunction of a query's words in one scorer ([`SoftConjunction`]): an entry
//! matches when it has at least `need` of the words, scores the sum of its words' scores, and
//! scores `all_factor` times that when it has every word.
//!
//! That is what a `BooleanQuery` of the words with `minimum_required_clauses`, plus the
//! words' conjunction boosted as a `Should` clause beside it, computes, but that pair reads
//! every word's postings twice (once in the union, once in the conjunction) and keeps the union
//! in a heap. Here the words' scorers are walked once, side by side: a query has a handful of
//! words, so finding the smallest document among them is a scan of a short vector.

use tantivy::query::{
    BooleanQuery, BoostQuery, EnableScoring, Explanation, Occur, Query, Scorer, Weight,
};
use tantivy::{DocId, DocSet, Score, SegmentReader, Term, TERMINATED};

/// Entries with at least `need` of `words`; all of them: the score times `all_factor`.
#[derive(Debug)]
pub(crate) struct SoftConjunction {
    words: Vec<Box<dyn Query>>,
    need: usize,
    all_factor: f32,
}

impl SoftConjunction {
    /// `need` is clamped to 1..=words.
    pub(crate) fn new(words: Vec<Box<dyn Query>>, need: usize, all_factor: f32) -> Self {
        let need = need.clamp(1, words.len().max(1));
        SoftConjunction {
            words,
            need,
            all_factor,
        }
    }

    /// The words, how many of them a match needs, and the factor of a match with all of them.
    pub(crate) fn parts(&self) -> (&[Box<dyn Query>], usize, f32) {
        (&self.words, self.need, self.all_factor)
    }

    /// Any one word: tantivy's union of the words (buffered, a window of entries at a time)
    /// beside their conjunction boosted, which is faster than walking the words entry by entry.
    fn as_union(&self) -> BooleanQuery {
        let any = self
            .words
            .iter()
            .map(|q| (Occur::Should, q.box_clone()))
            .collect();
        let all = self
            .words
            .iter()
            .map(|q| (Occur::Must, q.box_clone()))
            .collect();
        let bonus = BoostQuery::new(
            Box::new(BooleanQuery::new(all)),
            (self.all_factor - 1.0).max(0.0),
        );
        BooleanQuery::new(vec![
            (Occur::Must, Box::new(BooleanQuery::new(any))),
            (Occur::Should, Box::new(bonus)),
        ])
    }
}

impl Clone for SoftConjunction {
    fn clone(&self) -> Self {
        SoftConjunction {
            words: self.words.iter().map(|q| q.box_clone()).collect(),
            need: self.need,
            all_factor: self.all_factor,
        }
    }
}

impl Query for SoftConjunction {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        if self.need == 1 && self.words.len() > 1 {
            return self.as_union().weight(scoring);
        }
        let weights = self
            .words
            .iter()
            .map(|q| q.weight(scoring))
            .collect::<tantivy::Result<Vec<_>>>()?;
        Ok(Box::new(SoftWeight {
            weights,
            need: self.need,
            all_factor: self.all_factor,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for q in &self.words {
            q.query_terms(visitor);
        }
    }
}

struct SoftWeight {
    weights: Vec<Box<dyn Weight>>,
    need: usize,
    all_factor: f32,
}

impl Weight for SoftWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let scorers = self
            .weights
            .iter()
            .map(|w| w.scorer(reader, boost))
            .collect::<tantivy::Result<Vec<_>>>()?;
        Ok(Box::new(SoftScorer::new(
            scorers,
            self.need,
            self.all_factor,
        )))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        super::explain_score("SoftConjunction", self.scorer(reader, 1.0)?, doc)
    }
}

/// The words' scorers walked side by side.
struct SoftScorer {
    scorers: Vec<Box<dyn Scorer>>,
    need: usize,
    all_factor: f32,
    doc: DocId,
}

impl SoftScorer {
    fn new(scorers: Vec<Box<dyn Scorer>>, need: usize, all_factor: f32) -> Self {
        let mut s = SoftScorer {
            scorers,
            need,
            all_factor,
            doc: 0,
        };
        s.doc = s.settle();
        s
    }

    /// The first document from the scorers' current ones that has `need` of the words.
    fn settle(&mut self) -> DocId {
        loop {
            let min = self
                .scorers
                .iter()
                .map(|s| s.doc())
                .min()
                .unwrap_or(TERMINATED);
            if min == TERMINATED {
                return TERMINATED;
            }
            let at = self.scorers.iter().filter(|s| s.doc() == min).count();
            if at >= self.need {
                return min;
            }
            // Too few words here: the next candidate is the smallest document after it.
            for s in self.scorers.iter_mut().filter(|s| s.doc() == min) {
                s.advance();
            }
        }
    }
}

impl DocSet for SoftScorer {
    fn advance(&mut self) -> DocId {
        if self.doc == TERMINATED {
            return TERMINATED;
        }
        let doc = self.doc;
        for s in self.scorers.iter_mut().filter(|s| s.doc() == doc) {
            s.advance();
        }
        self.doc = self.settle();
        self.doc
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        for s in self.scorers.iter_mut().filter(|s| s.doc() < target) {
            s.seek(target);
        }
        self.doc = self.settle();
        self.doc
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.scorers
            .iter()
            .map(|s| s.size_hint())
            .max()
            .unwrap_or(0)
    }
}

impl Scorer for SoftScorer {
    fn score(&mut self) -> Score {
        let doc = self.doc;
        let (mut sum, mut at) = (0.0, 0);
        for s in self.scorers.iter_mut().filter(|s| s.doc() == doc) {
            sum += s.score();
            at += 1;
        }
        if at == self.scorers.len() {
            sum * self.all_factor
        } else {
            sum
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::collector::TopDocs;
    use tantivy::query::{BooleanQuery, BoostQuery, Occur, TermQuery};
    use tantivy::schema::{IndexRecordOption, Schema, TEXT};
    use tantivy::{doc, Index};

    /// The same entries and scores as the BooleanQuery pair it replaces.
    #[test]
    fn matches_and_scores_as_the_min_match_union_with_a_boosted_conjunction() {
        let mut b = Schema::builder();
        let text = b.add_text_field("text", TEXT);
        let index = Index::create_in_ram(b.build());
        let mut w = index.writer_with_num_threads(1, 15_000_000).unwrap();
        let vocab = ["våld", "stöd", "skydd", "barn", "plan"];
        for i in 0..400u32 {
            let words: Vec<&str> = (0..5)
                .filter(|k| (i >> k) & 1 == 1 || (i * 7 + k) % 11 == 0)
                .map(|k| vocab[k as usize])
                .collect();
            w.add_document(doc!(text => words.join(" "))).unwrap();
        }
        w.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let term = |s: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(text, s),
                IndexRecordOption::WithFreqs,
            ))
        };
        for (words, need) in [
            (vec!["våld", "stöd"], 1),
            (vec!["våld", "stöd", "barn"], 2),
            (vec!["våld", "stöd", "skydd", "plan"], 2),
            (vec!["barn", "plan", "skydd"], 3),
        ] {
            let qs: Vec<Box<dyn Query>> = words.iter().map(|w| term(w)).collect();
            let soft = SoftConjunction::new(qs.iter().map(|q| q.box_clone()).collect(), need, 3.0);
            let all = BooleanQuery::new(qs.iter().map(|q| (Occur::Must, q.box_clone())).collect());
            let old = BooleanQuery::new(vec![
                (
                    Occur::Must,
                    Box::new(BooleanQuery::with_minimum_required_clauses(
                        qs.iter().map(|q| (Occur::Should, q.box_clone())).collect(),
                        need,
                    )) as Box<dyn Query>,
                ),
                (Occur::Should, Box::new(BoostQuery::new(Box::new(all), 2.0))),
            ]);
            let top = |q: &dyn Query| {
                let mut v = searcher
                    .search(q, &TopDocs::with_limit(1000).order_by_score())
                    .unwrap();
                v.sort_by_key(|(_, a)| *a);
                v
            };
            let (a, b) = (top(&soft), top(&old));
            assert_eq!(a.len(), b.len(), "{words:?}");
            for ((sa, da), (sb, db)) in a.iter().zip(&b) {
                assert_eq!(da, db, "{words:?}");
                assert!(
                    (sa - sb).abs() < 1e-3 * sb.max(1.0),
                    "{words:?}: {sa} against {sb}"
                );
            }
            assert_eq!(
                searcher.search(&soft, &tantivy::collector::Count).unwrap(),
                b.len(),
                "{words:?}"
            );
        }
    }
}
