//! A request's filters in the ids of one segment's facet table ([`SegmentFilter`]): which
//! filters a row fails, as a bit mask over [`DIMS`].

use super::filters::{Dim, FilterSpec, DIMS};
use super::table::{place_key, Row, SegmentTable};
use crate::schema;
use plansok_model::Period;

/// The filters of a request in the ids of one segment's table. A name the segment does not
/// have matches none of its entries.
pub(crate) struct SegmentFilter {
    /// Whether any filter is set (else every row passes).
    any: bool,
    regions: Option<(IdSet, IdSet)>,
    period: Option<Period>,
    goals: Option<u8>,
    types: Option<u32>,
    orgs: Option<IdSet>,
    langs: Option<IdSet>,
    on_topic: Option<bool>,
}

/// Ids of a segment table's names, looked up by place (a row is checked by one load).
#[derive(Default)]
pub(crate) struct IdSet(Vec<bool>);

impl IdSet {
    pub(crate) fn of(ids: impl IntoIterator<Item = u32>) -> IdSet {
        let mut set = IdSet::default();
        for id in ids {
            let i = id as usize;
            if set.0.len() <= i {
                set.0.resize(i + 1, false);
            }
            set.0[i] = true;
        }
        set
    }

    pub(crate) fn contains(&self, id: impl Into<u32>) -> bool {
        self.0.get(id.into() as usize).copied().unwrap_or(false)
    }
}

impl SegmentFilter {
    pub(crate) fn new(spec: &FilterSpec, t: &SegmentTable) -> Self {
        let regions = spec.has(Dim::Region).then(|| {
            let mut counties = Vec::new();
            let mut places = Vec::new();
            for r in &spec.regions {
                match &r.municipality {
                    None => counties.extend(t.counties.id(&r.county)),
                    Some(m) => places.extend(t.places.id(&place_key(&r.county, m))),
                }
            }
            (IdSet::of(counties), IdSet::of(places))
        });
        SegmentFilter {
            any: DIMS.iter().any(|d| spec.has(*d)),
            regions,
            period: spec.period,
            goals: spec
                .has(Dim::Goal)
                .then(|| schema::goal_bits(&spec.goals) as u8),
            types: spec.has(Dim::Type).then(|| {
                spec.types
                    .iter()
                    .fold(0, |m, t| m | 1 << schema::type_code(*t))
            }),
            orgs: spec
                .has(Dim::Org)
                .then(|| IdSet::of(spec.orgs.iter().filter_map(|o| t.orgs.id(o)))),
            langs: spec
                .has(Dim::Lang)
                .then(|| IdSet::of(spec.langs.iter().filter_map(|l| t.langs.id(l)))),
            on_topic: spec.on_topic,
        }
    }

    /// The bits ([`Dim::bit`]) of the filters `row` fails.
    #[inline]
    pub(crate) fn fails(&self, row: &Row) -> u8 {
        if !self.any {
            return 0;
        }
        let mut m = 0;
        if let Some((counties, places)) = &self.regions {
            if !counties.contains(row.county) && !places.contains(row.place) {
                m |= Dim::Region.bit();
            }
        }
        if let Some(p) = self.period {
            if row.start == 0 || row.start > p.end || row.end < p.start {
                m |= Dim::Period.bit();
            }
        }
        if self.goals.is_some_and(|g| g & row.goals == 0) {
            m |= Dim::Goal.bit();
        }
        let type_bit = 1u32.checked_shl(row.doc_type.into()).unwrap_or(0);
        if self.types.is_some_and(|t| t & type_bit == 0) {
            m |= Dim::Type.bit();
        }
        if self.orgs.as_ref().is_some_and(|o| !o.contains(row.org)) {
            m |= Dim::Org.bit();
        }
        if self.langs.as_ref().is_some_and(|l| !l.contains(row.lang)) {
            m |= Dim::Lang.bit();
        }
        if self.on_topic.is_some_and(|on| on == row.off_topic) {
            m |= Dim::Topic.bit();
        }
        m
    }
}
