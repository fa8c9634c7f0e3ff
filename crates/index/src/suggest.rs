//! Autocomplete: words of the index that start with what the user has typed ("han" →
//! "handlingsplan", "handlingsplanen"), most documents first.
//!
//! The `words` field holds each document's words as written (lowercased, not stemmed, no
//! positions), so suggestions are real words rather than stems. They are read from tantivy's
//! term dictionary by a prefix range: no document is touched, so it is fast at any size.

use std::collections::HashMap;

use serde::Serialize;

use crate::searcher::SearchIndex;
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
    index: &SearchIndex,
    prefix: &str,
    limit: usize,
) -> Result<Vec<Suggestion>, IndexError> {
    let prefix = prefix.trim().to_lowercase();
    if prefix.chars().count() < MIN_PREFIX_CHARS || prefix.chars().any(char::is_whitespace) {
        return Ok(Vec::new());
    }
    let mut out: Vec<Suggestion> = words_from(index, &prefix, MAX_SCANNED_TERMS)?
        .into_iter()
        .map(|(term, documents)| Suggestion { term, documents })
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

/// Every word of the index with the number of documents it is in.
pub fn all_words(index: &SearchIndex) -> Result<Vec<(String, u64)>, IndexError> {
    words_from(index, "", usize::MAX)
}

/// The words starting with `prefix` (at most `max_terms` per segment), with document counts
/// summed over the segments.
fn words_from(
    index: &SearchIndex,
    prefix: &str,
    max_terms: usize,
) -> Result<Vec<(String, u64)>, IndexError> {
    let field = index.fields().words;
    let searcher = index.reader().searcher();
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
        while scanned < max_terms && stream.advance() {
            if !stream.key().starts_with(prefix.as_bytes()) {
                break;
            }
            *counts.entry(stream.key().to_vec()).or_default() += stream.value().doc_freq as u64;
            scanned += 1;
        }
    }
    Ok(counts
        .into_iter()
        .filter_map(|(k, n)| Some((String::from_utf8(k).ok()?, n)))
        .collect())
}
