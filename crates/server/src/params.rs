//! Query-string parsing: repeated keys collect into lists; bad values are 400s.

use plansok_index::SearchRequest;

use crate::ApiError;

/// Longest query string accepted (bytes).
const MAX_QUERY_STRING: usize = 16 * 1024;

/// The parameters of /api/search and /api/facets.
#[derive(Debug, Default, Clone)]
pub struct Params {
    pub q: String,
    pub region: Vec<String>,
    pub period: Option<String>,
    pub goal: Vec<String>,
    pub doc_type: Vec<String>,
    pub org: Vec<String>,
    pub lang: Vec<String>,
    pub limit: Option<String>,
    pub offset: Option<String>,
    pub format: Option<String>,
    pub sort: Option<String>,
    pub syntax: Option<String>,
}

impl Params {
    /// Parses a raw query string (percent-decoding; invalid UTF-8 becomes U+FFFD).
    pub fn parse(raw: &str) -> Result<Self, ApiError> {
        if raw.len() > MAX_QUERY_STRING {
            return Err(ApiError::new(
                "query_too_long",
                format!("the query string is longer than {MAX_QUERY_STRING} bytes"),
            ));
        }
        let mut p = Params::default();
        for (k, v) in url::form_urlencoded::parse(raw.as_bytes()) {
            let v = v.into_owned();
            match k.as_ref() {
                "q" => p.q = v,
                "region" => p.region.push(v),
                "period" => p.period = Some(v),
                "goal" => p.goal.push(v),
                "type" => p.doc_type.push(v),
                "org" => p.org.push(v),
                "lang" => p.lang.push(v),
                "limit" => p.limit = Some(v),
                "offset" => p.offset = Some(v),
                "format" => p.format = Some(v),
                "sort" => p.sort = Some(v),
                "syntax" => p.syntax = Some(v),
                _ => {}
            }
        }
        if let Some(s) = p
            .syntax
            .as_deref()
            .filter(|s| *s != "lenient" && *s != "strict")
        {
            return Err(ApiError::new(
                "invalid_syntax",
                format!("syntax {s:?} is not lenient or strict"),
            ));
        }
        if let Some(f) = p.format.as_deref().filter(|f| *f != "json" && *f != "csv") {
            return Err(ApiError::new(
                "invalid_format",
                format!("format {f:?} is not json or csv"),
            ));
        }
        if let Some(s) = p
            .sort
            .as_deref()
            .filter(|s| *s != "relevance" && *s != "date")
        {
            return Err(ApiError::new(
                "invalid_sort",
                format!("sort {s:?} is not relevance or date"),
            ));
        }
        Ok(p)
    }

    /// The search request these parameters describe.
    pub fn to_request(&self) -> Result<SearchRequest, ApiError> {
        let number = |name: &str, v: &Option<String>| -> Result<Option<usize>, ApiError> {
            v.as_deref()
                .map(|s| {
                    s.trim().parse::<usize>().map_err(|_| {
                        ApiError::new(
                            &format!("invalid_{name}"),
                            format!("{name} must be a whole number ≥ 0, not {s:?}"),
                        )
                    })
                })
                .transpose()
        };
        Ok(SearchRequest {
            query: self.q.clone(),
            regions: self.region.clone(),
            period: self.period.clone(),
            goals: self.goal.clone(),
            types: self.doc_type.clone(),
            orgs: self.org.clone(),
            langs: self.lang.clone(),
            limit: number("limit", &self.limit)?.map(|l| l.max(1)),
            offset: number("offset", &self.offset)?.unwrap_or(0),
            sort_by_date: self.sort.as_deref() == Some("date"),
            strict_syntax: self.syntax.as_deref() == Some("strict"),
        })
    }
}

// The parameters as the OpenAPI document declares them (the parsing is `Params` above).

/// Query parameters of /api/search, /api/facets and /api/measures.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub(crate) struct SearchParams {
    /// The query: words, "phrases", AND/OR/NOT, +/-, prefix*, title:.
    q: Option<String>,
    /// County (full or short name, slug or code) or municipality; repeat for OR.
    region: Option<Vec<String>>,
    /// A year (in force that year) or a range such as 2022-2024 (overlapping it).
    period: Option<String>,
    /// forebyggande, skydd-och-stod, brottsbekampning or kunskap-och-metod; repeat for OR.
    goal: Option<Vec<String>>,
    /// handlingsplan, overenskommelse, strategi, nyhet, kunskapsstod or annat; repeat for OR.
    #[param(rename = "type")]
    doc_type: Option<Vec<String>>,
    /// Organisation (exact name); repeat for OR.
    org: Option<Vec<String>>,
    /// ISO 639-1 language code.
    lang: Option<Vec<String>>,
    /// Hits per page (capped); for /api/measures, passages per county.
    limit: Option<u32>,
    offset: Option<u32>,
    /// relevance (default) or date (newest plan periods first).
    sort: Option<String>,
    /// lenient (default: stray punctuation is read as spaces) or strict (the query grammar;
    /// a query it cannot read is a 400 invalid_query).
    syntax: Option<String>,
    /// json (default) or csv (every hit).
    format: Option<String>,
}

/// Parameters of `/api/suggest`.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub(crate) struct SuggestParams {
    /// What the user has typed (at least two letters).
    q: String,
    /// Most suggestions (default 10, at most 50).
    limit: Option<usize>,
}
