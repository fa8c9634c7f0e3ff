//! `/api/feed.atom`: an Atom feed (RFC 4287) of the newest documents matching a search, so a
//! coordinator can follow a search in a feed reader. "Newest" is by the time the index first
//! took a document in (`first_seen`), among the best matches of the search.

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};

use plansok_index::{search, Hit};

use super::{blocking, SEARCH_LIMIT};
use crate::error::ErrorBody;
use crate::params::Route;
use crate::{ApiError, AppState, Params};

/// Entries of a feed.
const FEED_ENTRIES: usize = 50;
/// The `updated` of an entry whose index did not record when it came in.
const UNKNOWN_TIME: &str = "1970-01-01T00:00:00Z";

#[utoipa::path(get, path = "/api/feed.atom", summary = "Follow a search: an Atom feed of its newest documents",
    description = "The newest of the best 100 matches of the search (up to 50), by when the \
        index first took each document in. Takes the parameters of `/api/search` that choose \
        documents.",
    params(crate::params::FilterParams),
    responses((status = 200, description = "An Atom 1.0 feed", content_type = "application/atom+xml", body = String),
              (status = 400, description = "A bad parameter", body = ErrorBody),
              (status = 503, description = "Too many searches waiting, or the search took too long", body = ErrorBody)))]
pub(crate) async fn feed_handler(
    State(st): State<Arc<AppState>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let raw = raw.unwrap_or_default();
    let params = Params::parse(&raw, Route::Feed)?;
    let mut req = params.to_request(0)?;
    req.limit = Some(st.store.config().search.max_limit);
    let resp = blocking(st, SEARCH_LIMIT, move |st| {
        search(&st.store, &st.taxonomy, &req)
    })
    .await?;
    let mut hits = resp.hits;
    hits.sort_by(|a, b| updated(b).cmp(updated(a)));
    hits.truncate(FEED_ENTRIES);
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    let base = format!("http://{}", host.unwrap_or("localhost"));
    let body = atom(&base, &raw, &params, &hits);
    Ok((
        [(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")],
        body,
    )
        .into_response())
}

fn updated(h: &Hit) -> &str {
    h.first_seen.as_deref().unwrap_or(UNKNOWN_TIME)
}

/// The feed's XML.
fn atom(base: &str, raw: &str, params: &Params, hits: &[Hit]) -> String {
    let self_link = format!("{base}/api/feed.atom?{raw}");
    let newest = hits.first().map_or(UNKNOWN_TIME, updated);
    let mut out = String::with_capacity(1024 + hits.len() * 1024);
    out.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    out.push_str("<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    tag(&mut out, 1, "title", &title(params));
    tag(
        &mut out,
        1,
        "subtitle",
        "Nya dokument som matchar sökningen i plansok",
    );
    tag(&mut out, 1, "id", &self_link);
    link(&mut out, 1, "self", &self_link);
    link(&mut out, 1, "alternate", &format!("{base}/?{raw}"));
    tag(&mut out, 1, "updated", newest);
    out.push_str("  <author><name>plansok</name></author>\n");
    tag(&mut out, 1, "generator", "plansok");
    for h in hits {
        entry(&mut out, base, h);
    }
    out.push_str("</feed>\n");
    out
}

fn entry(out: &mut String, base: &str, h: &Hit) {
    let api = format!("{base}/api/documents/{}", h.id);
    out.push_str("  <entry>\n");
    tag(out, 2, "title", &h.title);
    tag(out, 2, "id", &format!("urn:plansok:document:{}", h.id));
    link(out, 2, "alternate", h.url.as_deref().unwrap_or(&api));
    link(out, 2, "related", &api);
    tag(out, 2, "updated", updated(h));
    if let Some(org) = &h.organisation {
        out.push_str(&format!("    <author><name>{}</name></author>\n", xml(org)));
    }
    for term in [h.region.as_deref(), Some(h.doc_type.as_str())]
        .into_iter()
        .flatten()
        .chain(h.goals.iter().map(String::as_str))
    {
        out.push_str(&format!("    <category term=\"{}\"/>\n", xml(term)));
    }
    tag(out, 2, "summary", &summary(h));
    out.push_str("  </entry>\n");
}

/// The feed's title: the query and the filters.
fn title(p: &Params) -> String {
    let mut parts = vec![if p.q.trim().is_empty() {
        "alla dokument".to_string()
    } else {
        format!("\u{201d}{}\u{201d}", p.q.trim())
    }];
    for v in p
        .region
        .iter()
        .chain(&p.goal)
        .chain(&p.doc_type)
        .chain(&p.period)
    {
        parts.push(v.clone());
    }
    format!("plansok: {}", parts.join(", "))
}

/// What an entry says: where and when, then the snippet as plain text.
fn summary(h: &Hit) -> String {
    let place = h.municipality.as_deref().or(h.region.as_deref());
    let period = h.period.as_ref().map(|p| match p.start == p.end {
        true => p.start.to_string(),
        false => format!("{}–{}", p.start, p.end),
    });
    let lead: Vec<&str> = [place, Some(h.doc_type.as_str()), period.as_deref()]
        .into_iter()
        .flatten()
        .collect();
    let text = super::export::plain(&h.snippet);
    format!("{}. {}", lead.join(" · "), text)
}

fn tag(out: &mut String, depth: usize, name: &str, text: &str) {
    out.push_str(&format!(
        "{}<{name}>{}</{name}>\n",
        "  ".repeat(depth),
        xml(text)
    ));
}

fn link(out: &mut String, depth: usize, rel: &str, href: &str) {
    out.push_str(&format!(
        "{}<link rel=\"{rel}\" href=\"{}\"/>\n",
        "  ".repeat(depth),
        xml(href)
    ));
}

/// `s` escaped for XML text and attributes; characters XML 1.0 cannot hold are dropped.
fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_control_characters_are_dropped() {
        assert_eq!(
            xml("a & <b> \"c\" 'd'\u{1}"),
            "a &amp; &lt;b&gt; &quot;c&quot; &apos;d&apos;"
        );
    }
}
