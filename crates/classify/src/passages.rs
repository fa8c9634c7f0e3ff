//! Passages: a heading's section (split when long) and each list item, with goals and page.

use plansok_extract::{Block, BlockKind};
use plansok_model::{Goal, Passage, PassageKind};

use plansok_model::goals::GoalScorer;

/// Sections longer than this (characters) are split at paragraph boundaries.
const MAX_SECTION_CHARS: usize = 1500;

struct Section {
    heading: Option<String>,
    heading_goals: Vec<Goal>,
    text: String,
    page: Option<u32>,
}

/// Cuts blocks into passages. Every passage gets the goals of the heading it stands under
/// and those its own text earns.
pub fn build(blocks: &[Block], scorer: &GoalScorer) -> Vec<Passage> {
    let mut out = Vec::new();
    let mut sec = Section {
        heading: None,
        heading_goals: Vec::new(),
        text: String::new(),
        page: None,
    };
    for b in blocks {
        match b.kind {
            BlockKind::Heading(_) => {
                emit_section(&mut sec, scorer, &mut out);
                sec.heading_goals = scorer.heading_goals(&b.text);
                sec.heading = Some(b.text.clone());
                sec.page = b.page;
            }
            BlockKind::ListItem => {
                out.push(passage(
                    PassageKind::Item,
                    &sec,
                    b.text.clone(),
                    b.page,
                    scorer,
                ));
            }
            BlockKind::Paragraph => {
                if sec.text.len() + b.text.len() > MAX_SECTION_CHARS && !sec.text.is_empty() {
                    emit_section(&mut sec, scorer, &mut out);
                }
                if sec.text.is_empty() {
                    sec.page = b.page.or(sec.page);
                } else {
                    sec.text.push_str("\n\n");
                }
                sec.text.push_str(&b.text);
            }
        }
    }
    emit_section(&mut sec, scorer, &mut out);
    out
}

fn emit_section(sec: &mut Section, scorer: &GoalScorer, out: &mut Vec<Passage>) {
    if !sec.text.is_empty() {
        let text = std::mem::take(&mut sec.text);
        out.push(passage(PassageKind::Section, sec, text, sec.page, scorer));
    }
}

fn passage(
    kind: PassageKind,
    sec: &Section,
    text: String,
    page: Option<u32>,
    scorer: &GoalScorer,
) -> Passage {
    let mut goals = sec.heading_goals.clone();
    goals.extend(scorer.text_goals(&text));
    goals.sort_unstable();
    goals.dedup();
    Passage {
        kind,
        heading: sec.heading.clone(),
        text,
        page,
        goals,
        section_goals: sec.heading_goals.clone(),
        lang: String::new(),
    }
}
