//! `/api/coverage` on 127.0.0.1 over an index of the sample corpus: every county, the plans
//! under them as `/api/search` finds them, `in_force` and `without_plan` as the plans' periods
//! say, the filters with their labels and errors, and the CSV row for row equal to the JSON.

mod common;

use std::collections::BTreeSet;

use serde_json::Value;

use common::http::{self, sample_server, Answer, SampleServer};
use plansok_model::Taxonomy;

fn server() -> &'static SampleServer {
    sample_server("coverage-corpus")
}

fn get(target: &str) -> Answer {
    http::get(server().addr, target)
}

/// `/api/coverage?{query}` as JSON, which must be a 200.
fn coverage(query: &str) -> Value {
    let a = get(&format!("/api/coverage?{query}"));
    assert_eq!(a.status, 200, "{query}: {}", a.text());
    assert!(
        a.head.contains("content-type: application/json"),
        "{}",
        a.head
    );
    a.json()
}

/// Every plan of a coverage answer with its county: each county's own, then its
/// municipalities', in the answer's order.
fn plans(c: &Value) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for county in c["counties"].as_array().unwrap() {
        let name = county["region"].as_str().unwrap().to_string();
        for p in county["plans"].as_array().unwrap() {
            out.push((name.clone(), p.clone()));
        }
        for m in county["municipalities"].as_array().unwrap() {
            for p in m["plans"].as_array().unwrap() {
                out.push((name.clone(), p.clone()));
            }
        }
    }
    out
}

fn ids(c: &Value) -> BTreeSet<String> {
    plans(c)
        .iter()
        .map(|(_, p)| p["id"].as_str().unwrap().to_string())
        .collect()
}

fn in_force(p: &Value, year: u64) -> bool {
    let (start, end) = (
        p["period"]["start"].as_u64().unwrap(),
        p["period"]["end"].as_u64().unwrap(),
    );
    start <= year && year <= end
}

/// The ids of the documents `/api/search?{filters}` finds that have a county and a period.
fn searched(filters: &str) -> BTreeSet<String> {
    let a = get(&format!("/api/search?limit=100&{filters}"));
    assert_eq!(a.status, 200, "{}", a.text());
    let v = a.json();
    assert!(v["total"].as_u64().unwrap() <= 100, "one page holds them");
    v["hits"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| !h["region"].is_null() && !h["period"].is_null())
        .map(|h| h["id"].as_str().unwrap().to_string())
        .collect()
}

/// Checks the marks of an answer against its plans' periods.
fn assert_marks_agree_with_periods(c: &Value) {
    let year = c["year"].as_u64().unwrap();
    let mut without = Vec::new();
    for county in c["counties"].as_array().unwrap() {
        let name = county["region"].as_str().unwrap();
        let mut any = false;
        for p in county["plans"].as_array().unwrap() {
            assert!(p["municipality"].is_null(), "{name}: {p}");
            any |= in_force(p, year);
        }
        for m in county["municipalities"].as_array().unwrap() {
            let plans = m["plans"].as_array().unwrap();
            assert!(
                !plans.is_empty(),
                "{name}: a municipality without plans: {m}"
            );
            let own = plans.iter().any(|p| in_force(p, year));
            assert_eq!(m["in_force"], own, "{name} / {}: {year}", m["name"]);
            for p in plans {
                assert_eq!(p["municipality"], m["name"], "{p}");
            }
            any |= own;
        }
        assert_eq!(county["in_force"], any, "{name} in {year}");
        if !any {
            without.push(name.to_string());
        }
    }
    let listed: Vec<String> = serde_json::from_value(c["without_plan"].clone()).unwrap();
    assert_eq!(listed, without, "without_plan in {year}");
}

#[test]
fn every_county_with_its_plans_and_their_marks() {
    let tax = Taxonomy::load().unwrap();
    let c = coverage("year=2025");
    assert_eq!(c["year"], 2025);
    assert_eq!(
        c["types"],
        serde_json::json!(["handlingsplan", "strategi", "overenskommelse"])
    );
    let counties: Vec<(&str, &str)> = c["counties"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["region"].as_str().unwrap(), c["slug"].as_str().unwrap()))
        .collect();
    let want: Vec<(&str, &str)> = tax
        .counties()
        .iter()
        .map(|c| (c.name.as_str(), c.slug.as_str()))
        .collect();
    assert_eq!(counties, want, "the 21 counties in taxonomy order");

    // The plans are the documents of those types that /api/search finds with a county and a
    // period, each with the fields of its hit.
    let all = plans(&c);
    assert!(all.len() >= 5, "the sample has plans: {}", all.len());
    let want = searched("type=handlingsplan&type=strategi&type=overenskommelse");
    assert_eq!(ids(&c), want);
    assert_eq!(all.len(), want.len(), "each plan once");
    for (county, p) in &all {
        let id = p["id"].as_str().unwrap();
        let doc = get(&format!("/api/documents/{id}")).json();
        assert_eq!(doc["region"], county.as_str(), "{id}");
        for field in [
            "title",
            "type",
            "period",
            "url",
            "organisation",
            "municipality",
        ] {
            assert_eq!(p[field], doc[field], "{id}: {field}");
        }
    }

    assert_marks_agree_with_periods(&c);
    let without = c["without_plan"].as_array().unwrap().len();
    assert!(
        without > 0 && without < 21,
        "{without} counties without a plan in 2025"
    );
    // Another year gives other marks, still as the periods say.
    let earlier = coverage("year=2016");
    assert_eq!(earlier["year"], 2016);
    assert_eq!(ids(&earlier), ids(&c), "the year changes marks, not plans");
    assert_marks_agree_with_periods(&earlier);
    assert_ne!(earlier["without_plan"], c["without_plan"]);
    let far = coverage("year=2100");
    assert_marks_agree_with_periods(&far);
    assert_eq!(far["without_plan"].as_array().unwrap().len(), 21);
}

#[test]
fn the_year_defaults_to_this_one() {
    let c = coverage("");
    let year = c["year"].as_u64().unwrap();
    assert!((2024..=2100).contains(&year), "{year}");
    assert_eq!(
        c["without_plan"],
        coverage(&format!("year={year}"))["without_plan"]
    );
}

#[test]
fn types_and_goals_filter_with_the_labels_and_errors_of_search() {
    // A label, a slug; a repeated type is counted once.
    let c = coverage("year=2025&type=%C3%96verenskommelse&type=strategi&type=overenskommelse");
    assert_eq!(
        c["types"],
        serde_json::json!(["overenskommelse", "strategi"])
    );
    assert_eq!(ids(&c), searched("type=overenskommelse&type=strategi"));
    for (_, p) in plans(&c) {
        assert!(["overenskommelse", "strategi"].contains(&p["type"].as_str().unwrap()));
    }
    assert_marks_agree_with_periods(&c);

    let goal = "goal=Skydd%20och%20st%C3%B6d";
    let c = coverage(&format!("year=2025&{goal}"));
    let want = searched(&format!(
        "type=handlingsplan&type=strategi&type=overenskommelse&{goal}"
    ));
    assert_eq!(ids(&c), want);
    assert!(!want.is_empty());
    assert!(ids(&c).len() <= ids(&coverage("year=2025")).len());
    assert_marks_agree_with_periods(&c);
    let news = coverage("year=2025&type=nyhet");
    assert_eq!(ids(&news), searched("type=nyhet"));
    assert_marks_agree_with_periods(&news);
    let nested = news["counties"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| !c["municipalities"].as_array().unwrap().is_empty());
    assert!(nested, "the sample's municipal news are nested: {news}");

    // Errors with the error body; an unknown type or goal in the words of /api/search.
    let error = |target: &str, code: &str| {
        let a = get(target);
        assert_eq!(a.status, 400, "{target}: {}", a.text());
        assert!(
            a.head.contains("content-type: application/json"),
            "{}",
            a.head
        );
        let v = a.json();
        assert_eq!(v["error"]["code"], code, "{target}: {v}");
        v["error"]["message"].as_str().unwrap().to_string()
    };
    let m = error("/api/coverage?type=plan", "invalid_type");
    assert_eq!(m, error("/api/search?type=plan", "invalid_type"));
    let m = error("/api/coverage?goal=fred", "invalid_goal");
    assert_eq!(m, error("/api/search?goal=fred", "invalid_goal"));
    for year in ["1989", "2101", "abc", "2025.5", "-2025"] {
        let m = error(&format!("/api/coverage?year={year}"), "invalid_year");
        assert!(m.contains("1990 to 2100"), "{m}");
    }
    let m = error("/api/coverage?year=2025&year=2026", "invalid_parameter");
    assert!(m.contains("year"), "{m}");
    let m = error("/api/coverage?region=skane", "invalid_parameter");
    assert!(m.contains("type, goal, year, format"), "{m}");
    error("/api/coverage?format=jsonl", "invalid_format");
    error("/api/coverage?format=xml", "invalid_format");
}

#[test]
fn the_csv_has_one_row_per_plan_as_in_the_json() {
    for query in ["year=2025", "year=2019&type=strategi&type=handlingsplan"] {
        let c = coverage(query);
        let year = c["year"].as_u64().unwrap();
        let a = get(&format!("/api/coverage?{query}&format=csv"));
        assert_eq!(a.status, 200, "{}", a.text());
        assert!(
            a.head.contains("content-type: text/csv; charset=utf-8"),
            "{}",
            a.head
        );
        assert!(
            a.head.contains(&format!(
                "content-disposition: attachment; filename=\"plansok-tackning-{year}.csv\""
            )),
            "{}",
            a.head
        );
        let mut r = csv::Reader::from_reader(a.body.as_slice());
        let header: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
        assert_eq!(
            header,
            [
                "county",
                "municipality",
                "id",
                "title",
                "type",
                "period_start",
                "period_end",
                "in_force",
                "url"
            ]
        );
        let rows: Vec<Vec<String>> = r
            .records()
            .map(|rec| rec.unwrap().iter().map(str::to_string).collect())
            .collect();
        let text = |v: &Value| v.as_str().unwrap_or("").to_string();
        let want: Vec<Vec<String>> = plans(&c)
            .iter()
            .map(|(county, p)| {
                vec![
                    county.clone(),
                    text(&p["municipality"]),
                    text(&p["id"]),
                    text(&p["title"]),
                    text(&p["type"]),
                    p["period"]["start"].to_string(),
                    p["period"]["end"].to_string(),
                    in_force(p, year).to_string(),
                    text(&p["url"]),
                ]
            })
            .collect();
        assert!(!want.is_empty(), "{query}");
        assert_eq!(rows, want, "{query}");
    }
}

#[test]
fn the_route_and_the_page_are_in_the_openapi_document_and_served() {
    let doc = get("/openapi.json").json();
    let op = &doc["paths"]["/api/coverage"]["get"];
    assert!(op["summary"].is_string(), "{op}");
    let names: Vec<&str> = op["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["type", "goal", "year", "format"]);
    let content = &op["responses"]["200"]["content"];
    assert!(content["application/json"].is_object(), "{content}");
    assert!(content["text/csv"].is_object(), "{content}");
    assert!(op["responses"]["400"].is_object(), "{op}");
    assert!(doc["components"]["schemas"]["Coverage"].is_object());

    let page = get("/tackning");
    assert_eq!(page.status, 200);
    assert!(
        page.head.contains("content-type: text/html"),
        "{}",
        page.head
    );
    let html = page.text();
    assert!(html.contains("/api/coverage"), "the page reads the API");
    for external in [
        "src=\"http",
        "href=\"http",
        "src=\"//",
        "href=\"//",
        "url(http",
        "@import",
    ] {
        assert!(
            !html.contains(external),
            "the page loads nothing from elsewhere ({external})"
        );
    }
}
