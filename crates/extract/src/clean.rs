//! Text clean-up shared by all formats: Unicode normalisation, whitespace, de-hyphenation.

use unicode_normalization::UnicodeNormalization;

/// Normalises characters: NFKC (expands the ligatures U+FB00–FB06 that PDF fonts use, so
/// "ﬁnns" becomes "finns"), drops soft hyphens and control characters, turns no-break and
/// other spaces into plain spaces. Letters such as å ä ö are kept as they are (NFKC composes
/// them).
pub fn normalize_chars(s: &str) -> String {
    s.nfkc()
        .filter(|c| *c != '\u{00AD}' && *c != '\u{FEFF}' && *c != '\u{200B}')
        .map(|c| {
            if c.is_whitespace() && c != '\n' {
                ' '
            } else {
                c
            }
        })
        .filter(|c| *c == '\n' || !c.is_control())
        .collect()
}

/// Collapses runs of whitespace to one space and trims.
pub fn collapse_ws(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Words after which a trailing hyphen is a suspended compound ("hälso- och sjukvård"), not
/// a line-break hyphen.
const SUSPENDED: [&str; 6] = ["och", "eller", "samt", "till", "som", "respektive"];

/// Joins the wrapped lines of one paragraph with spaces, re-joining words hyphenated at a line
/// break ("förebygg-" + "ande" → "förebyggande") but keeping suspended compounds
/// ("kvinno-" + "och flickjourer" → "kvinno- och flickjourer").
pub fn join_lines<S: AsRef<str>>(lines: &[S]) -> String {
    let mut out = String::new();
    for line in lines {
        let line = collapse_ws(line.as_ref());
        if line.is_empty() {
            continue;
        }
        if out.is_empty() {
            out = line;
            continue;
        }
        if dehyphenate(&out, &line) {
            out.pop();
            out.push_str(&line);
        } else {
            out.push(' ');
            out.push_str(&line);
        }
    }
    out
}

fn dehyphenate(before: &str, next: &str) -> bool {
    let mut rev = before.chars().rev();
    let (Some('-'), Some(prev)) = (rev.next(), rev.next()) else {
        return false;
    };
    let next_word: String = next.chars().take_while(|c| c.is_alphabetic()).collect();
    let starts_lower = next.chars().next().is_some_and(|c| c.is_lowercase());
    prev.is_alphabetic() && starts_lower && !SUSPENDED.contains(&next_word.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ligatures_and_soft_hyphens_are_normalised_and_swedish_letters_kept() {
        assert_eq!(
            normalize_chars("ﬁnns ﬂickor eﬀektivisera"),
            "finns flickor effektivisera"
        );
        assert_eq!(
            normalize_chars("för\u{00AD}ebyggande\u{00A0}våld"),
            "förebyggande våld"
        );
        // Decomposed å (a + ring) becomes the single letter.
        assert_eq!(normalize_chars("va\u{030A}ld"), "våld");
        assert_eq!(normalize_chars("2021–2026 ”citat”"), "2021–2026 ”citat”");
    }

    #[test]
    fn hyphenated_line_breaks_are_joined_but_suspended_compounds_kept() {
        assert_eq!(
            join_lines(&["ett förebygg-", "ande arbete"]),
            "ett förebyggande arbete"
        );
        assert_eq!(
            join_lines(&["kvinno-", "och flickjourer"]),
            "kvinno- och flickjourer"
        );
        assert_eq!(
            join_lines(&["Region", "Jämtland Härjedalen"]),
            "Region Jämtland Härjedalen"
        );
        assert_eq!(
            join_lines(&["perioden 2022-", "2026"]),
            "perioden 2022- 2026"
        );
    }
}
