//! Word-level matching: lowercase tokens and keyword prefixes.

/// Lowercased alphanumeric words of `text`.
pub fn tokens(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// A keyword of one or more words; each keyword word matches a token that starts with it.
#[derive(Debug, Clone)]
pub struct Keyword {
    parts: Vec<String>,
}

impl Keyword {
    pub fn new(text: &str) -> Self {
        Keyword {
            parts: tokens(text),
        }
    }

    /// How many times the keyword occurs in `toks`.
    pub fn count(&self, toks: &[String]) -> usize {
        let n = self.parts.len();
        if n == 0 || toks.len() < n {
            return 0;
        }
        (0..=toks.len() - n)
            .filter(|&i| {
                self.parts
                    .iter()
                    .zip(&toks[i..i + n])
                    .all(|(p, t)| t.starts_with(p.as_str()))
            })
            .count()
    }
}

/// Positions where `needle` starts a word of `hay` (a prefix match: "våldsutsatt" at the start
/// of "våldsutsatta"); both already lowercase.
pub fn word_starts<'a>(hay: &'a str, needle: &'a str) -> impl Iterator<Item = usize> + 'a {
    hay.match_indices(needle).map(|(i, _)| i).filter(|&i| {
        hay[..i]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric())
    })
}

/// Occurrences of `needle` in `hay` (both already lowercase) at word boundaries.
pub fn find_words(hay: &str, needle: &str) -> Vec<usize> {
    if needle.is_empty() {
        return Vec::new();
    }
    hay.match_indices(needle)
        .filter(|(i, _)| is_boundary(hay, *i, *i + needle.len()))
        .map(|(i, _)| i)
        .collect()
}

/// True when `hay[start..end]` is not glued to letters on either side.
pub fn is_boundary(hay: &str, start: usize, end: usize) -> bool {
    let before = hay[..start].chars().next_back();
    let after = hay[end..].chars().next();
    !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
}

/// Lowercases nothing; replaces å ä ö é ü and their capitals by ASCII letters.
pub fn fold_ascii(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'å' | 'ä' | 'á' | 'à' => 'a',
            'Å' | 'Ä' => 'A',
            'ö' | 'ø' => 'o',
            'Ö' | 'Ø' => 'O',
            'é' | 'è' => 'e',
            'É' => 'E',
            'ü' => 'u',
            _ => c,
        })
        .collect()
}

/// A slug or label in the form of a slug: lower case, å ä ö as a a o, spaces and underscores
/// as hyphens.
pub fn slug_of(s: &str) -> String {
    fold_ascii(&s.trim().to_lowercase())
        .split(|c: char| c.is_whitespace() || c == '_' || c == '-')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}
