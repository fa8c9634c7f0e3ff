//! Shared vocabulary of the plansok pipeline.
//!
//! Owns the data types that flow one way through the stages (extract → classify → index →
//! serve): [`Document`], [`Passage`], [`Period`], [`Goal`], [`DocType`], and the region
//! taxonomy ([`Taxonomy`]) of the 21 counties and 290 municipalities loaded from
//! `config/regions.toml`. It also locates configuration files ([`config_text`]).

mod config;
mod doc;
mod taxonomy;

pub use config::{config_text, ConfigError, CONFIG_DIR_ENV};
pub use doc::{DocType, Document, Goal, Passage, PassageKind, Period, SourceMeta};
pub use taxonomy::{fold_ascii, County, Municipality, RegionRef, Taxonomy};
