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

mod parsers;
pub(crate) mod prefix;
pub(crate) mod restrict;
pub mod rewrite;

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
    prefixes: Vec<String>,
}

impl UserQuery {
    pub fn new(parsers: &QueryParsers, query: &str) -> UserQuery {
        let (rest, prefixes) = split_prefixes(query);
        let mut rest = expand_synonyms_with(&rest, &parsers.members, &parsers.groups, |t| {
            parsers.analyzed(t)
        });
        if let Some(d) = &parsers.decompounder {
            rest = expand_compounds_except(&rest, d, |w| parsers.known.contains(w));
        }
        UserQuery {
            typed: query.to_string(),
            rest,
            prefixes,
        }
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
            prefix_query(f, p, scope, parsers.prefix_union_terms)?,
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

/// Entries of one kind (documents or passages), as a filter that adds nothing to the score.
pub(crate) fn kind_query(f: &Fields, kind: &str) -> Box<dyn Query> {
    crate::facet::filters::unscored(Box::new(TermQuery::new(
        Term::from_field_text(f.kind, kind),
        IndexRecordOption::Basic,
    )))
}
