//! Word pairs: the terms of the `*_pairs` fields, which make a phrase in a long text cheap.
//!
//! A phrase matched word by word decodes every position of each of its words in every text
//! that holds them all: "våld i nära relationer" reads the hundreds of positions of "våld" in
//! each plan body. Indexed as pairs of neighbouring words, the same phrase is the pairs
//! "våld _ nära" and "nära relation", at their own positions, and a pair's positions are only
//! where the pair occurs: a phrase of two words is one term, a longer one a phrase of pairs.
//!
//! [`PairTokenizer`] runs an analyzer over a text and gives, for the tokens at each position
//! and those at the next position that holds any, every pair of one of each, at the first
//! one's position. A gap left by removed words (stop words, over-long words) is written in the
//! pair as one `_` per missing position, so a pair matches only words as far apart as in the
//! phrase, as a positional phrase match does. Compound parts share their compound's position
//! ([`crate::analysis::compound`]), so at index time a part pairs with its neighbours as the
//! compound does; at query time the analyzer does not split, and the phrase's own words are
//! paired.
//!
//! Word triples were indexed beside the pairs until December 2026: they made a phrase of three
//! words one term (at 1M passages "våld i nära relationer" 0.9 ms instead of 3 ms alone), but
//! more than doubled the time to build the index and added 35 % to its size, for the rare
//! phrase of three words and more. An index built with them still answers: its pairs are there.

use tantivy::tokenizer::{TextAnalyzer, Token, TokenStream, Tokenizer};

/// Pairs of the tokens of adjacent positions of an analyzer's output (see the module doc).
#[derive(Clone)]
pub struct PairTokenizer {
    inner: TextAnalyzer,
}

impl PairTokenizer {
    /// Pairs of `inner`'s tokens: for the index every pair of neighbouring positions' tokens,
    /// for a phrase of a query (whose analyzer does not split compounds) its words' pairs.
    pub fn new(inner: TextAnalyzer) -> PairTokenizer {
        PairTokenizer { inner }
    }
}

impl Tokenizer for PairTokenizer {
    type TokenStream<'a> = TokenList;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> TokenList {
        let mut words = Vec::new();
        let mut stream = self.inner.token_stream(text);
        while stream.advance() {
            words.push(stream.token().clone());
        }
        let groups: Vec<&[Token]> = words.chunk_by(|a, b| a.position == b.position).collect();
        TokenList::new(pairs(&groups))
    }
}

/// The pair tokens of `groups` (an analyzer's tokens grouped by position, in order).
fn pairs(groups: &[&[Token]]) -> Vec<Token> {
    let mut out = Vec::new();
    for w in groups.windows(2) {
        let [left, right] = w else { continue };
        for a in *left {
            for b in *right {
                out.push(joined(&[a, b]));
            }
        }
    }
    out
}

/// One token of `words` (of increasing positions) at the first one's position: their texts
/// with one `_` for every empty position between two of them ("a b", "a _ b c").
fn joined(words: &[&Token]) -> Token {
    let mut text = String::new();
    for (i, w) in words.iter().enumerate() {
        if i > 0 {
            let gap = w.position.saturating_sub(words[i - 1].position).max(1);
            for _ in 1..gap {
                text.push_str(" _");
            }
            text.push(' ');
        }
        text.push_str(&w.text);
    }
    Token {
        offset_from: words[0].offset_from,
        offset_to: words[words.len() - 1].offset_to,
        position: words[0].position,
        text,
        position_length: 1,
    }
}

/// Tokens made beforehand (a text's pairs), given out in order.
pub struct TokenList {
    tokens: Vec<Token>,
    /// Index of the next token to give out; the current one is `next - 1`.
    next: usize,
    empty: Token,
}

impl TokenList {
    pub fn new(tokens: Vec<Token>) -> Self {
        TokenList {
            tokens,
            next: 0,
            empty: Token::default(),
        }
    }
}

impl TokenStream for TokenList {
    fn advance(&mut self) -> bool {
        if self.next < self.tokens.len() {
            self.next += 1;
            true
        } else {
            false
        }
    }

    fn token(&self) -> &Token {
        self.next
            .checked_sub(1)
            .and_then(|i| self.tokens.get(i))
            .unwrap_or(&self.empty)
    }

    fn token_mut(&mut self) -> &mut Token {
        match self.next.checked_sub(1) {
            Some(i) if i < self.tokens.len() => &mut self.tokens[i],
            _ => &mut self.empty,
        }
    }
}

/// The number of pairs `analyzer` gives for `text` (0: fewer than two positions hold words).
pub fn count_pairs(analyzer: &mut TextAnalyzer, text: &str) -> usize {
    let mut stream = analyzer.token_stream(text);
    let mut n = 0;
    while stream.advance() {
        n += 1;
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::tokenizer::{
        Language, LowerCaser, SimpleTokenizer, Stemmer, StopWordFilter, TextAnalyzer,
    };

    #[test]
    fn a_token_list_past_its_end_stays_there() {
        let token = |text: &str| Token {
            text: text.to_string(),
            ..Token::default()
        };
        let mut stream = TokenList::new(vec![token("kvinn")]);
        assert_eq!(stream.token().text, "", "no token before the first advance");
        assert!(stream.advance());
        assert_eq!(stream.token().text, "kvinn");
        assert!(!stream.advance());
        assert!(!stream.advance());
    }

    fn swedish_pairs() -> TextAnalyzer {
        let words = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(LowerCaser)
            .filter(StopWordFilter::new(Language::Swedish).unwrap())
            .filter(Stemmer::new(Language::Swedish))
            .build();
        TextAnalyzer::from(PairTokenizer::new(words))
    }

    fn tokens(a: &mut TextAnalyzer, text: &str) -> Vec<(String, usize)> {
        let mut s = a.token_stream(text);
        let mut out = Vec::new();
        while s.advance() {
            out.push((s.token().text.clone(), s.token().position));
        }
        out
    }

    #[test]
    fn neighbours_pair_and_a_stop_word_leaves_a_gap() {
        let mut a = swedish_pairs();
        assert_eq!(
            tokens(&mut a, "våld i nära"),
            vec![("våld _ när".into(), 0)]
        );
        // Three words and more: a phrase of pairs, each at its first word's position.
        assert_eq!(
            tokens(&mut a, "Våld i nära relationer"),
            vec![("våld _ när".into(), 0), ("när relation".into(), 2)]
        );
        assert_eq!(
            tokens(&mut a, "mäns våld mot kvinnor i länet"),
            vec![
                ("män våld".into(), 0),
                ("våld _ kvinn".into(), 1),
                ("kvinn _ län".into(), 3)
            ]
        );
        assert_eq!(tokens(&mut a, "och i"), vec![]);
        assert_eq!(tokens(&mut a, "kvinnor"), vec![]);
        assert_eq!(count_pairs(&mut a, "skyddat boende"), 1);
    }

    #[test]
    fn every_token_of_a_position_pairs_with_every_one_of_the_next() {
        // Two tokens at position 0 (a compound and its part), one at 1 and one at 3.
        let t = |text: &str, position: usize| Token {
            text: text.into(),
            position,
            ..Token::default()
        };
        let words = [t("ab", 0), t("b", 0), t("c", 1), t("d", 3)];
        let groups: Vec<&[Token]> = words.chunk_by(|a, b| a.position == b.position).collect();
        let texts = |v: Vec<Token>| -> Vec<(String, usize)> {
            v.into_iter().map(|t| (t.text, t.position)).collect()
        };
        assert_eq!(
            texts(pairs(&groups)),
            vec![("ab c".into(), 0), ("b c".into(), 0), ("c _ d".into(), 1)]
        );
    }

    mod prop {
        use std::sync::OnceLock;

        use proptest::prelude::*;
        use tantivy::tokenizer::TextAnalyzer;

        use crate::config::Analysis;

        const WORDS: [&str; 16] = [
            "våld",
            "i",
            "nära",
            "relationer",
            "mäns",
            "mot",
            "kvinnor",
            "och",
            "barn",
            "våldsutsatta",
            "kvinnojourer",
            "skyddat",
            "boende",
            "kvinnofridsarbete",
            "för",
            "the",
        ];

        fn analysis() -> Analysis {
            Analysis {
                stemming: true,
                compounds: crate::test_support::compound_settings(),
            }
        }

        /// The index side of a `*_pairs` field, made once (the lexicon is large).
        fn index_side() -> TextAnalyzer {
            static A: OnceLock<TextAnalyzer> = OnceLock::new();
            A.get_or_init(|| {
                TextAnalyzer::from(super::super::PairTokenizer::new(
                    crate::test_support::swedish_parts_once(),
                ))
            })
            .clone()
        }

        fn tokens(mut a: TextAnalyzer, text: &str) -> Vec<(String, usize)> {
            let mut s = a.token_stream(text);
            let mut out = Vec::new();
            while s.advance() {
                out.push((s.token().text.clone(), s.token().position));
            }
            out
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(200))]

            /// Any run of the text's words, as a phrase, has all its query terms in the index
            /// at the same distances (the phrase is found where it stands).
            #[test]
            fn every_run_of_words_is_found_where_it_stands(
                picks in proptest::collection::vec(0..WORDS.len(), 2..14),
                from in 0usize..12,
                len in 2usize..6,
            ) {
                let words: Vec<&str> = picks.iter().map(|&i| WORDS[i]).collect();
                let from = from % words.len();
                let to = (from + len).min(words.len());
                let text = words.join(" ");
                let phrase = words[from..to].join(" ");
                let index = tokens(index_side(), &text);
                let query = tokens(crate::analysis::analyzers::query_pairs(&analysis()), &phrase);
                prop_assert!(index.windows(2).all(|w| w[0].1 <= w[1].1), "{index:?}");
                if let Some((first, q0)) = query.first() {
                    let found = index.iter().filter(|(t, _)| t == first).any(|(_, p)| {
                        query.iter().all(|(t, q)| {
                            index.iter().any(|(it, ip)| it == t && *ip + q0 == p + q)
                        })
                    });
                    prop_assert!(found, "{phrase:?} in {text:?}: {query:?} not in {index:?}");
                }
            }

            /// Arbitrary text never fails and gives terms in position order.
            #[test]
            fn arbitrary_text_gives_ordered_terms(text in "\\PC{0,200}") {
                let index = tokens(index_side(), &text);
                prop_assert!(index.windows(2).all(|w| w[0].1 <= w[1].1));
                prop_assert!(index.iter().all(|(t, _)| !t.is_empty()));
            }
        }
    }
}
