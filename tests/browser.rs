//! The web page in a real browser: headless Chromium from Debian's packages, driven over the
//! WebDriver protocol (chromedriver; see `common/browser.rs`), as a researcher uses it: the
//! state in the URL (reload, Back), paging and sorting, filters as chips that can always be
//! removed, help when nothing matches, errors in place of results, a late answer never drawn
//! over a later search's, the document view, the sample banner and the phone layout. Each test
//! saves screenshots under cargo's tmp folder.
//! Skips with a message when /usr/bin/chromium or /usr/bin/chromedriver is absent.

mod common;

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

/// The ids of the hits of a search answer, in order.
fn answer_ids(answer: &Value) -> Vec<String> {
    answer["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap().to_string())
        .collect()
}

/// Waits until the page has drawn the answer to the current URL: the status line is set.
async fn settled(d: &Driver) {
    d.wait_js("return document.getElementById('status').textContent || document.querySelector('.error, #doc-title')")
        .await;
}

/// The ids of the hits on the page, in order.
async fn hit_ids(d: &Driver) -> Vec<String> {
    let v = d
        .js(
            "return [...document.querySelectorAll('.hit h2 a')].map(a => a.dataset.id)",
            json!([]),
        )
        .await;
    serde_json::from_value(v).unwrap_or_default()
}

async fn path_and_query(d: &Driver) -> String {
    let v = d
        .js("return location.pathname + location.search", json!([]))
        .await;
    v.as_str().unwrap_or("").to_string()
}

async fn click(d: &Driver, css: &str) {
    let found = d.find_all(css).await;
    let el = found
        .first()
        .unwrap_or_else(|| panic!("nothing matches {css}"));
    d.click(el).await;
}

/// Runs `steps` with a browser on a server of the sample corpus.
fn with_browser<F>(sample: bool, steps: impl FnOnce(String, Driver) -> F)
where
    F: std::future::Future<Output = ()>,
{
    if !available("the web page was not tested in a browser") {
        return;
    }
    let server = serve_sample(sample);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let profile = tempfile::tempdir().unwrap();
    rt.block_on(async {
        let d = start_driver(profile.path()).await;
        steps(server.base.clone(), d).await;
    });
}

#[test]
fn the_url_holds_the_search_through_reload_back_paging_and_filters() {
    with_browser(false, |base, d| async move {
        // A shared link gives the same view as the API for the same search.
        d.goto(&format!("{base}/?q=v%C3%A5ld&region=jamtland"))
            .await;
        settled(&d).await;
        let want = api(&base, "/api/search?q=v%C3%A5ld&region=jamtland&limit=20").await;
        let ids = answer_ids(&want);
        assert_eq!(hit_ids(&d).await, ids);
        // The slug of the link is read as the county: one chip and one pressed facet value,
        // both by the county's name, and the address says so too.
        let chips = d.find_all(".chip").await;
        assert_eq!(chips.len(), 1, "the region filter is a chip");
        assert_eq!(d.text(&chips[0]).await, "Län: Jämtlands län ✕");
        let pressed = d
            .js(
                "return [...document.querySelectorAll('button.facet[data-facet=region]')].filter(b => b.getAttribute('aria-pressed') === 'true' || b.dataset.value === 'jamtland').map(b => b.dataset.value)",
                json!([]),
            )
            .await;
        assert_eq!(pressed, json!(["Jämtlands län"]));
        assert!(
            path_and_query(&d)
                .await
                .contains("region=J%C3%A4mtlands+l%C3%A4n"),
            "{}",
            path_and_query(&d).await
        );
        // Reload: the same view.
        d.js("location.reload()", json!([])).await;
        settled(&d).await;
        assert_eq!(hit_ids(&d).await, ids, "after a reload");

        // A new search, then Back: the previous search again.
        d.find_all("#q").await; // the box is there
        d.js("document.getElementById('q').value = ''", json!([]))
            .await;
        d.type_into("#q", "barnahus\n").await;
        d.wait_js("return location.search.includes('barnahus')")
            .await;
        settled(&d).await;
        d.call(reqwest::Method::POST, "/back", Some(json!({})))
            .await;
        d.wait_js("return !location.search.includes('barnahus')")
            .await;
        d.wait_js(&format!(
            "return [...document.querySelectorAll('.hit h2 a')].map(a => a.dataset.id).join() === {:?}",
            ids.join(",")
        ))
        .await;

        // Paging: ten per page, page 2 is the API's hits 11-20.
        d.goto(&format!("{base}/?q=v%C3%A5ld&size=10")).await;
        settled(&d).await;
        assert_eq!(hit_ids(&d).await.len(), 10);
        click(&d, "#next").await;
        d.wait_js("return location.search.includes('page=2')").await;
        let page2 = api(&base, "/api/search?q=v%C3%A5ld&limit=10&offset=10").await;
        let first = page2["hits"][0]["id"].as_str().unwrap().to_string();
        d.wait_js(&format!(
            "return document.querySelector('.hit h2 a')?.dataset.id === {first:?}"
        ))
        .await;
        let status = d.wait_text("#status", |t| t.contains("visar 11–20")).await;
        let total = page2["total"].as_u64().unwrap();
        assert!(status.starts_with(&format!("{total} träffar")), "{status}");
        // Sorting by date goes into the URL.
        d.js(
            "const s = document.getElementById('sort'); s.value = 'date'; s.dispatchEvent(new Event('change'))",
            json!([]),
        )
        .await;
        d.wait_js(
            "return location.search.includes('sort=date') && !location.search.includes('page=')",
        )
        .await;
        // Swedish count words.
        let words = d
            .js(
                "return [plansok.hitsWord(1), plansok.hitsWord(2)]",
                json!([]),
            )
            .await;
        assert_eq!(words, json!(["1 träff", "2 träffar"]));

        // A chosen filter stays in view with count 0 and is removed by its chip or "Rensa
        // filter": a county with plans about violence but none about barnahus.
        let regions = |v: &Value| -> Vec<String> {
            v["facets"]["region"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["value"].as_str().unwrap().to_string())
                .collect()
        };
        let with_barnahus = regions(&api(&base, "/api/search?q=barnahus&limit=0").await);
        let county = regions(&api(&base, "/api/search?q=v%C3%A5ld&limit=0").await)
            .into_iter()
            .find(|c| !with_barnahus.contains(c))
            .expect("a county without barnahus in the sample");
        d.goto(&format!("{base}/?q=v%C3%A5ld")).await;
        settled(&d).await;
        let facet = format!("button.facet[data-facet=region][data-value={county:?}]");
        click(&d, &facet).await;
        d.wait_js("return document.querySelectorAll('.chip').length === 1")
            .await;
        d.js("document.getElementById('q').value = ''", json!([]))
            .await;
        d.type_into("#q", "barnahus\n").await;
        d.wait_js(&format!(
            "return document.querySelector('{facet}')?.textContent.includes('(0)')"
        ))
        .await;
        // No hits: help to get some, here by dropping the filter.
        d.wait_js("return document.querySelector('.nohits li')")
            .await;
        let help = d.text(&d.find_all(".nohits").await[0]).await;
        assert!(help.contains("Ta bort filtret"), "{help}");
        click(&d, "#clear").await;
        d.wait_js("return document.querySelectorAll('.chip').length === 0 && !location.search.includes('region')")
            .await;
        d.screenshot("plansok-search-desktop").await;

        // A misspelt word: the spelling offered is the nearest word of the index, not a
        // commoner one further off ("kvinnor").
        d.goto(&format!("{base}/?q=kvinnjour")).await;
        let offered = d.wait_text(".nohits li a", |t| !t.is_empty()).await;
        assert!(offered.starts_with("kvinnojour"), "{offered}");

        // A municipality from a link: its chip and facet value by name, without a county's
        // count of 0 (the facet counts counties).
        d.goto(&format!("{base}/?q=v%C3%A5ld&region=umea")).await;
        settled(&d).await;
        let chip = d.wait_text(".chip", |t| t.contains("Umeå kommun")).await;
        assert_eq!(chip, "Län: Umeå kommun ✕");
        let value = d
            .js(
                "return document.querySelector('button.facet[data-facet=region][aria-pressed=true]')?.textContent",
                json!([]),
            )
            .await;
        assert_eq!(value, json!("Umeå kommun"));

        // The compare view names a linked county as the facets do, in its chip and address.
        d.goto(&format!("{base}/?q=v%C3%A5ld&region=skane&view=jamfor"))
            .await;
        let chip = d.wait_text(".chip", |t| t.contains("Skåne län")).await;
        assert_eq!(chip, "Län: Skåne län ✕");
        d.wait_js("return location.search.includes('Sk%C3%A5ne') && location.search.includes('view=jamfor')")
            .await;
        // Sorting and page size do not apply to a comparison: they are not offered.
        let controls = "return [document.getElementById('sort').parentElement.hidden, \
                        document.getElementById('size').parentElement.hidden]";
        assert_eq!(d.js(controls, json!([])).await, json!([true, true]));
        // A measure's similar measures open under that measure, not in place of the next.
        d.wait_js("return document.querySelector('.county button.similar')")
            .await;
        let measures = "return document.querySelectorAll('.county > ul > li').length";
        let before = d.js(measures, json!([])).await;
        click(&d, ".county button.similar").await;
        d.wait_js("return document.querySelector('.county > ul > li:first-child > ul.like > li')")
            .await;
        assert_eq!(d.js(measures, json!([])).await, before);
        // The filters stand beside the comparison: the county is chosen there, and a second
        // county is added to it, not put in its place.
        let pressed = "button.facet[data-facet=region][aria-pressed=true]";
        d.wait_text(pressed, |t| t.contains("Skåne län")).await;
        click(&d, "button.facet[data-facet=region][aria-pressed=false]").await;
        d.wait_js(
            "return new URLSearchParams(location.search).getAll('region').length === 2 \
             && location.search.includes('view=jamfor')",
        )
        .await;
        d.wait_js("return document.querySelectorAll('button.facet[data-facet=region][aria-pressed=true]').length === 2")
            .await;

        // An error replaces the results; it is not shown above old ones.
        d.goto(&format!("{base}/?q=v%C3%A5ld&period=1800")).await;
        d.wait_js("return document.querySelector('#hits .error')")
            .await;
        assert!(hit_ids(&d).await.is_empty());

        // A late answer to an earlier search never replaces the answer to a later one: the
        // answer to "barnahus" is held back a second, and "riskbedömning" is asked meanwhile.
        d.goto(&format!("{base}/?q=v%C3%A5ld")).await;
        settled(&d).await;
        d.js(
            "const real = window.fetch; window.lateAnswered = false; \
             window.fetch = (u, o) => String(u).includes('barnahus') \
               ? new Promise(r => setTimeout(r, 1000)).then(() => real(u, o)) \
                   .finally(() => { window.lateAnswered = true; }) \
               : real(u, o); \
             const ask = q => { document.getElementById('q').value = q; document.getElementById('f').requestSubmit(); }; \
             ask('barnahus'); ask('riskbedömning');",
            json!([]),
        )
        .await;
        settled(&d).await;
        d.wait_js("return window.lateAnswered").await;
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        let later = api(&base, "/api/search?q=riskbed%C3%B6mning&limit=20").await;
        let later_ids = answer_ids(&later);
        assert!(!later_ids.is_empty());
        assert_eq!(hit_ids(&d).await, later_ids, "the later search's hits");
        assert!(path_and_query(&d).await.contains("riskbed"));
        let total = later["total"].as_u64().unwrap();
        let count = if total == 1 {
            "1 träff".to_string()
        } else {
            format!("{total} träffar")
        };
        let status = d.text(&d.find_all("#status").await[0]).await;
        assert!(status.starts_with(&count), "{status}");
        d.quit().await;
    });
}

#[test]
fn a_document_opens_inside_plansok_with_its_passages_and_similar_documents() {
    with_browser(false, |base, d| async move {
        d.goto(&format!("{base}/?q=riskbed%C3%B6mning")).await;
        settled(&d).await;
        let id = hit_ids(&d).await[0].clone();
        click(&d, ".hit h2 a").await;
        d.wait_js("return document.getElementById('doc-title')")
            .await;
        assert!(path_and_query(&d)
            .await
            .starts_with(&format!("/dokument/{id}")));
        let doc = api(&base, &format!("/api/documents/{id}")).await;
        let title = d.text(&d.find_all("#doc-title").await[0]).await;
        assert_eq!(title, doc["title"].as_str().unwrap());
        let shown = d.find_all(".passage").await.len();
        assert_eq!(shown, doc["passages"].as_array().unwrap().len());
        let sort_shown = "return !document.getElementById('sort').parentElement.hidden";
        assert_eq!(
            d.js(sort_shown, json!([])).await,
            json!(false),
            "no sorting of a document"
        );
        d.wait_js("return document.querySelector('#similar-docs a')")
            .await;
        // A passage's similar measures from other documents.
        click(&d, "button.similar").await;
        d.wait_js("return document.querySelector('.like li')").await;
        d.screenshot("plansok-document").await;
        // Back to the search it came from.
        click(&d, "#back").await;
        d.wait_js("return location.pathname === '/' && location.search.includes('riskbed')")
            .await;
        settled(&d).await;
        assert_eq!(hit_ids(&d).await[0], id);
        // A reload of a document's address shows the document.
        d.goto(&format!("{base}/dokument/{id}")).await;
        d.wait_js("return document.getElementById('doc-title')")
            .await;
        d.quit().await;
    });
}

#[test]
fn a_phone_sees_the_first_result_and_the_sample_is_marked_as_fictitious() {
    with_browser(true, |base, d| async move {
        d.resize(390, 844).await;
        d.goto(&format!("{base}/?q=hedersrelaterat+v%C3%A5ld"))
            .await;
        settled(&d).await;
        let banner = d.find_all("#banner").await[0].clone();
        let shown = d
            .js(
                "return !document.getElementById('banner').hidden",
                json!([]),
            )
            .await;
        assert_eq!(shown, json!(true));
        assert!(d.text(&banner).await.contains("påhittade"));
        let top = d
            .js(
                "return document.querySelector('.hit').getBoundingClientRect().top",
                json!([]),
            )
            .await;
        let inner = d.js("return window.innerHeight", json!([])).await;
        assert!(
            top.as_f64().unwrap() < inner.as_f64().unwrap(),
            "first hit at {top} in a window {inner} high"
        );
        // The filters are behind a button, and it opens them.
        let hidden = d
            .js(
                "return getComputedStyle(document.getElementById('facets')).display",
                json!([]),
            )
            .await;
        assert_eq!(hidden, json!("none"));
        d.screenshot("plansok-search-phone").await;
        click(&d, "#filter-toggle").await;
        d.wait_js("return getComputedStyle(document.getElementById('facets')).display !== 'none'")
            .await;
        // Every control is reachable by keyboard: buttons, links and fields only.
        let custom = d
            .js(
                "return [...document.querySelectorAll('[onclick], div[tabindex], span[tabindex]')].length",
                json!([]),
            )
            .await;
        assert_eq!(custom, json!(0));
        d.quit().await;
    });
    // Without the sample, no banner.
    with_browser(false, |base, d| async move {
        d.goto(&format!("{base}/")).await;
        settled(&d).await;
        d.wait_js("return document.querySelector('.intro')").await;
        let shown = d
            .js(
                "return !document.getElementById('banner').hidden",
                json!([]),
            )
            .await;
        assert_eq!(shown, json!(false));
        d.quit().await;
    });
}

#[test]
fn a_text_on_several_county_sites_is_one_hit_that_lists_the_others() {
    with_browser(true, |base, d| async move {
        let answer = api(&base, "/api/search?q=v%C3%A5ld&limit=20").await;
        let want: Vec<(String, usize)> = answer["hits"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|h| !h["also_at"].as_array().unwrap().is_empty())
            .map(|h| {
                let n = h["also_at"].as_array().unwrap().len();
                (h["id"].as_str().unwrap().to_string(), n)
            })
            .collect();
        assert!(!want.is_empty(), "the sample's county topic pages fold");
        d.goto(&format!("{base}/?q=v%C3%A5ld&size=20")).await;
        settled(&d).await;
        // The status tells how many different texts the matches make.
        let distinct = answer["distinct"].as_u64().unwrap();
        assert!(distinct < answer["total"].as_u64().unwrap());
        let status = d.wait_text("#status", |t| !t.is_empty()).await;
        assert!(
            status.contains(&format!("({distinct} olika texter)")),
            "{status}"
        );
        let shown = d
            .js(
                "return [...document.querySelectorAll('.hit')].filter(h => h.querySelector('.also')).map(h => \
                 [h.querySelector('h2 a').dataset.id, h.querySelectorAll('.also li').length, \
                 h.querySelector('.also summary').textContent])",
                json!([]),
            )
            .await;
        let shown: Vec<(String, usize, String)> = serde_json::from_value(shown).unwrap();
        assert_eq!(
            shown
                .iter()
                .map(|(id, n, _)| (id.clone(), *n))
                .collect::<Vec<_>>(),
            want
        );
        for (_, n, summary) in &shown {
            assert!(summary.contains(&format!("även på {n} plats")), "{summary}");
        }
        d.screenshot("plansok-also-at").await;
    });
}
