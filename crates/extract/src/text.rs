//! Plain text (and the lines of PDF pages) → blocks: headings, paragraphs, list items.
//!
//! Without markup, structure comes from the shape of lines: a bullet or number starts a list
//! item; a short line without final punctuation after a sentence end is a heading; blank
//! lines end paragraphs; wrapped lines are joined (with de-hyphenation).

use crate::clean::{collapse_ws, join_lines, normalize_chars};
use crate::{Block, BlockKind, ExtractConfig, Extracted};

/// Longest line taken for a heading (characters) and most words in it.
const HEADING_MAX_CHARS: usize = 120;
const HEADING_MAX_WORDS: usize = 16;
/// Words a heading does not end with (a wrapped sentence does).
const NOT_LAST_WORDS: [&str; 18] = [
    "och", "att", "för", "till", "i", "av", "med", "som", "på", "om", "en", "ett", "det", "den",
    "de", "är", "eller", "the",
];

/// Extracts a plain-text document: structure from line shapes; at a stop heading ("Kontakt",
/// "Dela sidan:") the rest is page furniture and becomes signals.
pub fn extract_text(cfg: &ExtractConfig, text: &str) -> Extracted {
    let text = normalize_chars(text);
    let lines: Vec<SourceLine> = text.lines().map(|l| SourceLine::plain(None, l)).collect();
    let mut out = Extracted::default();
    structure_lines(cfg, &lines, true, &mut out);
    take_leading_date(&mut out);
    out.title = out
        .blocks
        .first()
        .map(|b| b.text.clone())
        .filter(|t| t.len() <= 200);
    out
}

const MONTHS: [&str; 12] = [
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
];

/// A date line at the top ("28 juni 2022", "2022-06-28") is the publication date, not text.
pub(crate) fn take_leading_date(out: &mut Extracted) {
    let Some(first) = out.blocks.first() else {
        return;
    };
    if let Some(date) = parse_date(&first.text) {
        out.published.get_or_insert(date);
        out.blocks.remove(0);
    }
}

/// "28 juni 2022" or "2022-06-28" → "2022-06-28".
pub fn parse_date(text: &str) -> Option<String> {
    let t = text.trim().to_lowercase();
    let parts: Vec<&str> = t.split_whitespace().collect();
    if let [d, m, y] = parts.as_slice() {
        let day: u32 = d.trim_end_matches('.').parse().ok()?;
        let month = MONTHS.iter().position(|x| x == m)? + 1;
        let year: u32 = y.parse().ok()?;
        return ((1..=31).contains(&day) && (1990..=2100).contains(&year))
            .then(|| format!("{year}-{month:02}-{day:02}"));
    }
    let b = t.as_bytes();
    let iso = t.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && t.chars().filter(char::is_ascii_digit).count() == 8;
    iso.then_some(t)
}

/// One line of source text with where it came from.
#[derive(Debug, Clone)]
pub struct SourceLine {
    pub page: Option<u32>,
    pub text: String,
    /// Set in larger type than the body text (a heading, in a PDF).
    pub big: bool,
}

impl SourceLine {
    pub fn plain(page: Option<u32>, text: &str) -> Self {
        SourceLine {
            page,
            text: text.to_string(),
            big: false,
        }
    }
}

/// Builds blocks from lines into `out`. With `cut_at_stop`, a stop heading sends the rest of
/// the text to `out.signals`.
pub fn structure_lines(
    cfg: &ExtractConfig,
    lines: &[SourceLine],
    cut_at_stop: bool,
    out: &mut Extracted,
) {
    let bp = &cfg.boilerplate;
    let mut b = Builder {
        wrapped: !cut_at_stop,
        ..Builder::default()
    };
    let first_new = out.blocks.len();
    for (i, src) in lines.iter().enumerate() {
        let page = &src.page;
        let line = collapse_ws(&src.text);
        if line.is_empty() {
            b.flush(&mut out.blocks);
            continue;
        }
        if let Some(date) = bp.published_in(&line) {
            out.published.get_or_insert(date);
        }
        if bp.is_drop_line(&line) || is_page_number(&line) {
            continue;
        }
        if cut_at_stop && bp.is_stop_heading(&line) && !out.blocks.is_empty() {
            b.flush(&mut out.blocks);
            out.signals.extend(
                lines[i..]
                    .iter()
                    .map(|l| collapse_ws(&l.text))
                    .filter(|l| !l.is_empty()),
            );
            return;
        }
        if src.big && !line.ends_with(['.', ',', ';']) && list_item_text(&line).is_none() {
            b.push_big_line(&line, *page, &mut out.blocks);
            continue;
        }
        b.push_line(&line, *page, next_text_line(lines, i), &mut out.blocks);
    }
    b.flush(&mut out.blocks);
    if b.wrapped {
        promote_short_headings(&mut out.blocks[first_new..]);
    }
}

/// In wrapped (PDF) text, a short paragraph that reads like a heading (wrapped over lines, so
/// not caught line by line) and stands before a list or a paragraph is a heading.
fn promote_short_headings(blocks: &mut [Block]) {
    for i in 0..blocks.len().saturating_sub(1) {
        let next_is_body = matches!(
            blocks[i + 1].kind,
            BlockKind::ListItem | BlockKind::Paragraph
        );
        let after_break = i == 0
            || blocks[i - 1].kind != BlockKind::Paragraph
            || ends_sentence(&blocks[i - 1].text);
        if blocks[i].kind == BlockKind::Paragraph
            && next_is_body
            && after_break
            && is_heading_like(&blocks[i].text)
        {
            blocks[i].kind = BlockKind::Heading(2);
        }
    }
}

fn next_text_line(lines: &[SourceLine], i: usize) -> Option<&str> {
    lines[i + 1..]
        .iter()
        .map(|l| l.text.trim())
        .find(|l| !l.is_empty())
}

fn is_page_number(line: &str) -> bool {
    let l = line.to_lowercase();
    let l = l.strip_prefix("sida ").unwrap_or(&l);
    let first = l.split(" av ").next().unwrap_or(l);
    !first.is_empty() && first.len() <= 4 && first.chars().all(|c| c.is_ascii_digit())
}

/// Accumulates the lines of the current block.
#[derive(Default)]
struct Builder {
    kind: Option<BlockKind>,
    lines: Vec<String>,
    page: Option<u32>,
    /// True when the last line ended a sentence (or nothing came yet).
    after_break: bool,
    /// Lines are wrapped by layout (PDF): a list item runs until a blank line, a new item or
    /// a heading, not just to the end of its line.
    wrapped: bool,
}

impl Builder {
    /// A line in large type: a heading, continued by the next large line.
    fn push_big_line(&mut self, line: &str, page: Option<u32>, blocks: &mut Vec<Block>) {
        if matches!(self.kind, Some(BlockKind::Heading(_))) {
            self.lines.push(line.to_string());
            return;
        }
        self.flush(blocks);
        self.start(BlockKind::Heading(2), line, page);
    }

    fn push_line(
        &mut self,
        line: &str,
        page: Option<u32>,
        next: Option<&str>,
        blocks: &mut Vec<Block>,
    ) {
        if let Some(item) = list_item_text(line) {
            self.flush(blocks);
            self.start(BlockKind::ListItem, item, page);
            return;
        }
        let boundary = self.kind.is_none() || self.after_break;
        let after_heading = matches!(blocks.last(), Some(b) if matches!(b.kind, BlockKind::Heading(_)))
            && self.kind.is_none();
        if boundary
            && !after_heading
            && is_heading_like(line)
            && next.is_some_and(starts_block_after_heading)
        {
            self.flush(blocks);
            self.start(BlockKind::Heading(2), line, page);
            self.flush(blocks);
            return;
        }
        match self.kind {
            Some(BlockKind::ListItem) | Some(BlockKind::Paragraph) if !self.ends_item(line) => {
                self.lines.push(line.to_string());
                self.after_break = ends_sentence(line);
            }
            _ => {
                self.flush(blocks);
                self.start(BlockKind::Paragraph, line, page);
            }
        }
    }

    /// A list item ends at a sentence end followed by an upper-case line.
    fn ends_item(&self, line: &str) -> bool {
        self.kind == Some(BlockKind::ListItem)
            && !self.wrapped
            && self.after_break
            && line.chars().next().is_some_and(char::is_uppercase)
    }

    fn start(&mut self, kind: BlockKind, line: &str, page: Option<u32>) {
        self.kind = Some(kind);
        self.lines = vec![line.to_string()];
        self.page = page;
        self.after_break = ends_sentence(line);
    }

    fn flush(&mut self, blocks: &mut Vec<Block>) {
        if let Some(kind) = self.kind.take() {
            let text = join_lines(&self.lines);
            if !text.is_empty() {
                blocks.push(Block {
                    kind,
                    text,
                    page: self.page,
                });
            }
        }
        self.lines.clear();
        self.after_break = true;
    }
}

/// The text of a list item line ("• text", "- text", "1. text", "a) text"), if it is one.
pub fn list_item_text(line: &str) -> Option<&str> {
    let t = line.trim_start();
    let mut chars = t.char_indices();
    let (_, first) = chars.next()?;
    if "•●▪◦‣∙·■□➢►✓*-–—".contains(first) {
        let rest = t[first.len_utf8()..].trim_start();
        let spaced = t[first.len_utf8()..].starts_with(' ');
        return (spaced && !rest.is_empty()).then_some(rest);
    }
    let marker_end = t.find([')', '.'])?;
    let marker = &t[..marker_end];
    let numeric =
        !marker.is_empty() && marker.len() <= 2 && marker.chars().all(|c| c.is_ascii_digit());
    let letter = marker.len() == 1
        && marker.chars().all(|c| c.is_ascii_lowercase())
        && t[marker_end..].starts_with(')');
    let rest = &t[marker_end + 1..];
    ((numeric || letter) && rest.starts_with(' ') && rest.trim().len() > 1).then(|| rest.trim())
}

fn ends_sentence(line: &str) -> bool {
    line.trim_end()
        .ends_with(['.', '!', '?', ':', '”', '"', ')'])
}

/// A short line that starts with a capital or digit, has no sentence inside and does not end
/// like a sentence or a clause.
fn is_heading_like(line: &str) -> bool {
    let t = line.trim();
    let first = t.chars().next();
    t.chars().count() <= HEADING_MAX_CHARS
        && t.split_whitespace().count() <= HEADING_MAX_WORDS
        && first.is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
        && !t.ends_with(['.', ',', ';', ':'])
        && !t.contains(". ")
        && t.chars().any(char::is_alphabetic)
        && !t
            .split_whitespace()
            .last()
            .is_some_and(|w| NOT_LAST_WORDS.contains(&w.to_lowercase().as_str()))
}

fn starts_block_after_heading(next: &str) -> bool {
    let first = next.trim_start().chars().next();
    first.is_some_and(|c| c.is_uppercase() || c.is_ascii_digit() || !c.is_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg() -> ExtractConfig {
        ExtractConfig::load().unwrap()
    }

    #[test]
    fn headings_paragraphs_and_list_items_are_told_apart() {
        let text = "Stöd till yrkesverksamma\nVi ger stöd till kommuner och bidrar till att det finns\n- regionala strategier och handlingsplaner.\n- effektiva metoder och arbetssätt.\nNationell strategi\nEtt av regeringens mål är att våldet ska upphöra.\n";
        let out = extract_text(&cfg(), text);
        let kinds: Vec<BlockKind> = out.blocks.iter().map(|b| b.kind).collect();
        assert_eq!(
            kinds,
            [
                BlockKind::Heading(2),
                BlockKind::Paragraph,
                BlockKind::ListItem,
                BlockKind::ListItem,
                BlockKind::Heading(2),
                BlockKind::Paragraph
            ]
        );
        assert_eq!(
            out.blocks[2].text,
            "regionala strategier och handlingsplaner."
        );
    }

    #[test]
    fn wrapped_lines_join_into_one_paragraph() {
        let text = "Handlingsplanen gäller för perioden 2024–2026 och undertecknades\nav länets myndigheter i mars.\n";
        let out = extract_text(&cfg(), text);
        assert_eq!(out.blocks.len(), 1);
        assert!(out.blocks[0].text.contains("undertecknades av länets"));
    }

    #[test]
    fn boilerplate_lines_are_dropped_and_contact_block_becomes_signal() {
        let text = "Publiceringsdatum:\n\nRubrik om våld\n\nEn mening om arbetet mot våld i länet.\n\nKontakt\n\nAnna Andersson\nanna@kramfors.se\n";
        let out = extract_text(&cfg(), text);
        let body = out.body();
        assert!(!body.contains("Publiceringsdatum"));
        assert!(!body.contains("anna@kramfors.se"));
        assert!(out.signals.iter().any(|s| s.contains("@kramfors.se")));
    }

    #[test]
    fn list_markers() {
        assert_eq!(
            list_item_text("• Effektivare brottsbekämpning."),
            Some("Effektivare brottsbekämpning.")
        );
        assert_eq!(list_item_text("2) Andra punkten"), Some("Andra punkten"));
        assert_eq!(list_item_text("2021–2026 är perioden"), None);
        assert_eq!(list_item_text("-5 grader"), None);
    }
}
