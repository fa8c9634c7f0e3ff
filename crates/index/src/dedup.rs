//! Near-duplicate documents: one text published on many county pages ("Länsstyrelsen i X län
//! arbetar för att …" on 21 sites), or on a municipality's old and new host, or a press release
//! and the newspaper that printed it. A reader wants one hit that says where else it stands,
//! not 21 hits that push the plans off the first page.
//!
//! Each document entry carries a SimHash (Charikar) of its body's word 3-shingles in the
//! `simhash` fast field: texts that share most shingles differ in few of the 64 bits, whatever
//! their length. Numbers are left out of the shingles (phone numbers, dates), and a text of
//! fewer than [`MIN_WORDS`] words gets no signature (0): too little to tell a copy from a
//! coincidence. A search keeps a pool of its best hits and folds every hit whose signature lies
//! within `near_duplicate_bits` of a better-ranked hit's into that hit ([`collapse`]). Plans,
//! strategies and agreements fold only into one of the same county, municipality and period (a mirror's copy
//! of the plan): two counties' plans written from one template are two plans, which a
//! coordinator compares.

use tantivy::{DocAddress, Searcher};

use crate::facet::table::Tables;
use crate::facet::top_k::Candidate;
use crate::meta::DocMeta;
use crate::IndexError;

/// Texts shorter than this (in words) get no signature.
pub const MIN_WORDS: usize = 40;

/// The SimHash of `text`'s word 3-shingles; 0 for a text of fewer than [`MIN_WORDS`] words.
pub fn simhash(text: &str) -> u64 {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && !w.chars().all(|c| c.is_ascii_digit()))
        .map(str::to_lowercase)
        .collect();
    if words.len() < MIN_WORDS {
        return 0;
    }
    let mut votes = [0i32; 64];
    for shingle in words.windows(3) {
        let h = fnv1a(shingle);
        for (bit, v) in votes.iter_mut().enumerate() {
            *v += if h >> bit & 1 == 1 { 1 } else { -1 };
        }
    }
    let sig = votes
        .iter()
        .enumerate()
        .filter(|(_, v)| **v > 0)
        .fold(0u64, |acc, (bit, _)| acc | 1 << bit);
    // 0 means "no signature": a text whose votes are all negative keeps one bit.
    sig.max(1)
}

/// FNV-1a over the words of a shingle (stable across builds, unlike std's hasher: signatures
/// are stored in the index).
fn fnv1a(words: &[String]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for w in words {
        for b in w.bytes().chain([b' ']) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// Whether two signatures are of near-duplicate texts.
pub fn near(a: u64, b: u64, max_bits: u32) -> bool {
    a != 0 && b != 0 && (a ^ b).count_ones() <= max_bits
}

/// A hit with the near-duplicates folded into it, best first.
#[derive(Debug, Clone)]
pub(crate) struct Folded {
    pub best: Candidate,
    pub others: Vec<DocAddress>,
}

/// Folds each candidate (best first) into the first better one it nearly duplicates; with
/// `max_bits` 0 or an index without signatures, every candidate stands alone.
pub(crate) fn collapse(
    searcher: &Searcher,
    tables: &Tables,
    top: Vec<Candidate>,
    max_bits: u32,
) -> Result<Vec<Folded>, IndexError> {
    if max_bits == 0 {
        return Ok(top.into_iter().map(alone).collect());
    }
    let columns: Vec<_> = searcher
        .segment_readers()
        .iter()
        .map(|r| {
            r.fast_fields()
                .u64(crate::schema::SIMHASH)
                .ok()
                .map(|c| c.first_or_default_col(0))
        })
        .collect();
    let sig = |a: DocAddress| {
        columns
            .get(a.segment_ord as usize)
            .and_then(Option::as_ref)
            .map_or(0, |c| c.get_val(a.doc_id))
    };
    // A hit's metadata is read only when another hit's signature is near its own: most hits
    // have none near, and their tables' rows are then not looked at.
    let segments = tables.by_ordinal(searcher)?;
    let meta = |a: DocAddress| {
        segments
            .get(a.segment_ord as usize)
            .and_then(|t| t.meta_of(a.doc_id).cloned())
    };
    // Each hit kept: its signature, its metadata once read, and what folds into it.
    type Metadata = Option<std::sync::Arc<DocMeta>>;
    let mut out: Vec<(u64, Option<Metadata>, Folded)> = Vec::new();
    for c in top {
        let s = sig(c.addr);
        let mut mine: Option<Metadata> = None;
        let mut into = None;
        for (at, (kept, known, f)) in out.iter_mut().enumerate() {
            if !near(*kept, s, max_bits) {
                continue;
            }
            let theirs = known.get_or_insert_with(|| meta(f.best.addr));
            let m = mine.get_or_insert_with(|| meta(c.addr));
            if same_work(theirs.as_deref(), m.as_deref()) {
                into = Some(at);
                break;
            }
        }
        match into.and_then(|at| out.get_mut(at)) {
            Some((_, _, f)) => f.others.push(c.addr),
            None => out.push((s, mine, alone(c))),
        }
    }
    Ok(out.into_iter().map(|(_, _, f)| f).collect())
}

fn alone(best: Candidate) -> Folded {
    Folded {
        best,
        others: Vec::new(),
    }
}

/// Whether two near-identical texts are one work: any two pages, but two plans only when they
/// are of one county, one municipality and one period.
fn same_work(a: Option<&DocMeta>, b: Option<&DocMeta>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) if a.doc_type.is_plan() || b.doc_type.is_plan() => {
            a.region == b.region && a.municipality == b.municipality && a.period == b.period
        }
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = "Länsstyrelsen i {} samordnar arbetet mot mäns våld mot kvinnor i länet. \
        Vi stödjer kommuner, region och ideella organisationer så att våldsutsatta kvinnor och barn \
        får skydd och stöd, och så att våldet förebyggs. Arbetet utgår från den nationella \
        strategin och omfattar också hedersrelaterat våld och förtryck, prostitution och \
        människohandel. Kontakta oss om du vill veta mer om utbildningar, nätverk och \
        utvecklingsmedel. Telefon 010-{} 00 00.";

    fn page(county: &str, phone: &str) -> String {
        PAGE.replacen("{}", county, 1).replacen("{}", phone, 1)
    }

    #[test]
    fn one_template_on_two_county_sites_is_near_and_other_texts_are_not() {
        let a = simhash(&page("Gotlands län", "223"));
        let b = simhash(&page("Hallands län", "224"));
        let other = simhash(
            "Kommunens handlingsplan mot våld i nära relationer gäller 2025–2028 och beskriver \
             hur socialtjänsten, skolan och hemtjänsten ska upptäcka våld, fråga om våld och ge \
             stöd. Varje förvaltning utser en kontaktperson. Planen följs upp varje år av \
             kommunstyrelsen, och en samordnare ansvarar för utbildningar för personalen och \
             för samverkan med polisen, regionen och kvinnojouren i kommunen.",
        );
        assert!(near(a, b, 10), "distance {}", (a ^ b).count_ones());
        assert!(!near(a, other, 10), "distance {}", (a ^ other).count_ones());
    }

    #[test]
    fn a_short_text_has_no_signature_and_is_nobody_s_duplicate() {
        assert_eq!(simhash("Våld i nära relationer. Kontakta oss."), 0);
        assert!(!near(0, 0, 64));
    }
}
