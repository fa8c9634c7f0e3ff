//! HTML extraction (charset detection, main-content walk, line structure) on arbitrary bytes,
//! with and without a declared charset.
#![no_main]

use libfuzzer_sys::fuzz_target;
use plansok_extract::{extract, ExtractConfig, Format, Hints};
use std::sync::OnceLock;

fuzz_target!(|data: &[u8]| {
    static CFG: OnceLock<ExtractConfig> = OnceLock::new();
    let cfg = CFG.get_or_init(|| ExtractConfig::load().unwrap());
    let hints = Hints {
        charset: data.first().filter(|b| **b % 2 == 0).map(|_| "windows-1252".to_string()),
    };
    let _ = extract(cfg, data, Format::Html, &hints);
});
