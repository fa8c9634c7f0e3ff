//! Configuration files: defaults embedded at build time, overridable by a directory.

use std::path::PathBuf;

/// Environment variable naming a directory whose `*.toml` files override the embedded ones.
pub const CONFIG_DIR_ENV: &str = "PLANSOK_CONFIG_DIR";

/// Errors reading or parsing a configuration file.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("invalid config file {name}: {message}")]
    Parse { name: String, message: String },
}

/// Returns the text of config file `name` (e.g. `"regions.toml"`): from the directory in
/// `PLANSOK_CONFIG_DIR` when that file exists there, else the embedded default.
pub fn config_text(name: &str, embedded: &'static str) -> Result<String, ConfigError> {
    if let Some(dir) = std::env::var_os(CONFIG_DIR_ENV) {
        let path = PathBuf::from(dir).join(name);
        if path.is_file() {
            return std::fs::read_to_string(&path)
                .map_err(|source| ConfigError::Read { path, source });
        }
    }
    Ok(embedded.to_string())
}

/// Loads config file `name` ([`config_text`]) and parses it into `T`: the one way every crate
/// reads its configuration.
pub fn load_toml<T: serde::de::DeserializeOwned>(
    name: &str,
    embedded: &'static str,
) -> Result<T, ConfigError> {
    parse(name, &config_text(name, embedded)?)
}

/// Parses TOML text into `T`, naming the file in the error.
pub fn parse<T: serde::de::DeserializeOwned>(name: &str, text: &str) -> Result<T, ConfigError> {
    toml::from_str(text).map_err(|e| ConfigError::Parse {
        name: name.to_string(),
        message: e.to_string(),
    })
}
