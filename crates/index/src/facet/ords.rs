//! The values of a facet column's ordinals ([`ord_values`]), read in one pass over its
//! dictionary: by the facet table and the rank bytes once per segment instead of once per
//! entry, and by the ranking's place and topic factors once per request.

use tantivy::fastfield::FacetReader;
use tantivy::schema::Facet;

use crate::IndexError;

/// The value of each facet ordinal of a facet column, from its path ("region", "Skåne län", …).
pub(crate) fn ord_values<T>(
    reader: &FacetReader,
    mut value: impl FnMut(&[&str]) -> T,
) -> Result<Vec<T>, IndexError> {
    let mut out = Vec::with_capacity(reader.num_facets());
    let mut terms = reader
        .facet_dict()
        .stream()
        .map_err(tantivy::TantivyError::from)?;
    while terms.advance() {
        let facet = Facet::from_encoded(terms.key().to_vec())
            .map_err(|e| IndexError::Open(format!("a facet is not UTF-8: {e}")))?;
        out.push(value(&facet.to_path()));
    }
    Ok(out)
}
