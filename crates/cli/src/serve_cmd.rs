//! `plansok serve`: ingests the sample corpus into an empty data folder, then serves.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;

use plansok_index::{Indexer, SearchConfig, SearchIndex};
use plansok_model::Taxonomy;
use plansok_server::AppState;

/// The sample corpus: `./corpus/sample` when run from the repository, else the one the binary
/// was built from. (Only the sample: `corpus/realistic` is evaluation material.)
fn sample_corpus() -> Option<PathBuf> {
    let here = PathBuf::from("corpus/sample");
    let built = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../corpus/sample");
    [here, built].into_iter().find(|p| p.is_dir())
}

pub fn run(index_dir: &Path, addr: SocketAddr) -> anyhow::Result<()> {
    let empty = Indexer::open(index_dir, SearchConfig::load()?)?.num_documents()? == 0;
    if empty {
        let corpus = sample_corpus().context(
            "the data folder is empty and the sample corpus (corpus/sample) was not found",
        )?;
        eprintln!(
            "empty data folder: ingesting the sample corpus {}",
            corpus.display()
        );
        crate::ingest_cmd::run(index_dir, &[corpus], None)?;
    }
    let store = SearchIndex::open(index_dir, SearchConfig::load()?)?;
    store.warm().context("preparing the index for search")?;
    let state = Arc::new(AppState::new(
        store,
        Taxonomy::load()?,
        plansok_server::ServerSettings::load()?,
    ));
    let runtime = tokio::runtime::Runtime::new()?;
    eprintln!("plansok: http://{addr}/  (Ctrl-C stops)");
    runtime
        .block_on(plansok_server::serve(addr, state))
        .with_context(|| format!("serving on {addr}"))
}
