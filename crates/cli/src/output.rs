//! Human-readable renderings of search results and statistics.

use std::fmt::Write;

use plansok_index::{FacetValue, SearchResponse, Stats};

/// Turns a snippet's HTML into terminal text: `<mark>` → «», entities decoded.
pub fn plain_snippet(html: &str) -> String {
    html.replace("<mark>", "«")
        .replace("</mark>", "»")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&amp;", "&")
}

fn cut(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        return s.to_string();
    }
    let mut t: String = s.chars().take(n.saturating_sub(1)).collect();
    t.push('…');
    t
}

pub fn search_table(r: &SearchResponse) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} hits for {:?} ({} ms)", r.total, r.query, r.took_ms);
    for (i, h) in r.hits.iter().enumerate() {
        let period = h
            .period
            .as_ref()
            .map(|p| {
                if p.start == p.end {
                    p.start.to_string()
                } else {
                    format!("{}–{}", p.start, p.end)
                }
            })
            .unwrap_or_else(|| "–".into());
        let place = h
            .municipality
            .clone()
            .or_else(|| h.region.clone())
            .unwrap_or_else(|| "?".into());
        let page = h.page.map(|p| format!(" s. {p}")).unwrap_or_default();
        let _ = writeln!(
            out,
            "\n{:>2}. {}  [{:.2}]",
            i + 1,
            cut(&h.title, 90),
            h.score
        );
        let _ = writeln!(
            out,
            "    {} | {} | {} | {}{}",
            place,
            h.doc_type,
            period,
            h.goals.join(", "),
            page
        );
        let _ = writeln!(out, "    {}", cut(&plain_snippet(&h.snippet), 300));
        if let Some(src) = h.url.as_ref().or(h.path.as_ref()) {
            let _ = writeln!(out, "    {src}");
        }
        if !h.also_at.is_empty() {
            let places: Vec<&str> = h
                .also_at
                .iter()
                .map(|a| a.region.as_deref().or(a.url.as_deref()).unwrap_or(&a.title))
                .collect();
            let n = places.len();
            let _ = writeln!(
                out,
                "    also at {n} {}: {}",
                if n == 1 { "place" } else { "places" },
                cut(&places.join("; "), 200)
            );
        }
    }
    let f = &r.facets;
    let _ = writeln!(out);
    for (name, values) in [
        ("region", &f.region),
        ("period", &f.period),
        ("goal", &f.goal),
        ("type", &f.doc_type),
        ("organisation", &f.organisation),
        ("lang", &f.lang),
        ("topic", &f.topic),
    ] {
        let _ = writeln!(out, "{name:>12}: {}", facet_line(values));
    }
    out
}

fn facet_line(values: &[FacetValue]) -> String {
    values
        .iter()
        .map(|v| format!("{} ({})", v.value, v.count))
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn stats_table(s: &Stats) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} documents, {} passages",
        s.documents.total, s.passages.total
    );
    section(&mut out, "county", &s.documents.region, &s.passages.region);
    no_county(&mut out, s);
    section(
        &mut out,
        "type",
        &s.documents.doc_type,
        &s.passages.doc_type,
    );
    section(&mut out, "goal", &s.documents.goal, &s.passages.goal);
    section(&mut out, "year", &s.documents.year, &s.passages.year);
    out
}

fn section(out: &mut String, name: &str, docs: &[FacetValue], passages: &[FacetValue]) {
    let _ = writeln!(out, "\n{:<28} {:>9} {:>9}", name, "documents", "passages");
    for d in docs {
        let p = passages
            .iter()
            .find(|p| p.value == d.value)
            .map(|p| p.count)
            .unwrap_or(0);
        let _ = writeln!(out, "{:<28} {:>9} {:>9}", d.value, d.count, p);
    }
}

/// The row of documents without a county, so that the county rows sum to the total.
fn no_county(out: &mut String, s: &Stats) {
    let rest = |total: usize, region: &[FacetValue]| {
        total.saturating_sub(region.iter().map(|v| v.count as usize).sum())
    };
    let docs = rest(s.documents.total, &s.documents.region);
    let passages = rest(s.passages.total, &s.passages.region);
    if docs + passages > 0 {
        let _ = writeln!(out, "{:<28} {:>9} {:>9}", NO_COUNTY, docs, passages);
    }
}

/// The county column's name for documents without one.
const NO_COUNTY: &str = "(no county)";
