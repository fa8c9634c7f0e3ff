//! The Swedish text analysis: compound splitting against the lexicon of `config/lexicon/`
//! ([`compound`]), word pairs for phrases ([`pairs`]), the per-thread memo of each
//! word's tokens that snippets are marked through ([`word_memo`]), and the analyzers built of
//! them ([`analyzers`]). Nothing here reads the index: it turns text into tokens.

pub mod analyzers;
pub mod compound;
pub mod pairs;
pub mod word_memo;
