//! `/api/coverage`: for each county and its municipalities, the plans with a plan period, and
//! which counties have one in force in a year ([`plansok_index::coverage`]); as JSON, or one
//! row per plan as CSV. The page `/tackning` draws it as a timeline.

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;

use plansok_index::{coverage, Coverage, CoverageRequest, COVERAGE_YEARS};

use super::{blocking, SEARCH_LIMIT};
use crate::error::ErrorBody;
use crate::params::{Format, Route};
use crate::{ApiError, AppState, Params};

/// The CSV columns, in order: one row per plan.
pub(crate) const CSV_COLUMNS: [&str; 9] = [
    "county",
    "municipality",
    "id",
    "title",
    "type",
    "period_start",
    "period_end",
    "in_force",
    "url",
];

#[utoipa::path(get, path = "/api/coverage", summary = "Which counties have a plan in force",
    description = "For each of the 21 counties (in the order of the taxonomy) and, nested, each \
        municipality with documents: the documents of the chosen types (by default handlingsplan, \
        strategi and overenskommelse) and goal areas that have a plan period. A county is \
        `in_force` when a plan of its own or of one of its municipalities covers `year`; \
        `without_plan` names the counties that are not. `format=csv` gives one row per plan as \
        the attachment `plansok-tackning-YEAR.csv`.",
    params(CoverageParams),
    responses((status = 200, description = "Plans per county and municipality; with format=csv one row per plan (county, municipality, id, title, type, period_start, period_end, in_force, url)",
                content((plansok_index::Coverage = "application/json"), (String = "text/csv"))),
              (status = 400, description = "A bad parameter; the message names the valid values", body = ErrorBody),
              (status = 503, description = "Too many searches waiting, or the work took too long", body = ErrorBody)))]
pub(crate) async fn coverage_handler(
    State(st): State<Arc<AppState>>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let raw = raw.unwrap_or_default();
    let params = Params::parse(&raw, Route::Coverage)?;
    let csv = match params.format {
        Format::Json => false,
        Format::Csv => true,
        Format::Jsonl => {
            return Err(ApiError::new(
                "invalid_format",
                "format \"jsonl\" is not valid here; one of: json, csv",
            ))
        }
    };
    let req = CoverageRequest {
        types: params.doc_type,
        goals: params.goal,
        year: year_of(&raw)?,
    };
    let result = blocking(st, SEARCH_LIMIT, move |st| {
        coverage(&st.store, &st.taxonomy, &req)
    })
    .await?;
    if csv {
        csv_of(&result)
    } else {
        Ok(Json(result).into_response())
    }
}

/// The `year` of the query string (`Params` has checked it is given at most once): a whole
/// number in [`COVERAGE_YEARS`]; absent or empty, the current year.
fn year_of(raw: &str) -> Result<u16, ApiError> {
    let given = url::form_urlencoded::parse(raw.as_bytes())
        .find(|(k, _)| k == "year")
        .map(|(_, v)| v.trim().to_string())
        .filter(|v| !v.is_empty());
    let Some(v) = given else {
        return Ok(current_year());
    };
    v.parse::<u16>()
        .ok()
        .filter(|y| COVERAGE_YEARS.contains(y))
        .ok_or_else(|| {
            ApiError::new(
                "invalid_year",
                format!(
                    "year must be a whole number from {} to {}, not {v:?}",
                    COVERAGE_YEARS.start(),
                    COVERAGE_YEARS.end()
                ),
            )
        })
}

/// This year by the system clock (UTC).
fn current_year() -> u16 {
    let year = time::OffsetDateTime::now_utc().year();
    u16::try_from(year)
        .unwrap_or(*COVERAGE_YEARS.start())
        .clamp(*COVERAGE_YEARS.start(), *COVERAGE_YEARS.end())
}

/// One row per plan ([`CSV_COLUMNS`]), comma-separated UTF-8, as an attachment.
fn csv_of(c: &Coverage) -> Result<Response, ApiError> {
    let failed = |e: csv::Error| ApiError::internal(format!("writing the CSV failed: {e}"));
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    w.write_record(CSV_COLUMNS).map_err(failed)?;
    for (county, p) in c.plans() {
        w.write_record([
            county.region.as_str(),
            p.municipality.as_deref().unwrap_or(""),
            &p.id,
            &p.title,
            &p.doc_type,
            &p.period.start.to_string(),
            &p.period.end.to_string(),
            if p.in_force(c.year) { "true" } else { "false" },
            p.url.as_deref().unwrap_or(""),
        ])
        .map_err(failed)?;
    }
    let body = w
        .into_inner()
        .map_err(|e| ApiError::internal(format!("writing the CSV failed: {e}")))?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"plansok-tackning-{}.csv\"", c.year),
            ),
        ],
        body,
    )
        .into_response())
}

/// The parameters of `/api/coverage` as the OpenAPI document declares them (the parsing is
/// [`Params`] with [`Route::Coverage`], and [`year_of`]).
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub(crate) struct CoverageParams {
    /// A document type (slug, or its Swedish label); repeat for OR. Default: handlingsplan,
    /// strategi and overenskommelse.
    #[param(rename = "type")]
    doc_type: Option<Vec<plansok_model::DocType>>,
    /// A goal area of the national strategy (slug, or its Swedish label); repeat for OR.
    goal: Option<Vec<plansok_model::Goal>>,
    /// The year whose plans in force are marked: 1990 to 2100; default this year.
    #[param(minimum = 1990, maximum = 2100)]
    year: Option<u16>,
    #[param(inline)]
    format: Option<CoverageFormat>,
}

#[derive(utoipa::ToSchema)]
#[schema(rename_all = "lowercase")]
#[allow(dead_code)]
pub(crate) enum CoverageFormat {
    /// The coverage object.
    Json,
    /// One row per plan as a CSV file.
    Csv,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_year_is_checked_and_defaults_to_this_one() {
        assert_eq!(year_of("year=2025").unwrap(), 2025);
        assert_eq!(year_of("type=strategi&year=%201990%20").unwrap(), 1990);
        let now = current_year();
        assert!(now >= 2024, "{now}");
        assert_eq!(year_of("").unwrap(), now);
        assert_eq!(year_of("year=").unwrap(), now);
        for raw in [
            "year=1989",
            "year=2101",
            "year=20x5",
            "year=-1",
            "year=2025.0",
        ] {
            let e = year_of(raw).unwrap_err();
            assert_eq!(e.code(), "invalid_year", "{raw}");
            assert!(e.message().contains("1990 to 2100"), "{}", e.message());
        }
    }
}
