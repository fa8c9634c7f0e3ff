use plansok_index::schema::Scope;
use plansok_index::{IndexStore, SearchConfig};
use std::time::Instant;
use tantivy::collector::{Count, FacetCollector, MultiCollector, TopDocs};
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::{Facet, IndexRecordOption};
use tantivy::Term;

fn med(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

fn main() {
    let dir = std::env::args().nth(1).unwrap();
    let store =
        IndexStore::open_existing(std::path::Path::new(&dir), SearchConfig::load().unwrap())
            .unwrap();
    let f = *store.fields();
    let searcher = store.reader().searcher();
    println!("segments {}", searcher.segment_readers().len());
    for q in [
        "våld",
        "skyddat boende",
        "hedersrelaterat våld",
        "riskbedömning",
        "barnahus",
        "\"våld i nära relationer\"",
        "kvinnojour*",
        "utbildning kompetens",
    ] {
        let text = plansok_index::search::text_query(&store, q, Scope::Documents).unwrap();
        let kind: Box<dyn Query> = Box::new(TermQuery::new(
            Term::from_field_text(f.kind, "doc"),
            IndexRecordOption::Basic,
        ));
        let main = BooleanQuery::new(vec![
            (Occur::Must, text.box_clone()),
            (Occur::Must, kind.box_clone()),
        ]);
        let time = |name: &str, run: &dyn Fn()| {
            let mut v = vec![];
            for _ in 0..7 {
                let t = Instant::now();
                run();
                v.push(t.elapsed().as_secs_f64() * 1000.0);
            }
            print!(" {name} {:.2}", med(v));
        };
        print!("{q:30}");
        time("count", &|| {
            searcher.search(&main, &Count).unwrap();
        });
        time("top10", &|| {
            searcher
                .search(&main, &TopDocs::with_limit(10).order_by_score())
                .unwrap();
        });
        time("scored_all", &|| {
            let mut m = MultiCollector::new();
            m.add_collector(Count);
            m.add_collector(TopDocs::with_limit(10).order_by_score());
            searcher.search(&main, &m).unwrap();
        });
        time("scored_textonly", &|| {
            let mut m = MultiCollector::new();
            m.add_collector(Count);
            m.add_collector(TopDocs::with_limit(10).order_by_score());
            searcher.search(&*text, &m).unwrap();
        });
        time("textonly_count", &|| {
            searcher.search(&*text, &Count).unwrap();
        });
        time("facet1", &|| {
            let mut c = FacetCollector::for_field("region");
            c.add_facet(Facet::from("/region"));
            searcher.search(&main, &c).unwrap();
        });
        time("facet6", &|| {
            let mut m = MultiCollector::new();
            for (n, r) in [
                ("region", "/region"),
                ("year", "/year"),
                ("goal", "/goal"),
                ("type", "/type"),
                ("org", "/org"),
                ("lang", "/lang"),
            ] {
                let mut c = FacetCollector::for_field(n);
                c.add_facet(Facet::from(r));
                m.add_collector(c);
            }
            searcher.search(&main, &m).unwrap();
        });
        println!();
    }
}
