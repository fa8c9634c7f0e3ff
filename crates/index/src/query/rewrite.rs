//! The user's query rewritten as text before it is parsed: synonyms expanded
//! ([`expand_synonyms`]), compounds split ([`expand_compounds`]), phrases routed to the fields
//! that match them cheapest ([`route_phrases`]), `word*` prefixes taken out ([`split_prefixes`]).
//! Pure string functions, tested and fuzzed alone.

use crate::analysis::compound::Decompounder;

/// Rewrites every phrase of two words or more (`"a b"`, `"a b"~2`) to the same phrase in each
/// of the fields `fields(phrase, has_slop)` gives: a phrase in a long plan body is the costliest
/// part of a search, and matching it in a whole-word field beside its parts shadow doubles the
/// work for no match more. A phrase after `field:` and a query with an unclosed quote are left
/// as they are.
pub fn route_phrases<'f>(
    query: &str,
    mut fields: impl FnMut(Option<&str>, &str, bool) -> Option<&'f [String]>,
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
        let field = field_before(&out);
        let routed = (phrase.split_whitespace().count() >= 2)
            .then(|| fields(field, phrase, !slop.is_empty()))
            .flatten();
        let Some(routed) = routed else {
            out.push_str(&format!("\"{phrase}\"{after}"));
            continue;
        };
        if let Some(name) = field {
            out.truncate(out.len() - name.len() - 1);
        }
        let each: Vec<String> = routed
            .iter()
            .map(|f| format!("{f}:\"{phrase}\"{slop}"))
            .collect();
        out.push_str(&format!("({}){rest}", each.join(" OR ")));
    }
    out
}

/// The field name typed right before the `:` that ends `text` (`body` of `… body:`), if any.
fn field_before(text: &str) -> Option<&str> {
    let head = text.strip_suffix(':')?;
    let start = head
        .rfind(|c: char| !(c.is_alphanumeric() || c == '_'))
        .map_or(0, |i| i + 1);
    Some(&head[start..])
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
pub(super) fn expand_synonyms_with(
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
pub(super) type Members = Vec<(Vec<String>, usize)>;

pub(super) fn members_of(groups: &[Vec<String>]) -> Members {
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

/// The words of a query (split at whitespace), each with whether it stands inside double
/// quotes: the grammar's operators (`-`, `+`, `NOT`, `AND`, `word*`) count only outside them.
fn words_and_quoting(query: &str) -> impl Iterator<Item = (&str, bool)> {
    let mut in_quotes = false;
    query.split_whitespace().map(move |word| {
        let inside = in_quotes;
        if word.matches('"').count() % 2 == 1 {
            in_quotes = !in_quotes;
        }
        (word, inside)
    })
}

/// The bare `word*` terms (outside quotes, of letters and digits) taken out of a query: the
/// rest, the prefixes it requires, and those it excludes (`-word*`, `NOT word*`).
pub(super) struct Prefixes {
    pub rest: String,
    pub required: Vec<String>,
    pub excluded: Vec<String>,
}

/// Takes the bare `word*` terms (outside quotes, of letters and digits) out of a query.
pub(super) fn split_prefixes(query: &str) -> Prefixes {
    let mut rest: Vec<&str> = Vec::new();
    let mut out = Prefixes {
        rest: String::new(),
        required: Vec::new(),
        excluded: Vec::new(),
    };
    for (word, inside) in words_and_quoting(query) {
        let (minus, body) = match word.strip_prefix('-') {
            Some(body) if !inside => (true, body),
            _ => (false, word),
        };
        let bare = body.strip_suffix('*').filter(|w| {
            !inside
                && !word.contains('"')
                && w.chars().count() >= 2
                && w.chars().all(char::is_alphanumeric)
        });
        match bare {
            Some(p) => {
                let after_not = rest.last() == Some(&"NOT");
                if after_not {
                    rest.pop();
                }
                if minus || after_not {
                    out.excluded.push(p.to_lowercase());
                } else {
                    out.required.push(p.to_lowercase());
                }
            }
            None => rest.push(word),
        }
    }
    out.rest = rest.join(" ");
    out
}

/// The query without the words it excludes (`-word`, `NOT word`, outside quotes): what it
/// asks for, to read places and goal areas from.
pub fn without_exclusions(query: &str) -> String {
    let mut kept: Vec<&str> = Vec::new();
    let mut skip_next = false;
    for (word, inside) in words_and_quoting(query) {
        let excluded = !inside && (skip_next || (word.starts_with('-') && word.len() > 1));
        skip_next = !inside && word == "NOT";
        if !excluded && !skip_next {
            kept.push(word);
        }
    }
    kept.join(" ")
}

/// Whether the query marks words as required in the grammar's own way: an `AND` between words
/// or a `+` before one (outside phrases). The grammar reads plain words as required too, so
/// only the typed text tells them apart: such a query needs every word, not a share of them.
pub fn marks_required(query: &str) -> bool {
    words_and_quoting(query)
        .any(|(word, inside)| !inside && (word == "AND" || word.starts_with('+')))
}

/// A query as people type it, made readable by the strict grammar: a `:` after a word that is
/// not a field name is a space ("relationer: handlingsplan"), a quote left open is dropped, and
/// characters the grammar gives a meaning but a user rarely means (`? ! ( ) [ ] { } ^ ~ \ / < >
/// = ; ,` and `'`) are spaces. Words, phrases, `+`/`-`, `AND`/`OR`/`NOT`, `field:` and `word*`
/// stay as typed.
pub fn lenient(query: &str, is_field: impl Fn(&str) -> bool) -> String {
    let mut out = String::with_capacity(query.len());
    for (i, word) in query.split_whitespace().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let word = match word.split_once(':') {
            Some((field, _)) if is_field(field) => word.to_string(),
            _ => word.replace(':', " "),
        };
        out.extend(word.chars().map(|c| match c {
            '?' | '!' | '(' | ')' | '[' | ']' | '{' | '}' | '^' | '~' | '\\' | '/' | '<' | '>'
            | '=' | ';' | ',' | '\'' | '`' => ' ',
            c => c,
        }));
    }
    if out.matches('"').count() % 2 == 1 {
        if let Some(last) = out.rfind('"') {
            out.replace_range(last..last + 1, " ");
        }
    }
    out
}

/// Replaces each field name typed before `:` outside quotes (`body:våld`, `(body:a OR b)`)
/// by the name `searched` gives for it, if any: a field that is only stored is searched in
/// another. Names inside quotes and words that only end in a field's name stay as typed.
pub fn rename_fields<'n>(query: &str, searched: impl Fn(&str) -> Option<&'n str>) -> String {
    let mut out = String::with_capacity(query.len() + 16);
    let mut quoted = false;
    for c in query.chars() {
        quoted ^= c == '"';
        out.push(c);
        if c != ':' || quoted {
            continue;
        }
        let renamed = field_before(&out).and_then(|name| Some((name.len(), searched(name)?)));
        if let Some((typed, to)) = renamed {
            out.truncate(out.len() - typed - 1);
            out.push_str(to);
            out.push(':');
        }
    }
    out
}

/// The query's words alone (letters, digits and `*`): the last resort of a lenient reading.
pub fn words_only(query: &str) -> String {
    query
        .split(|c: char| !(c.is_alphanumeric() || c == '*'))
        .filter(|w| !w.is_empty() && !matches!(*w, "AND" | "OR" | "NOT"))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excluded_words_and_prefixes_are_told_apart_from_asked_ones() {
        assert_eq!(without_exclusions("NOT kalmar våld"), "våld");
        assert_eq!(without_exclusions("våld -kalmar skåne"), "våld skåne");
        assert_eq!(without_exclusions("\"mäns -våld\" NOT"), "\"mäns -våld\"");
        let p = split_prefixes("barn* NOT kvinno* -jour* våld");
        assert_eq!(p.rest, "våld");
        assert_eq!(p.required, ["barn"]);
        assert_eq!(p.excluded, ["kvinno", "jour"]);
    }

    #[test]
    fn a_stored_only_field_typed_before_a_colon_is_searched_in_its_shadow() {
        let shadow = |name: &str| (name == "body").then_some("body_parts");
        assert_eq!(rename_fields("body:våld", shadow), "body_parts:våld");
        assert_eq!(
            rename_fields("(body:våld OR title:stöd) -body:\"x\"", shadow),
            "(body_parts:våld OR title:stöd) -body_parts:\"x\""
        );
        // Inside quotes, in another word, or without a colon: as typed.
        assert_eq!(
            rename_fields("\"body:våld\" nobody:x body", shadow),
            "\"body:våld\" nobody:x body"
        );
        assert_eq!(rename_fields("kvinnofrid:å", shadow), "kvinnofrid:å");
    }

    fn groups() -> Vec<Vec<String>> {
        vec![
            vec!["mvk".into(), "mäns våld mot kvinnor".into()],
            vec!["kvinnojour".into(), "kvinnofridsjour".into()],
        ]
    }

    #[test]
    fn a_lenient_query_keeps_fields_and_drops_what_the_grammar_would_refuse() {
        let field = |f: &str| f == "title";
        assert_eq!(
            lenient("våld i nära relationer: handlingsplan", field),
            "våld i nära relationer  handlingsplan"
        );
        assert_eq!(
            lenient("title:våld hedersvåld?", field),
            "title:våld hedersvåld "
        );
        assert_eq!(lenient("\"skyddat boende", field), " skyddat boende");
        assert_eq!(lenient("\"a b\" -c +d e*", field), "\"a b\" -c +d e*");
        assert_eq!(
            lenient("vad gör länen (för) våldsutövare?", field),
            "vad gör länen  för  våldsutövare "
        );
        assert_eq!(words_only("a:b \"c OR d"), "a b c d");
    }

    #[test]
    fn phrases_move_to_the_parts_fields() {
        let fields = ["body_parts".to_string(), "body_en".to_string()];
        // Phrases without a field go to `fields`; of the fields typed, `body` has shadows and
        // `title` keeps its phrases.
        let route = |field: Option<&str>, _: &str, _: bool| match field {
            None | Some("body") => Some(&fields[..]),
            Some(_) => None,
        };
        assert_eq!(
            route_phrases("\"våld i nära relationer\" stöd", route),
            "(body_parts:\"våld i nära relationer\" OR body_en:\"våld i nära relationer\") stöd"
        );
        assert_eq!(
            route_phrases("a \"kvinnor barn\"~1^2", route),
            "a (body_parts:\"kvinnor barn\"~1 OR body_en:\"kvinnor barn\"~1)^2"
        );
        // One word, a field that keeps its phrases, a quote left open: as typed.
        for q in ["\"våld\" b \"c d", "\"våld\"~2", "title:\"a b\"", "x \"a b"] {
            assert_eq!(route_phrases(q, route), q);
        }
        // A typed field with shadows: the phrase goes to them, the field name goes.
        assert_eq!(
            route_phrases("x body:\"a b\"", route),
            "x (body_parts:\"a b\" OR body_en:\"a b\")"
        );
        // Text between two phrases stays outside.
        assert_eq!(
            route_phrases("\"a\" b \"c d\"", route),
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
        let sv = crate::analysis::analyzers::swedish();
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
            std::sync::Arc::new(crate::analysis::compound::Lexicon::load().unwrap()),
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
