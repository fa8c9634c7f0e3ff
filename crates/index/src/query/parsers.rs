//! The query parsers of an opened index ([`QueryParsers`]): one tantivy [`QueryParser`] per
//! scope over its text fields with their boosts, the analyzers a query's words and phrase pairs
//! are read with, and the settings of the rewriting (synonym groups, compound splitting,
//! prefix bounds). Built once per index from its schema, fields, configuration and analysis.

use std::collections::{HashMap, HashSet};

use tantivy::query::QueryParser;
use tantivy::schema::{Field, Schema};
use tantivy::tokenizer::TextAnalyzer;

use super::rewrite::{members_of, Members};
use crate::analysis::analyzers;
use crate::analysis::compound::Decompounder;
use crate::analysis::pairs::count_pairs;
use crate::config::{Analysis, SearchConfig};
use crate::schema::{Fields, Scope};

/// How a phrase of two words or more is matched in the long texts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phrases {
    /// As word pairs where the phrase has a pair and no slop.
    Pairs,
    /// Word by word at their positions (what snippets mark).
    Positions,
}

/// The query parsers of an index (one per scope) and the analyzer of a phrase's pairs.
#[derive(Clone)]
pub struct QueryParsers {
    documents: QueryParser,
    passages: QueryParser,
    pairs: TextAnalyzer,
    /// The Swedish analysis of a query's words (stop words and stems), to tell synonyms that
    /// are only other inflections of the typed words.
    words: TextAnalyzer,
    /// The one-word members of the synonym groups, lowercased: terms of their own, not split.
    pub(super) known: HashSet<String>,
    /// Every member of the synonym groups as lowercase words, with its group.
    pub(super) members: Members,
    /// Per scope: the fields of a phrase matched word by word, and those with word pairs.
    phrase_fields: [[Vec<String>; 2]; 2],
    /// The text fields without positions (bodies and passage texts of an index that splits
    /// compounds), by name: the fields a phrase typed with that name is matched in, word by
    /// word and with word pairs.
    shadows: HashMap<String, [Vec<String>; 2]>,
    /// The synonym groups of `config/synonyms.toml`.
    pub(super) groups: Vec<Vec<String>>,
    /// The compound splitter, when the index splits compounds.
    pub(super) decompounder: Option<Decompounder>,
    /// See `prefix_union_terms` in `config/search.toml`.
    pub(super) prefix_union_terms: usize,
    /// See `min_words_share` and `all_words_boost` in `config/search.toml`.
    pub(super) min_words_share: f32,
    pub(super) all_words_boost: f32,
    pub(super) fields: Fields,
    /// The names of the schema's fields (what may stand before `:` in a query).
    pub(super) field_names: HashSet<String>,
    /// The fields that are only stored, by name, with the name of the field searched instead
    /// (see [`Fields::searched`]).
    pub(super) searched_names: HashMap<String, String>,
}

impl QueryParsers {
    pub(crate) fn new(
        schema: &Schema,
        f: &Fields,
        cfg: &SearchConfig,
        analysis: &Analysis,
        decompounder: Decompounder,
    ) -> QueryParsers {
        let fields = |scope| {
            [false, true].map(|pairs| {
                phrase_fields(f, scope, pairs)
                    .into_iter()
                    .map(|field| schema.get_field_name(field).to_string())
                    .collect()
            })
        };
        QueryParsers {
            documents: parser(schema, f, cfg, analysis, Scope::Documents),
            passages: parser(schema, f, cfg, analysis, Scope::Passages),
            pairs: analyzers::query_pairs(analysis),
            words: if analysis.stemming {
                analyzers::swedish()
            } else {
                analyzers::plain()
            },
            known: cfg
                .synonyms
                .groups
                .iter()
                .flatten()
                .filter(|m| !m.contains(' '))
                .map(|m| m.to_lowercase())
                .collect(),
            members: members_of(&cfg.synonyms.groups),
            phrase_fields: [fields(Scope::Documents), fields(Scope::Passages)],
            shadows: shadows(schema, f),
            groups: cfg.synonyms.groups.clone(),
            decompounder: analysis.compounds.enabled.then_some(decompounder),
            prefix_union_terms: cfg.search.prefix_union_terms,
            min_words_share: cfg.search.min_words_share,
            all_words_boost: cfg.search.all_words_boost,
            fields: *f,
            field_names: schema
                .fields()
                .map(|(_, entry)| entry.name().to_string())
                .collect(),
            searched_names: [f.body, f.text]
                .into_iter()
                .filter(|field| f.searched(*field) != *field)
                .map(|field| {
                    let name = |field| schema.get_field_name(field).to_string();
                    (name(field), name(f.searched(field)))
                })
                .collect(),
        }
    }

    /// The terms `text` is searched by, in order ("skyddade boenden" → "skydd boend").
    pub(super) fn analyzed(&self, text: &str) -> String {
        let mut words = self.words.clone();
        let mut stream = words.token_stream(text);
        let mut out = Vec::new();
        while stream.advance() {
            out.push(stream.token().text.clone());
        }
        out.join(" ")
    }

    pub(super) fn parser(&self, scope: Scope) -> &QueryParser {
        match scope {
            Scope::Documents => &self.documents,
            Scope::Passages => &self.passages,
        }
    }

    /// The fields a phrase typed with the field `name` (`body:"…"`) is matched in: its
    /// shadows when the field has no positions, else `None` (the field itself).
    pub(super) fn fields_of_field_phrase(
        &self,
        name: &str,
        how: Phrases,
        phrase: &str,
        slop: bool,
    ) -> Option<&[String]> {
        Some(self.either(self.shadows.get(name)?, how, phrase, slop))
    }

    /// The fields a phrase is matched in (see [`Phrases`]).
    pub(super) fn fields_of_phrase(
        &self,
        scope: Scope,
        how: Phrases,
        phrase: &str,
        slop: bool,
    ) -> &[String] {
        self.either(&self.phrase_fields[scope as usize], how, phrase, slop)
    }

    /// Of a phrase's fields matched word by word and with word pairs, those it is matched in
    /// (see [`Phrases`]).
    fn either<'a>(
        &self,
        [positions, pairs]: &'a [Vec<String>; 2],
        how: Phrases,
        phrase: &str,
        slop: bool,
    ) -> &'a [String] {
        let paired =
            how == Phrases::Pairs && !slop && count_pairs(&mut self.pairs.clone(), phrase) > 0;
        if paired {
            pairs
        } else {
            positions
        }
    }
}

/// The query parser over the text fields of `scope`, titles and headings boosted; with
/// compounds on, the `*_parts` fields too, weighed by `part_boost` under their whole-word
/// fields, and the `*_pairs` fields (for phrases only, not searched by default) as their
/// `*_parts` fields. When the index writes whole words twice in the `*_parts` fields
/// ([`CompoundSettings::whole_words_twice`](crate::analysis::compound::CompoundSettings)), those stand
/// for the Swedish whole-word fields at full weight: their matches include the whole-word
/// fields' ones, and a whole word counts twice in them.
fn parser(
    schema: &Schema,
    f: &Fields,
    cfg: &SearchConfig,
    analysis: &Analysis,
    scope: Scope,
) -> QueryParser {
    let s = &cfg.search;
    let compounds = &analysis.compounds;
    let [head, body] = f.text_fields(scope);
    let head_boost = match scope {
        Scope::Documents => s.title_boost,
        Scope::Passages => s.heading_boost,
    };
    let mut weighted = vec![(head.en, head_boost), (body.en, 1.0)];
    // The weight of the parts fields (and of the pairs, their phrases).
    let parts_boost = match (compounds.enabled, compounds.whole_words_twice) {
        // Whole words stand twice in them: they are read alone, as the whole-word fields.
        (true, true) => 1.0,
        (true, false) => compounds.part_boost,
        (false, _) => 0.0,
    };
    if !(compounds.enabled && compounds.whole_words_twice) {
        weighted.extend([(head.sv, head_boost), (body.sv, 1.0)]);
    }
    if compounds.enabled {
        weighted.push((head.parts, head_boost * parts_boost));
        weighted.push((body.parts, parts_boost));
    }
    let mut parser = QueryParser::new(
        schema.clone(),
        weighted.iter().map(|(field, _)| *field).collect(),
        analyzers::query_tokenizers(analysis),
    );
    parser.set_conjunction_by_default();
    for (field, boost) in weighted {
        parser.set_field_boost(field, boost);
    }
    for (t, boost) in [(head, head_boost), (body, 1.0)] {
        if let Some(pairs) = t.pairs {
            parser.set_field_boost(pairs, boost * parts_boost);
        }
    }
    parser
}

/// The text fields of both scopes without positions, by name, with the fields their phrases
/// are matched in: their English twin and their `*_parts` shadow, or their `*_pairs` one.
fn shadows(schema: &Schema, f: &Fields) -> HashMap<String, [Vec<String>; 2]> {
    let name = |field: Field| schema.get_field_name(field).to_string();
    [Scope::Documents, Scope::Passages]
        .into_iter()
        .flat_map(|scope| f.text_fields(scope))
        .filter(|t| {
            let entry = schema.get_field_entry(t.sv);
            let option = entry.field_type().get_index_record_option();
            option.is_none_or(|o| !o.has_positions())
        })
        .map(|t| {
            let pairs = t.pairs.unwrap_or(t.parts);
            (
                name(t.sv),
                [
                    vec![name(t.en), name(t.parts)],
                    vec![name(t.en), name(pairs)],
                ],
            )
        })
        .collect()
}

/// The fields a phrase is matched in when compounds are split: every text field of `scope` but
/// the Swedish whole-word ones, whose phrase matches are a subset of those in their `*_parts`
/// shadows (parts sit at their compound's position); with `pairs`, the `*_pairs` field instead
/// of the `*_parts` one where the text has one.
fn phrase_fields(f: &Fields, scope: Scope, pairs: bool) -> Vec<Field> {
    f.text_fields(scope)
        .iter()
        .flat_map(|t| {
            let swedish = match t.pairs {
                Some(p) if pairs => p,
                _ => t.parts,
            };
            [t.en, swedish]
        })
        .collect()
}
