//! Snippets: the best fragment of a passage with the terms of a query marked.
//!
//! The fragments, the choice among them and the HTML are those of tantivy's
//! `SnippetGenerator` (fragments of at most `max_chars` bytes cut at tokens, each scored by the
//! weights of the terms it holds; the best one, the earliest among equals; its terms marked and
//! the rest escaped), but the Swedish text is tokenized through the word memo
//! ([`crate::analysis::word_memo`]) without copying a token, and a token is lowercased only when it is not
//! lowercase already. A snippet is made for every hit of a search, so this is on the path of
//! every search. [`Snippets`] holds the makers of one search (Swedish and English);
//! [`passage_snippet`] and [`head`] give a passage's snippet, marked or not.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::ops::Range;

use rustc_hash::FxHashMap;
use tantivy::snippet::collapse_overlapped_ranges;
use tantivy::tokenizer::{TextAnalyzer, TokenStream};

use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{Searcher, Term};

use crate::analysis::word_memo::MemoAnalyzer;
use crate::searcher::SearchIndex;
use crate::IndexError;

/// How a snippet's text is tokenized: as its field is indexed.
#[derive(Clone)]
pub(crate) enum Marker {
    /// Word by word through the memo (the Swedish analyzer with compound parts).
    Memo(MemoAnalyzer),
    /// Through the field's own analyzer.
    Plain(TextAnalyzer),
}

/// Makes the snippets of one query in one field.
pub(crate) struct SnippetMaker {
    /// Each term's weight, by its text.
    terms: FxHashMap<String, f32>,
    marker: Marker,
    max_chars: usize,
}

/// A run of tokens of at most `max_chars` bytes that holds a term.
#[derive(Debug)]
struct Fragment {
    score: f32,
    start: usize,
    stop: usize,
    /// The byte ranges of the terms in it.
    marked: Vec<Range<usize>>,
}

impl Fragment {
    fn at(start: usize) -> Fragment {
        Fragment {
            score: 0.0,
            start,
            stop: start,
            marked: Vec::new(),
        }
    }
}

impl SnippetMaker {
    pub(crate) fn new(terms: BTreeMap<String, f32>, marker: Marker, max_chars: usize) -> Self {
        SnippetMaker {
            terms: terms.into_iter().collect(),
            marker,
            max_chars,
        }
    }

    /// The best fragment of `text` as HTML, its terms in `<mark>`; `None` when `text` holds
    /// none of the terms.
    pub(crate) fn html(&self, text: &str) -> Option<String> {
        let fragments = self.fragments(text);
        let best = fragments.iter().max_by(|a, b| {
            match a.score.partial_cmp(&b.score).unwrap_or(Ordering::Equal) {
                Ordering::Equal => (b.start, b.stop).cmp(&(a.start, a.stop)),
                other => other,
            }
        })?;
        Some(html_of(text, best))
    }

    fn fragments(&self, text: &str) -> Vec<Fragment> {
        let mut out = Vec::new();
        let mut fragment = Fragment::at(0);
        let mut add = |token: &str, from: usize, to: usize| {
            if to.wrapping_sub(fragment.start) > self.max_chars {
                let full = std::mem::replace(&mut fragment, Fragment::at(from));
                if full.score > 0.0 {
                    out.push(full);
                }
            }
            fragment.stop = to;
            if let Some(weight) = self.weight_of(token) {
                fragment.score += weight;
                fragment.marked.push(from..to);
            }
        };
        match &self.marker {
            Marker::Memo(memo) => memo.clone().for_each_token(text, |t, word, _| {
                add(&t.text, word + t.offset_from, word + t.offset_to)
            }),
            Marker::Plain(analyzer) => {
                let mut analyzer = analyzer.clone();
                let mut stream = analyzer.token_stream(text);
                while let Some(t) = stream.next() {
                    add(&t.text, t.offset_from, t.offset_to);
                }
            }
        }
        if fragment.score > 0.0 {
            out.push(fragment);
        }
        out
    }

    /// The weight of `token` as a term (compared lowercased), if it is one.
    fn weight_of(&self, token: &str) -> Option<f32> {
        if is_lowercase(token) {
            self.terms.get(token).copied()
        } else {
            self.terms.get(&token.to_lowercase()).copied()
        }
    }
}

/// Whether lowercasing leaves `s` as it is.
fn is_lowercase(s: &str) -> bool {
    if s.is_ascii() {
        return !s.bytes().any(|b| b.is_ascii_uppercase());
    }
    // A lowercase character lowercases to itself; any other is asked.
    s.chars().all(|c| {
        c.is_lowercase() || {
            let mut lower = c.to_lowercase();
            lower.next() == Some(c) && lower.next().is_none()
        }
    })
}

/// The fragment's text, escaped, with its terms in `<mark>`.
fn html_of(text: &str, f: &Fragment) -> String {
    let fragment = &text[f.start..f.stop];
    let marked: Vec<Range<usize>> = f
        .marked
        .iter()
        .map(|r| r.start.saturating_sub(f.start)..r.end.saturating_sub(f.start))
        .collect();
    let mut html = String::with_capacity(fragment.len() + 32);
    let mut from = 0;
    for r in collapse_overlapped_ranges(&marked) {
        push_escaped(&mut html, &fragment[from..r.start]);
        html.push_str("<mark>");
        push_escaped(&mut html, &fragment[r.clone()]);
        html.push_str("</mark>");
        from = r.end;
    }
    push_escaped(&mut html, &fragment[from..]);
    html
}

/// Appends `s` with the characters HTML gives a meaning escaped (those of tantivy's snippets,
/// `htmlescape::encode_minimal`: `"`, `&`, `'`, `<`, `>`).
fn push_escaped(out: &mut String, s: &str) {
    let mut done = 0;
    for (i, b) in s.bytes().enumerate() {
        let entity = match b {
            b'"' => "&quot;",
            b'&' => "&amp;",
            b'\'' => "&#x27;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            _ => continue,
        };
        out.push_str(&s[done..i]);
        out.push_str(entity);
        done = i + 1;
    }
    out.push_str(&s[done..]);
}

/// Snippet makers, made once per search and field.
pub(crate) struct Snippets {
    sv: SnippetMaker,
    en: SnippetMaker,
}

impl Snippets {
    pub(crate) fn new(
        index: &SearchIndex,
        searcher: &Searcher,
        text: &dyn Query,
    ) -> Result<Self, IndexError> {
        let f = index.fields();
        let sv = snippet_maker(index, searcher, text, swedish_snippet_field(index))?;
        let en = snippet_maker(index, searcher, text, f.text_en)?;
        Ok(Snippets { sv, en })
    }

    /// The maker for a text in `lang`.
    pub(crate) fn of(&self, lang: &str) -> &SnippetMaker {
        if lang == "en" {
            &self.en
        } else {
            &self.sv
        }
    }
}

/// A query for the passages holding any of the terms `marking` marks in snippets (in the
/// Swedish snippet field or the English text), scored by BM25; `None` without such terms.
pub(crate) fn any_marked_term(index: &SearchIndex, marking: &dyn Query) -> Option<Box<dyn Query>> {
    let fields = [swedish_snippet_field(index), index.fields().text_en];
    let clauses: Vec<(Occur, Box<dyn Query>)> = terms_in(marking, &fields)
        .into_iter()
        .map(|t| -> (Occur, Box<dyn Query>) {
            let q = TermQuery::new(t, IndexRecordOption::WithFreqs);
            (Occur::Should, Box::new(q))
        })
        .collect();
    (!clauses.is_empty()).then(|| Box::new(BooleanQuery::new(clauses)) as Box<dyn Query>)
}

/// The distinct terms of `query` in one of `fields`, in order.
fn terms_in(query: &dyn Query, fields: &[Field]) -> std::collections::BTreeSet<Term> {
    let mut terms = std::collections::BTreeSet::new();
    query.query_terms(&mut |term, _| {
        if fields.contains(&term.field()) {
            terms.insert(term.clone());
        }
    });
    terms
}

/// A snippet maker of the terms of `query` in `field` (weighed as tantivy's own snippets:
/// `1 / (1 + doc_freq)`), tokenizing a text as `field` is indexed, except that a `*_parts` field's
/// text is tokenized with each word once, through the word memo ([`crate::analysis::analyzers::mark_analyzer`]).
pub(crate) fn snippet_maker(
    index: &SearchIndex,
    searcher: &Searcher,
    query: &dyn Query,
    field: Field,
) -> Result<SnippetMaker, IndexError> {
    let mut weighed = std::collections::BTreeMap::new();
    for term in terms_in(query, &[field]) {
        let Some(text) = term.value().as_str().map(str::to_string) else {
            continue;
        };
        let df = searcher.doc_freq(&term)?;
        if df > 0 {
            weighed.insert(text, 1.0 / (1.0 + df as f32));
        }
    }
    let marker = if field == index.fields().text_parts {
        Marker::Memo(index.marker().clone())
    } else {
        Marker::Plain(searcher.index().tokenizer_for_field(field)?)
    };
    Ok(SnippetMaker::new(
        weighed,
        marker,
        index.config().search.snippet_chars,
    ))
}

/// The field whose analyzer marks Swedish snippets: with compounds on, the parts field, so
/// "våld" marks "våldsutsatta".
pub(crate) fn swedish_snippet_field(index: &SearchIndex) -> Field {
    let f = index.fields();
    if index.analysis().compounds.enabled {
        f.text_parts
    } else {
        f.text
    }
}

/// The snippet of a passage that stands under `heading`: of its text, or, when only the
/// heading holds a word to mark (a short passage matched by the heading it stands under), of
/// the heading and the text, so that a reader sees why it matched; without either, the text's
/// first `chars` characters ([`head`]).
pub(crate) fn passage_snippet(
    chars: usize,
    maker: &SnippetMaker,
    text: &str,
    heading: Option<&str>,
) -> String {
    let text = collapsed(text);
    if let Some(s) = maker.html(&text) {
        return s;
    }
    heading
        .and_then(|h| maker.html(&format!("{} – {text}", collapsed(h))))
        .unwrap_or_else(|| head(chars, &text))
}

/// `text` with each run of whitespace as one space, and none at either end.
fn collapsed(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The first `chars` characters of `text` (whitespace runs as one space), escaped, with " …"
/// when there is more; reads no further into `text` than it needs.
pub(crate) fn head(chars: usize, text: &str) -> String {
    let mut collapsed = text
        .split_whitespace()
        .flat_map(|w| std::iter::once(' ').chain(w.chars()))
        .skip(1);
    let out: String = collapsed.by_ref().take(chars).collect();
    let more = if collapsed.next().is_some() {
        " …"
    } else {
        ""
    };
    let mut html = String::with_capacity(out.len() + more.len());
    push_escaped(&mut html, &out);
    html + more
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::analyzers::english;
    use crate::test_support::{sample_texts, swedish_parts_once};
    use tantivy::snippet::SnippetGenerator;

    fn swedish() -> TextAnalyzer {
        swedish_parts_once()
    }

    /// The sample corpus's lines and runs of ten lines (longer than a fragment), whitespace
    /// collapsed (as search does), and one of their own.
    fn passages() -> Vec<String> {
        let mut out = Vec::new();
        for text in sample_texts() {
            let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
            let runs = lines.chunks(10).map(<[_]>::to_vec);
            for p in lines.iter().map(|l| vec![*l]).chain(runs) {
                out.push(collapsed(&p.join(" ")));
            }
        }
        out.push("Våld & \"hot\" <mot> KVINNOR: våldsutsatta kvinnors skydd".to_string());
        out.push(String::new());
        out
    }

    /// What tantivy's generator gives for the same terms and tokenization.
    fn tantivy_html(terms: &BTreeMap<String, f32>, a: TextAnalyzer, text: &str) -> Option<String> {
        let field = tantivy::schema::Field::from_field_id(0);
        let generator = SnippetGenerator::new(terms.clone(), a, field, 150);
        let mut snip = generator.snippet(text);
        snip.set_snippet_prefix_postfix("<mark>", "</mark>");
        (!snip.is_empty()).then(|| snip.to_html())
    }

    fn terms(words: &[(&str, f32)]) -> BTreeMap<String, f32> {
        words.iter().map(|(w, s)| (w.to_string(), *s)).collect()
    }

    #[test]
    fn snippets_equal_tantivys_over_the_sample_corpus() {
        let texts = passages();
        assert!(
            texts.len() > 100,
            "the sample corpus is read: {}",
            texts.len()
        );
        let sets = [
            terms(&[("våld", 0.5)]),
            terms(&[("kvinn", 0.2), ("skydd", 0.3)]),
            terms(&[("våld", 0.1), ("relation", 0.1), ("när", 0.1)]),
            terms(&[("barn", 0.4), ("plan", 0.01), ("hot", 0.3)]),
            terms(&[("inget", 1.0)]),
        ];
        let (sv, en) = (swedish(), english());
        let mut marked = 0;
        for set in &sets {
            let memo =
                SnippetMaker::new(set.clone(), Marker::Memo(MemoAnalyzer::new(swedish())), 150);
            let plain = SnippetMaker::new(set.clone(), Marker::Plain(english()), 150);
            for text in &texts {
                let got = memo.html(text);
                assert_eq!(got, tantivy_html(set, sv.clone(), text), "{text}");
                assert_eq!(plain.html(text), tantivy_html(set, en.clone(), text));
                marked += usize::from(got.is_some_and(|h| h.contains("<mark>")));
            }
        }
        assert!(marked > 100, "terms are marked in many passages: {marked}");
    }

    #[test]
    fn a_snippet_marks_the_terms_and_escapes_the_rest() {
        let maker = SnippetMaker::new(
            terms(&[("våld", 1.0)]),
            Marker::Memo(MemoAnalyzer::new(swedish())),
            150,
        );
        let html = maker.html("Mäns VÅLD & <hot> mot kvinnor").unwrap();
        assert_eq!(html, "Mäns <mark>VÅLD</mark> &amp; &lt;hot&gt; mot kvinnor");
        assert_eq!(maker.html("Inget av orden här"), None);
        // An analyzer that keeps the case: tokens are compared lowercased, as tantivy does.
        let cased = TextAnalyzer::from(tantivy::tokenizer::SimpleTokenizer::default());
        let maker = SnippetMaker::new(terms(&[("våld", 1.0)]), Marker::Plain(cased.clone()), 150);
        let text = "Mäns VÅLD och Våld mot kvinnor";
        let want = tantivy_html(&terms(&[("våld", 1.0)]), cased, text);
        assert_eq!(maker.html(text), want);
        assert_eq!(
            want.as_deref(),
            Some("Mäns <mark>VÅLD</mark> och <mark>Våld</mark> mot kvinnor")
        );
    }

    #[test]
    fn lowercase_is_told_exactly() {
        for (s, lower) in [
            ("våld", true),
            ("Våld", false),
            ("ÅÄÖ", false),
            ("abc123", true),
            ("ǅ", false),
            ("", true),
        ] {
            assert_eq!(is_lowercase(s), lower, "{s}");
            assert_eq!(is_lowercase(s), s.to_lowercase() == s, "{s}");
        }
        // Every character of Unicode, alone and after a lowercase letter.
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            let one = c.to_string();
            assert_eq!(is_lowercase(&one), one.to_lowercase() == one, "{c:?}");
            let two = format!("ö{c}");
            assert_eq!(is_lowercase(&two), two.to_lowercase() == two, "{c:?}");
        }
    }

    #[test]
    fn escaping_is_htmlescapes() {
        for s in ["", "a", "<mark> & \"x\" 'y' ö>", "&&", "åäö<"] {
            let mut out = String::new();
            push_escaped(&mut out, s);
            assert_eq!(out, htmlescape::encode_minimal(s), "{s}");
        }
    }
}

#[cfg(test)]
mod head_tests {
    use super::head;

    #[test]
    fn a_head_is_the_first_characters_with_whitespace_as_one_space_and_escaped() {
        assert_eq!(head(5, "  a  b\n\tc d e"), "a b c …");
        assert_eq!(head(5, "a b c"), "a b c");
        assert_eq!(head(3, "åäö<b>"), "åäö …");
        assert_eq!(head(10, "x <b> & y"), "x &lt;b&gt; &amp; y");
        assert_eq!(head(4, ""), "");
    }
}
