//! Shared vocabulary of the plansok pipeline.
//!
//! Owns the data types that flow one way through the stages (extract → classify → index →
//! serve): [`Document`], [`Passage`], [`Period`], [`Goal`], [`DocType`], and the region
//! taxonomy ([`Taxonomy`]) of the 21 counties and 290 municipalities loaded from
//! `config/regions.toml`, the goal vocabulary ([`goals`], `config/goals.toml`) and word matching
//! ([`words`]). It also reads configuration files, one way for every crate ([`load_toml`]).

mod config;
mod doc;
pub mod goals;
mod taxonomy;
pub mod words;

pub use config::{config_text, load_toml, parse as parse_toml, ConfigError, CONFIG_DIR_ENV};
pub use doc::{DocType, Document, Goal, Passage, PassageKind, Period, SourceMeta};
pub use taxonomy::{County, Municipality, RegionRef, Taxonomy};
pub use words::{fold_ascii, slug_of};
