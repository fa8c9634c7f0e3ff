//! The region taxonomy: 21 counties and their municipalities, from `config/regions.toml`.

use std::collections::HashMap;

use serde::Deserialize;

use crate::config::{config_text, parse, ConfigError};
use crate::words::{fold_ascii, slug_of};

const EMBEDDED: &str = include_str!("../../../config/regions.toml");

/// A municipality as configured.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Municipality {
    pub code: String,
    pub name: String,
    #[serde(default)]
    genitive: Option<String>,
    #[serde(default)]
    display: Option<String>,
    #[serde(default)]
    domain: Option<String>,
}

impl Municipality {
    /// Genitive form used before "kommun" ("Kramfors", "Östersunds", "Falu").
    pub fn genitive(&self) -> String {
        if let Some(g) = &self.genitive {
            return g.clone();
        }
        let last = self.name.chars().last().unwrap_or('a');
        if "aeiouyåäösxz".contains(last.to_ascii_lowercase()) {
            self.name.clone()
        } else {
            format!("{}s", self.name)
        }
    }

    /// The organisation's name: "Kramfors kommun", "Falu kommun", "Malmö stad".
    pub fn display_name(&self) -> String {
        self.display
            .clone()
            .unwrap_or_else(|| format!("{} kommun", self.genitive()))
    }

    /// Names that refer to this municipality as an organisation in text.
    pub fn org_names(&self) -> Vec<String> {
        let g = self.genitive();
        let mut names = vec![format!("{g} kommun"), format!("{g} stad")];
        if let Some(d) = &self.display {
            names.push(d.clone());
        }
        names
    }

    /// The municipality's web domain ("kramfors.se").
    pub fn domain(&self) -> String {
        self.domain.clone().unwrap_or_else(|| {
            format!(
                "{}.se",
                fold_ascii(&self.name.to_lowercase()).replace([' ', '-'], "")
            )
        })
    }
}

/// A county (län) as configured.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct County {
    pub code: String,
    pub name: String,
    pub short: String,
    pub slug: String,
    pub region_org: String,
    #[serde(default)]
    pub domains: Vec<String>,
    #[serde(default)]
    pub aliases: Vec<String>,
    pub municipalities: Vec<Municipality>,
}

impl County {
    /// The county administrative board's name: "Länsstyrelsen Jämtlands län".
    pub fn lansstyrelsen(&self) -> String {
        format!("Länsstyrelsen {}", self.name)
    }
}

#[derive(Deserialize)]
struct RegionsFile {
    county: Vec<County>,
    #[serde(default)]
    common_word_names: Vec<String>,
}

/// A resolved reference: a county, optionally narrowed to one municipality.
#[derive(Debug, Clone, Copy)]
pub struct RegionRef<'a> {
    pub county: &'a County,
    pub municipality: Option<&'a Municipality>,
}

/// A name as [`Taxonomy::places_in`] looks it up: lowercase, without å ä ö.
fn name_key(name: &str) -> String {
    fold_ascii(&name.to_lowercase())
}

/// The name index of [`Taxonomy`]: municipalities first, so that a county's name wins.
fn names_of(counties: &[County]) -> HashMap<String, (usize, Option<usize>)> {
    let mut names = HashMap::new();
    for (ci, c) in counties.iter().enumerate() {
        for (mi, m) in c.municipalities.iter().enumerate() {
            for n in std::iter::once(m.name.clone()).chain(m.org_names()) {
                names.insert(name_key(&n), (ci, Some(mi)));
            }
        }
    }
    for (ci, c) in counties.iter().enumerate() {
        for n in [&c.name, &c.short].into_iter().chain(&c.aliases) {
            names.insert(name_key(n), (ci, None));
        }
    }
    names
}

fn same_place(a: &RegionRef<'_>, b: &RegionRef<'_>) -> bool {
    a.county.code == b.county.code
        && a.municipality.map(|m| &m.code) == b.municipality.map(|m| &m.code)
}

/// All counties and municipalities.
#[derive(Debug, Clone)]
pub struct Taxonomy {
    counties: Vec<County>,
    /// Municipality names that are also common words ("Vara", "Mark"), lowercase.
    common_word_names: Vec<String>,
    /// Every place's names (lowercase, without å ä ö) to the place: a county's name, short name
    /// and aliases, a municipality's name and organisation names; a county where a county and
    /// a municipality share one ("kalmar"). Read by [`Taxonomy::places_in`], once per query.
    names: HashMap<String, (usize, Option<usize>)>,
}

impl Taxonomy {
    /// Loads `regions.toml` (override directory first, else the embedded default).
    pub fn load() -> Result<Self, ConfigError> {
        let text = config_text("regions.toml", EMBEDDED)?;
        Self::from_toml(&text)
    }

    /// Parses a regions file.
    pub fn from_toml(text: &str) -> Result<Self, ConfigError> {
        let file: RegionsFile = parse("regions.toml", text)?;
        let names = names_of(&file.county);
        Ok(Taxonomy {
            counties: file.county,
            common_word_names: file
                .common_word_names
                .iter()
                .map(|n| n.to_lowercase())
                .collect(),
            names,
        })
    }

    /// Whether a municipality's bare name is also a common word ("vara", "mark", "boden"): in
    /// running text or a query it is not read as the place.
    pub fn is_common_word(&self, name: &str) -> bool {
        self.common_word_names.contains(&name.to_lowercase())
    }

    /// The places a query's words name: counties ("Dalarna", "Kalmar län") and municipalities
    /// ("Skellefteå"), by their names, not by codes or slugs, and not by names that are common
    /// words. Two words that name a place together ("Örebro län") are one place.
    pub fn places_in(&self, query: &str) -> Vec<RegionRef<'_>> {
        let words: Vec<&str> = query
            .split(|c: char| !(c.is_alphabetic() || c == '-'))
            .filter(|w| w.chars().count() >= 3)
            .collect();
        let mut out: Vec<RegionRef<'_>> = Vec::new();
        let mut i = 0;
        while i < words.len() {
            let pair = words.get(i + 1).map(|n| format!("{} {n}", words[i]));
            let (found, used) = match pair.as_deref().and_then(|p| self.resolve_name(p)) {
                Some(r) => (Some(r), 2),
                None => (self.resolve_name(words[i]), 1),
            };
            if let Some(r) = found {
                if !out.iter().any(|o| same_place(o, &r)) {
                    out.push(r);
                }
            }
            i += used;
        }
        out
    }

    /// A place by one of its names (also typed without å, ä and ö): no codes, no slugs, no
    /// common words.
    fn resolve_name(&self, words: &str) -> Option<RegionRef<'_>> {
        if self.is_common_word(words) {
            return None;
        }
        let &(ci, mi) = self.names.get(&name_key(words))?;
        let county = &self.counties[ci];
        Some(RegionRef {
            county,
            municipality: mi.map(|m| &county.municipalities[m]),
        })
    }

    pub fn counties(&self) -> &[County] {
        &self.counties
    }

    /// The county with this full name.
    pub fn county_by_name(&self, name: &str) -> Option<&County> {
        self.counties.iter().find(|c| c.name == name)
    }

    /// Resolves a user's region filter: full name, short name, slug, code or alias of a county,
    /// or a municipality's name, organisation name or code; any case.
    pub fn resolve(&self, input: &str) -> Option<RegionRef<'_>> {
        let q = input.trim().to_lowercase();
        if q.is_empty() {
            return None;
        }
        let folded = fold_ascii(&q);
        for county in &self.counties {
            let names = [&county.name, &county.short, &county.slug, &county.code];
            let hit = names
                .iter()
                .chain(county.aliases.iter().collect::<Vec<_>>().iter())
                .any(|n| n.to_lowercase() == q || fold_ascii(&n.to_lowercase()) == folded);
            if hit {
                return Some(RegionRef {
                    county,
                    municipality: None,
                });
            }
        }
        self.resolve_municipality(&q)
    }

    /// A municipality by code or name (or the name of its organisation), exactly; else by its
    /// slug (`lulea`, `upplands-vasby`) when only one municipality has it.
    fn resolve_municipality(&self, q: &str) -> Option<RegionRef<'_>> {
        let exact = |m: &Municipality| {
            m.code == q
                || m.name.to_lowercase() == q
                || m.org_names().iter().any(|n| n.to_lowercase() == q)
        };
        let slug = slug_of(q);
        let by_slug = |m: &Municipality| {
            slug_of(&m.name) == slug || m.org_names().iter().any(|n| slug_of(n) == slug)
        };
        let found = self.municipalities().find(|(_, m)| exact(m)).or_else(|| {
            let mut slugged = self.municipalities().filter(|(_, m)| by_slug(m));
            match (slugged.next(), slugged.next()) {
                (Some(one), None) => Some(one),
                _ => None,
            }
        });
        found.map(|(county, m)| RegionRef {
            county,
            municipality: Some(m),
        })
    }

    /// Every (county, municipality) pair.
    pub fn municipalities(&self) -> impl Iterator<Item = (&County, &Municipality)> {
        self.counties
            .iter()
            .flat_map(|c| c.municipalities.iter().map(move |m| (c, m)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_names_counties_and_municipalities_by_name_only() {
        let t = Taxonomy::load().unwrap();
        let names = |q: &str| -> Vec<String> {
            t.places_in(q)
                .iter()
                .map(|r| {
                    r.municipality
                        .map_or(r.county.name.clone(), |m| m.name.clone())
                })
                .collect()
        };
        assert_eq!(names("Skellefteå handlingsplan"), ["Skellefteå"]);
        assert_eq!(names("handlingsplan våld Dalarna"), ["Dalarnas län"]);
        assert_eq!(names("Örebro län handlingsplan 2025"), ["Örebro län"]);
        assert_eq!(names("finns det skyddat boende i gävle"), ["Gävle"]);
        // Years are not municipality codes, common words are not places, slugs are not names.
        assert!(names("plan 2021 2026").is_empty(), "2021 is Vansbro's code");
        assert!(names("att vara med på mark").is_empty());
        assert_eq!(
            names("vasterbotten"),
            ["Västerbottens län"],
            "typed without å ä ö"
        );
        assert!(
            names("upplands-vasby-kommun").is_empty(),
            "a slug is not a name"
        );
    }

    #[test]
    fn embedded_taxonomy_has_21_counties_and_290_municipalities() {
        let t = Taxonomy::load().expect("regions.toml parses");
        assert_eq!(t.counties().len(), 21);
        assert_eq!(t.municipalities().count(), 290);
        let mut codes: Vec<&str> = t.municipalities().map(|(_, m)| m.code.as_str()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), 290, "municipality codes are unique");
        for (c, m) in t.municipalities() {
            assert!(m.code.starts_with(&c.code), "{} under {}", m.name, c.name);
        }
    }

    #[test]
    fn municipalities_resolve_by_name_code_and_slug() {
        let t = Taxonomy::load().unwrap();
        let name = |q: &str| {
            t.resolve(q)
                .and_then(|r| r.municipality)
                .map(|m| m.name.clone())
        };
        assert_eq!(name("lulea").as_deref(), Some("Luleå"));
        assert_eq!(name("Luleå kommun").as_deref(), Some("Luleå"));
        assert_eq!(name("upplands-vasby").as_deref(), Some("Upplands Väsby"));
        // Two names with one slug: each spelling is its own municipality.
        assert_eq!(name("habo").as_deref(), Some("Habo"));
        assert_eq!(name("Håbo").as_deref(), Some("Håbo"));
        assert_eq!(name("narnia"), None);
    }

    #[test]
    fn resolves_every_accepted_spelling_of_a_county() {
        let t = Taxonomy::load().unwrap();
        for q in ["Jämtlands län", "jämtland", "JAMTLAND", "23", "jamtland"] {
            let r = t.resolve(q).unwrap_or_else(|| panic!("{q} resolves"));
            assert_eq!(r.county.name, "Jämtlands län");
            assert!(r.municipality.is_none());
        }
        assert_eq!(
            t.resolve("vastra-gotaland").unwrap().county.name,
            "Västra Götalands län"
        );
        assert!(t.resolve("Narnia").is_none());
    }

    #[test]
    fn resolves_municipalities_to_their_county() {
        let t = Taxonomy::load().unwrap();
        let r = t.resolve("Kramfors kommun").unwrap();
        assert_eq!(r.county.name, "Västernorrlands län");
        assert_eq!(r.municipality.unwrap().display_name(), "Kramfors kommun");
        let falun = t.resolve("2080").unwrap().municipality.unwrap();
        assert_eq!(falun.display_name(), "Falu kommun");
        assert_eq!(
            t.resolve("Östersunds kommun").unwrap().county.slug,
            "jamtland"
        );
        assert_eq!(
            t.resolve("kramfors")
                .unwrap()
                .municipality
                .unwrap()
                .domain(),
            "kramfors.se"
        );
    }
}
