//! Charset detection and decoding: BOM, HTTP header, `<meta charset>`, then detection.

use encoding_rs::Encoding;

/// The charset an HTTP Content-Type names (`text/html; charset=utf-8` → `utf-8`).
pub fn from_content_type(content_type: &str) -> Option<String> {
    content_type
        .split(';')
        .skip(1)
        .find_map(|p| p.trim().strip_prefix("charset="))
        .map(|c| c.trim_matches('"').to_string())
}

/// Decodes `bytes` to text. The charset is taken from a BOM, else `header` (HTTP
/// Content-Type charset), else (for HTML) a `<meta>` declaration in the first 2 KB, else UTF-8
/// when the bytes are valid UTF-8, else detected (chardetng; Windows-1252 for Swedish text).
pub fn decode(bytes: &[u8], header: Option<&str>, html: bool) -> String {
    let enc = pick(bytes, header, html);
    let (text, _, _) = enc.decode(bytes);
    text.into_owned()
}

fn pick(bytes: &[u8], header: Option<&str>, html: bool) -> &'static Encoding {
    if let Some((enc, _)) = Encoding::for_bom(bytes) {
        return enc;
    }
    let declared = header
        .and_then(|h| Encoding::for_label(h.trim().as_bytes()))
        .or_else(|| if html { meta_charset(bytes) } else { None });
    if let Some(enc) = declared {
        // A page that declares UTF-8 but is not valid UTF-8 is common; detect instead.
        if enc != encoding_rs::UTF_8 || std::str::from_utf8(bytes).is_ok() {
            return enc;
        }
    }
    if std::str::from_utf8(bytes).is_ok() {
        return encoding_rs::UTF_8;
    }
    let mut det = chardetng::EncodingDetector::new();
    det.feed(bytes, true);
    det.guess(Some(b"se"), true)
}

/// The charset named by `<meta charset=…>` or `<meta http-equiv content="…charset=…">`.
fn meta_charset(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(2048)];
    let lower: Vec<u8> = head.iter().map(|b| b.to_ascii_lowercase()).collect();
    let needle = b"charset=";
    let pos = lower.windows(needle.len()).position(|w| w == needle)?;
    let rest = &lower[pos + needle.len()..];
    let rest = rest
        .strip_prefix(b"\"")
        .or_else(|| rest.strip_prefix(b"'"))
        .unwrap_or(rest);
    let end = rest
        .iter()
        .position(|b| !(b.is_ascii_alphanumeric() || *b == b'-' || *b == b'_'))
        .unwrap_or(rest.len());
    Encoding::for_label(&rest[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_1252_page_with_meta_decodes_swedish_letters() {
        let (bytes, _, _) = encoding_rs::WINDOWS_1252
            .encode("<html><head><meta charset=\"windows-1252\"></head><body>Våld i nära relationer, Östersund</body></html>");
        let text = decode(&bytes, None, true);
        assert!(text.contains("Våld i nära relationer, Östersund"), "{text}");
    }

    #[test]
    fn undeclared_latin1_is_detected() {
        let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(
            "Länsstyrelsen samordnar arbetet mot mäns våld mot kvinnor i länet och stödjer kommunerna i förebyggande arbete.",
        );
        let text = decode(&bytes, None, false);
        assert!(text.contains("mäns våld"), "{text}");
    }

    #[test]
    fn header_charset_wins_over_detection_and_bad_utf8_declaration_is_ignored() {
        let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode("Förebyggande åtgärder");
        assert_eq!(
            decode(&bytes, Some("iso-8859-1"), false),
            "Förebyggande åtgärder"
        );
        assert_eq!(
            decode(&bytes, Some("utf-8"), false),
            "Förebyggande åtgärder"
        );
    }
}
