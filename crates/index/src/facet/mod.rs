//! Facets: filtering by and counting region, period (year), goal area, type, organisation and
//! language.
//!
//! - [`filters`]: a request's filters parsed and validated once ([`filters::FilterSpec`]), as
//!   tantivy queries or as the facet dimensions ([`filters::Dim`]) the collectors check.
//! - [`table`]: the in-memory facet table of each segment (values as small integers, one row
//!   per entry), built from the segment's own columns on its first search.
//! - [`doc_rows`]: the table's rows of the document entries, found by doc id, with the key
//!   that orders documents of equal score.
//! - [`segment_filter`]: a request's filters in one segment table's ids; which filters a row
//!   fails, as a bit mask.
//! - [`faceted`]: document search in one pass (hits, total, every facet counted under the
//!   other filters), with [`top_k`] keeping the best hits and [`counts`] the counts.
//! - [`best_passages`]: the best passage of each hit, restricted to the passages the table
//!   lists for it.
//! - `ords`: the values of a facet column's ordinals, read once per segment.
//! - `rank_bytes`: each entry's rank byte, what the ranking factors read of it, kept in the
//!   table for searches over passages (measures).
//!
//! Adding a facet: its value on [`plansok_model::Document`] (and where `classify` sets it); a
//! facet field in [`crate::schema`] and its value in the entries ([`crate::write`]); a column
//! of [`table::Row`] filled in `table.rs`; a [`filters::Dim`] (in [`filters::DIMS`]), its parsing
//! and query in `filters.rs`; its check in [`segment_filter::SegmentFilter::fails`] and its
//! count in [`counts::LocalCounts`]; its values in [`crate::response::Facets`]
//! (`search.rs`'s `facets_of`); then the API parameter (`server`), the CLI flag (`cli`) and the
//! web page. The failure mask is a `u8`: at most eight facets (checked below).

pub(crate) mod best_passages;
pub(crate) mod counts;
pub(crate) mod doc_rows;
pub(crate) mod faceted;
pub(crate) mod filters;
pub(crate) mod ords;
mod rank_bytes;
pub(crate) mod segment_filter;
pub(crate) mod table;
pub(crate) mod top_k;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tie_tests;

// A filter failure is one bit of a `u8` per facet (`Dim::bit`).
const _: () = assert!(filters::DIMS.len() <= 8);
