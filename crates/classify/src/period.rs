//! The plan period: which of the years and year ranges in a text the document is about.
//!
//! Candidates are year ranges ("2022–2026", "2022-2026", "2022 – 2026", "2024-26") and single
//! years right after a cue ("Handlingsplan 2025"). Each occurrence scores: a cue word just
//! before it, being a range, standing early in the text, standing in the title zone. A
//! candidate in the same sentence as the national strategy ("den nationella strategin …
//! 2017–2026") is dropped: that period is the strategy's, not the county plan's. The best
//! score wins; ties go to the earliest. Weights and words are in `config/classify.toml`.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use regex::Regex;

use crate::config::PeriodRules;
use plansok_model::words::find_words;
use plansok_model::Period;

fn range_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"\b((?:19|20)\d{2})\s*[-–—]\s*((?:19|20)\d{2}|\d{2})\b")
            .expect("valid period regex")
    })
}

/// Validity stated in words or dates, where no dash joins the years: "gäller från och med
/// 2021-01-01 till och med 2024-12-31", "omfattar åren 2020 och 2021", "Gäller 2020 2024" (a
/// table cell whose dash was lost), "20202021" (a title whose dash was lost in the PDF).
fn worded_range_res() -> &'static [Regex; 3] {
    static RE: OnceLock<[Regex; 3]> = OnceLock::new();
    RE.get_or_init(|| {
        let y = r"((?:19|20)\d{2})";
        [
            format!(
                r"(?i)(?:från och med|fr\.\s?o\.\s?m\.?|från)\s+{y}-\d{{2}}-\d{{2}}\s+(?:till och med|t\.\s?o\.\s?m\.?|till|[-–—])\s+{y}-\d{{2}}-\d{{2}}"
            ),
            format!(r"(?i)\b(?:gäller|åren|perioden)\s+(?:för\s+)?(?:åren\s+)?{y}\s+(?:och\s+|till\s+)?{y}\b"),
            format!(r"\b{y}{y}\b"),
        ]
        .map(|re| Regex::new(&re).expect("valid worded period regex"))
    })
}

fn year_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"\b((?:19|20)\d{2})\b").expect("valid year regex"))
}

/// One occurrence of a period in a text.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub period: Period,
    pub start: usize,
    pub is_range: bool,
    pub cued: bool,
}

/// All period occurrences in `text` that are not the national strategy's.
pub fn candidates(rules: &PeriodRules, text: &str) -> Vec<Candidate> {
    let mut out = Vec::new();
    let mut covered: Vec<(usize, usize)> = Vec::new();
    for re in worded_range_res() {
        for c in re.captures_iter(text) {
            let (Some(all), Some(a), Some(b)) = (c.get(0), c.get(1), c.get(2)) else {
                continue;
            };
            let (start, end): (u16, u16) = (
                a.as_str().parse().unwrap_or(0),
                b.as_str().parse().unwrap_or(0),
            );
            // Two years run together are a period only when they could be one.
            if !(start < end && end - start <= 12) {
                continue;
            }
            covered.push((all.start(), all.end()));
            if let Some(period) = Period::new(start, end) {
                push(rules, text, &mut out, period, a.start(), b.end(), true);
            }
        }
    }
    for c in range_re().captures_iter(text) {
        if covered
            .iter()
            .any(|(s, e)| c.get(0).is_some_and(|m| m.start() >= *s && m.start() < *e))
        {
            continue;
        }
        let (Some(all), Some(a), Some(b)) = (c.get(0), c.get(1), c.get(2)) else {
            continue;
        };
        covered.push((all.start(), all.end()));
        let start: u16 = a.as_str().parse().unwrap_or(0);
        let end = expand_short_year(start, b.as_str());
        let Some(period) = Period::new(start, end).filter(|p| p.start < p.end) else {
            continue;
        };
        push(rules, text, &mut out, period, all.start(), all.end(), true);
    }
    for m in year_re().find_iter(text) {
        if covered
            .iter()
            .any(|(s, e)| m.start() >= *s && m.start() < *e)
        {
            continue;
        }
        let year: u16 = m.as_str().parse().unwrap_or(0);
        let Some(period) = Period::new(year, year) else {
            continue;
        };
        push(rules, text, &mut out, period, m.start(), m.end(), false);
    }
    out.sort_by_key(|c| c.start);
    out
}

fn expand_short_year(start: u16, end: &str) -> u16 {
    let n: u16 = end.parse().unwrap_or(0);
    if end.len() == 2 {
        start / 100 * 100 + n
    } else {
        n
    }
}

fn push(
    rules: &PeriodRules,
    text: &str,
    out: &mut Vec<Candidate>,
    period: Period,
    start: usize,
    end: usize,
    is_range: bool,
) {
    let window = if is_range {
        rules.cue_window
    } else {
        rules.single_cue_window
    };
    let before = tail(&text[..start], window).to_lowercase();
    let cued = rules
        .cue_words
        .iter()
        .any(|w| !find_words(&before, w).is_empty());
    if !is_range && !cued {
        return;
    }
    if is_excluded(rules, text, start, end) {
        return;
    }
    out.push(Candidate {
        period,
        start,
        is_range,
        cued,
    });
}

/// True when the national strategy is named in the same sentence, near the candidate.
fn is_excluded(rules: &PeriodRules, text: &str, start: usize, end: usize) -> bool {
    let before = tail(&text[..start], rules.exclude_window);
    let before = before
        .rsplit_once(". ")
        .map(|(_, s)| s)
        .unwrap_or(before)
        .to_lowercase();
    let after = head(&text[end..], 80);
    let after = after.split(". ").next().unwrap_or(after).to_lowercase();
    rules
        .exclude_context
        .iter()
        .any(|w| before.contains(w.as_str()) || after.contains(w.as_str()))
}

/// The last `n` bytes of `s`, at a char boundary.
fn tail(s: &str, n: usize) -> &str {
    let mut i = s.len().saturating_sub(n);
    while !s.is_char_boundary(i) {
        i += 1;
    }
    &s[i..]
}

fn head(s: &str, n: usize) -> &str {
    let mut i = n.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    &s[..i]
}

/// Picks the period of a document from its title zone and body.
pub fn pick(rules: &PeriodRules, title_zone: &str, body: &str) -> Option<Period> {
    pick_of(rules, title_zone, body, true)
}

/// The period a page that is not itself a plan (a news item, an information page) names: a year
/// range only, since its single years are dates, statistics and history ("under 2023 anmäldes").
pub fn pick_range(rules: &PeriodRules, title_zone: &str, body: &str) -> Option<Period> {
    pick_of(rules, title_zone, body, false)
}

fn pick_of(rules: &PeriodRules, title_zone: &str, body: &str, single: bool) -> Option<Period> {
    // The national strategy's years are dropped from a body that names the strategy, but a
    // title's years only when the title names it: "Länsstrategi 2017–2026" is the county's.
    let national = Period::new(rules.national_period[0], rules.national_period[1]);
    let named = |t: &str| names_the_national_strategy(rules, t);
    let in_body = (named(title_zone) || named(body))
        .then_some(national)
        .flatten();
    let in_title = named(title_zone).then_some(national).flatten();
    let of = |text, drop: Option<Period>| {
        candidates(rules, text)
            .into_iter()
            .filter(move |c| single || c.is_range)
            .filter(move |c| Some(c.period) != drop)
    };
    let mut scores: BTreeMap<Period, (f32, usize)> = BTreeMap::new();
    for c in of(body, in_body) {
        let mut s = rules.weight_occurrence;
        if c.cued {
            s += rules.weight_cue;
        }
        if c.is_range {
            s += rules.weight_range;
        }
        if c.start < rules.early_chars {
            s += rules.weight_early;
        }
        let e = scores.entry(c.period).or_insert((0.0, c.start));
        e.0 += s;
    }
    for c in of(title_zone, in_title) {
        let e = scores.entry(c.period).or_insert((0.0, 0));
        e.0 += rules.weight_title;
        e.1 = 0;
    }
    let min = rules.weight_occurrence + rules.weight_range + 0.5;
    scores
        .into_iter()
        .filter(|(_, (s, _))| *s >= min)
        .max_by(|(pa, (sa, ia)), (pb, (sb, ib))| {
            sa.total_cmp(sb)
                .then(ib.cmp(ia))
                .then((pa.end - pa.start).cmp(&(pb.end - pb.start)))
        })
        .map(|(p, _)| p)
}

/// Whether the text names the national strategy anywhere: then its years ("Strategin gäller
/// 2017–2026", a sentence away from the name) are the strategy's, never the document's.
fn names_the_national_strategy(rules: &PeriodRules, text: &str) -> bool {
    let t = text.to_lowercase();
    rules.exclude_context.iter().any(|w| t.contains(w.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ClassifyConfig;

    #[test]
    fn validity_in_words_or_dates_is_a_period() {
        for (t, want) in [
            (
                "Överenskommelsen gäller från och med 2021-01-01 till och med 2024-12-31.",
                p(2021, 2024),
            ),
            ("Planen omfattar de två åren 2020 och 2021.", p(2020, 2021)),
            (
                "Örebro kommun Gäller 2020 2024 Beslutad av kommunfullmäktige",
                p(2020, 2024),
            ),
            (
                "Regional handlingsplan i Kalmar län 20202021",
                p(2020, 2021),
            ),
        ] {
            assert_eq!(pick(&rules(), "", t), want, "{t}");
        }
        // Years that cannot be one period are not one.
        assert_ne!(pick(&rules(), "", "Gäller 2020 2045"), p(2020, 2045));
        assert_eq!(pick(&rules(), "", "Tel. 20302090"), None);
    }

    #[test]
    fn the_national_strategy_s_years_are_never_the_page_s() {
        let body = "Regeringen har beslutat om en nationell strategi mot mäns våld mot kvinnor. \
                    Den gäller under tio år. Strategin gäller 2017–2026 och har fyra mål.";
        assert_eq!(pick_range(&rules(), "Nationell strategi", body), None);
        let county = "Länets strategi gäller 2021–2026. Den nationella strategin gäller 2017–2026.";
        assert_eq!(pick_range(&rules(), "", county), p(2021, 2026));
        // A county's own strategy for the same years keeps them from its title.
        let own = "Länsstrategi 2017–2026";
        let body = "Strategin bygger på den nationella strategin, som också gäller 2017–2026.";
        assert_eq!(pick(&rules(), own, body), p(2017, 2026));
    }

    fn rules() -> PeriodRules {
        ClassifyConfig::load().unwrap().period
    }

    fn p(a: u16, b: u16) -> Option<Period> {
        Period::new(a, b)
    }

    #[test]
    fn dash_variants_are_the_same_period() {
        for t in [
            "för perioden 2022–2026",
            "för perioden 2022-2026",
            "för perioden 2022 – 2026",
            "för perioden 2022—2026",
            "för perioden 2022-26",
        ] {
            assert_eq!(pick(&rules(), "", t), p(2022, 2026), "{t}");
        }
    }

    #[test]
    fn single_year_plan_in_the_title() {
        assert_eq!(
            pick(
                &rules(),
                "Handlingsplan 2025",
                "Handlingsplan 2025 för länet."
            ),
            p(2025, 2025)
        );
    }

    #[test]
    fn the_national_strategy_period_is_not_the_plan_period() {
        let body =
            "Regeringen har tagit fram en tioårig nationell strategi för perioden 2017–2026. \
                    Länets handlingsplan gäller 2023–2025 och följs upp årligen.";
        assert_eq!(pick(&rules(), "", body), p(2023, 2025));
        let only_national =
            "Den nationella strategin för perioden 2017–2026 ligger till grund för arbetet.";
        assert_eq!(pick(&rules(), "", only_national), None);
    }

    #[test]
    fn bare_years_are_not_periods() {
        assert_eq!(
            pick(
                &rules(),
                "",
                "Sedan 2019 har 300 kvinnor sökt stöd, varav 40 under våren."
            ),
            None
        );
        assert_eq!(
            pick(&rules(), "", "Ring 0612-801 67 eller 010-225 30 00."),
            None
        );
    }

    #[test]
    fn reversed_or_implausible_ranges_are_ignored() {
        assert_eq!(
            pick(&rules(), "", "planen för perioden 2026-2022 gäller"),
            None
        );
        assert_eq!(
            pick(&rules(), "", "planen för perioden 1990-2090 gäller"),
            None
        );
    }
}

#[cfg(test)]
mod props {
    use super::*;
    use crate::ClassifyConfig;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn a_picked_period_is_plausible_and_never_panics(s in "\\PC{0,200}") {
            let rules = ClassifyConfig::load().unwrap().period;
            if let Some(p) = pick(&rules, "", &s) {
                prop_assert!(p.start <= p.end && p.end - p.start <= 30);
            }
        }

        #[test]
        fn a_cued_range_anywhere_in_text_is_found(a in 2000u16..2040, len in 1u16..6, pre in "[a-zåäö ]{0,30}") {
            let rules = ClassifyConfig::load().unwrap().period;
            let text = format!("{pre}. Handlingsplanen gäller för perioden {a}–{}.", a + len);
            prop_assert_eq!(pick(&rules, "", &text), Period::new(a, a + len));
        }
    }
}
