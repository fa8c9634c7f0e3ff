//! Query-time ranking factors on top of BM25 (`[ranking]` in `config/search.toml`).
//!
//! - A prior per document type, so that news pages do not drown the plans themselves.
//! - A factor for entries in the goal area the query asks for: named by the goal filter, or
//!   recognised in the query's words with the goal vocabulary of `config/goals.toml`
//!   ("förebyggande arbete i skolan" asks for the prevention goal). A passage standing under
//!   that goal's heading (its section's own goal area) then ranks above one that only
//!   mentions the words; for a document, its goal areas count.
//!
//! - A factor for entries of the place the query names ("Skellefteå handlingsplan", "våld
//!   Dalarna"): a researcher who types a county or a municipality means its documents, not
//!   every text that mentions it. Places are read by `Taxonomy::places_in`; an entry's place
//!   is its `region` facet (a county's entry is not boosted for one of its municipalities).
//!
//! - A factor for documents off the topic (they only share its words: a workplace's "hot och
//!   våld", a climate plan), read from the `topic` facet.
//!
//! They read fast fields (`type_code`, `goal_bits`, the `region` and `topic` facets), so
//! changing the factors needs no re-index (an index made before the `topic` facet has every
//! entry on topic until its documents are ingested again).

use std::collections::HashMap;
use std::sync::Arc;

use tantivy::columnar::ColumnValues;
use tantivy::index::SegmentId;
use tantivy::query::{EnableScoring, Query, Weight};
use tantivy::{DocAddress, DocId, Score, Searcher, SegmentOrdinal, SegmentReader};

use crate::config::Ranking;
use crate::facet::ords::ord_values;
use crate::facet::table::Tables;
use crate::facet::top_k::TopStream;
use crate::request::SearchRequest;
use crate::schema;
use crate::searcher::SearchIndex;
use crate::IndexError;
use plansok_model::{DocType, Goal, Taxonomy};
use tantivy::fastfield::FacetReader;

/// The factors of one query.
#[derive(Debug, Clone)]
pub struct Ranker {
    type_prior: [f32; DocType::ALL.len()],
    goal_boost: f32,
    /// `goal_bits` of the goals the query asks for.
    goal_mask: u64,
    place_boost: f32,
    off_topic: f32,
    /// The places the query names: a county's full name, and a municipality's facet name.
    places: Vec<(String, Option<String>)>,
}

impl Ranker {
    pub fn new(cfg: &Ranking, goals: &[Goal]) -> Ranker {
        let mut type_prior = [1.0; DocType::ALL.len()];
        for t in DocType::ALL {
            if let Some(f) = cfg.type_prior.get(t.slug()) {
                type_prior[schema::type_code(t) as usize] = f.max(0.0);
            }
        }
        Ranker {
            type_prior,
            goal_boost: cfg.goal_boost.max(0.0),
            goal_mask: schema::goal_bits(goals),
            place_boost: cfg.place_boost.max(0.0),
            off_topic: cfg.off_topic.max(0.0),
            places: Vec::new(),
        }
    }

    /// The same factors, with entries of `places` (county, municipality) weighed up.
    pub fn with_places(mut self, places: Vec<(String, Option<String>)>) -> Ranker {
        self.places = places;
        self
    }

    /// The places the query names, when they weigh anything.
    pub(crate) fn places(&self) -> &[(String, Option<String>)] {
        if self.place_boost == 1.0 {
            &[]
        } else {
            &self.places
        }
    }

    /// The factor of an entry on the topic or off it.
    pub(crate) fn topic_factor(&self, off_topic: bool) -> f32 {
        if off_topic {
            self.off_topic
        } else {
            1.0
        }
    }

    /// The factor of an entry in a named place or not.
    pub(crate) fn place_factor(&self, in_place: bool) -> f32 {
        if in_place {
            self.place_boost
        } else {
            1.0
        }
    }

    /// The factors of a request: the goal areas of its goal filter (valid slugs) and those its
    /// words name, and the places its words name.
    pub fn for_request(index: &SearchIndex, tax: &Taxonomy, req: &SearchRequest) -> Ranker {
        let mut goals: Vec<Goal> = req
            .goals
            .iter()
            .filter_map(|g| Goal::from_slug(g))
            .collect();
        // Places and goal areas from what the query asks for, not from what it excludes.
        let asked = crate::query::rewrite::without_exclusions(&req.query);
        goals.extend(index.query_goals(&asked));
        let places = tax
            .places_in(&asked)
            .into_iter()
            .map(|r| {
                (
                    r.county.name.clone(),
                    r.municipality.map(|m| m.display_name()),
                )
            })
            .collect();
        Ranker::new(&index.config().ranking, &goals).with_places(places)
    }

    /// The factor of an entry with this type code and goal bits.
    pub fn factor(&self, type_code: u64, goal_bits: u64) -> f32 {
        let prior = self
            .type_prior
            .get(type_code as usize)
            .copied()
            .unwrap_or(1.0);
        let goal = if self.goal_mask & goal_bits != 0 {
            self.goal_boost
        } else {
            1.0
        };
        prior * goal
    }

    /// The best `limit` entries of `query` from `offset`, by BM25 score times the factors
    /// (each entry's type, goal areas and topic read from `ranks` where it has the segment,
    /// else from the segment's columns). Entries of equal score come in the order of their
    /// documents' ids ([`tie_key`](crate::facet::top_k::tie_key)), then of their place in the
    /// segment (a document's passages in their order): the same corpus ranks the same whatever
    /// segments and doc ids an ingest gave it.
    pub(crate) fn top_entries(
        &self,
        searcher: &Searcher,
        tables: &Tables,
        ranks: &RankBytes,
        query: &dyn Query,
        limit: usize,
        offset: usize,
    ) -> Result<Vec<(Score, DocAddress)>, IndexError> {
        let weight = query.weight(EnableScoring::enabled_from_searcher(searcher))?;
        let mut top = TopStream::new(limit.saturating_add(offset));
        let tables_of = tables.by_ordinal(searcher)?;
        let tie = |addr: DocAddress| tables_of[addr.segment_ord as usize].entry_tie(addr.doc_id);
        for (ord, segment) in searcher.segment_readers().iter().enumerate() {
            let ord = ord as SegmentOrdinal;
            match ranks.get(&segment.segment_id()) {
                // The common case, a lookup the walk's loop inlines: factors from the rank
                // bytes, no place named.
                Some(bytes) if self.places().is_empty() => {
                    let factors = self.byte_factors();
                    walk_segment(&*weight, segment, ord, &mut top, &tie, |doc, score| {
                        score
                            * bytes
                                .get(doc as usize)
                                .map_or(1.0, |&b| factors[b as usize])
                    })?;
                }
                bytes => {
                    let factored = self.scorer_with(segment, bytes.cloned());
                    walk_segment(&*weight, segment, ord, &mut top, &tie, factored)?;
                }
            }
        }
        Ok(top
            .into_sorted(tie)
            .into_iter()
            .skip(offset)
            .map(|c| (c.score, c.addr))
            .collect())
    }

    /// The score of an entry of `segment`: its BM25 score times its factors.
    pub fn scorer(&self, segment: &SegmentReader) -> impl Fn(DocId, Score) -> Score + 'static {
        self.scorer_with(segment, None)
    }

    /// [`scorer`](Self::scorer), with each entry's type, goal areas and topic read from `ranks`
    /// (every entry's [`schema::rank_byte`]) when given, else from the segment's columns.
    pub(crate) fn scorer_with(
        &self,
        segment: &SegmentReader,
        ranks: Option<Arc<Vec<u8>>>,
    ) -> impl Fn(DocId, Score) -> Score + 'static {
        let base = match ranks {
            Some(ranks) => Base::Bytes {
                ranks,
                factors: Box::new(self.byte_factors()),
            },
            None => Base::Columns(self.columns(segment)),
        };
        let places = self.place_ords(segment);
        let ranker = self.clone();
        move |doc: DocId, score: Score| {
            let in_place = places.as_ref().is_some_and(|(reader, ords)| {
                reader
                    .facet_ords(doc)
                    .next()
                    .is_some_and(|o| ords.contains(&o))
            });
            score * base.factor(&ranker, doc) * ranker.place_factor(in_place)
        }
    }

    /// The factors of type, goal areas and topic of every [`schema::rank_byte`].
    fn byte_factors(&self) -> [f32; 256] {
        std::array::from_fn(|b| {
            let (type_code, goals, off_topic) = schema::unpack_rank_byte(b as u8);
            self.factor(type_code, goals) * self.topic_factor(off_topic)
        })
    }

    /// The columns the factors of type, goal areas and topic are read from in `segment`.
    fn columns(&self, segment: &SegmentReader) -> Columns {
        let column = |name: &str| {
            segment
                .fast_fields()
                .u64(name)
                .ok()
                .map(|c| c.first_or_default_col(0))
        };
        Columns {
            types: column("type_code"),
            goals: column("goal_bits"),
            off: self.off_topic_ord(segment),
        }
    }

    /// The `topic` facet's ordinal of "off" in `segment`, with the reader to look entries up
    /// in; `None` when the factor is 1 or the segment has no off-topic entry.
    fn off_topic_ord(&self, segment: &SegmentReader) -> Option<(FacetReader, u64)> {
        if self.off_topic == 1.0 {
            return None;
        }
        let (reader, ords) = facet_ords(segment, "topic", |path| {
            path == ["topic", schema::topic_value(false)]
        })?;
        let ord = *ords.first()?;
        Some((reader, ord))
    }

    /// The `region` facet ordinals of `segment` that lie in a named place (a county's and
    /// each of its municipalities' for a county), with the reader to look entries up in.
    fn place_ords(&self, segment: &SegmentReader) -> Option<(FacetReader, Vec<u64>)> {
        if self.places().is_empty() {
            return None;
        }
        let places: Vec<Vec<&str>> = self
            .places()
            .iter()
            .map(|(county, m)| {
                let mut p = vec!["region", county.as_str()];
                p.extend(m.as_deref());
                p
            })
            .collect();
        // A place's facet or one under it (a county's municipalities).
        facet_ords(segment, "region", |path| {
            places.iter().any(|p| path.starts_with(p))
        })
    }
}

/// Offers every live match of `weight` in `segment` (ordinal `ord`) to `top`, its BM25 score
/// times its factors (`factored`); generic over `factored`, so that the walk's loop inlines it.
fn walk_segment(
    weight: &dyn Weight,
    segment: &SegmentReader,
    ord: SegmentOrdinal,
    top: &mut TopStream,
    tie: &impl Fn(DocAddress) -> u64,
    factored: impl Fn(DocId, Score) -> Score,
) -> tantivy::Result<()> {
    let alive = segment.alive_bitset();
    weight.for_each(segment, &mut |doc, score| {
        if alive.is_some_and(|a| a.is_deleted(doc)) {
            return;
        }
        top.push(factored(doc, score), DocAddress::new(ord, doc), tie);
    })
}

/// Per segment, every entry's [`schema::rank_byte`] ([`crate::facet::table::Tables::rank_bytes`]).
pub(crate) type RankBytes = HashMap<SegmentId, Arc<Vec<u8>>>;

/// Where the factors of type, goal areas and topic come from.
enum Base {
    Bytes {
        ranks: Arc<Vec<u8>>,
        factors: Box<[f32; 256]>,
    },
    Columns(Columns),
}

/// The columns of a segment that hold an entry's type, goal areas and topic.
struct Columns {
    types: Option<Arc<dyn ColumnValues<u64>>>,
    goals: Option<Arc<dyn ColumnValues<u64>>>,
    off: Option<(FacetReader, u64)>,
}

impl Base {
    #[inline]
    fn factor(&self, ranker: &Ranker, doc: DocId) -> f32 {
        match self {
            Base::Bytes { ranks, factors } => ranks
                .get(doc as usize)
                .map_or(1.0, |&b| factors[b as usize]),
            Base::Columns(c) => {
                let t = c.types.as_ref().map_or(0, |c| c.get_val(doc));
                let g = c.goals.as_ref().map_or(0, |c| c.get_val(doc));
                let off_topic = c
                    .off
                    .as_ref()
                    .is_some_and(|(reader, ord)| reader.facet_ords(doc).next() == Some(*ord));
                ranker.factor(t, g) * ranker.topic_factor(off_topic)
            }
        }
    }
}

/// The ordinals of `field`'s facets in `segment` whose path (`["region", "Dalarnas län"]`)
/// `keep` accepts, with the reader to look entries up in; `None` when the segment has no such
/// field. The facet dictionary is read in one pass ([`ord_values`]), not looked up ordinal by
/// ordinal (each lookup decodes its dictionary block from its start).
fn facet_ords(
    segment: &SegmentReader,
    field: &str,
    keep: impl Fn(&[&str]) -> bool,
) -> Option<(FacetReader, Vec<u64>)> {
    let reader = segment.facet_reader(field).ok()?;
    let kept = ord_values(&reader, keep).ok()?;
    let ords = (0..)
        .zip(kept)
        .filter_map(|(ord, k)| k.then_some(ord))
        .collect();
    Some((reader, ords))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn cfg() -> Ranking {
        Ranking {
            type_prior: HashMap::from([("nyhet".to_string(), 0.5)]),
            goal_boost: 2.0,
            place_boost: 1.5,
            off_topic: 0.5,
            similar_same_county: 0.5,
            similar_other_type: 0.7,
        }
    }

    #[test]
    fn news_is_weighed_down_and_the_asked_goal_up() {
        let r = Ranker::new(&cfg(), &[Goal::Forebyggande]);
        let plan = schema::type_code(DocType::Handlingsplan);
        let news = schema::type_code(DocType::Nyhet);
        let prevention = schema::goal_bits(&[Goal::Forebyggande]);
        let support = schema::goal_bits(&[Goal::SkyddOchStod]);
        assert_eq!(r.factor(plan, support), 1.0);
        assert_eq!(r.factor(news, support), 0.5);
        assert_eq!(r.factor(plan, prevention), 2.0);
    }

    /// Four plans with the same passage: one a plan, one news (weighed down), one whose
    /// passage is in the asked goal area (up), one off the topic (down); the first in Skåne.
    fn plans_of_every_factor() -> Vec<plansok_model::Document> {
        use crate::test_support::{plan, section};
        let text = "Kvinnojourerna i länet får stöd för sitt arbete.";
        let one = |id: &str| plan(id, id, text, vec![section(text, None)]);
        let mut aimed = one("c");
        aimed.passages[0].section_goals = vec![Goal::SkyddOchStod];
        vec![
            plansok_model::Document {
                region: Some("Skåne län".into()),
                ..one("a")
            },
            plansok_model::Document {
                doc_type: DocType::Nyhet,
                ..one("b")
            },
            aimed,
            plansok_model::Document {
                on_topic: false,
                ..one("d")
            },
        ]
    }

    /// Measures' candidates score their BM25 score times their factors alike whether the
    /// factors come from the tables' rank bytes (the common case, inlined) or from the
    /// segment's columns, with a place named or not.
    #[test]
    fn best_entries_score_alike_from_rank_bytes_and_from_columns() {
        let dir = tempfile::tempdir().unwrap();
        let settings = crate::SearchConfig::load().unwrap();
        let mut index = crate::Indexer::open(dir.path(), settings).unwrap();
        for d in plans_of_every_factor() {
            index.upsert(&d).unwrap();
        }
        index.commit().unwrap();
        index.reader().reload().unwrap();
        let searcher = index.reader().searcher();
        let tables = index.facet_tables(&searcher).unwrap();
        let ranks = tables.rank_bytes(&searcher).unwrap();
        let (_, q) = crate::query::UserQuery::read(
            index.parsers(),
            "kvinnojourerna",
            crate::schema::Scope::Passages,
            false,
        )
        .unwrap();
        let plain = Ranker::new(&cfg(), &[Goal::SkyddOchStod]);
        let placed = plain
            .clone()
            .with_places(vec![("Skåne län".to_string(), None)]);
        for ranker in [plain, placed] {
            let best = |ranks: &RankBytes| {
                ranker
                    .top_entries(&searcher, &tables, ranks, &*q, 10, 0)
                    .unwrap()
            };
            let from_bytes = best(&ranks);
            assert_eq!(from_bytes, best(&RankBytes::new()));
            let mut scores: Vec<f32> = from_bytes.iter().map(|(s, _)| *s).collect();
            scores.dedup();
            assert_eq!(scores.len(), 3, "factors applied: {from_bytes:?}");
        }
    }

    #[test]
    fn a_query_names_its_goal_area() {
        let goals = plansok_model::goals::GoalScorer::new(
            &plansok_model::goals::GoalRules::load().unwrap(),
        );
        assert_eq!(
            goals.text_goals("förebyggande arbete i skolan"),
            [Goal::Forebyggande]
        );
        assert!(goals.text_goals("Kalmar").is_empty());
    }
}
