//! The facet filters of a request: parsed and validated once ([`FilterSpec`]), then turned
//! into tantivy queries (for passage search, measures and similar) or applied to the facet
//! table of each segment (document search, see [`crate::facet::table`]).
//!
//! Values within one filter are OR-ed, different filters AND-ed. A region filter names a
//! county (matching its municipalities too) or a municipality.

use std::ops::Bound;

use tantivy::query::{BooleanQuery, ConstScoreQuery, Occur, Query, RangeQuery, TermQuery};
use tantivy::schema::{Facet, Field, IndexRecordOption};
use tantivy::Term;

use crate::error::invalid;
use crate::request::SearchRequest;
use crate::response::AppliedFilters;
use crate::schema::Fields;
use crate::IndexError;
use plansok_model::{DocType, Goal, Period, Taxonomy};

/// A facet, which is also a filter dimension. Its position in [`DIMS`] is its bit in a
/// filter-failure mask.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dim {
    Region,
    Period,
    Goal,
    Type,
    Org,
    Lang,
    Topic,
}

pub(crate) const DIMS: [Dim; 7] = [
    Dim::Region,
    Dim::Period,
    Dim::Goal,
    Dim::Type,
    Dim::Org,
    Dim::Lang,
    Dim::Topic,
];

/// The values of the topic facet: about men's violence against women and violence in close
/// relationships, or only sharing its words (a workplace's "hot och våld", a climate plan, a
/// Norwegian page).
pub const TOPICS: [(&str, &str); 2] = [
    ("on", "Om mäns våld mot kvinnor"),
    ("off", "Delar bara orden"),
];

impl Dim {
    pub(crate) fn bit(self) -> u8 {
        // The variants are declared in the order of DIMS.
        1 << self as u8
    }
}

/// A region filter value: a county, or one municipality of it (names as indexed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RegionValue {
    pub county: String,
    pub municipality: Option<String>,
}

/// The validated filters of a request; an empty list is no filter.
#[derive(Debug, Clone, Default)]
pub(crate) struct FilterSpec {
    pub regions: Vec<RegionValue>,
    pub period: Option<Period>,
    pub goals: Vec<Goal>,
    pub types: Vec<DocType>,
    pub orgs: Vec<String>,
    pub langs: Vec<String>,
    /// Whether on-topic documents pass (`Some(true)`), off-topic ones (`Some(false)`), or both.
    pub on_topic: Option<bool>,
}

/// A request error: the value of `name` cannot be used.
impl FilterSpec {
    /// Reads the filters of `req`; an unknown region, goal or type, a period that is not a
    /// year or a range of years, or a language that is not a two-letter code is an error.
    pub fn parse(tax: &Taxonomy, req: &SearchRequest) -> Result<Self, IndexError> {
        let regions = req
            .regions
            .iter()
            .map(|r| {
                let place = tax
                    .resolve(r)
                    .ok_or_else(|| invalid("region", unknown_region(tax, r)))?;
                Ok(RegionValue {
                    county: place.county.name.clone(),
                    municipality: place.municipality.map(|m| m.display_name()),
                })
            })
            .collect::<Result<_, IndexError>>()?;
        let period = match req.period.as_deref().filter(|p| !p.trim().is_empty()) {
            None => None,
            Some(p) => Some(Period::parse(p).ok_or_else(|| {
                invalid(
                    "period",
                    format!(
                        "period {p:?} is not a year from 1990 to 2100 or a range of them such \
                         as 2022-2026 (first year first, at most 30 years)"
                    ),
                )
            })?),
        };
        let goal_slugs = Goal::ALL.map(|g| (g.slug(), g.label()));
        let goals = slugs(&req.goals, "goal", Goal::from_slug, &goal_slugs)?;
        let type_slugs = DocType::ALL.map(|t| (t.slug(), t.label()));
        let types = slugs(&req.types, "type", DocType::from_slug, &type_slugs)?;
        let langs = req
            .langs
            .iter()
            .map(|l| {
                let l = l.trim().to_lowercase();
                if l.len() != 2 || !l.chars().all(|c| c.is_ascii_lowercase()) {
                    return Err(invalid(
                        "lang",
                        format!("{l:?} is not an ISO 639-1 code such as sv or en"),
                    ));
                }
                Ok(l)
            })
            .collect::<Result<_, _>>()?;
        let topics = slugs(&req.topics, "topic", topic_of, &TOPICS)?;
        Ok(FilterSpec {
            regions,
            period,
            goals,
            types,
            orgs: req.orgs.iter().map(|o| o.trim().to_string()).collect(),
            langs,
            // Both values are no filter.
            on_topic: match (topics.contains(&true), topics.contains(&false)) {
                (true, false) => Some(true),
                (false, true) => Some(false),
                _ => None,
            },
        })
    }

    /// The filters in the values of the facets, for the response to echo.
    pub fn applied(&self) -> AppliedFilters {
        AppliedFilters {
            region: self
                .regions
                .iter()
                .map(|r| r.municipality.clone().unwrap_or_else(|| r.county.clone()))
                .collect(),
            goal: self.goals.iter().map(|g| g.slug().to_string()).collect(),
            doc_type: self.types.iter().map(|t| t.slug().to_string()).collect(),
            period: self.period.map(|p| match p.start == p.end {
                true => p.start.to_string(),
                false => format!("{}-{}", p.start, p.end),
            }),
            organisation: self.orgs.clone(),
            lang: self.langs.clone(),
            topic: match self.on_topic {
                Some(on) => vec![TOPICS[usize::from(!on)].0.to_string()],
                None => Vec::new(),
            },
        }
    }

    /// True when the request filters on `d`.
    pub fn has(&self, d: Dim) -> bool {
        match d {
            Dim::Region => !self.regions.is_empty(),
            Dim::Period => self.period.is_some(),
            Dim::Goal => !self.goals.is_empty(),
            Dim::Type => !self.types.is_empty(),
            Dim::Org => !self.orgs.is_empty(),
            Dim::Lang => !self.langs.is_empty(),
            Dim::Topic => self.on_topic.is_some(),
        }
    }

    /// The filter on `d` as a query that matches without adding to the score.
    pub fn query(&self, f: &Fields, d: Dim) -> Option<Box<dyn Query>> {
        if !self.has(d) {
            return None;
        }
        let q = match d {
            Dim::Region => any_of(
                self.regions
                    .iter()
                    .map(|r| {
                        let path: Vec<&str> = ["region", r.county.as_str()]
                            .into_iter()
                            .chain(r.municipality.as_deref())
                            .collect();
                        facet_term(f.region, &path)
                    })
                    .collect(),
            ),
            Dim::Period => period_query(f, self.period?),
            Dim::Goal => any_of(
                self.goals
                    .iter()
                    .map(|g| facet_term(f.goal, &["goal", g.slug()]))
                    .collect(),
            ),
            Dim::Type => any_of(
                self.types
                    .iter()
                    .map(|t| facet_term(f.doc_type, &["type", t.slug()]))
                    .collect(),
            ),
            Dim::Org => any_of(
                self.orgs
                    .iter()
                    .map(|o| facet_term(f.org, &["org", o.as_str()]))
                    .collect(),
            ),
            Dim::Lang => any_of(
                self.langs
                    .iter()
                    .map(|l| facet_term(f.lang, &["lang", l.as_str()]))
                    .collect(),
            ),
            // An index made before the topic facet: every entry counts as on topic.
            Dim::Topic => match (f.topic, self.on_topic?) {
                (Some(field), on) => facet_term(field, &["topic", crate::schema::topic_value(on)]),
                (None, true) => Box::new(tantivy::query::AllQuery),
                (None, false) => Box::new(tantivy::query::EmptyQuery),
            },
        };
        Some(unscored(q))
    }

    /// Every filter of the request as a query.
    pub fn queries(&self, f: &Fields) -> Vec<Box<dyn Query>> {
        DIMS.iter().filter_map(|d| self.query(f, *d)).collect()
    }
}

/// The values of a filter named by slugs or labels; an unknown one is an error that lists
/// the valid ones (`valid`: slug and label).
fn slugs<T>(
    values: &[String],
    name: &'static str,
    from_slug: impl Fn(&str) -> Option<T>,
    valid: &[(&str, &str)],
) -> Result<Vec<T>, IndexError> {
    let listed = || {
        valid
            .iter()
            .map(|(slug, label)| format!("{slug} ({label})"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    values
        .iter()
        .map(|v| {
            from_slug(v)
                .ok_or_else(|| invalid(name, format!("unknown {name} {v:?}; one of: {}", listed())))
        })
        .collect()
}

/// A topic filter value: `on` or `off`, or their labels.
fn topic_of(v: &str) -> Option<bool> {
    let v = v.trim().to_lowercase();
    TOPICS
        .iter()
        .position(|(slug, label)| v == *slug || v == label.to_lowercase())
        .map(|i| i == 0)
}

/// What is wrong with a region filter, and what would be right.
fn unknown_region(tax: &Taxonomy, r: &str) -> String {
    let counties: Vec<&str> = tax.counties().iter().map(|c| c.slug.as_str()).collect();
    format!(
        "unknown region {r:?}; give a county by name, slug or code ({}) or a municipality by \
         name, slug or code (such as \"Luleå kommun\", lulea or 2580)",
        counties.join(", ")
    )
}

/// `q` as a filter: it matches the same entries and adds nothing to their score.
pub(crate) fn unscored(q: Box<dyn Query>) -> Box<dyn Query> {
    Box::new(ConstScoreQuery::new(q, 0.0))
}

fn facet_term(field: Field, path: &[&str]) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_facet(field, &Facet::from_path(path)),
        IndexRecordOption::Basic,
    ))
}

pub(crate) fn any_of(qs: Vec<Box<dyn Query>>) -> Box<dyn Query> {
    Box::new(BooleanQuery::new(
        qs.into_iter().map(|q| (Occur::Should, q)).collect(),
    ))
}

/// Entries whose period overlaps `p`: start ≤ p.end and end ≥ p.start.
fn period_query(f: &Fields, p: Period) -> Box<dyn Query> {
    let starts_before = RangeQuery::new(
        Bound::Unbounded,
        Bound::Included(Term::from_field_u64(f.period_start, p.end as u64)),
    );
    let ends_after = RangeQuery::new(
        Bound::Included(Term::from_field_u64(f.period_end, p.start as u64)),
        Bound::Unbounded,
    );
    Box::new(BooleanQuery::new(vec![
        (Occur::Must, Box::new(starts_before)),
        (Occur::Must, Box::new(ends_after)),
    ]))
}

/// The filter queries of a request (validated), for the searches that run them as queries
/// (passages, measures).
pub(crate) fn filter_queries(
    f: &Fields,
    tax: &Taxonomy,
    req: &SearchRequest,
) -> Result<Vec<Box<dyn Query>>, IndexError> {
    Ok(FilterSpec::parse(tax, req)?.queries(f))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_facet_bit_is_its_place_in_dims() {
        for (i, d) in DIMS.iter().enumerate() {
            assert_eq!(d.bit(), 1 << i, "{d:?}");
        }
    }
}
