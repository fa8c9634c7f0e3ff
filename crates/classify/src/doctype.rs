//! Document type: news item, plan, agreement, strategy, knowledge support, or other.

use std::sync::OnceLock;

use plansok_extract::{Block, Format};
use plansok_model::DocType;
use regex::Regex;

use crate::config::DocTypeRules;
use crate::hosts::on_hosts;
use plansok_model::words::{find_words, word_starts};

/// The title and the first short blocks: where a document says what it is.
pub fn title_zone(rules: &DocTypeRules, title: &str, blocks: &[Block]) -> String {
    let mut zone = title.to_string();
    for b in blocks.iter().take(rules.title_zone_blocks) {
        if b.text.chars().count() <= rules.title_zone_block_chars && b.text != title {
            zone.push_str(". ");
            zone.push_str(&b.text);
        }
    }
    zone
}

/// Classifies the type. A PDF whose title names its type is that type. Otherwise a source with
/// news markers (quotes ", säger X", "Frågor kring nyheten", a /nyheter/ URL) is a news item,
/// and else the earliest type word in the title zone decides.
pub fn classify(
    rules: &DocTypeRules,
    format: Format,
    url: Option<&str>,
    zone: &str,
    body: &str,
) -> DocType {
    let title = zone.split(". ").next().unwrap_or(zone);
    if format == Format::Pdf {
        // The document itself: "Länsstrategi …" on its cover is a strategy.
        if let Some(t) = zone_type(rules, title, true).or_else(|| zone_type(rules, zone, true)) {
            return t;
        }
    }
    if is_news(rules, url, body) {
        return DocType::Nyhet;
    }
    if url.is_some_and(|u| on_hosts(&rules.knowledge_hosts, u)) {
        return DocType::Kunskapsstod;
    }
    // A web page about "Länsstrategin" is a page about the strategy, not the strategy.
    zone_type(rules, zone, false).unwrap_or(DocType::Annat)
}

fn is_news(rules: &DocTypeRules, url: Option<&str>, body: &str) -> bool {
    let lower = body.to_lowercase();
    let url_news = url.is_some_and(|u| {
        let u = u.to_lowercase();
        rules.news_url_parts.iter().any(|p| u.contains(p.as_str()))
    });
    url_news
        || url.is_some_and(|u| on_hosts(&rules.news_hosts, u))
        || rules
            .news_markers
            .iter()
            .any(|m| lower.contains(m.as_str()))
}

/// A publication series' number ("Rapport 2024:07", "Meddelande 2020:11"): it names the series,
/// not what the document is.
fn series_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"(?i)\b\w+\s+(?:19|20)\d{2}:\d{1,3}\b").expect("valid series regex")
    })
}

fn zone_type(rules: &DocTypeRules, zone: &str, compounds: bool) -> Option<DocType> {
    let lower = series_re().replace_all(zone, " ").to_lowercase();
    rules
        .rules
        .iter()
        .filter_map(|r| {
            let first = r
                .words
                .iter()
                .filter_map(|w| first_prefix_match(&lower, w, compounds))
                .min()?;
            Some((first, DocType::from_slug(&r.doc_type)?))
        })
        .min_by_key(|(pos, _)| *pos)
        .map(|(_, t)| t)
}

/// First position where a word starts with `w` (so "handlingsplanen" counts), or else, with
/// `compounds`, where a compound holds it ("länsstrategi", "samverkansöverenskommelse").
fn first_prefix_match(hay: &str, w: &str, compounds: bool) -> Option<usize> {
    let w = w.to_lowercase();
    let first = word_starts(hay, &w).next();
    first
        .or_else(|| find_words(hay, &w).first().copied())
        .or_else(|| compounds.then(|| hay.find(&w)).flatten())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ClassifyConfig;

    fn rules() -> DocTypeRules {
        ClassifyConfig::load().unwrap().doctype
    }

    #[test]
    fn a_series_number_is_not_the_type() {
        let zone =
            "Länsstyrelsen Dalarnas län · Rapport 2024:07. Länsstrategi mot mäns våld 2024–2029";
        assert_eq!(
            classify(&rules(), Format::Pdf, None, zone, ""),
            DocType::Strategi
        );
    }

    #[test]
    fn type_words_in_the_title_zone() {
        let r = rules();
        assert_eq!(
            classify(
                &r,
                Format::Pdf,
                None,
                "Regional överenskommelse 2021–2026",
                ""
            ),
            DocType::Overenskommelse
        );
        assert_eq!(
            classify(&r, Format::Pdf, None, "Handlingsplan 2025", ""),
            DocType::Handlingsplan
        );
        assert_eq!(
            classify(&r, Format::Html, None, "Länsstrategi mot våld", ""),
            DocType::Annat
        );
        assert_eq!(
            classify(&r, Format::Html, None, "Strategi mot våld", ""),
            DocType::Strategi
        );
        assert_eq!(
            classify(&r, Format::Html, None, "Mäns våld mot kvinnor", "Text."),
            DocType::Annat
        );
    }

    #[test]
    fn news_markers_make_a_page_news() {
        let r = rules();
        assert_eq!(
            classify(
                &r,
                Format::Html,
                None,
                "Ny handlingsplan",
                "Det är viktigt, säger Anna."
            ),
            DocType::Nyhet
        );
        assert_eq!(
            classify(
                &r,
                Format::Html,
                Some("https://x.se/nyheter/a.html"),
                "Plan",
                ""
            ),
            DocType::Nyhet
        );
        assert_eq!(
            classify(&r, Format::Pdf, None, "Handlingsplan", "bra, säger Anna."),
            DocType::Handlingsplan
        );
    }
}
