//! A "more like this" query: the terms that tell a text apart, each weighed by how much
//! ([`like_this`]), as term queries of their own kind ([`WeightedTerm`]) that the term-by-term
//! plan reads from their postings ([`super::dense`]).
//!
//! The terms are chosen as tantivy's `MoreLikeThis` chooses them (Lucene's way): the text is
//! analysed as its field is indexed; a term's weight is its count in the text times its idf
//! over the index, `ln(1 + (N − n + 0.5) / (n + 0.5))`; words shorter than a few bytes and
//! terms in too many entries are left out; the heaviest terms are kept, each boosted by its
//! weight over the heaviest one's. Unlike tantivy's, terms of equal weight are taken in a fixed
//! order (field, then term), so the same text gives the same query in every process: tantivy's
//! choice among equal weights at the cut followed the order of a randomly seeded hash map, and
//! a document's similar documents changed from one start of the server to the next.

use std::cmp::Ordering;
use std::collections::HashMap;

use tantivy::query::{BooleanQuery, BoostWeight, EnableScoring, Occur, Query, TermQuery, Weight};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::TokenStream;
use tantivy::{Score, Searcher, Term};

/// Which terms of a text make its like-this query.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LikeThis {
    /// Most terms kept.
    pub max_terms: usize,
    /// Words shorter than this (in bytes) are left out.
    pub min_word_bytes: usize,
    /// Terms in more entries than this are left out.
    pub max_doc_freq: Option<u64>,
}

/// A term query weighed by `boost`, with its frequencies read or not (`Basic`: each match
/// counts once, as in a like-this query). Its weight is tantivy's term weight boosted, so it
/// scores as a boosted [`TermQuery`]; the term-by-term plan reads it without a scorer.
#[derive(Debug, Clone)]
pub(crate) struct WeightedTerm {
    pub term: Term,
    pub option: IndexRecordOption,
    pub boost: Score,
}

impl Query for WeightedTerm {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let inner = TermQuery::new(self.term.clone(), self.option).weight(scoring)?;
        Ok(if scoring.is_scoring_enabled() && self.boost != 1.0 {
            Box::new(BoostWeight::new(inner, self.boost))
        } else {
            inner
        })
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        visitor(&self.term, false);
    }
}

/// The like-this query of `texts` (each under the field it is searched in): a union of its
/// heaviest terms (see the module doc); an empty union when no term qualifies.
pub(crate) fn like_this(
    searcher: &Searcher,
    texts: &[(Field, Vec<String>)],
    settings: LikeThis,
) -> tantivy::Result<BooleanQuery> {
    let counts = term_counts(searcher, texts, settings.min_word_bytes);
    let entries: u64 = searcher
        .segment_readers()
        .iter()
        .map(|r| u64::from(r.num_docs()))
        .sum();
    let mut weighed: Vec<(Score, Term)> = Vec::with_capacity(counts.len());
    for (term, count) in counts {
        let doc_freq = searcher.doc_freq(&term)?;
        if doc_freq == 0 || settings.max_doc_freq.is_some_and(|max| doc_freq > max) {
            continue;
        }
        weighed.push((count as Score * idf(doc_freq, entries.max(doc_freq)), term));
    }
    // Heaviest first; equal weights by field, then term.
    weighed.sort_by(|(a, ta), (b, tb)| {
        b.partial_cmp(a)
            .unwrap_or(Ordering::Equal)
            .then_with(|| ta.cmp(tb))
    });
    weighed.truncate(settings.max_terms);
    let heaviest = weighed.first().map_or(1.0, |(w, _)| *w);
    Ok(BooleanQuery::new(
        weighed
            .into_iter()
            .map(|(w, term)| -> (Occur, Box<dyn Query>) {
                let boost = w / heaviest;
                let option = IndexRecordOption::Basic;
                (
                    Occur::Should,
                    Box::new(WeightedTerm {
                        term,
                        option,
                        boost,
                    }),
                )
            })
            .collect(),
    ))
}

/// How often each term of `texts` occurs in them, analysed as their fields are indexed.
fn term_counts(
    searcher: &Searcher,
    texts: &[(Field, Vec<String>)],
    min_word_bytes: usize,
) -> HashMap<Term, usize> {
    let schema = searcher.schema();
    let tokenizers = searcher.index().tokenizers();
    let mut counts: HashMap<Term, usize> = HashMap::new();
    for (field, values) in texts {
        let tantivy::schema::FieldType::Str(options) = schema.get_field_entry(*field).field_type()
        else {
            continue;
        };
        let Some(indexing) = options.get_indexing_options() else {
            continue;
        };
        let Some(mut analyzer) = tokenizers.get(indexing.tokenizer()) else {
            continue;
        };
        for value in values {
            let mut stream = analyzer.token_stream(value);
            while stream.advance() {
                let text = &stream.token().text;
                if text.len() >= min_word_bytes.max(1) {
                    *counts
                        .entry(Term::from_field_text(*field, text))
                        .or_default() += 1;
                }
            }
        }
    }
    counts
}

/// BM25's idf of a term in `doc_freq` of `entries` entries.
fn idf(doc_freq: u64, entries: u64) -> Score {
    let rest = (entries - doc_freq) as Score + 0.5;
    (1.0 + rest / (doc_freq as Score + 0.5)).ln()
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::schema::{Schema, TEXT};
    use tantivy::{doc, Index};

    fn index() -> (Index, Field) {
        let mut b = Schema::builder();
        let text = b.add_text_field("text", TEXT);
        let index = Index::create_in_ram(b.build());
        let mut w = index.writer_with_num_threads(1, 15_000_000).unwrap();
        for t in [
            "våld stöd skydd",
            "våld stöd",
            "våld",
            "barn plan",
            "barn",
            "samverkan",
        ] {
            w.add_document(doc!(text => t)).unwrap();
        }
        w.commit().unwrap();
        (index, text)
    }

    fn terms(q: &BooleanQuery) -> Vec<(String, Score)> {
        q.clauses()
            .iter()
            .map(|(_, c)| {
                let w = c.downcast_ref::<WeightedTerm>().unwrap();
                (w.term.value().as_str().unwrap().to_string(), w.boost)
            })
            .collect()
    }

    /// The rarest and most repeated terms first, boosted by their weight over the first's;
    /// short words, too common terms and unknown ones left out; equal weights in term order.
    #[test]
    fn the_heaviest_terms_in_a_fixed_order() {
        let (index, text) = index();
        let searcher = index.reader().unwrap().searcher();
        let texts = vec![(
            text,
            vec!["skydd skydd samverkan plan barn våld av okänt".to_string()],
        )];
        let settings = LikeThis {
            max_terms: 4,
            min_word_bytes: 3,
            max_doc_freq: Some(2),
        };
        let q = like_this(&searcher, &texts, settings).unwrap();
        let got = terms(&q);
        let names: Vec<&str> = got.iter().map(|(t, _)| t.as_str()).collect();
        // skydd: twice, in 1 entry; plan and samverkan: once, in 1 entry each (equal weights,
        // in term order); barn: in 2; våld in 3 (too common), "av" too short, "okänt" unknown.
        assert_eq!(names, ["skydd", "plan", "samverkan", "barn"]);
        assert_eq!(got[0].1, 1.0);
        assert!((got[1].1 - 0.5).abs() < 1e-6, "{got:?}");
        assert_eq!(got[1].1, got[2].1);
        assert!(got[3].1 < got[2].1);
        // The same query every time.
        for _ in 0..5 {
            assert_eq!(terms(&like_this(&searcher, &texts, settings).unwrap()), got);
        }
    }

    /// A weighted term scores as tantivy's boosted term query.
    #[test]
    fn a_weighted_term_scores_as_a_boosted_term_query() {
        use tantivy::collector::TopDocs;
        use tantivy::query::BoostQuery;
        let (index, text) = index();
        let searcher = index.reader().unwrap().searcher();
        let term = Term::from_field_text(text, "barn");
        let option = IndexRecordOption::Basic;
        let ours = WeightedTerm {
            term: term.clone(),
            option,
            boost: 0.4,
        };
        let theirs = BoostQuery::new(Box::new(TermQuery::new(term, option)), 0.4);
        let top = |q: &dyn Query| {
            searcher
                .search(q, &TopDocs::with_limit(10).order_by_score())
                .unwrap()
        };
        assert_eq!(top(&ours), top(&theirs));
        assert_eq!(top(&ours).len(), 2);
    }
}
