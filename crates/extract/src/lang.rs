//! Language detection with whatlang, restricted to the configured languages.

use whatlang::{Detector, Lang};

use crate::config::LanguageRules;

/// The ISO 639-1 code of `text`'s language. Detection is restricted to the allowlist (so short
/// Swedish is not taken for Norwegian or Danish); short text falls back to the declared
/// language, else the default.
pub fn detect(rules: &LanguageRules, text: &str, declared: Option<&str>) -> String {
    let declared = declared.map(|d| d.split(['-', '_']).next().unwrap_or(d).to_ascii_lowercase());
    let fallback = declared.clone().unwrap_or_else(|| rules.default.clone());
    if text.split_whitespace().count() < rules.min_words {
        return fallback;
    }
    let allow: Vec<Lang> = rules.allowlist.iter().filter_map(Lang::from_code).collect();
    if allow.is_empty() {
        return fallback;
    }
    // whatlang reads the first part well enough; bound the work on long documents.
    let sample: String = text.chars().take(20_000).collect();
    match Detector::with_allowlist(allow).detect(&sample) {
        Some(info) => iso639_1(info.lang()).unwrap_or(&fallback).to_string(),
        None => fallback,
    }
}

fn iso639_1(lang: Lang) -> Option<&'static str> {
    Some(match lang {
        Lang::Swe => "sv",
        Lang::Eng => "en",
        // Neighbours whose pages share the subject and most words: not Swedish, not analysed.
        Lang::Nob | Lang::Dan => "other",
        Lang::Fin => "fi",
        Lang::Deu => "de",
        Lang::Fra => "fr",
        Lang::Spa => "es",
        Lang::Ara => "ar",
        Lang::Pol => "pl",
        Lang::Pes => "fa",
        Lang::Tur => "tr",
        Lang::Rus => "ru",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> LanguageRules {
        LanguageRules {
            allowlist: vec!["swe".into(), "eng".into()],
            min_words: 10,
            default: "sv".into(),
        }
    }

    #[test]
    fn swedish_and_english_are_told_apart() {
        let sv = "Länsstyrelsen samordnar arbetet regionalt med att förebygga och bekämpa mäns våld mot kvinnor i länet.";
        let en = "The county administrative board coordinates the regional work to prevent and combat men's violence against women.";
        assert_eq!(detect(&rules(), sv, None), "sv");
        assert_eq!(detect(&rules(), en, None), "en");
    }

    #[test]
    fn norwegian_and_danish_are_not_swedish() {
        let rules = LanguageRules {
            allowlist: vec!["swe".into(), "eng".into(), "nob".into(), "dan".into()],
            ..rules()
        };
        let nb = "Kommunen skal styrke arbeidet mot vold i nære relasjoner, og alle ansatte skal vite hvordan de kan hjelpe barn som lever med vold hjemme.";
        let da = "Kommunen vil styrke indsatsen mod vold i nære relationer, og alle medarbejdere skal vide, hvordan de hjælper børn, der lever med vold i hjemmet.";
        let sv = "Kommunen ska stärka arbetet mot våld i nära relationer, och alla anställda ska veta hur de kan hjälpa barn som lever med våld i hemmet.";
        assert_eq!(detect(&rules, nb, None), "other");
        assert_eq!(detect(&rules, da, None), "other");
        assert_eq!(detect(&rules, sv, None), "sv");
    }

    #[test]
    fn short_text_uses_the_declared_language() {
        assert_eq!(detect(&rules(), "Dela sidan", Some("en-GB")), "en");
        assert_eq!(detect(&rules(), "Dela sidan", None), "sv");
    }
}
