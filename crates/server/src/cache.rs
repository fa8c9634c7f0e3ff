//! A cache of search responses. The same request on the same index generation gets the same
//! answer, so a repeated search (a facet clicked back, a page reloaded, a shared link opened
//! by many) is answered without searching. Every entry is tied to the searcher generation it
//! was computed on and is not used once a commit has changed the index; the least recently
//! used entries go first. `search_cache_entries = 0` in `config/server.toml` turns it off.

use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex};

use lru::LruCache;
use plansok_index::{SearchRequest, SearchResponse};

/// Request key → (index generation, response).
type Entries = LruCache<String, (u64, Arc<SearchResponse>)>;

pub struct ResponseCache {
    entries: Option<Mutex<Entries>>,
}

impl ResponseCache {
    pub fn new(capacity: usize) -> ResponseCache {
        ResponseCache {
            entries: NonZeroUsize::new(capacity).map(|c| Mutex::new(LruCache::new(c))),
        }
    }

    fn key(req: &SearchRequest) -> String {
        format!("{req:?}")
    }

    /// The cached response to `req` computed on index generation `generation`.
    pub fn get(&self, req: &SearchRequest, generation: u64) -> Option<Arc<SearchResponse>> {
        let mut entries = self.entries.as_ref()?.lock().ok()?;
        match entries.get(&Self::key(req)) {
            Some((g, resp)) if *g == generation => Some(resp.clone()),
            _ => None,
        }
    }

    pub fn put(&self, req: &SearchRequest, generation: u64, resp: Arc<SearchResponse>) {
        if let Some(mut entries) = self.entries.as_ref().and_then(|e| e.lock().ok()) {
            entries.put(Self::key(req), (generation, resp));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(total: usize) -> Arc<SearchResponse> {
        Arc::new(SearchResponse {
            query: "våld".into(),
            total,
            distinct: Some(total),
            took_ms: 1.0,
            hits: Vec::new(),
            facets: Default::default(),
            filters: Default::default(),
        })
    }

    fn req(q: &str) -> SearchRequest {
        SearchRequest {
            query: q.into(),
            ..Default::default()
        }
    }

    #[test]
    fn an_entry_serves_its_generation_only() {
        let c = ResponseCache::new(2);
        c.put(&req("våld"), 1, response(5));
        assert_eq!(c.get(&req("våld"), 1).unwrap().total, 5);
        assert!(c.get(&req("våld"), 2).is_none(), "a commit invalidates");
        assert!(c.get(&req("barnahus"), 1).is_none());
    }

    #[test]
    fn the_least_recently_used_goes_and_zero_turns_it_off() {
        let c = ResponseCache::new(2);
        c.put(&req("a"), 1, response(1));
        c.put(&req("b"), 1, response(2));
        c.get(&req("a"), 1);
        c.put(&req("c"), 1, response(3));
        assert!(c.get(&req("b"), 1).is_none());
        assert!(c.get(&req("a"), 1).is_some());
        let off = ResponseCache::new(0);
        off.put(&req("a"), 1, response(1));
        assert!(off.get(&req("a"), 1).is_none());
    }
}
