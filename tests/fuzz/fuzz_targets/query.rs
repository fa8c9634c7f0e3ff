//! The query parser and search on arbitrary query strings and filters over a small index: an
//! error (`invalid query`) is fine, a panic or a hang is not.
#![no_main]

use libfuzzer_sys::fuzz_target;
use plansok_index::search;
use plansok_index::{Indexer, SearchConfig, SearchIndex, SearchRequest};
use plansok_classify::Classifier;
use plansok_extract::ExtractConfig;
use plansok_ingest::{IngestOptions, Pipeline};
use plansok_model::Taxonomy;
use std::sync::OnceLock;

struct State {
    _dir: tempfile::TempDir,
    store: SearchIndex,
    tax: Taxonomy,
}

fuzz_target!(|data: &[u8]| {
    static STATE: OnceLock<State> = OnceLock::new();
    let st = STATE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let store = Indexer::open(dir.path(), SearchConfig::load().unwrap()).unwrap();
        // A few real documents, so snippets, passages and facets run too.
        let mut p = Pipeline::new(
            ExtractConfig::load().unwrap(),
            Classifier::load().unwrap(),
            store,
            IngestOptions::load().unwrap(),
        );
        let sample = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../corpus/sample");
        p.ingest_paths(
            &[sample.join("www.lansstyrelsen.se/kalmar"), sample.join("www.lulea.se")],
            |_, _| {},
        )
        .unwrap();
        let store = SearchIndex::open(dir.path(), SearchConfig::load().unwrap()).unwrap();
        State {
            _dir: dir,
            store,
            tax: Taxonomy::load().unwrap(),
        }
    });
    let text = String::from_utf8_lossy(data);
    let mut parts = text.splitn(3, '\u{1}');
    let query = parts.next().unwrap_or("").to_string();
    let region = parts.next().map(|r| vec![r.to_string()]).unwrap_or_default();
    let period = parts.next().map(str::to_string);
    let req = SearchRequest {
        query,
        regions: region,
        period,
        limit: Some(10),
        ..Default::default()
    };
    let _ = search(&st.store, &st.tax, &req);
    let _ = plansok_index::search_passages(&st.store, &st.tax, &req, 10, 0);
});
