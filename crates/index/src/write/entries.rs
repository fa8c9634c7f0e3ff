//! How a document is laid out in index entries: one document entry (title, body, words for
//! autocomplete) and one entry per passage (heading, text, page), sharing the document's id,
//! hash, facets, period and metadata; Swedish text also in its `*_parts` and `*_pairs` shadows.

use tantivy::schema::{Facet, Field};
use tantivy::{doc, TantivyDocument};

use crate::meta::DocMeta;
use crate::schema::{self, Fields, KIND_DOC, KIND_PASSAGE};
use plansok_model::{Document, Goal, Passage};

/// The index entries of a document: the document itself and each passage.
/// `first_seen`: when the index first took the document in (RFC 3339).
pub(crate) fn entries(
    f: &Fields,
    d: &Document,
    parts: bool,
    first_seen: &str,
) -> Vec<TantivyDocument> {
    let meta = serde_json::to_string(&DocMeta::of(d, first_seen)).unwrap_or_default();
    let english = d.lang == "en";
    let mut doc_entry = common(f, d, &meta, KIND_DOC);
    let w = Writer { f, parts };
    w.text(&mut doc_entry, english, f.title, &d.title);
    w.text(&mut doc_entry, english, f.body, &d.body);
    // Words for autocomplete: once per document (its entry), not again per passage.
    doc_entry.add_text(f.words, &d.title);
    doc_entry.add_text(f.words, &d.body);
    add_goals(f, &mut doc_entry, &d.goals);
    if let Some(field) = f.simhash {
        doc_entry.add_u64(field, crate::dedup::simhash(&d.body));
    }
    let mut out = vec![doc_entry];
    for (i, p) in d.passages.iter().enumerate() {
        out.push(passage_entry(&w, d, &meta, i, p, english));
    }
    out
}

fn add_goals(f: &Fields, e: &mut TantivyDocument, goals: &[Goal]) {
    for g in goals {
        e.add_facet(f.goal, Facet::from_path(["goal", g.slug()]));
    }
    e.add_u64(f.goal_bits, schema::goal_bits(goals));
}

/// Writes text to the field of its language (and, for Swedish with compounds on, to the
/// field's `*_parts` and `*_pairs` shadows).
struct Writer<'a> {
    f: &'a Fields,
    parts: bool,
}

impl Writer<'_> {
    /// `sv_field` is the Swedish field (title, body, heading or text).
    fn text(&self, e: &mut TantivyDocument, english: bool, sv_field: Field, t: &str) {
        let Some(tf) = self.f.text_field(sv_field) else {
            return;
        };
        if english {
            e.add_text(tf.en, t);
            return;
        }
        e.add_text(tf.sv, t);
        if self.parts {
            e.add_text(tf.parts, t);
            if let Some(pairs) = tf.pairs {
                e.add_text(pairs, t);
            }
        }
    }
}

fn passage_entry(
    w: &Writer,
    d: &Document,
    meta: &str,
    i: usize,
    p: &Passage,
    english: bool,
) -> TantivyDocument {
    let f = w.f;
    let mut e = common(f, d, meta, KIND_PASSAGE);
    // A passage is analysed in its own language when it was told apart from the document's.
    let english = if p.lang.is_empty() {
        english
    } else {
        p.lang == "en"
    };
    e.add_u64(f.passage_no, i as u64);
    if let Some(h) = &p.heading {
        w.text(&mut e, english, f.heading, h);
    }
    w.text(&mut e, english, f.text, &p.text);
    if let Some(page) = p.page {
        e.add_u64(f.page, page as u64);
    }
    for g in &p.goals {
        e.add_facet(f.goal, Facet::from_path(["goal", g.slug()]));
    }
    // The ranking's goal factor rewards the section's own goal area, not a passing mention.
    e.add_u64(f.goal_bits, schema::goal_bits(&p.section_goals));
    e
}

/// Fields shared by a document's entries: id, hash, facets, period, metadata.
fn common(f: &Fields, d: &Document, meta: &str, kind: &str) -> TantivyDocument {
    let mut e = doc!(
        f.kind => kind,
        f.doc_id => d.id.as_str(),
        f.content_hash => d.content_hash.as_str(),
        f.meta => meta,
    );
    if let Some(order) = f.entry_order {
        e.add_u64(order, u64::from(kind != KIND_DOC));
    }
    if let Some(county) = &d.region {
        let facet = match &d.municipality {
            Some(m) => Facet::from_path(["region", county.as_str(), m.as_str()]),
            None => Facet::from_path(["region", county.as_str()]),
        };
        e.add_facet(f.region, facet);
    }
    e.add_facet(f.doc_type, Facet::from_path(["type", d.doc_type.slug()]));
    if let Some(topic) = f.topic {
        e.add_facet(
            topic,
            Facet::from_path(["topic", schema::topic_value(d.on_topic)]),
        );
    }
    e.add_u64(f.type_code, schema::type_code(d.doc_type));
    if let Some(org) = &d.organisation {
        e.add_facet(f.org, Facet::from_path(["org", org.as_str()]));
    }
    e.add_facet(f.lang, Facet::from_path(["lang", d.lang.as_str()]));
    if let Some(p) = d.period {
        e.add_u64(f.period_start, p.start as u64);
        e.add_u64(f.period_end, p.end as u64);
        for y in p.start..=p.end {
            e.add_facet(
                f.year,
                Facet::from_path(["year".to_string(), y.to_string()]),
            );
        }
    }
    e
}
