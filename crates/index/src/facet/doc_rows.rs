//! The rows of a segment's document entries ([`DocRows`]), found by tantivy doc id, each with
//! its facet values ([`Row`]) and the key that orders documents of equal score
//! ([`tie_key`](super::top_k::tie_key)).

use tantivy::DocId;

/// One entry's facet values. Index 0 of a name list means "none".
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Row {
    /// The entry's document, in [`SegmentTable::doc_ids`](super::table::SegmentTable::doc_ids).
    pub doc: u32,
    pub org: u32,
    pub county: u16,
    /// County and municipality together, in [`SegmentTable::places`](super::table::SegmentTable::places).
    pub place: u16,
    pub lang: u16,
    /// Plan period; 0 when the document has none.
    pub start: u16,
    pub end: u16,
    /// [`crate::schema::type_code`].
    pub doc_type: u8,
    /// [`crate::schema::goal_bits`] of the entry's goal facets.
    pub goals: u8,
    /// Whether the document is off the topic (it only shares the words).
    pub off_topic: bool,
}

/// The rows of the document entries of a segment, by tantivy doc id: a bitset of which entries
/// are documents with the rank of each word, and the rows in doc id order. Kept apart from the
/// passages (most entries) so that a search over documents reads a small, dense array. In a
/// sorted index ([`crate::schema::ENTRY_ORDER`]) the documents are the first entries of a
/// segment and a row is found by its doc id alone.
#[derive(Debug, Default)]
pub(crate) struct DocRows {
    bits: Vec<u64>,
    /// Documents before each word of `bits`.
    ranks: Vec<u32>,
    rows: Vec<Row>,
    /// Each row's document's [`tie_key`](super::top_k::tie_key), by row.
    ties: Vec<u64>,
    /// Whether the documents are the entries `0..rows.len()`.
    prefix: bool,
}

impl DocRows {
    /// The rows `rows` of the entries in `is_doc`, in doc id order, with their documents' tie
    /// keys `ties`.
    pub fn new(rows: Vec<Row>, ties: Vec<u64>, is_doc: &[u64]) -> Self {
        let mut ranks = Vec::with_capacity(is_doc.len());
        let mut seen = 0usize;
        let mut prefix = true;
        for (w, word) in is_doc.iter().enumerate() {
            ranks.push(seen as u32);
            let mut bits = *word;
            while bits != 0 {
                let doc = w * 64 + bits.trailing_zeros() as usize;
                prefix &= doc == seen;
                seen += 1;
                bits &= bits - 1;
            }
        }
        DocRows {
            bits: is_doc.to_vec(),
            ranks,
            rows,
            ties,
            prefix,
        }
    }

    /// How many documents the segment has when they are its first entries (a sorted index).
    pub fn prefix_len(&self) -> Option<u32> {
        self.prefix.then_some(self.rows.len() as u32)
    }

    /// The row of document entry `doc`; `None` for a passage.
    #[inline]
    pub fn get(&self, doc: DocId) -> Option<&Row> {
        self.row(self.at(doc)?)
    }

    /// The tie key of document entry `doc`'s document (0 for a passage).
    #[inline]
    pub fn tie(&self, doc: DocId) -> u64 {
        self.at(doc).map_or(0, |at| self.tie_at(at))
    }

    /// Where document entry `doc`'s row is, for [`row`](Self::row) and
    /// [`tie_at`](Self::tie_at); `None` for a passage.
    #[inline]
    pub fn at(&self, doc: DocId) -> Option<usize> {
        if self.prefix {
            return Some(doc as usize);
        }
        let (w, b) = ((doc / 64) as usize, doc % 64);
        let word = *self.bits.get(w)?;
        if word >> b & 1 == 0 {
            return None;
        }
        Some((self.ranks[w] + (word & ((1u64 << b) - 1)).count_ones()) as usize)
    }

    /// The row at `at`.
    #[inline]
    pub fn row(&self, at: usize) -> Option<&Row> {
        self.rows.get(at)
    }

    /// The tie key of the row at `at` (0 when none was given).
    #[inline]
    pub fn tie_at(&self, at: usize) -> u64 {
        self.ties.get(at).copied().unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rows of entries `0..n`, the documents those in `docs` (ascending), each row naming its
    /// entry and tied by ten times it.
    fn doc_rows(n: usize, docs: &[usize]) -> DocRows {
        let rows: Vec<Row> = docs
            .iter()
            .map(|&doc| Row {
                doc: doc as u32,
                ..Row::default()
            })
            .collect();
        let ties = docs.iter().map(|&d| d as u64 * 10).collect();
        let mut bits = vec![0u64; n.div_ceil(64)];
        for &d in docs {
            bits[d / 64] |= 1 << (d % 64);
        }
        DocRows::new(rows, ties, &bits)
    }

    #[test]
    fn a_document_row_is_found_by_doc_id_scattered_or_first() {
        let scattered = [3, 64, 65, 130, 199];
        let first = [0, 1, 2, 3, 4];
        for docs in [scattered, first] {
            let rows = doc_rows(200, &docs);
            assert_eq!(rows.prefix, docs == first);
            for doc in 0..200u32 {
                let want = docs.contains(&(doc as usize)).then_some(doc);
                assert_eq!(rows.get(doc).map(|r| r.doc), want, "entry {doc}");
                let tie = want.map_or(0, |d| u64::from(d) * 10);
                assert_eq!(rows.tie(doc), tie, "entry {doc}");
            }
            assert_eq!(rows.get(10_000).map(|r| r.doc), None);
        }
    }
}
