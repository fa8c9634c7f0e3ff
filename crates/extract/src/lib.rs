//! Text extraction: bytes of an HTML page, a PDF or a text file → structured text.
//!
//! Owns everything between raw bytes and plain text: charset detection and decoding
//! ([`charset`]), main-content extraction from HTML without navigation, cookie, share and
//! contact blocks ([`html`]), PDF text page by page on top of lopdf's object model ([`pdf`]),
//! line structure of plain text ([`text`]), text clean-up (ligatures, soft hyphens,
//! de-hyphenation: [`clean`]) and language detection ([`lang`]). The result is an
//! [`Extracted`]: a title, ordered [`Block`]s (headings, paragraphs, list items, each with its
//! PDF page) and side signals (footer and contact text) used only to infer the organisation.
//! Rules and limits come from `config/extract.toml`.

pub mod charset;
pub mod clean;
pub mod config;
pub mod html;
pub mod lang;
pub mod pdf;
pub mod text;

pub use config::ExtractConfig;

use serde::{Deserialize, Serialize};

/// The source formats plansok reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Html,
    Pdf,
    Text,
}

impl Format {
    /// The format of a body whose Content-Type names none (absent or
    /// application/octet-stream): PDFs by their magic bytes, HTML by its opening tag.
    pub fn sniff(bytes: &[u8]) -> Option<Format> {
        if bytes.starts_with(b"%PDF-") {
            return Some(Format::Pdf);
        }
        let head: Vec<u8> = bytes
            .iter()
            .skip_while(|b| b.is_ascii_whitespace())
            .take(15)
            .map(u8::to_ascii_lowercase)
            .collect();
        (head.starts_with(b"<!doctype html") || head.starts_with(b"<html")).then_some(Format::Html)
    }

    /// The format for a file extension (`html`, `htm`, `pdf`, `txt`), any case.
    pub fn from_extension(ext: &str) -> Option<Format> {
        match ext.to_ascii_lowercase().as_str() {
            "html" | "htm" | "xhtml" => Some(Format::Html),
            "pdf" => Some(Format::Pdf),
            "txt" | "text" => Some(Format::Text),
            _ => None,
        }
    }

    /// The format for an HTTP Content-Type.
    pub fn from_content_type(ct: &str) -> Option<Format> {
        let mime = ct
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        match mime.as_str() {
            "text/html" | "application/xhtml+xml" => Some(Format::Html),
            "application/pdf" | "application/x-pdf" => Some(Format::Pdf),
            "text/plain" => Some(Format::Text),
            _ => None,
        }
    }
}

/// The structural role of a block of text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum BlockKind {
    /// A heading with its level (1 = top).
    Heading(u8),
    Paragraph,
    ListItem,
}

/// One block of main text in reading order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Block {
    pub kind: BlockKind,
    pub text: String,
    /// 1-based PDF page.
    pub page: Option<u32>,
}

/// What extraction produced from one source.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Extracted {
    pub title: Option<String>,
    pub blocks: Vec<Block>,
    /// ISO 639-1 language of the whole text.
    pub lang: String,
    /// Language declared by the source (`<html lang>`, PDF /Lang), if any.
    pub declared_lang: Option<String>,
    /// Publication date found in the source (ISO 8601), if any.
    pub published: Option<String>,
    /// Number of PDF pages.
    pub pages: Option<u32>,
    /// Text that is not content but tells who published it (footer, contact block, e-mail
    /// addresses, site name). Never indexed.
    pub signals: Vec<String>,
    /// Problems that did not stop extraction (a page that failed, truncation).
    pub warnings: Vec<String>,
    /// The `href` of every link of an HTML page, in order (what a crawler follows).
    #[serde(default)]
    pub links: Vec<String>,
}

impl Extracted {
    /// The main text: blocks joined by blank lines.
    pub fn body(&self) -> String {
        let parts: Vec<&str> = self.blocks.iter().map(|b| b.text.as_str()).collect();
        parts.join("\n\n")
    }
}

/// Hints from outside the bytes: HTTP header, file name.
#[derive(Debug, Clone, Default)]
pub struct Hints {
    /// Charset from an HTTP Content-Type header.
    pub charset: Option<String>,
}

/// Why a source could not be extracted.
#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    #[error("file is too large ({size_mb} MB, limit {limit_mb} MB)")]
    TooLarge { size_mb: u64, limit_mb: u64 },
    #[error("not a readable PDF: {0}")]
    Pdf(String),
    #[error("PDF is encrypted and cannot be opened without a password")]
    Encrypted,
    #[error("PDF parser crashed on this file: {0}")]
    Panic(String),
    #[error("no text could be extracted{0}")]
    Empty(String),
    #[error(transparent)]
    Config(#[from] plansok_model::ConfigError),
}

/// Extracts text from `bytes` of the given format.
pub fn extract(
    cfg: &ExtractConfig,
    bytes: &[u8],
    format: Format,
    hints: &Hints,
) -> Result<Extracted, ExtractError> {
    let size = bytes.len() as u64;
    if size > cfg.limits.max_file_mb * 1024 * 1024 {
        return Err(ExtractError::TooLarge {
            size_mb: size / (1024 * 1024),
            limit_mb: cfg.limits.max_file_mb,
        });
    }
    let mut out = match format {
        Format::Html => {
            html::extract_html(cfg, &charset::decode(bytes, hints.charset.as_deref(), true))
        }
        Format::Text => text::extract_text(
            cfg,
            &charset::decode(bytes, hints.charset.as_deref(), false),
        ),
        Format::Pdf => pdf::extract_pdf(cfg, bytes)?,
    };
    finish(cfg, &mut out);
    if out.blocks.is_empty() {
        let why = if format == Format::Pdf {
            " (the PDF may be scanned images or outlined text; OCR is not supported)"
        } else {
            ""
        };
        return Err(ExtractError::Empty(why.to_string()));
    }
    Ok(out)
}

/// Common finishing: bound the text, detect the language.
fn finish(cfg: &ExtractConfig, out: &mut Extracted) {
    let max = (cfg.limits.max_text_mb * 1024 * 1024) as usize;
    let mut total = 0usize;
    let before = out.blocks.len();
    out.blocks.retain(|b| {
        total += b.text.len();
        total <= max
    });
    if out.blocks.len() < before {
        out.warnings
            .push(format!("text truncated at {} MB", cfg.limits.max_text_mb));
    }
    out.lang = lang::detect(&cfg.language, &out.body(), out.declared_lang.as_deref());
}
