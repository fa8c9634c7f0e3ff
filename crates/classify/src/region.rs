//! County, municipality and publishing organisation.
//!
//! Names of counties, county administrative boards ("Länsstyrelsen Västerbotten"), regions
//! ("Region Jämtland Härjedalen") and municipalities ("Kramfors kommun") are found with one
//! Aho-Corasick automaton over the lowercased text. Evidence is weighted by where it stands
//! (configured in `config/classify.toml`): metadata and URL host most, then e-mail domains,
//! footer/contact signals and the title, and body mentions least (capped). The county with
//! most evidence wins. A municipality is the publisher only with evidence outside the body
//! text (URL, metadata, e-mail, footer, title), so a list of signatory municipalities in a
//! county's news item does not make it a municipality's page.

use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, MatchKind};
use regex::Regex;

use crate::config::OrganisationRules;
use crate::hosts::on_hosts;
use crate::town::Towns;
use crate::ClassifyError;
use plansok_model::words::is_boundary;
use plansok_model::{SourceMeta, Taxonomy};

/// What a name refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Target {
    /// The county as a place ("Jämtlands län").
    Place(usize),
    /// A short county name, weaker evidence ("Jämtland").
    ShortPlace(usize),
    /// The county administrative board of a county.
    Lansstyrelsen(usize),
    /// "Länsstyrelsen" without a county.
    AnyLansstyrelsen,
    /// The region (health authority) of a county.
    Region(usize),
    /// A municipality: (county, index within county).
    Kommun(usize, usize),
}

impl Target {
    fn county(self) -> Option<usize> {
        match self {
            Target::Place(c)
            | Target::ShortPlace(c)
            | Target::Lansstyrelsen(c)
            | Target::Region(c)
            | Target::Kommun(c, _) => Some(c),
            Target::AnyLansstyrelsen => None,
        }
    }
}

/// The evidence about one source.
pub struct Evidence<'a> {
    pub url: Option<&'a str>,
    pub title: &'a str,
    pub body: &'a str,
    pub signals: &'a [String],
    pub meta: &'a SourceMeta,
}

/// The outcome: county full name, municipality and organisation names.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Place {
    pub county: Option<String>,
    pub municipality: Option<String>,
    pub organisation: Option<String>,
}

pub struct RegionMatcher {
    taxonomy: Taxonomy,
    rules: OrganisationRules,
    automaton: AhoCorasick,
    targets: Vec<Target>,
    domains: HashMap<String, Target>,
    towns: Towns,
}

/// A URL's host, lowercase, without `www.`.
fn host_of(u: &url::Url) -> Option<String> {
    u.host_str()
        .map(|h| h.trim_start_matches("www.").to_lowercase())
}

/// Who owns the host a page came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HostKind {
    /// A county administrative board, region or municipality of the taxonomy.
    Own,
    /// A national body: its pages are no county's.
    National,
    /// No organisation of the taxonomy: news, parties, mirrors, the police.
    ThirdParty,
    /// No URL (a file ingested without metadata).
    Unknown,
}

/// The evidence found, by what it names. Ordered maps: the evidence is added up and ranked
/// in one order on every run, so equal scores fall the same way each time (a `HashMap`'s order
/// changes from one process to the next).
#[derive(Default)]
struct Scores {
    all: BTreeMap<Target, f32>,
    /// Evidence from outside the body text.
    publisher: BTreeMap<Target, f32>,
}

impl Scores {
    fn add(&mut self, t: Target, w: f32, publisher: bool) {
        *self.all.entry(t).or_default() += w;
        if publisher {
            *self.publisher.entry(t).or_default() += w;
        }
    }
}

fn email_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"([a-z0-9._-]+)@([a-z0-9.-]+\.[a-z]{2,})").expect("valid e-mail regex")
    })
}

impl RegionMatcher {
    pub fn new(taxonomy: Taxonomy, rules: OrganisationRules) -> Result<Self, ClassifyError> {
        let mut names: Vec<String> = Vec::new();
        let mut targets = Vec::new();
        let mut add = |name: String, t: Target| {
            names.push(name.to_lowercase());
            targets.push(t);
        };
        add("länsstyrelsen".into(), Target::AnyLansstyrelsen);
        add("länsstyrelsens".into(), Target::AnyLansstyrelsen);
        let mut domains = HashMap::new();
        for (ci, c) in taxonomy.counties().iter().enumerate() {
            add(c.name.clone(), Target::Place(ci));
            add(c.short.clone(), Target::ShortPlace(ci));
            for a in &c.aliases {
                add(a.clone(), Target::ShortPlace(ci));
            }
            for n in [c.name.as_str(), c.short.as_str()] {
                add(format!("länsstyrelsen {n}"), Target::Lansstyrelsen(ci));
                add(format!("länsstyrelsen i {n}"), Target::Lansstyrelsen(ci));
            }
            add(c.region_org.clone(), Target::Region(ci));
            add(format!("region {}", c.short), Target::Region(ci));
            for d in &c.domains {
                domains.insert(d.clone(), Target::Region(ci));
            }
            for (mi, m) in c.municipalities.iter().enumerate() {
                for n in m.org_names() {
                    add(n, Target::Kommun(ci, mi));
                }
                domains.entry(m.domain()).or_insert(Target::Kommun(ci, mi));
            }
        }
        let automaton = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&names)
            .map_err(|e| ClassifyError::Rules(e.to_string()))?;
        let towns = Towns::new(&taxonomy)?;
        Ok(RegionMatcher {
            towns,
            taxonomy,
            rules,
            automaton,
            targets,
            domains,
        })
    }

    pub fn taxonomy(&self) -> &Taxonomy {
        &self.taxonomy
    }

    /// Decides county, municipality and organisation.
    pub fn classify(&self, ev: &Evidence) -> Place {
        let r = &self.rules;
        // The URL read once: its host for the publisher and its kind, its path for towns.
        let url = ev.url.and_then(|u| url::Url::parse(u).ok());
        let kind = self.host_kind(ev.url, url.as_ref());
        let third_party = kind == HostKind::ThirdParty;
        let mut s = Scores::default();
        self.meta(ev.meta, &mut s);
        if let Some(u) = &url {
            self.url(u, &mut s);
        }
        self.text(ev.title, r.weight_title, usize::MAX, true, &mut s);
        for sig in ev.signals {
            self.text(sig, r.weight_signal, usize::MAX, true, &mut s);
            self.lst_signals(sig, r.weight_signal, &mut s);
        }
        // On a host of no organisation, what the body names is all there is to go by.
        self.text(ev.body, r.weight_body, r.body_cap, third_party, &mut s);
        self.lst_signals(ev.body, r.weight_body, &mut s);
        for text in ev.signals.iter().map(String::as_str).chain([ev.body]) {
            self.emails(text, &mut s);
        }
        if third_party {
            self.towns(ev, url.as_ref(), &mut s);
        }
        let place = self.decide(&s, ev.meta);
        match kind {
            // A national body names cities and counties in passing ("a study in Malmö").
            HostKind::National => Place {
                county: None,
                municipality: None,
                ..place
            },
            // The page is about the town; its publisher is the newspaper, the party or the
            // mirror, which only the metadata names.
            HostKind::ThirdParty => Place {
                municipality: self.leading_town(&s, place.county.as_deref()),
                organisation: ev.meta.organisation.clone(),
                ..place
            },
            HostKind::Own | HostKind::Unknown => place,
        }
    }

    /// `raw` as given (the national hosts' list matches it), `parsed` the same URL read.
    fn host_kind(&self, raw: Option<&str>, parsed: Option<&url::Url>) -> HostKind {
        let Some(raw) = raw else {
            return HostKind::Unknown;
        };
        if on_hosts(&self.rules.national_hosts, raw) {
            return HostKind::National;
        }
        match parsed.and_then(host_of) {
            None => HostKind::Unknown,
            Some(h) if h == self.rules.lansstyrelsen_host || self.domain_target(&h).is_some() => {
                HostKind::Own
            }
            Some(_) => HostKind::ThirdParty,
        }
    }

    /// Towns named in the title, the body and (when the text names them too) the URL.
    fn towns(&self, ev: &Evidence, url: Option<&url::Url>, s: &mut Scores) {
        let r = &self.rules;
        let in_title = self.towns.mentions(ev.title);
        let in_body = self.towns.mentions(ev.body);
        for (&(ci, mi), &n) in &in_title {
            s.add(Target::Kommun(ci, mi), r.weight_title * n as f32, true);
        }
        for (&(ci, mi), &n) in &in_body {
            s.add(
                Target::Kommun(ci, mi),
                r.weight_body * n.min(r.body_cap) as f32,
                true,
            );
        }
        let Some(url) = url else {
            return;
        };
        for id in self.towns.in_url(url) {
            if in_title.contains_key(&id) || in_body.contains_key(&id) {
                s.add(Target::Kommun(id.0, id.1), r.weight_url / 2.0, true);
            }
        }
    }

    /// The municipality whose evidence leads all others' by the configured margin, if it lies
    /// in `county`.
    fn leading_town(&self, s: &Scores, county: Option<&str>) -> Option<String> {
        let mut towns: Vec<((usize, usize), f32)> = s
            .publisher
            .iter()
            .filter_map(|(t, w)| match t {
                Target::Kommun(ci, mi) => Some(((*ci, *mi), *w)),
                _ => None,
            })
            .collect();
        towns.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let ((ci, mi), best) = *towns.first()?;
        let next = towns.get(1).map_or(0.0, |t| t.1);
        let c = &self.taxonomy.counties()[ci];
        let leads = best >= self.rules.town_min_score && best >= self.rules.town_margin * next;
        (leads && county == Some(c.name.as_str())).then(|| c.municipalities[mi].display_name())
    }

    fn meta(&self, meta: &SourceMeta, s: &mut Scores) {
        let w = self.rules.weight_meta;
        if let Some(r) = meta
            .region
            .as_deref()
            .and_then(|r| self.taxonomy.resolve(r))
        {
            let ci = self.county_index(&r.county.name);
            match r
                .municipality
                .and_then(|m| r.county.municipalities.iter().position(|x| x == m))
            {
                Some(mi) => s.add(Target::Kommun(ci, mi), w, true),
                None => s.add(Target::Place(ci), w, true),
            }
        }
        if let Some(org) = &meta.organisation {
            self.text(org, w, usize::MAX, true, s);
        }
    }

    fn county_index(&self, name: &str) -> usize {
        self.taxonomy
            .counties()
            .iter()
            .position(|c| c.name == name)
            .unwrap_or(0)
    }

    fn url(&self, u: &url::Url, s: &mut Scores) {
        let Some(host) = host_of(u) else {
            return;
        };
        let w = self.rules.weight_url;
        if host == self.rules.lansstyrelsen_host {
            let slug = u.path_segments().and_then(|mut p| p.next()).unwrap_or("");
            if let Some(ci) = self.taxonomy.counties().iter().position(|c| c.slug == slug) {
                s.add(Target::Lansstyrelsen(ci), w, true);
            }
            return;
        }
        if let Some(t) = self.domain_target(&host) {
            s.add(t, w, true);
        }
    }

    /// The organisation owning a host or e-mail domain (also its subdomains).
    fn domain_target(&self, host: &str) -> Option<Target> {
        let mut h = host;
        loop {
            if let Some(t) = self.domains.get(h) {
                return Some(*t);
            }
            h = h.split_once('.')?.1;
            if !h.contains('.') {
                return None;
            }
        }
    }

    fn emails(&self, text: &str, s: &mut Scores) {
        let lower = text.to_lowercase();
        for c in email_re().captures_iter(&lower) {
            let (local, domain) = (&c[1], &c[2]);
            if domain == self.rules.lansstyrelsen_host {
                match self
                    .taxonomy
                    .counties()
                    .iter()
                    .position(|x| x.slug == local)
                {
                    Some(ci) => s.add(Target::Lansstyrelsen(ci), self.rules.weight_email, true),
                    None => s.add(Target::AnyLansstyrelsen, self.rules.weight_email, true),
                }
            } else if let Some(t) = self.domain_target(domain) {
                s.add(t, self.rules.weight_email, true);
            }
        }
    }

    /// Words that point to a county administrative board ("landshövding").
    fn lst_signals(&self, text: &str, w: f32, s: &mut Scores) {
        let lower = text.to_lowercase();
        let n = self
            .rules
            .lansstyrelsen_signals
            .iter()
            .filter(|k| lower.contains(k.as_str()))
            .count();
        if n > 0 {
            s.add(
                Target::AnyLansstyrelsen,
                w * n as f32,
                w > self.rules.weight_body,
            );
        }
    }

    /// Name mentions in `text`, each name counted at most `cap` times.
    fn text(&self, text: &str, w: f32, cap: usize, publisher: bool, s: &mut Scores) {
        let lower = text
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase();
        let mut counts: HashMap<Target, usize> = HashMap::new();
        for m in self.automaton.find_iter(&lower) {
            if !is_boundary(&lower, m.start(), m.end()) {
                continue;
            }
            let t = self.targets[m.pattern().as_usize()];
            let n = counts.entry(t).or_default();
            *n += 1;
            if *n <= cap {
                let weight = if matches!(t, Target::ShortPlace(_)) {
                    w * 0.5
                } else {
                    w
                };
                s.add(t, weight, publisher);
            }
        }
    }

    fn decide(&self, s: &Scores, meta: &SourceMeta) -> Place {
        let mut county_scores: BTreeMap<usize, f32> = BTreeMap::new();
        for (t, w) in &s.all {
            if let Some(c) = t.county() {
                *county_scores.entry(c).or_default() += w;
            }
        }
        let best = county_scores
            .into_iter()
            .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)));
        let Some((ci, _)) = best else {
            return Place {
                organisation: meta.organisation.clone(),
                ..Place::default()
            };
        };
        let county = &self.taxonomy.counties()[ci];
        let any_lst = s.all.get(&Target::AnyLansstyrelsen).copied().unwrap_or(0.0);
        let mut orgs: Vec<(Target, f32)> = s
            .all
            .iter()
            .filter(|(t, _)| t.county() == Some(ci))
            .filter(|(t, _)| {
                matches!(
                    t,
                    Target::Lansstyrelsen(_) | Target::Region(_) | Target::Kommun(..)
                )
            })
            .filter(|(t, _)| {
                !matches!(t, Target::Kommun(..)) || s.publisher.get(t).copied().unwrap_or(0.0) > 0.0
            })
            .map(|(t, w)| {
                (
                    *t,
                    if matches!(t, Target::Lansstyrelsen(_)) {
                        w + any_lst
                    } else {
                        *w
                    },
                )
            })
            .collect();
        if any_lst > 0.0
            && !orgs
                .iter()
                .any(|(t, _)| matches!(t, Target::Lansstyrelsen(_)))
        {
            orgs.push((Target::Lansstyrelsen(ci), any_lst));
        }
        orgs.sort_by(|a, b| b.1.total_cmp(&a.1));
        let mut place = Place {
            county: Some(county.name.clone()),
            ..Place::default()
        };
        match orgs.first().map(|(t, _)| *t) {
            Some(Target::Kommun(_, mi)) => {
                let name = county.municipalities[mi].display_name();
                place.municipality = Some(name.clone());
                place.organisation = Some(name);
            }
            Some(Target::Lansstyrelsen(_)) => place.organisation = Some(county.lansstyrelsen()),
            Some(Target::Region(_)) => place.organisation = Some(county.region_org.clone()),
            _ => {}
        }
        if let Some(org) = &meta.organisation {
            place.organisation = Some(org.clone());
        }
        place
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ClassifyConfig;

    #[test]
    fn equal_evidence_for_two_organisations_falls_the_same_way_every_time() {
        let cfg = ClassifyConfig::load().unwrap();
        let m = RegionMatcher::new(Taxonomy::load().unwrap(), cfg.organisation).unwrap();
        let meta = SourceMeta::default();
        // The board and the region of one county, and two counties, named alike: each
        // decision (with maps of its own) must come out the same.
        let decide = || {
            let mut s = Scores::default();
            for t in [
                Target::Region(3),
                Target::Lansstyrelsen(3),
                Target::Region(5),
                Target::Lansstyrelsen(5),
            ] {
                s.add(t, 1.0, true);
            }
            m.decide(&s, &meta)
        };
        let first = decide();
        assert!(first.organisation.is_some(), "{first:?}");
        for _ in 0..40 {
            assert_eq!(decide(), first);
        }
    }
}
