//! HTML → main content blocks, without navigation, cookie notices, share and contact blocks.
//!
//! The main-content root is the configured candidate (`article`, `main`, …) with most text,
//! else `<body>`. The walk skips configured tags, roles and id/class words; a stop heading
//! ("Kontakt", "Dela sidan") skips everything up to the next heading of the same or higher
//! level. Skipped footer and contact text, e-mail addresses and the site name from `<title>`
//! are kept as signals for inferring the organisation.

use scraper::{ElementRef, Html, Node, Selector};

use crate::clean::{collapse_ws, join_lines, normalize_chars};
use crate::config::{ExtractConfig, HtmlRules};
use crate::{Block, BlockKind, Extracted};

const BLOCK_TAGS: [&str; 22] = [
    "p",
    "div",
    "section",
    "article",
    "main",
    "ul",
    "ol",
    "table",
    "tr",
    "td",
    "th",
    "blockquote",
    "figure",
    "figcaption",
    "dl",
    "dt",
    "dd",
    "pre",
    "address",
    "hr",
    "details",
    "summary",
];

/// Extracts the main content of an HTML page.
pub fn extract_html(cfg: &ExtractConfig, html: &str) -> Extracted {
    let doc = Html::parse_document(html);
    let mut out = Extracted {
        declared_lang: doc.root_element().attr("lang").map(str::to_string),
        ..Default::default()
    };
    let (page_title, site) = title_parts(&doc);
    if let Some(site) = site {
        out.signals.push(site);
    }
    out.signals.extend(mailto_addresses(&doc));
    out.signals.extend(signal_texts(&doc, &cfg.html));
    out.links = links(&doc);
    let root = main_root(&doc, &cfg.html);
    let mut walker = Walker {
        cfg,
        out: &mut out,
        buf: String::new(),
        in_li: 0,
        skip_level: None,
    };
    walker.walk(root);
    walker.flush();
    let h1 = out
        .blocks
        .iter()
        .find(|b| b.kind == BlockKind::Heading(1))
        .map(|b| b.text.clone());
    out.title = h1
        .or(page_title)
        .or_else(|| out.blocks.first().map(|b| b.text.clone()));
    out
}

/// The `href` of every `<a>` of the page, in document order.
fn links(doc: &Html) -> Vec<String> {
    let Ok(sel) = Selector::parse("a[href]") else {
        return Vec::new();
    };
    doc.select(&sel)
        .filter_map(|a| a.attr("href"))
        .map(str::to_string)
        .collect()
}

/// `<title>` split into the page title and the site name ("Mäns våld | Länsstyrelsen X").
fn title_parts(doc: &Html) -> (Option<String>, Option<String>) {
    let Some(t) = select_first(doc, "title")
        .map(|e| collapse_ws(&normalize_chars(&e.text().collect::<String>())))
    else {
        return (None, None);
    };
    for sep in [" | ", " - ", " – "] {
        if let Some((page, site)) = t.rsplit_once(sep) {
            return (Some(page.trim().to_string()), Some(site.trim().to_string()));
        }
    }
    (Some(t).filter(|t| !t.is_empty()), None)
}

fn mailto_addresses(doc: &Html) -> Vec<String> {
    let Ok(sel) = Selector::parse("a[href^='mailto:']") else {
        return Vec::new();
    };
    doc.select(&sel)
        .filter_map(|a| a.attr("href"))
        .map(|h| {
            h.trim_start_matches("mailto:")
                .split('?')
                .next()
                .unwrap_or("")
                .to_string()
        })
        .filter(|a| a.contains('@'))
        .collect()
}

/// Text of footers and contact blocks anywhere on the page.
fn signal_texts(doc: &Html, rules: &HtmlRules) -> Vec<String> {
    let Ok(all) = Selector::parse("*") else {
        return Vec::new();
    };
    doc.select(&all)
        .filter(|e| {
            rules.signal_tags.iter().any(|t| t == e.value().name())
                || has_word(*e, &rules.signal_class_words)
        })
        .map(text_of)
        .filter(|t| !t.is_empty())
        .take(20)
        .collect()
}

fn select_first<'a>(doc: &'a Html, sel: &str) -> Option<ElementRef<'a>> {
    Selector::parse(sel)
        .ok()
        .and_then(|s| doc.select(&s).next())
}

/// The candidate root with most text, else `<body>`, else the document.
fn main_root<'a>(doc: &'a Html, rules: &HtmlRules) -> ElementRef<'a> {
    let text_len = |e: &ElementRef| e.text().map(|t| t.trim().len()).sum::<usize>();
    rules
        .root_selectors
        .iter()
        .filter_map(|s| Selector::parse(s).ok())
        .flat_map(|s| doc.select(&s).collect::<Vec<_>>())
        .map(|e| (text_len(&e), e))
        .filter(|(n, _)| *n >= rules.min_root_chars)
        .max_by_key(|(n, _)| *n)
        .map(|(_, e)| e)
        .or_else(|| select_first(doc, "body"))
        .unwrap_or_else(|| doc.root_element())
}

struct Walker<'c, 'o> {
    cfg: &'c ExtractConfig,
    out: &'o mut Extracted,
    buf: String,
    in_li: usize,
    /// Inside a stop section that ends at a heading of this level or higher.
    skip_level: Option<u8>,
}

impl Walker<'_, '_> {
    fn walk(&mut self, el: ElementRef) {
        for child in el.children() {
            match child.value() {
                Node::Text(t) if self.skip_level.is_none() => self.buf.push_str(t),
                Node::Element(_) => {
                    if let Some(child_el) = ElementRef::wrap(child) {
                        self.element(child_el);
                    }
                }
                _ => {}
            }
        }
    }

    fn element(&mut self, el: ElementRef) {
        let name = el.value().name();
        if self.is_skipped(el) {
            if self.is_signal(el) {
                self.out.signals.push(text_of(el));
            }
            return;
        }
        if let Some(level) = heading_level(name) {
            return self.heading(el, level);
        }
        if self.skip_level.is_some() {
            let text = text_of(el);
            if !text.is_empty() && matches!(name, "p" | "div" | "li" | "address" | "a") {
                self.out.signals.push(text);
            }
            return self.walk(el);
        }
        match name {
            "br" => self.buf.push('\n'),
            "img" => {}
            "li" => {
                self.flush();
                self.in_li += 1;
                self.walk(el);
                self.flush();
                self.in_li -= 1;
            }
            n if BLOCK_TAGS.contains(&n) => {
                self.flush();
                self.walk(el);
                self.flush();
            }
            _ => self.walk(el),
        }
    }

    fn heading(&mut self, el: ElementRef, level: u8) {
        self.flush();
        let text = text_of(el);
        if self.cfg.boilerplate.is_stop_heading(&text) {
            self.skip_level = Some(level.min(self.skip_level.unwrap_or(level)));
            return;
        }
        if self.skip_level.is_some_and(|l| level > l) {
            return;
        }
        self.skip_level = None;
        if !text.is_empty() && !self.cfg.boilerplate.is_drop_line(&text) {
            self.out.blocks.push(Block {
                kind: BlockKind::Heading(level),
                text,
                page: None,
            });
        }
    }

    fn is_skipped(&self, el: ElementRef) -> bool {
        let rules = &self.cfg.html;
        let e = el.value();
        if rules.skip_tags.iter().any(|t| t == e.name()) || e.attr("hidden").is_some() {
            return true;
        }
        if rules.skip_small_tags.iter().any(|t| t == e.name()) {
            let chars: usize = el.text().map(|t| t.trim().chars().count()).sum();
            if chars < rules.min_root_chars {
                return true;
            }
        }
        if e.attr("aria-hidden") == Some("true") {
            return true;
        }
        if e.attr("role")
            .is_some_and(|r| rules.skip_roles.iter().any(|s| s == r))
        {
            return true;
        }
        has_word(el, &rules.skip_class_words)
    }

    fn is_signal(&self, el: ElementRef) -> bool {
        let rules = &self.cfg.html;
        rules.signal_tags.iter().any(|t| t == el.value().name())
            || has_word(el, &rules.signal_class_words)
    }

    /// Emits the inline text gathered so far as a paragraph (or list item).
    fn flush(&mut self) {
        let raw = std::mem::take(&mut self.buf);
        if self.skip_level.is_some() {
            return;
        }
        let bp = &self.cfg.boilerplate;
        let mut kept = Vec::new();
        for line in normalize_chars(&raw).split('\n') {
            let text = collapse_ws(line);
            if let Some(date) = bp.published_in(&text) {
                self.out.published.get_or_insert(date);
            }
            if !text.is_empty() && !bp.is_drop_line(&text) {
                kept.push(text);
            }
        }
        let text = join_lines(&kept);
        if !text.is_empty() {
            let kind = if self.in_li > 0 {
                BlockKind::ListItem
            } else {
                BlockKind::Paragraph
            };
            self.out.blocks.push(Block {
                kind,
                text,
                page: None,
            });
        }
    }
}

/// True when the element's id or class contains one of `words` (case-insensitive).
fn has_word(el: ElementRef, words: &[String]) -> bool {
    let e = el.value();
    let id = e.id().unwrap_or("").to_lowercase();
    let class = e.attr("class").unwrap_or("").to_lowercase();
    words
        .iter()
        .any(|w| id.contains(w.as_str()) || class.contains(w.as_str()))
}

fn heading_level(name: &str) -> Option<u8> {
    match name {
        "h1" => Some(1),
        "h2" => Some(2),
        "h3" => Some(3),
        "h4" => Some(4),
        "h5" => Some(5),
        "h6" => Some(6),
        _ => None,
    }
}

fn text_of(el: ElementRef) -> String {
    collapse_ws(&normalize_chars(&el.text().collect::<Vec<_>>().join(" ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = r#"<!doctype html><html lang="sv"><head><title>Mäns våld mot kvinnor | Länsstyrelsen Jämtlands län</title></head>
<body><div class="cookie-banner">Vi använder kakor. Godkänn cookies</div>
<header><nav><a href="/">Start</a><a href="/om">Om oss</a></nav></header>
<nav class="breadcrumb">Start / Samhälle / Social hållbarhet</nav>
<main><article><h1>Mäns våld mot kvinnor</h1>
<p>Publiceringsdatum: 2024-03-12</p>
<p>Länsstyrelsen samordnar arbetet regionalt<br>med att förebygga och bekämpa våld.</p>
<h2>Strategins målsättningar</h2><ul><li>Effektivare brottsbekämpning.</li><li>Förbättrad kunskap och metodutveckling.</li></ul>
<h2>Dela sidan</h2><div><a href="https://facebook.com">Facebook</a></div>
<h2>Kontakt</h2><p>Anna Andersson, samordnare</p><p><a href="mailto:anna@lansstyrelsen.se">E-post</a></p>
</article></main><footer>Besöksadress Storgatan 1, Östersund</footer></body></html>"#;

    fn extract() -> Extracted {
        extract_html(&ExtractConfig::load().unwrap(), PAGE)
    }

    #[test]
    fn main_content_without_navigation_share_contact_or_footer() {
        let out = extract();
        let body = out.body();
        assert!(body.contains("Länsstyrelsen samordnar arbetet regionalt"));
        for junk in [
            "kakor",
            "Om oss",
            "Social hållbarhet",
            "Facebook",
            "Anna Andersson",
            "Storgatan",
            "Dela sidan",
            "Publiceringsdatum",
        ] {
            assert!(!body.contains(junk), "{junk} leaked into {body}");
        }
        assert_eq!(out.published.as_deref(), Some("2024-03-12"));
        assert_eq!(out.declared_lang.as_deref(), Some("sv"));
    }

    #[test]
    fn title_headings_list_items_and_signals() {
        let out = extract();
        assert_eq!(out.title.as_deref(), Some("Mäns våld mot kvinnor"));
        let items: Vec<&str> = out
            .blocks
            .iter()
            .filter(|b| b.kind == BlockKind::ListItem)
            .map(|b| b.text.as_str())
            .collect();
        assert_eq!(
            items,
            [
                "Effektivare brottsbekämpning.",
                "Förbättrad kunskap och metodutveckling."
            ]
        );
        assert!(out
            .signals
            .iter()
            .any(|s| s == "Länsstyrelsen Jämtlands län"));
        assert!(out
            .signals
            .iter()
            .any(|s| s.contains("anna@lansstyrelsen.se")));
        assert!(out.signals.iter().any(|s| s.contains("Storgatan")));
    }

    #[test]
    fn broken_html_still_gives_text() {
        let out = extract_html(
            &ExtractConfig::load().unwrap(),
            "<html><body><p>Våld i nära <b>relationer<p>Andra stycket</div></span>",
        );
        assert!(out.body().contains("Våld i nära relationer"));
        assert!(out.body().contains("Andra stycket"));
    }
}

#[cfg(test)]
mod props {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn any_markup_extracts_without_panicking(s in "(<[a-z]{1,8}( [a-z]{1,5}=\"[^\"]{0,10}\")?>|</[a-z]{1,8}>|[^<]{0,20}){0,30}") {
            let cfg = ExtractConfig::load().unwrap();
            let out = extract_html(&cfg, &s);
            prop_assert!(out.blocks.iter().all(|b| !b.text.is_empty()));
        }
    }

    #[test]
    fn a_page_wide_form_is_read_and_a_search_form_is_not() {
        let cfg = crate::ExtractConfig::load().unwrap();
        let body =
            "Länet samordnar arbetet mot våld i nära relationer och stöttar kommunerna. ".repeat(5);
        let page = format!(
            r#"<html><body><form id="aspnetForm"><div id="top"><form class="search"><input name="q">
<button>Sök</button><p>Sök på webbplatsen</p></form></div>
<table><tr><td><h1>Mäns våld mot kvinnor</h1><p>{body}</p></td></tr></table></form></body></html>"#
        );
        let ex = extract_html(&cfg, &page);
        let text = ex.body();
        assert!(text.contains("stöttar kommunerna"), "{text}");
        assert!(!text.contains("Sök på webbplatsen"), "{text}");
    }
}
