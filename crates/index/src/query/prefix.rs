//! A query word ending in `*`: the entries with a term of one text field that starts with the
//! word, each scoring a constant (the boost), as tantivy's `RangeQuery` over the same terms.
//!
//! tantivy's range query sets a bit per match in a bitset as long as the segment (a million
//! entries at national size) and then walks that bitset, which costs the same whether the word
//! has three terms or three thousand, and however few of the entries the search then reads
//! (the best passages read a handful). A word with few terms in a segment (most: "kvinnojour*"
//! has a dozen) is read here as the union of those terms' postings instead, which skips to
//! the entries asked for; a word with more than `union_terms` terms falls back to the range.

use std::ops::Bound;

use tantivy::query::{
    BooleanQuery, ConstScorer, EnableScoring, Explanation, Occur, Query, RangeQuery, Scorer,
    TermQuery, Weight,
};
use tantivy::schema::{Field, IndexRecordOption, Schema};
use tantivy::{DocId, Score, SegmentReader, Term};

/// The terms of `field` that start with `prefix`, each scoring the boost.
#[derive(Debug, Clone)]
pub(crate) struct PrefixQuery {
    field: Field,
    prefix: String,
    /// The first string after those starting with `prefix` (None: there is none).
    end: Option<Vec<u8>>,
    /// Most terms read as a union in one segment; more are read as a range.
    union_terms: usize,
}

impl PrefixQuery {
    pub(crate) fn new(field: Field, prefix: &str, union_terms: usize) -> Self {
        PrefixQuery {
            field,
            prefix: prefix.to_string(),
            end: successor(prefix.as_bytes()),
            union_terms,
        }
    }

    /// The same entries and scores as tantivy's range query.
    fn range(&self) -> RangeQuery {
        let upper = match &self.end {
            Some(end) => Bound::Excluded(Term::from_field_bytes(self.field, end)),
            None => Bound::Unbounded,
        };
        let lower = Bound::Included(Term::from_field_text(self.field, &self.prefix));
        RangeQuery::new(lower, upper)
    }
}

/// The smallest byte string above every string starting with `prefix` (None: there is none).
fn successor(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < u8::MAX {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
}

impl Query for PrefixQuery {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(PrefixWeight {
            query: self.clone(),
            range: self.range().weight(scoring)?,
            schema: scoring.schema().clone(),
        }))
    }
}

struct PrefixWeight {
    query: PrefixQuery,
    /// The range query's weight, for a word with many terms in a segment.
    range: Box<dyn Weight>,
    schema: Schema,
}

impl PrefixWeight {
    /// The word's terms in `reader`'s segment; `None` when there are more than `union_terms`.
    fn terms(&self, reader: &SegmentReader) -> tantivy::Result<Option<Vec<Term>>> {
        let q = &self.query;
        let index = reader.inverted_index(q.field)?;
        let mut range = index.terms().range().ge(q.prefix.as_bytes());
        if let Some(end) = &q.end {
            range = range.lt(end);
        }
        let mut stream = range.into_stream()?;
        let mut terms = Vec::new();
        while stream.advance() {
            if terms.len() == q.union_terms {
                return Ok(None);
            }
            terms.push(Term::from_field_bytes(q.field, stream.key()));
        }
        Ok(Some(terms))
    }
}

impl Weight for PrefixWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let Some(terms) = self.terms(reader)? else {
            return self.range.scorer(reader, boost);
        };
        // Postings only (no frequencies, no BM25): the union is scored by the boost alone.
        let union = BooleanQuery::new(
            terms
                .into_iter()
                .map(|t| -> (Occur, Box<dyn Query>) {
                    (
                        Occur::Should,
                        Box::new(TermQuery::new(t, IndexRecordOption::Basic)),
                    )
                })
                .collect(),
        );
        let docs = union
            .weight(EnableScoring::disabled_from_schema(&self.schema))?
            .scorer(reader, 1.0)?;
        Ok(Box::new(ConstScorer::new(docs, boost)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        super::explain_score("PrefixQuery", self.scorer(reader, 1.0)?, doc)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::collector::TopDocs;
    use tantivy::schema::{STRING, TEXT};
    use tantivy::{doc, Index};

    /// An index of two segments with words sharing prefixes, and some entries deleted.
    fn index() -> (Index, Field, Field) {
        let mut schema = Schema::builder();
        let text = schema.add_text_field("text", TEXT);
        let id = schema.add_text_field("id", STRING);
        let index = Index::create_in_ram(schema.build());
        let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
        let words = [
            "kvinnojour",
            "kvinnojouren",
            "kvinnojourer",
            "kvinnofrid",
            "kvinna",
            "kvinnor",
            "våld",
            "våldet",
            "barn",
            "barnahus",
            "zz",
            "ÿÿ",
        ];
        for batch in 0..2 {
            for i in 0..400usize {
                let text_value: Vec<&str> = (0..1 + i % 4)
                    .map(|k| words[(i * 7 + k * 3 + batch) % words.len()])
                    .collect();
                writer
                    .add_document(doc!(text => text_value.join(" "), id => format!("{batch}-{i}")))
                    .unwrap();
            }
            writer.commit().unwrap();
        }
        for i in (0..400).step_by(9) {
            writer.delete_term(Term::from_field_text(id, &format!("0-{i}")));
        }
        writer.commit().unwrap();
        (index, text, id)
    }

    fn hits(index: &Index, q: &dyn Query) -> Vec<(Score, tantivy::DocAddress)> {
        let searcher = index.reader().unwrap().searcher();
        let mut hits = searcher
            .search(q, &TopDocs::with_limit(10_000).order_by_score())
            .unwrap();
        hits.sort_by_key(|h| h.1);
        hits
    }

    #[test]
    fn the_entries_and_scores_are_the_range_querys() {
        let (index, text, _) = index();
        assert_eq!(
            index.reader().unwrap().searcher().segment_readers().len(),
            2
        );
        for prefix in [
            "kvinno",
            "kvinn",
            "kvinnojour",
            "våld",
            "barn",
            "b",
            "",
            "x",
            "ÿ",
        ] {
            for union_terms in [0, 1, 2, 100] {
                let q = PrefixQuery::new(text, prefix, union_terms);
                let want = hits(&index, &q.range());
                assert_eq!(hits(&index, &q), want, "{prefix:?} {union_terms}");
                let boosted = tantivy::query::BoostQuery::new(Box::new(q.clone()), 3.0);
                let want = tantivy::query::BoostQuery::new(Box::new(q.range()), 3.0);
                assert_eq!(hits(&index, &boosted), hits(&index, &want), "{prefix:?}");
            }
        }
        let some = hits(&index, &PrefixQuery::new(text, "kvinnojour", 100));
        assert!(some.len() > 50, "the prefix matches: {}", some.len());
    }

    #[test]
    fn a_prefix_range_ends_at_the_first_string_without_the_prefix() {
        assert_eq!(successor(b"kvinno"), Some(b"kvinnp".to_vec()));
        // "bö": the last byte of "ö" (0xC3 0xB6) steps to 0xB7.
        assert_eq!(successor("bö".as_bytes()), Some(vec![b'b', 0xC3, 0xB7]));
        assert_eq!(successor(&[b'a', 0xFF]), Some(b"b".to_vec()));
        assert_eq!(successor(&[0xFF]), None);
        let within =
            |t: &str| t.as_bytes() >= "kvinno".as_bytes() && t.as_bytes() < b"kvinnp".as_slice();
        assert!(within("kvinno") && within("kvinnojourer") && within("kvinnoözz"));
        assert!(!within("kvinnp") && !within("kvinna"));
    }

    #[test]
    fn a_word_with_many_terms_is_read_as_a_range() {
        let (index, text, _) = index();
        let searcher = index.reader().unwrap().searcher();
        let q = PrefixQuery::new(text, "kvinn", 2);
        let weight = q
            .weight(EnableScoring::disabled_from_searcher(&searcher))
            .unwrap();
        let w = PrefixWeight {
            query: q.clone(),
            range: weight,
            schema: index.schema(),
        };
        let reader = searcher.segment_reader(0);
        assert!(w.terms(reader).unwrap().is_none(), "six terms, two allowed");
        let w = PrefixWeight {
            query: PrefixQuery::new(text, "kvinn", 10),
            ..w
        };
        assert_eq!(w.terms(reader).unwrap().unwrap().len(), 6);
    }
}
