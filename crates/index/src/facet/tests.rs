//! The one-pass search against the plain way: tantivy's facet collector over the query
//! under every filter but the counted facet's, a count and a top-docs collector under all.

use super::best_passages::best_passages;
use super::filters::{Dim, FilterSpec, DIMS};
use crate::query::{kind_query, text_query};
use crate::ranking::Ranker;
use crate::schema::{Scope, KIND_DOC};
use crate::test_support::Rng;
use crate::{search, FacetValue, Indexer, SearchConfig, SearchIndex, SearchRequest};
use std::collections::HashMap;

use plansok_model::{DocType, Goal, Period};
use plansok_model::{Document, Passage, PassageKind, Taxonomy};
use tantivy::collector::{Count, FacetCollector};
use tantivy::query::{BooleanQuery, Occur, Query};
use tantivy::schema::Facet;
use tantivy::{DocAddress, DocId};

/// The plain way to rank: tantivy's top-docs collector with the ranker's factors read from
/// the segment's columns.
fn plain_top(
    ranker: &Ranker,
    limit: usize,
) -> impl tantivy::collector::Collector<Fruit = Vec<(f32, DocAddress)>> {
    let ranker = ranker.clone();
    tantivy::collector::TopDocs::with_limit(limit)
        .tweak_score(move |segment: &tantivy::SegmentReader| ranker.scorer(segment))
}

const WORDS: [&str; 8] = [
    "våld",
    "stöd",
    "skydd",
    "barn",
    "kvinnor",
    "samverkan",
    "utbildning",
    "polis",
];

fn document(i: usize, rng: &mut Rng, tax: &Taxonomy, version: usize) -> Document {
    let county = &tax.counties()[rng.below(4)];
    let municipality = (rng.below(3) == 0).then(|| &county.municipalities[rng.below(2)]);
    let start = 2016 + rng.below(8) as u16;
    let goals: Vec<Goal> = Goal::ALL
        .into_iter()
        .filter(|_| rng.below(2) == 0)
        .collect();
    let words: Vec<&str> = (0..3 + i % 7).map(|_| WORDS[rng.below(8)]).collect();
    let text = format!("{} plan {i} version {version}", words.join(" "));
    Document {
        id: format!("doc{i}"),
        url: None,
        path: None,
        title: format!("Plan {i}"),
        region: (rng.below(8) != 0).then(|| county.name.clone()),
        municipality: municipality.map(|m| m.display_name()),
        organisation: Some(["Länsstyrelsen", "Regionen", "Kommunen"][rng.below(3)].into()),
        on_topic: rng.below(4) != 0,
        doc_type: DocType::ALL[rng.below(DocType::ALL.len())],
        period: (rng.below(5) != 0)
            .then(|| Period::new(start, start + rng.below(5) as u16))
            .flatten(),
        goals: goals.clone(),
        lang: if rng.below(6) == 0 { "en" } else { "sv" }.into(),
        published: None,
        content_hash: format!("hash{i}-{version}"),
        body: text.clone(),
        passages: vec![Passage {
            kind: PassageKind::Section,
            heading: None,
            text,
            page: None,
            goals: goals.clone(),
            section_goals: goals,
            lang: String::new(),
        }],
        pages: None,
    }
}

/// 80 documents over three commits (three segments), the first 10 rewritten in the last
/// one (so the first segment has deleted entries), and 40–44 rewritten before the second
/// commit (so that segment holds a deleted and an alive version of each, with other facets).
fn index(dir: &std::path::Path, tax: &Taxonomy) -> Indexer {
    let mut cfg = SearchConfig::load().unwrap();
    // One indexing thread: a commit makes one segment.
    cfg.index.writer_heap_mb = 16;
    let mut index = Indexer::open(dir, cfg).unwrap();
    let mut rng = Rng(7);
    // (documents, version, commit after them)
    let batches = [
        (0..40, 0, true),
        (40..80, 0, false),
        (40..45, 2, true),
        (0..10, 1, true),
    ];
    for (range, version, commit) in batches {
        for i in range {
            index.upsert(&document(i, &mut rng, tax, version)).unwrap();
        }
        if commit {
            index.commit().unwrap();
        }
    }
    index.reader().reload().unwrap();
    index
}

fn random_request(rng: &mut Rng, tax: &Taxonomy) -> SearchRequest {
    let mut req = SearchRequest {
        query: WORDS[rng.below(8)].to_string(),
        limit: Some(1 + rng.below(30)),
        ..SearchRequest::default()
    };
    // A place in the query: its entries are weighed up, in the collector and the scorer alike.
    if rng.below(3) == 0 {
        let county = &tax.counties()[rng.below(4)];
        let place = if rng.below(2) == 0 {
            county.short.clone()
        } else {
            county.municipalities[rng.below(2)].name.clone()
        };
        req.query = format!("{} {place}", req.query);
    }
    if rng.below(2) == 0 {
        let county = &tax.counties()[rng.below(4)];
        req.regions.push(if rng.below(3) == 0 {
            county.municipalities[rng.below(2)].code.clone()
        } else {
            county.slug.clone()
        });
    }
    if rng.below(2) == 0 {
        let y = 2016 + rng.below(12);
        req.period = Some(format!("{y}-{}", y + rng.below(3)));
    }
    if rng.below(2) == 0 {
        req.goals.push(Goal::ALL[rng.below(4)].slug().into());
    }
    if rng.below(2) == 0 {
        for _ in 0..1 + rng.below(2) {
            req.types
                .push(DocType::ALL[rng.below(DocType::ALL.len())].slug().into());
        }
    }
    if rng.below(3) == 0 {
        req.orgs
            .push(["Länsstyrelsen", "Regionen"][rng.below(2)].into());
    }
    if rng.below(3) == 0 {
        req.langs.push(["sv", "en"][rng.below(2)].into());
    }
    if rng.below(3) == 0 {
        req.topics.push(["on", "off"][rng.below(2)].into());
    }
    req
}

/// Counts of `/root`'s children the plain way, as the response lists them.
fn reference_counts(
    index: &SearchIndex,
    q: &dyn Query,
    field: &str,
    root: &str,
) -> Vec<FacetValue> {
    let mut c = FacetCollector::for_field(field);
    c.add_facet(Facet::from_path([root]));
    let counts = index.reader().searcher().search(q, &c).unwrap();
    let mut v: Vec<FacetValue> = counts
        .get(Facet::from_path([root]))
        .map(|(f, count)| FacetValue {
            value: f.to_path().last().unwrap().to_string(),
            count,
        })
        .collect();
    v.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
    if root == "year" {
        v.sort_by(|a, b| a.value.cmp(&b.value));
    }
    v
}

#[test]
fn one_pass_equals_a_query_per_facet() {
    let tax = Taxonomy::load().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let index = index(dir.path(), &tax);
    assert!(index.reader().searcher().segment_readers().len() >= 2);
    let mut rng = Rng(42);
    let mut filtered_hits = 0;
    for _ in 0..150 {
        let req = random_request(&mut rng, &tax);
        let got = search(&index, &tax, &req).unwrap();
        // The facets alone (`limit=0`, nothing scored nor kept): the same counts and total.
        let counted = search(
            &index,
            &tax,
            &SearchRequest {
                limit: Some(0),
                ..req.clone()
            },
        )
        .unwrap();
        assert!(counted.hits.is_empty());
        assert_eq!((counted.total, &counted.facets), (got.total, &got.facets));
        let f = *index.fields();
        let spec = FilterSpec::parse(&tax, &req).unwrap();
        let text = text_query(index.parsers(), &req.query, Scope::Documents).unwrap();
        let under = |skip: Option<Dim>| -> BooleanQuery {
            let mut qs = vec![text.box_clone(), kind_query(&f, KIND_DOC)];
            qs.extend(
                DIMS.iter()
                    .filter(|d| Some(**d) != skip)
                    .filter_map(|d| spec.query(&f, *d)),
            );
            BooleanQuery::new(qs.into_iter().map(|q| (Occur::Must, q)).collect())
        };
        let searcher = index.reader().searcher();
        let all = under(None);
        assert_eq!(got.total, searcher.search(&all, &Count).unwrap(), "{req:?}");
        let facets = &got.facets;
        for (have, d, field, root) in [
            (&facets.region, Dim::Region, "region", "region"),
            (&facets.period, Dim::Period, "year", "year"),
            (&facets.goal, Dim::Goal, "goal", "goal"),
            (&facets.doc_type, Dim::Type, "type", "type"),
            (&facets.organisation, Dim::Org, "org", "org"),
            (&facets.lang, Dim::Lang, "lang", "lang"),
            (&facets.topic, Dim::Topic, "topic", "topic"),
        ] {
            let want = reference_counts(&index, &under(Some(d)), field, root);
            assert_eq!(have, &want, "{d:?} of {req:?}");
        }
        // The same hits with the same scores (ties in any order).
        let ranker = Ranker::for_request(&index, &plansok_model::Taxonomy::load().unwrap(), &req);
        let mut want: Vec<(String, f32)> = searcher
            .search(&all, &plain_top(&ranker, req.limit.unwrap()))
            .unwrap()
            .into_iter()
            .map(|(s, addr)| {
                let d: tantivy::TantivyDocument = searcher.doc(addr).unwrap();
                (crate::stored::stored_meta(&f, &d).unwrap().id, s)
            })
            .collect();
        let mut have: Vec<(String, f32)> =
            got.hits.iter().map(|h| (h.id.clone(), h.score)).collect();
        let by_score =
            |a: &(String, f32), b: &(String, f32)| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0));
        want.sort_by(by_score);
        have.sort_by(by_score);
        let scores = |v: &[(String, f32)]| v.iter().map(|x| x.1).collect::<Vec<_>>();
        assert_eq!(scores(&have), scores(&want), "{req:?}");
        filtered_hits += usize::from(spec.queries(&f).len() > 1 && got.total > 0);
    }
    assert!(
        filtered_hits > 20,
        "the requests combine filters that match something"
    );
}

/// 60 documents of 1 to 6 passages over three commits, the first 12 rewritten in the last.
fn passage_store(dir: &std::path::Path, tax: &Taxonomy) -> Indexer {
    let mut index = Indexer::open(dir, SearchConfig::load().unwrap()).unwrap();
    let mut rng = Rng(11);
    for batch in [0..30, 30..60, 0..12] {
        let version = usize::from(batch.end == 12);
        for i in batch {
            let mut d = document(i, &mut rng, tax, version);
            d.passages = (0..1 + rng.below(6))
                .map(|n| {
                    let words: Vec<&str> =
                        (0..2 + rng.below(6)).map(|_| WORDS[rng.below(8)]).collect();
                    let goals: Vec<Goal> = Goal::ALL
                        .into_iter()
                        .filter(|_| rng.below(3) == 0)
                        .collect();
                    Passage {
                        kind: PassageKind::Section,
                        heading: None,
                        text: format!("{} stycke {n} version {version}", words.join(" ")),
                        page: None,
                        goals: goals.clone(),
                        section_goals: goals,
                        lang: String::new(),
                    }
                })
                .collect();
            index.upsert(&d).unwrap();
        }
        index.commit().unwrap();
    }
    index.reader().reload().unwrap();
    index
}

#[test]
fn best_passages_equal_a_search_per_document() {
    use tantivy::query::TermQuery;
    use tantivy::schema::{IndexRecordOption, Value};
    use tantivy::Term;
    let tax = Taxonomy::load().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let index = passage_store(dir.path(), &tax);
    let f = *index.fields();
    let searcher = index.reader().searcher();
    assert!(searcher.segment_readers().len() >= 2);
    let tables = index.facet_tables(&searcher).unwrap();
    let ids: Vec<String> = [0, 3, 5, 11, 17, 29, 30, 41, 56, 59, 99]
        .iter()
        .map(|i| format!("doc{i}"))
        .collect();
    let is_passage = |a: &DocAddress| {
        let d: tantivy::TantivyDocument = searcher.doc(*a).unwrap();
        d.get_first(f.kind).and_then(|v| v.as_str()) == Some(crate::schema::KIND_PASSAGE)
    };
    let mut found = 0;
    for query in [
        "våld",
        "\"våld stöd\"",
        "våld -barn",
        "kvinn*",
        "stöd OR polis",
        "",
    ] {
        let req = SearchRequest {
            query: query.into(),
            ..SearchRequest::default()
        };
        let ranker = Ranker::for_request(&index, &plansok_model::Taxonomy::load().unwrap(), &req);
        let text = text_query(index.parsers(), query, Scope::Passages).unwrap();
        for goals in [0u8, 0b0001, 0b0110] {
            let got = best_passages(&searcher, &tables, &*text, &ids, goals, &ranker).unwrap();
            // The plain way: the query and the document's id, every match scored, the
            // best in the goals if any, else the best; ties to the earlier entry.
            let want: Vec<Option<DocAddress>> = ids
                .iter()
                .map(|id| {
                    let id_q = TermQuery::new(
                        Term::from_field_text(f.doc_id, id),
                        IndexRecordOption::Basic,
                    );
                    let q = BooleanQuery::new(vec![
                        (Occur::Must, text.box_clone()),
                        (Occur::Must, Box::new(id_q) as Box<dyn Query>),
                    ]);
                    let mut all = searcher.search(&q, &plain_top(&ranker, 1000)).unwrap();
                    all.retain(|(_, a)| is_passage(a));
                    let in_goal = |a: &DocAddress| {
                        let t = tables.of(searcher.segment_reader(a.segment_ord)).unwrap();
                        t.entries[a.doc_id as usize].goals & goals != 0
                    };
                    let best = |v: Vec<&(f32, DocAddress)>| {
                        v.into_iter()
                            .max_by(|x, y| x.0.total_cmp(&y.0).then_with(|| y.1.cmp(&x.1)))
                            .map(|x| x.1)
                    };
                    best(all.iter().filter(|x| in_goal(&x.1)).collect())
                        .or_else(|| best(all.iter().collect()))
                })
                .collect();
            assert_eq!(got, want, "{query:?} goals {goals:b}");
            found += got.iter().filter(|a| a.is_some()).count();
        }
    }
    assert!(
        found > 60,
        "the queries find passages of the documents: {found}"
    );
}

#[test]
fn a_filter_pushed_into_the_query_keeps_its_matches_and_scores() {
    use crate::facet::filters::{any_of, unscored};
    use crate::query::restrict::{restrict, EntrySet};
    use tantivy::collector::DocSetCollector;
    use tantivy::collector::TopDocs;
    use tantivy::Term;
    let tax = Taxonomy::load().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let index = index(dir.path(), &tax);
    let f = *index.fields();
    let searcher = index.reader().searcher();
    let ids: Vec<Box<dyn Query>> = [3, 17, 41, 56, 77]
        .iter()
        .map(|i| {
            Box::new(tantivy::query::TermQuery::new(
                Term::from_field_text(f.doc_id, &format!("doc{i}")),
                tantivy::schema::IndexRecordOption::Basic,
            )) as Box<dyn Query>
        })
        .collect();
    let filter = unscored(any_of(ids));
    // The same entries as a set of doc ids.
    let mut listed: HashMap<tantivy::index::SegmentId, Vec<DocId>> = HashMap::new();
    for a in searcher.search(&*filter, &DocSetCollector).unwrap() {
        let id = searcher.segment_reader(a.segment_ord).segment_id();
        listed.entry(id).or_default().push(a.doc_id);
    }
    let set: Box<dyn Query> = Box::new(EntrySet::new(listed));
    let run = |q: &dyn Query| {
        let mut v: Vec<(DocAddress, u32)> = searcher
            .search(q, &TopDocs::with_limit(1000).order_by_score())
            .unwrap()
            .into_iter()
            .map(|(s, a)| (a, (s * 1e4).round() as u32))
            .collect();
        v.sort();
        v
    };
    let mut matched = 0;
    for query in [
        "våld",
        "\"våld stöd\"",
        "våld -barn",
        "kvinn*",
        "stöd OR polis",
        "(skydd AND barn) OR samverkan",
        "",
    ] {
        for scope in [Scope::Documents, Scope::Passages] {
            let text = text_query(index.parsers(), query, scope).unwrap();
            let plain = BooleanQuery::new(vec![
                (Occur::Must, text.box_clone()),
                (Occur::Must, filter.box_clone()),
            ]);
            let want = run(&plain);
            assert_eq!(run(&*restrict(&*text, &*filter)), want, "{query:?}");
            assert_eq!(run(&*restrict(&*text, &*set)), want, "{query:?}");
            matched += want.len();
        }
    }
    assert!(
        matched > 20,
        "the queries match filtered entries: {matched}"
    );
}

#[test]
fn every_entry_reads_its_stored_metadata_from_the_table() {
    let tax = Taxonomy::load().unwrap();
    let dir = tempfile::tempdir().unwrap();
    // Three segments, twelve documents ingested again in a second version.
    let index = passage_store(dir.path(), &tax);
    let f = *index.fields();
    let searcher = index.reader().searcher();
    let tables = index.facet_tables(&searcher).unwrap();
    let mut passages = 0;
    for (segment, reader) in searcher.segment_readers().iter().enumerate() {
        let table = tables.of(reader).unwrap();
        for doc in reader.doc_ids_alive() {
            let addr = DocAddress::new(segment as u32, doc);
            let d: tantivy::TantivyDocument = searcher.doc(addr).unwrap();
            let stored = crate::stored::stored_meta(&f, &d).unwrap();
            let from_table = table.entry_meta(doc).map(|m| crate::DocMeta::clone(m));
            assert_eq!(from_table.as_ref(), Some(&stored), "entry {addr:?}");
            passages += usize::from(table.documents.get(doc).is_none());
        }
    }
    assert!(passages > 60, "{passages} passages read");
}

/// The factors read from the tables' rank bytes are those read from the columns, for every
/// entry (documents and passages, every type, goal area and topic, deleted ones too) and every
/// goal the ranking can ask for.
#[test]
fn rank_bytes_rank_as_the_columns() {
    let tax = Taxonomy::load().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let index = index(dir.path(), &tax);
    let searcher = index.reader().searcher();
    let tables = index.facet_tables(&searcher).unwrap();
    let ranks = tables.rank_bytes(&searcher).unwrap();
    let cfg = &index.config().ranking;
    let mut checked = 0;
    for goals in [vec![], vec![Goal::ALL[0]], vec![Goal::ALL[2], Goal::ALL[3]]] {
        let ranker = Ranker::new(cfg, &goals);
        for reader in searcher.segment_readers() {
            let bytes = ranks.get(&reader.segment_id()).cloned();
            assert!(bytes.is_some());
            let (fast, slow) = (ranker.scorer_with(reader, bytes), ranker.scorer(reader));
            for doc in 0..reader.max_doc() {
                assert_eq!(
                    fast(doc, 2.5),
                    slow(doc, 2.5),
                    "entry {doc}, goals {goals:?}"
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 400, "{checked}");
    // The place factor: on the entries of a named county (its municipalities' too) or of a
    // named municipality, and on no other.
    let county = &tax.counties()[0];
    let municipality = county.municipalities[0].display_name();
    let plain = Ranker::new(cfg, &[]);
    let mut inside = 0;
    for place in [
        (county.name.clone(), None),
        (county.name.clone(), Some(municipality)),
    ] {
        let named = Ranker::new(cfg, &[]).with_places(vec![place.clone()]);
        for reader in searcher.segment_readers() {
            let table = tables.of(reader).unwrap();
            let (without, with) = (plain.scorer(reader), named.scorer(reader));
            for doc in 0..reader.max_doc() {
                let Some(meta) = table.entry_meta(doc) else {
                    continue;
                };
                let is_in = meta.region.as_ref() == Some(&place.0)
                    && place
                        .1
                        .as_ref()
                        .is_none_or(|m| meta.municipality.as_ref() == Some(m));
                let factor = if is_in { cfg.place_boost } else { 1.0 };
                inside += usize::from(is_in);
                assert_eq!(
                    with(doc, 2.5),
                    without(doc, 2.5) * factor,
                    "entry {doc}, {place:?}"
                );
            }
        }
    }
    assert!(inside > 20, "{inside}");
}
