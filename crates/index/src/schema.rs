//! The schema: the fields of document and passage entries, and the tokenizer names their
//! text is analysed with (the analyzers themselves are in `crate::analysis`).
//!
//! One index holds two kinds of entries: a document (`kind = doc`, its whole text) and its
//! passages (`kind = passage`). Swedish text goes to fields analysed with the `sv` analyzer
//! (lowercase, Swedish stop words, Swedish Snowball stemming; å ä ö kept, no ASCII folding);
//! English text to fields with the `en` analyzer. Facets: `/region/<county>/<municipality>`,
//! `/goal/<slug>`, `/type/<slug>`, `/org/<name>`, `/lang/<code>`, and `/year/<yyyy>` for every
//! year of the period (for per-year counts). The period's start and end are u64 fast fields
//! for range filters. `meta` stores the document's metadata as JSON. Of the facets only the
//! goals are stored (a passage's goal areas are read back with it); the others, and the
//! period, are read from their columns.
//!
//! A document entry keeps its text in `title`/`body` (and `_en`), a passage in
//! `heading`/`text`: each kind has fields of its own, so a document search reads only the
//! postings of documents, not those of the (many more) passages.
//!
//! Swedish text is also written to `*_parts` fields analysed with `sv_parts`, which adds the
//! parts of compounds at the word's position (`crate::analysis::compound`); a query weighs them below
//! the whole-word fields. `type_code` (the document type's number) and `goal_bits` (the
//! entry's goal areas) are fast fields for query-time ranking factors.
//!
//! With compounds split, phrases are matched in the `*_parts` and `*_pairs` shadows, so a new
//! index keeps no positions for the long whole-word fields `body` and `text` (titles and
//! headings keep theirs for `title:"…"`). When the parts fields hold every whole word too
//! (`whole_words_twice`), those long fields are only stored: every search of them reads their
//! `*_parts` shadow instead ([`Fields::searched`], [`LongText`]).
//!
//! Without stemming (`[analysis] stemming = false`) the `sv` analyzer is tantivy's default
//! one (words, lowercased), the baseline the evaluation compares with.

use tantivy::schema::{
    FacetOptions, Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, FAST, INDEXED,
    STORED, STRING,
};

use plansok_model::{DocType, Goal};

pub const SV: &str = "sv";
pub const EN: &str = "en";
pub const SV_PARTS: &str = "sv_parts";
/// Pairs of neighbouring Swedish words (`crate::analysis::pairs`).
pub const SV_PAIRS: &str = "sv_pairs";
/// Words as written (lowercased), for autocomplete.
pub const WORDS: &str = "words";
pub const KIND_DOC: &str = "doc";
pub const KIND_PASSAGE: &str = "passage";

/// The fast field a new index is sorted by: 0 for a document entry, 1 for a passage. Every
/// segment then holds its document entries in one run of doc ids before its passages, so a
/// document search reads dense postings, norms and facet-table rows instead of one entry in
/// forty spread over the whole segment.
pub const ENTRY_ORDER: &str = "entry_order";
/// The fast field of a document entry's near-duplicate signature (`crate::dedup`).
pub const SIMHASH: &str = "simhash";

/// The settings of a new index: sorted by [`ENTRY_ORDER`]; ties keep the order written, so a
/// document's passages keep their order.
pub fn index_settings() -> tantivy::IndexSettings {
    tantivy::IndexSettings {
        sort_by_field: Some(tantivy::IndexSortByField {
            field: ENTRY_ORDER.to_string(),
            order: tantivy::Order::Asc,
        }),
        ..tantivy::IndexSettings::default()
    }
}

/// The fields of the schema.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    pub kind: Field,
    pub doc_id: Field,
    pub passage_no: Field,
    pub content_hash: Field,
    pub title: Field,
    pub title_en: Field,
    pub heading: Field,
    pub heading_en: Field,
    pub text: Field,
    pub text_en: Field,
    pub body: Field,
    pub body_en: Field,
    pub title_parts: Field,
    pub heading_parts: Field,
    pub text_parts: Field,
    pub body_parts: Field,
    pub text_pairs: Field,
    pub body_pairs: Field,
    pub words: Field,
    pub page: Field,
    pub region: Field,
    pub goal: Field,
    pub doc_type: Field,
    pub org: Field,
    pub lang: Field,
    pub year: Field,
    pub period_start: Field,
    pub period_end: Field,
    pub type_code: Field,
    pub goal_bits: Field,
    pub meta: Field,
    /// [`ENTRY_ORDER`]: a new index is sorted by it. `None` in an index made before it (whose
    /// entries stay in the order written; searched all the same).
    pub entry_order: Option<Field>,
    /// [`SIMHASH`]: `None` in an index made before it (whose hits are never folded).
    pub simhash: Option<Field>,
    /// `/topic/on` or `/topic/off` on every entry: whether its document is about the topic.
    /// `None` in an index made before it (whose entries count as on topic).
    pub topic: Option<Field>,
    /// Whether `body` and `text` are indexed ([`LongText::Stored`]: only stored).
    pub long_texts_indexed: bool,
}

/// The `topic` facet's value of a document: `on` or `off` the topic.
pub(crate) fn topic_value(on_topic: bool) -> &'static str {
    if on_topic {
        "on"
    } else {
        "off"
    }
}

/// Which entries a query is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Document entries: title and body.
    Documents,
    /// Passage entries: heading and text.
    Passages,
}

impl Scope {
    /// The `kind` of the entries of this scope.
    pub fn kind(self) -> &'static str {
        match self {
            Scope::Documents => KIND_DOC,
            Scope::Passages => KIND_PASSAGE,
        }
    }
}

/// A Swedish text field with its English twin, its compound-part shadow and, for the long
/// texts (bodies and passage texts), its shadow of word pairs.
#[derive(Debug, Clone, Copy)]
pub struct TextField {
    pub sv: Field,
    pub en: Field,
    pub parts: Field,
    pub pairs: Option<Field>,
}

impl Fields {
    /// The text fields of a scope: (field, boost kind) with titles and headings first.
    pub fn text_fields(&self, scope: Scope) -> [TextField; 2] {
        match scope {
            Scope::Documents => [
                TextField {
                    sv: self.title,
                    en: self.title_en,
                    parts: self.title_parts,
                    pairs: None,
                },
                TextField {
                    sv: self.body,
                    en: self.body_en,
                    parts: self.body_parts,
                    pairs: Some(self.body_pairs),
                },
            ],
            Scope::Passages => [
                TextField {
                    sv: self.heading,
                    en: self.heading_en,
                    parts: self.heading_parts,
                    pairs: None,
                },
                TextField {
                    sv: self.text,
                    en: self.text_en,
                    parts: self.text_parts,
                    pairs: Some(self.text_pairs),
                },
            ],
        }
    }

    /// Every analysed whole-word text field (both scopes).
    pub fn searchable(&self) -> [Field; 8] {
        [
            self.title,
            self.title_en,
            self.heading,
            self.heading_en,
            self.text,
            self.text_en,
            self.body,
            self.body_en,
        ]
    }

    /// The field a search of the Swedish field `sv` reads: `sv` itself, or its `*_parts` shadow
    /// for a long text that is only stored ([`LongText::Stored`]).
    pub fn searched(&self, sv: Field) -> Field {
        if self.long_texts_indexed {
            return sv;
        }
        if sv == self.body {
            self.body_parts
        } else if sv == self.text {
            self.text_parts
        } else {
            sv
        }
    }

    /// The text field triple whose Swedish field is `sv`.
    pub fn text_field(&self, sv: Field) -> Option<TextField> {
        [Scope::Documents, Scope::Passages]
            .into_iter()
            .flat_map(|s| self.text_fields(s))
            .find(|t| t.sv == sv)
    }
}

/// The number of a document type in the `type_code` fast field.
pub fn type_code(t: DocType) -> u64 {
    DocType::ALL.iter().position(|x| *x == t).unwrap_or(0) as u64
}

/// What the ranking's factors read of an entry in one byte: its `goal_bits` (four goal areas, bits 0–3),
/// its `type_code` (bits 4–6; 7 for a code beyond them) and whether it is off the topic (bit 7).
pub(crate) fn rank_byte(type_code: u64, goal_bits: u64, off_topic: bool) -> u8 {
    let type_code = type_code.min(7) as u8;
    (goal_bits & 0x0f) as u8 | type_code << 4 | u8::from(off_topic) << 7
}

/// The type code, goal bits and off-topic flag of a [`rank_byte`].
pub(crate) fn unpack_rank_byte(b: u8) -> (u64, u64, bool) {
    (u64::from(b >> 4 & 7), u64::from(b & 0x0f), b >> 7 == 1)
}

/// The `goal_bits` value of a set of goals.
pub fn goal_bits(goals: &[Goal]) -> u64 {
    goals
        .iter()
        .filter_map(|g| Goal::ALL.iter().position(|x| x == g))
        .fold(0, |bits, i| bits | (1 << i))
}

fn text_options(analyzer: &str) -> TextOptions {
    unstored_text(analyzer).set_stored()
}

fn unstored_text(analyzer: &str) -> TextOptions {
    indexed_text(analyzer, IndexRecordOption::WithFreqsAndPositions)
}

fn indexed_text(analyzer: &str, option: IndexRecordOption) -> TextOptions {
    let indexing = TextFieldIndexing::default()
        .set_tokenizer(analyzer)
        .set_index_option(option);
    TextOptions::default().set_indexing_options(indexing)
}

/// How the long whole-word fields (`body`, `text`) are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LongText {
    /// Indexed with positions: phrases are matched in them (compounds not split).
    Positions,
    /// Indexed with frequencies only: phrases are matched in their `*_parts` and `*_pairs`
    /// shadows (compounds split; a tenth of the build time, 5 % of the size at 1M passages).
    Freqs,
    /// Stored only: their `*_parts` shadows hold every whole word too and are searched
    /// instead (compounds split with `whole_words_twice`; their postings were written and
    /// merged but never read).
    Stored,
}

/// Builds the schema, the long whole-word fields kept as `long` says.
pub fn build(long: LongText) -> (Schema, Fields) {
    let long_text = |analyzer| match long {
        LongText::Positions => text_options(analyzer),
        LongText::Freqs => indexed_text(analyzer, IndexRecordOption::WithFreqs).set_stored(),
        LongText::Stored => TextOptions::default().set_stored(),
    };
    let mut b = Schema::builder();
    // Facets are read from their columns (the facet tables); only the goals are read back
    // from a stored passage (its goal areas in measures and the document view).
    let facet = || FacetOptions::default();
    let stored_facet = || FacetOptions::default().set_stored();
    let fields = Fields {
        kind: b.add_text_field("kind", STRING | STORED),
        doc_id: b.add_text_field("doc_id", STRING | STORED),
        passage_no: b.add_u64_field("passage_no", STORED),
        content_hash: b.add_text_field("content_hash", STRING | STORED),
        title: b.add_text_field("title", text_options(SV)),
        title_en: b.add_text_field("title_en", text_options(EN)),
        heading: b.add_text_field("heading", text_options(SV)),
        heading_en: b.add_text_field("heading_en", text_options(EN)),
        text: b.add_text_field("text", long_text(SV)),
        text_en: b.add_text_field("text_en", text_options(EN)),
        body: b.add_text_field("body", long_text(SV)),
        body_en: b.add_text_field("body_en", text_options(EN)),
        title_parts: b.add_text_field("title_parts", unstored_text(SV_PARTS)),
        heading_parts: b.add_text_field("heading_parts", unstored_text(SV_PARTS)),
        text_parts: b.add_text_field("text_parts", unstored_text(SV_PARTS)),
        body_parts: b.add_text_field("body_parts", unstored_text(SV_PARTS)),
        text_pairs: b.add_text_field("text_pairs", unstored_text(SV_PAIRS)),
        body_pairs: b.add_text_field("body_pairs", unstored_text(SV_PAIRS)),
        words: b.add_text_field(
            "words",
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(WORDS)
                    .set_index_option(IndexRecordOption::Basic),
            ),
        ),
        page: b.add_u64_field("page", STORED),
        region: b.add_facet_field("region", facet()),
        goal: b.add_facet_field("goal", stored_facet()),
        doc_type: b.add_facet_field("type", facet()),
        org: b.add_facet_field("org", facet()),
        lang: b.add_facet_field("lang", facet()),
        year: b.add_facet_field("year", facet()),
        period_start: b.add_u64_field("period_start", INDEXED | FAST),
        period_end: b.add_u64_field("period_end", INDEXED | FAST),
        type_code: b.add_u64_field("type_code", FAST),
        goal_bits: b.add_u64_field("goal_bits", FAST),
        // Also a fast column: a page of hits reads its metadata without the stored documents,
        // whose bodies are the longest texts of the index.
        meta: b.add_text_field("meta", TextOptions::default().set_stored().set_fast("raw")),
        entry_order: Some(b.add_u64_field(ENTRY_ORDER, FAST)),
        simhash: Some(b.add_u64_field(SIMHASH, FAST)),
        topic: Some(b.add_facet_field("topic", facet())),
        long_texts_indexed: long != LongText::Stored,
    };
    (b.build(), fields)
}
/// Resolves the fields of an opened index's schema.
pub fn fields_of(schema: &Schema) -> tantivy::Result<Fields> {
    let f = |name: &str| schema.get_field(name);
    Ok(Fields {
        kind: f("kind")?,
        doc_id: f("doc_id")?,
        passage_no: f("passage_no")?,
        content_hash: f("content_hash")?,
        title: f("title")?,
        title_en: f("title_en")?,
        heading: f("heading")?,
        heading_en: f("heading_en")?,
        text: f("text")?,
        text_en: f("text_en")?,
        body: f("body")?,
        body_en: f("body_en")?,
        title_parts: f("title_parts")?,
        heading_parts: f("heading_parts")?,
        text_parts: f("text_parts")?,
        body_parts: f("body_parts")?,
        text_pairs: f("text_pairs")?,
        body_pairs: f("body_pairs")?,
        words: f("words")?,
        page: f("page")?,
        region: f("region")?,
        goal: f("goal")?,
        doc_type: f("type")?,
        org: f("org")?,
        lang: f("lang")?,
        year: f("year")?,
        period_start: f("period_start")?,
        period_end: f("period_end")?,
        type_code: f("type_code")?,
        goal_bits: f("goal_bits")?,
        meta: f("meta")?,
        entry_order: f(ENTRY_ORDER).ok(),
        simhash: f(SIMHASH).ok(),
        topic: f("topic").ok(),
        long_texts_indexed: schema.get_field_entry(f("body")?).is_indexed(),
    })
}
