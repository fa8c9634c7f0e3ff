//! Learning compound parts from the corpus: the words of the index (the unstemmed `words`
//! field, with the number of documents each is in) that the lexicon does not know and that are
//! not themselves compounds of known parts. Frequent ones are the field's own words
//! ("barnahus", "kvinnofrid") that a general word list lacks; as parts they let the
//! decompounder split "kvinnofridsarbete" or "barnahusverksamhet".

use crate::searcher::SearchIndex;
use crate::IndexError;

/// A learnt word with the number of documents it is in.
#[derive(Debug, Clone, PartialEq)]
pub struct LearntWord {
    pub word: String,
    pub documents: u64,
}

/// Words in at least `min_docs` documents, of at least `min_chars` letters, unknown to the
/// lexicon and not splittable; most frequent first.
pub fn learn_words(
    index: &SearchIndex,
    min_docs: u64,
    min_chars: usize,
) -> Result<Vec<LearntWord>, IndexError> {
    let d = index.decompounder();
    let mut out: Vec<LearntWord> = crate::suggest::all_words(index)?
        .into_iter()
        .filter(|(w, n)| {
            *n >= min_docs
                && w.chars().count() >= min_chars
                && w.chars().all(char::is_alphabetic)
                && !d.lexicon().knows(w)
                && d.split(w).is_none()
        })
        .map(|(word, documents)| LearntWord { word, documents })
        .collect();
    out.sort_by(|a, b| {
        b.documents
            .cmp(&a.documents)
            .then_with(|| a.word.cmp(&b.word))
    });
    Ok(out)
}
