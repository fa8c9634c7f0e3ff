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
//! ([`super::soft`]) and other boolean queries keep arrays of their own; anything else (a term
//! or phrase in one field, a prefix) is a leaf read by its own scorer. The entries and scores
//! are those of the query's own scorer; only the order of the additions differs
//! (`dense_equals_the_query` below).

use std::cell::RefCell;
use std::ops::Range;

use tantivy::fieldnorm::FieldNormReader;
use tantivy::query::{
    Bm25Weight, BooleanQuery, EnableScoring, Occur, Query, Scorer, TermQuery, Weight,
};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, Score, SeekDangerResult, SegmentReader, Term, TERMINATED};

use super::like_this::WeightedTerm;
use super::soft::SoftConjunction;

/// Most clauses a group holds (one bit each).
const MAX_CLAUSES: usize = 32;

/// Runs at least this long are walked match to match; shorter ones entry by entry.
const LONG_RUN: usize = 1024;

/// Spans up to this long have their arrays kept for the next plan of the thread.
const SPARE_SPAN: usize = 1 << 16;

thread_local! {
    /// Arrays of this thread's earlier plans, reused (zeroed) instead of allocated anew: a
    /// document search's span is every document of the segment, and fresh arrays that long
    /// cost the allocator and the kernel's page faults at each search.
    static SPARE: RefCell<Vec<ScoreBits>> = const { RefCell::new(Vec::new()) };
}

/// A score and a clause bit per entry of a span.
#[derive(Default)]
struct ScoreBits {
    scores: Vec<Score>,
    bits: Vec<u32>,
}

/// Arrays lent by the thread's spares ([`Arrays::zeroed`]), given back when dropped.
struct Arrays(ScoreBits);

impl Arrays {
    /// Zeroed arrays over `span` entries, a spare pair when the thread has one.
    fn zeroed(span: usize) -> Arrays {
        let mut a = SPARE
            .try_with(|s| s.borrow_mut().pop())
            .ok()
            .flatten()
            .unwrap_or_default();
        a.scores.clear();
        a.scores.resize(span, 0.0);
        a.bits.clear();
        a.bits.resize(span, 0);
        Arrays(a)
    }
}

impl Drop for Arrays {
    fn drop(&mut self) {
        if self.0.scores.capacity() > SPARE_SPAN {
            return;
        }
        let cells = std::mem::take(&mut self.0);
        // During the thread's end the spares are gone: the arrays are simply freed.
        let _ = SPARE.try_with(|s| {
            let mut s = s.borrow_mut();
            // A plan's depth at most (a group inside a group inside the root).
            if s.len() < 4 {
                s.push(cells);
            }
        });
    }
}

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

/// A term query's term and its BM25 weight (`None` when not scored): what its scorer reads,
/// without a call through the scorer for each posting.
struct TermLeaf {
    term: Term,
    bm25: Option<Bm25Weight>,
    /// Whether its frequencies are read (else each match counts once).
    freqs: bool,
    /// Its score's factor (a [`WeightedTerm`]'s boost), applied as tantivy's boost applies it.
    boost: Score,
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
    /// The factor of an entry with `bits`, `None` when it does not match.
    #[inline]
    fn factor(&self, bits: u32) -> Option<f32> {
        let ok = bits != 0
            && bits & self.must == self.must
            && bits & self.not == 0
            && (bits & self.should).count_ones() >= self.need;
        ok.then(|| {
            let all = self.must | self.should;
            if bits & all == all {
                self.all_factor
            } else {
                1.0
            }
        })
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
    /// Calls `f` with each matching entry and its score, in doc id order.
    pub fn for_each_match(&self, mut f: impl FnMut(DocId, Score)) {
        let mut from = 0usize;
        for run in &self.runs {
            let bits = &self.arrays.0.bits[from..from + run.len()];
            let scores = &self.arrays.0.scores[from..from + run.len()];
            from += run.len();
            for (i, &b) in bits.iter().enumerate() {
                if b == 0 {
                    continue;
                }
                if let Some(factor) = self.test.factor(b) {
                    f(run.start + i as DocId, scores[i] * factor);
                }
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
                for (i, b) in own.0.bits.iter().enumerate() {
                    if let Some(factor) = test.factor(*b) {
                        bits[i] |= bit;
                        if scored {
                            scores[i] += own.0.scores[i] * factor;
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

impl TermLeaf {
    /// Records the term's postings inside `runs`, as its term scorer would give them: the
    /// frequencies when read and as the field keeps them (a field indexed without them counts
    /// each match once), the field's norms (none: a constant), times the boost.
    fn add(
        &self,
        reader: &SegmentReader,
        runs: &[Range<DocId>],
        cells: &mut Cells<'_>,
    ) -> tantivy::Result<()> {
        let field = self.term.field();
        let inverted = reader.inverted_index(field)?;
        let Some(info) = inverted.get_term_info(&self.term)? else {
            return Ok(());
        };
        let bm25 = self.bm25.as_ref().filter(|_| cells.scored);
        let option = if bm25.is_some() && self.freqs {
            IndexRecordOption::WithFreqs
        } else {
            IndexRecordOption::Basic
        };
        let mut block = inverted.read_block_postings_from_terminfo(&info, option)?;
        let norms = match bm25 {
            Some(_) => reader.fieldnorms_readers().get_field(field)?,
            None => None,
        }
        .unwrap_or_else(|| FieldNormReader::constant(reader.max_doc(), 1));
        // A match's score by its norm, for a frequency of one (most matches): a lookup in
        // place of BM25's division, with the same result.
        let boosted = |s: Score| if self.boost == 1.0 { s } else { s * self.boost };
        let once: Option<[Score; 256]> =
            bm25.map(|w| std::array::from_fn(|n| boosted(w.score(n as u8, 1))));
        let mut from = 0usize;
        for run in runs {
            let base = from;
            from += run.len();
            let mut i = block.seek(run.start);
            'run: loop {
                let docs = block.docs();
                if i >= docs.len() {
                    if docs.is_empty() {
                        return Ok(());
                    }
                    block.advance();
                    i = 0;
                    continue;
                }
                for (k, &doc) in docs.iter().enumerate().skip(i) {
                    if doc >= run.end {
                        break 'run;
                    }
                    let cell = base + (doc - run.start) as usize;
                    cells.bits[cell] |= cells.bit;
                    if let (Some(w), Some(once)) = (bm25, &once) {
                        let norm = norms.fieldnorm_id(doc);
                        let tf = if self.freqs { block.freq(k) } else { 1 };
                        cells.scores[cell] += if tf == 1 {
                            once[norm as usize]
                        } else {
                            boosted(w.score(norm, tf))
                        };
                    }
                }
                i = docs.len();
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
        // The checks of the term query's own weight.
        t.specialized_weight(scoring)?;
        return term_leaf(t.term(), true, 1.0, scoring);
    }
    if let Some(t) = query.downcast_ref::<WeightedTerm>() {
        t.weight(scoring)?;
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

/// The leaf of a term: its weight as its term query's (the index's statistics), with the
/// frequencies read or not.
fn term_leaf(
    term: &Term,
    freqs: bool,
    boost: Score,
    scoring: EnableScoring<'_>,
) -> tantivy::Result<Option<Node>> {
    let bm25 = match scoring {
        EnableScoring::Enabled {
            statistics_provider,
            ..
        } => Some(Bm25Weight::for_terms(
            statistics_provider,
            std::slice::from_ref(term),
        )?),
        EnableScoring::Disabled { .. } => None,
    };
    Ok(Some(Node::Term(TermLeaf {
        term: term.clone(),
        bm25,
        freqs,
        boost,
    })))
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

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::collector::TopDocs;
    use tantivy::query::{BoostQuery, TermQuery};
    use tantivy::schema::{IndexRecordOption, Schema, STRING, TEXT};
    use tantivy::{doc, Index, Term};

    /// Every entry the query's own scorer matches in the runs, with its score, and no other.
    #[test]
    fn dense_equals_the_query() {
        let mut b = Schema::builder();
        let title = b.add_text_field("title", TEXT);
        let text = b.add_text_field("text", TEXT);
        // Indexed without frequencies: each match counts once.
        let tag = b.add_text_field("tag", STRING);
        let index = Index::create_in_ram(b.build());
        let mut w = index.writer_with_num_threads(1, 15_000_000).unwrap();
        let vocab = ["våld", "stöd", "skydd", "barn", "plan"];
        for i in 0..600u32 {
            let words = |salt: u32| -> String {
                (0..5)
                    .filter(|k| ((i * salt) >> k) & 1 == 1 || (i * 7 + k + salt).is_multiple_of(11))
                    .map(|k| vocab[k as usize])
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            let t = if i % 3 == 0 { "a" } else { "b" };
            // Some words twice: frequencies above one.
            let body = format!("{} {}", words(1), words(5));
            w.add_document(doc!(title => words(3), text => body, tag => t))
                .unwrap();
        }
        w.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let reader = searcher.segment_reader(0);
        let word = |s: &str| -> Box<dyn Query> {
            let t = |f| -> Box<dyn Query> {
                Box::new(TermQuery::new(
                    Term::from_field_text(f, s),
                    IndexRecordOption::WithFreqs,
                ))
            };
            Box::new(BooleanQuery::new(vec![
                (Occur::Should, Box::new(BoostQuery::new(t(title), 3.0))),
                (Occur::Should, t(text)),
            ]))
        };
        let words = |ws: &[&str]| ws.iter().map(|s| word(s)).collect::<Vec<_>>();
        let weighted = |w: &str, option, boost| -> Box<dyn Query> {
            let term = Term::from_field_text(text, w);
            Box::new(WeightedTerm {
                term,
                option,
                boost,
            })
        };
        let tagged = |option| -> Box<dyn Query> {
            Box::new(TermQuery::new(Term::from_field_text(tag, "a"), option))
        };
        let queries: Vec<Box<dyn Query>> = vec![
            word("våld"),
            Box::new(SoftConjunction::new(
                words(&["våld", "stöd", "barn"]),
                2,
                3.0,
            )),
            Box::new(SoftConjunction::new(words(&["skydd", "plan"]), 1, 3.0)),
            Box::new(BooleanQuery::intersection(words(&["barn", "plan"]))),
            Box::new(BooleanQuery::new(vec![
                (Occur::Should, word("barn")),
                (Occur::MustNot, word("plan")),
            ])),
            Box::new(BooleanQuery::intersection(vec![
                word("barn"),
                Box::new(SoftConjunction::new(words(&["skydd", "plan"]), 1, 3.0)),
            ])),
            Box::new(BooleanQuery::new(vec![
                (Occur::Must, word("barn")),
                (Occur::Should, tagged(IndexRecordOption::WithFreqs)),
            ])),
            Box::new(BooleanQuery::new(vec![
                (Occur::Should, tagged(IndexRecordOption::Basic)),
                (Occur::Should, word("plan")),
            ])),
            // A like-this query's terms: boosted, with and without their frequencies.
            Box::new(BooleanQuery::new(vec![
                (
                    Occur::Should,
                    weighted("barn", IndexRecordOption::Basic, 0.4),
                ),
                (
                    Occur::Should,
                    weighted("plan", IndexRecordOption::WithFreqs, 1.7),
                ),
                (
                    Occur::Should,
                    weighted("stöd", IndexRecordOption::Basic, 1.0),
                ),
            ])),
            Box::new(BooleanQuery::new(vec![
                (Occur::Must, word("stöd")),
                (Occur::Should, word("våld")),
                (
                    Occur::Should,
                    Box::new(BooleanQuery::intersection(words(&["skydd", "barn"]))),
                ),
            ])),
        ];
        // A lone term is read by its own scorer.
        let lone = TermQuery::new(
            Term::from_field_text(text, "barn"),
            IndexRecordOption::WithFreqs,
        );
        let scoring = EnableScoring::enabled_from_searcher(&searcher);
        assert!(DensePlan::of(&lone, scoring).unwrap().is_none());
        // More words than a group has bits: read by the query's own scorer.
        let many: Vec<&str> = (0..MAX_CLAUSES + 1)
            .map(|i| vocab[i % vocab.len()])
            .collect();
        let long = SoftConjunction::new(words(&many), 3, 3.0);
        assert!(DensePlan::of(&long, scoring).unwrap().is_none());
        let fits = SoftConjunction::new(words(&many[..MAX_CLAUSES]), 3, 3.0);
        assert!(DensePlan::of(&fits, scoring).unwrap().is_some());
        let runs = [0..600u32, 17..90, 100..101, 300..420];
        for q in &queries {
            let scoring = EnableScoring::enabled_from_searcher(&searcher);
            let plan = DensePlan::of(&**q, scoring).unwrap().unwrap();
            let mut want: Vec<(DocId, Score)> = searcher
                .search(&**q, &TopDocs::with_limit(1000).order_by_score())
                .unwrap()
                .into_iter()
                .map(|(s, a)| (a.doc_id, s))
                .collect();
            want.sort_by_key(|(d, _)| *d);
            for (i, run) in runs.iter().enumerate() {
                let runs = if i == 0 {
                    vec![run.clone()]
                } else {
                    vec![run.clone(), 450..470]
                };
                let mut got: Vec<(DocId, Score)> = Vec::new();
                plan.score(reader, runs.clone())
                    .unwrap()
                    .for_each_match(|d, s| got.push((d, s)));
                let expected: Vec<&(DocId, Score)> = want
                    .iter()
                    .filter(|(d, _)| run.contains(d) || (i > 0 && (450..470).contains(d)))
                    .collect();
                assert_eq!(got.len(), expected.len(), "{q:?} in {run:?}");
                assert!(!got.is_empty(), "{q:?} in {run:?}");
                for ((dg, sg), (dw, sw)) in got.iter().zip(&expected) {
                    assert_eq!(dg, dw, "{q:?}");
                    assert!(
                        (sg - sw).abs() < 1e-4 * sw.max(1.0),
                        "{q:?}: {sg} against {sw}"
                    );
                }
                // Without scores: the same entries.
                let unscored = EnableScoring::disabled_from_searcher(&searcher);
                let mut docs = Vec::new();
                DensePlan::of(&**q, unscored)
                    .unwrap()
                    .unwrap()
                    .score(reader, runs)
                    .unwrap()
                    .for_each_match(|d, _| docs.push(d));
                let want_docs: Vec<DocId> = expected.iter().map(|(d, _)| *d).collect();
                assert_eq!(docs, want_docs, "{q:?} unscored");
            }
        }
    }
}
