//! The API's errors: one table of every error code with its HTTP status ([`CODES`]), and
//! [`ApiError`], which every handler returns and which answers `{"error": {"code", "message"}}`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

use plansok_index::IndexError;

/// Every error code the API answers with, its status, and when it is given.
pub const CODES: &[(&str, StatusCode, &str)] = &[
    (
        "invalid_query",
        StatusCode::BAD_REQUEST,
        "the query cannot be read or is too long",
    ),
    (
        "invalid_region",
        StatusCode::BAD_REQUEST,
        "an unknown county or municipality",
    ),
    (
        "invalid_period",
        StatusCode::BAD_REQUEST,
        "not a year or a range of years",
    ),
    (
        "invalid_goal",
        StatusCode::BAD_REQUEST,
        "an unknown goal area",
    ),
    (
        "invalid_type",
        StatusCode::BAD_REQUEST,
        "an unknown document type",
    ),
    (
        "invalid_org",
        StatusCode::BAD_REQUEST,
        "an organisation filter that cannot be used",
    ),
    (
        "invalid_lang",
        StatusCode::BAD_REQUEST,
        "not a language code",
    ),
    (
        "invalid_topic",
        StatusCode::BAD_REQUEST,
        "topic is neither on nor off",
    ),
    (
        "invalid_limit",
        StatusCode::BAD_REQUEST,
        "limit is not a whole number",
    ),
    (
        "invalid_offset",
        StatusCode::BAD_REQUEST,
        "offset is not a whole number",
    ),
    (
        "invalid_format",
        StatusCode::BAD_REQUEST,
        "format is not json or csv",
    ),
    (
        "invalid_sort",
        StatusCode::BAD_REQUEST,
        "sort is not relevance or date",
    ),
    (
        "invalid_syntax",
        StatusCode::BAD_REQUEST,
        "syntax is not lenient or strict",
    ),
    (
        "invalid_id",
        StatusCode::BAD_REQUEST,
        "a document id that is not hexadecimal",
    ),
    (
        "invalid_passage",
        StatusCode::BAD_REQUEST,
        "a passage number that is not a whole number",
    ),
    (
        "invalid_year",
        StatusCode::BAD_REQUEST,
        "year is not a whole number from 1990 to 2100",
    ),
    (
        "invalid_dialect",
        StatusCode::BAD_REQUEST,
        "dialect is not standard or excel",
    ),
    (
        "invalid_parameter",
        StatusCode::BAD_REQUEST,
        "an unknown parameter, or a single-valued one given twice",
    ),
    (
        "bad_request",
        StatusCode::BAD_REQUEST,
        "a request the server cannot read",
    ),
    (
        "not_found",
        StatusCode::NOT_FOUND,
        "no such document, passage or route",
    ),
    (
        "method_not_allowed",
        StatusCode::METHOD_NOT_ALLOWED,
        "a method other than GET (HEAD, OPTIONS)",
    ),
    (
        "payload_too_large",
        StatusCode::PAYLOAD_TOO_LARGE,
        "a request body over the size limit (the API reads no bodies)",
    ),
    (
        "uri_too_long",
        StatusCode::URI_TOO_LONG,
        "a URI over the size limit",
    ),
    (
        "busy",
        StatusCode::SERVICE_UNAVAILABLE,
        "too many searches are waiting",
    ),
    (
        "timeout",
        StatusCode::SERVICE_UNAVAILABLE,
        "the search took too long",
    ),
    (
        "internal",
        StatusCode::INTERNAL_SERVER_ERROR,
        "the server failed; details are in its log",
    ),
];

/// The status of `code` in [`CODES`]; an unknown code is a server error.
fn status_of(code: &str) -> StatusCode {
    CODES
        .iter()
        .find(|(c, _, _)| *c == code)
        .map_or(StatusCode::INTERNAL_SERVER_ERROR, |(_, s, _)| *s)
}

/// An error as the API reports it.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: String,
    message: String,
}

/// An error: `{"error": {"code", "message"}}`.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody<'a> {
    error: ErrorInner<'a>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorInner<'a> {
    /// A stable code such as `invalid_region`.
    code: &'a str,
    /// What is wrong, for people.
    message: &'a str,
}

impl ApiError {
    /// The error `code` (one of [`CODES`]) with its status.
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        debug_assert!(
            CODES.iter().any(|(c, _, _)| *c == code),
            "error code {code} is not in CODES"
        );
        ApiError {
            status: status_of(code),
            code: code.into(),
            message: message.into(),
        }
    }

    /// The error's code, one of [`CODES`].
    pub fn code(&self) -> &str {
        &self.code
    }

    /// What is wrong, for people.
    pub fn message(&self) -> &str {
        &self.message
    }

    pub(crate) fn no_document() -> Self {
        ApiError::new("not_found", "no such document")
    }

    pub(crate) fn internal(message: impl Into<String>) -> Self {
        ApiError::new("internal", message)
    }
}

/// Answers an error response that the framework made (an unknown route, a wrong method, a
/// path it could not read, a timeout) with the API's own body, keeping its status; responses
/// that already carry JSON pass unchanged.
pub(crate) async fn json_errors(resp: Response) -> Response {
    let status = resp.status();
    let is_json = resp
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return resp;
    }
    let (code, message) = match status {
        StatusCode::NOT_FOUND => (
            "not_found",
            "no such route; the API's routes are listed in /openapi.json",
        ),
        StatusCode::METHOD_NOT_ALLOWED => (
            "method_not_allowed",
            "the API only reads: use GET (or HEAD, OPTIONS)",
        ),
        StatusCode::PAYLOAD_TOO_LARGE => ("payload_too_large", "the API reads no request body"),
        StatusCode::URI_TOO_LONG => ("uri_too_long", "the URI is too long"),
        StatusCode::SERVICE_UNAVAILABLE | StatusCode::REQUEST_TIMEOUT => {
            ("timeout", "the request took too long; try again")
        }
        s if s.is_server_error() => ("internal", "the server failed; details are in its log"),
        _ => ("bad_request", "the request cannot be read"),
    };
    let mut out = ApiError {
        status,
        code: code.into(),
        message: message.into(),
    }
    .into_response();
    if let Some(allow) = resp.headers().get(axum::http::header::ALLOW) {
        out.headers_mut()
            .insert(axum::http::header::ALLOW, allow.clone());
    }
    out
}

impl From<IndexError> for ApiError {
    fn from(e: IndexError) -> Self {
        match &e {
            IndexError::InvalidFilter { name, .. } => {
                ApiError::new(&format!("invalid_{name}"), e.to_string())
            }
            _ => {
                tracing::error!("search failed: {e}");
                ApiError::internal("the search failed")
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorInner {
                code: &self.code,
                message: &self.message,
            },
        };
        (self.status, Json(body)).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_code_is_in_the_table_once_and_unknown_ones_are_server_errors() {
        let mut codes: Vec<&str> = CODES.iter().map(|(c, _, _)| *c).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), CODES.len());
        assert_eq!(status_of("invalid_goal"), StatusCode::BAD_REQUEST);
        assert_eq!(status_of("not_found"), StatusCode::NOT_FOUND);
        assert_eq!(status_of("no_such_code"), StatusCode::INTERNAL_SERVER_ERROR);
    }
}
