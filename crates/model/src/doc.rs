//! Documents, passages and the classification values of the API.

use serde::{Deserialize, Serialize};

use crate::words::slug_of;

/// A plan period in whole years, inclusive at both ends.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
pub struct Period {
    pub start: u16,
    pub end: u16,
}

impl Period {
    /// A period from `start` to `end`; `None` when the years are reversed or implausible.
    pub fn new(start: u16, end: u16) -> Option<Self> {
        let plausible = |y: u16| (1990..=2100).contains(&y);
        (plausible(start) && plausible(end) && start <= end && end - start <= 30)
            .then_some(Period { start, end })
    }

    /// True when the period shares at least one year with `other`.
    pub fn overlaps(&self, other: &Period) -> bool {
        self.start <= other.end && other.start <= self.end
    }

    /// Parses a filter value: "2025", "2022-2024", "2022–2024", "2022 – 2024".
    pub fn parse(text: &str) -> Option<Self> {
        let t = text.trim();
        let parts: Vec<&str> = t.split(['-', '–', '—']).map(str::trim).collect();
        match parts.as_slice() {
            [y] => y.parse().ok().and_then(|y| Period::new(y, y)),
            [a, b] => Period::new(a.parse().ok()?, b.parse().ok()?),
            _ => None,
        }
    }
}

impl std::fmt::Display for Period {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.start == self.end {
            write!(f, "{}", self.start)
        } else {
            write!(f, "{}–{}", self.start, self.end)
        }
    }
}

/// The four goal areas of the national strategy 2017–2026.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
pub enum Goal {
    #[serde(rename = "forebyggande")]
    Forebyggande,
    #[serde(rename = "skydd-och-stod")]
    SkyddOchStod,
    #[serde(rename = "brottsbekampning")]
    Brottsbekampning,
    #[serde(rename = "kunskap-och-metod")]
    KunskapOchMetod,
}

impl Goal {
    pub const ALL: [Goal; 4] = [
        Goal::Forebyggande,
        Goal::SkyddOchStod,
        Goal::Brottsbekampning,
        Goal::KunskapOchMetod,
    ];

    /// The API slug.
    pub fn slug(self) -> &'static str {
        match self {
            Goal::Forebyggande => "forebyggande",
            Goal::SkyddOchStod => "skydd-och-stod",
            Goal::Brottsbekampning => "brottsbekampning",
            Goal::KunskapOchMetod => "kunskap-och-metod",
        }
    }

    /// The Swedish label, as a page shows it.
    pub fn label(self) -> &'static str {
        match self {
            Goal::Forebyggande => "Förebyggande",
            Goal::SkyddOchStod => "Skydd och stöd",
            Goal::Brottsbekampning => "Brottsbekämpning",
            Goal::KunskapOchMetod => "Kunskap och metod",
        }
    }

    /// Parses a slug or a label, in any case and with or without å, ä, ö
    /// (`skydd-och-stod`, `Skydd och stöd`).
    pub fn from_slug(s: &str) -> Option<Goal> {
        let s = slug_of(s);
        Goal::ALL.into_iter().find(|g| g.slug() == s)
    }
}

/// Document type.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum DocType {
    Handlingsplan,
    Overenskommelse,
    Strategi,
    Nyhet,
    Kunskapsstod,
    Annat,
}

impl DocType {
    pub const ALL: [DocType; 6] = [
        DocType::Handlingsplan,
        DocType::Overenskommelse,
        DocType::Strategi,
        DocType::Nyhet,
        DocType::Kunskapsstod,
        DocType::Annat,
    ];

    /// The plans of the field: action plans, strategies and agreements.
    pub const PLANS: [DocType; 3] = [
        DocType::Handlingsplan,
        DocType::Strategi,
        DocType::Overenskommelse,
    ];

    /// Whether this is one of [`DocType::PLANS`].
    pub fn is_plan(self) -> bool {
        DocType::PLANS.contains(&self)
    }

    pub fn slug(self) -> &'static str {
        match self {
            DocType::Handlingsplan => "handlingsplan",
            DocType::Overenskommelse => "overenskommelse",
            DocType::Strategi => "strategi",
            DocType::Nyhet => "nyhet",
            DocType::Kunskapsstod => "kunskapsstod",
            DocType::Annat => "annat",
        }
    }

    /// The Swedish label, as a page shows it.
    pub fn label(self) -> &'static str {
        match self {
            DocType::Handlingsplan => "Handlingsplan",
            DocType::Overenskommelse => "Överenskommelse",
            DocType::Strategi => "Strategi",
            DocType::Nyhet => "Nyhet",
            DocType::Kunskapsstod => "Kunskapsstöd",
            DocType::Annat => "Annat",
        }
    }

    /// Parses a slug or a label, in any case and with or without å, ä, ö
    /// (`overenskommelse`, `Överenskommelse`).
    pub fn from_slug(s: &str) -> Option<DocType> {
        let s = slug_of(s);
        DocType::ALL.into_iter().find(|t| t.slug() == s)
    }
}

/// What kind of text unit a passage is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PassageKind {
    /// A heading with the paragraphs under it (or a run of paragraphs before any heading).
    Section,
    /// One item of a list; `heading` is the heading the list stands under.
    Item,
}

/// The unit a coordinator compares: a heading's section or one list item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Passage {
    pub kind: PassageKind,
    /// The heading the passage stands under, if any.
    pub heading: Option<String>,
    pub text: String,
    /// 1-based PDF page where the passage starts (None for HTML and text).
    pub page: Option<u32>,
    pub goals: Vec<Goal>,
    /// The goal areas of the heading the passage stands under (its section's own goal area;
    /// `goals` adds those its words name).
    #[serde(default)]
    pub section_goals: Vec<Goal>,
    /// ISO 639-1 language of the passage (the document's when the passage is too short to tell).
    #[serde(default)]
    pub lang: String,
}

/// A classified document, ready to be indexed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Document {
    /// Stable id derived from the source (URL, else canonical path).
    pub id: String,
    pub url: Option<String>,
    /// File the document was read from, if any.
    pub path: Option<String>,
    pub title: String,
    /// Full name of the county ("Jämtlands län").
    pub region: Option<String>,
    /// Municipality organisation name ("Kramfors kommun").
    pub municipality: Option<String>,
    pub organisation: Option<String>,
    pub doc_type: DocType,
    pub period: Option<Period>,
    pub goals: Vec<Goal>,
    /// Whether the text is about men's violence against women or violence in close
    /// relationships (not only sharing its words: a climate plan, a Norwegian page).
    pub on_topic: bool,
    /// ISO 639-1 language code.
    pub lang: String,
    /// Publication date as given (ISO 8601 date when known).
    pub published: Option<String>,
    /// blake3 hash of the source bytes (unchanged-file and duplicate detection).
    pub content_hash: String,
    /// The whole main text.
    pub body: String,
    pub passages: Vec<Passage>,
    /// Number of pages (PDF).
    pub pages: Option<u32>,
}

/// What is known about a source from outside its content: a `FILE.meta.json` beside a file,
/// or the crawler's catalog. Every field is optional.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SourceMeta {
    pub url: Option<String>,
    pub title: Option<String>,
    pub organisation: Option<String>,
    /// County or municipality, in any spelling the taxonomy accepts.
    pub region: Option<String>,
    pub published: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn every_dash_spelling_of_a_range_parses_to_the_same_period(a in 1990u16..2070, len in 0u16..30, dash in "[-–—]", sp in " {0,2}") {
            let b = a + len;
            let text = format!("{a}{sp}{dash}{sp}{b}");
            prop_assert_eq!(Period::parse(&text), Period::new(a, b));
        }

        #[test]
        fn parsing_any_text_never_panics(s in "\\PC{0,40}") {
            let _ = Period::parse(&s);
        }
    }

    #[test]
    fn reversed_and_implausible_periods_are_refused() {
        assert_eq!(Period::parse("2026-2022"), None);
        assert_eq!(Period::parse("1066"), None);
        assert_eq!(Period::parse("2020-2080"), None);
        assert_eq!(Period::parse("2025"), Period::new(2025, 2025));
    }
}
