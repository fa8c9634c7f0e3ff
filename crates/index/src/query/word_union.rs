//! A word's fields as a union walked entry by entry ([`WordUnion`]), for conjunctions.
//!
//! The query parser reads a word as optional term clauses, one per field it is searched in
//! (a heading and a text, and their English twins). tantivy walks such a union through a
//! buffer: it reads every posting of every clause for the next 4,096 entries, scoring each,
//! then hands the entries out of the buffer. For a walk of nearly every entry (a word alone,
//! or the sparsest word of a conjunction) that is fast. A word that a sparser word leads is
//! sought instead, from one candidate to the next, and each seek past the buffer scores a new
//! one of which few entries are asked for. [`side_by_side`] gives such words to [`WordUnion`],
//! which walks its clauses side by side, each seek moving only the clauses' own cursors, and
//! scores an entry only when asked.
//!
//! Matches and scores are those of the union it replaces: an entry matches when one clause
//! does, and scores the sum of the clauses it holds, added in the clauses' order from zero as
//! tantivy's sum does (a clause that runs out leaves the others in their order); the cost and
//! size a conjunction orders its clauses by (and so adds their scores in) are read off
//! tantivy's union as it stands when built.
//! A clause that matches every entry (which tantivy's union treats apart) and an unscored
//! walk go to tantivy's union.

use tantivy::query::{
    AllScorer, BooleanQuery, EmptyScorer, EnableScoring, Explanation, Occur, Query, Scorer, Weight,
};
use tantivy::{DocId, DocSet, Score, Searcher, SegmentReader, Term, TERMINATED};

/// The optional term clauses of one word, walked side by side in a conjunction.
#[derive(Debug, Clone)]
pub(crate) struct WordUnion {
    /// The union as the parser made it (its weight walks the union alone, and explains).
    union: BooleanQuery,
}

impl Query for WordUnion {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let clauses = self
            .union
            .clauses()
            .iter()
            .map(|(_, q)| q.weight(scoring))
            .collect::<tantivy::Result<Vec<_>>>()?;
        Ok(Box::new(WordUnionWeight {
            clauses,
            union: self.union.weight(scoring)?,
            scored: scoring.is_scoring_enabled(),
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.union.query_terms(visitor);
    }
}

/// The words of a conjunction (its `Must` clauses that are unions of two or more optional
/// clauses, or the query itself when it is one such union) that hold at least [`SPARSER`]
/// times the entries of the sparsest of its words and of `filters` (unscored clauses the
/// conjunction will be walked with), as [`WordUnion`]s: those the walk seeks into, led by a
/// sparser clause. A word as dense as the sparsest leads the walk, or shares it, and stays
/// tantivy's union (whose buffer serves a walk of nearly every entry better). Anything else as
/// it is.
pub(crate) fn side_by_side(
    query: Box<dyn Query>,
    filters: &[Box<dyn Query>],
    searcher: &Searcher,
) -> Box<dyn Query> {
    let Some(boolean) = query.downcast_ref::<BooleanQuery>() else {
        return query;
    };
    let filtered = filters
        .iter()
        .filter_map(|f| terms_entries(f.as_ref(), searcher))
        .min();
    if is_union(boolean) {
        return match filtered {
            Some(lead) if sought(entries_of(boolean, searcher), lead) => Box::new(WordUnion {
                union: boolean.clone(),
            }),
            _ => query,
        };
    }
    let clauses = boolean.clauses();
    if !clauses.iter().all(|(o, _)| *o == Occur::Must) {
        return query;
    }
    // Each clause that is a word, with its entries.
    let words: Vec<Option<(&BooleanQuery, u64)>> = clauses
        .iter()
        .map(|(_, q)| {
            q.downcast_ref::<BooleanQuery>()
                .filter(|b| is_union(b))
                .map(|b| (b, entries_of(b, searcher)))
        })
        .collect();
    let Some(sparsest) = words
        .iter()
        .flatten()
        .map(|(_, n)| *n)
        .chain(filtered)
        .min()
    else {
        return query;
    };
    Box::new(BooleanQuery::new(
        clauses
            .iter()
            .zip(&words)
            .map(|((o, q), word)| match word {
                Some((b, n)) if sought(*n, sparsest) => (
                    *o,
                    Box::new(WordUnion {
                        union: (*b).clone(),
                    }) as Box<dyn Query>,
                ),
                _ => (*o, q.box_clone()),
            })
            .collect(),
    ))
}

/// How many times the entries of the sparsest word a word must hold to be sought side by side.
const SPARSER: u64 = 4;

/// Whether a word of `entries` entries is sought, led by a clause of `lead` entries.
fn sought(entries: u64, lead: u64) -> bool {
    entries >= lead.saturating_mul(SPARSER).max(1)
}

/// The entries `q`'s terms are in, summed (an entry in two fields counts twice); `None` for a
/// query without terms (a range filter).
fn terms_entries(q: &dyn Query, searcher: &Searcher) -> Option<u64> {
    let mut terms = Vec::new();
    q.query_terms(&mut |t, _| terms.push(t.clone()));
    (!terms.is_empty()).then(|| {
        terms
            .iter()
            .map(|t| searcher.doc_freq(t).unwrap_or(0))
            .sum()
    })
}

/// The entries a union's own terms are in ([`terms_entries`]); a nested clause (a compound's
/// parts, which match where the whole word does) not counted, unless the union has nothing
/// else (a group of synonyms).
fn entries_of(union: &BooleanQuery, searcher: &Searcher) -> u64 {
    union
        .clauses()
        .iter()
        .filter(|(_, c)| c.downcast_ref::<BooleanQuery>().is_none())
        .filter_map(|(_, c)| terms_entries(c.as_ref(), searcher))
        .reduce(|a, b| a + b)
        .or_else(|| terms_entries(union, searcher))
        .unwrap_or(0)
}

/// Optional clauses only (two or more, one enough to match).
fn is_union(b: &BooleanQuery) -> bool {
    b.clauses().len() >= 2
        && b.get_minimum_number_should_match() <= 1
        && b.clauses().iter().all(|(o, _)| *o == Occur::Should)
}

struct WordUnionWeight {
    clauses: Vec<Box<dyn Weight>>,
    union: Box<dyn Weight>,
    scored: bool,
}

impl Weight for WordUnionWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        if !self.scored {
            return self.union.scorer(reader, boost);
        }
        let mut terms: Vec<Box<dyn Scorer>> = Vec::with_capacity(self.clauses.len());
        for clause in &self.clauses {
            let scorer = clause.scorer(reader, boost)?;
            if scorer.is::<EmptyScorer>() || scorer.doc() == TERMINATED {
                continue;
            }
            // tantivy's union treats a clause that matches everything apart.
            if scorer.is::<AllScorer>() {
                return self.union.scorer(reader, boost);
            }
            terms.push(scorer);
        }
        Ok(match terms.len() {
            0 => Box::new(EmptyScorer),
            1 => terms.remove(0),
            _ => {
                // The conjunction orders its clauses by cost, and adds their scores in that
                // order: the cost and size are read off tantivy's union as just built (its
                // first window read, it leaves out clauses that ran out in it).
                let theirs = self.union.scorer(reader, boost)?;
                Box::new(SideBySide {
                    doc: terms.iter().map(|t| t.doc()).min().unwrap_or(TERMINATED),
                    terms,
                    cost: theirs.cost(),
                    size_hint: theirs.size_hint(),
                })
            }
        })
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        self.union.explain(reader, doc)
    }

    /// Alone, the union is walked by tantivy's own buffered loop (faster for a whole walk).
    fn for_each(
        &self,
        reader: &SegmentReader,
        callback: &mut dyn FnMut(DocId, Score),
    ) -> tantivy::Result<()> {
        self.union.for_each(reader, callback)
    }

    fn for_each_no_score(
        &self,
        reader: &SegmentReader,
        callback: &mut dyn FnMut(&[DocId]),
    ) -> tantivy::Result<()> {
        self.union.for_each_no_score(reader, callback)
    }

    fn for_each_pruning(
        &self,
        threshold: Score,
        reader: &SegmentReader,
        callback: &mut dyn FnMut(DocId, Score) -> Score,
    ) -> tantivy::Result<()> {
        self.union.for_each_pruning(threshold, reader, callback)
    }
}

/// The clauses' scorers walked side by side: the current entry is the smallest of theirs.
struct SideBySide {
    terms: Vec<Box<dyn Scorer>>,
    doc: DocId,
    /// tantivy's union's, when built.
    cost: u64,
    size_hint: u32,
}

impl DocSet for SideBySide {
    fn advance(&mut self) -> DocId {
        let current = self.doc;
        let mut next = TERMINATED;
        for t in &mut self.terms {
            let d = if t.doc() == current {
                t.advance()
            } else {
                t.doc()
            };
            next = next.min(d);
        }
        self.doc = next;
        next
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        let mut next = TERMINATED;
        for t in &mut self.terms {
            let d = if t.doc() < target {
                t.seek(target)
            } else {
                t.doc()
            };
            next = next.min(d);
        }
        self.doc = next;
        next
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.size_hint
    }

    fn cost(&self) -> u64 {
        self.cost
    }
}

impl Scorer for SideBySide {
    fn score(&mut self) -> Score {
        let doc = self.doc;
        let mut sum: Score = 0.0;
        for t in &mut self.terms {
            if t.doc() == doc {
                sum += t.score();
            }
        }
        sum
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::UserQuery;
    use crate::schema::Scope;
    use crate::test_support::{plan, section};

    /// Every (entry, score) a query matches, in entry order.
    fn matches(q: &dyn Query, searcher: &Searcher) -> Vec<(u32, DocId, Score)> {
        let w = q
            .weight(EnableScoring::enabled_from_searcher(searcher))
            .unwrap();
        let mut out = Vec::new();
        for (ord, reader) in searcher.segment_readers().iter().enumerate() {
            // Through the conjunction's scorer (seeking), as a measures query with filters.
            let mut s = w.scorer(reader, 1.0).unwrap();
            while s.doc() != TERMINATED {
                out.push((ord as u32, s.doc(), s.score()));
                s.advance();
            }
        }
        out
    }

    /// A common word ("stöd", in headings and texts) sought by a rare one ("kvinnojour"):
    /// walked side by side, the conjunction finds the same passages with the same scores.
    #[test]
    fn a_word_sought_side_by_side_matches_and_scores_as_its_union() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = crate::SearchConfig::load().unwrap();
        let mut index = crate::Indexer::open(dir.path(), cfg).unwrap();
        for i in 0..12 {
            let id = format!("p{i:02}");
            let passages: Vec<_> = (0..20)
                .map(|n| {
                    let heading = (n % 3 == 0).then_some("Stöd till utsatta");
                    let text = match (n + i) % 10 {
                        0 => "Kvinnojouren ger stöd och skydd dygnet runt.",
                        1 => "Kvinnojouren svarar i telefon.",
                        2..=6 => "Stöd ges av socialtjänsten, stöd i vardagen.",
                        _ => "Samverkan mellan myndigheter.",
                    };
                    section(text, heading)
                })
                .collect();
            index.upsert(&plan(&id, &id, "Plan", passages)).unwrap();
            if i % 5 == 4 {
                index.commit().unwrap();
            }
        }
        index.commit().unwrap();
        index.reader().reload().unwrap();
        let searcher = index.reader().searcher();
        let read = |text: &str| {
            UserQuery::read_with(index.parsers(), text, Scope::Passages, false, true)
                .unwrap()
                .1
        };
        for text in [
            "kvinnojouren stöd",
            "stöd kvinnojouren",
            "kvinnojouren stöd skydd dygnet",
        ] {
            let q = read(text);
            let sought = side_by_side(q.box_clone(), &[], &searcher);
            let b = sought
                .downcast_ref::<BooleanQuery>()
                .expect("a conjunction");
            let rewritten = b
                .clauses()
                .iter()
                .filter(|(_, c)| c.downcast_ref::<WordUnion>().is_some())
                .count();
            assert!(rewritten >= 1, "{text}: the common words");
            let want = matches(q.as_ref(), &searcher);
            assert!(want.len() > 20, "{text}: {}", want.len());
            assert_eq!(matches(sought.as_ref(), &searcher), want, "{text}");
        }
        // One common word under a filter of one plan's entries: the filter leads, the word
        // is sought, with the same matches and scores.
        let f = index.fields();
        let filter = || {
            crate::facet::filters::unscored(Box::new(tantivy::query::TermQuery::new(
                Term::from_field_text(f.doc_id, "p03"),
                tantivy::schema::IndexRecordOption::Basic,
            )))
        };
        let word = read("stöd");
        let sought = side_by_side(word.box_clone(), &[filter()], &searcher);
        assert!(sought.downcast_ref::<WordUnion>().is_some());
        let want = matches(
            crate::query::all_of(vec![word.box_clone(), filter()]).as_ref(),
            &searcher,
        );
        assert!(!want.is_empty() && want.len() < 21, "{}", want.len());
        let got = matches(
            crate::query::all_of(vec![sought, filter()]).as_ref(),
            &searcher,
        );
        assert_eq!(got, want);
        // Alone, the word leads its own walk and stays tantivy's union.
        let alone = side_by_side(word, &[], &searcher);
        assert!(alone.downcast_ref::<WordUnion>().is_none());
        // Two words as common as each other: neither is sought, both stay unions.
        let q = read("stöd stöd");
        let same = side_by_side(q, &[], &searcher);
        let b = same.downcast_ref::<BooleanQuery>().expect("a conjunction");
        assert!(b
            .clauses()
            .iter()
            .all(|(_, c)| c.downcast_ref::<WordUnion>().is_none()));
    }
}
