//! The best `k` hits of a search ([`TopK`]) or of a long stream of matches ([`TopStream`]),
//! and how two are ranked ([`Candidate`]).

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

/// Most matches kept at the bar, unranked among themselves, before they are cut by tie key.
const TIE_POOL: usize = 1 << 18;

/// The best `k` of a long stream of matches, ranked as [`Candidate::rank`] ranks them.
///
/// The matches above the bar (the `k`-th best key after the last cut) are kept in a buffer
/// that is cut back when it holds `2k` (as tantivy's top-n collector does, without a heap's
/// sifting for every match that enters); those of the bar's key in a pool, by address only.
/// Tie keys are looked up at the end, in one tight pass over the pool, not match by match
/// while the query's postings are walked: in a corpus of templated plans most matches of a
/// common word tie. Only a pool of more than [`TIE_POOL`] matches is cut by tie key before the
/// end; a match of the bar's key then looks its tie key up to enter.
pub(crate) struct TopStream {
    k: usize,
    /// Matches above the bar (all of them before the first cut).
    buf: Vec<(f32, DocAddress)>,
    bar: Option<f32>,
    /// Matches of the bar's key.
    pool: Vec<DocAddress>,
    /// Set when the pool was cut by tie key: a match of the bar's key enters only with a
    /// lower (tie key, address).
    tie_bar: Option<(u64, DocAddress)>,
    /// Largest pool before it is cut ([`TIE_POOL`]).
    pool_cap: usize,
}

impl TopStream {
    pub(crate) fn new(k: usize) -> Self {
        Self::with_pool(k, TIE_POOL)
    }

    fn with_pool(k: usize, pool_cap: usize) -> Self {
        TopStream {
            k,
            buf: Vec::with_capacity(k.saturating_mul(2).min(4096)),
            bar: None,
            pool: Vec::new(),
            tie_bar: None,
            pool_cap: pool_cap.max(1),
        }
    }

    /// Offers `addr` with key `key`; `tie` gives an entry's tie key.
    #[inline]
    pub(crate) fn push(&mut self, key: f32, addr: DocAddress, tie: impl Fn(DocAddress) -> u64) {
        match self.bar {
            Some(bar) if key < bar => {}
            Some(bar) if key == bar => {
                if self.tie_bar.is_some_and(|t| (tie(addr), addr) >= t) {
                    return;
                }
                self.pool.push(addr);
                if self.pool.len() > self.pool_cap {
                    self.cut_pool(&tie);
                }
            }
            _ => {
                if self.k == 0 {
                    return;
                }
                self.buf.push((key, addr));
                if self.buf.len() >= self.k.saturating_mul(2) {
                    self.raise_bar();
                }
            }
        }
    }

    /// With `k` matches or more above the bar: the bar rises to the `k`-th best key of the
    /// buffer, the pool takes the buffer's matches of that key, and those below it go.
    fn raise_bar(&mut self) {
        let k = self.k;
        self.buf
            .select_nth_unstable_by(k - 1, |a, b| b.0.total_cmp(&a.0));
        let bar = self.buf[k - 1].0;
        self.bar = Some(bar);
        self.tie_bar = None;
        self.pool.clear();
        self.pool
            .extend(self.buf.iter().filter(|c| c.0 == bar).map(|c| c.1));
        self.buf.retain(|c| c.0 > bar);
    }

    /// Keeps of the pool the matches that complete the best `k`, by (tie key, address).
    fn cut_pool(&mut self, tie: &impl Fn(DocAddress) -> u64) {
        let need = self.k.saturating_sub(self.buf.len());
        let mut at: Vec<(u64, DocAddress)> = self.pool.iter().map(|&a| (tie(a), a)).collect();
        if at.len() > need {
            if need == 0 {
                at.clear();
            } else {
                at.select_nth_unstable(need - 1);
                at.truncate(need);
            }
        }
        at.sort_unstable();
        self.tie_bar = at.last().copied();
        self.pool = at.into_iter().map(|(_, a)| a).collect();
    }

    /// The best `k`, best first.
    pub(crate) fn into_sorted(mut self, tie: impl Fn(DocAddress) -> u64) -> Vec<Candidate> {
        if self.buf.len() >= self.k && self.k > 0 {
            self.raise_bar();
        }
        if self.buf.len() + self.pool.len() > self.k {
            self.cut_pool(&tie);
        }
        let bar = self.bar.unwrap_or(0.0);
        let mut v: Vec<Candidate> = self
            .buf
            .into_iter()
            .chain(self.pool.into_iter().map(|a| (bar, a)))
            .map(|(key, addr)| Candidate {
                key,
                score: key,
                tie: tie(addr),
                addr,
            })
            .collect();
        v.sort_by(|a, b| b.rank(a));
        v.truncate(self.k);
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::Rng;

    /// Streams with many equal keys, over several segments, against sorting them all.
    #[test]
    fn the_tied_top_is_the_head_of_the_whole_order() {
        let mut rng = Rng(7);
        for round in 0..200 {
            let n = rng.below(400);
            let k = rng.below(40);
            let keys = 1 + rng.below(6);
            let stream: Vec<(f32, DocAddress)> = (0..n)
                .map(|i| {
                    let addr = DocAddress::new((i % 3) as u32, i as u32);
                    (rng.below(keys) as f32, addr)
                })
                .collect();
            // Ties by a key unrelated to the address, as documents' ids are.
            let tie = |a: DocAddress| u64::from(a.doc_id.wrapping_mul(2_654_435_761) % 17);
            // A small pool of ties, to cut matches at the bar by tie key too.
            let mut top = TopStream::with_pool(k, [8, 64, TIE_POOL][round % 3]);
            for &(key, addr) in &stream {
                top.push(key, addr, tie);
            }
            let mut all: Vec<Candidate> = stream
                .iter()
                .map(|&(key, addr)| Candidate {
                    key,
                    score: key,
                    tie: tie(addr),
                    addr,
                })
                .collect();
            all.sort_by(|a, b| b.rank(a));
            let want: Vec<(f32, DocAddress)> =
                all.iter().take(k).map(|c| (c.key, c.addr)).collect();
            let got: Vec<(f32, DocAddress)> = top
                .into_sorted(tie)
                .iter()
                .map(|c| (c.key, c.addr))
                .collect();
            assert_eq!(got, want, "round {round}: n {n}, k {k}");
        }
    }
}
