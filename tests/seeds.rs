//! The five seed documents (as text) and every fixture PDF made from them: region,
//! municipality, organisation, period, type and goal areas as a reader of the page would
//! assign them.

mod common;

use std::path::Path;

use common::{classify_file, shared};
use plansok_model::{DocType, Document, Goal, Period};

struct Expect {
    prefix: &'static str,
    county: &'static str,
    municipality: Option<&'static str>,
    organisation: &'static str,
    period: (u16, u16),
    doc_type: DocType,
    /// Goals the document must have.
    goals: &'static [Goal],
    /// Goals the document must not have.
    not_goals: &'static [Goal],
}

use Goal::*;
const ALL: &[Goal] = &[
    Forebyggande,
    SkyddOchStod,
    Brottsbekampning,
    KunskapOchMetod,
];

const EXPECT: [Expect; 5] = [
    // News: Länsstyrelsen Västerbotten signs a regional plan "för perioden 2024–2026".
    Expect {
        prefix: "000_",
        county: "Västerbottens län",
        municipality: None,
        organisation: "Länsstyrelsen Västerbottens län",
        period: (2024, 2026),
        doc_type: DocType::Nyhet,
        goals: &[Forebyggande],
        not_goals: &[],
    },
    // News of Kramfors kommun (contact e-mail @kramfors.se): plan 2022-2026, not the
    // earlier strategy 2018-2021; lists the four goals.
    Expect {
        prefix: "001_",
        county: "Västernorrlands län",
        municipality: Some("Kramfors kommun"),
        organisation: "Kramfors kommun",
        period: (2022, 2026),
        doc_type: DocType::Nyhet,
        goals: ALL,
        not_goals: &[],
    },
    // News of Länsstyrelsen Västernorrland: 15 signatories, among them seven municipalities,
    // none of which is the publisher; measures for 2022-2024. It speaks of protection and
    // support only in passing and names no goal area.
    Expect {
        prefix: "002_",
        county: "Västernorrlands län",
        municipality: None,
        organisation: "Länsstyrelsen Västernorrlands län",
        period: (2022, 2024),
        doc_type: DocType::Nyhet,
        goals: &[],
        not_goals: &[Forebyggande, Brottsbekampning, KunskapOchMetod],
    },
    // Topic page of Länsstyrelsen Jämtland: names the agreement 2021–2026, a plan 2025 and the
    // national strategy 2017–2026; the county's framework period 2021–2026 is the page's.
    Expect {
        prefix: "003_",
        county: "Jämtlands län",
        municipality: None,
        organisation: "Länsstyrelsen Jämtlands län",
        period: (2021, 2026),
        doc_type: DocType::Annat,
        goals: ALL,
        not_goals: &[],
    },
    // The regional agreement "Tillsammans mot våld", Jämtlands län 2021–2026, with the four
    // goal areas as headings.
    Expect {
        prefix: "004_",
        county: "Jämtlands län",
        municipality: None,
        organisation: "Länsstyrelsen Jämtlands län",
        period: (2021, 2026),
        doc_type: DocType::Overenskommelse,
        goals: ALL,
        not_goals: &[],
    },
];

fn check(path: &Path, doc: &Document) {
    let name = path.file_name().unwrap().to_string_lossy();
    let e = EXPECT
        .iter()
        .find(|e| name.starts_with(e.prefix))
        .expect("expectation for file");
    assert_eq!(doc.region.as_deref(), Some(e.county), "{name}: county");
    assert_eq!(
        doc.municipality.as_deref(),
        e.municipality,
        "{name}: municipality"
    );
    assert_eq!(
        doc.organisation.as_deref(),
        Some(e.organisation),
        "{name}: organisation"
    );
    assert_eq!(
        doc.period,
        Period::new(e.period.0, e.period.1),
        "{name}: period"
    );
    assert_eq!(doc.doc_type, e.doc_type, "{name}: type");
    for g in e.goals {
        assert!(
            doc.goals.contains(g),
            "{name}: missing goal {g:?} in {:?}",
            doc.goals
        );
    }
    for g in e.not_goals {
        assert!(
            !doc.goals.contains(g),
            "{name}: unexpected goal {g:?} in {:?}",
            doc.goals
        );
    }
    assert_eq!(doc.lang, "sv", "{name}: language");
}

#[test]
fn seed_texts_are_classified() {
    let Some(shared) = shared() else { return };
    let mut n = 0;
    for entry in std::fs::read_dir(shared.join("seeds")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "txt") {
            check(&path, &classify_file(&path));
            n += 1;
        }
    }
    assert_eq!(n, 5, "five seeds");
}

#[test]
fn fixture_pdfs_are_classified_like_their_seeds() {
    let Some(shared) = shared() else { return };
    let mut n = 0;
    for entry in std::fs::read_dir(shared.join("fixtures/pdf")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "pdf") {
            let doc = classify_file(&path);
            check(&path, &doc);
            assert!(doc.pages.unwrap_or(0) >= 1, "{}: pages", path.display());
            assert!(
                doc.passages.iter().all(|p| p.page.is_some()),
                "{}: every passage has a page",
                path.display()
            );
            n += 1;
        }
    }
    assert!(n >= 25, "all fixture PDFs read ({n})");
}

#[test]
fn boilerplate_of_the_seeds_is_not_content() {
    let Some(shared) = shared() else { return };
    for (file, junk) in [
        (
            "000_d28c7dabde3e6a2c.txt",
            &[
                "Dela sidan",
                "Följ oss",
                "Besöksadress",
                "Organisationsnummer",
                "Publiceringsdatum",
            ][..],
        ),
        (
            "001_53e0ffeb4219bfca.txt",
            &[
                "Frågor kring nyheten",
                "jill.arkeflod@kramfors.se",
                "Vi använder cookies",
            ][..],
        ),
        (
            "002_0eac9302249d6423.txt",
            &["SMHI", "Publiceringsdatum"][..],
        ),
        ("003_9b13ccc7ca2b478a.txt", &["010-225 36 17"][..]),
    ] {
        let doc = classify_file(&shared.join("seeds").join(file));
        for j in junk {
            assert!(
                !doc.body.contains(j),
                "{file}: {j:?} reached the indexed text"
            );
        }
    }
}

#[test]
fn a_list_under_a_goal_heading_belongs_to_that_goal() {
    let Some(shared) = shared() else { return };
    let doc = classify_file(&shared.join("seeds/004_bb53b9148a285a9a.txt"));
    let items: Vec<_> = doc
        .passages
        .iter()
        .filter(|p| p.heading.as_deref() == Some("Effektivare brottsbekämpning"))
        .collect();
    assert_eq!(
        items.len(),
        3,
        "three measures under Effektivare brottsbekämpning"
    );
    for p in items {
        assert!(p.goals.contains(&Brottsbekampning), "{:?}", p.text);
    }
    let barnahus = doc
        .passages
        .iter()
        .find(|p| p.text.starts_with("Barnahus Jämtland"))
        .expect("Barnahus measure");
    assert_eq!(barnahus.kind, plansok_model::PassageKind::Item);
}
