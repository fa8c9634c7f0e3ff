//! Tokenizing a text word by word through a memo of each word's tokens.
//!
//! Every filter of plansok's Swedish analyzers (length limit, lowercasing, compound splitting,
//! stop words, stemming) works on one word at a time, so a text's tokens are those of each of
//! its words (as tantivy's `SimpleTokenizer` finds them) moved to the word's place. A
//! [`MemoAnalyzer`] analyzes each distinct word once per thread and remembers its tokens: the
//! words of plans repeat, and analyzing one (stemmer, lexicon lookups) costs about thirty times
//! a lookup. Snippets tokenize the best passage of every hit this way.
//!
//! The memo is per thread (index workers are long-lived threads; no lock is taken), belongs to
//! one analyzer at a time (another analyzer on the same thread starts it afresh) and is
//! emptied when it holds [`MEMO_WORDS`] words, which bounds its memory.

use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};

use rustc_hash::FxHashMap;
use tantivy::tokenizer::{TextAnalyzer, Token, TokenStream};

/// Words remembered per thread before the memo is emptied (a few MB).
pub const MEMO_WORDS: usize = 50_000;

#[derive(Default)]
struct Memo {
    /// The analyzer whose tokens these are.
    owner: u64,
    /// Each word's tokens, analyzed alone (offsets and positions relative to the word).
    words: FxHashMap<Box<str>, Box<[Token]>>,
}

thread_local! {
    static MEMO: RefCell<Memo> = RefCell::new(Memo::default());
}

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// A word-by-word analyzer (see the module doc): the same tokens as `inner`, which must analyze
/// each word on its own.
#[derive(Clone)]
pub struct MemoAnalyzer {
    inner: TextAnalyzer,
    id: u64,
    limit: usize,
}

impl MemoAnalyzer {
    /// Remembers up to [`MEMO_WORDS`] words per thread.
    pub fn new(inner: TextAnalyzer) -> Self {
        Self::with_limit(inner, MEMO_WORDS)
    }

    /// Remembers up to `limit` words per thread.
    pub fn with_limit(inner: TextAnalyzer, limit: usize) -> Self {
        MemoAnalyzer {
            inner,
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            limit: limit.max(1),
        }
    }

    /// Calls `f` with each token of `text` in order (offsets and position relative to its
    /// word, as the memo keeps it), the byte offset of the word in `text` and the word's
    /// position. Copies no token.
    pub fn for_each_token(&mut self, text: &str, mut f: impl FnMut(&Token, usize, usize)) {
        MEMO.with_borrow_mut(|memo| {
            if memo.owner != self.id {
                memo.owner = self.id;
                memo.words.clear();
            }
            for (position, (from, word)) in words(text).enumerate() {
                if let Some(tokens) = memo.words.get(word) {
                    tokens.iter().for_each(|t| f(t, from, position));
                    continue;
                }
                if memo.words.len() >= self.limit {
                    memo.words.clear();
                }
                let tokens = self.analyze(word);
                tokens.iter().for_each(|t| f(t, from, position));
                memo.words.insert(word.into(), tokens);
            }
        });
    }

    /// The tokens of `word` analyzed alone.
    fn analyze(&mut self, word: &str) -> Box<[Token]> {
        analyze(&mut self.inner, word)
    }
}

/// A word-by-word analyzer as a tantivy tokenizer, for writing the index: the same tokens as
/// `inner` (which must analyze each word on its own), each distinct word analyzed once per
/// instance. Its memo is its own (tantivy gives every field of every segment writer a clone of
/// the registered tokenizer, so no lock is taken) and is emptied when it holds `limit` words.
#[derive(Clone)]
pub struct MemoTokenizer {
    inner: TextAnalyzer,
    memo: FxHashMap<Box<str>, Box<[Token]>>,
    limit: usize,
}

/// Words a [`MemoTokenizer`] remembers before its memo is emptied (a few MB).
pub const TOKENIZER_MEMO_WORDS: usize = 20_000;

impl MemoTokenizer {
    pub fn new(inner: TextAnalyzer) -> Self {
        Self::with_limit(inner, TOKENIZER_MEMO_WORDS)
    }

    pub fn with_limit(inner: TextAnalyzer, limit: usize) -> Self {
        MemoTokenizer {
            inner,
            memo: FxHashMap::default(),
            limit: limit.max(1),
        }
    }
}

impl tantivy::tokenizer::Tokenizer for MemoTokenizer {
    type TokenStream<'a> = MemoTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> MemoTokenStream<'a> {
        MemoTokenStream {
            tokenizer: self,
            words: Box::new(words(text)),
            word_no: 0,
            word: Vec::new(),
            len: 0,
            next: 0,
        }
    }
}

/// The tokens of a text from a [`MemoTokenizer`]: each word's tokens copied from the memo into
/// reused buffers, moved to the word's place.
pub struct MemoTokenStream<'a> {
    tokenizer: &'a mut MemoTokenizer,
    words: Box<dyn Iterator<Item = (usize, &'a str)> + 'a>,
    word_no: usize,
    /// The current word's tokens (the first `len`); `next` is the one to give next.
    word: Vec<Token>,
    len: usize,
    next: usize,
}

impl MemoTokenStream<'_> {
    /// Loads the tokens of the next word that has any; false at the end of the text.
    fn next_word(&mut self) -> bool {
        let t = &mut *self.tokenizer;
        for (from, word) in self.words.by_ref() {
            let position = self.word_no;
            self.word_no += 1;
            self.len = match t.memo.get(word) {
                Some(tokens) => place(&mut self.word, tokens, from, position),
                None => {
                    if t.memo.len() >= t.limit {
                        t.memo.clear();
                    }
                    let tokens = analyze(&mut t.inner, word);
                    let len = place(&mut self.word, &tokens, from, position);
                    t.memo.insert(word.into(), tokens);
                    len
                }
            };
            self.next = 0;
            if self.len > 0 {
                return true;
            }
        }
        false
    }
}

/// Copies a word's `tokens` into the reused `out`, moved to the word's byte offset `from` and
/// its `position`; the number of tokens.
fn place(out: &mut Vec<Token>, tokens: &[Token], from: usize, position: usize) -> usize {
    for (i, token) in tokens.iter().enumerate() {
        if i == out.len() {
            out.push(Token::default());
        }
        let o = &mut out[i];
        o.text.clone_from(&token.text);
        o.offset_from = token.offset_from + from;
        o.offset_to = token.offset_to + from;
        o.position = token.position + position;
        o.position_length = token.position_length;
    }
    tokens.len()
}

impl TokenStream for MemoTokenStream<'_> {
    fn advance(&mut self) -> bool {
        if self.next >= self.len && !self.next_word() {
            return false;
        }
        self.next += 1;
        true
    }

    fn token(&self) -> &Token {
        &self.word[self
            .next
            .saturating_sub(1)
            .min(self.word.len().saturating_sub(1))]
    }

    fn token_mut(&mut self) -> &mut Token {
        let i = self
            .next
            .saturating_sub(1)
            .min(self.word.len().saturating_sub(1));
        &mut self.word[i]
    }
}

/// The tokens of `word` analyzed alone by `inner`.
fn analyze(inner: &mut TextAnalyzer, word: &str) -> Box<[Token]> {
    let mut tokens = Vec::new();
    let mut stream = inner.token_stream(word);
    while let Some(t) = stream.next() {
        tokens.push(t.clone());
    }
    tokens.into_boxed_slice()
}

/// The words of `text` as tantivy's `SimpleTokenizer` finds them (runs of alphanumeric
/// characters), with their byte offsets.
fn words(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let base = text.as_ptr() as usize;
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(move |w| (w.as_ptr() as usize - base, w))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{self, swedish_parts_once};

    fn analyzer() -> TextAnalyzer {
        swedish_parts_once()
    }

    type Tokens = Vec<(String, usize, usize, usize, usize)>;

    /// The tokens of `text` from the memo, moved to their words' places.
    fn tokens(a: &mut MemoAnalyzer, text: &str) -> Tokens {
        let mut out = Vec::new();
        a.for_each_token(text, |t, from, position| {
            out.push((
                t.text.clone(),
                t.offset_from + from,
                t.offset_to + from,
                t.position + position,
                t.position_length,
            ));
        });
        out
    }

    fn collect(mut stream: impl TokenStream) -> Tokens {
        let mut out = Vec::new();
        while let Some(t) = stream.next() {
            out.push((
                t.text.clone(),
                t.offset_from,
                t.offset_to,
                t.position,
                t.position_length,
            ));
        }
        out
    }

    /// The sample corpus's texts and two of their own.
    fn sample_texts() -> Vec<String> {
        let mut texts = test_support::sample_texts();
        texts.push(format!(
            "Våldsutsatta kvinnor och barn, KVINNOFRIDSARBETE; {} x",
            "a".repeat(60)
        ));
        texts.push(String::new());
        texts
    }

    #[test]
    fn a_text_gives_the_tokens_of_the_analyzer_itself_from_the_memo_or_not() {
        let texts = sample_texts();
        assert!(texts.len() > 5, "the sample corpus is read");
        let mut plain = analyzer();
        let mut memo = MemoAnalyzer::new(analyzer());
        // A memo of two words is emptied over and over.
        let mut small = MemoAnalyzer::with_limit(analyzer(), 2);
        for text in &texts {
            let want = collect(plain.token_stream(text));
            for _ in 0..2 {
                assert_eq!(tokens(&mut memo, text), want);
                assert_eq!(tokens(&mut small, text), want);
            }
        }
        let some = tokens(&mut memo, "våldsutsatta kvinnor i hemmet");
        let texts: Vec<&str> = some.iter().map(|t| t.0.as_str()).collect();
        assert!(
            texts.contains(&"våld"),
            "compound parts are given: {texts:?}"
        );
        assert!(!texts.contains(&"i"), "stop words are left out: {texts:?}");
    }

    #[test]
    fn the_tokenizer_gives_the_tokens_of_the_analyzer_itself() {
        let texts = sample_texts();
        let mut plain = analyzer();
        let mut memo = TextAnalyzer::from(MemoTokenizer::new(analyzer()));
        // A memo of two words is emptied over and over.
        let mut small = TextAnalyzer::from(MemoTokenizer::with_limit(analyzer(), 2));
        for text in &texts {
            let want = collect(plain.token_stream(text));
            for _ in 0..2 {
                assert_eq!(collect(memo.token_stream(text)), want);
                assert_eq!(collect(small.token_stream(text)), want);
            }
        }
        let lexicon = std::sync::Arc::new(crate::analysis::compound::Lexicon::load().unwrap());
        let decompounder = crate::analysis::compound::Decompounder::new(
            lexicon,
            test_support::compound_settings(),
        );
        let mut twice = crate::analysis::analyzers::swedish_parts(decompounder, true, true);
        let mut twice_memo = TextAnalyzer::from(MemoTokenizer::new(twice.clone()));
        let text = "Våldsutsatta kvinnor i hemmet och våldsutsatta barn";
        assert_eq!(
            collect(twice_memo.token_stream(text)),
            collect(twice.token_stream(text))
        );
    }

    #[test]
    fn two_analyzers_on_one_thread_keep_their_own_tokens() {
        let mut swedish = MemoAnalyzer::new(analyzer());
        let mut plain = MemoAnalyzer::new(crate::analysis::analyzers::plain());
        for _ in 0..2 {
            assert_eq!(tokens(&mut swedish, "Kvinnorna")[0].0, "kvinn");
            assert_eq!(tokens(&mut plain, "Kvinnorna")[0].0, "kvinnorna");
        }
    }
}
