//! Search over the sample corpus: Swedish stemming, filters, facet counts, re-ingest,
//! duplicates and a broken file.

mod common;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use common::{fixture_dir, pipeline, repo};
use plansok_index::search;
use plansok_index::{
    IndexError, Indexer, SearchConfig, SearchIndex, SearchRequest, SearchResponse,
};
use plansok_ingest::IngestReport;
use plansok_model::Taxonomy;

struct Fixture {
    _dir: PathBuf,
    store: SearchIndex,
    report: IngestReport,
}

/// The sample corpus, ingested once for all tests of this file.
fn corpus() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let dir = fixture_dir("search-corpus");
        let mut p = pipeline(&dir);
        let report = p
            .ingest_paths(&[repo().join("corpus/sample")], |_, _| {})
            .unwrap();
        let store = SearchIndex::open(&dir.join("index"), SearchConfig::load().unwrap()).unwrap();
        Fixture {
            _dir: dir,
            store,
            report,
        }
    })
}

fn run(req: SearchRequest) -> SearchResponse {
    search(&corpus().store, &Taxonomy::load().unwrap(), &req).unwrap()
}

fn q(query: &str) -> SearchRequest {
    SearchRequest {
        query: query.into(),
        limit: Some(100),
        ..Default::default()
    }
}

fn marked(snippet: &str) -> Vec<String> {
    snippet
        .split("<mark>")
        .skip(1)
        .filter_map(|s| s.split("</mark>").next())
        .map(|s| s.to_lowercase())
        .collect()
}

#[test]
fn the_whole_corpus_is_indexed_except_the_broken_pdf() {
    let r = &corpus().report;
    assert_eq!(r.skipped.len(), 1, "{:?}", r.skipped);
    let (path, why) = &r.skipped[0];
    assert!(
        path.to_string_lossy().ends_with("trasig.pdf"),
        "{}",
        path.display()
    );
    assert!(why.contains("not a readable PDF"), "{why}");
    assert!(r.added >= 48, "added {}", r.added);
    let all = run(q(""));
    assert_eq!(all.total, r.added);
    assert_eq!(
        all.facets.region.len(),
        21,
        "every county has documents: {:?}",
        all.facets.region
    );
}

#[test]
fn stemming_finds_and_marks_other_inflections() {
    let r = run(q("handlingsplanen"));
    assert!(r.total >= 10, "{}", r.total);
    let marks: Vec<String> = r.hits.iter().flat_map(|h| marked(&h.snippet)).collect();
    assert!(
        marks.iter().any(|m| m == "handlingsplan"),
        "an uninflected form is highlighted: {marks:?}"
    );
    let r = run(q("kvinnorna"));
    let marks: Vec<String> = r.hits.iter().flat_map(|h| marked(&h.snippet)).collect();
    assert!(marks.iter().any(|m| m == "kvinnor"), "{marks:?}");
}

#[test]
fn stop_words_do_not_drown_a_query_and_phrases_work() {
    let phrase = run(q("\"våld i nära relationer\""));
    let words = run(q("våld nära relationer"));
    assert!(
        phrase.total >= 1 && phrase.total <= words.total,
        "{} vs {}",
        phrase.total,
        words.total
    );
}

#[test]
fn a_phrase_typed_with_a_field_is_a_phrase_in_that_field() {
    // Bodies are indexed without positions (their phrases are matched in their shadows), so
    // `body:"…"` is routed there: the same documents as the phrase alone, or a subset (the
    // phrase alone also matches titles), and not those that have the words apart.
    let phrase = run(q("\"våld i nära relationer\""));
    let in_body = run(q("body:\"våld i nära relationer\""));
    let ids = |r: &SearchResponse| -> Vec<String> { r.hits.iter().map(|h| h.id.clone()).collect() };
    assert!(in_body.total >= 1, "no body has the phrase");
    assert!(in_body.total <= phrase.total);
    assert!(ids(&in_body).iter().all(|id| ids(&phrase).contains(id)));
    let apart = run(q("body:\"relationer nära\""));
    assert!(
        apart.total < in_body.total,
        "{} vs {}",
        apart.total,
        in_body.total
    );
    // The title keeps its positions and its phrases.
    let title = run(q("title:\"mäns våld\""));
    assert!(title.total >= 1);
    assert!(title
        .hits
        .iter()
        .all(|h| h.title.to_lowercase().contains("mäns våld")));
}

#[test]
fn a_word_or_prefix_in_a_body_that_is_only_stored_is_searched_in_its_shadow() {
    // With whole words written twice in the parts fields, bodies and passage texts are only
    // stored: `body:word` and `text:word` read their `*_parts` shadows, as a plain word does.
    let store = &corpus().store;
    let schema = store.index().schema();
    let body = schema.get_field_entry(schema.get_field("body").unwrap());
    assert!(!body.is_indexed(), "the body should be stored only");
    let ids = |r: &SearchResponse| -> Vec<String> { r.hits.iter().map(|h| h.id.clone()).collect() };
    let in_body = run(SearchRequest {
        limit: Some(100),
        keep_near_duplicates: true,
        ..q("body:samverkan")
    });
    let plain = run(SearchRequest {
        limit: Some(100),
        keep_near_duplicates: true,
        ..q("samverkan")
    });
    assert!(in_body.total >= 1, "no body has the word");
    assert!(in_body.total <= plain.total);
    assert!(ids(&in_body).iter().all(|id| ids(&plain).contains(id)));
    assert!(run(q("body:zzyzxq")).total == 0);
    // A prefix reads the same shadows: every word starting with it, as written.
    let prefix = run(SearchRequest {
        limit: Some(100),
        keep_near_duplicates: true,
        ..q("samverk*")
    });
    assert!(
        prefix.total >= plain.total,
        "{} vs {}",
        prefix.total,
        plain.total
    );
    assert!(ids(&plain).iter().all(|id| ids(&prefix).contains(id)));
}

#[test]
fn region_filter_accepts_every_spelling_and_includes_municipalities() {
    let mut totals = Vec::new();
    for r in ["Jämtlands län", "jämtland", "JAMTLAND", "23"] {
        let resp = run(SearchRequest {
            regions: vec![r.into()],
            ..q("")
        });
        assert!(resp
            .hits
            .iter()
            .all(|h| h.region.as_deref() == Some("Jämtlands län")));
        totals.push(resp.total);
    }
    assert!(totals.windows(2).all(|w| w[0] == w[1]), "{totals:?}");
    let county = run(SearchRequest {
        regions: vec!["jamtland".into()],
        ..q("")
    });
    assert!(county
        .hits
        .iter()
        .any(|h| h.municipality.as_deref() == Some("Östersunds kommun")));
    let muni = run(SearchRequest {
        regions: vec!["Östersunds kommun".into()],
        ..q("")
    });
    assert!(muni.total >= 1 && muni.total < county.total);
    assert!(muni
        .hits
        .iter()
        .all(|h| h.municipality.as_deref() == Some("Östersunds kommun")));
}

#[test]
fn several_values_of_one_filter_are_or() {
    let a = run(SearchRequest {
        regions: vec!["skane".into()],
        ..q("")
    })
    .total;
    let b = run(SearchRequest {
        regions: vec!["halland".into()],
        ..q("")
    })
    .total;
    let both = run(SearchRequest {
        regions: vec!["skane".into(), "halland".into()],
        ..q("")
    })
    .total;
    assert_eq!(both, a + b);
}

#[test]
fn period_filter_means_in_force() {
    let r = run(SearchRequest {
        period: Some("2025".into()),
        ..q("")
    });
    assert!(r.total > 0);
    for h in &r.hits {
        let p = h
            .period
            .as_ref()
            .expect("documents without a period never match");
        assert!(p.start <= 2025 && 2025 <= p.end, "{}: {p:?}", h.title);
    }
    let r = run(SearchRequest {
        period: Some("2018–2019".into()),
        ..q("")
    });
    let regions: Vec<_> = r.hits.iter().filter_map(|h| h.region.clone()).collect();
    assert!(
        regions.contains(&"Kronobergs län".to_string())
            && regions.contains(&"Blekinge län".to_string()),
        "{regions:?}"
    );
    assert!(r.hits.iter().all(|h| h
        .period
        .as_ref()
        .is_some_and(|p| p.start <= 2019 && p.end >= 2018)));
}

#[test]
fn goal_type_and_language_filters() {
    let r = run(SearchRequest {
        goals: vec!["brottsbekampning".into()],
        ..q("")
    });
    assert!(
        r.total > 0
            && r.hits
                .iter()
                .all(|h| h.goals.iter().any(|g| g == "brottsbekampning"))
    );
    let r = run(SearchRequest {
        types: vec!["overenskommelse".into()],
        ..q("")
    });
    assert!(r.total > 0 && r.hits.iter().all(|h| h.doc_type == "overenskommelse"));
    let r = run(SearchRequest {
        langs: vec!["en".into()],
        ..q("")
    });
    assert_eq!(r.total, 1);
    assert_eq!(r.hits[0].title, "Men's violence against women");
    let r = run(q("violence prevention"));
    assert!(
        r.hits.iter().any(|h| h.lang == "en"),
        "English stemming finds the English page"
    );
}

#[test]
fn facet_counts_are_computed_under_the_other_filters() {
    let filtered = run(SearchRequest {
        regions: vec!["jamtland".into()],
        ..q("våld")
    });
    let skane_alone = run(SearchRequest {
        regions: vec!["skane".into()],
        ..q("våld")
    });
    let skane_in_facet = filtered
        .facets
        .region
        .iter()
        .find(|v| v.value == "Skåne län")
        .map(|v| v.count);
    assert_eq!(
        skane_in_facet,
        Some(skane_alone.total as u64),
        "the region facet ignores the region filter"
    );
    let types: u64 = filtered.facets.doc_type.iter().map(|v| v.count).sum();
    assert_eq!(
        types, filtered.total as u64,
        "each document has one type and the type facet obeys the region filter"
    );
    let years = &filtered.facets.period;
    assert!(
        years.windows(2).all(|w| w[0].value < w[1].value),
        "years in order: {years:?}"
    );
}

#[test]
fn hits_from_pdfs_carry_the_page_of_the_best_passage() {
    let r = run(q("riskbedömning"));
    let pdfs: Vec<_> = r
        .hits
        .iter()
        .filter(|h| h.url.as_deref().is_some_and(|u| u.ends_with(".pdf")))
        .collect();
    assert!(!pdfs.is_empty());
    for h in pdfs {
        assert!(h.page.is_some_and(|p| p >= 1), "{h:?}");
        assert!(
            marked(&h.snippet)
                .iter()
                .any(|m| m.starts_with("riskbedömning")),
            "{}",
            h.snippet
        );
    }
}

/// Kronoberg's strategy (the sample PDF) names "våldsutövare" on its first page and
/// "utbildning" on its second: the document matches both words, no passage holds both, and
/// its hit shows the passage with one of them marked, with that passage's page.
#[test]
fn a_hit_whose_words_stand_in_different_passages_shows_a_passage_with_one_of_them() {
    let r = run(q("våldsutövare utbildning"));
    let plan = r
        .hits
        .iter()
        .find(|h| {
            h.url
                .as_deref()
                .is_some_and(|u| u.contains("/kronoberg/") && u.ends_with(".pdf"))
        })
        .expect("Kronoberg's strategy matches both words");
    let marks = marked(&plan.snippet);
    assert!(
        marks
            .iter()
            .any(|m| m.starts_with("våldsutövar") || m.starts_with("utbildning")),
        "{}",
        plan.snippet
    );
    let mentions = |w: &str| plan.snippet.to_lowercase().contains(w);
    assert!(
        !(mentions("våldsutövar") && mentions("utbildning")),
        "the words stand apart: {}",
        plan.snippet
    );
    let page = plan.page.expect("the passage's page");
    assert!(page == 1 || page == 2, "{page}");
}

#[test]
fn the_windows_1252_page_reads_right() {
    let r = run(q("kvinnofridssamordnare"));
    assert_eq!(r.total, 1);
    assert_eq!(r.hits[0].title, "Kvinnofrid i Luleå kommun");
    assert_eq!(r.hits[0].region.as_deref(), Some("Norrbottens län"));
}

#[test]
fn bad_filters_are_errors_that_name_the_filter() {
    let tax = Taxonomy::load().unwrap();
    for (req, name) in [
        (
            SearchRequest {
                regions: vec!["Narnia".into()],
                ..q("")
            },
            "region",
        ),
        (
            SearchRequest {
                period: Some("2030-2020".into()),
                ..q("")
            },
            "period",
        ),
        (
            SearchRequest {
                goals: vec!["fred".into()],
                ..q("")
            },
            "goal",
        ),
        (
            SearchRequest {
                types: vec!["roman".into()],
                ..q("")
            },
            "type",
        ),
        (
            SearchRequest {
                langs: vec!["svenska".into()],
                ..q("")
            },
            "lang",
        ),
    ] {
        match search(&corpus().store, &tax, &req) {
            Err(IndexError::InvalidFilter { name: n, .. }) => assert_eq!(n, name),
            other => panic!("{name}: expected an invalid-filter error, got {other:?}"),
        }
    }
}

#[test]
fn hostile_queries_give_results_or_a_message_never_a_failure() {
    let hostile = [
        "\"unbalanced",
        "AND OR NOT",
        "title:",
        "((((",
        "*",
        "våld^^^",
        "a:b:c",
        "\u{0}",
        "-",
        "title:handlingsplan",
        "+våld -heder",
        "handlings*",
    ];
    for query in hostile {
        match search(&corpus().store, &Taxonomy::load().unwrap(), &q(query)) {
            Ok(_) => {}
            Err(IndexError::InvalidFilter {
                name: "query",
                message,
            }) => {
                assert!(message.contains("cannot be read"), "{message}")
            }
            Err(e) => panic!("{query:?}: {e}"),
        }
    }
    assert!(run(q("title:handlingsplan")).total > 0, "field restriction");
    assert!(run(q("handlings*")).total > 0, "prefix");
    let without = run(q("+våld -hedersrelaterat"));
    assert!(
        without.total > 0 && without.total < run(q("våld")).total,
        "must-not"
    );
}

/// A reader sees in each snippet why its hit matched: a short passage found by the heading it
/// stands under (a PDF's title page: "Gävleborgs län 2022–2026") shows that heading too.
#[test]
fn every_snippet_marks_a_word_of_the_query() {
    for query in [
        "våld i nära relationer",
        "hedersrelaterat",
        "kvinnojour",
        "barnahus",
    ] {
        let got = run(q(query));
        assert!(!got.hits.is_empty(), "{query}");
        for h in &got.hits {
            assert!(
                h.snippet.contains("<mark>"),
                "{query}: {} shows {:?}",
                h.title,
                h.snippet
            );
        }
    }
}

/// A reader paging through "våld" is offered the pages the folded hits fill, not those the
/// total would: the answer says how many hits are left once near-duplicates fold.
#[test]
fn the_hits_left_after_folding_are_counted_for_the_pages() {
    let every = run(q("våld"));
    assert!(every.hits.len() < every.total, "the sample folds some hits");
    assert_eq!(every.distinct, Some(every.hits.len()));
    let page = |offset: usize| {
        run(SearchRequest {
            limit: Some(20),
            offset,
            ..q("våld")
        })
    };
    let first = page(0);
    assert_eq!(
        first.distinct, every.distinct,
        "known from the first page on"
    );
    let distinct = first.distinct.unwrap();
    let last = page(20 * ((distinct - 1) / 20));
    assert!(!last.hits.is_empty(), "the last page counted has hits");
    assert!(page(20 * distinct.div_ceil(20)).hits.is_empty());
    let kept = run(SearchRequest {
        keep_near_duplicates: true,
        ..q("våld")
    });
    assert_eq!(kept.distinct, Some(kept.total));
}

/// The ids of every document a query finds, near-duplicates kept apart.
fn ids_of(query: &str, strict: bool) -> std::collections::BTreeSet<String> {
    let got = run(SearchRequest {
        keep_near_duplicates: true,
        strict_syntax: strict,
        ..q(query)
    });
    assert_eq!(
        got.hits.len(),
        got.total,
        "{query}: one page holds every hit"
    );
    got.hits.into_iter().map(|h| h.id).collect()
}

/// A researcher who types `NOT barnahus` wants the documents without the word, not those with
/// it; `AND` and `+` make a word required, where plain words need only a share of the words.
#[test]
fn excluded_words_alone_find_the_rest_and_marked_words_are_required() {
    let every = ids_of("", false);
    let barnahus = ids_of("barnahus", false);
    assert!(!barnahus.is_empty() && barnahus.len() < every.len());
    let rest: std::collections::BTreeSet<String> = every.difference(&barnahus).cloned().collect();
    for (query, strict) in [
        ("NOT barnahus", false),
        ("-barnahus", false),
        ("NOT barnahus", true),
    ] {
        assert_eq!(ids_of(query, strict), rest, "{query} (strict: {strict})");
    }
    let kalmar = ids_of("kalmar", false);
    let both: std::collections::BTreeSet<String> =
        barnahus.intersection(&kalmar).cloned().collect();
    assert!(
        ids_of("barnahus kalmar", false).len() > both.len(),
        "plain words need only a share of them"
    );
    for (query, strict) in [
        ("barnahus AND kalmar", false),
        ("+barnahus +kalmar", true),
        ("+barnahus kalmar", false),
    ] {
        assert_eq!(ids_of(query, strict), both, "{query} (strict: {strict})");
    }
    // An exclusion beside AND, or in brackets, excludes; it does not empty the answer.
    let barnahus_not_kalmar: std::collections::BTreeSet<String> =
        barnahus.difference(&kalmar).cloned().collect();
    assert!(!barnahus_not_kalmar.is_empty());
    for (query, strict) in [
        ("barnahus AND NOT kalmar", false),
        ("barnahus AND NOT kalmar", true),
        ("NOT kalmar AND barnahus", false),
        ("barnahus (-kalmar)", false),
    ] {
        assert_eq!(
            ids_of(query, strict),
            barnahus_not_kalmar,
            "{query} (strict: {strict})"
        );
    }
    // An excluded prefix finds the documents without any word it starts.
    let kvinno = ids_of("kvinno*", false);
    assert!(!kvinno.is_empty() && kvinno.len() < every.len());
    let no_kvinno: std::collections::BTreeSet<String> =
        every.difference(&kvinno).cloned().collect();
    for query in ["-kvinno*", "NOT kvinno*"] {
        assert_eq!(ids_of(query, false), no_kvinno, "{query}");
    }
}

fn copy_dir(from: &Path, to: &Path) {
    for e in walkdir::WalkDir::new(from) {
        let e = e.unwrap();
        let target = to.join(e.path().strip_prefix(from).unwrap());
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

#[test]
fn re_ingest_updates_without_duplicates_and_identical_content_is_stored_once() {
    let work = tempfile::tempdir().unwrap();
    let docs: PathBuf = work.path().join("docs");
    copy_dir(
        &repo().join("corpus/sample/www.lansstyrelsen.se/jamtland"),
        &docs,
    );
    let mut p = pipeline(work.path());
    let first = p
        .ingest_paths(std::slice::from_ref(&docs), |_, _| {})
        .unwrap();
    assert_eq!(first.added, 2);
    let n = p.store().num_documents().unwrap();

    let again = p
        .ingest_paths(std::slice::from_ref(&docs), |_, _| {})
        .unwrap();
    assert_eq!((again.added, again.updated, again.unchanged), (0, 0, 2));
    assert_eq!(p.store().num_documents().unwrap(), n);

    let page = docs.join("samhalle/social-hallbarhet/mans-vald-mot-kvinnor.html");
    let html = std::fs::read_to_string(&page).unwrap().replace(
        "<h2>Nationell strategi</h2>",
        "<h2>Nationell strategi</h2><p>Ny text om kvinnojourer.</p>",
    );
    std::fs::write(&page, html).unwrap();
    let changed = p
        .ingest_paths(std::slice::from_ref(&docs), |_, _| {})
        .unwrap();
    assert_eq!(
        (changed.added, changed.updated, changed.unchanged),
        (0, 1, 1)
    );
    assert_eq!(p.store().num_documents().unwrap(), n);

    std::fs::copy(&page, docs.join("kopia.html")).unwrap();
    let dup = p.ingest_paths(&[docs], |_, _| {}).unwrap();
    assert_eq!(dup.duplicates.len(), 1, "{dup:?}");
    assert_eq!(p.store().num_documents().unwrap(), n);
}

#[test]
fn abbreviations_of_the_field_find_what_their_long_forms_find() {
    let long = run(q("mäns våld mot kvinnor"));
    let short = run(q("MVK"));
    assert!(long.total > 0);
    assert_eq!(
        short.total, long.total,
        "MVK = mäns våld mot kvinnor (config/synonyms.toml)"
    );
    let vnr = run(q("vnr"));
    assert!(vnr.total > 0 && vnr.total == run(q("våld i nära relationer")).total);
}

/// The corpus ingested with a commit every 2 documents, the index merging a run's segments
/// when there are more than `merge_above` of them.
fn ingest_in_small_commits(dir: &Path, merge_above: usize) -> SearchIndex {
    let mut cfg = SearchConfig::load().unwrap();
    cfg.index.merge_above_segments = merge_above;
    let store = Indexer::open(&dir.join("index"), cfg).unwrap();
    let mut opts = plansok_ingest::IngestOptions::load().unwrap();
    opts.commit_every = 2;
    let mut p = plansok_ingest::Pipeline::new(
        plansok_extract::ExtractConfig::load().unwrap(),
        plansok_classify::Classifier::load().unwrap(),
        store,
        opts,
    );
    p.ingest_paths(&[repo().join("corpus/sample")], |_, _| {})
        .unwrap();
    drop(p);
    SearchIndex::open(&dir.join("index"), SearchConfig::load().unwrap()).unwrap()
}

#[test]
fn a_run_that_leaves_many_segments_ends_merged_with_everything_once() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    // A limit above any count: the writer never merges (no background merges either, which
    // with `0` would leave a number of segments that depends on timing) and the end does not.
    let kept = ingest_in_small_commits(a.path(), usize::MAX);
    let merged = ingest_in_small_commits(b.path(), 2);
    assert!(
        kept.num_segments().unwrap() > 2,
        "{}",
        kept.num_segments().unwrap()
    );
    assert_eq!(merged.num_segments().unwrap(), 1);
    let n = corpus().store.num_documents().unwrap();
    assert_eq!(kept.num_documents().unwrap(), n);
    assert_eq!(merged.num_documents().unwrap(), n);
    let tax = Taxonomy::load().unwrap();
    for query in ["våld", "\"våld i nära relationer\"", "kvinnojour*", ""] {
        let totals =
            [&kept, &merged, &corpus().store].map(|s| search(s, &tax, &q(query)).unwrap().total);
        assert_eq!(totals[0], totals[2], "{query}");
        assert_eq!(totals[1], totals[2], "{query}");
    }
}
