//! The errors of the index ([`IndexError`]).

/// Errors of the index.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("index error: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    #[error("cannot open index directory {path}: {source}")]
    Dir {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("cannot open index: {0}")]
    Open(String),
    #[error("the disk holding {path} is full ({free_kb} kB free): {source}")]
    DiskFull {
        path: std::path::PathBuf,
        free_kb: u64,
        source: tantivy::TantivyError,
    },
    #[error("invalid {name}: {message}")]
    InvalidFilter { name: &'static str, message: String },
    #[error(transparent)]
    Config(#[from] plansok_model::ConfigError),
}

/// A request value that is not valid: `name` is the parameter, `message` says why.
pub(crate) fn invalid(name: &'static str, message: String) -> IndexError {
    IndexError::InvalidFilter { name, message }
}
