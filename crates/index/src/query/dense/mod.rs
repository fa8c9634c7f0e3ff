//! Term-at-a-time scoring of a query over known runs of entries ([`DensePlan`]).
//!
//! Document search and the best passages of a page of hits read every match of a query inside
//! a short, known span of entries: in a sorted segment the documents are its first entries
//! (27,000 of a 1M-passage index), and a hit's passages are a run of consecutive entries. There
//! each clause's postings are read one after the other into arrays over the span (a score and
//! a bit per clause for every entry), instead of all clauses side by side: no union fills a
//! window of thousands of entries, and no conjunction looks for the smallest document among its
//! words at every posting.
//!
//! The query is read as a tree ([`Node`]): unions of optional clauses (a word's fields, a
//! synonym group) are flattened into their parent; conjunctions, soft conjunctions
//! ([`super::soft`]) and other boolean queries keep arrays of their own; a term query (or a
//! like-this query's weighted term) is read from its postings block by block ([`term`]);
//! anything else (a phrase, a prefix, a boosted clause) is a leaf read by its own scorer. The
//! entries and scores are those of the query's own scorer; only the order of the additions
//! differs (`dense_equals_the_query` in its tests). The arrays come from the thread's spares
//! ([`arrays`]).

use std::ops::Range;

use tantivy::query::{BooleanQuery, EnableScoring, Occur, Query, Scorer, TermQuery, Weight};
use tantivy::{DocId, Score, SeekDangerResult, SegmentReader, TERMINATED};

use super::like_this::WeightedTerm;
use super::soft::SoftConjunction;
use arrays::{Arrays, ScoreBits};
use term::{term_leaf, TermLeaf};

mod arrays;
mod term;
#[cfg(test)]
mod tests;

/// Most clauses a group holds (one bit each).
const MAX_CLAUSES: usize = 32;

/// Runs at least this long are walked match to match; shorter ones entry by entry.
const LONG_RUN: usize = 1024;

/// A query as a tree of clauses with their weights.
pub(crate) struct DensePlan {
    root: Group,
    /// Whether scores are wanted (else only which entries match).
    scored: bool,
}

enum Node {
    /// Read by its own scorer.
    Leaf(Box<dyn Weight>),
    /// A term in one field, read from its postings block by block (most of a query's postings).
    Term(TermLeaf),
    /// Optional clauses: an entry matches when one does, and scores their sum.
    Union(Vec<Node>),
    Group(Group),
}

/// A boolean query or a soft conjunction: an entry matches when it has every `Must` clause, at
/// least `need` of the `Should` ones and no `MustNot` one; it scores the sum of its `Must` and
/// `Should` clauses, times `all_factor` when it has all of them.
struct Group {
    clauses: Vec<(Occur, Node)>,
    need: u32,
    all_factor: f32,
}

/// The arrays of one group over the span of a segment's runs.
pub(crate) struct Dense {
    runs: Vec<Range<DocId>>,
    arrays: Arrays,
    test: Test,
}

/// What a group's bits must hold for a match.
#[derive(Clone, Copy)]
struct Test {
    must: u32,
    should: u32,
    not: u32,
    need: u32,
    all_factor: f32,
}

impl Test {
    /// Whether an entry with `bits` matches. Without branches: in a long run about a third of
    /// the entries are no match, in no order a branch predictor could learn.
    #[inline]
    fn matches(&self, bits: u32) -> bool {
        (bits != 0)
            & (bits & self.must == self.must)
            & (bits & self.not == 0)
            & ((bits & self.should).count_ones() >= self.need)
    }

    /// The factor of a matching entry with `bits`: `all_factor` when it has every clause.
    #[inline]
    fn factor_of(&self, bits: u32) -> f32 {
        let all = self.must | self.should;
        if bits & all == all {
            self.all_factor
        } else {
            1.0
        }
    }
}

impl DensePlan {
    /// The plan of `query` (see the module doc); `None` when a plan would not read it faster
    /// than its own scorer (a single clause), or a group has more than [`MAX_CLAUSES`].
    pub fn of(query: &dyn Query, scoring: EnableScoring<'_>) -> tantivy::Result<Option<Self>> {
        let root = match node(query, scoring)? {
            Some(Node::Group(g)) => g,
            Some(Node::Union(u)) => Group {
                clauses: vec![(Occur::Should, Node::Union(u))],
                need: 1,
                all_factor: 1.0,
            },
            Some(Node::Leaf(_) | Node::Term(_)) | None => return Ok(None),
        };
        Ok(Some(DensePlan {
            root,
            scored: scoring.is_scoring_enabled(),
        }))
    }

    /// The scores of the entries of `runs` (ascending, not overlapping) in the segment of
    /// `reader`.
    pub fn score(&self, reader: &SegmentReader, runs: Vec<Range<DocId>>) -> tantivy::Result<Dense> {
        let span: usize = runs.iter().map(|r| r.len()).sum();
        let mut arrays = Arrays::zeroed(span);
        let test = self.root.fill(
            reader,
            &runs,
            &mut arrays.0.scores,
            &mut arrays.0.bits,
            self.scored,
        )?;
        Ok(Dense { runs, arrays, test })
    }
}

impl Dense {
    /// Calls `f` with each matching entry and its score, in doc id order. The matches of a run
    /// are first listed without a branch per entry ([`Test::matches`]), then given to `f`.
    pub fn for_each_match(&mut self, mut f: impl FnMut(DocId, Score)) {
        let ScoreBits {
            scores,
            bits,
            matches,
        } = &mut self.arrays.0;
        let mut from = 0usize;
        for run in &self.runs {
            let bits = &bits[from..from + run.len()];
            let scores = &scores[from..from + run.len()];
            from += run.len();
            if matches.len() < bits.len() {
                matches.resize(bits.len(), 0);
            }
            let mut n = 0;
            for (i, &b) in bits.iter().enumerate() {
                // Written at every entry, kept (n moves on) at a match.
                matches[n] = i as u32;
                n += usize::from(self.test.matches(b));
            }
            for &i in &matches[..n] {
                let i = i as usize;
                f(
                    run.start + i as DocId,
                    scores[i] * self.test.factor_of(bits[i]),
                );
            }
        }
    }
}

impl Group {
    /// Fills `bits` and, when `scored`, `scores` with this group's clauses (clause i: bit i),
    /// and gives the test of a match.
    fn fill(
        &self,
        reader: &SegmentReader,
        runs: &[Range<DocId>],
        scores: &mut [Score],
        bits: &mut [u32],
        scored: bool,
    ) -> tantivy::Result<Test> {
        let mut test = Test {
            must: 0,
            should: 0,
            not: 0,
            need: self.need,
            all_factor: self.all_factor,
        };
        for (i, (occur, clause)) in self.clauses.iter().enumerate() {
            let bit = 1u32 << i;
            match occur {
                Occur::Must => test.must |= bit,
                Occur::Should => test.should |= bit,
                Occur::MustNot => test.not |= bit,
            }
            let scored = scored && *occur != Occur::MustNot;
            clause.add(reader, runs, scores, bits, bit, scored)?;
        }
        Ok(test)
    }
}

impl Node {
    /// Adds this node's score (when `scored`) and `bit` to the entries it matches.
    fn add(
        &self,
        reader: &SegmentReader,
        runs: &[Range<DocId>],
        scores: &mut [Score],
        bits: &mut [u32],
        bit: u32,
        scored: bool,
    ) -> tantivy::Result<()> {
        match self {
            Node::Leaf(weight) => {
                // Not `scorer`: a phrase's would look for its first match in the whole segment.
                let first = runs.first().map_or(TERMINATED, |r| r.start);
                let (found, mut scorer) = weight.scorer_danger(reader, first, 1.0)?;
                let mut cells = Cells {
                    scores,
                    bits,
                    bit,
                    scored,
                };
                walk(&mut *scorer, (found, first), runs, &mut cells);
            }
            Node::Term(leaf) => {
                let mut cells = Cells {
                    scores,
                    bits,
                    bit,
                    scored,
                };
                leaf.add(reader, runs, &mut cells)?;
            }
            Node::Union(nodes) => {
                for n in nodes {
                    n.add(reader, runs, scores, bits, bit, scored)?;
                }
            }
            Node::Group(g) => {
                let mut own = Arrays::zeroed(scores.len());
                let test = g.fill(reader, runs, &mut own.0.scores, &mut own.0.bits, scored)?;
                for (i, &b) in own.0.bits.iter().enumerate() {
                    if test.matches(b) {
                        bits[i] |= bit;
                        if scored {
                            scores[i] += own.0.scores[i] * test.factor_of(b);
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

/// Where a leaf's matches go.
struct Cells<'a> {
    scores: &'a mut [Score],
    bits: &'a mut [u32],
    bit: u32,
    scored: bool,
}

impl Cells<'_> {
    #[inline]
    fn record(&mut self, i: usize, scorer: &mut dyn Scorer) {
        self.bits[i] |= self.bit;
        if self.scored {
            self.scores[i] += scorer.score();
        }
    }
}

/// Records the matches of `scorer` in `runs`; `start` is where the scorer stands, as
/// [`Weight::scorer_danger`] answered for the first run's start. A long run (the documents of
/// a segment) is walked from match to match. In a short one (a hit's passages) each entry is
/// asked for with [`DocSet::seek_danger`], which tells whether it matches without looking
/// beyond it: a phrase is not read past a run for a match that would not be used.
///
/// [`DocSet::seek_danger`]: tantivy::DocSet::seek_danger
fn walk(
    scorer: &mut dyn Scorer,
    start: (SeekDangerResult, DocId),
    runs: &[Range<DocId>],
    cells: &mut Cells<'_>,
) {
    // The next entry to ask for, or the match the scorer stands on (`at_match`); `valid`:
    // whether the scorer's own document can be read (it has found one since its last miss).
    let (mut target, mut at_match) = match start {
        (SeekDangerResult::Found, first) => (first, true),
        (SeekDangerResult::SeekLowerBound(next), _) => (next, false),
    };
    let mut valid = at_match;
    let mut from = 0usize;
    for run in runs {
        if target == TERMINATED {
            return;
        }
        let base = from;
        from += run.len();
        if run.len() >= LONG_RUN {
            let mut doc = if valid {
                match scorer.doc() {
                    d if d < run.start => scorer.seek(run.start),
                    d => d,
                }
            } else {
                // Back to a valid state: asked for until one is found.
                target = target.max(run.start);
                loop {
                    match scorer.seek_danger(target) {
                        SeekDangerResult::Found => break target,
                        SeekDangerResult::SeekLowerBound(TERMINATED) => return,
                        SeekDangerResult::SeekLowerBound(next) => target = next,
                    }
                }
            };
            while doc < run.end {
                cells.record(base + (doc - run.start) as usize, scorer);
                doc = scorer.advance();
            }
            (target, at_match, valid) = (doc, true, true);
            continue;
        }
        if at_match {
            if target >= run.end {
                continue;
            }
            at_match = false;
            if target >= run.start {
                cells.record(base + (target - run.start) as usize, scorer);
                target += 1;
            }
        }
        target = target.max(run.start);
        while target < run.end {
            match scorer.seek_danger(target) {
                SeekDangerResult::Found => {
                    cells.record(base + (target - run.start) as usize, scorer);
                    target += 1;
                    valid = true;
                }
                SeekDangerResult::SeekLowerBound(next) => {
                    target = next;
                    valid = false;
                }
            }
        }
    }
}

/// The node of `query`; `None` when a group has too many clauses.
fn node(query: &dyn Query, scoring: EnableScoring<'_>) -> tantivy::Result<Option<Node>> {
    if let Some(soft) = query.downcast_ref::<SoftConjunction>() {
        let (words, need, all_factor) = soft.parts();
        let clauses = words.iter().map(|w| (Occur::Should, &**w)).collect();
        return group(clauses, need, all_factor, scoring);
    }
    if let Some(t) = query.downcast_ref::<TermQuery>() {
        return term_leaf(t.term(), true, 1.0, scoring);
    }
    if let Some(t) = query.downcast_ref::<WeightedTerm>() {
        return term_leaf(&t.term, t.option.has_freq(), t.boost, scoring);
    }
    let Some(b) = query.downcast_ref::<BooleanQuery>() else {
        return Ok(Some(Node::Leaf(query.weight(scoring)?)));
    };
    let clauses: Vec<(Occur, &dyn Query)> = b.clauses().iter().map(|(o, q)| (*o, &**q)).collect();
    let min = b.get_minimum_number_should_match();
    if !clauses.is_empty() && clauses.iter().all(|(o, _)| *o == Occur::Should) && min <= 1 {
        let mut nodes = Vec::with_capacity(clauses.len());
        for (_, q) in clauses {
            let Some(n) = node(q, scoring)? else {
                return Ok(None);
            };
            // A union's unions are flattened into it.
            match n {
                Node::Union(inner) => nodes.extend(inner),
                n => nodes.push(n),
            }
        }
        return Ok(Some(Node::Union(nodes)));
    }
    let has_must = clauses.iter().any(|(o, _)| *o == Occur::Must);
    // tantivy's boolean query: optional clauses beside required ones only add to the score.
    let need = if has_must { min } else { min.max(1) };
    group(clauses, need, 1.0, scoring)
}

fn group(
    clauses: Vec<(Occur, &dyn Query)>,
    need: usize,
    all_factor: f32,
    scoring: EnableScoring<'_>,
) -> tantivy::Result<Option<Node>> {
    if clauses.len() > MAX_CLAUSES {
        return Ok(None);
    }
    let mut out = Vec::with_capacity(clauses.len());
    for (o, q) in clauses {
        let Some(n) = node(q, scoring)? else {
            return Ok(None);
        };
        out.push((o, n));
    }
    Ok(Some(Node::Group(Group {
        clauses: out,
        need: need as u32,
        all_factor,
    })))
}
