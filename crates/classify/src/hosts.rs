//! Matching a URL against lists of hosts in the configuration (news hosts, knowledge hosts,
//! national bodies).

/// Whether `url` is on one of `hosts` (a host matches its subdomains; an entry with a path
/// matches the URLs below it).
pub fn on_hosts(hosts: &[String], url: &str) -> bool {
    let Ok(u) = url::Url::parse(url) else {
        return false;
    };
    let host = u.host_str().unwrap_or("").to_lowercase();
    let at = format!("{host}{}", u.path().to_lowercase());
    hosts.iter().any(|h| {
        let h = h.to_lowercase();
        match h.split_once('/') {
            Some(_) => at.starts_with(&h) || at.starts_with(&format!("www.{h}")),
            None => host == h || host.ends_with(&format!(".{h}")),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_host_matches_its_subdomains_and_a_path_entry_what_is_below_it() {
        let hosts = ["bra.se/statistik".to_string(), "mynewsdesk.com".to_string()];
        assert!(on_hosts(&hosts, "https://www.mynewsdesk.com/se/x"));
        assert!(on_hosts(&hosts, "https://mynewsdesk.com/"));
        assert!(!on_hosts(&hosts, "https://notmynewsdesk.com/"));
        assert!(on_hosts(&hosts, "https://www.bra.se/statistik/a.html"));
        assert!(!on_hosts(&hosts, "https://www.bra.se/om-bra/a.html"));
    }
}
