//! The OpenAPI document, generated from the handlers' annotations and the response types.

use utoipa::OpenApi;

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
        crate::routes::suggest::suggest_handler,
        crate::routes::feed::feed_handler,
        crate::routes::coverage::coverage_handler
    )
)]
struct ApiDoc;

/// The OpenAPI 3 document.
pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}
