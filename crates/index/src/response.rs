//! What a search answers: [`SearchResponse`] with its [`Hit`]s and [`Facets`] (the JSON of
//! `docs/api.md`).

use serde::Serialize;

use plansok_model::Period;

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct HitPeriod {
    pub start: u16,
    pub end: u16,
}

impl From<Period> for HitPeriod {
    fn from(p: Period) -> Self {
        HitPeriod {
            start: p.start,
            end: p.end,
        }
    }
}

/// One document hit (the hit object of `docs/api.md`).
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct Hit {
    pub id: String,
    pub url: Option<String>,
    pub title: String,
    pub region: Option<String>,
    pub municipality: Option<String>,
    pub organisation: Option<String>,
    #[serde(rename = "type")]
    pub doc_type: String,
    pub period: Option<HitPeriod>,
    pub goals: Vec<String>,
    pub lang: String,
    pub score: f32,
    /// Text around the matches, HTML-escaped, matches in `<mark>`.
    pub snippet: String,
    /// PDF page of the best passage.
    pub page: Option<u32>,
    /// When the index first took the document in (RFC 3339, UTC).
    pub first_seen: Option<String>,
    /// Near-duplicates of this hit's text that also match (the same page on other sites),
    /// folded into it; empty when none.
    pub also_at: Vec<AlsoAt>,
    /// Local file the document came from, for the CLI on the same machine; never serialized,
    /// so no answer of the API shows a path of the server's.
    #[serde(skip)]
    pub path: Option<String>,
}

/// A near-duplicate folded into a hit.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct AlsoAt {
    pub id: String,
    pub url: Option<String>,
    pub title: String,
    pub region: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct FacetValue {
    pub value: String,
    pub count: u64,
}

/// Counts per facet value, each under all the other filters.
#[derive(Debug, Clone, Serialize, PartialEq, Default, utoipa::ToSchema)]
pub struct Facets {
    pub region: Vec<FacetValue>,
    pub goal: Vec<FacetValue>,
    #[serde(rename = "type")]
    pub doc_type: Vec<FacetValue>,
    pub period: Vec<FacetValue>,
    pub organisation: Vec<FacetValue>,
    pub lang: Vec<FacetValue>,
    /// `on`: documents about the topic; `off`: documents that only share its words.
    pub topic: Vec<FacetValue>,
}

/// The search response of `docs/api.md`.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct SearchResponse {
    pub query: String,
    /// Documents that match, near-duplicates counted apart.
    pub total: usize,
    /// The hits there are to page through, each near-duplicate folded into its better hit:
    /// known when the search ranked every match (up to the page's end plus
    /// `near_duplicate_pool`), else `null`. Without folding it equals `total`.
    pub distinct: Option<usize>,
    pub took_ms: f64,
    pub hits: Vec<Hit>,
    pub facets: Facets,
    /// The request's filters as the index read them.
    pub filters: AppliedFilters,
}

/// The filters of a request in the values of the facets, whatever spelling it used: a county
/// or municipality by its full name (`skane` is `Skåne län`), goals and types by slug, the
/// period as `YYYY` or `YYYY-YYYY`. A page shows them as its chosen facet values; empty lists
/// and `null` are no filter (both topics are no filter too).
#[derive(Debug, Clone, Serialize, PartialEq, Default, utoipa::ToSchema)]
pub struct AppliedFilters {
    pub region: Vec<String>,
    pub goal: Vec<String>,
    #[serde(rename = "type")]
    pub doc_type: Vec<String>,
    pub period: Option<String>,
    pub organisation: Vec<String>,
    pub lang: Vec<String>,
    pub topic: Vec<String>,
}
