//! Facet counts: per segment by its table's ids ([`LocalCounts`]), merged by name over the
//! segments ([`Counts`]).

use std::collections::{BTreeMap, HashMap};

use super::filters::Dim;
use super::table::{Row, SegmentTable};
use plansok_model::{DocType, Goal};

/// Facet counts by value name (years by number); each name once.
#[derive(Debug, Default, Clone)]
pub(crate) struct Counts {
    pub region: Vec<(String, u64)>,
    pub year: BTreeMap<u16, u64>,
    pub goal: [u64; Goal::ALL.len()],
    pub doc_type: [u64; DocType::ALL.len()],
    pub org: Vec<(String, u64)>,
    pub lang: Vec<(String, u64)>,
    /// On topic, off topic.
    pub topic: [u64; 2],
}

impl Counts {
    /// Adds the counts of another segment (whose table numbers the names its own way).
    pub(crate) fn merge(&mut self, other: Counts) {
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
        for (a, b) in self.topic.iter_mut().zip(other.topic) {
            *a += b;
        }
    }
}

/// The sets of goals a document can have (its goal bits).
pub(crate) const GOAL_SETS: usize = 1 << Goal::ALL.len();

/// One more for name `i` of a count vector (name 0, "none", is not counted).
#[inline(always)]
fn bump(v: &mut [u64], i: usize) {
    if i != 0 {
        if let Some(n) = v.get_mut(i) {
            *n += 1;
        }
    }
}

/// Counts of one segment by its table's ids.
pub(crate) struct LocalCounts {
    county: Vec<u64>,
    org: Vec<u64>,
    lang: Vec<u64>,
    /// By goal bits: one count per hit, spread over its goals at the end.
    goal_sets: [u64; GOAL_SETS],
    doc_type: [u64; DocType::ALL.len()],
    topic: [u64; 2],
    /// Differences: +1 at a period's start, −1 after its end (from `min_year`).
    years: Vec<i64>,
    min_year: u16,
}

impl LocalCounts {
    pub(crate) fn new(t: &SegmentTable) -> Self {
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
            topic: [0; 2],
            years: vec![0; span],
            min_year: t.min_year,
        }
    }

    /// Counts `row` in every dimension: what a hit that passes every filter adds, in one call
    /// (a hit of a broad query is counted tens of thousands of times per search).
    #[inline]
    pub(crate) fn add_all(&mut self, row: &Row) {
        bump(&mut self.county, row.county as usize);
        bump(&mut self.org, row.org as usize);
        bump(&mut self.lang, row.lang as usize);
        self.add_type(row);
        self.add_goals(row);
        self.add_topic(row);
        self.add_period(row);
    }

    #[inline]
    fn add_type(&mut self, row: &Row) {
        if let Some(n) = self.doc_type.get_mut(row.doc_type as usize) {
            *n += 1;
        }
    }

    #[inline]
    fn add_goals(&mut self, row: &Row) {
        self.goal_sets[row.goals as usize & (GOAL_SETS - 1)] += 1;
    }

    #[inline]
    fn add_topic(&mut self, row: &Row) {
        self.topic[usize::from(row.off_topic)] += 1;
    }

    #[inline]
    fn add_period(&mut self, row: &Row) {
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

    /// Counts `row` in dimension `d` alone (a hit that fails only that dimension's filter).
    pub(crate) fn add(&mut self, d: Dim, row: &Row) {
        match d {
            Dim::Region => bump(&mut self.county, row.county as usize),
            Dim::Org => bump(&mut self.org, row.org as usize),
            Dim::Lang => bump(&mut self.lang, row.lang as usize),
            Dim::Type => self.add_type(row),
            Dim::Goal => self.add_goals(row),
            Dim::Topic => self.add_topic(row),
            Dim::Period => self.add_period(row),
        }
    }

    pub(crate) fn into_counts(self, t: &SegmentTable) -> Counts {
        let named = |v: Vec<u64>, names: &crate::facet::table::Names| {
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
            topic: self.topic,
        }
    }
}
