//! The plan against the queries' own scorers: the same entries and scores.

use super::*;
use crate::query::like_this::WeightedTerm;
use tantivy::collector::TopDocs;
use tantivy::query::{BoostQuery, TermQuery};
use tantivy::schema::{IndexRecordOption, Schema, STORED, STRING, TEXT};
use tantivy::{doc, Index, Term};

/// Every entry the query's own scorer matches in the runs, with its score, and no other.
#[test]
fn dense_equals_the_query() {
    let mut b = Schema::builder();
    let title = b.add_text_field("title", TEXT);
    let text = b.add_text_field("text", TEXT);
    // Indexed without frequencies: each match counts once.
    let tag = b.add_text_field("tag", STRING);
    let note = b.add_text_field("note", STORED);
    let index = Index::create_in_ram(b.build());
    let mut w = index.writer_with_num_threads(1, 15_000_000).unwrap();
    let vocab = ["våld", "stöd", "skydd", "barn", "plan"];
    for i in 0..600u32 {
        let words = |salt: u32| -> String {
            (0..5)
                .filter(|k| ((i * salt) >> k) & 1 == 1 || (i * 7 + k + salt).is_multiple_of(11))
                .map(|k| vocab[k as usize])
                .collect::<Vec<_>>()
                .join(" ")
        };
        let t = if i % 3 == 0 { "a" } else { "b" };
        // Some words twice: frequencies above one.
        let body = format!("{} {}", words(1), words(5));
        w.add_document(doc!(title => words(3), text => body, tag => t))
            .unwrap();
    }
    w.commit().unwrap();
    let searcher = index.reader().unwrap().searcher();
    let reader = searcher.segment_reader(0);
    let word = |s: &str| -> Box<dyn Query> {
        let t = |f| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(f, s),
                IndexRecordOption::WithFreqs,
            ))
        };
        Box::new(BooleanQuery::new(vec![
            (Occur::Should, Box::new(BoostQuery::new(t(title), 3.0))),
            (Occur::Should, t(text)),
        ]))
    };
    let words = |ws: &[&str]| ws.iter().map(|s| word(s)).collect::<Vec<_>>();
    let weighted = |w: &str, option, boost| -> Box<dyn Query> {
        let term = Term::from_field_text(text, w);
        Box::new(WeightedTerm {
            term,
            option,
            boost,
        })
    };
    let tagged = |option| -> Box<dyn Query> {
        Box::new(TermQuery::new(Term::from_field_text(tag, "a"), option))
    };
    let queries: Vec<Box<dyn Query>> = vec![
        word("våld"),
        Box::new(SoftConjunction::new(
            words(&["våld", "stöd", "barn"]),
            2,
            3.0,
        )),
        Box::new(SoftConjunction::new(words(&["skydd", "plan"]), 1, 3.0)),
        Box::new(BooleanQuery::intersection(words(&["barn", "plan"]))),
        Box::new(BooleanQuery::new(vec![
            (Occur::Should, word("barn")),
            (Occur::MustNot, word("plan")),
        ])),
        Box::new(BooleanQuery::intersection(vec![
            word("barn"),
            Box::new(SoftConjunction::new(words(&["skydd", "plan"]), 1, 3.0)),
        ])),
        Box::new(BooleanQuery::new(vec![
            (Occur::Must, word("barn")),
            (Occur::Should, tagged(IndexRecordOption::WithFreqs)),
        ])),
        Box::new(BooleanQuery::new(vec![
            (Occur::Should, tagged(IndexRecordOption::Basic)),
            (Occur::Should, word("plan")),
        ])),
        // A like-this query's terms: boosted, with and without their frequencies.
        Box::new(BooleanQuery::new(vec![
            (
                Occur::Should,
                weighted("barn", IndexRecordOption::Basic, 0.4),
            ),
            (
                Occur::Should,
                weighted("plan", IndexRecordOption::WithFreqs, 1.7),
            ),
            (
                Occur::Should,
                weighted("stöd", IndexRecordOption::Basic, 1.0),
            ),
        ])),
        Box::new(BooleanQuery::new(vec![
            (Occur::Must, word("stöd")),
            (Occur::Should, word("våld")),
            (
                Occur::Should,
                Box::new(BooleanQuery::intersection(words(&["skydd", "barn"]))),
            ),
        ])),
    ];
    // A lone term is read by its own scorer.
    let lone = TermQuery::new(
        Term::from_field_text(text, "barn"),
        IndexRecordOption::WithFreqs,
    );
    let scoring = EnableScoring::enabled_from_searcher(&searcher);
    assert!(DensePlan::of(&lone, scoring).unwrap().is_none());
    // A term of a field that is only stored: the error its term query's weight gives.
    let unindexed = BooleanQuery::new(vec![
        (Occur::Should, word("barn")),
        (
            Occur::Should,
            Box::new(TermQuery::new(
                Term::from_field_text(note, "x"),
                IndexRecordOption::Basic,
            )),
        ),
    ]);
    assert!(unindexed.weight(scoring).is_err());
    assert!(DensePlan::of(&unindexed, scoring).is_err());
    // More words than a group has bits: read by the query's own scorer.
    let many: Vec<&str> = (0..MAX_CLAUSES + 1)
        .map(|i| vocab[i % vocab.len()])
        .collect();
    let long = SoftConjunction::new(words(&many), 3, 3.0);
    assert!(DensePlan::of(&long, scoring).unwrap().is_none());
    let fits = SoftConjunction::new(words(&many[..MAX_CLAUSES]), 3, 3.0);
    assert!(DensePlan::of(&fits, scoring).unwrap().is_some());
    let runs = [0..600u32, 17..90, 100..101, 300..420];
    for q in &queries {
        let scoring = EnableScoring::enabled_from_searcher(&searcher);
        let plan = DensePlan::of(&**q, scoring).unwrap().unwrap();
        let mut want: Vec<(DocId, Score)> = searcher
            .search(&**q, &TopDocs::with_limit(1000).order_by_score())
            .unwrap()
            .into_iter()
            .map(|(s, a)| (a.doc_id, s))
            .collect();
        want.sort_by_key(|(d, _)| *d);
        for (i, run) in runs.iter().enumerate() {
            let runs = if i == 0 {
                vec![run.clone()]
            } else {
                vec![run.clone(), 450..470]
            };
            let mut got: Vec<(DocId, Score)> = Vec::new();
            plan.score(reader, runs.clone())
                .unwrap()
                .for_each_match(|d, s| got.push((d, s)));
            let expected: Vec<&(DocId, Score)> = want
                .iter()
                .filter(|(d, _)| run.contains(d) || (i > 0 && (450..470).contains(d)))
                .collect();
            assert_eq!(got.len(), expected.len(), "{q:?} in {run:?}");
            assert!(!got.is_empty(), "{q:?} in {run:?}");
            for ((dg, sg), (dw, sw)) in got.iter().zip(&expected) {
                assert_eq!(dg, dw, "{q:?}");
                assert!(
                    (sg - sw).abs() < 1e-4 * sw.max(1.0),
                    "{q:?}: {sg} against {sw}"
                );
            }
            // Without scores: the same entries.
            let unscored = EnableScoring::disabled_from_searcher(&searcher);
            let mut docs = Vec::new();
            DensePlan::of(&**q, unscored)
                .unwrap()
                .unwrap()
                .score(reader, runs)
                .unwrap()
                .for_each_match(|d, _| docs.push(d));
            let want_docs: Vec<DocId> = expected.iter().map(|(d, _)| *d).collect();
            assert_eq!(docs, want_docs, "{q:?} unscored");
        }
    }
}
