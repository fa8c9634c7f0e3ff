//! The coverage page `/tackning` in a real browser (headless Chromium over WebDriver, see
//! `common/browser.rs`): its timeline shows one bar per plan of `/api/coverage`, marks exactly
//! the counties the API names without a plan in force, follows its controls into the URL, and
//! fits a phone. Saves the screenshots `plansok-coverage-desktop` and `plansok-coverage-phone`
//! under cargo's tmp folder. Skips with a message when Chromium or chromedriver is absent.

mod common;

use std::collections::BTreeSet;

use serde_json::{json, Value};

use common::browser::{available, serve_sample, start_driver, Driver};

/// The API's answer to `target` on the test's server.
async fn api(base: &str, target: &str) -> Value {
    reqwest::get(format!("{base}{target}"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// Waits until the timeline shows the answer for `year` with this API query.
async fn drawn(d: &Driver, year: u16, query: &str) {
    let script = format!(
        "const t = document.getElementById('timeline'); \
         return t.dataset.year === '{year}' && t.dataset.query === {query:?} \
                && t.querySelectorAll('svg.bars').length > 21"
    );
    d.wait_js(&script).await;
}

/// The plan ids of a coverage answer.
fn plan_ids(c: &Value) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for county in c["counties"].as_array().unwrap() {
        let own = county["plans"].as_array().unwrap().iter();
        let munis = county["municipalities"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|m| m["plans"].as_array().unwrap().iter());
        for p in own.chain(munis) {
            out.insert(p["id"].as_str().unwrap().to_string());
        }
    }
    out
}

fn strings(v: &Value) -> Vec<String> {
    serde_json::from_value(v.clone()).unwrap_or_default()
}

/// The ids of the bars drawn (every bar, in collapsed rows too).
async fn bar_ids(d: &Driver) -> Vec<String> {
    strings(
        &d.js(
            "return [...document.querySelectorAll('#timeline a.bar')].map(a => a.dataset.id)",
            json!([]),
        )
        .await,
    )
}

/// The counties whose rows are marked as without a plan in force, in page order; each must
/// say so in words.
async fn marked(d: &Driver) -> Vec<String> {
    let v = d
        .js(
            "return [...document.querySelectorAll('.county-row.no-plan')].map(r => \
               (r.querySelector('.flag') || {}).textContent === 'ingen plan i kraft' \
                 ? r.dataset.county : 'unlabelled: ' + r.dataset.county)",
            json!([]),
        )
        .await;
    strings(&v)
}

async fn location(d: &Driver) -> String {
    let v = d
        .js("return location.pathname + location.search", json!([]))
        .await;
    v.as_str().unwrap_or("").to_string()
}

/// Asserts the page shows the answer `c`: a bar per plan and the marks of `without_plan`.
async fn assert_shows(d: &Driver, c: &Value) {
    let bars = bar_ids(d).await;
    let plans = plan_ids(c);
    assert_eq!(bars.len(), plans.len(), "a bar per plan: {bars:?}");
    assert_eq!(bars.into_iter().collect::<BTreeSet<_>>(), plans);
    assert_eq!(marked(d).await, strings(&c["without_plan"]));
}

#[test]
fn the_timeline_shows_the_apis_plans_and_marks_and_follows_its_controls() {
    if !available("the coverage page was not tested in a browser") {
        return;
    }
    let server = serve_sample(true);
    let base = server.base.clone();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let profile = tempfile::tempdir().unwrap();
    rt.block_on(async {
        let d = start_driver(profile.path()).await;
        d.resize(1200, 900).await;
        d.goto(&format!("{base}/tackning?year=2025")).await;
        let all_types = "year=2025&type=handlingsplan&type=strategi&type=overenskommelse";
        drawn(&d, 2025, all_types).await;
        let c2025 = api(&base, "/api/coverage?year=2025").await;
        assert!(!plan_ids(&c2025).is_empty());
        assert!(!strings(&c2025["without_plan"]).is_empty());
        assert_shows(&d, &c2025).await;
        // Each bar links to its document and says what it is.
        let bar = d
            .js(
                "const a = document.querySelector('#timeline a.bar'); \
                 return [a.getAttribute('href'), a.dataset.id, a.getAttribute('aria-label'), \
                         a.querySelector('title').textContent]",
                json!([]),
            )
            .await;
        let id = bar[1].as_str().unwrap();
        assert_eq!(bar[0], format!("/dokument/{id}"));
        assert!(bar[2].as_str().unwrap().contains("2025"), "{bar}");
        assert!(!bar[3].as_str().unwrap().is_empty(), "{bar}");
        let csv = d
            .js("return document.getElementById('csv').getAttribute('href')", json!([]))
            .await;
        assert_eq!(csv, format!("/api/coverage?{all_types}&format=csv"));
        d.screenshot("plansok-coverage-desktop").await;

        // Another year: the URL, the marks and the CSV link follow.
        d.js(
            "const y = document.getElementById('year'); y.value = '2019'; \
             y.dispatchEvent(new Event('change', {bubbles: true}))",
            json!([]),
        )
        .await;
        drawn(&d, 2019, &all_types.replace("2025", "2019")).await;
        assert_eq!(location(&d).await, "/tackning?year=2019");
        let c2019 = api(&base, "/api/coverage?year=2019").await;
        assert_ne!(c2019["without_plan"], c2025["without_plan"]);
        assert_shows(&d, &c2019).await;
        // The next-year button.
        let next = d.find_all("#next").await;
        d.click(&next[0]).await;
        drawn(&d, 2020, &all_types.replace("2025", "2020")).await;
        assert_eq!(location(&d).await, "/tackning?year=2020");
        assert_shows(&d, &api(&base, "/api/coverage?year=2020").await).await;

        // A type unticked: the URL names the types left; Back returns to the year before.
        let strategi = d.find_all("#type-strategi").await;
        d.click(&strategi[0]).await;
        let two = "year=2020&type=handlingsplan&type=overenskommelse";
        drawn(&d, 2020, two).await;
        assert_eq!(location(&d).await, format!("/tackning?{two}"));
        assert_shows(&d, &api(&base, &format!("/api/coverage?{two}")).await).await;
        d.js("history.back()", json!([])).await;
        drawn(&d, 2020, &all_types.replace("2025", "2020")).await;

        // A goal, from the URL into the select; municipalities fold out.
        let view = "year=2025&type=annat&type=nyhet&goal=skydd-och-stod";
        d.goto(&format!("{base}/tackning?{view}")).await;
        drawn(&d, 2025, view).await;
        let c = api(&base, &format!("/api/coverage?{view}")).await;
        assert_shows(&d, &c).await;
        let goal = d
            .js("return document.getElementById('goal').value", json!([]))
            .await;
        assert_eq!(goal, "skydd-och-stod");
        let hidden = "return [...document.querySelectorAll('.munis')].filter(g => g.hidden).length";
        let groups = d.js(hidden, json!([])).await.as_u64().unwrap();
        assert!(groups > 0, "the sample has municipalities' documents of these types");
        let toggles = d.find_all(".county-row .toggle").await;
        assert_eq!(toggles.len() as u64, groups);
        d.click(&toggles[0]).await;
        let after = d.js(hidden, json!([])).await.as_u64().unwrap();
        assert_eq!(after, groups - 1);
        let expanded = d
            .js(
                "return document.querySelector('.county-row .toggle').getAttribute('aria-expanded')",
                json!([]),
            )
            .await;
        assert_eq!(expanded, "true");

        // A year the API refuses is said on the page, not sent.
        d.js(
            "const y = document.getElementById('year'); y.value = '1800'; \
             y.dispatchEvent(new Event('change', {bubbles: true}))",
            json!([]),
        )
        .await;
        d.wait_text("#status.error", |t| t.contains("1990")).await;
        assert_eq!(location(&d).await, format!("/tackning?{view}"));

        // A phone: the timeline fits the width; the rows are still there.
        d.goto(&format!("{base}/tackning?year=2025")).await;
        d.resize(390, 844).await;
        drawn(&d, 2025, all_types).await;
        tokio::time::sleep(std::time::Duration::from_millis(400)).await;
        drawn(&d, 2025, all_types).await;
        let fits = d
            .js(
                "return document.documentElement.scrollWidth <= window.innerWidth",
                json!([]),
            )
            .await;
        assert_eq!(fits, true, "no sideways scrolling on a phone");
        assert_shows(&d, &c2025).await;
        d.js(
            "document.getElementById('summary').scrollIntoView()",
            json!([]),
        )
        .await;
        d.screenshot("plansok-coverage-phone").await;
        d.quit().await;
    });
}
