//! Classification: extracted text → a [`Document`] with region, municipality, organisation,
//! plan period, goal areas (per passage and per document), type and passages.
//!
//! Owns the rules that turn text into the taxonomy of `docs/api.md`; the rules and word lists
//! live in `config/classify.toml`, `config/regions.toml` and `config/goals.toml` (the goal
//! vocabulary, in `plansok_model::goals`), and the language rules of `config/extract.toml`.
//! Submodules: [`period`] picks the plan period, [`region`] the county, municipality and
//! publisher, [`doctype`] the document type, [`passages`] cuts the text into passages.

mod config;
pub mod doctype;
mod hosts;
pub mod passages;
pub mod period;
pub mod region;
pub mod topic;
mod town;

pub use config::ClassifyConfig;

use plansok_extract::config::LanguageRules;
use plansok_extract::{Extracted, Format};
use plansok_model::goals::{GoalRules, GoalScorer};
use plansok_model::{ConfigError, DocType, Document, SourceMeta, Taxonomy};

/// Errors loading the classifier.
#[derive(Debug, thiserror::Error)]
pub enum ClassifyError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("invalid classification rules: {0}")]
    Rules(String),
}

/// Everything known about one source before classification.
#[derive(Debug, Clone)]
pub struct Source<'a> {
    pub extracted: &'a Extracted,
    pub format: Format,
    /// Where the file was read from (used for the id when there is no URL).
    pub path: Option<&'a str>,
    pub meta: &'a SourceMeta,
    /// blake3 of the source bytes.
    pub content_hash: &'a str,
}

/// The loaded rules and taxonomy.
pub struct Classifier {
    cfg: ClassifyConfig,
    language: LanguageRules,
    regions: region::RegionMatcher,
    goals: GoalScorer,
}

impl Classifier {
    /// Loads `classify.toml`, `regions.toml`, `goals.toml` and the language rules of
    /// `extract.toml` (override directory first, else embedded).
    pub fn load() -> Result<Self, ClassifyError> {
        Self::new(
            ClassifyConfig::load()?,
            Taxonomy::load()?,
            &GoalRules::load()?,
            plansok_extract::ExtractConfig::load()?.language,
        )
    }

    /// A classifier of these rules.
    pub fn new(
        cfg: ClassifyConfig,
        taxonomy: Taxonomy,
        goals: &GoalRules,
        language: LanguageRules,
    ) -> Result<Self, ClassifyError> {
        let regions = region::RegionMatcher::new(taxonomy, cfg.organisation.clone())?;
        let goals = GoalScorer::new(goals);
        Ok(Classifier {
            cfg,
            language,
            regions,
            goals,
        })
    }

    pub fn taxonomy(&self) -> &Taxonomy {
        self.regions.taxonomy()
    }

    /// Classifies one source.
    pub fn classify(&self, src: &Source) -> Document {
        let ex = src.extracted;
        let url = src.meta.url.clone();
        let title = src
            .meta
            .title
            .clone()
            .or_else(|| ex.title.clone())
            .unwrap_or_else(|| src.path.map(file_stem).unwrap_or_default());
        let body = ex.body();
        let place = self.regions.classify(&region::Evidence {
            url: url.as_deref(),
            title: &title,
            body: &body,
            signals: &ex.signals,
            meta: src.meta,
        });
        let mut passages = passages::build(&ex.blocks, &self.goals);
        for p in &mut passages {
            // Short passages cannot be told apart reliably: they keep the document's language.
            p.lang = plansok_extract::lang::detect(&self.language, &p.text, Some(&ex.lang));
        }
        let zone = doctype::title_zone(&self.cfg.doctype, &title, &ex.blocks);
        let on_topic = topic::on_topic(&self.cfg.topic, &ex.lang, &title, &body);
        let goals = self.goals_of(on_topic, &mut passages, &title, &body);
        let doc_type = doctype::classify(
            &self.cfg.doctype,
            src.format,
            src.meta.url.as_deref(),
            &zone,
            &body,
        );
        // A text that only shares the field's words is no plan of the field, whatever it is:
        // its type is `annat` and it has no plan period. A page that is not a plan names a plan's
        // period as a range; its single years are dates and statistics.
        let doc_type = if on_topic { doc_type } else { DocType::Annat };
        let plan = doc_type.is_plan();
        // A newspaper's or a party's report of a plan, and a report or guide, are not the plan:
        // their years are what they report on. An organisation's own news of its plan names the
        // plan's period (the seeds), as does its topic page.
        let reported = match doc_type {
            DocType::Nyhet => url
                .as_deref()
                .is_some_and(|u| hosts::on_hosts(&self.cfg.doctype.news_hosts, u)),
            DocType::Kunskapsstod => true,
            _ => false,
        };
        let period = match (on_topic && !reported, plan) {
            (false, _) => None,
            (true, true) => period::pick(&self.cfg.period, &zone, &body),
            (true, false) => period::pick_range(&self.cfg.period, &zone, &body),
        };
        Document {
            id: document_id(url.as_deref(), src.path),
            url,
            path: src.path.map(str::to_string),
            period,
            doc_type,
            on_topic,
            title,
            region: place.county,
            municipality: place.municipality,
            organisation: place.organisation,
            goals,
            lang: ex.lang.clone(),
            published: src.meta.published.clone().or_else(|| ex.published.clone()),
            content_hash: src.content_hash.to_string(),
            body,
            passages,
            pages: ex.pages,
        }
    }
}

impl Classifier {
    /// The goal areas of a document: those of its passages and those its whole text deals
    /// with. A text off the topic deals with none of the strategy's goals, whatever its words
    /// (a workplace's "hot och våld", a climate plan): it and its passages get none.
    fn goals_of(
        &self,
        on_topic: bool,
        passages: &mut [plansok_model::Passage],
        title: &str,
        body: &str,
    ) -> Vec<plansok_model::Goal> {
        if !on_topic {
            for p in passages.iter_mut() {
                p.goals.clear();
            }
            return Vec::new();
        }
        let mut goals: Vec<_> = passages
            .iter()
            .flat_map(|p| p.goals.iter().copied())
            .chain(self.goals.document_goals(&format!("{title}\n{body}")))
            .collect();
        goals.sort_unstable();
        goals.dedup();
        goals
    }
}

/// The stable id of a source: blake3 of its URL, else of its path (hex, 16 characters).
pub fn document_id(url: Option<&str>, path: Option<&str>) -> String {
    let key = url.or(path).unwrap_or("");
    blake3::hash(key.as_bytes()).to_hex()[..16].to_string()
}

fn file_stem(path: &str) -> String {
    std::path::Path::new(path)
        .file_stem()
        .map(|s| s.to_string_lossy().replace(['_', '-'], " "))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use plansok_extract::{extract, ExtractConfig, Hints};

    #[test]
    fn an_english_section_of_a_swedish_page_gets_its_own_language() {
        let html = "<html lang=sv><body><main><h1>Mäns våld mot kvinnor i länet</h1>\
            <p>Länsstyrelsen samordnar arbetet mot mäns våld mot kvinnor och stödjer kommunerna i deras arbete med att förebygga våld i nära relationer.</p>\
            <h2>In English</h2><p>The county administrative board coordinates the regional work to prevent men's violence against women and supports the municipalities.</p>\
            </main></body></html>";
        let ex = extract(
            &ExtractConfig::load().unwrap(),
            html.as_bytes(),
            Format::Html,
            &Hints::default(),
        )
        .unwrap();
        let meta = SourceMeta::default();
        let doc = Classifier::load().unwrap().classify(&Source {
            extracted: &ex,
            format: Format::Html,
            path: None,
            meta: &meta,
            content_hash: "x",
        });
        assert_eq!(doc.lang, "sv");
        let langs: Vec<&str> = doc.passages.iter().map(|p| p.lang.as_str()).collect();
        assert_eq!(langs, ["sv", "en"]);
    }

    /// An HTML page at `url`, classified.
    fn page(url: &str, html: &str) -> Document {
        let ex = extract(
            &ExtractConfig::load().unwrap(),
            html.as_bytes(),
            Format::Html,
            &Hints::default(),
        )
        .unwrap();
        let meta = SourceMeta {
            url: Some(url.into()),
            ..SourceMeta::default()
        };
        Classifier::load().unwrap().classify(&Source {
            extracted: &ex,
            format: Format::Html,
            path: None,
            meta: &meta,
            content_hash: "x",
        })
    }

    #[test]
    fn a_mirror_host_s_copy_is_the_county_its_text_names() {
        let doc = page(
            "https://docplayer.se/123-handlingsplan.html",
            "<html><body><main><p>Ladda ner Spara denna PDF</p><h1>Handlingsplan mot våld i nära \
             relationer 2020–2023</h1><p>Antagen av kommunfullmäktige i Ljusdals kommun. \
             Socialförvaltningen i Ljusdals kommun ansvarar för att våldsutsatta får stöd och \
             skyddat boende.</p></main></body></html>",
        );
        assert_eq!(doc.region.as_deref(), Some("Gävleborgs län"));
        assert_eq!(doc.municipality.as_deref(), Some("Ljusdals kommun"));
        assert_eq!(doc.doc_type, DocType::Handlingsplan);
    }

    #[test]
    fn a_news_item_is_the_municipality_of_the_town_it_is_about() {
        let doc = page(
            "https://www.dt.se/artikel/jouren-flyttar.html",
            "<html><body><main><h1>Kvinnojouren i Falun flyttar</h1><p>Jouren i Falun får              större lokaler och kan ta emot fler våldsutsatta kvinnor, berättar ordföranden.              Även Borlänge har fått fler platser i skyddat boende.</p></main></body></html>",
        );
        assert_eq!(doc.region.as_deref(), Some("Dalarnas län"));
        assert_eq!(doc.municipality.as_deref(), Some("Falu kommun"));
        assert_eq!(
            doc.organisation, None,
            "the newspaper, not the municipality, published it"
        );
        // The town in the URL path counts when the text names it too.
        let doc = page(
            "https://www.nt.se/nyheter/motala/artikel/plan.html",
            "<html><body><main><h1>Ny plan mot våld i nära relationer</h1><p>Kommunen i              Motala har antagit en plan för stöd till våldsutsatta.</p></main></body></html>",
        );
        assert_eq!(doc.municipality.as_deref(), Some("Motala kommun"));
    }

    #[test]
    fn a_county_s_news_item_listing_towns_is_no_municipality_s() {
        // Several towns, none leading: the county's, not one municipality's.
        let doc = page(
            "https://sverigesradio.se/artikel/jourerna.html",
            "<html><body><main><h1>Länsstyrelsen fördelar pengar till jourerna i Uppsala län             </h1><p>Jourerna i Enköping, Tierp och Östhammar får mer pengar för stöd till              våldsutsatta kvinnor.</p></main></body></html>",
        );
        assert_eq!(doc.region.as_deref(), Some("Uppsala län"));
        assert_eq!(doc.municipality, None);
        // And a county administrative board's own page never takes a town from its text.
        let doc = page(
            "https://www.lansstyrelsen.se/dalarna/nyheter/x.html",
            "<html><body><main><h1>Kvinnojouren i Falun får medel</h1><p>Länsstyrelsen              fördelar medel till jouren i Falun mot mäns våld mot kvinnor.</p></main></body></html>",
        );
        assert_eq!(doc.region.as_deref(), Some("Dalarnas län"));
        assert_eq!(doc.municipality, None);
    }

    #[test]
    fn a_national_page_that_names_a_city_is_no_county_s() {
        let doc = page(
            "https://www.socialstyrelsen.se/kunskapsstod/vald.html",
            "<html><body><main><h1>Stöd till våldsutsatta</h1><p>En studie i Malmö och Umeå \
             visar hur socialtjänsten kan ge våldsutsatta kvinnor skyddat boende.</p>\
             </main></body></html>",
        );
        assert_eq!(doc.region, None);
    }

    #[test]
    fn a_news_item_s_dates_and_statistics_years_are_no_period() {
        let doc = page(
            "https://www.allehanda.se/artikel/samordnare.html",
            "<html><body><main><h1>Kommunen anställer samordnare mot våld</h1><p>Publicerad \
             2025-02-03. Under 2023 anmäldes fler fall av våld i nära relationer än 2022, och \
             sedan 2015 har kvinnojouren tagit emot fler samtal.</p></main></body></html>",
        );
        assert_eq!(doc.doc_type, DocType::Nyhet);
        assert_eq!(doc.period, None);
    }

    #[test]
    fn a_norwegian_plan_is_not_swedish_and_not_on_topic() {
        let doc = page(
            "https://www.bergen.kommune.no/handlingsplan.html",
            "<html><body><main><h1>Handlingsplan mot vold i nære relasjoner 2024–2028</h1><p>\
             Kommunen skal styrke arbeidet mot vold i nære relasjoner, og alle ansatte skal vite \
             hvordan de kan hjelpe barn som lever med vold hjemme. Krisesenteret gir beskyttelse \
             og støtte til kvinner som er utsatt for vold.</p></main></body></html>",
        );
        assert_eq!(doc.lang, "other");
        assert!(!doc.on_topic);
        assert!(doc.goals.is_empty(), "an off-topic text has no goal area");
        assert!(doc.passages.iter().all(|p| p.goals.is_empty()));
        assert_eq!((doc.doc_type, doc.period), (DocType::Annat, None));
    }
}
