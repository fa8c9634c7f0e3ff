//! The period and region parsers: classification of arbitrary text (period candidates and
//! choice, region evidence, goals, type), `Period::parse` and `Taxonomy::resolve` on the
//! same input as a user would type it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use plansok_classify::{Classifier, Source};
use plansok_extract::{extract, ExtractConfig, Format, Hints};
use plansok_model::{Period, SourceMeta};
use std::sync::OnceLock;

fuzz_target!(|data: &[u8]| {
    static STATE: OnceLock<(ExtractConfig, Classifier)> = OnceLock::new();
    let (cfg, classifier) =
        STATE.get_or_init(|| (ExtractConfig::load().unwrap(), Classifier::load().unwrap()));
    let text = String::from_utf8_lossy(data);
    let _ = Period::parse(&text);
    let _ = classifier.taxonomy().resolve(&text);
    let Ok(extracted) = extract(cfg, data, Format::Text, &Hints::default()) else {
        return;
    };
    let meta = SourceMeta {
        title: text.lines().next().map(str::to_string),
        region: text.lines().nth(1).map(str::to_string),
        ..SourceMeta::default()
    };
    let doc = classifier.classify(&Source {
        extracted: &extracted,
        format: Format::Text,
        path: Some("fuzz.txt"),
        meta: &meta,
        content_hash: "0",
    });
    if let Some(p) = doc.period {
        assert!(p.start <= p.end, "{p:?}");
    }
});
