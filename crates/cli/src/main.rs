//! `plansok`: the command line of the pipeline (docs/api.md, "Command line").
//!
//! Owns argument parsing, the data folder (`--data`, else `PLANSOK_DATA`, else `./data`),
//! progress and log output, exit codes (0 done, 1 fatal, 2 bad usage) and the human-readable
//! renderings of results. The work itself is done by the library crates.

mod crawl_cmd;
mod eval_cmd;
mod ingest_cmd;
mod output;
mod search_cmd;
mod serve_cmd;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// mimalloc instead of the system allocator: a search allocates many small, short-lived
/// values (query rewriting, facet names, snippets) on every worker thread at once.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "plansok",
    version,
    about = "Search Swedish county plans against men's violence against women"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Args, Clone)]
struct DataArg {
    /// Data folder (index and crawl store).
    #[arg(long, env = "PLANSOK_DATA", default_value = "data")]
    data: PathBuf,
}

impl DataArg {
    fn index_dir(&self) -> PathBuf {
        self.data.join("index")
    }
}

#[derive(Subcommand)]
enum Command {
    /// Ingest files and folders (.html .htm .pdf .txt; PATH.meta.json beside a file may give metadata).
    Ingest {
        #[command(flatten)]
        data: DataArg,
        /// Files or folders (read recursively).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Longest time the extraction of one file may take, in seconds (default from config/ingest.toml).
        #[arg(long)]
        time_limit: Option<u64>,
    },
    /// Crawl the sources of config/sources.toml (or --config) into the store and the index.
    Crawl {
        #[command(flatten)]
        data: DataArg,
        /// Another sources file of the same shape.
        #[arg(long)]
        config: Option<PathBuf>,
        /// Crawl only these source ids (repeatable).
        #[arg(long = "source")]
        sources: Vec<String>,
        /// Fetch at most this many URLs in this run (the next run resumes).
        #[arg(long)]
        max_pages: Option<usize>,
    },
    /// Search the index.
    Search(search_cmd::SearchArgs),
    /// Serve the HTTP API and the web page (an empty data folder first gets the sample corpus).
    Serve {
        #[command(flatten)]
        data: DataArg,
        /// Address to listen on: HOST:PORT, with an IP address or a host name (localhost:8081).
        #[arg(long, default_value = "127.0.0.1:8080", value_parser = serve_cmd::parse_addr)]
        addr: serve_cmd::ListenAddr,
    },
    /// Search quality on the judged queries: nDCG@10, recall@20, MRR of three analyses.
    Eval(eval_cmd::EvalArgs),
    /// Print words of the index to learn as compound parts (for config/lexicon/corpus.txt).
    Lexicon {
        #[command(flatten)]
        data: DataArg,
        /// Least number of documents a word must be in.
        #[arg(long, default_value_t = 3)]
        min_docs: u64,
        /// Shortest word (letters).
        #[arg(long, default_value_t = 5)]
        min_chars: usize,
    },
    /// Count documents and passages per county, type, goal and year.
    Stats {
        #[command(flatten)]
        data: DataArg,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

/// An error that is the user's (exit code 2), not the program's.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(String);

fn main() -> ExitCode {
    init_logging();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Ingest {
            data,
            paths,
            time_limit,
        } => ingest_cmd::run(&data.index_dir(), &paths, time_limit),
        Command::Crawl {
            data,
            config,
            sources,
            max_pages,
        } => crawl_cmd::run(crawl_cmd::CrawlArgs {
            data: &data.data,
            config: config.as_deref(),
            sources: &sources,
            max_pages,
        }),
        Command::Search(args) => search_cmd::run(&args),
        Command::Eval(args) => eval_cmd::run(&args),
        Command::Lexicon {
            data,
            min_docs,
            min_chars,
        } => search_cmd::lexicon(&data.index_dir(), min_docs, min_chars),
        Command::Serve { data, addr } => serve_cmd::run(&data.index_dir(), &addr),
        Command::Stats { data, json } => search_cmd::stats(&data.index_dir(), json),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.downcast_ref::<UsageError>().is_some() => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}

/// Logs to stderr, coloured only when stderr is a terminal (not in a redirected log file).
fn init_logging() {
    use std::io::IsTerminal;
    let filter = tracing_subscriber::EnvFilter::try_from_env("PLANSOK_LOG")
        .unwrap_or_else(|_| "warn".into());
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    // lopdf can panic on broken files; extraction contains it and reports the file. Keep the
    // panic text out of the user's terminal unless debugging.
    std::panic::set_hook(Box::new(|info| tracing::debug!("contained panic: {info}")));
}
