//! The best `k` hits of a search ([`TopK`]) and how two are ranked ([`Candidate`]).

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use tantivy::{DocAddress, Score};

/// A ranked entry: `key` orders (the score, or the period's end year when sorting by date).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Candidate {
    pub key: f32,
    pub score: Score,
    pub addr: DocAddress,
}

impl Candidate {
    /// Greater is better: a higher key, then the earlier address.
    pub(crate) fn rank(&self, other: &Self) -> Ordering {
        self.key
            .total_cmp(&other.key)
            .then_with(|| other.addr.cmp(&self.addr))
    }
}

/// Kept in a max-heap whose top is the worst candidate.
pub(crate) struct Worst(Candidate);

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
pub(crate) struct TopK {
    k: usize,
    heap: BinaryHeap<Worst>,
}

impl TopK {
    pub(crate) fn new(k: usize) -> Self {
        TopK {
            k,
            heap: BinaryHeap::with_capacity(k.min(1024)),
        }
    }

    /// Whether it keeps any candidate (`k` > 0).
    pub(crate) fn keeps_any(&self) -> bool {
        self.k > 0
    }

    pub(crate) fn push(&mut self, c: Candidate) {
        if self.heap.len() < self.k {
            self.heap.push(Worst(c));
        } else if let Some(mut worst) = self.heap.peek_mut() {
            if c.rank(&worst.0).is_gt() {
                // One sift down in place of a pop and a push.
                *worst = Worst(c);
            }
        }
    }

    pub(crate) fn into_sorted(self) -> Vec<Candidate> {
        let mut v: Vec<Candidate> = self.heap.into_iter().map(|w| w.0).collect();
        v.sort_by(|a, b| b.rank(a));
        v
    }
}
