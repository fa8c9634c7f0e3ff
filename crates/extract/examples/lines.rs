//! Prints the positioned lines of each PDF page with their font size:
//! `cargo run -p plansok-extract --example lines FILE.pdf`.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    for path in std::env::args().skip(1) {
        let doc = lopdf::Document::load(&path)?;
        for (n, id) in doc.get_pages() {
            for l in plansok_extract::pdf::layout::page_lines(&doc, id, 64 << 20)? {
                println!("p{n} {:5.1} | {}", l.size, l.text);
            }
        }
    }
    Ok(())
}
