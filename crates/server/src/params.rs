//! Query-string parsing ([`Params`]) and the parameters as the OpenAPI document declares them.
//!
//! Each route takes its own set of parameters ([`Route`]); an unknown one is a 400 that lists
//! the valid ones. The filters `region`, `goal`, `type`, `org` and `lang` may repeat (OR within
//! the filter); every other parameter is single-valued and given twice is a 400.

use plansok_index::SearchRequest;

use crate::limits::MAX_URI_BYTES;
use crate::ApiError;

/// Deepest page a search reaches (offset); every hit is in the CSV and JSON Lines exports.
pub const MAX_OFFSET: usize = 10_000;
/// Most measures per county `/api/measures` gives.
pub const MAX_MEASURES_PER_COUNTY: usize = 20;

/// The filters, which may repeat.
const FILTERS: [&str; 5] = ["region", "goal", "type", "org", "lang"];

/// Which route the parameters are for: each takes its own set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    Search,
    Facets,
    Measures,
    Feed,
    Suggest,
    Coverage,
}

impl Route {
    /// The parameters this route reads, filters included.
    pub fn names(self) -> &'static [&'static str] {
        match self {
            Route::Search => &[
                "q", "region", "period", "goal", "type", "org", "lang", "topic", "limit", "offset",
                "sort", "syntax", "format", "dialect",
            ],
            Route::Facets => &[
                "q", "region", "period", "goal", "type", "org", "lang", "topic", "syntax",
            ],
            Route::Measures => &[
                "q", "region", "period", "goal", "type", "org", "lang", "topic", "syntax", "limit",
            ],
            Route::Feed => &[
                "q", "region", "period", "goal", "type", "org", "lang", "topic", "syntax",
            ],
            Route::Suggest => &["q", "limit"],
            Route::Coverage => &["type", "goal", "year", "format"],
        }
    }
}

/// How a search answers: JSON, a CSV file, or JSON Lines (one hit per line).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Format {
    #[default]
    Json,
    Csv,
    Jsonl,
}

/// The parameters of a request, read but not yet checked against the index.
#[derive(Debug, Default, Clone)]
pub struct Params {
    pub q: String,
    pub region: Vec<String>,
    pub period: Option<String>,
    pub goal: Vec<String>,
    pub doc_type: Vec<String>,
    pub org: Vec<String>,
    pub lang: Vec<String>,
    /// `on` or `off` (or their labels): documents about the topic, or only sharing its words.
    pub topic: Option<String>,
    pub limit: Option<String>,
    pub offset: Option<String>,
    pub format: Format,
    /// CSV for a spreadsheet with a semicolon list separator (Swedish Excel): `;`, a BOM.
    pub excel: bool,
    pub sort_by_date: bool,
    pub strict: bool,
}

impl Params {
    /// Parses a raw query string for `route` (percent-decoding; invalid UTF-8 becomes U+FFFD).
    pub fn parse(raw: &str, route: Route) -> Result<Self, ApiError> {
        if raw.len() > MAX_URI_BYTES {
            return Err(ApiError::new(
                "uri_too_long",
                format!("the query string is longer than {MAX_URI_BYTES} bytes"),
            ));
        }
        let mut p = Params::default();
        let mut seen: Vec<String> = Vec::new();
        for (k, v) in url::form_urlencoded::parse(raw.as_bytes()) {
            let (k, v) = (k.into_owned(), v.into_owned());
            check_name(&k, route, &seen)?;
            p.set(&k, v)?;
            seen.push(k);
        }
        Ok(p)
    }

    fn set(&mut self, key: &str, v: String) -> Result<(), ApiError> {
        // An empty filter or number (a form's "any" choice: `region=`) is no filter, as an
        // empty `period=` always was.
        const OPTIONAL: [&str; 9] = [
            "region", "period", "goal", "type", "org", "lang", "topic", "limit", "offset",
        ];
        if v.trim().is_empty() && OPTIONAL.contains(&key) {
            return Ok(());
        }
        match key {
            "q" => self.q = v,
            "region" => self.region.push(v),
            "period" => self.period = Some(v),
            "goal" => self.goal.push(v),
            "type" => self.doc_type.push(v),
            "org" => self.org.push(v),
            "lang" => self.lang.push(v),
            "topic" => self.topic = Some(v),
            "limit" => self.limit = Some(v),
            "offset" => self.offset = Some(v),
            "format" => self.format = format(one_of(key, &v, &["json", "csv", "jsonl"])?),
            "dialect" => self.excel = one_of(key, &v, &["standard", "excel"])? == "excel",
            "sort" => self.sort_by_date = one_of(key, &v, &["relevance", "date"])? == "date",
            "syntax" => self.strict = one_of(key, &v, &["lenient", "strict"])? == "strict",
            _ => {}
        }
        Ok(())
    }

    /// The search request these parameters describe; `limit` may be 0 (counts and facets
    /// only) up to `max_limit`.
    pub fn to_request(&self, max_limit: usize) -> Result<SearchRequest, ApiError> {
        Ok(SearchRequest {
            query: self.q.clone(),
            regions: self.region.clone(),
            period: self.period.clone(),
            goals: self.goal.clone(),
            types: self.doc_type.clone(),
            orgs: self.org.clone(),
            langs: self.lang.clone(),
            topics: self.topic.iter().cloned().collect(),
            limit: number("limit", &self.limit, max_limit, "")?,
            offset: number(
                "offset",
                &self.offset,
                MAX_OFFSET,
                "; every hit is in format=csv or format=jsonl",
            )?
            .unwrap_or(0),
            sort_by_date: self.sort_by_date,
            strict_syntax: self.strict,
            // An export lists every matching document, near-duplicates too.
            keep_near_duplicates: self.format != Format::Json,
        })
    }
}

/// An unknown parameter, or a single-valued one given again, is an error naming the valid ones.
fn check_name(key: &str, route: Route, seen: &[String]) -> Result<(), ApiError> {
    let names = route.names();
    if !names.contains(&key) {
        return Err(ApiError::new(
            "invalid_parameter",
            format!(
                "unknown parameter {key:?}; this route takes: {}",
                names.join(", ")
            ),
        ));
    }
    if !FILTERS.contains(&key) && seen.iter().any(|s| s == key) {
        return Err(ApiError::new(
            "invalid_parameter",
            format!(
                "{key} is given more than once; only {} may repeat (a range such as \
                 period=2022-2024 covers several years)",
                FILTERS.join(", ")
            ),
        ));
    }
    Ok(())
}

/// `v` if it is one of `valid` (any case), else the error `invalid_<name>` listing them.
fn one_of(name: &str, v: &str, valid: &[&'static str]) -> Result<&'static str, ApiError> {
    let lower = v.trim().to_lowercase();
    valid.iter().find(|x| **x == lower).copied().ok_or_else(|| {
        ApiError::new(
            &format!("invalid_{name}"),
            format!("{name} {v:?} is not valid; one of: {}", valid.join(", ")),
        )
    })
}

fn format(name: &str) -> Format {
    match name {
        "csv" => Format::Csv,
        "jsonl" => Format::Jsonl,
        _ => Format::Json,
    }
}

/// A whole number from 0 to `max`, or the error `invalid_<name>` saying so.
pub(crate) fn number(
    name: &str,
    v: &Option<String>,
    max: usize,
    hint: &str,
) -> Result<Option<usize>, ApiError> {
    number_in(name, v, 0..=max, hint)
}

/// A whole number in `range`, or the error `invalid_<name>` saying so.
pub(crate) fn number_in(
    name: &str,
    v: &Option<String>,
    range: std::ops::RangeInclusive<usize>,
    hint: &str,
) -> Result<Option<usize>, ApiError> {
    let Some(s) = v.as_deref() else {
        return Ok(None);
    };
    match s.trim().parse::<usize>() {
        Ok(n) if range.contains(&n) => Ok(Some(n)),
        _ => Err(ApiError::new(
            &format!("invalid_{name}"),
            format!(
                "{name} must be a whole number from {} to {}, not {s:?}{hint}",
                range.start(),
                range.end()
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(r: Result<Params, ApiError>) -> String {
        r.err().map(|e| e.code().to_string()).unwrap_or_default()
    }

    #[test]
    fn filters_repeat_but_other_parameters_do_not() {
        let p = Params::parse(
            "q=v&region=skane&region=lulea&goal=forebyggande",
            Route::Search,
        )
        .unwrap();
        assert_eq!(p.region, ["skane", "lulea"]);
        for raw in ["period=2025&period=2026", "q=a&q=b", "limit=1&limit=2"] {
            assert_eq!(
                code(Params::parse(raw, Route::Search)),
                "invalid_parameter",
                "{raw}"
            );
        }
    }

    #[test]
    fn unknown_parameters_and_values_name_the_valid_ones() {
        let e = Params::parse("q=v&regoin=skane", Route::Search).unwrap_err();
        assert_eq!(e.code(), "invalid_parameter");
        assert!(e.message().contains("region"), "{}", e.message());
        // /api/facets has no paging or export.
        assert_eq!(
            code(Params::parse("offset=10", Route::Facets)),
            "invalid_parameter"
        );
        let e = Params::parse("format=xml", Route::Search).unwrap_err();
        assert_eq!(e.code(), "invalid_format");
        assert!(e.message().contains("json, csv, jsonl"), "{}", e.message());
        assert_eq!(
            code(Params::parse("dialect=calc", Route::Search)),
            "invalid_dialect"
        );
    }

    #[test]
    fn limits_and_offsets_are_checked_against_their_bounds() {
        let req = |raw: &str| Params::parse(raw, Route::Search).unwrap().to_request(100);
        assert_eq!(req("limit=0").unwrap().limit, Some(0));
        assert_eq!(req("limit=100").unwrap().limit, Some(100));
        for raw in [
            "limit=101",
            "limit=-1",
            "offset=-5",
            "offset=10001",
            "offset=1e3",
        ] {
            let e = req(raw).unwrap_err();
            assert!(e.code().starts_with("invalid_"), "{raw}");
            assert!(e.message().contains("from 0 to"), "{raw}: {}", e.message());
        }
    }

    /// A form's "any" choice sends an empty value: it filters nothing, for every filter.
    #[test]
    fn empty_filters_and_numbers_are_no_filter() {
        let p = Params::parse(
            "q=v&region=&goal=&type=&org=&lang=&topic=&period=&limit=&offset=",
            Route::Search,
        )
        .unwrap();
        assert!(p.region.is_empty() && p.goal.is_empty() && p.doc_type.is_empty());
        assert!(p.org.is_empty() && p.lang.is_empty());
        let req = p.to_request(100).unwrap();
        assert_eq!(
            (p.topic, p.period, p.limit, p.offset),
            (None, None, None, None)
        );
        assert!(req.regions.is_empty() && req.limit.is_none());
    }

    /// Too few and too many are told the same range (the suggestions' limit starts at 1).
    #[test]
    fn a_number_out_of_its_range_is_told_that_range() {
        for raw in ["0", "51", "x"] {
            let e = number_in("limit", &Some(raw.to_string()), 1..=50, "").unwrap_err();
            assert_eq!(
                e.message(),
                format!("limit must be a whole number from 1 to 50, not {raw:?}")
            );
        }
        assert_eq!(
            number_in("limit", &Some("1".into()), 1..=50, "").unwrap(),
            Some(1)
        );
    }
}

// The parameters as the OpenAPI document declares them (the parsing is `Params` above).

/// One of the filters every search route takes.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub(crate) struct FilterParams {
    /// The query: words, "phrases", AND/OR/NOT, +/-, prefix*, title:. Empty: every document.
    q: Option<String>,
    /// County (full or short name, slug such as `skane`, or code) or municipality (name, slug
    /// such as `lulea`, or code); repeat for OR.
    region: Option<Vec<String>>,
    /// A year (in force that year) or a range such as 2022-2024 (overlapping it).
    #[param(pattern = r"^[0-9]{4}(-[0-9]{4})?$")]
    period: Option<String>,
    /// A goal area of the national strategy (slug, or its Swedish label); repeat for OR.
    goal: Option<Vec<plansok_model::Goal>>,
    /// A document type (slug, or its Swedish label); repeat for OR.
    #[param(rename = "type")]
    doc_type: Option<Vec<plansok_model::DocType>>,
    /// Organisation (its exact name, as in the `organisation` facet); repeat for OR.
    org: Option<Vec<String>>,
    /// ISO 639-1 language code such as `sv`; repeat for OR.
    #[param(pattern = "^[A-Za-z]{2}$")]
    lang: Option<Vec<String>>,
    /// `on`: only documents about men's violence against women and violence in close
    /// relationships; `off`: only those that share its words without being about it (a
    /// workplace's "hot och våld", a climate plan, a Norwegian page). Omitted: both.
    #[param(inline)]
    topic: Option<Topic>,
    /// How the query is read: `lenient` (stray punctuation is text) or `strict` (the query
    /// grammar; a query it cannot read is a 400 `invalid_query`).
    #[param(inline)]
    syntax: Option<Syntax>,
}

#[derive(utoipa::ToSchema)]
#[schema(rename_all = "lowercase")]
#[allow(dead_code)]
pub(crate) enum Topic {
    On,
    Off,
}

#[derive(utoipa::ToSchema)]
#[schema(rename_all = "lowercase")]
#[allow(dead_code)]
pub(crate) enum Syntax {
    Lenient,
    Strict,
}

#[derive(utoipa::ToSchema)]
#[schema(rename_all = "lowercase")]
#[allow(dead_code)]
pub(crate) enum SortOrder {
    /// Best matches first.
    Relevance,
    /// Newest plan periods first.
    Date,
}

#[derive(utoipa::ToSchema)]
#[schema(rename_all = "lowercase")]
#[allow(dead_code)]
pub(crate) enum ExportFormat {
    /// The search response.
    Json,
    /// Every hit (up to 50,000) as a CSV file.
    Csv,
    /// Every hit (up to 50,000), one JSON object per line.
    Jsonl,
}

#[derive(utoipa::ToSchema)]
#[schema(rename_all = "lowercase")]
#[allow(dead_code)]
pub(crate) enum Dialect {
    /// Comma-separated UTF-8.
    Standard,
    /// Semicolon-separated UTF-8 with a byte-order mark, for Excel and LibreOffice in a
    /// Swedish locale.
    Excel,
}

/// The paging, order and export of `/api/search`.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub(crate) struct PageParams {
    /// Hits per page: 0 (counts and facets only) to 100; default 10.
    #[param(minimum = 0, maximum = 100, default = 10)]
    limit: Option<u32>,
    /// Hits skipped before the page: 0 to 10000.
    #[param(minimum = 0, maximum = 10000, default = 0)]
    offset: Option<u32>,
    #[param(inline)]
    sort: Option<SortOrder>,
    #[param(inline)]
    format: Option<ExportFormat>,
    /// With format=csv.
    #[param(inline)]
    dialect: Option<Dialect>,
}

/// `limit` of `/api/measures`.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub(crate) struct MeasuresParams {
    /// Measures shown per county: 0 (counts only) to 20; default 3.
    #[param(minimum = 0, maximum = 20, default = 3)]
    limit: Option<u32>,
}

/// Parameters of `/api/suggest`.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub(crate) struct SuggestParams {
    /// What the user has typed; fewer than two letters gives no suggestions.
    q: Option<String>,
    /// Most suggestions: 1 to 50; default 10.
    #[param(minimum = 1, maximum = 50, default = 10)]
    limit: Option<u32>,
}
