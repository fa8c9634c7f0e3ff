//! The user's query as a tantivy query: the grammar of tantivy's query parser over the text
//! fields of a scope, with synonyms, compound parts and prefixes added by rewriting
//! ([`rewrite`]) and parsed by the index's [`QueryParsers`] ([`parsers`]).
//!
//! A bare word matches its whole-word fields and, weighed less, the compound-part shadows
//! (`*_parts`); in an index whose shadows hold each whole word twice, the shadows alone (for
//! Swedish). A phrase of two words or more is matched in the parts shadows (whose matches
//! include the whole-word fields' ones), and in a long text (plan bodies, passage texts) as
//! word pairs in the `*_pairs` fields ([`crate::analysis::pairs`]), which reads the positions of
//! the phrase's pairs instead of those of each of its words. Snippets mark the words of a query
//! matched word by word ([`marking_query`]). Words ending in `*` are read by [`prefix`];
//! [`restrict`] limits a query to given entries.

pub(crate) mod dense;
pub(crate) mod like_this;
mod parsers;
pub(crate) mod prefix;
pub(crate) mod restrict;
pub mod rewrite;
mod soft;
pub(crate) mod word_union;

use tantivy::query::{BooleanQuery, ConstScoreQuery, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::Term;

use crate::error::invalid;
use crate::schema::{Fields, Scope};
use crate::IndexError;
pub(crate) use parsers::Phrases;
pub use parsers::QueryParsers;
use prefix::PrefixQuery;
use rewrite::{expand_compounds_except, expand_synonyms_with, route_phrases, split_prefixes};
use soft::SoftConjunction;

/// Parses the user's query over the fields of `scope` (those of documents or those of
/// passages). Those fields are the scope's own, so the query matches entries of `scope` only
/// and needs no kind filter beside it; an empty query matches every entry of `scope`. A query
/// the grammar cannot read is an [`IndexError::InvalidFilter`] named `query` that says what is
/// wrong. Words ending in `*` are prefixes matched against the indexed terms ("kvinno*" finds
/// "kvinnojourer").
pub fn text_query(
    parsers: &QueryParsers,
    query: &str,
    scope: Scope,
) -> Result<Box<dyn Query>, IndexError> {
    UserQuery::new(parsers, query).text(parsers, scope)
}

/// The same query with its phrases matched word by word: the same entries, and terms that
/// snippets can mark in the text.
pub fn marking_query(
    parsers: &QueryParsers,
    query: &str,
    scope: Scope,
) -> Result<Box<dyn Query>, IndexError> {
    UserQuery::new(parsers, query).marking(parsers, scope)
}

/// The user's query rewritten once (prefixes taken out, synonyms and compound parts added),
/// to be parsed for either scope and either way of matching phrases.
pub struct UserQuery {
    typed: String,
    rest: String,
    /// Whether a match needs every word (else the soft conjunction of `min_words_share`).
    every_word: bool,
    prefixes: Vec<String>,
    /// Prefixes the query excludes (`-kvinno*`, `NOT kvinno*`).
    excluded_prefixes: Vec<String>,
}

impl UserQuery {
    pub fn new(parsers: &QueryParsers, query: &str) -> UserQuery {
        let rewrite::Prefixes {
            rest,
            required: prefixes,
            excluded: excluded_prefixes,
        } = split_prefixes(query);
        let mut rest = expand_synonyms_with(&rest, &parsers.members, &parsers.groups, |t| {
            parsers.analyzed(t)
        });
        if let Some(d) = &parsers.decompounder {
            rest = expand_compounds_except(&rest, d, |w| parsers.known.contains(w));
        }
        UserQuery {
            typed: query.to_string(),
            every_word: rewrite::marks_required(&rest),
            rest,
            prefixes,
            excluded_prefixes,
        }
    }

    /// Reads the user's query for `scope`, with the query built: by the strict grammar when
    /// `strict`, else leniently: a query the grammar refuses is read again with its stray
    /// punctuation as spaces ([`rewrite::lenient`]), and at last as its words alone, so that
    /// what people type is never an error.
    pub fn read(
        parsers: &QueryParsers,
        query: &str,
        scope: Scope,
        strict: bool,
    ) -> Result<(UserQuery, Box<dyn Query>), IndexError> {
        Self::read_with(parsers, query, scope, strict, false)
    }

    /// [`read`](Self::read), with every word required when `every_word` (measures compare
    /// passages that hold all the words, not one of them).
    pub fn read_with(
        parsers: &QueryParsers,
        query: &str,
        scope: Scope,
        strict: bool,
        every_word: bool,
    ) -> Result<(UserQuery, Box<dyn Query>), IndexError> {
        let mut user = UserQuery::new(parsers, query);
        user.every_word |= every_word;
        let first = user.text(parsers, scope);
        if strict || first.is_ok() {
            return first.map(|q| (user, q));
        }
        let is_field = |f: &str| parsers.field_names.contains(f);
        for again in [
            rewrite::lenient(query, is_field),
            rewrite::words_only(query),
        ] {
            let mut user = UserQuery::new(parsers, &again);
            user.every_word |= every_word;
            if let Ok(q) = user.text(parsers, scope) {
                user.typed = query.to_string();
                return Ok((user, q));
            }
        }
        first.map(|q| (user, q))
    }

    /// See [`text_query`].
    pub fn text(&self, parsers: &QueryParsers, scope: Scope) -> Result<Box<dyn Query>, IndexError> {
        build(parsers, self, scope, Phrases::Pairs)
    }

    /// See [`marking_query`].
    pub fn marking(
        &self,
        parsers: &QueryParsers,
        scope: Scope,
    ) -> Result<Box<dyn Query>, IndexError> {
        build(parsers, self, scope, Phrases::Positions)
    }

    /// Whether [`marking`](Self::marking) can differ from [`text`](Self::text): only a phrase,
    /// typed or added by a synonym, is matched otherwise.
    pub fn has_phrase(&self) -> bool {
        self.rest.contains('"')
    }
}

fn build(
    parsers: &QueryParsers,
    q: &UserQuery,
    scope: Scope,
    how: Phrases,
) -> Result<Box<dyn Query>, IndexError> {
    let f = &parsers.fields;
    let rest = if parsers.decompounder.is_some() {
        route_phrases(&q.rest, |field, phrase, slop| match field {
            None => Some(parsers.fields_of_phrase(scope, how, phrase, slop)),
            Some(name) => parsers.fields_of_field_phrase(name, how, phrase, slop),
        })
    } else {
        q.rest.clone()
    };
    let rest = if parsers.searched_names.is_empty() {
        rest
    } else {
        rewrite::rename_fields(&rest, |name| {
            parsers.searched_names.get(name).map(String::as_str)
        })
    };
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for p in &q.prefixes {
        clauses.push((
            Occur::Must,
            prefix_query(f, p, scope, parsers.prefix_union_terms)?,
        ));
    }
    for p in &q.excluded_prefixes {
        clauses.push((
            Occur::MustNot,
            prefix_query(f, p, scope, parsers.prefix_union_terms)?,
        ));
    }
    if !rest.trim().is_empty() {
        let parsed = parse_rest(parsers, scope, &rest, &mut clauses)
            .map_err(|e| invalid("query", format!("{:?} cannot be read: {e}", q.typed)))?;
        let parsed = lift_exclusions(parsed);
        let parsed = if q.every_word {
            parsed
        } else {
            soften(parsers, parsed)
        };
        clauses.push((Occur::Must, parsed));
    }
    // Exclusions alone (of prefixes: `-kvinno*`) exclude from every entry of the scope.
    if !clauses.is_empty() && clauses.iter().all(|(o, _)| *o == Occur::MustNot) {
        clauses.push((Occur::Must, every_entry(f, scope)));
    }
    Ok(match clauses.len() {
        0 => every_entry(f, scope),
        1 => clauses.remove(0).1,
        _ => Box::new(BooleanQuery::new(clauses)),
    })
}

/// Every entry of `scope`, each scoring 1.
fn every_entry(f: &Fields, scope: Scope) -> Box<dyn Query> {
    Box::new(ConstScoreQuery::new(
        Box::new(TermQuery::new(
            Term::from_field_text(f.kind, scope.kind()),
            IndexRecordOption::Basic,
        )),
        1.0,
    ))
}

/// The grammar reads `a AND NOT b` as `+a +(-b)`: a required clause of exclusions alone,
/// which matches nothing. Such a clause's exclusions are lifted into the query that holds it
/// (`+a -b`), at every level.
fn lift_exclusions(query: Box<dyn Query>) -> Box<dyn Query> {
    if !holds_bare_exclusions(&*query) {
        return query;
    }
    let Some(b) = query.downcast_ref::<BooleanQuery>() else {
        return query;
    };
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for (occur, clause) in b.clauses() {
        if *occur == Occur::Must && only_exclusions(&**clause) {
            let inner = clause
                .downcast_ref::<BooleanQuery>()
                .expect("checked above");
            clauses.extend(inner.clauses().iter().map(|(o, q)| (*o, q.box_clone())));
        } else {
            clauses.push((*occur, lift_exclusions(clause.box_clone())));
        }
    }
    Box::new(BooleanQuery::with_minimum_required_clauses(
        clauses,
        b.get_minimum_number_should_match(),
    ))
}

/// Whether a boolean query is made of exclusions alone.
fn only_exclusions(q: &dyn Query) -> bool {
    q.downcast_ref::<BooleanQuery>().is_some_and(|b| {
        !b.clauses().is_empty() && b.clauses().iter().all(|(o, _)| *o == Occur::MustNot)
    })
}

/// Whether `q` holds, at any level, a required clause of exclusions alone.
fn holds_bare_exclusions(q: &dyn Query) -> bool {
    q.downcast_ref::<BooleanQuery>().is_some_and(|b| {
        b.clauses().iter().any(|(o, c)| {
            (*o == Occur::Must && only_exclusions(&**c)) || holds_bare_exclusions(&**c)
        })
    })
}

/// `rest` parsed by the grammar for `scope`. A query of excluded words alone (`NOT våld`,
/// `-barnahus`), which the grammar refuses, means the entries of `scope` without them: every
/// entry is added to `clauses` and the exclusions are read beside the grammar's `*`.
fn parse_rest(
    parsers: &QueryParsers,
    scope: Scope,
    rest: &str,
    clauses: &mut Vec<(Occur, Box<dyn Query>)>,
) -> Result<Box<dyn Query>, tantivy::query::QueryParserError> {
    use tantivy::query::QueryParserError;
    let parser = parsers.parser(scope);
    match parser.parse_query(rest) {
        Err(QueryParserError::AllButQueryForbidden) => {
            let excluded = parser.parse_query(&format!("* {rest}"))?;
            clauses.push((Occur::Must, every_entry(&parsers.fields, scope)));
            Ok(excluded)
        }
        other => other,
    }
}

/// The soft conjunction of a query of required words (`a b c` as the grammar reads it: each
/// word, or synonym group, a required clause): a match needs `min_words_share` of them, and a
/// match with all of them gets its all-words score times `all_words_boost` on top, so it ranks
/// above those missing a word. Any other query (one word, `OR`, `+`/`-`, `NOT`) is left as it is.
fn soften(parsers: &QueryParsers, parsed: Box<dyn Query>) -> Box<dyn Query> {
    let share = parsers.min_words_share;
    let Some(all) = parsed.downcast_ref::<BooleanQuery>() else {
        return parsed;
    };
    let words = all.clauses();
    if share >= 1.0 || words.len() < 2 || words.iter().any(|(o, _)| *o != Occur::Must) {
        return parsed;
    }
    let need = ((words.len() as f32 * share.max(0.0)).ceil() as usize).clamp(1, words.len());
    let words: Vec<Box<dyn Query>> = words.iter().map(|(_, q)| q.box_clone()).collect();
    // The words' sum, plus all_words_boost times it for an entry with every word.
    Box::new(SoftConjunction::new(
        words,
        need,
        1.0 + parsers.all_words_boost.max(0.0),
    ))
}

/// The explanation of a query of our own: its score of `doc` alone, or an error when `doc`
/// does not match (`scorer` is the query's scorer of `doc`'s segment).
fn explain_score(
    name: &'static str,
    mut scorer: Box<dyn tantivy::query::Scorer>,
    doc: tantivy::DocId,
) -> tantivy::Result<tantivy::query::Explanation> {
    use tantivy::DocSet;
    if scorer.seek(doc) != doc {
        return Err(tantivy::TantivyError::InvalidArgument(format!(
            "document {doc} does not match"
        )));
    }
    Ok(tantivy::query::Explanation::new(name, scorer.score()))
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
        .flat_map(|t| [f.searched(t.sv), t.en])
        .map(|field| -> (Occur, Box<dyn Query>) {
            (
                Occur::Should,
                Box::new(PrefixQuery::new(field, prefix, union_terms)),
            )
        })
        .collect();
    Ok(Box::new(BooleanQuery::new(any)))
}

/// Entries of one kind (documents or passages), as a filter that adds nothing to the score.
pub(crate) fn kind_query(f: &Fields, kind: &str) -> Box<dyn Query> {
    crate::facet::filters::unscored(Box::new(TermQuery::new(
        Term::from_field_text(f.kind, kind),
        IndexRecordOption::Basic,
    )))
}

/// Entries that match every one of `qs`, scored by the sum of their scores: their conjunction,
/// or the one query itself. A conjunction of one clause scores as its clause, but walks it
/// through its own scorer match by match, where a union of a word's fields alone is walked by
/// tantivy's specialised loop (a one-word `/api/measures` about 30 % faster).
pub(crate) fn all_of(mut qs: Vec<Box<dyn Query>>) -> Box<dyn Query> {
    if qs.len() == 1 {
        return qs.remove(0);
    }
    Box::new(BooleanQuery::new(
        qs.into_iter().map(|q| (Occur::Must, q)).collect(),
    ))
}
