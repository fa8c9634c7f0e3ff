//! The OpenAPI document, generated from the handlers' annotations and the response types.

use utoipa::OpenApi;

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

#[derive(OpenApi)]
#[openapi(
    info(
        title = "plansok API",
        description = "Faceted search over Swedish county plans against men's violence against women."
    ),
    paths(
        crate::routes::health::health,
        crate::routes::search::search_handler,
        crate::routes::search::facets_handler,
        crate::routes::search::measures_handler,
        crate::routes::documents::document_handler,
        crate::routes::documents::similar_handler,
        crate::routes::documents::similar_passages_handler,
        crate::routes::suggest::suggest_handler
    )
)]
struct ApiDoc;

/// The OpenAPI 3 document.
pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}
