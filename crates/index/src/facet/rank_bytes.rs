//! Each entry's rank byte ([`schema::rank_byte`]: what the ranking factors read of it), read
//! from a segment's columns for [`super::table::SegmentTable::ranks`].

use tantivy::SegmentReader;

use super::ords::ord_values;
use crate::schema;
use crate::IndexError;

/// The rank byte of every entry of `segment`, by doc id.
pub(super) fn read(segment: &SegmentReader) -> Result<Vec<u8>, IndexError> {
    let fast = segment.fast_fields();
    let types = fast.u64("type_code")?.first_or_default_col(0);
    let goals = fast.u64("goal_bits")?.first_or_default_col(0);
    let topic = match segment.schema().get_field("topic") {
        Ok(_) => Some(segment.facet_reader("topic")?),
        Err(_) => None,
    };
    let off_value = schema::topic_value(false);
    let off = match &topic {
        Some(t) => ord_values(t, |path| path.get(1) == Some(&off_value))?,
        None => Vec::new(),
    };
    Ok((0..segment.max_doc())
        .map(|doc| {
            let off_topic = topic.as_ref().is_some_and(|t| {
                t.facet_ords(doc)
                    .next()
                    .is_some_and(|o| off.get(o as usize) == Some(&true))
            });
            schema::rank_byte(types.get_val(doc), goals.get_val(doc), off_topic)
        })
        .collect())
}
