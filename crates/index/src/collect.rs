//! Collectors that read the facet table ([`crate::facet_table`]).
//!
//! - [`Faceted`]: document search in one pass over the matches of the text query. Each match is
//!   checked against every facet filter; one that passes all is a hit (counted, ranked and
//!   counted in every facet), one that fails exactly one filter is counted in that filter's
//!   facet only. So each facet is counted under all the other filters ("drill sideways"),
//!   without running the query again per filtered facet.
//! - [`best_passages`]: the best passage of each of a few documents, by the passage query
//!   restricted to the passages the table lists for them.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BinaryHeap, HashMap};
use std::sync::Arc;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::query::{EnableScoring, Query, Weight};
use tantivy::{
    DocAddress, DocId, DocSet, Score, Searcher, SegmentOrdinal, SegmentReader, TERMINATED,
};

use crate::entries::{restrict, EntrySet};

use crate::facet_table::{place_key, Row, SegmentTable, Tables};
use crate::filters::{Dim, FilterSpec, DIMS};
use crate::ranking::Ranker;
use crate::schema;
use plansok_model::{DocType, Goal, Period};

/// A ranked entry: `key` orders (the score, or the period's end year when sorting by date).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Candidate {
    pub key: f32,
    pub score: Score,
    pub addr: DocAddress,
}

impl Candidate {
    /// Greater is better: a higher key, then the earlier address.
    fn rank(&self, other: &Self) -> Ordering {
        self.key
            .total_cmp(&other.key)
            .then_with(|| other.addr.cmp(&self.addr))
    }
}

/// Kept in a max-heap whose top is the worst candidate.
struct Worst(Candidate);

impl PartialEq for Worst {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Worst {}
impl PartialOrd for Worst {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Worst {
    fn cmp(&self, other: &Self) -> Ordering {
        other.0.rank(&self.0)
    }
}

/// The `k` best candidates seen.
struct TopK {
    k: usize,
    heap: BinaryHeap<Worst>,
}

impl TopK {
    fn new(k: usize) -> Self {
        TopK {
            k,
            heap: BinaryHeap::with_capacity(k.min(1024)),
        }
    }

    fn push(&mut self, c: Candidate) {
        if self.heap.len() < self.k {
            self.heap.push(Worst(c));
        } else if self.heap.peek().is_some_and(|w| c.rank(&w.0).is_gt()) {
            self.heap.pop();
            self.heap.push(Worst(c));
        }
    }

    fn into_sorted(self) -> Vec<Candidate> {
        let mut v: Vec<Candidate> = self.heap.into_iter().map(|w| w.0).collect();
        v.sort_by(|a, b| b.rank(a));
        v
    }
}

/// Facet counts by value name (years by number); each name once.
#[derive(Debug, Default, Clone)]
pub(crate) struct Counts {
    pub region: Vec<(String, u64)>,
    pub year: BTreeMap<u16, u64>,
    pub goal: [u64; Goal::ALL.len()],
    pub doc_type: [u64; DocType::ALL.len()],
    pub org: Vec<(String, u64)>,
    pub lang: Vec<(String, u64)>,
}

impl Counts {
    /// Adds the counts of another segment (whose table numbers the names its own way).
    fn merge(&mut self, other: Counts) {
        let add = |into: &mut Vec<(String, u64)>, from: Vec<(String, u64)>| {
            let mut place: HashMap<String, usize> = into
                .iter()
                .enumerate()
                .map(|(i, (name, _))| (name.clone(), i))
                .collect();
            for (name, n) in from {
                match place.get(&name) {
                    Some(&i) => into[i].1 += n,
                    None => {
                        place.insert(name.clone(), into.len());
                        into.push((name, n));
                    }
                }
            }
        };
        add(&mut self.region, other.region);
        add(&mut self.org, other.org);
        add(&mut self.lang, other.lang);
        for (y, n) in other.year {
            *self.year.entry(y).or_default() += n;
        }
        for (a, b) in self.goal.iter_mut().zip(other.goal) {
            *a += b;
        }
        for (a, b) in self.doc_type.iter_mut().zip(other.doc_type) {
            *a += b;
        }
    }
}

/// The filters of a request in the ids of one segment's table. A name the segment does not
/// have matches none of its entries.
struct SegmentFilter {
    /// Whether any filter is set (else every row passes).
    any: bool,
    regions: Option<(IdSet, IdSet)>,
    period: Option<Period>,
    goals: Option<u8>,
    types: Option<u32>,
    orgs: Option<IdSet>,
    langs: Option<IdSet>,
}

/// Ids of a segment table's names, looked up by place (a row is checked by one load).
#[derive(Default)]
struct IdSet(Vec<bool>);

impl IdSet {
    fn of(ids: impl IntoIterator<Item = u32>) -> IdSet {
        let mut set = IdSet::default();
        for id in ids {
            let i = id as usize;
            if set.0.len() <= i {
                set.0.resize(i + 1, false);
            }
            set.0[i] = true;
        }
        set
    }

    fn contains(&self, id: impl Into<u32>) -> bool {
        self.0.get(id.into() as usize).copied().unwrap_or(false)
    }
}

impl SegmentFilter {
    fn new(spec: &FilterSpec, t: &SegmentTable) -> Self {
        let regions = spec.has(Dim::Region).then(|| {
            let mut counties = Vec::new();
            let mut places = Vec::new();
            for r in &spec.regions {
                match &r.municipality {
                    None => counties.extend(t.counties.id(&r.county)),
                    Some(m) => places.extend(t.places.id(&place_key(&r.county, m))),
                }
            }
            (IdSet::of(counties), IdSet::of(places))
        });
        SegmentFilter {
            any: DIMS.iter().any(|d| spec.has(*d)),
            regions,
            period: spec.period,
            goals: spec
                .has(Dim::Goal)
                .then(|| schema::goal_bits(&spec.goals) as u8),
            types: spec.has(Dim::Type).then(|| {
                spec.types
                    .iter()
                    .fold(0, |m, t| m | 1 << schema::type_code(*t))
            }),
            orgs: spec
                .has(Dim::Org)
                .then(|| IdSet::of(spec.orgs.iter().filter_map(|o| t.orgs.id(o)))),
            langs: spec
                .has(Dim::Lang)
                .then(|| IdSet::of(spec.langs.iter().filter_map(|l| t.langs.id(l)))),
        }
    }

    /// The bits ([`Dim::bit`]) of the filters `row` fails.
    fn fails(&self, row: &Row) -> u8 {
        if !self.any {
            return 0;
        }
        let mut m = 0;
        if let Some((counties, places)) = &self.regions {
            if !counties.contains(row.county) && !places.contains(row.place) {
                m |= Dim::Region.bit();
            }
        }
        if let Some(p) = self.period {
            if row.start == 0 || row.start > p.end || row.end < p.start {
                m |= Dim::Period.bit();
            }
        }
        if self.goals.is_some_and(|g| g & row.goals == 0) {
            m |= Dim::Goal.bit();
        }
        let type_bit = 1u32.checked_shl(row.doc_type.into()).unwrap_or(0);
        if self.types.is_some_and(|t| t & type_bit == 0) {
            m |= Dim::Type.bit();
        }
        if self.orgs.as_ref().is_some_and(|o| !o.contains(row.org)) {
            m |= Dim::Org.bit();
        }
        if self.langs.as_ref().is_some_and(|l| !l.contains(row.lang)) {
            m |= Dim::Lang.bit();
        }
        m
    }
}

/// The sets of goals a document can have (its goal bits).
const GOAL_SETS: usize = 1 << Goal::ALL.len();

/// Counts of one segment by its table's ids.
struct LocalCounts {
    county: Vec<u64>,
    org: Vec<u64>,
    lang: Vec<u64>,
    /// By goal bits: one count per hit, spread over its goals at the end.
    goal_sets: [u64; GOAL_SETS],
    doc_type: [u64; DocType::ALL.len()],
    /// Differences: +1 at a period's start, −1 after its end (from `min_year`).
    years: Vec<i64>,
    min_year: u16,
}

impl LocalCounts {
    fn new(t: &SegmentTable) -> Self {
        let span = if t.max_year == 0 {
            0
        } else {
            (t.max_year - t.min_year) as usize + 2
        };
        LocalCounts {
            county: vec![0; t.counties.len()],
            org: vec![0; t.orgs.len()],
            lang: vec![0; t.langs.len()],
            goal_sets: [0; GOAL_SETS],
            doc_type: [0; DocType::ALL.len()],
            years: vec![0; span],
            min_year: t.min_year,
        }
    }

    fn add(&mut self, d: Dim, row: &Row) {
        let bump = |v: &mut [u64], i: usize| {
            if i != 0 {
                if let Some(n) = v.get_mut(i) {
                    *n += 1;
                }
            }
        };
        match d {
            Dim::Region => bump(&mut self.county, row.county as usize),
            Dim::Org => bump(&mut self.org, row.org as usize),
            Dim::Lang => bump(&mut self.lang, row.lang as usize),
            Dim::Type => {
                if let Some(n) = self.doc_type.get_mut(row.doc_type as usize) {
                    *n += 1;
                }
            }
            Dim::Goal => self.goal_sets[row.goals as usize & (GOAL_SETS - 1)] += 1,
            Dim::Period => {
                // The table keeps only periods with min_year ≤ start ≤ end ≤ max_year.
                if row.start != 0 {
                    let from = row.start.saturating_sub(self.min_year) as usize;
                    let to = row.end.saturating_sub(self.min_year) as usize + 1;
                    if from < to && to < self.years.len() {
                        self.years[from] += 1;
                        self.years[to] -= 1;
                    }
                }
            }
        }
    }

    fn into_counts(self, t: &SegmentTable) -> Counts {
        let named = |v: Vec<u64>, names: &crate::facet_table::Names| {
            v.into_iter()
                .enumerate()
                .filter(|(i, n)| *i != 0 && *n != 0)
                .map(|(i, n)| (names.name(i as u32).to_string(), n))
                .collect()
        };
        let mut year = BTreeMap::new();
        let mut running = 0i64;
        for (i, d) in self.years.iter().enumerate() {
            running += d;
            if running > 0 {
                year.insert(self.min_year + i as u16, running as u64);
            }
        }
        let mut goal = [0; Goal::ALL.len()];
        for (bits, n) in self.goal_sets.iter().enumerate() {
            for (g, count) in goal.iter_mut().enumerate() {
                if bits >> g & 1 == 1 {
                    *count += n;
                }
            }
        }
        Counts {
            region: named(self.county, &t.counties),
            year,
            goal,
            doc_type: self.doc_type,
            org: named(self.org, &t.orgs),
            lang: named(self.lang, &t.langs),
        }
    }
}

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
    by_date: bool,
    segment: SegmentOrdinal,
    total: usize,
    top: TopK,
    counts: LocalCounts,
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
            ranker: self.ranker.clone(),
            by_date: self.by_date,
            segment,
            total: 0,
            top: TopK::new(self.keep),
            table,
        })
    }

    fn requires_scoring(&self) -> bool {
        !self.by_date
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
        let Some(row) = self.table.documents.get(doc) else {
            return;
        };
        match self.filter.fails(row) {
            0 => {
                self.total += 1;
                for d in DIMS {
                    self.counts.add(d, row);
                }
                let (key, score) = if self.by_date {
                    (row.end as f32, 0.0)
                } else {
                    // A document's goal bits are its goal facets, as in the table.
                    let s = score() * self.ranker.factor(row.doc_type as u64, row.goals as u64);
                    (s, s)
                };
                self.top.push(Candidate {
                    key,
                    score,
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

/// Per id (in the order given): the best passage in the goals and the best of all.
type Bests = Vec<(Option<Candidate>, Option<Candidate>)>;

/// Passages to score, with the position in `ids` of their document, in doc id order.
type Wanted = Vec<(DocId, usize)>;

fn keep_better(slot: &mut Option<Candidate>, c: Candidate) {
    if slot.is_none_or(|s| c.rank(&s).is_gt()) {
        *slot = Some(c);
    }
}

/// The best passage among the matches of `query` (a passage query) of each document of
/// `ids`, preferring passages in one of `goals` (the request's goal filter) when a document has
/// one; scored as a passage search scores (BM25 times the ranking factors), ties to the earlier
/// entry. The passages of the documents are read off the facet table, and the query is run
/// restricted to them ([`crate::entries`]).
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
    let set = EntrySet::new(
        searcher
            .segment_readers()
            .iter()
            .zip(&wanted)
            .map(|(r, (_, w))| (r.segment_id(), w.iter().map(|(d, _)| *d).collect()))
            .collect(),
    );
    let weight = restrict(query, &set).weight(EnableScoring::enabled_from_searcher(searcher))?;
    let mut best: Bests = vec![(None, None); ids.len()];
    for (segment, reader) in searcher.segment_readers().iter().enumerate() {
        let (table, w) = &wanted[segment];
        if w.is_empty() {
            continue;
        }
        let factor = ranker.scorer(reader);
        let alive = reader.alive_bitset();
        let mut scorer = weight.scorer(reader, 1.0)?;
        let mut doc = scorer.doc();
        while doc != TERMINATED {
            let slot = w.partition_point(|(d, _)| *d < doc);
            if let Some(&(d, slot)) = w.get(slot).filter(|(d, _)| *d == doc) {
                if !alive.is_some_and(|a| a.is_deleted(d)) {
                    let s = factor(d, scorer.score());
                    let c = Candidate {
                        key: s,
                        score: s,
                        addr: DocAddress::new(segment as SegmentOrdinal, d),
                    };
                    let (in_goal, any) = &mut best[slot];
                    let row_goals = table.entries.get(d as usize).map_or(0, |e| e.goals);
                    if goals & row_goals != 0 {
                        keep_better(in_goal, c);
                    }
                    keep_better(any, c);
                }
            }
            doc = scorer.advance();
        }
    }
    Ok(best
        .into_iter()
        .map(|(g, a)| g.or(a).map(|c| c.addr))
        .collect())
}

#[cfg(test)]
mod tests {
    //! The one-pass search against the plain way: tantivy's facet collector over the query
    //! under every filter but the counted facet's, a count and a top-docs collector under all.

    use super::*;
    use crate::filters::DIMS;
    use crate::query::text_query;
    use crate::schema::{Scope, KIND_DOC};
    use crate::search::{kind_query, ranker_for, search, SearchRequest};
    use crate::test_support::Rng;
    use crate::{FacetValue, IndexStore, SearchConfig};
    use plansok_model::{Document, Passage, PassageKind, Taxonomy};
    use tantivy::collector::{Count, FacetCollector};
    use tantivy::query::{BooleanQuery, Occur, Query};
    use tantivy::schema::Facet;

    const WORDS: [&str; 8] = [
        "våld",
        "stöd",
        "skydd",
        "barn",
        "kvinnor",
        "samverkan",
        "utbildning",
        "polis",
    ];

    fn document(i: usize, rng: &mut Rng, tax: &Taxonomy, version: usize) -> Document {
        let county = &tax.counties()[rng.below(4)];
        let municipality = (rng.below(3) == 0).then(|| &county.municipalities[rng.below(2)]);
        let start = 2016 + rng.below(8) as u16;
        let goals: Vec<Goal> = Goal::ALL
            .into_iter()
            .filter(|_| rng.below(2) == 0)
            .collect();
        let words: Vec<&str> = (0..3 + i % 7).map(|_| WORDS[rng.below(8)]).collect();
        let text = format!("{} plan {i} version {version}", words.join(" "));
        Document {
            id: format!("doc{i}"),
            url: None,
            path: None,
            title: format!("Plan {i}"),
            region: (rng.below(8) != 0).then(|| county.name.clone()),
            municipality: municipality.map(|m| m.display_name()),
            organisation: Some(["Länsstyrelsen", "Regionen", "Kommunen"][rng.below(3)].into()),
            doc_type: DocType::ALL[rng.below(DocType::ALL.len())],
            period: (rng.below(5) != 0)
                .then(|| Period::new(start, start + rng.below(5) as u16))
                .flatten(),
            goals: goals.clone(),
            lang: if rng.below(6) == 0 { "en" } else { "sv" }.into(),
            published: None,
            content_hash: format!("hash{i}-{version}"),
            body: text.clone(),
            passages: vec![Passage {
                kind: PassageKind::Section,
                heading: None,
                text,
                page: None,
                goals: goals.clone(),
                section_goals: goals,
                lang: String::new(),
            }],
            pages: None,
        }
    }

    /// 80 documents over three commits (three segments), the first 10 rewritten in the last
    /// one (so the first segment has deleted entries).
    fn store(dir: &std::path::Path, tax: &Taxonomy) -> IndexStore {
        let mut store = IndexStore::open(dir, SearchConfig::load().unwrap()).unwrap();
        let mut rng = Rng(7);
        for batch in [0..40, 40..80, 0..10] {
            let version = usize::from(batch.start == 0 && batch.end == 10);
            for i in batch {
                store.upsert(&document(i, &mut rng, tax, version)).unwrap();
            }
            store.commit().unwrap();
        }
        store.reader().reload().unwrap();
        store
    }

    fn random_request(rng: &mut Rng, tax: &Taxonomy) -> SearchRequest {
        let mut req = SearchRequest {
            query: WORDS[rng.below(8)].to_string(),
            limit: Some(1 + rng.below(30)),
            ..SearchRequest::default()
        };
        if rng.below(2) == 0 {
            let county = &tax.counties()[rng.below(4)];
            req.regions.push(if rng.below(3) == 0 {
                county.municipalities[rng.below(2)].code.clone()
            } else {
                county.slug.clone()
            });
        }
        if rng.below(2) == 0 {
            let y = 2016 + rng.below(12);
            req.period = Some(format!("{y}-{}", y + rng.below(3)));
        }
        if rng.below(2) == 0 {
            req.goals.push(Goal::ALL[rng.below(4)].slug().into());
        }
        if rng.below(2) == 0 {
            for _ in 0..1 + rng.below(2) {
                req.types
                    .push(DocType::ALL[rng.below(DocType::ALL.len())].slug().into());
            }
        }
        if rng.below(3) == 0 {
            req.orgs
                .push(["Länsstyrelsen", "Regionen"][rng.below(2)].into());
        }
        if rng.below(3) == 0 {
            req.langs.push(["sv", "en"][rng.below(2)].into());
        }
        req
    }

    /// Counts of `/root`'s children the plain way, as the response lists them.
    fn reference_counts(
        store: &IndexStore,
        q: &dyn Query,
        field: &str,
        root: &str,
    ) -> Vec<FacetValue> {
        let mut c = FacetCollector::for_field(field);
        c.add_facet(Facet::from_path([root]));
        let counts = store.reader().searcher().search(q, &c).unwrap();
        let mut v: Vec<FacetValue> = counts
            .get(Facet::from_path([root]))
            .map(|(f, count)| FacetValue {
                value: f.to_path().last().unwrap().to_string(),
                count,
            })
            .collect();
        v.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
        if root == "year" {
            v.sort_by(|a, b| a.value.cmp(&b.value));
        }
        v
    }

    #[test]
    fn one_pass_equals_a_query_per_facet() {
        let tax = Taxonomy::load().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let store = store(dir.path(), &tax);
        assert!(store.reader().searcher().segment_readers().len() >= 2);
        let mut rng = Rng(42);
        let mut filtered_hits = 0;
        for _ in 0..150 {
            let req = random_request(&mut rng, &tax);
            let got = search(&store, &tax, &req).unwrap();
            let f = *store.fields();
            let spec = FilterSpec::parse(&tax, &req).unwrap();
            let text = text_query(&store, &req.query, Scope::Documents).unwrap();
            let under = |skip: Option<Dim>| -> BooleanQuery {
                let mut qs = vec![text.box_clone(), kind_query(&f, KIND_DOC)];
                qs.extend(
                    DIMS.iter()
                        .filter(|d| Some(**d) != skip)
                        .filter_map(|d| spec.query(&f, *d)),
                );
                BooleanQuery::new(qs.into_iter().map(|q| (Occur::Must, q)).collect())
            };
            let searcher = store.reader().searcher();
            let all = under(None);
            assert_eq!(got.total, searcher.search(&all, &Count).unwrap(), "{req:?}");
            let facets = &got.facets;
            for (have, d, field, root) in [
                (&facets.region, Dim::Region, "region", "region"),
                (&facets.period, Dim::Period, "year", "year"),
                (&facets.goal, Dim::Goal, "goal", "goal"),
                (&facets.doc_type, Dim::Type, "type", "type"),
                (&facets.organisation, Dim::Org, "org", "org"),
                (&facets.lang, Dim::Lang, "lang", "lang"),
            ] {
                let want = reference_counts(&store, &under(Some(d)), field, root);
                assert_eq!(have, &want, "{d:?} of {req:?}");
            }
            // The same hits with the same scores (ties in any order).
            let ranker = ranker_for(&store, &req);
            let mut want: Vec<(String, f32)> = searcher
                .search(&all, &ranker.top_docs(req.limit.unwrap(), 0))
                .unwrap()
                .into_iter()
                .map(|(s, addr)| {
                    let d: tantivy::TantivyDocument = searcher.doc(addr).unwrap();
                    (crate::search::stored_meta(&f, &d).unwrap().id, s)
                })
                .collect();
            let mut have: Vec<(String, f32)> =
                got.hits.iter().map(|h| (h.id.clone(), h.score)).collect();
            let by_score = |a: &(String, f32), b: &(String, f32)| {
                b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0))
            };
            want.sort_by(by_score);
            have.sort_by(by_score);
            let scores = |v: &[(String, f32)]| v.iter().map(|x| x.1).collect::<Vec<_>>();
            assert_eq!(scores(&have), scores(&want), "{req:?}");
            filtered_hits += usize::from(spec.queries(&f).len() > 1 && got.total > 0);
        }
        assert!(
            filtered_hits > 20,
            "the requests combine filters that match something"
        );
    }

    /// 60 documents of 1 to 6 passages over three commits, the first 12 rewritten in the last.
    fn passage_store(dir: &std::path::Path, tax: &Taxonomy) -> IndexStore {
        let mut store = IndexStore::open(dir, SearchConfig::load().unwrap()).unwrap();
        let mut rng = Rng(11);
        for batch in [0..30, 30..60, 0..12] {
            let version = usize::from(batch.end == 12);
            for i in batch {
                let mut d = document(i, &mut rng, tax, version);
                d.passages = (0..1 + rng.below(6))
                    .map(|n| {
                        let words: Vec<&str> =
                            (0..2 + rng.below(6)).map(|_| WORDS[rng.below(8)]).collect();
                        let goals: Vec<Goal> = Goal::ALL
                            .into_iter()
                            .filter(|_| rng.below(3) == 0)
                            .collect();
                        Passage {
                            kind: PassageKind::Section,
                            heading: None,
                            text: format!("{} stycke {n} version {version}", words.join(" ")),
                            page: None,
                            goals: goals.clone(),
                            section_goals: goals,
                            lang: String::new(),
                        }
                    })
                    .collect();
                store.upsert(&d).unwrap();
            }
            store.commit().unwrap();
        }
        store.reader().reload().unwrap();
        store
    }

    #[test]
    fn best_passages_equal_a_search_per_document() {
        use tantivy::query::TermQuery;
        use tantivy::schema::{IndexRecordOption, Value};
        use tantivy::Term;
        let tax = Taxonomy::load().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let store = passage_store(dir.path(), &tax);
        let f = *store.fields();
        let searcher = store.reader().searcher();
        assert!(searcher.segment_readers().len() >= 2);
        let tables = store.facet_tables(&searcher).unwrap();
        let ids: Vec<String> = [0, 3, 5, 11, 17, 29, 30, 41, 56, 59, 99]
            .iter()
            .map(|i| format!("doc{i}"))
            .collect();
        let is_passage = |a: &DocAddress| {
            let d: tantivy::TantivyDocument = searcher.doc(*a).unwrap();
            d.get_first(f.kind).and_then(|v| v.as_str()) == Some(crate::schema::KIND_PASSAGE)
        };
        let mut found = 0;
        for query in [
            "våld",
            "\"våld stöd\"",
            "våld -barn",
            "kvinn*",
            "stöd OR polis",
            "",
        ] {
            let req = SearchRequest {
                query: query.into(),
                ..SearchRequest::default()
            };
            let ranker = ranker_for(&store, &req);
            let text = text_query(&store, query, Scope::Passages).unwrap();
            for goals in [0u8, 0b0001, 0b0110] {
                let got = best_passages(&searcher, &tables, &*text, &ids, goals, &ranker).unwrap();
                // The plain way: the query and the document's id, every match scored, the
                // best in the goals if any, else the best; ties to the earlier entry.
                let want: Vec<Option<DocAddress>> = ids
                    .iter()
                    .map(|id| {
                        let id_q = TermQuery::new(
                            Term::from_field_text(f.doc_id, id),
                            IndexRecordOption::Basic,
                        );
                        let q = BooleanQuery::new(vec![
                            (Occur::Must, text.box_clone()),
                            (Occur::Must, Box::new(id_q) as Box<dyn Query>),
                        ]);
                        let mut all = searcher.search(&q, &ranker.top_docs(1000, 0)).unwrap();
                        all.retain(|(_, a)| is_passage(a));
                        let in_goal = |a: &DocAddress| {
                            let t = tables.of(searcher.segment_reader(a.segment_ord)).unwrap();
                            t.entries[a.doc_id as usize].goals & goals != 0
                        };
                        let best = |v: Vec<&(f32, DocAddress)>| {
                            v.into_iter()
                                .max_by(|x, y| x.0.total_cmp(&y.0).then_with(|| y.1.cmp(&x.1)))
                                .map(|x| x.1)
                        };
                        best(all.iter().filter(|x| in_goal(&x.1)).collect())
                            .or_else(|| best(all.iter().collect()))
                    })
                    .collect();
                assert_eq!(got, want, "{query:?} goals {goals:b}");
                found += got.iter().filter(|a| a.is_some()).count();
            }
        }
        assert!(
            found > 60,
            "the queries find passages of the documents: {found}"
        );
    }

    #[test]
    fn a_filter_pushed_into_the_query_keeps_its_matches_and_scores() {
        use crate::entries::{restrict, EntrySet};
        use crate::filters::{any_of, unscored};
        use tantivy::collector::DocSetCollector;
        use tantivy::collector::TopDocs;
        use tantivy::Term;
        let tax = Taxonomy::load().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let store = store(dir.path(), &tax);
        let f = *store.fields();
        let searcher = store.reader().searcher();
        let ids: Vec<Box<dyn Query>> = [3, 17, 41, 56, 77]
            .iter()
            .map(|i| {
                Box::new(tantivy::query::TermQuery::new(
                    Term::from_field_text(f.doc_id, &format!("doc{i}")),
                    tantivy::schema::IndexRecordOption::Basic,
                )) as Box<dyn Query>
            })
            .collect();
        let filter = unscored(any_of(ids));
        // The same entries as a set of doc ids.
        let mut listed: HashMap<tantivy::index::SegmentId, Vec<DocId>> = HashMap::new();
        for a in searcher.search(&*filter, &DocSetCollector).unwrap() {
            let id = searcher.segment_reader(a.segment_ord).segment_id();
            listed.entry(id).or_default().push(a.doc_id);
        }
        let set: Box<dyn Query> = Box::new(EntrySet::new(listed));
        let run = |q: &dyn Query| {
            let mut v: Vec<(DocAddress, u32)> = searcher
                .search(q, &TopDocs::with_limit(1000).order_by_score())
                .unwrap()
                .into_iter()
                .map(|(s, a)| (a, (s * 1e4).round() as u32))
                .collect();
            v.sort();
            v
        };
        let mut matched = 0;
        for query in [
            "våld",
            "\"våld stöd\"",
            "våld -barn",
            "kvinn*",
            "stöd OR polis",
            "(skydd AND barn) OR samverkan",
            "",
        ] {
            for scope in [Scope::Documents, Scope::Passages] {
                let text = text_query(&store, query, scope).unwrap();
                let plain = BooleanQuery::new(vec![
                    (Occur::Must, text.box_clone()),
                    (Occur::Must, filter.box_clone()),
                ]);
                let want = run(&plain);
                assert_eq!(run(&*restrict(&*text, &*filter)), want, "{query:?}");
                assert_eq!(run(&*restrict(&*text, &*set)), want, "{query:?}");
                matched += want.len();
            }
        }
        assert!(
            matched > 20,
            "the queries match filtered entries: {matched}"
        );
    }
}
