//! What the unit tests of this crate share: a seeded generator, a minimal plan, the compound
//! settings of `config/search.toml` without whole words written twice, the Swedish analyzer
//! with compound parts and the texts of the sample corpus.

use crate::analysis::compound::CompoundSettings;
use plansok_model::{DocType, Document, Passage, PassageKind};

/// A small deterministic generator (xorshift).
pub(crate) struct Rng(pub u64);

impl Rng {
    /// The next number below `n`.
    pub fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

/// A Swedish plan "Handlingsplan {id}" with no region, period, goals or source.
pub(crate) fn plan(id: &str, content_hash: &str, body: &str, passages: Vec<Passage>) -> Document {
    Document {
        id: id.into(),
        url: None,
        path: None,
        title: format!("Handlingsplan {id}"),
        region: None,
        municipality: None,
        organisation: None,
        on_topic: true,
        doc_type: DocType::Handlingsplan,
        period: None,
        goals: vec![],
        lang: "sv".into(),
        published: None,
        content_hash: content_hash.into(),
        body: body.into(),
        passages,
        pages: None,
    }
}

/// A section passage of `text`, under `heading` if given, without goals or page.
pub(crate) fn section(text: &str, heading: Option<&str>) -> Passage {
    Passage {
        kind: PassageKind::Section,
        heading: heading.map(Into::into),
        text: text.into(),
        page: None,
        goals: vec![],
        section_goals: vec![],
        lang: String::new(),
    }
}

/// Compound splitting as configured (words of 7 characters, parts of 3, linking -s- and -e-,
/// part weight 0.4), each whole word written once.
pub(crate) fn compound_settings() -> CompoundSettings {
    CompoundSettings {
        enabled: true,
        min_word_chars: 7,
        min_part_chars: 3,
        linking: vec!["s".into(), "e".into()],
        part_boost: 0.4,
        whole_words_twice: false,
    }
}

/// The Swedish analyzer with compound parts, each word once (that of snippets).
pub(crate) fn swedish_parts_once() -> tantivy::tokenizer::TextAnalyzer {
    use crate::analysis::compound::{Decompounder, Lexicon};
    let lexicon = std::sync::Arc::new(Lexicon::load().unwrap());
    crate::analysis::analyzers::swedish_parts(
        Decompounder::new(lexicon, compound_settings()),
        true,
        false,
    )
}

/// The texts of the sample corpus's files (plans, pages, news): real Swedish with compounds,
/// stop words, numbers, punctuation, markup and words over the length limit.
pub(crate) fn sample_texts() -> Vec<String> {
    fn walk(dir: &std::path::Path, texts: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, texts);
            } else if let Ok(text) = std::fs::read_to_string(&path) {
                texts.push(text);
            }
        }
    }
    let mut texts = Vec::new();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../corpus/sample");
    walk(&dir, &mut texts);
    texts
}
