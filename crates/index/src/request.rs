//! A search as the CLI and the API hand it to the index: raw user values, validated by
//! [`crate::facet::filters`] and [`crate::query`].

/// A search as the CLI and the API receive it (raw user values).
#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    pub query: String,
    pub regions: Vec<String>,
    pub period: Option<String>,
    pub goals: Vec<String>,
    pub types: Vec<String>,
    pub orgs: Vec<String>,
    pub langs: Vec<String>,
    /// `on`: only documents about the topic; `off`: only those that share its words without
    /// being about it; empty: both.
    pub topics: Vec<String>,
    /// Hits wanted (the default of `config/search.toml` when None, at most its `max_limit`);
    /// 0 gives the total and the facets with no hits.
    pub limit: Option<usize>,
    pub offset: usize,
    /// Newest plan periods first instead of by relevance.
    pub sort_by_date: bool,
    /// Read the query by the strict grammar (an error says what is wrong) instead of leniently.
    pub strict_syntax: bool,
    /// Every matching document its own hit: near-duplicates are not folded (`also_at`).
    pub keep_near_duplicates: bool,
}
