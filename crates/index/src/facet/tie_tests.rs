//! Entries of equal score come in one order whatever the ingest: documents and passages by
//! their documents' ids, a document's passages in their own order.

use crate::test_support::{plan, section};
use crate::{search, Indexer, SearchConfig, SearchRequest};
use plansok_model::{Document, Passage, Taxonomy};

/// The ids of the plans, not in id order.
const IDS: [&str; 5] = [
    "0a1b2c3d4e5f6071",
    "ffee000000000001",
    "1234567890abcdef",
    "00000000000000aa",
    "89abcdef01234567",
];

/// The text every entry has, so that equal entries tie.
const TEXT: &str = "Kvinnojourerna i länet får stöd för sitt arbete.";

/// The ingests tried: the order the plans are written in, and a commit every so many.
const INGESTS: [([usize; 5], usize); 3] = [
    ([0, 1, 2, 3, 4], 2),
    ([4, 3, 2, 1, 0], 5),
    ([2, 4, 0, 3, 1], 1),
];

/// An index of `docs` written in `order` with a commit every `commit_every`, and a writer heap
/// of `heap_mb` (16: one writer thread; more: one per core).
fn ingest(
    dir: &std::path::Path,
    docs: &[Document],
    order: &[usize],
    commit_every: usize,
    heap_mb: usize,
) -> Indexer {
    let mut cfg = SearchConfig::load().unwrap();
    cfg.index.writer_heap_mb = heap_mb;
    let mut index = Indexer::open(dir, cfg).unwrap();
    for (n, &i) in order.iter().enumerate() {
        index.upsert(&docs[i]).unwrap();
        if (n + 1) % commit_every == 0 {
            index.commit().unwrap();
        }
    }
    index.commit().unwrap();
    index.reader().reload().unwrap();
    index
}

fn query() -> SearchRequest {
    SearchRequest {
        query: "kvinnojourerna".into(),
        ..SearchRequest::default()
    }
}

/// Documents of equal score come in the order of their ids, whatever order and commits an
/// ingest wrote them in: the same corpus ranks the same after it is ingested again (ties used
/// to go to the earlier entry, which depends on how the ingest split its segments).
#[test]
fn ties_rank_by_document_id_whatever_the_ingest_order() {
    let docs: Vec<Document> = IDS
        .iter()
        .map(|id| Document {
            title: "Handlingsplan".into(),
            ..plan(id, id, TEXT, vec![section(TEXT, None)])
        })
        .collect();
    let mut by_id: Vec<String> = IDS.iter().map(|s| s.to_string()).collect();
    by_id.sort();
    for (order, commit_every) in INGESTS {
        let dir = tempfile::tempdir().unwrap();
        let index = ingest(dir.path(), &docs, &order, commit_every, 16);
        let req = SearchRequest {
            keep_near_duplicates: true,
            ..query()
        };
        let got = search(&index, &Taxonomy::load().unwrap(), &req).unwrap();
        let scores: Vec<f32> = got.hits.iter().map(|h| h.score).collect();
        assert!(scores.windows(2).all(|w| w[0] == w[1]), "{scores:?}");
        let ids: Vec<String> = got.hits.into_iter().map(|h| h.id).collect();
        assert_eq!(
            ids, by_id,
            "ingest order {order:?}, a commit every {commit_every}"
        );
    }
}

/// Passages of equal score, in passage search and in measures, come in the order of their
/// documents' ids and, within a document, in their own order, however the documents were
/// ingested: a coordinator comparing counties sees the same order after a new ingest.
#[test]
fn passages_and_measures_that_tie_rank_by_document_id_whatever_the_ingest_order() {
    let tax = Taxonomy::load().unwrap();
    let docs: Vec<Document> = IDS
        .iter()
        .zip(tax.counties())
        .map(|(id, county)| Document {
            title: "Handlingsplan".into(),
            region: Some(county.name.clone()),
            ..plan(id, id, TEXT, vec![section(TEXT, None), section(TEXT, None)])
        })
        .collect();
    let county_of = |id: &str| docs.iter().find(|d| d.id == id).unwrap().region.clone();
    let ranked = |index: &Indexer| {
        let req = query();
        let passages = crate::search_passages(index, &tax, &req, 10, 0).unwrap();
        let scores: Vec<f32> = passages.iter().map(|p| p.score).collect();
        assert!(scores.windows(2).all(|w| w[0] == w[1]), "{scores:?}");
        let paged = crate::search_passages(index, &tax, &req, 3, 4).unwrap();
        let passages: Vec<(String, u64)> = passages
            .into_iter()
            .map(|p| (p.document_id, p.passage_no))
            .collect();
        let paged: Vec<(String, u64)> = paged
            .into_iter()
            .map(|p| (p.document_id, p.passage_no))
            .collect();
        assert_eq!(
            paged,
            passages[4..7],
            "a page is a slice of the whole order"
        );
        let counties: Vec<Option<String>> = crate::measures(index, &tax, &req, 1)
            .unwrap()
            .counties
            .into_iter()
            .map(|c| Some(c.region))
            .collect();
        (passages, counties)
    };
    let mut by_id: Vec<&str> = IDS.to_vec();
    by_id.sort();
    let passages: Vec<(String, u64)> = by_id
        .iter()
        .flat_map(|id| [(id.to_string(), 0), (id.to_string(), 1)])
        .collect();
    let counties: Vec<Option<String>> = by_id.iter().map(|id| county_of(id)).collect();
    for (order, commit_every) in INGESTS {
        let dir = tempfile::tempdir().unwrap();
        let index = ingest(dir.path(), &docs, &order, commit_every, 16);
        assert_eq!(
            ranked(&index),
            (passages.clone(), counties.clone()),
            "ingest order {order:?}, a commit every {commit_every}"
        );
    }
}

/// A document's passages that tie come in their own order: the writer keeps a document's
/// entries together in one segment, whichever of its threads takes them (with one thread per
/// core and a heap for several, tantivy's writer would otherwise share them out).
#[test]
fn a_documents_passages_that_tie_come_in_their_order() {
    let tax = Taxonomy::load().unwrap();
    let passages: Vec<Passage> = (0..200).map(|_| section(TEXT, None)).collect();
    let docs: Vec<Document> = ["aa00000000000001", "aa00000000000002"]
        .iter()
        .map(|id| plan(id, id, TEXT, passages.clone()))
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let index = ingest(dir.path(), &docs, &[0, 1], 2, 64);
    let got: Vec<(String, u64)> = crate::search_passages(&index, &tax, &query(), 400, 0)
        .unwrap()
        .into_iter()
        .map(|p| (p.document_id, p.passage_no))
        .collect();
    let want: Vec<(String, u64)> = docs
        .iter()
        .flat_map(|d| (0..200).map(|n| (d.id.clone(), n)))
        .collect();
    assert_eq!(got, want);
}
