//! The best `k` hits of a search ([`TopK`]) and how two are ranked ([`Candidate`]).

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use tantivy::{DocAddress, Score};

/// A ranked entry: `key` orders (the score, or the period's end year when sorting by date).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Candidate {
    pub key: f32,
    pub score: Score,
    /// Breaks a tie of keys, lower first: the document's [`tie_key`] (0 where the entries
    /// compared are of one document).
    pub tie: u64,
    pub addr: DocAddress,
}

impl Candidate {
    /// Greater is better: a higher key, then the lower tie key, then the earlier address.
    /// Documents of equal score thus come in the order of their ids, whatever segments and
    /// doc ids an ingest gave them, and the same corpus ranks the same after a new ingest.
    pub(crate) fn rank(&self, other: &Self) -> Ordering {
        self.key
            .total_cmp(&other.key)
            .then_with(|| other.tie.cmp(&self.tie))
            .then_with(|| other.addr.cmp(&self.addr))
    }
}

/// A document's place among documents of equal score: its id read as the hexadecimal number
/// it is (plansok's ids are 16 hex digits, so this is their alphabetical order), else a
/// 64-bit FNV-1a hash of it.
pub(crate) fn tie_key(id: &str) -> u64 {
    if id.len() <= 16 {
        if let Ok(n) = u64::from_str_radix(id, 16) {
            return n;
        }
    }
    id.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
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
