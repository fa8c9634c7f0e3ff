//! Whether a text is about the topic (`[topic]` in `config/classify.toml`): men's violence
//! against women and violence in close relationships, not only sharing their words.

use crate::config::TopicRules;
use plansok_model::words::word_starts;

/// True when `title` and `body` (in `lang`) mention the topic often enough.
pub fn on_topic(rules: &TopicRules, lang: &str, title: &str, body: &str) -> bool {
    if !rules.languages.iter().any(|l| l == lang) {
        return false;
    }
    let (title, body) = (title.to_lowercase(), body.to_lowercase());
    let count = |hay: &str| -> usize {
        rules
            .words
            .iter()
            .map(|w| word_starts(hay, &w.to_lowercase()).count())
            .sum()
    };
    count(&title) * rules.title_weight + count(&body) >= rules.min_hits
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ClassifyConfig;

    #[test]
    fn a_plan_against_violence_is_on_topic_and_one_sharing_its_words_is_not() {
        let rules = ClassifyConfig::load().unwrap().topic;
        let plan = "Kommunen ska ge våldsutsatta kvinnor skyddat boende och stöd.";
        assert!(on_topic(
            &rules,
            "sv",
            "Handlingsplan mot våld i nära relationer",
            plan
        ));
        let climate = "Planen beskriver hur kommunen minskar utsläppen och möter värmeböljor.";
        assert!(!on_topic(
            &rules,
            "sv",
            "Handlingsplan för klimatanpassning",
            climate
        ));
        let work = "Rutiner vid hot och våld i arbetet: anmäl varje händelse till chefen.";
        assert!(!on_topic(&rules, "sv", "Hot och våld i arbetet", work));
        // The subject in a language the counties do not publish in.
        assert!(!on_topic(
            &rules,
            "other",
            "Handlingsplan mot vold i nære relasjoner",
            plan
        ));
    }
}
