//! The exports of a search's hits: CSV for researchers ([`csv()`], with a dialect that Excel and
//! LibreOffice open as is in a Swedish locale) and JSON Lines for tools ([`jsonl()`]).

use axum::http::header;
use axum::response::{IntoResponse, Response};

use plansok_index::{Hit, SearchResponse};

use crate::ApiError;

/// The CSV columns, in order.
pub(crate) const CSV_COLUMNS: [&str; 14] = [
    "id",
    "score",
    "title",
    "url",
    "document",
    "region",
    "municipality",
    "organisation",
    "type",
    "period_start",
    "period_end",
    "goals",
    "page",
    "snippet",
];

/// Every hit as CSV. `excel`: semicolons, CRLF and a byte-order mark, with cells that a
/// spreadsheet would run as a formula made text. `host` (the request's) makes the `document`
/// column a full link to the hit's `/api/documents/{id}`.
pub(crate) fn csv(
    resp: &SearchResponse,
    excel: bool,
    host: Option<&str>,
    file: &str,
) -> Result<Response, ApiError> {
    let failed = |e: csv::Error| export_failed("CSV", &e);
    let mut w = csv::WriterBuilder::new()
        .delimiter(if excel { b';' } else { b',' })
        .terminator(if excel {
            csv::Terminator::CRLF
        } else {
            csv::Terminator::Any(b'\n')
        })
        .from_writer(Vec::new());
    w.write_record(CSV_COLUMNS).map_err(failed)?;
    let base = host.map_or(String::new(), |h| format!("http://{h}"));
    for h in &resp.hits {
        let row = row(h, &base, excel);
        let row = row
            .iter()
            .map(|c| if excel { as_text(c) } else { c.clone() });
        w.write_record(row).map_err(failed)?;
    }
    let mut body = if excel {
        "\u{feff}".as_bytes().to_vec()
    } else {
        Vec::new()
    };
    body.extend(w.into_inner().map_err(|e| export_failed("CSV", &e))?);
    Ok(attachment("text/csv; charset=utf-8", file, body))
}

/// One hit's cells, in the order of [`CSV_COLUMNS`]; for `excel` the score with a decimal
/// comma, which a Swedish spreadsheet reads as a number (a point it reads as text).
fn row(h: &Hit, base: &str, excel: bool) -> [String; 14] {
    let opt = |s: &Option<String>| s.clone().unwrap_or_default();
    let period = h.period.as_ref();
    let score = format!("{:.4}", h.score);
    [
        h.id.clone(),
        if excel {
            score.replace('.', ",")
        } else {
            score
        },
        h.title.clone(),
        opt(&h.url),
        format!("{base}/api/documents/{}", h.id),
        opt(&h.region),
        opt(&h.municipality),
        opt(&h.organisation),
        h.doc_type.clone(),
        period.map(|p| p.start.to_string()).unwrap_or_default(),
        period.map(|p| p.end.to_string()).unwrap_or_default(),
        h.goals.join(";"),
        h.page.map(|p| p.to_string()).unwrap_or_default(),
        plain(&h.snippet),
    ]
}

/// A cell a spreadsheet would read as a formula (`=`, `+`, `@`, or `-` before a non-space)
/// gets a leading apostrophe, so it stays text.
fn as_text(cell: &str) -> String {
    let mut chars = cell.chars();
    let formula = match chars.next() {
        Some('=' | '+' | '@') => true,
        Some('-') => chars.next().is_some_and(|c| !c.is_whitespace()),
        _ => false,
    };
    if formula && cell.parse::<f64>().is_err() {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

/// Every hit as one JSON object per line.
pub(crate) fn jsonl(resp: &SearchResponse, file: &str) -> Result<Response, ApiError> {
    let mut body = Vec::new();
    for h in &resp.hits {
        serde_json::to_writer(&mut body, h).map_err(|e| export_failed("JSON Lines", &e))?;
        body.push(b'\n');
    }
    Ok(attachment("application/x-ndjson", file, body))
}

/// An export that could not be written: the cause goes to the log, not to the client.
fn export_failed(what: &str, e: &dyn std::fmt::Display) -> ApiError {
    tracing::error!("writing the {what} export failed: {e}");
    ApiError::internal(format!(
        "the {what} export failed; details are in the server's log"
    ))
}

fn attachment(content_type: &'static str, file: &str, body: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file}\""),
            ),
        ],
        body,
    )
        .into_response()
}

/// A snippet as plain text: the marks and the HTML escapes undone.
pub(crate) fn plain(html: &str) -> String {
    html.replace("<mark>", "")
        .replace("</mark>", "")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_become_text_but_numbers_and_bullets_do_not() {
        assert_eq!(as_text("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(as_text("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(as_text("-2.5"), "-2.5");
        assert_eq!(as_text("-2+3"), "'-2+3");
        assert_eq!(as_text("-cmd"), "'-cmd");
        assert_eq!(as_text("- skyddat boende"), "- skyddat boende");
        assert_eq!(as_text("Våld i nära relationer"), "Våld i nära relationer");
    }
}
