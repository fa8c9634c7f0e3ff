//! Word pairs: the terms of the `*_pairs` fields, which make a phrase in a long text cheap.
//!
//! A phrase matched word by word decodes every position of each of its words in every text
//! that holds them all: "våld i nära relationer" reads the hundreds of positions of "våld" in
//! each plan body. Indexed as pairs of neighbouring words, the same phrase is the pairs
//! "våld _ nära" and "nära relation", at their own positions, and a pair's positions are only
//! where the pair occurs.
//!
//! [`PairTokenizer`] runs an analyzer over a text and gives, for the tokens at each position
//! and those at the next position that holds any, every pair of one of each, at the first one's
//! position. A gap left by removed words (stop words, over-long words) is written in the pair
//! as one `_` per missing position, so a pair matches only words as far apart as in the
//! phrase, as a positional phrase match does. Compound parts share their compound's position
//! ([`crate::compound`]), so at index time a part pairs with its neighbours as the compound
//! does; at query time the analyzer does not split, and the phrase's own words are paired.

use tantivy::tokenizer::{TextAnalyzer, Token, TokenStream, Tokenizer};

/// Pairs of the tokens of adjacent positions of an analyzer's output (see the module doc).
#[derive(Clone)]
pub struct PairTokenizer {
    inner: TextAnalyzer,
}

impl PairTokenizer {
    pub fn new(inner: TextAnalyzer) -> PairTokenizer {
        PairTokenizer { inner }
    }
}

impl Tokenizer for PairTokenizer {
    type TokenStream<'a> = PairStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> PairStream {
        let mut words = Vec::new();
        let mut stream = self.inner.token_stream(text);
        while stream.advance() {
            words.push(stream.token().clone());
        }
        PairStream {
            pairs: pairs(&words),
            next: 0,
            empty: Token::default(),
        }
    }
}

/// The pair tokens of `words` (in the order an analyzer gave them: by position).
fn pairs(words: &[Token]) -> Vec<Token> {
    let groups: Vec<&[Token]> = words.chunk_by(|a, b| a.position == b.position).collect();
    let mut out = Vec::new();
    for w in groups.windows(2) {
        let [left, right] = w else { continue };
        let gap = right[0].position.saturating_sub(left[0].position).max(1);
        for a in *left {
            for b in *right {
                out.push(Token {
                    offset_from: a.offset_from,
                    offset_to: b.offset_to,
                    position: a.position,
                    text: pair_text(&a.text, gap, &b.text),
                    position_length: 1,
                });
            }
        }
    }
    out
}

/// "a b" for neighbours; "a _ b" when one position between them is empty, and so on.
fn pair_text(a: &str, gap: usize, b: &str) -> String {
    let mut s = String::with_capacity(a.len() + b.len() + 2 * gap);
    s.push_str(a);
    for _ in 1..gap {
        s.push_str(" _");
    }
    s.push(' ');
    s.push_str(b);
    s
}

pub struct PairStream {
    pairs: Vec<Token>,
    /// Index of the next token to give out; the current one is `next - 1`.
    next: usize,
    empty: Token,
}

impl TokenStream for PairStream {
    fn advance(&mut self) -> bool {
        if self.next < self.pairs.len() {
            self.next += 1;
            true
        } else {
            false
        }
    }

    fn token(&self) -> &Token {
        self.next
            .checked_sub(1)
            .and_then(|i| self.pairs.get(i))
            .unwrap_or(&self.empty)
    }

    fn token_mut(&mut self) -> &mut Token {
        match self.next.checked_sub(1) {
            Some(i) if i < self.pairs.len() => &mut self.pairs[i],
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
            tokens(&mut a, "Våld i nära relationer"),
            vec![("våld _ när".into(), 0), ("när relation".into(), 2)]
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
        let out: Vec<(String, usize)> = pairs(&[t("ab", 0), t("b", 0), t("c", 1), t("d", 3)])
            .into_iter()
            .map(|t| (t.text, t.position))
            .collect();
        assert_eq!(
            out,
            vec![("ab c".into(), 0), ("b c".into(), 0), ("c _ d".into(), 1)]
        );
    }
}
