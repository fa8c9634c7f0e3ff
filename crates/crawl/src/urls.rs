//! URL canonicalisation and the rules of what may be followed.

use url::Url;

/// The canonical form of a link: http(s) only, no fragment, no tracking parameters; the `url`
/// crate already lowercases the host, drops a default port and gives `/` for an empty path.
pub fn canonical(base: &Url, href: &str, drop_params: &[String]) -> Option<Url> {
    let href = href.trim();
    if href.is_empty() || href.starts_with('#') {
        return None;
    }
    let mut u = base.join(href).ok()?;
    if u.scheme() != "http" && u.scheme() != "https" {
        return None;
    }
    u.set_fragment(None);
    let kept: Vec<(String, String)> = u
        .query_pairs()
        .filter(|(k, _)| !drop_params.iter().any(|p| param_matches(p, k)))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if kept.is_empty() {
        u.set_query(None);
    } else {
        u.query_pairs_mut().clear().extend_pairs(kept);
    }
    Some(u)
}

fn param_matches(pattern: &str, key: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => key.starts_with(prefix),
        None => key == pattern,
    }
}

/// True when the URL looks like a PDF by its path.
pub fn is_pdf_url(u: &Url) -> bool {
    u.path().to_ascii_lowercase().ends_with(".pdf")
}

/// True when `u` starts with one of the allowed prefixes.
pub fn is_allowed(u: &Url, allow: &[String]) -> bool {
    allow.iter().any(|p| u.as_str().starts_with(p.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(href: &str) -> Option<String> {
        let base = Url::parse("https://www.lansstyrelsen.se/jamtland/a/b.html").unwrap();
        canonical(&base, href, &["utm_*".into(), "fbclid".into()]).map(|u| u.to_string())
    }

    #[test]
    fn links_are_canonicalised() {
        assert_eq!(
            c("../x.html#top").as_deref(),
            Some("https://www.lansstyrelsen.se/jamtland/x.html")
        );
        assert_eq!(
            c("/p.pdf?utm_source=a&id=3&fbclid=z").as_deref(),
            Some("https://www.lansstyrelsen.se/p.pdf?id=3")
        );
        assert_eq!(
            c("HTTPS://WWW.Lansstyrelsen.SE:443/a").as_deref(),
            Some("https://www.lansstyrelsen.se/a")
        );
        assert_eq!(
            c("http://example.se:8080/a").as_deref(),
            Some("http://example.se:8080/a")
        );
    }

    #[test]
    fn only_web_links_are_followed() {
        for bad in [
            "mailto:a@b.se",
            "javascript:alert(1)",
            "file:///etc/passwd",
            "ftp://x.se/a",
            "#",
            "tel:112",
        ] {
            assert_eq!(c(bad), None, "{bad}");
        }
    }
}

#[cfg(test)]
mod props {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn canonical_urls_are_web_urls_without_fragments_and_stable(href in "\\PC{0,60}") {
            let base = Url::parse("https://www.lansstyrelsen.se/jamtland/a/b.html").unwrap();
            let drop = vec!["utm_*".to_string()];
            if let Some(u) = canonical(&base, &href, &drop) {
                prop_assert!(u.scheme() == "http" || u.scheme() == "https");
                prop_assert!(u.fragment().is_none());
                prop_assert!(!u.query_pairs().any(|(k, _)| k.starts_with("utm_")));
                let again = canonical(&u, u.as_str(), &drop);
                prop_assert_eq!(again.as_ref(), Some(&u));
            }
        }
    }
}
