//! The arrays of a plan over a span of entries (a score and a clause bit per entry), lent by
//! the thread's spares and given back when dropped ([`Arrays`]).

use std::cell::RefCell;

use tantivy::Score;

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
pub(super) struct ScoreBits {
    pub(super) scores: Vec<Score>,
    pub(super) bits: Vec<u32>,
    /// Room for the positions of a run's matches ([`super::Dense::for_each_match`]); not
    /// zeroed, only grown.
    pub(super) matches: Vec<u32>,
}

/// Arrays lent by the thread's spares ([`Arrays::zeroed`]), given back when dropped.
pub(super) struct Arrays(pub(super) ScoreBits);

impl Arrays {
    /// Zeroed arrays over `span` entries, a spare pair when the thread has one.
    pub(super) fn zeroed(span: usize) -> Arrays {
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
