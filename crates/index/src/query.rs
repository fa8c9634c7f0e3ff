//! The user's query as a tantivy query: the grammar of tantivy's query parser over the text
//! fields of a scope, with synonyms, compound parts and prefixes added by rewriting.
//!
//! A bare word matches its whole-word fields and, weighed less, the compound-part shadows
//! (`*_parts`); in an index whose shadows hold each whole word twice, the shadows alone (for
//! Swedish; [`parser`]). A phrase of two words or more is matched in the parts shadows (whose matches
//! include the whole-word fields' ones), and in a long text (plan bodies, passage texts) as
//! word pairs in the `*_pairs` fields ([`crate::pairs`]), which reads the positions of the
//! phrase's pairs instead of those of each of its words. Snippets mark the words of a query
//! matched word by word ([`marking_query`]). The parsers are built once per opened index
//! ([`QueryParsers`]).

use std::collections::HashSet;

use tantivy::query::{BooleanQuery, ConstScoreQuery, Occur, Query, QueryParser, TermQuery};
use tantivy::schema::{Field, IndexRecordOption, Schema};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::Term;

use crate::compound::Decompounder;
use crate::config::{Analysis, SearchConfig};
use crate::filters::invalid;
use crate::pairs::count_pairs;
use crate::prefix::PrefixQuery;
use crate::schema::{self, Fields, Scope};
use crate::store::IndexStore;
use crate::IndexError;

/// How a phrase of two words or more is matched in the long texts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phrases {
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
    known: HashSet<String>,
    /// Every member of the synonym groups as lowercase words, with its group.
    members: Members,
    /// Per scope: the fields of a phrase matched word by word, and those with word pairs.
    phrase_fields: [[Vec<String>; 2]; 2],
}

impl QueryParsers {
    pub(crate) fn new(
        schema: &Schema,
        f: &Fields,
        cfg: &SearchConfig,
        analysis: &Analysis,
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
            pairs: schema::query_pairs(analysis),
            words: if analysis.stemming {
                schema::swedish()
            } else {
                schema::plain()
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
        }
    }

    /// The terms `text` is searched by, in order ("skyddade boenden" → "skydd boend").
    fn analyzed(&self, text: &str) -> String {
        let mut words = self.words.clone();
        let mut stream = words.token_stream(text);
        let mut out = Vec::new();
        while stream.advance() {
            out.push(stream.token().text.clone());
        }
        out.join(" ")
    }

    fn parser(&self, scope: Scope) -> &QueryParser {
        match scope {
            Scope::Documents => &self.documents,
            Scope::Passages => &self.passages,
        }
    }

    /// The fields a phrase is matched in (see [`Phrases`]).
    fn fields_of_phrase(&self, scope: Scope, how: Phrases, phrase: &str, slop: bool) -> &[String] {
        let [positions, pairs] = &self.phrase_fields[scope as usize];
        let paired =
            how == Phrases::Pairs && !slop && count_pairs(&mut self.pairs.clone(), phrase) > 0;
        if paired {
            pairs
        } else {
            positions
        }
    }
}

/// Parses the user's query over the fields of `scope` (those of documents or those of
/// passages). Those fields are the scope's own, so the query matches entries of `scope` only
/// and needs no kind filter beside it; an empty query matches every entry of `scope`. A query
/// the grammar cannot read is an [`IndexError::InvalidFilter`] named `query` that says what is
/// wrong. Words ending in `*` are prefixes matched against the indexed terms ("kvinno*" finds
/// "kvinnojourer").
pub fn text_query(
    store: &IndexStore,
    query: &str,
    scope: Scope,
) -> Result<Box<dyn Query>, IndexError> {
    UserQuery::new(store, query).text(store, scope)
}

/// The same query with its phrases matched word by word: the same entries, and terms that
/// snippets can mark in the text.
pub fn marking_query(
    store: &IndexStore,
    query: &str,
    scope: Scope,
) -> Result<Box<dyn Query>, IndexError> {
    UserQuery::new(store, query).marking(store, scope)
}

/// The user's query rewritten once (prefixes taken out, synonyms and compound parts added),
/// to be parsed for either scope and either way of matching phrases.
pub struct UserQuery {
    typed: String,
    rest: String,
    prefixes: Vec<String>,
}

impl UserQuery {
    pub fn new(store: &IndexStore, query: &str) -> UserQuery {
        let parsers = store.parsers();
        let (rest, prefixes) = split_prefixes(query);
        let groups = &store.config().synonyms.groups;
        let mut rest =
            expand_synonyms_with(&rest, &parsers.members, groups, |t| parsers.analyzed(t));
        if store.analysis().compounds.enabled {
            rest =
                expand_compounds_except(&rest, store.decompounder(), |w| parsers.known.contains(w));
        }
        UserQuery {
            typed: query.to_string(),
            rest,
            prefixes,
        }
    }

    /// See [`text_query`].
    pub fn text(&self, store: &IndexStore, scope: Scope) -> Result<Box<dyn Query>, IndexError> {
        build(store, self, scope, Phrases::Pairs)
    }

    /// See [`marking_query`].
    pub fn marking(&self, store: &IndexStore, scope: Scope) -> Result<Box<dyn Query>, IndexError> {
        build(store, self, scope, Phrases::Positions)
    }

    /// Whether [`marking`](Self::marking) can differ from [`text`](Self::text): only a phrase,
    /// typed or added by a synonym, is matched otherwise.
    pub fn has_phrase(&self) -> bool {
        self.rest.contains('"')
    }
}

fn build(
    store: &IndexStore,
    q: &UserQuery,
    scope: Scope,
    how: Phrases,
) -> Result<Box<dyn Query>, IndexError> {
    let f = store.fields();
    let parsers = store.parsers();
    let rest = if store.analysis().compounds.enabled {
        route_phrases(&q.rest, |phrase, slop| {
            parsers.fields_of_phrase(scope, how, phrase, slop)
        })
    } else {
        q.rest.clone()
    };
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for p in &q.prefixes {
        clauses.push((
            Occur::Must,
            prefix_query(f, p, scope, store.config().search.prefix_union_terms)?,
        ));
    }
    if !rest.trim().is_empty() {
        clauses.push((
            Occur::Must,
            parsers
                .parser(scope)
                .parse_query(&rest)
                .map_err(|e| invalid("query", format!("{:?} cannot be read: {e}", q.typed)))?,
        ));
    }
    Ok(match clauses.len() {
        0 => Box::new(ConstScoreQuery::new(
            Box::new(TermQuery::new(
                Term::from_field_text(f.kind, scope.kind()),
                IndexRecordOption::Basic,
            )),
            1.0,
        )),
        1 => clauses.remove(0).1,
        _ => Box::new(BooleanQuery::new(clauses)),
    })
}

/// The query parser over the text fields of `scope`, titles and headings boosted; with
/// compounds on, the `*_parts` fields too, weighed by `part_boost` under their whole-word
/// fields, and the `*_pairs` fields (for phrases only, not searched by default) as their
/// `*_parts` fields. When the index writes whole words twice in the `*_parts` fields
/// ([`CompoundSettings::whole_words_twice`](crate::compound::CompoundSettings)), those stand
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
        schema::query_tokenizers(analysis),
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

/// Rewrites every phrase of two words or more (`"a b"`, `"a b"~2`) to the same phrase in each
/// of the fields `fields(phrase, has_slop)` gives: a phrase in a long plan body is the costliest
/// part of a search, and matching it in a whole-word field beside its parts shadow doubles the
/// work for no match more. A phrase after `field:` and a query with an unclosed quote are left
/// as they are.
pub fn route_phrases<'f>(
    query: &str,
    mut fields: impl FnMut(&str, bool) -> &'f [String],
) -> String {
    let segments: Vec<&str> = query.split('"').collect();
    if segments.len().is_multiple_of(2) {
        return query.to_string();
    }
    let mut out = segments[0].to_string();
    for pair in segments[1..].chunks(2) {
        let [phrase, after] = pair else { break };
        let digits = after
            .strip_prefix('~')
            .map_or(0, |r| r.chars().take_while(char::is_ascii_digit).count());
        let (slop, rest) = after.split_at(if digits > 0 { digits + 1 } else { 0 });
        if phrase.split_whitespace().count() < 2 || out.ends_with(':') {
            out.push_str(&format!("\"{phrase}\"{after}"));
            continue;
        }
        let each: Vec<String> = fields(phrase, !slop.is_empty())
            .iter()
            .map(|f| format!("{f}:\"{phrase}\"{slop}"))
            .collect();
        out.push_str(&format!("({}){rest}", each.join(" OR ")));
    }
    out
}

/// Replaces every member of a synonym group found in the query (whole words, any case, outside
/// quotes) by `(member OR "other member" …)`.
pub fn expand_synonyms(query: &str, groups: &[Vec<String>]) -> String {
    expand_synonyms_by(query, groups, |t| t.to_lowercase())
}

/// [`expand_synonyms`], leaving out every member whose `key` (its analysed terms) is that of
/// the typed words or of a member already added: "barnahus" needs no "barnahuset", which is
/// searched by the same stem and would only add the same postings again.
pub fn expand_synonyms_by(
    query: &str,
    groups: &[Vec<String>],
    key: impl Fn(&str) -> String,
) -> String {
    expand_synonyms_with(query, &members_of(groups), groups, key)
}

/// [`expand_synonyms_by`] with the groups' members already split ([`members_of`]).
fn expand_synonyms_with(
    query: &str,
    members: &Members,
    groups: &[Vec<String>],
    key: impl Fn(&str) -> String,
) -> String {
    map_outside_quotes(query, |segment| {
        expand_segment(segment, members, groups, &key)
    })
}

/// The members of synonym groups as lowercase words, each with its group's index.
type Members = Vec<(Vec<String>, usize)>;

fn members_of(groups: &[Vec<String>]) -> Members {
    groups
        .iter()
        .enumerate()
        .flat_map(|(g, ms)| {
            ms.iter().map(move |m| {
                (
                    m.to_lowercase()
                        .split_whitespace()
                        .map(str::to_string)
                        .collect(),
                    g,
                )
            })
        })
        .collect()
}

/// Replaces every bare word of a query (outside quotes, letters only) that is a compound by
/// `(word OR (part part …))`, so "kvinnofridsarbete" also finds "arbete för kvinnofrid".
pub fn expand_compounds(query: &str, d: &Decompounder) -> String {
    expand_compounds_except(query, d, |_| false)
}

/// [`expand_compounds`], leaving the words `known` says are terms of their own (the members of
/// the synonym groups: "barnahus" is the name of a place, not "barn" and "hus" anywhere in a
/// plan).
pub fn expand_compounds_except(
    query: &str,
    d: &Decompounder,
    known: impl Fn(&str) -> bool,
) -> String {
    map_outside_quotes(query, |segment| {
        let words: Vec<String> = segment
            .split(' ')
            .map(|w| {
                let lower = w.to_lowercase();
                let parts = (lower.chars().all(char::is_alphabetic) && !known(&lower))
                    .then(|| d.split(&lower))
                    .flatten();
                match parts {
                    Some(p) => format!("({w} OR ({}))", p.join(" ")),
                    None => w.to_string(),
                }
            })
            .collect();
        words.join(" ")
    })
}

/// Applies `f` to the parts of a query outside double quotes (an unclosed quote runs to the
/// end) and keeps the quoted parts as they are.
fn map_outside_quotes(query: &str, f: impl Fn(&str) -> String) -> String {
    let segments: Vec<&str> = query.split('"').collect();
    let unclosed = segments.len().is_multiple_of(2);
    let mut out = Vec::new();
    for (i, segment) in segments.iter().enumerate() {
        if i % 2 == 1 {
            let close = if unclosed && i == segments.len() - 1 {
                ""
            } else {
                "\""
            };
            out.push(format!("\"{segment}{close}"));
            continue;
        }
        out.push(f(segment));
    }
    out.join("")
}

fn expand_segment(
    segment: &str,
    members: &[(Vec<String>, usize)],
    groups: &[Vec<String>],
    key: &impl Fn(&str) -> String,
) -> String {
    let words: Vec<&str> = segment.split_whitespace().collect();
    let lower: Vec<String> = words.iter().map(|w| w.to_lowercase()).collect();
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let hit = members
            .iter()
            .filter(|(m, _)| {
                !m.is_empty() && lower.get(i..i + m.len()).is_some_and(|w| w == m.as_slice())
            })
            .max_by_key(|(m, _)| m.len());
        match hit {
            Some((m, g)) => {
                // The words as typed (a plain AND, not a phrase), and every other member that
                // does not contain them all: a longer member with the same words ("hedersrelaterat
                // våld och förtryck" for "hedersrelaterat våld") finds nothing more and would
                // only cost a phrase match.
                let typed = words[i..i + m.len()].join(" ");
                let mut seen = vec![key(&typed)];
                let mut alts = vec![if m.len() > 1 {
                    format!("({typed})")
                } else {
                    typed
                }];
                for a in &groups[*g] {
                    let a_words: Vec<String> = a
                        .to_lowercase()
                        .split_whitespace()
                        .map(str::to_string)
                        .collect();
                    let k = key(a);
                    if m.iter().all(|w| a_words.contains(w)) || seen.contains(&k) {
                        continue;
                    }
                    seen.push(k);
                    alts.push(if a.contains(' ') {
                        format!("\"{a}\"")
                    } else {
                        a.clone()
                    });
                }
                out.push(format!("({})", alts.join(" OR ")));
                i += m.len();
            }
            None => {
                out.push(words[i].to_string());
                i += 1;
            }
        }
    }
    let lead = if segment.starts_with(char::is_whitespace) {
        " "
    } else {
        ""
    };
    let trail = if segment.ends_with(char::is_whitespace) && !out.is_empty() {
        " "
    } else {
        ""
    };
    format!("{lead}{}{trail}", out.join(" "))
}

/// Takes the bare `word*` terms (outside quotes, of letters and digits) out of a query.
fn split_prefixes(query: &str) -> (String, Vec<String>) {
    let mut rest = Vec::new();
    let mut prefixes = Vec::new();
    let mut in_quotes = false;
    for word in query.split_whitespace() {
        let quotes = word.matches('"').count();
        let bare = word.strip_suffix('*').filter(|w| {
            !in_quotes
                && quotes == 0
                && w.chars().count() >= 2
                && w.chars().all(char::is_alphanumeric)
        });
        match bare {
            Some(p) => prefixes.push(p.to_lowercase()),
            None => rest.push(word),
        }
        if quotes % 2 == 1 {
            in_quotes = !in_quotes;
        }
    }
    (rest.join(" "), prefixes)
}

/// Terms starting with `prefix` in the whole-word text fields of `scope` ([`PrefixQuery`]: the
/// union of the terms' postings when a segment has at most `union_terms` of them, else a
/// range of the term dictionary).
fn prefix_query(
    f: &Fields,
    prefix: &str,
    scope: Scope,
    union_terms: usize,
) -> Result<Box<dyn Query>, IndexError> {
    let any = f
        .text_fields(scope)
        .iter()
        .flat_map(|t| [t.sv, t.en])
        .map(|field| -> (Occur, Box<dyn Query>) {
            (
                Occur::Should,
                Box::new(PrefixQuery::new(field, prefix, union_terms)),
            )
        })
        .collect();
    Ok(Box::new(BooleanQuery::new(any)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn groups() -> Vec<Vec<String>> {
        vec![
            vec!["mvk".into(), "mäns våld mot kvinnor".into()],
            vec!["kvinnojour".into(), "kvinnofridsjour".into()],
        ]
    }

    #[test]
    fn phrases_move_to_the_parts_fields() {
        let fields = vec!["body_parts".to_string(), "body_en".to_string()];
        assert_eq!(
            route_phrases("\"våld i nära relationer\" stöd", |_, _| &fields),
            "(body_parts:\"våld i nära relationer\" OR body_en:\"våld i nära relationer\") stöd"
        );
        assert_eq!(
            route_phrases("a \"kvinnor barn\"~1^2", |_, _| &fields),
            "a (body_parts:\"kvinnor barn\"~1 OR body_en:\"kvinnor barn\"~1)^2"
        );
        // One word, a field of the user's, a quote left open: as typed.
        for q in ["\"våld\" b \"c d", "\"våld\"~2", "title:\"a b\"", "x \"a b"] {
            assert_eq!(route_phrases(q, |_, _| &fields), q);
        }
        // Text between two phrases stays outside.
        assert_eq!(
            route_phrases("\"a\" b \"c d\"", |_, _| &fields),
            "\"a\" b (body_parts:\"c d\" OR body_en:\"c d\")"
        );
    }

    #[test]
    fn inflections_of_the_typed_words_are_not_added_again() {
        let groups = vec![
            vec!["barnahus".into(), "barnahuset".into(), "barnahusen".into()],
            vec!["skyddat boende".into(), "skyddade boenden".into()],
            vec![
                "vnr".into(),
                "våld i nära relationer".into(),
                "våld i nära relation".into(),
            ],
        ];
        let sv = schema::swedish();
        let stems = |t: &str| {
            let mut a = sv.clone();
            let mut stream = a.token_stream(t);
            let mut out = Vec::new();
            while stream.advance() {
                out.push(stream.token().text.clone());
            }
            out.join(" ")
        };
        assert_eq!(
            expand_synonyms_by("barnahusen", &groups, stems),
            "(barnahusen)"
        );
        assert_eq!(
            expand_synonyms_by("skyddat boende i länet", &groups, stems),
            "((skyddat boende)) i länet"
        );
        assert_eq!(
            expand_synonyms_by("vnr", &groups, stems),
            "(vnr OR \"våld i nära relationer\")"
        );
        // Without analysis every spelling is a member of its own.
        assert_eq!(
            expand_synonyms("barnahus", &groups),
            "(barnahus OR barnahuset OR barnahusen)"
        );
    }

    #[test]
    fn a_known_term_is_not_split() {
        let d = Decompounder::new(
            std::sync::Arc::new(crate::compound::Lexicon::load().unwrap()),
            crate::test_support::compound_settings(),
        );
        assert_eq!(
            expand_compounds("barnahus riskbedömning", &d),
            "(barnahus OR (barn hus)) (riskbedömning OR (risk bedömning))"
        );
        assert_eq!(
            expand_compounds_except("barnahus riskbedömning", &d, |w| w == "barnahus"),
            "barnahus (riskbedömning OR (risk bedömning))"
        );
    }

    #[test]
    fn synonyms_expand_outside_quotes_only() {
        assert_eq!(
            expand_synonyms("MVK i länet", &groups()),
            "(MVK OR \"mäns våld mot kvinnor\") i länet"
        );
        assert_eq!(
            expand_synonyms("mäns våld mot kvinnor", &groups()),
            "((mäns våld mot kvinnor) OR mvk)"
        );
        assert_eq!(
            expand_synonyms("\"kvinnojour\" stöd", &groups()),
            "\"kvinnojour\" stöd"
        );
        assert_eq!(
            expand_synonyms("stöd kvinnojour", &groups()),
            "stöd (kvinnojour OR kvinnofridsjour)"
        );
        // A longer member with the same words adds nothing but a phrase match.
        let hrv = vec![vec![
            "hrv".to_string(),
            "hedersrelaterat våld och förtryck".to_string(),
            "hedersrelaterat våld".to_string(),
        ]];
        assert_eq!(
            expand_synonyms("hedersrelaterat våld", &hrv),
            "((hedersrelaterat våld) OR hrv)"
        );
        assert_eq!(
            expand_synonyms("utan synonymer", &groups()),
            "utan synonymer"
        );
    }
}
