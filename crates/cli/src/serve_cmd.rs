//! `plansok serve`: binds the address first (so a busy port fails before any work and the
//! "plansok: http://…/" line is printed only for a port that is ours), fills a new data folder
//! with the fictitious sample corpus (and marks it so, for the page's banner), then serves.

use std::net::{SocketAddr, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use tokio::net::TcpListener;

use plansok_index::{Indexer, SearchConfig, SearchIndex};
use plansok_model::Taxonomy;
use plansok_server::AppState;

/// `--addr`: `HOST:PORT` as given, and the addresses it resolves to.
#[derive(Debug, Clone)]
pub struct ListenAddr {
    text: String,
    addrs: Vec<SocketAddr>,
}

/// The clap value parser of `--addr`: an IP address or a host name (`localhost:8081`).
pub fn parse_addr(s: &str) -> Result<ListenAddr, String> {
    let addrs: Vec<SocketAddr> = s
        .to_socket_addrs()
        .map_err(|e| format!("{e}; expected HOST:PORT, e.g. 127.0.0.1:8080 or localhost:8081"))?
        .collect();
    if addrs.is_empty() {
        return Err(format!("{s} resolves to no address"));
    }
    Ok(ListenAddr {
        text: s.to_string(),
        addrs,
    })
}

/// The sample corpus: `./corpus/sample` when run from the repository, else the one the binary
/// was built from. (Only the sample: `corpus/realistic` is evaluation material.)
fn sample_corpus() -> Option<PathBuf> {
    let here = PathBuf::from("corpus/sample");
    let built = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../corpus/sample");
    [here, built].into_iter().find(|p| p.is_dir())
}

pub fn run(index_dir: &Path, addr: &ListenAddr) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Runtime::new()?;
    let listener = runtime.block_on(bind(addr))?;
    let state = Arc::new(app_state(index_dir)?);
    let local = listener.local_addr()?;
    eprintln!("plansok: http://{local}/  (Ctrl-C stops)");
    runtime
        .block_on(plansok_server::serve_on(listener, state))
        .with_context(|| format!("serving on {local}"))
}

/// Binds the first of the addresses that can be bound.
async fn bind(addr: &ListenAddr) -> anyhow::Result<TcpListener> {
    TcpListener::bind(&addr.addrs[..]).await.map_err(|e| {
        let why = match e.kind() {
            std::io::ErrorKind::AddrInUse => "address already in use".to_string(),
            std::io::ErrorKind::AddrNotAvailable => "not an address of this machine".to_string(),
            std::io::ErrorKind::PermissionDenied => {
                "permission denied (ports below 1024 need privileges)".to_string()
            }
            _ => e.to_string(),
        };
        anyhow::anyhow!("cannot listen on {}: {why}", addr.text)
    })
}

/// The file in a data folder that says its index holds the fictitious sample corpus.
const SAMPLE_MARK: &str = "SAMPLE.txt";

/// The index, taxonomy and settings to serve. A data folder that nothing has written to yet
/// (no index, no crawl store) is first filled with the fictitious sample corpus and marked
/// so; a folder that a crawl or ingest has written to is served as it is, even when empty.
fn app_state(index_dir: &Path) -> anyhow::Result<AppState> {
    let data = index_dir.parent().unwrap_or(Path::new("."));
    let fresh = !index_dir.join("meta.json").exists() && !data.join("store").exists();
    if fresh {
        fill_with_sample(data, index_dir)?;
    } else if !index_dir.join("meta.json").exists() {
        // A crawl that indexed nothing yet: an empty index to serve.
        Indexer::open(index_dir, SearchConfig::load()?)?;
    }
    let store = SearchIndex::open_warm(index_dir, SearchConfig::load()?)
        .context("preparing the index for search")?;
    if store.num_documents()? == 0 {
        eprintln!(
            "the index in {} is empty: `plansok ingest PATH` or `plansok crawl` fills it",
            index_dir.display()
        );
    }
    let sample = data.join(SAMPLE_MARK).exists();
    Ok(AppState::new(
        store,
        Taxonomy::load()?,
        plansok_server::ServerSettings::load()?,
    )
    .with_sample(sample))
}

/// Ingests the sample corpus into a new data folder and leaves a note there that it did.
fn fill_with_sample(data: &Path, index_dir: &Path) -> anyhow::Result<()> {
    let corpus = sample_corpus()
        .context("the data folder is new and the sample corpus (corpus/sample) was not found")?;
    eprintln!(
        "new data folder {}: filling it with the fictitious sample corpus from {} \
         (the web page says so; use another --data for real documents)",
        data.display(),
        corpus.display()
    );
    crate::ingest_cmd::run(index_dir, &[corpus], None)?;
    std::fs::write(
        data.join(SAMPLE_MARK),
        "This data folder holds plansok's fictitious sample corpus (corpus/sample), ingested \
         by `plansok serve` on its first start. Its documents are invented examples.\n",
    )
    .with_context(|| format!("writing {}", data.join(SAMPLE_MARK).display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_names_and_ip_addresses_are_accepted() {
        let a = parse_addr("localhost:8081").expect("localhost");
        assert!(a
            .addrs
            .iter()
            .all(|s| s.ip().is_loopback() && s.port() == 8081));
        assert_eq!(
            parse_addr("127.0.0.1:0").expect("ip").addrs,
            vec![SocketAddr::from(([127, 0, 0, 1], 0))]
        );
        assert!(parse_addr("localhost").unwrap_err().contains("HOST:PORT"));
    }
}
