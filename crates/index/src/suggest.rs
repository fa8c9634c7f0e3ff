//! Autocomplete: words of the index that start with what the user has typed ("han" →
//! "handlingsplan", "handlingsplanen"), most documents first.
//!
//! The `words` field holds each document's words as written (lowercased, not stemmed, no
//! positions), so suggestions are real words rather than stems. They are read from tantivy's
//! term dictionary by a prefix range: no document is touched, so it is fast at any size.

use std::collections::HashMap;

use serde::Serialize;

use crate::store::IndexStore;
use crate::IndexError;

/// Shortest prefix answered, and the most terms looked at for one prefix.
const MIN_PREFIX_CHARS: usize = 2;
const MAX_SCANNED_TERMS: usize = 100_000;

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct Suggestion {
    pub term: String,
    /// Documents containing the word.
    pub documents: u64,
}

/// Up to `limit` words starting with `prefix` (case ignored), most documents first. Prefixes
/// shorter than two characters get none.
pub fn suggest(
    store: &IndexStore,
    prefix: &str,
    limit: usize,
) -> Result<Vec<Suggestion>, IndexError> {
    let prefix = prefix.trim().to_lowercase();
    if prefix.chars().count() < MIN_PREFIX_CHARS || prefix.chars().any(char::is_whitespace) {
        return Ok(Vec::new());
    }
    let field = store.fields().words;
    let searcher = store.reader().searcher();
    let mut counts: HashMap<Vec<u8>, u64> = HashMap::new();
    for segment in searcher.segment_readers() {
        let inverted = segment.inverted_index(field)?;
        let mut stream = inverted
            .terms()
            .range()
            .ge(prefix.as_bytes())
            .into_stream()
            .map_err(|e| IndexError::Open(format!("reading the term dictionary: {e}")))?;
        let mut scanned = 0;
        while stream.advance() && scanned < MAX_SCANNED_TERMS {
            if !stream.key().starts_with(prefix.as_bytes()) {
                break;
            }
            *counts.entry(stream.key().to_vec()).or_default() += stream.value().doc_freq as u64;
            scanned += 1;
        }
    }
    let mut out: Vec<Suggestion> = counts
        .into_iter()
        .filter_map(|(k, documents)| {
            Some(Suggestion {
                term: String::from_utf8(k).ok()?,
                documents,
            })
        })
        .collect();
    out.sort_by(|a, b| {
        b.documents
            .cmp(&a.documents)
            .then_with(|| a.term.len().cmp(&b.term.len()))
            .then_with(|| a.term.cmp(&b.term))
    });
    out.truncate(limit);
    Ok(out)
}
