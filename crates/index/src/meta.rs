//! What a hit shows of its document ([`DocMeta`]), stored as JSON with every entry of the
//! document and decoded once per segment into the facet table.

use serde::{Deserialize, Serialize};

use plansok_model::{DocType, Document, Goal, Period};

/// Document metadata stored with every entry (what a hit shows).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DocMeta {
    pub id: String,
    pub url: Option<String>,
    pub path: Option<String>,
    pub title: String,
    pub region: Option<String>,
    pub municipality: Option<String>,
    pub organisation: Option<String>,
    pub doc_type: DocType,
    pub period: Option<Period>,
    pub goals: Vec<Goal>,
    /// Whether the document is about the topic (indexes made before this field: true).
    #[serde(default = "on_topic_default")]
    pub on_topic: bool,
    pub lang: String,
    pub published: Option<String>,
    pub pages: Option<u32>,
    /// When this index first took the document in (RFC 3339, UTC); kept when the document
    /// changes. None in indexes made before this field.
    #[serde(default)]
    pub first_seen: Option<String>,
}

impl DocMeta {
    pub(crate) fn of(d: &Document, first_seen: &str) -> Self {
        DocMeta {
            id: d.id.clone(),
            url: d.url.clone(),
            path: d.path.clone(),
            title: d.title.clone(),
            region: d.region.clone(),
            municipality: d.municipality.clone(),
            organisation: d.organisation.clone(),
            doc_type: d.doc_type,
            period: d.period,
            goals: d.goals.clone(),
            on_topic: d.on_topic,
            lang: d.lang.clone(),
            published: d.published.clone(),
            pages: d.pages,
            first_seen: Some(first_seen.to_string()),
        }
    }
}

fn on_topic_default() -> bool {
    true
}
