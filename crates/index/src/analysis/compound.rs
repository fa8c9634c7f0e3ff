//! Swedish compound splitting (decompounding).
//!
//! Swedish writes its key terms as one word: "våldsutsatta", "kvinnofridsarbete",
//! "hedersrelaterat". A [`Decompounder`] splits such a word into its parts with a lexicon of
//! the forms that may begin a compound (with their lemma: "vålds" → "våld", "kvinno" →
//! "kvinna") and the words that may end one (compared by Snowball stem, so inflected endings
//! match: "utsatta" ~ "utsatt"). Between parts a linking morpheme from the configuration
//! (-s-, -e-) may stand. Of the possible splits the one with the fewest parts wins, then the
//! one whose shortest part is longest. Parts that are compounds themselves are split again
//! ("kvinnofrid" → "kvinna", "frid").
//!
//! [`CompoundFilter`] is the tantivy token filter: it keeps every word and adds its parts as
//! extra tokens at the same position (and offsets), so phrases and highlighting still work on
//! the whole word. The index keeps these tokens in separate fields that a query weighs below
//! the whole-word fields, so a whole-word match ranks above a part match.
//!
//! The lexicon (`config/lexicon/sv-compound.txt`) is built from the Swedish Hunspell
//! dictionary by `config/lexicon/build.py`; `config/lexicon/domain.txt` adds the field's own
//! words in the same format.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};

use plansok_model::{config_text, ConfigError};

const EMBEDDED_LEXICON: &str = include_str!("../../../../config/lexicon/sv-compound.txt");
const EMBEDDED_DOMAIN: &str = include_str!("../../../../config/lexicon/domain.txt");
const EMBEDDED_CORPUS: &str = include_str!("../../../../config/lexicon/corpus.txt");

/// Words split and remembered before the cache is emptied (bounds its memory).
const CACHE_WORDS: usize = 200_000;

/// How compounds are split (`[compounds]` in `config/search.toml`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompoundSettings {
    /// Split compounds at index and query time.
    pub enabled: bool,
    /// Shortest word that is tried (characters).
    pub min_word_chars: usize,
    /// Shortest part (characters).
    pub min_part_chars: usize,
    /// Linking morphemes that may stand between two parts.
    pub linking: Vec<String>,
    /// Weight of a part match against a whole-word match (1.0).
    pub part_boost: f32,
    /// In the `*_parts` fields, each whole word is written twice at its position (its parts
    /// once), so that the parts fields alone rank a whole word above a part and a query need
    /// not read the whole-word fields beside them. Absent (false) in indexes made before it.
    #[serde(default)]
    pub whole_words_twice: bool,
}

/// The forms that begin and end compounds.
#[derive(Debug, Default)]
pub struct Lexicon {
    /// Beginning form → the lemma the part is indexed as.
    begin: HashMap<String, String>,
    /// Snowball stems of the words that may end a compound.
    end_stems: HashSet<String>,
}

impl Lexicon {
    /// Reads lexicon lines: `B <form> [<lemma>]` and `E <word>`; `#` starts a comment.
    pub fn parse(texts: &[&str]) -> Lexicon {
        let stemmer = swedish_stemmer();
        let mut lex = Lexicon::default();
        for line in texts.iter().flat_map(|t| t.lines()) {
            let mut fields = line.split_whitespace();
            match (fields.next(), fields.next()) {
                (Some("B"), Some(form)) => {
                    let lemma = fields.next().unwrap_or(form);
                    lex.begin.insert(form.to_lowercase(), lemma.to_lowercase());
                }
                (Some("E"), Some(word)) => {
                    lex.end_stems
                        .insert(stemmer.stem(&word.to_lowercase()).into_owned());
                }
                _ => {}
            }
        }
        lex
    }

    /// The embedded lexicon (word list, the field's words, words learnt from the corpus), or
    /// the files of `PLANSOK_CONFIG_DIR/lexicon/` when present.
    pub fn load() -> Result<Lexicon, ConfigError> {
        let main = config_text("lexicon/sv-compound.txt", EMBEDDED_LEXICON)?;
        let domain = config_text("lexicon/domain.txt", EMBEDDED_DOMAIN)?;
        let corpus = config_text("lexicon/corpus.txt", EMBEDDED_CORPUS)?;
        Ok(Lexicon::parse(&[&main, &domain, &corpus]))
    }

    /// Whether a lowercase word is known as a beginning or (by stem) an ending.
    pub fn knows(&self, word: &str) -> bool {
        self.begin.contains_key(word)
            || self
                .end_stems
                .contains(swedish_stemmer().stem(word).as_ref())
    }

    pub fn len(&self) -> usize {
        self.begin.len() + self.end_stems.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn swedish_stemmer() -> frostem::Stemmer {
    frostem::Stemmer::new(frostem::Algorithm::Swedish)
}

/// One way of cutting a word: its parts as they are indexed.
#[derive(Debug, Clone)]
struct Split {
    parts: Vec<String>,
    shortest: usize,
}

impl Split {
    fn better_than(&self, other: &Split) -> bool {
        (self.parts.len(), std::cmp::Reverse(self.shortest))
            < (other.parts.len(), std::cmp::Reverse(other.shortest))
    }
}

/// Splits Swedish compounds with a `Lexicon` (the words it knows). Cheap to clone (shared state).
#[derive(Clone)]
pub struct Decompounder {
    lexicon: Arc<Lexicon>,
    settings: Arc<CompoundSettings>,
    cache: Arc<Mutex<HashMap<String, Arc<[String]>>>>,
}

impl std::fmt::Debug for Decompounder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Decompounder")
            .field("lexicon_entries", &self.lexicon.len())
            .field("settings", &self.settings)
            .finish()
    }
}

impl Decompounder {
    pub fn new(lexicon: Arc<Lexicon>, settings: CompoundSettings) -> Decompounder {
        Decompounder {
            lexicon,
            settings: Arc::new(settings),
            cache: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    pub fn settings(&self) -> &CompoundSettings {
        &self.settings
    }

    pub fn lexicon(&self) -> &Lexicon {
        &self.lexicon
    }

    /// The parts of a lowercase word (each once, without the word itself), or nothing when it
    /// is not a compound the lexicon knows.
    pub fn parts(&self, word: &str) -> Arc<[String]> {
        if !self.settings.enabled || word.chars().count() < self.settings.min_word_chars {
            return Arc::from(Vec::new());
        }
        if let Some(hit) = self.cache.lock().ok().and_then(|c| c.get(word).cloned()) {
            return hit;
        }
        let mut out = Vec::new();
        self.collect_parts(word, 0, &mut out);
        out.retain(|p| p != word);
        let parts: Arc<[String]> = Arc::from(out);
        if let Ok(mut cache) = self.cache.lock() {
            if cache.len() >= CACHE_WORDS {
                cache.clear();
            }
            cache.insert(word.to_string(), parts.clone());
        }
        parts
    }

    /// The parts of the best split of a lowercase word (not split again), if it is a compound.
    pub fn split(&self, word: &str) -> Option<Vec<String>> {
        if !self.settings.enabled || word.chars().count() < self.settings.min_word_chars {
            return None;
        }
        self.best_split(word).map(|s| s.parts)
    }

    fn collect_parts(&self, word: &str, depth: usize, out: &mut Vec<String>) {
        if depth > 3 || word.chars().count() < self.settings.min_word_chars {
            return;
        }
        let Some(split) = self.best_split(word) else {
            return;
        };
        for part in split.parts {
            if !out.contains(&part) {
                out.push(part.clone());
                self.collect_parts(&part, depth + 1, out);
            }
        }
    }

    /// The best split of `word` into two or more parts.
    fn best_split(&self, word: &str) -> Option<Split> {
        let bounds: Vec<usize> = word
            .char_indices()
            .map(|(i, _)| i)
            .chain([word.len()])
            .collect();
        let stemmer = swedish_stemmer();
        let mut memo: HashMap<usize, Option<Split>> = HashMap::new();
        self.split_from(word, &bounds, 0, &stemmer, &mut memo)
    }

    /// The best split of `word[bounds[i]..]`: beginning forms (each perhaps followed by a
    /// linking morpheme), then an ending word. At `i = 0` the ending must not be the whole word.
    fn split_from(
        &self,
        word: &str,
        bounds: &[usize],
        i: usize,
        stemmer: &frostem::Stemmer,
        memo: &mut HashMap<usize, Option<Split>>,
    ) -> Option<Split> {
        if let Some(known) = memo.get(&i) {
            return known.clone();
        }
        let n = bounds.len() - 1;
        let min = self.settings.min_part_chars;
        let mut best: Option<Split> = None;
        let rest = &word[bounds[i]..];
        if i > 0 && n - i >= min && self.lexicon.end_stems.contains(stemmer.stem(rest).as_ref()) {
            best = Some(Split {
                parts: vec![rest.to_string()],
                shortest: n - i,
            });
        }
        for j in (i + min)..=n.saturating_sub(min) {
            let Some(lemma) = self.lexicon.begin.get(&word[bounds[i]..bounds[j]]) else {
                continue;
            };
            for next in self.after_linking(word, bounds, j) {
                if n - next < min {
                    continue;
                }
                if let Some(tail) = self.split_from(word, bounds, next, stemmer, memo) {
                    let mut parts = vec![lemma.clone()];
                    parts.extend(tail.parts);
                    let candidate = Split {
                        parts,
                        shortest: tail.shortest.min(j - i),
                    };
                    if best.as_ref().is_none_or(|b| candidate.better_than(b)) {
                        best = Some(candidate);
                    }
                }
            }
        }
        memo.insert(i, best.clone());
        best
    }

    /// Where the next part may start after a part ending at char `j`: right there, or after a
    /// linking morpheme.
    fn after_linking(&self, word: &str, bounds: &[usize], j: usize) -> Vec<usize> {
        let mut starts = vec![j];
        let rest = &word[bounds[j]..];
        for link in &self.settings.linking {
            if !link.is_empty() && rest.starts_with(link.as_str()) {
                let k = j + link.chars().count();
                if k < bounds.len() {
                    starts.push(k);
                }
            }
        }
        starts
    }
}

/// Token filter: each token (twice with [`whole_words_twice`](Self::whole_words_twice)), then
/// its compound parts at the same position.
#[derive(Clone)]
pub struct CompoundFilter {
    decompounder: Decompounder,
    whole_twice: bool,
}

impl CompoundFilter {
    pub fn new(decompounder: Decompounder) -> CompoundFilter {
        CompoundFilter {
            decompounder,
            whole_twice: false,
        }
    }

    /// Gives each token twice at its position (see [`CompoundSettings::whole_words_twice`]).
    pub fn whole_words_twice(mut self, twice: bool) -> CompoundFilter {
        self.whole_twice = twice;
        self
    }
}

impl TokenFilter for CompoundFilter {
    type Tokenizer<T: Tokenizer> = CompoundFilterTokenizer<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> CompoundFilterTokenizer<T> {
        CompoundFilterTokenizer {
            decompounder: self.decompounder,
            whole_twice: self.whole_twice,
            inner: tokenizer,
        }
    }
}

#[derive(Clone)]
pub struct CompoundFilterTokenizer<T> {
    decompounder: Decompounder,
    whole_twice: bool,
    inner: T,
}

impl<T: Tokenizer> Tokenizer for CompoundFilterTokenizer<T> {
    type TokenStream<'a> = CompoundTokenStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        CompoundTokenStream {
            decompounder: &self.decompounder,
            whole_twice: self.whole_twice,
            tail: self.inner.token_stream(text),
            pending: Vec::new(),
            current: None,
        }
    }
}

pub struct CompoundTokenStream<'a, T> {
    decompounder: &'a Decompounder,
    whole_twice: bool,
    tail: T,
    /// Parts still to give out, last first.
    pending: Vec<Token>,
    /// The part being given out (else the tail's token).
    current: Option<Token>,
}

impl<T: TokenStream> TokenStream for CompoundTokenStream<'_, T> {
    fn advance(&mut self) -> bool {
        if let Some(next) = self.pending.pop() {
            self.current = Some(next);
            return true;
        }
        self.current = None;
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token();
        let parts = self.decompounder.parts(&token.text);
        self.pending = parts
            .iter()
            .rev()
            .map(|p| Token {
                text: p.clone(),
                ..token.clone()
            })
            .collect();
        if self.whole_twice {
            // Given out first: the word again, then its parts.
            self.pending.push(token.clone());
        }
        true
    }

    fn token(&self) -> &Token {
        self.current.as_ref().unwrap_or_else(|| self.tail.token())
    }

    fn token_mut(&mut self) -> &mut Token {
        match self.current.as_mut() {
            Some(t) => t,
            None => self.tail.token_mut(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::OnceLock;

    use crate::test_support::compound_settings as settings;

    fn decompounder() -> &'static Decompounder {
        static D: OnceLock<Decompounder> = OnceLock::new();
        D.get_or_init(|| Decompounder::new(Arc::new(Lexicon::load().unwrap()), settings()))
    }

    fn parts(word: &str) -> Vec<String> {
        decompounder().parts(word).to_vec()
    }

    #[test]
    fn field_compounds_split_with_linking_s() {
        assert_eq!(parts("våldsutsatta"), ["våld", "utsatta"]);
        assert_eq!(parts("våldsutövare"), ["våld", "utövare"]);
        assert_eq!(parts("hedersrelaterat"), ["heder", "relaterat"]);
        assert_eq!(parts("brottsbekämpning"), ["brott", "bekämpning"]);
        assert_eq!(parts("handlingsplan"), ["handling", "plan"]);
    }

    #[test]
    fn compound_forms_give_their_lemma_and_parts_split_again() {
        let p = parts("kvinnofridsarbete");
        for want in ["kvinnofrid", "arbete", "kvinna", "frid"] {
            assert!(p.contains(&want.to_string()), "{want} missing in {p:?}");
        }
        assert!(parts("kvinnojour").contains(&"kvinna".to_string()));
    }

    #[test]
    fn plain_and_short_words_stay_whole() {
        for w in [
            "avvaldes",
            "valdes",
            "vald",
            "våld",
            "kommunerna",
            "samhället",
        ] {
            assert!(parts(w).is_empty(), "{w} split into {:?}", parts(w));
        }
    }

    #[test]
    fn the_switch_turns_splitting_off() {
        let off = Decompounder::new(
            Arc::new(Lexicon::load().unwrap()),
            CompoundSettings {
                enabled: false,
                ..settings()
            },
        );
        assert!(off.parts("våldsutsatta").is_empty());
    }

    #[test]
    fn parts_share_the_whole_words_position() {
        use tantivy::tokenizer::{LowerCaser, SimpleTokenizer, TextAnalyzer};
        let mut a = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(LowerCaser)
            .filter(CompoundFilter::new(decompounder().clone()))
            .build();
        let mut stream = a.token_stream("Stöd till våldsutsatta kvinnor");
        let mut got = Vec::new();
        while stream.advance() {
            let t = stream.token();
            got.push((t.text.clone(), t.position, t.offset_from));
        }
        assert_eq!(
            got,
            [
                ("stöd".to_string(), 0, 0),
                ("till".to_string(), 1, 6),
                ("våldsutsatta".to_string(), 2, 11),
                ("våld".to_string(), 2, 11),
                ("utsatta".to_string(), 2, 11),
                ("kvinnor".to_string(), 3, 25),
            ]
        );
    }

    #[test]
    fn whole_words_twice_gives_each_word_again_before_its_parts() {
        use tantivy::tokenizer::{LowerCaser, SimpleTokenizer, TextAnalyzer};
        let mut a = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(LowerCaser)
            .filter(CompoundFilter::new(decompounder().clone()).whole_words_twice(true))
            .build();
        let mut stream = a.token_stream("Stöd till våldsutsatta");
        let mut got = Vec::new();
        while stream.advance() {
            let t = stream.token();
            got.push((t.text.clone(), t.position));
        }
        let want: Vec<(String, usize)> = [
            ("stöd", 0),
            ("stöd", 0),
            ("till", 1),
            ("till", 1),
            ("våldsutsatta", 2),
            ("våldsutsatta", 2),
            ("våld", 2),
            ("utsatta", 2),
        ]
        .iter()
        .map(|(w, p)| (w.to_string(), *p))
        .collect();
        assert_eq!(got, want);
    }
}
