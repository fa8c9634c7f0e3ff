//! The writer against a model: every entry of the latest versions, document entries first.

use std::collections::HashMap;

use tantivy::schema::Value;
use tantivy::TantivyDocument;

use super::Indexer;
use crate::schema::{KIND_DOC, KIND_PASSAGE};
use crate::test_support::{plan, section, Rng};
use crate::SearchConfig;
use plansok_model::Document;

fn document(id: &str, passages: usize, version: usize) -> Document {
    let body = format!("våld i nära relationer {id} version {version}");
    let passages = (0..passages)
        .map(|n| section(&format!("stycke {n} om våld, version {version}"), None))
        .collect();
    plan(id, &format!("{id}-{version}"), &body, passages)
}

/// An entry as read back: kind, document id, passage number, the version in its text.
type Entry = (String, String, Option<u64>, String);

/// The live entries of each segment, in doc id order.
fn layout(store: &Indexer) -> Vec<Vec<Entry>> {
    let f = store.fields();
    let searcher = store.reader().searcher();
    let text = |d: &TantivyDocument, field| {
        d.get_first(field)
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .to_string()
    };
    let version = |t: String| t.rsplit(' ').next().unwrap_or("").to_string();
    (0..searcher.segment_readers().len() as u32)
        .map(|s| {
            let reader = searcher.segment_reader(s);
            (0..reader.max_doc())
                .filter(|d| reader.alive_bitset().is_none_or(|a| a.is_alive(*d)))
                .map(|d| {
                    let doc: TantivyDocument =
                        searcher.doc(tantivy::DocAddress::new(s, d)).unwrap();
                    let no = doc.get_first(f.passage_no).and_then(|v| v.as_u64());
                    let body = if no.is_some() { f.text } else { f.body };
                    (
                        text(&doc, f.kind),
                        text(&doc, f.doc_id),
                        no,
                        version(text(&doc, body)),
                    )
                })
                .collect()
        })
        .collect()
}

/// The entries the model's documents (id → passages, version) should have, sorted.
fn expected(model: &Model) -> Vec<Entry> {
    let mut want: Vec<Entry> = model
        .iter()
        .flat_map(|(id, &(n, v))| {
            let entry = move |kind: &str, no| (kind.to_string(), id.clone(), no, v.to_string());
            std::iter::once(entry(KIND_DOC, None))
                .chain((0..n as u64).map(move |p| entry(KIND_PASSAGE, Some(p))))
        })
        .collect();
    want.sort();
    want
}

fn documents_first(segment: &[Entry]) -> bool {
    let docs = segment.iter().take_while(|e| e.0 == KIND_DOC).count();
    segment[docs..].iter().all(|e| e.0 == KIND_PASSAGE)
}

#[test]
fn a_new_index_keeps_document_entries_before_passages_and_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Indexer::open(dir.path(), SearchConfig::load().unwrap()).unwrap();
    let mut model = HashMap::new();
    // Three commits: "b" rewritten in the last, "c" written twice before its commit.
    let commits: [&[(&str, usize)]; 3] = [
        &[("a", 2), ("b", 3), ("c", 4), ("c", 5)],
        &[("d", 2), ("e", 3)],
        &[("b", 2)],
    ];
    for (version, batch) in commits.iter().enumerate() {
        for (id, n) in batch.iter() {
            let v = version * 10 + n;
            store.upsert(&document(id, *n, v)).unwrap();
            model.insert(id.to_string(), (*n, v));
        }
        store.commit().unwrap();
    }
    store.reader().reload().unwrap();
    let before = layout(&store);
    // The writer's threads share a commit's entries out, a segment each.
    assert!(before.iter().all(|s| documents_first(s)), "{before:?}");
    store.merge_segments().unwrap();
    store.reader().reload().unwrap();
    let after = layout(&store);
    assert_eq!(after.len(), 1);
    assert!(documents_first(&after[0]), "{:?}", after[0]);
    let mut have = after[0].clone();
    have.sort();
    assert_eq!(have, expected(&model));
}

/// Passages and version of each document, as the model of an index.
type Model = HashMap<String, (usize, usize)>;

/// The model after a commit of the `pending` writes (`None`: a delete).
fn apply(committed: &mut Model, pending: &mut HashMap<String, Option<(usize, usize)>>) {
    for (id, v) in pending.drain() {
        match v {
            Some(v) => committed.insert(id, v),
            None => committed.remove(&id),
        };
    }
}

/// Upserts, deletes, commits and merges in a seeded random order, on 25 ids (so most
/// writes replace a document, some twice before a commit); after each commit the index
/// holds exactly the model's entries, document entries first in every segment.
#[test]
fn random_writes_deletes_commits_and_merges_leave_exactly_the_latest_versions() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Indexer::open(dir.path(), SearchConfig::load().unwrap()).unwrap();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let (mut committed, mut pending) = (HashMap::new(), HashMap::new());
    for step in 0..400 {
        let id = format!("d{}", rng.below(25));
        match rng.below(20) {
            0..=12 => {
                let n = 1 + rng.below(4);
                store.upsert(&document(&id, n, step)).unwrap();
                pending.insert(id, Some((n, step)));
            }
            13..=15 => {
                store.delete(&id).unwrap();
                pending.insert(id, None);
            }
            16..=18 => {
                store.commit().unwrap();
                apply(&mut committed, &mut pending);
                store.reader().reload().unwrap();
                let segments = layout(&store);
                assert!(segments.iter().all(|s| documents_first(s)), "step {step}");
                let mut have: Vec<Entry> = segments.concat();
                have.sort();
                assert_eq!(have, expected(&committed), "step {step}");
            }
            _ => {
                store.merge_if_fragmented().unwrap();
                apply(&mut committed, &mut pending);
            }
        }
    }
    // The end of a run: a commit, then everything merged into one segment.
    store.merge_if_fragmented().unwrap();
    apply(&mut committed, &mut pending);
    store.merge_segments().unwrap();
    store.reader().reload().unwrap();
    let merged = layout(&store);
    assert!(merged.len() == 1 && documents_first(&merged[0]));
    let mut have = merged[0].clone();
    have.sort();
    assert_eq!(have, expected(&committed));
}
