//! A term's postings read block by block into a plan's arrays ([`TermLeaf`]): what its
//! term scorer would give, without a call through the scorer for each posting.

use std::ops::Range;

use tantivy::fieldnorm::FieldNormReader;
use tantivy::query::{Bm25Weight, EnableScoring};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, Score, SegmentReader, Term};

use super::{Cells, Node};

/// A term query's term and its BM25 weight (`None` when not scored): what its scorer reads,
/// without a call through the scorer for each posting.
pub(super) struct TermLeaf {
    term: Term,
    bm25: Option<Bm25Weight>,
    /// Whether its frequencies are read (else each match counts once).
    freqs: bool,
    /// Its score's factor (a [`WeightedTerm`](crate::query::like_this::WeightedTerm)'s boost), applied as tantivy's boost applies it.
    boost: Score,
}

impl TermLeaf {
    /// Records the term's postings inside `runs`, as its term scorer would give them: the
    /// frequencies when read and as the field keeps them (a field indexed without them counts
    /// each match once), the field's norms (none: a constant), times the boost.
    pub(super) fn add(
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
        let scoring: Option<(&Bm25Weight, [Score; 256])> =
            bm25.map(|w| (w, std::array::from_fn(|n| boosted(w.score(n as u8, 1)))));
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
                    if let Some((w, once)) = &scoring {
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

/// The leaf of a term: its weight as its term query's (the index's statistics), with the
/// frequencies read or not; the error of its term query's weight when the field is not
/// indexed.
pub(super) fn term_leaf(
    term: &Term,
    freqs: bool,
    boost: Score,
    scoring: EnableScoring<'_>,
) -> tantivy::Result<Option<Node>> {
    let entry = scoring.schema().get_field_entry(term.field());
    if !entry.is_indexed() {
        let msg = format!("Field {:?} is not indexed.", entry.name());
        return Err(tantivy::TantivyError::SchemaError(msg));
    }
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
