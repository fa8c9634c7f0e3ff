//! Coverage ([`coverage`]): which counties and municipalities have a plan with a plan period,
//! and which have one in force in a given year (`/api/coverage` and the page `/tackning`).
//!
//! The documents come from the per-segment facet tables ([`crate::facet::table`]), not from a
//! search: one pass over the document entries of each segment (a `kind:doc` term walked
//! without scoring), each checked against the type and goal filters in the table's ids
//! ([`SegmentFilter`], the check of document search) and read from the table's decoded
//! metadata. No stored document is read and nothing is ranked: 30,000 documents (15,000 of
//! them plans) took about 10 ms once the tables were built (80 ms with the first build), where
//! an empty search would page through 300 pages of hits with snippets. The filters are parsed by [`FilterSpec::parse`], so their
//! labels and error messages are those of `/api/search`.

use std::collections::HashMap;

use serde::Serialize;
use tantivy::query::EnableScoring;

use crate::error::invalid;
use crate::facet::filters::FilterSpec;
use crate::facet::segment_filter::SegmentFilter;
use crate::meta::DocMeta;
use crate::query::kind_query;
use crate::request::SearchRequest;
use crate::response::HitPeriod;
use crate::schema::KIND_DOC;
use crate::searcher::SearchIndex;
use crate::IndexError;
use plansok_model::{DocType, Taxonomy};

/// The types of documents counted when a request names none: plans, strategies, agreements.
pub const COVERAGE_TYPES: [DocType; 3] = DocType::PLANS;

/// The years a coverage year may be.
pub const COVERAGE_YEARS: std::ops::RangeInclusive<u16> = 1990..=2100;

/// What coverage to compute: raw user values for `types` and `goals` (slugs or labels, OR-ed;
/// no types: [`COVERAGE_TYPES`]), and the year whose plans in force are marked.
#[derive(Debug, Clone, Default)]
pub struct CoverageRequest {
    pub types: Vec<String>,
    pub goals: Vec<String>,
    pub year: u16,
}

/// A plan with a plan period.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct CoveragePlan {
    pub id: String,
    pub title: String,
    /// A type slug.
    #[serde(rename = "type")]
    pub doc_type: String,
    pub period: HitPeriod,
    pub url: Option<String>,
    pub organisation: Option<String>,
    /// The municipality (organisation-style name, "Kramfors kommun"); null for a county's own.
    pub municipality: Option<String>,
}

impl CoveragePlan {
    /// True when the plan's period holds `year`.
    pub fn in_force(&self, year: u16) -> bool {
        self.period.start <= year && year <= self.period.end
    }
}

/// A municipality's plans.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct MunicipalityCoverage {
    /// As a hit's `municipality` ("Kramfors kommun").
    pub name: String,
    /// Some plan of the municipality is in force in the year.
    pub in_force: bool,
    pub plans: Vec<CoveragePlan>,
}

/// A county's own plans and, nested, those of its municipalities that have any.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct CountyCoverage {
    /// The county's full name ("Skåne län").
    pub region: String,
    pub slug: String,
    /// Some plan of the county or of one of its municipalities is in force in the year.
    pub in_force: bool,
    /// The county's own plans (no municipality), by period.
    pub plans: Vec<CoveragePlan>,
    /// In the order of the taxonomy.
    pub municipalities: Vec<MunicipalityCoverage>,
}

/// The coverage of every county (`/api/coverage`).
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct Coverage {
    /// The year whose plans in force are marked.
    pub year: u16,
    /// The type slugs counted.
    pub types: Vec<String>,
    /// Every county, in the order of the taxonomy.
    pub counties: Vec<CountyCoverage>,
    /// The counties (full names) with no plan in force in the year.
    pub without_plan: Vec<String>,
}

impl Coverage {
    /// Every plan: each county's own, then its municipalities'.
    pub fn plans(&self) -> impl Iterator<Item = (&CountyCoverage, &CoveragePlan)> {
        self.counties.iter().flat_map(|c| {
            c.plans
                .iter()
                .chain(c.municipalities.iter().flat_map(|m| m.plans.iter()))
                .map(move |p| (c, p))
        })
    }
}

/// The coverage of the committed index: for each county of `tax`, the documents of the
/// requested types and goals that have a plan period, and whether any is in force in the year.
/// A document without a county (or of a county not in `tax`) is left out.
pub fn coverage(
    index: &SearchIndex,
    tax: &Taxonomy,
    req: &CoverageRequest,
) -> Result<Coverage, IndexError> {
    if !COVERAGE_YEARS.contains(&req.year) {
        return Err(invalid(
            "year",
            format!(
                "year {} is not a year from {} to {}",
                req.year,
                COVERAGE_YEARS.start(),
                COVERAGE_YEARS.end()
            ),
        ));
    }
    let types = if req.types.is_empty() {
        COVERAGE_TYPES.map(|t| t.slug().to_string()).to_vec()
    } else {
        req.types.clone()
    };
    let mut spec = FilterSpec::parse(
        tax,
        &SearchRequest {
            types,
            goals: req.goals.clone(),
            ..SearchRequest::default()
        },
    )?;
    let mut seen = Vec::new();
    spec.types.retain(|t| {
        let new = !seen.contains(t);
        seen.push(*t);
        new
    });
    let metas = matching_metas(index, &spec)?;
    Ok(arrange(tax, req.year, &spec.types, metas))
}

/// The metadata of every live document entry that passes `spec` and has a plan period.
fn matching_metas(
    index: &SearchIndex,
    spec: &FilterSpec,
) -> Result<Vec<std::sync::Arc<DocMeta>>, IndexError> {
    let searcher = index.reader().searcher();
    let tables = index.facet_tables(&searcher)?;
    let docs = kind_query(index.fields(), KIND_DOC);
    let weight = docs.weight(EnableScoring::disabled_from_searcher(&searcher))?;
    let mut out = Vec::new();
    for reader in searcher.segment_readers() {
        let table = tables.of(reader)?;
        let filter = SegmentFilter::new(spec, &table);
        let alive = reader.alive_bitset();
        weight.for_each_no_score(reader, &mut |docs| {
            for &doc in docs {
                if alive.is_some_and(|a| !a.is_alive(doc)) {
                    continue;
                }
                let Some(row) = table.documents.get(doc) else {
                    continue;
                };
                if row.start == 0 || filter.fails(row) != 0 {
                    continue;
                }
                if let Some(meta) = table.meta_of(doc) {
                    out.push(meta.clone());
                }
            }
        })?;
    }
    Ok(out)
}

/// The documents under their counties and municipalities, in the taxonomy's order.
fn arrange(
    tax: &Taxonomy,
    year: u16,
    types: &[DocType],
    metas: Vec<std::sync::Arc<DocMeta>>,
) -> Coverage {
    // County name → (own plans, municipality name → plans).
    type Plans = (Vec<CoveragePlan>, HashMap<String, Vec<CoveragePlan>>);
    let mut by_county: HashMap<&str, Plans> = HashMap::new();
    for m in &metas {
        let (Some(region), Some(period)) = (m.region.as_deref(), m.period) else {
            continue;
        };
        let Some(county) = tax.county_by_name(region) else {
            continue;
        };
        let plan = CoveragePlan {
            id: m.id.clone(),
            title: m.title.clone(),
            doc_type: m.doc_type.slug().to_string(),
            period: period.into(),
            url: m.url.clone(),
            organisation: m.organisation.clone(),
            municipality: m.municipality.clone(),
        };
        let entry = by_county.entry(county.name.as_str()).or_default();
        match &m.municipality {
            None => entry.0.push(plan),
            Some(name) => entry.1.entry(name.clone()).or_default().push(plan),
        }
    }
    let mut counties = Vec::with_capacity(tax.counties().len());
    for county in tax.counties() {
        let (mut own, mut places) = by_county.remove(county.name.as_str()).unwrap_or_default();
        sort_plans(&mut own);
        // The taxonomy's municipalities first, in its order; any other name after them.
        let mut names: Vec<String> = county
            .municipalities
            .iter()
            .map(|m| m.display_name())
            .filter(|n| places.contains_key(n))
            .collect();
        let mut others: Vec<String> = places
            .keys()
            .filter(|n| !names.contains(n))
            .cloned()
            .collect();
        others.sort();
        names.extend(others);
        let municipalities: Vec<MunicipalityCoverage> = names
            .into_iter()
            .map(|name| {
                let mut plans = places.remove(&name).unwrap_or_default();
                sort_plans(&mut plans);
                MunicipalityCoverage {
                    in_force: plans.iter().any(|p| p.in_force(year)),
                    name,
                    plans,
                }
            })
            .collect();
        let in_force =
            own.iter().any(|p| p.in_force(year)) || municipalities.iter().any(|m| m.in_force);
        counties.push(CountyCoverage {
            region: county.name.clone(),
            slug: county.slug.clone(),
            in_force,
            plans: own,
            municipalities,
        });
    }
    let without_plan = counties
        .iter()
        .filter(|c| !c.in_force)
        .map(|c| c.region.clone())
        .collect();
    Coverage {
        year,
        types: types.iter().map(|t| t.slug().to_string()).collect(),
        counties,
        without_plan,
    }
}

/// By period (start, then end), then title and id.
fn sort_plans(plans: &mut [CoveragePlan]) {
    plans.sort_by(|a, b| {
        (a.period.start, a.period.end, &a.title, &a.id).cmp(&(
            b.period.start,
            b.period.end,
            &b.title,
            &b.id,
        ))
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{self, section, Rng};
    use crate::{Indexer, SearchConfig};
    use plansok_model::{Document, Goal, Period};

    /// A document of `county` (and `municipality`) of type `t` with period `period`.
    fn doc(
        id: &str,
        county: Option<&str>,
        municipality: Option<&str>,
        t: DocType,
        period: Option<(u16, u16)>,
        goals: &[Goal],
    ) -> Document {
        Document {
            region: county.map(Into::into),
            municipality: municipality.map(Into::into),
            organisation: Some(format!("Organisation {id}")),
            url: Some(format!("https://example.se/{id}")),
            doc_type: t,
            period: period.and_then(|(s, e)| Period::new(s, e)),
            goals: goals.to_vec(),
            ..test_support::plan(
                id,
                &format!("hash-{id}"),
                "våld i nära relationer",
                vec![section("våld i nära relationer", None)],
            )
        }
    }

    fn request(types: &[&str], goals: &[&str], year: u16) -> CoverageRequest {
        CoverageRequest {
            types: types.iter().map(|s| s.to_string()).collect(),
            goals: goals.iter().map(|s| s.to_string()).collect(),
            year,
        }
    }

    fn open(dir: &std::path::Path) -> Indexer {
        Indexer::open(dir, SearchConfig::load().unwrap()).unwrap()
    }

    fn ids(c: &Coverage) -> Vec<String> {
        let mut ids: Vec<String> = c.plans().map(|(_, p)| p.id.clone()).collect();
        ids.sort();
        ids
    }

    #[test]
    fn plans_are_nested_by_county_and_municipality_and_marked_in_force() {
        let tax = Taxonomy::load().unwrap();
        let c0 = &tax.counties()[0];
        let c1 = &tax.counties()[1];
        let (m0, m1) = (
            c0.municipalities[0].display_name(),
            c0.municipalities[1].display_name(),
        );
        let dir = tempfile::tempdir().unwrap();
        let mut index = open(dir.path());
        let g = [Goal::Forebyggande];
        let docs = [
            doc(
                "a1",
                Some(&c0.name),
                None,
                DocType::Handlingsplan,
                Some((2022, 2025)),
                &g,
            ),
            // Listed after the first municipality although written first.
            doc(
                "a2",
                Some(&c0.name),
                Some(&m1),
                DocType::Strategi,
                Some((2018, 2020)),
                &[],
            ),
            doc(
                "a3",
                Some(&c0.name),
                Some(&m0),
                DocType::Overenskommelse,
                Some((2026, 2030)),
                &[],
            ),
            doc(
                "b1",
                Some(&c1.name),
                Some(&c1.municipalities[0].display_name()),
                DocType::Handlingsplan,
                Some((2019, 2021)),
                &g,
            ),
            // Left out: no period, a type not asked for, no county.
            doc("x1", Some(&c1.name), None, DocType::Handlingsplan, None, &g),
            doc(
                "x2",
                Some(&c1.name),
                None,
                DocType::Nyhet,
                Some((2025, 2025)),
                &g,
            ),
            doc(
                "x3",
                None,
                None,
                DocType::Handlingsplan,
                Some((2025, 2025)),
                &g,
            ),
        ];
        for d in &docs {
            index.upsert(d).unwrap();
        }
        index.commit().unwrap();
        index.reader().reload().unwrap();

        let got = coverage(&index, &tax, &request(&[], &[], 2025)).unwrap();
        assert_eq!(got.year, 2025);
        assert_eq!(got.types, ["handlingsplan", "strategi", "overenskommelse"]);
        let names: Vec<&str> = got.counties.iter().map(|c| c.region.as_str()).collect();
        let want: Vec<&str> = tax.counties().iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, want, "every county, in taxonomy order");
        assert_eq!(ids(&got), ["a1", "a2", "a3", "b1"]);
        let first = &got.counties[0];
        assert_eq!(first.slug, c0.slug);
        assert!(first.in_force);
        assert_eq!(first.plans.len(), 1);
        let a1 = &first.plans[0];
        assert_eq!(a1.doc_type, "handlingsplan");
        assert_eq!((a1.period.start, a1.period.end), (2022, 2025));
        assert_eq!(a1.url.as_deref(), Some("https://example.se/a1"));
        assert_eq!(a1.organisation.as_deref(), Some("Organisation a1"));
        assert_eq!(a1.municipality, None);
        let munis: Vec<(&str, bool)> = first
            .municipalities
            .iter()
            .map(|m| (m.name.as_str(), m.in_force))
            .collect();
        assert_eq!(munis, [(m0.as_str(), false), (m1.as_str(), false)]);
        assert_eq!(
            first.municipalities[0].plans[0].municipality.as_deref(),
            Some(m0.as_str())
        );
        assert!(!got.counties[1].in_force);
        let without: Vec<&str> = got.without_plan.iter().map(String::as_str).collect();
        assert_eq!(without, &want[1..], "all but the first county");

        // Another year: only the municipality's agreement of the first county, and the
        // second county's plan in 2020.
        let later = coverage(&index, &tax, &request(&[], &[], 2027)).unwrap();
        assert!(later.counties[0].in_force);
        assert!(later.counties[0].municipalities[0].in_force);
        assert!(!later.counties[1].in_force);
        let earlier = coverage(&index, &tax, &request(&[], &[], 2020)).unwrap();
        assert!(earlier.counties[0].in_force && earlier.counties[1].in_force);
        assert_eq!(earlier.without_plan.len(), 19);
    }

    #[test]
    fn types_and_goals_filter_as_search_does_with_its_messages() {
        let tax = Taxonomy::load().unwrap();
        let c = &tax.counties()[2];
        let dir = tempfile::tempdir().unwrap();
        let mut index = open(dir.path());
        let g = [Goal::SkyddOchStod];
        for d in [
            doc(
                "p",
                Some(&c.name),
                None,
                DocType::Handlingsplan,
                Some((2024, 2026)),
                &g,
            ),
            doc(
                "n",
                Some(&c.name),
                None,
                DocType::Nyhet,
                Some((2025, 2025)),
                &[],
            ),
            doc(
                "s",
                Some(&c.name),
                None,
                DocType::Strategi,
                Some((2020, 2030)),
                &[],
            ),
        ] {
            index.upsert(&d).unwrap();
        }
        index.commit().unwrap();
        index.reader().reload().unwrap();
        // A label and a slug, in any case; a repeated type is listed once.
        let got = coverage(
            &index,
            &tax,
            &request(&["Nyhet", "handlingsplan", "nyhet"], &[], 2025),
        )
        .unwrap();
        assert_eq!(got.types, ["nyhet", "handlingsplan"]);
        assert_eq!(ids(&got), ["n", "p"]);
        let got = coverage(&index, &tax, &request(&[], &["Skydd och stöd"], 2025)).unwrap();
        assert_eq!(ids(&got), ["p"]);
        let got = coverage(
            &index,
            &tax,
            &request(&["strategi"], &["skydd-och-stod"], 2025),
        );
        assert_eq!(ids(&got.unwrap()), Vec::<String>::new());

        let err = |r: &CoverageRequest| match coverage(&index, &tax, r) {
            Err(IndexError::InvalidFilter { name, message }) => (name, message),
            other => panic!("{other:?}"),
        };
        let (name, message) = err(&request(&["plan"], &[], 2025));
        assert_eq!(name, "type");
        assert!(
            message.contains("overenskommelse (Överenskommelse)"),
            "{message}"
        );
        let (name, message) = err(&request(&[], &["fred"], 2025));
        assert_eq!(name, "goal");
        assert!(
            message.contains("skydd-och-stod (Skydd och stöd)"),
            "{message}"
        );
        for year in [1989, 2101, 0] {
            let (name, message) = err(&request(&[], &[], year));
            assert_eq!(name, "year");
            assert!(message.contains("1990 to 2100"), "{message}");
        }
    }

    #[test]
    fn a_replaced_document_counts_once_across_segments() {
        let tax = Taxonomy::load().unwrap();
        let c = &tax.counties()[3];
        let dir = tempfile::tempdir().unwrap();
        let mut index = open(dir.path());
        let mut rng = Rng(11);
        // Three commits, three segments; the plan is rewritten with a new period in the last.
        for round in 0..3u16 {
            for i in 0..5 {
                let start = 2015 + rng.below(10) as u16;
                let id = format!("d{i}-{round}");
                let d = doc(
                    &id,
                    Some(&c.name),
                    None,
                    DocType::Strategi,
                    Some((start, start + 2)),
                    &[],
                );
                index.upsert(&d).unwrap();
            }
            let d = doc(
                "plan",
                Some(&c.name),
                None,
                DocType::Handlingsplan,
                Some((2010 + round, 2012 + round)),
                &[],
            );
            index
                .upsert(&Document {
                    content_hash: format!("plan-{round}"),
                    ..d
                })
                .unwrap();
            index.commit().unwrap();
        }
        index.reader().reload().unwrap();
        let got = coverage(&index, &tax, &request(&[], &[], 2013)).unwrap();
        let plans: Vec<&CoveragePlan> = got
            .plans()
            .map(|(_, p)| p)
            .filter(|p| p.id == "plan")
            .collect();
        assert_eq!(plans.len(), 1);
        assert_eq!((plans[0].period.start, plans[0].period.end), (2012, 2014));
        assert_eq!(got.plans().count(), 16);
        // Sorted by period within the county.
        let starts: Vec<u16> = got.counties[3]
            .plans
            .iter()
            .map(|p| p.period.start)
            .collect();
        assert!(starts.windows(2).all(|w| w[0] <= w[1]), "{starts:?}");
    }
}
