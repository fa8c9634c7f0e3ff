//! Municipalities named as places ("Malmös skolor", "kvinnojouren i Falun", `nt.se/nyheter/motala/`).
//!
//! Pages of hosts that belong to no organisation of the taxonomy (newspapers, radio, parties,
//! document mirrors, the police) tell their municipality by naming the town, not by signing as
//! "Falu kommun". This module finds those names: capitalised as written (so "vara" the verb and
//! "mark" the ground are not Vara and Mark; names that are also common words at the start of a
//! sentence are left out: `Taxonomy::is_common_word`), in the base form, the possessive ("Malmös") and the
//! genitive used before "kommun" ("Falu"); and in a URL's path segments and host labels
//! (`motala`, `boras_stad`, `lulea.vansterpartiet.se`). `region` decides what they weigh.

use std::collections::HashMap;

use aho_corasick::{AhoCorasick, MatchKind};

use crate::ClassifyError;
use plansok_model::words::{fold_ascii, is_boundary};
use plansok_model::Taxonomy;

/// A municipality: (county index, index within the county).
pub type TownId = (usize, usize);

pub struct Towns {
    automaton: AhoCorasick,
    ids: Vec<TownId>,
    /// Folded URL forms ("boras", "boras_stad", "nykopings_kommun") → municipality.
    slugs: HashMap<String, TownId>,
}

impl Towns {
    /// The names of every municipality of `taxonomy` except those that are common words as
    /// text patterns; all of them as URL forms.
    pub fn new(taxonomy: &Taxonomy) -> Result<Self, ClassifyError> {
        let mut names = Vec::new();
        let mut ids = Vec::new();
        let mut slugs = HashMap::new();
        for (ci, c) in taxonomy.counties().iter().enumerate() {
            for (mi, m) in c.municipalities.iter().enumerate() {
                let id = (ci, mi);
                let genitive = m.genitive();
                let folded = url_form(&m.name);
                for suffix in ["", "_kommun", "-kommun", "_stad", "-stad"] {
                    slugs.insert(format!("{folded}{suffix}"), id);
                    slugs.insert(format!("{}{suffix}", url_form(&genitive)), id);
                }
                if taxonomy.is_common_word(&m.name) {
                    continue;
                }
                let mut forms = vec![m.name.clone(), genitive];
                if !m.name.ends_with(['s', 'x', 'z']) {
                    forms.push(format!("{}s", m.name));
                }
                forms.sort();
                forms.dedup();
                for f in forms {
                    names.push(f);
                    ids.push(id);
                }
            }
        }
        let automaton = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&names)
            .map_err(|e| ClassifyError::Rules(e.to_string()))?;
        Ok(Towns {
            automaton,
            ids,
            slugs,
        })
    }

    /// Each municipality named in `text` as a town, with how often. A name that is part of
    /// an organisation's or a county's name ("Kalmar län", "Region Uppsala", "Falu kommun")
    /// is not a town: `region` weighs those names as what they are.
    pub fn mentions(&self, text: &str) -> HashMap<TownId, usize> {
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        let mut counts = HashMap::new();
        for m in self.automaton.find_iter(&text) {
            if is_boundary(&text, m.start(), m.end()) && !part_of_a_name(&text, m.start(), m.end())
            {
                *counts.entry(self.ids[m.pattern().as_usize()]).or_default() += 1;
            }
        }
        counts
    }

    /// The municipalities a URL names in its host labels or path segments.
    pub fn in_url(&self, url: &url::Url) -> Vec<TownId> {
        let host = url.host_str().unwrap_or("");
        let labels = host.split('.').rev().skip(2);
        let segments = url.path_segments().into_iter().flatten();
        let mut found: Vec<TownId> = labels
            .chain(segments)
            .filter_map(|s| self.slugs.get(&s.to_lowercase()).copied())
            .collect();
        found.sort_unstable();
        found.dedup();
        found
    }
}

/// Whether the name at `start..end` belongs to a longer name: a county ("Kalmar län"), an
/// organisation ("Region Uppsala", "Länsstyrelsen Gävleborg", "Falu kommun", "Stockholms stad").
fn part_of_a_name(text: &str, start: usize, end: usize) -> bool {
    let next = text[end..]
        .trim_start_matches([' ', ':', ','])
        .split(|c: char| !c.is_alphanumeric())
        .next()
        .unwrap_or("")
        .to_lowercase();
    let prev = text[..start]
        .trim_end()
        .rsplit(|c: char| !c.is_alphanumeric())
        .next()
        .unwrap_or("")
        .to_lowercase();
    matches!(
        next.as_str(),
        "län" | "läns" | "kommun" | "kommuns" | "stad" | "stads"
    ) || matches!(prev.as_str(), "region" | "regionen" | "länsstyrelsen")
}

/// A name as it stands in URLs: lowercase ASCII, spaces and hyphens dropped.
fn url_form(name: &str) -> String {
    fold_ascii(&name.to_lowercase()).replace([' ', '-'], "")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn towns() -> (Towns, Taxonomy) {
        let tax = Taxonomy::load().unwrap();
        (Towns::new(&tax).unwrap(), tax)
    }

    fn name(tax: &Taxonomy, id: TownId) -> String {
        tax.counties()[id.0].municipalities[id.1].name.clone()
    }

    #[test]
    fn a_town_is_found_as_written_and_in_its_possessive_but_not_as_a_common_word() {
        let (t, tax) = towns();
        let found = t.mentions("Malmös skolor och kvinnojouren i Falun. Vi ska vara med på mark.");
        let mut names: Vec<String> = found.keys().map(|id| name(&tax, *id)).collect();
        names.sort();
        assert_eq!(names, ["Falun", "Malmö"]);
        assert!(
            t.mentions("Vi åkte till Vara.").is_empty(),
            "ambiguous names are left out"
        );
        assert!(t.mentions("malmö").is_empty(), "lowercase is not a name");
        for org in [
            "Kalmar län",
            "Region Uppsala",
            "Falu kommun",
            "Stockholms stad",
        ] {
            assert!(t.mentions(org).is_empty(), "{org} is no town");
        }
    }

    #[test]
    fn a_url_names_its_town_in_a_path_segment_or_a_host_label() {
        let (t, tax) = towns();
        let names = |u: &str| -> Vec<String> {
            let u = url::Url::parse(u).unwrap();
            t.in_url(&u).into_iter().map(|id| name(&tax, id)).collect()
        };
        assert_eq!(
            names("https://www.nt.se/nyheter/motala/artikel/x.html"),
            ["Motala"]
        );
        assert_eq!(
            names("https://lulea.vansterpartiet.se/2025/x.html"),
            ["Luleå"]
        );
        assert_eq!(
            names("https://www.mynewsdesk.com/se/boras_stad/x"),
            ["Borås"]
        );
        assert_eq!(
            names("https://www.mynewsdesk.com/se/nykopings_kommun/x"),
            ["Nyköping"]
        );
        assert!(names("https://www.gp.se/debatt/x.html").is_empty());
    }
}
