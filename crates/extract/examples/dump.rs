//! Prints what extraction makes of a file: `cargo run -p plansok-extract --example dump FILE`.

use plansok_extract::{extract, ExtractConfig, Format, Hints};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let cfg = ExtractConfig::load()?;
    for path in std::env::args().skip(1) {
        let bytes = std::fs::read(&path)?;
        let ext = path.rsplit('.').next().unwrap_or("");
        let format = Format::from_extension(ext).ok_or("unknown extension")?;
        match extract(&cfg, &bytes, format, &Hints::default()) {
            Ok(out) => {
                println!(
                    "# {path}\ntitle: {:?}\nlang: {}\npublished: {:?}",
                    out.title, out.lang, out.published
                );
                for b in &out.blocks {
                    println!("[{:?} p{:?}] {}", b.kind, b.page, b.text);
                }
                println!("signals: {:?}\nwarnings: {:?}", out.signals, out.warnings);
            }
            Err(e) => println!("# {path}: error: {e}"),
        }
    }
    Ok(())
}
