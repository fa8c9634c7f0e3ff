//! The analyzers of the index and of queries: Swedish (stop words, Snowball stems, compound
//! parts, word pairs), English, and the plain no-stemming baseline; which of them an index
//! registers under the tokenizer names of [`crate::schema`] ([`register`]), which a query is
//! parsed with ([`query_tokenizers`]) and which marks Swedish snippets ([`mark_analyzer`]).

use tantivy::tokenizer::{
    Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, StopWordFilter, TextAnalyzer,
};
use tantivy::Index;

use super::compound::{CompoundFilter, Decompounder};
use super::pairs::PairTokenizer;
use super::word_memo::{MemoAnalyzer, MemoTokenizer};
use crate::config::Analysis;
use crate::schema::{EN, SV, SV_PAIRS, SV_PARTS, WORDS};

/// The Swedish analyzer: words, lowercased, Swedish stop words removed, Swedish stems.
pub fn swedish() -> TextAnalyzer {
    analyzer(Language::Swedish)
}

/// The Swedish analyzer with compound parts added after each compound (before stemming); with
/// `whole_twice`, each word is given twice ([`CompoundFilter::whole_words_twice`]).
pub fn swedish_parts(
    decompounder: Decompounder,
    stemming: bool,
    whole_twice: bool,
) -> TextAnalyzer {
    let builder = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(CompoundFilter::new(decompounder).whole_words_twice(whole_twice));
    match StopWordFilter::new(Language::Swedish) {
        Some(stop) if stemming => builder
            .filter(stop)
            .filter(Stemmer::new(Language::Swedish))
            .build(),
        _ => builder.build(),
    }
}

/// tantivy's default analyzer (words, lowercased): the no-stemming baseline.
pub fn plain() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .build()
}

/// The English analyzer.
pub fn english() -> TextAnalyzer {
    analyzer(Language::English)
}

fn analyzer(lang: Language) -> TextAnalyzer {
    let builder = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser);
    match StopWordFilter::new(lang) {
        Some(stop) => builder.filter(stop).filter(Stemmer::new(lang)).build(),
        None => builder.filter(Stemmer::new(lang)).build(),
    }
}

/// Registers the analyzers of `analysis` on an index (for writing, snippets and tokenizing).
/// The Swedish ones analyze each distinct word once per field of a segment being written
/// ([`MemoTokenizer`]): the same tokens, without running the stemmer and the compound
/// splitter again on the words that plans repeat.
pub fn register(index: &Index, analysis: &Analysis, decompounder: Decompounder) {
    let memo = |a: TextAnalyzer| TextAnalyzer::from(MemoTokenizer::new(a));
    let sv = if analysis.stemming {
        swedish()
    } else {
        plain()
    };
    index.tokenizers().register(SV, memo(sv));
    // The pairs are those of the words and parts, each once.
    let pairs = swedish_parts(decompounder.clone(), analysis.stemming, false);
    index.tokenizers().register(
        SV_PAIRS,
        TextAnalyzer::from(PairTokenizer::new(memo(pairs))),
    );
    let twice = analysis.compounds.whole_words_twice;
    index.tokenizers().register(
        SV_PARTS,
        memo(swedish_parts(decompounder, analysis.stemming, twice)),
    );
    index.tokenizers().register(EN, english());
    index.tokenizers().register(WORDS, plain());
}

/// The analyzer snippets are marked with in the `*_parts` fields: theirs with each word once
/// (a word written twice would mark nothing more), through a word memo, as snippets tokenize
/// a passage per hit ([`crate::snippet`]).
pub fn mark_analyzer(analysis: &Analysis, decompounder: Decompounder) -> MemoAnalyzer {
    MemoAnalyzer::new(swedish_parts(decompounder, analysis.stemming, false))
}

/// The analyzers a query is parsed with. Like the index's, except that (1) `sv_parts` does not
/// split (a query's compounds are split by rewriting the query, so parts match anywhere), and
/// (2) a word that is a stop word in Swedish or English is dropped for every field: otherwise
/// "barn som bevittnat våld" would require "som" in the English fields (where it is not a stop
/// word) and find nothing Swedish.
pub fn query_tokenizers(analysis: &Analysis) -> tantivy::tokenizer::TokenizerManager {
    let m = tantivy::tokenizer::TokenizerManager::default();
    let sv = || {
        if analysis.stemming {
            query_analyzer(Language::Swedish)
        } else {
            plain()
        }
    };
    m.register(SV, sv());
    m.register(SV_PARTS, sv());
    m.register(SV_PAIRS, query_pairs(analysis));
    m.register(EN, query_analyzer(Language::English));
    m
}

/// The pairs of a phrase's words as the index makes them, but of its own words only
/// (no compound split) and with the index's Swedish stop words only, so that the gaps are those of the text.
pub fn query_pairs(analysis: &Analysis) -> TextAnalyzer {
    let words = if analysis.stemming {
        swedish()
    } else {
        plain()
    };
    TextAnalyzer::from(PairTokenizer::new(words))
}

fn query_analyzer(lang: Language) -> TextAnalyzer {
    let builder = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser);
    match (
        StopWordFilter::new(Language::Swedish),
        StopWordFilter::new(Language::English),
    ) {
        (Some(sv), Some(en)) => builder
            .filter(sv)
            .filter(en)
            .filter(Stemmer::new(lang))
            .build(),
        _ => builder.filter(Stemmer::new(lang)).build(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stems(text: &str) -> Vec<String> {
        let mut a = swedish();
        let mut stream = a.token_stream(text);
        let mut out = Vec::new();
        while stream.advance() {
            out.push(stream.token().text.clone());
        }
        out
    }

    #[test]
    fn swedish_inflections_share_a_stem() {
        assert_eq!(
            stems("handlingsplanen handlingsplaner handlingsplan"),
            ["handlingsplan"; 3]
        );
        assert_eq!(stems("kvinnor kvinnorna kvinna"), ["kvinn"; 3]);
        assert_eq!(stems("Länsstyrelsen länsstyrelserna"), ["länsstyr"; 2]);
    }

    #[test]
    fn stop_words_go_and_swedish_letters_stay() {
        assert_eq!(stems("mäns våld mot kvinnor"), ["män", "våld", "kvinn"]);
        assert_eq!(stems("Åklagarmyndigheten"), ["åklagarmynd"]);
    }
}
