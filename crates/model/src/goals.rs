//! The goal vocabulary: the goal areas of the national strategy and the words that name them
//! (`config/goals.toml`), and scoring text against it ([`GoalScorer`]). Classification gives
//! passages their goal areas with it; a search reads the goal areas a query's words name.

use serde::Deserialize;

use crate::config::{load_toml, ConfigError};
use crate::words::{tokens, Keyword};
use crate::Goal;

const EMBEDDED: &str = include_str!("../../../config/goals.toml");

/// The words of one goal area.
#[derive(Debug, Clone, Deserialize)]
pub struct GoalWordList {
    pub slug: String,
    pub strong: Vec<String>,
    pub weak: Vec<String>,
}

/// The goal vocabulary and its thresholds (`config/goals.toml`).
#[derive(Debug, Clone, Deserialize)]
pub struct GoalRules {
    pub threshold: f32,
    pub threshold_per_words: f32,
    /// A whole document deals with a goal area when its words score this much over the text.
    /// (Default for override files written before it: the shipped 3.)
    #[serde(default = "document_threshold")]
    pub document_threshold: f32,
    /// A document of more than 300 words needs one more point per this many words beyond
    /// (0: no more), so that a long plan's passing mentions do not give it every goal area.
    #[serde(default)]
    pub document_threshold_per_words: f32,
    pub goal: Vec<GoalWordList>,
}

fn document_threshold() -> f32 {
    3.0
}

impl GoalRules {
    /// Loads `goals.toml` (override directory first, else the embedded default).
    pub fn load() -> Result<Self, ConfigError> {
        load_toml("goals.toml", EMBEDDED)
    }
}

struct GoalWords {
    goal: Goal,
    strong: Vec<Keyword>,
    weak: Vec<Keyword>,
}

/// Scores text against each goal's strong (2) and weak (1) keywords.
pub struct GoalScorer {
    goals: Vec<GoalWords>,
    threshold: f32,
    per_words: f32,
    document_threshold: f32,
    document_per_words: f32,
}

impl GoalScorer {
    pub fn new(rules: &GoalRules) -> Self {
        let goals = rules
            .goal
            .iter()
            .filter_map(|g| {
                Some(GoalWords {
                    goal: Goal::from_slug(&g.slug)?,
                    strong: g.strong.iter().map(|w| Keyword::new(w)).collect(),
                    weak: g.weak.iter().map(|w| Keyword::new(w)).collect(),
                })
            })
            .collect();
        GoalScorer {
            goals,
            threshold: rules.threshold,
            per_words: rules.threshold_per_words.max(1.0),
            document_threshold: rules.document_threshold,
            document_per_words: rules.document_threshold_per_words,
        }
    }

    fn scores(&self, toks: &[String]) -> Vec<(Goal, f32)> {
        self.goals
            .iter()
            .map(|g| {
                let strong: usize = g.strong.iter().map(|k| k.count(toks)).sum();
                let weak: usize = g.weak.iter().map(|k| k.count(toks)).sum();
                (g.goal, 2.0 * strong as f32 + weak as f32)
            })
            .collect()
    }

    /// Goals of a heading: those reaching the plain threshold, or else the single best one
    /// when it has a strong word.
    pub fn heading_goals(&self, heading: &str) -> Vec<Goal> {
        let toks = tokens(heading);
        self.scores(&toks)
            .into_iter()
            .filter(|(_, s)| *s >= self.threshold)
            .map(|(g, _)| g)
            .collect()
    }

    /// Goals a whole document deals with, though no one passage says enough: a page of short
    /// paragraphs that speaks of training here and of method support there. An agency's name
    /// ("Polismyndigheten", "Åklagarmyndigheten") names a partner, not what the text deals with,
    /// so it is not read here.
    pub fn document_goals(&self, text: &str) -> Vec<Goal> {
        let toks: Vec<String> = tokens(text)
            .into_iter()
            .filter(|t| !t.ends_with("myndigheten") && !t.ends_with("myndighet"))
            .collect();
        let beyond = toks.len().saturating_sub(300) as f32;
        let need = if self.document_per_words > 0.0 {
            self.document_threshold + beyond / self.document_per_words
        } else {
            self.document_threshold
        };
        self.scores(&toks)
            .into_iter()
            .filter(|(_, s)| *s >= need)
            .map(|(g, _)| g)
            .collect()
    }

    /// Goals of a passage's own text; longer text needs more evidence.
    pub fn text_goals(&self, text: &str) -> Vec<Goal> {
        let toks = tokens(text);
        let need = self.threshold + toks.len().saturating_sub(60) as f32 / self.per_words;
        self.scores(&toks)
            .into_iter()
            .filter(|(_, s)| *s >= need)
            .map(|(g, _)| g)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scorer() -> GoalScorer {
        GoalScorer::new(&GoalRules::load().unwrap())
    }

    #[test]
    fn the_four_strategy_goals_are_recognised() {
        let s = scorer();
        assert_eq!(
            s.text_goals("Ett utökat och verkningsfullt förebyggande arbete mot våld."),
            [Goal::Forebyggande]
        );
        assert_eq!(
            s.text_goals("Förbättrad upptäckt av våld och starkare skydd och stöd för våldsutsatta kvinnor och barn."),
            [Goal::SkyddOchStod]
        );
        assert_eq!(
            s.text_goals("Effektivare brottsbekämpning."),
            [Goal::Brottsbekampning]
        );
        assert_eq!(
            s.text_goals("Förbättrad kunskap och metodutveckling."),
            [Goal::KunskapOchMetod]
        );
    }

    #[test]
    fn a_whole_page_deals_with_what_its_short_paragraphs_share() {
        let s = scorer();
        let page = "Utbildningar om våld. Vi erbjuder en grundkurs för nyanställda. \
                    Webbutbildningen tar tre timmar. Anmälan stänger två veckor före.";
        assert!(s
            .text_goals("Vi erbjuder en grundkurs för nyanställda.")
            .is_empty());
        assert_eq!(s.document_goals(page), [Goal::KunskapOchMetod]);
        // Partners named by their agencies are not law enforcement work.
        let partners = "Parterna är Polismyndigheten, Åklagarmyndigheten och Kriminalvården. \
                        Polisen deltar i nätverket.";
        assert!(!s.document_goals(partners).contains(&Goal::Brottsbekampning));
        // A long plan's three passing mentions are not what it deals with.
        let long = format!(
            "{} Vi erbjuder en grundkurs, en webbutbildning och en uppföljning.",
            "Planen beskriver hur förvaltningarna samverkar i länet. ".repeat(300)
        );
        assert!(!s.document_goals(&long).contains(&Goal::KunskapOchMetod));
    }

    #[test]
    fn unrelated_text_has_no_goal() {
        assert!(scorer()
            .text_goals("Ledningsgruppen sammanträder fyra gånger per år i Östersund.")
            .is_empty());
    }
}
