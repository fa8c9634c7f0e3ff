//! The web page in a real browser: headless Chromium from Debian's packages, driven over the
//! WebDriver protocol (chromedriver; see `common/browser.rs`). It searches, clicks a facet, sees
//! the counts change, opens a result, and saves a screenshot under the target directory.
//! Skips with a message when /usr/bin/chromium or /usr/bin/chromedriver is absent.

mod common;

use std::time::{Duration, Instant};

use serde_json::json;

use common::browser::{available, serve_sample, start_driver};

#[test]
fn search_filter_by_a_facet_and_open_a_result_in_chromium() {
    if !available("the web page was not tested in a browser") {
        return;
    }
    let server = serve_sample(false);
    let page = format!("{}/", server.base);
    let rt = &server.rt;
    let profile = tempfile::tempdir().unwrap();
    rt.block_on(async {
        let d = start_driver(profile.path()).await;
        d.call(reqwest::Method::POST, "/url", Some(json!({"url": page})))
            .await;
        let count = |t: &str| {
            t.split_whitespace()
                .next()
                .and_then(|n| n.parse::<u64>().ok())
        };
        d.wait_text("#status", |t| count(t).is_some()).await;

        // Search.
        let q = d.find_all("#q").await[0].clone();
        d.call(
            reqwest::Method::POST,
            &format!("/element/{q}/value"),
            Some(json!({"text": "våld\n"})),
        )
        .await;
        let before = count(&d.wait_text("#status", |t| t.contains("träffar")).await).unwrap();
        tokio::time::sleep(Duration::from_millis(500)).await;
        let before =
            count(&d.wait_text("#status", |t| t.contains("träffar")).await).unwrap_or(before);
        assert!(before > 10, "{before}");

        // Click the facet of Jämtlands län: the hit count drops to the facet's count.
        let mut facet = None;
        for el in d.find_all("button.facet").await {
            let t = d.text(&el).await;
            if t.starts_with("Jämtlands län") {
                facet = Some((el, t));
            }
        }
        let (el, label) = facet.expect("a facet button for Jämtlands län");
        let expected: u64 = label
            .rsplit('(')
            .next()
            .unwrap()
            .trim_end_matches(')')
            .parse()
            .unwrap();
        d.click(&el).await;
        let after = count(&d.wait_text("#status", |t| count(t) == Some(expected)).await).unwrap();
        assert!(after < before, "{after} < {before}");
        let pressed = d.find_all("button.facet[aria-pressed=true]").await;
        assert_eq!(pressed.len(), 1);

        d.screenshot("plansok-web-page").await;

        // Open the first result.
        let link = d.find_all(".hit h2 a").await[0].clone();
        let href = d
            .call(
                reqwest::Method::GET,
                &format!("/element/{link}/attribute/href"),
                None,
            )
            .await
            .as_str()
            .unwrap()
            .to_string();
        assert!(
            href.contains("lansstyrelsen.se/jamtland") || href.contains("ostersund.se"),
            "{href}"
        );
        d.click(&link).await;
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let url = d.call(reqwest::Method::GET, "/url", None).await;
            let url = url.as_str().unwrap_or("");
            if url != page && !url.is_empty() {
                break;
            }
            assert!(Instant::now() < deadline, "the result did not open");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        d.call(reqwest::Method::DELETE, "", None).await;
    });
}
