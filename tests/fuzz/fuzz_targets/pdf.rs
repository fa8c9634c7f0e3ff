//! PDF extraction on arbitrary bytes: an error is fine, a panic, hang or memory blow-up is not.
#![no_main]

use libfuzzer_sys::fuzz_target;
use plansok_extract::{extract, ExtractConfig, Format, Hints};
use std::sync::OnceLock;

fuzz_target!(|data: &[u8]| {
    static CFG: OnceLock<ExtractConfig> = OnceLock::new();
    let cfg = CFG.get_or_init(|| ExtractConfig::load().unwrap());
    let _ = extract(cfg, data, Format::Pdf, &Hints::default());
});
