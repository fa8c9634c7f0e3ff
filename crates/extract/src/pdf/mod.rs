//! PDF → text page by page, on lopdf's object model.
//!
//! The file is loaded with a bound on decompressed streams and, when encrypted, with the empty
//! user password. Every lopdf call runs inside `catch_unwind`: lopdf can panic on broken
//! files, and a panic becomes [`ExtractError::Panic`] for that file only. Page text comes from
//! [`layout`]: a content-stream interpreter that places glyphs by their positions and widths
//! and so puts spaces and line breaks where the page shows them.

pub mod layout;

use std::panic::{catch_unwind, AssertUnwindSafe};

use lopdf::{Document, LoadOptions, Object};

use crate::clean::normalize_chars;
use crate::text::{structure_lines, SourceLine};
use crate::{ExtractConfig, ExtractError, Extracted};

/// Extracts the text of a PDF, page by page.
pub fn extract_pdf(cfg: &ExtractConfig, bytes: &[u8]) -> Result<Extracted, ExtractError> {
    match catch_unwind(AssertUnwindSafe(|| extract_inner(cfg, bytes))) {
        Ok(result) => result,
        Err(panic) => Err(ExtractError::Panic(panic_message(&panic))),
    }
}

fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_string())
}

fn extract_inner(cfg: &ExtractConfig, bytes: &[u8]) -> Result<Extracted, ExtractError> {
    let max_stream = (cfg.limits.max_page_content_mb * 1024 * 1024) as usize;
    let doc = load(bytes, max_stream)?;
    let mut out = Extracted::default();
    info_metadata(&doc, &mut out);
    let pages = doc.get_pages();
    out.pages = Some(pages.len() as u32);
    let mut page_lines: Vec<(u32, Vec<layout::Line>)> = Vec::new();
    for (&n, &page_id) in pages.iter() {
        if n > cfg.limits.max_pdf_pages {
            out.warnings.push(format!(
                "only the first {} pages were read",
                cfg.limits.max_pdf_pages
            ));
            break;
        }
        match layout::page_lines(&doc, page_id, max_stream) {
            Ok(lines) => page_lines.push((n, lines)),
            Err(e) => out.warnings.push(format!("page {n}: {e}")),
        }
    }
    let lines = source_lines(&page_lines);
    structure_lines(cfg, &lines, false, &mut out);
    crate::text::take_leading_date(&mut out);
    if out.title.is_none() {
        out.title = first_heading(&out.blocks)
            .or_else(|| out.blocks.first().map(|b| b.text.clone()))
            .filter(|t| t.len() <= 200);
    }
    Ok(out)
}

/// The first heading among the first blocks.
fn first_heading(blocks: &[crate::Block]) -> Option<String> {
    blocks
        .iter()
        .take(5)
        .find(|b| matches!(b.kind, crate::BlockKind::Heading(_)))
        .map(|b| b.text.clone())
}

/// Lines of all pages, without running headers and footers, each marked when set in larger
/// type than the body text.
fn source_lines(pages: &[(u32, Vec<layout::Line>)]) -> Vec<SourceLine> {
    let furniture = running_lines(pages);
    let body = body_size(pages);
    let mut out = Vec::new();
    for (n, lines) in pages {
        for l in lines {
            let text = normalize_chars(&l.text);
            if furniture.contains(&shape(&text)) {
                continue;
            }
            let big = body > 0.0 && l.size >= body * BIG_TYPE;
            out.push(SourceLine {
                page: Some(*n),
                text,
                big,
            });
        }
    }
    out
}

/// A line is in large type (a heading) at this multiple of the body size.
const BIG_TYPE: f32 = 1.15;

/// The font size that most characters are set in (of two sizes with as many, the smaller).
fn body_size(pages: &[(u32, Vec<layout::Line>)]) -> f32 {
    let mut by_size: std::collections::BTreeMap<i32, usize> = std::collections::BTreeMap::new();
    for l in pages.iter().flat_map(|(_, ls)| ls) {
        *by_size.entry((l.size * 10.0).round() as i32).or_default() += l.text.chars().count();
    }
    by_size
        .into_iter()
        .filter(|(s, _)| *s > 0)
        .max_by(|(sa, na), (sb, nb)| na.cmp(nb).then(sb.cmp(sa)))
        .map(|(s, _)| s as f32 / 10.0)
        .unwrap_or(0.0)
}

/// A line's shape with digits blanked, so "Sida 3" and "Sida 4" compare equal.
fn shape(text: &str) -> String {
    crate::clean::collapse_ws(text)
        .chars()
        .map(|c| if c.is_ascii_digit() { '#' } else { c })
        .collect()
}

/// How many lines at the top and at the bottom of a page may be running headers or footers.
const FURNITURE_EDGE_LINES: usize = 2;

/// Lines at the top or bottom of more than half of the pages (at least 3): headers and footers.
fn running_lines(pages: &[(u32, Vec<layout::Line>)]) -> std::collections::HashSet<String> {
    let mut count: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for (_, lines) in pages {
        let mut seen = std::collections::HashSet::new();
        let text: Vec<&layout::Line> = lines.iter().filter(|l| !l.text.trim().is_empty()).collect();
        let edge = FURNITURE_EDGE_LINES.min(text.len());
        let edges = text[..edge].iter().chain(text[text.len() - edge..].iter());
        for l in edges {
            let s = shape(&normalize_chars(&l.text));
            if !s.is_empty() && seen.insert(s.clone()) {
                *count.entry(s).or_default() += 1;
            }
        }
    }
    let min = (pages.len() / 2 + 1).max(3);
    count
        .into_iter()
        .filter(|(_, n)| *n >= min)
        .map(|(s, _)| s)
        .collect()
}

/// Loads the document; an encrypted one is opened with the empty user password.
fn load(bytes: &[u8], max_stream: usize) -> Result<Document, ExtractError> {
    let opts = |password: Option<&str>| LoadOptions {
        password: password.map(str::to_string),
        max_decompressed_size: Some(max_stream),
        ..LoadOptions::default()
    };
    let doc = match Document::load_mem_with_options(bytes, opts(None)) {
        Ok(d) => d,
        Err(lopdf::Error::Decryption(_)) | Err(lopdf::Error::InvalidPassword) => {
            Document::load_mem_with_options(bytes, opts(Some("")))
                .map_err(|_| ExtractError::Encrypted)?
        }
        Err(e) => return Err(ExtractError::Pdf(e.to_string())),
    };
    if doc.is_encrypted() {
        let mut doc = doc;
        doc.decrypt("").map_err(|_| ExtractError::Encrypted)?;
        return Ok(doc);
    }
    Ok(doc)
}

/// Title, language and dates from the info dictionary and the catalog.
fn info_metadata(doc: &Document, out: &mut Extracted) {
    let info = doc
        .trailer
        .get(b"Info")
        .ok()
        .and_then(|o| o.as_reference().ok())
        .and_then(|id| doc.get_dictionary(id).ok());
    if let Some(info) = info {
        out.title = info
            .get(b"Title")
            .ok()
            .and_then(pdf_string)
            .map(|t| crate::clean::collapse_ws(&normalize_chars(&t)))
            .filter(|t| is_meaningful_title(t));
        out.published = ["CreationDate", "ModDate"].iter().find_map(|k| {
            info.get(k.as_bytes())
                .ok()
                .and_then(pdf_string)
                .and_then(|d| pdf_date(&d))
        });
    }
    out.declared_lang = doc
        .catalog()
        .ok()
        .and_then(|c| c.get(b"Lang").ok())
        .and_then(pdf_string);
}

/// Producer-made titles ("Microsoft Word - plan.docx", "untitled") are not titles.
fn is_meaningful_title(t: &str) -> bool {
    let l = t.to_lowercase();
    let identifier = !t.contains(' ') && t.chars().any(|c| c.is_ascii_digit() || c == '_');
    !identifier
        && t.chars().filter(|c| c.is_alphabetic()).count() >= 4
        && !l.starts_with("microsoft word")
        && !l.ends_with(".docx")
        && !l.ends_with(".doc")
        && !l.ends_with(".pdf")
        && l != "untitled"
        && l != "namnlös"
}

/// A PDF text string (PDFDocEncoding or UTF-16BE with BOM) as Rust text.
fn pdf_string(o: &Object) -> Option<String> {
    let Object::String(bytes, _) = o else {
        return None;
    };
    if bytes.starts_with(&[0xFE, 0xFF]) {
        let units: Vec<u16> = bytes[2..]
            .chunks_exact(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect();
        return Some(String::from_utf16_lossy(&units));
    }
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return std::str::from_utf8(&bytes[3..]).ok().map(str::to_string);
    }
    Some(bytes.iter().map(|&b| b as char).collect())
}

/// "D:20240312101500+01'00'" → "2024-03-12".
fn pdf_date(d: &str) -> Option<String> {
    let digits: String = d.trim_start_matches("D:").chars().take(8).collect();
    if digits.len() == 8 && digits.chars().all(|c| c.is_ascii_digit()) {
        Some(format!(
            "{}-{}-{}",
            &digits[..4],
            &digits[4..6],
            &digits[6..8]
        ))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        let cfg = ExtractConfig::load().unwrap();
        assert!(extract_pdf(
            &cfg,
            b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\ntrailer garbage"
        )
        .is_err());
        assert!(extract_pdf(&cfg, b"").is_err());
        assert!(extract_pdf(&cfg, &[0u8; 4096]).is_err());
    }

    fn line(text: &str) -> layout::Line {
        layout::Line {
            text: text.into(),
            size: 10.0,
        }
    }

    #[test]
    fn running_headers_and_footers_are_dropped_but_repeated_content_is_kept() {
        let pages: Vec<(u32, Vec<layout::Line>)> = (1..=4)
            .map(|n| {
                let lines = vec![
                    line("Regional handlingsplan 2024–2026"),
                    line(&format!("Text på sidan {n} om våld i nära relationer.")),
                    line("Ansvarig: kommunerna"),
                    line(&format!("Text igen {n}.")),
                    line("Mer text."),
                    line(&format!("Sida {n} av 4")),
                ];
                (n, lines)
            })
            .collect();
        let kept: Vec<String> = source_lines(&pages).into_iter().map(|l| l.text).collect();
        assert!(
            !kept.iter().any(|l| l.starts_with("Regional handlingsplan")),
            "running header"
        );
        assert!(
            !kept.iter().any(|l| l.starts_with("Sida ")),
            "running footer"
        );
        assert_eq!(
            kept.iter().filter(|l| *l == "Ansvarig: kommunerna").count(),
            4,
            "repeated content stays"
        );
    }

    #[test]
    fn pdf_dates_and_strings() {
        assert_eq!(
            pdf_date("D:20240312101500+01'00'").as_deref(),
            Some("2024-03-12")
        );
        assert_eq!(pdf_date("yesterday"), None);
        let utf16 = Object::String(
            vec![0xFE, 0xFF, 0x00, 0xC5, 0x00, 0x72],
            lopdf::StringFormat::Literal,
        );
        assert_eq!(pdf_string(&utf16).as_deref(), Some("År"));
    }
}
