//! The generated request mix of the scale bench: what users send, not the 8 searches the code
//! was tuned on. Deterministic from the seed. Its weights ([`WEIGHTS`]) give each endpoint its
//! share; searches take 1–8 words of the corpus vocabulary by Zipf frequency, with phrases,
//! `*` prefixes, OR/NOT, `title:`, 0–3 filters of every kind, `sort=date`, offsets up to 500
//! and limits of 10–100, and browsing by filters alone.

use std::collections::HashSet;

/// What a mix is drawn from: words by frequency (most frequent first), document ids, passages
/// (document id, passage number), region values, organisations and years.
pub struct MixInput {
    pub words: Vec<String>,
    pub doc_ids: Vec<String>,
    pub passages: Vec<(String, u64)>,
    pub regions: Vec<String>,
    pub orgs: Vec<String>,
}

/// One request of a mix and the endpoint it is counted under.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Request {
    pub path: String,
    pub endpoint: &'static str,
}

/// Shares of the endpoints, in percent.
pub const WEIGHTS: [(&str, u32); 8] = [
    ("search", 52),
    ("browse", 8),
    ("measures", 10),
    ("facets", 8),
    ("suggest", 10),
    ("document", 5),
    ("similar", 4),
    ("passage_similar", 3),
];

const GOALS: [&str; 4] = [
    "forebyggande",
    "skydd-och-stod",
    "brottsbekampning",
    "kunskap-och-metod",
];
const TYPES: [&str; 6] = [
    "handlingsplan",
    "overenskommelse",
    "strategi",
    "nyhet",
    "kunskapsstod",
    "annat",
];

/// xorshift64*: small and deterministic.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

fn encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// `n` distinct requests in the proportions of [`WEIGHTS`].
pub fn generate(input: &MixInput, seed: u64, n: usize) -> Vec<Request> {
    let mut rng = Rng(seed.max(1) ^ 0x9e37_79b9_7f4a_7c15);
    let zipf = Zipf::new(input.words.len().min(3000));
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(n);
    let mut tries = 0;
    while out.len() < n && tries < n * 50 {
        tries += 1;
        let mut r = rng.below(100) as u32;
        let mut endpoint = WEIGHTS[0].0;
        for (e, w) in WEIGHTS {
            if r < w {
                endpoint = e;
                break;
            }
            r -= w;
        }
        let path = match endpoint {
            "search" => format!("/api/search?{}", search_query(input, &zipf, &mut rng)),
            "browse" => format!("/api/search?{}", browse_query(input, &mut rng)),
            "measures" => format!("/api/measures?{}", measures_query(input, &zipf, &mut rng)),
            "facets" => format!("/api/facets?{}", facets_query(input, &zipf, &mut rng)),
            "suggest" => suggest_query(input, &zipf, &mut rng),
            "document" => format!("/api/documents/{}", pick(&input.doc_ids, &mut rng)),
            "similar" => format!("/api/documents/{}/similar", pick(&input.doc_ids, &mut rng)),
            _ => {
                let (id, no) = &input.passages[rng.below(input.passages.len())];
                format!("/api/documents/{id}/passages/{no}/similar")
            }
        };
        if seen.insert(path.clone()) {
            out.push(Request { path, endpoint });
        }
    }
    out
}

fn pick<'a>(v: &'a [String], rng: &mut Rng) -> &'a str {
    &v[rng.below(v.len())]
}

/// Ranks drawn with probability proportional to 1/rank.
struct Zipf {
    cumulative: Vec<f64>,
}

impl Zipf {
    fn new(n: usize) -> Self {
        let mut sum = 0.0;
        let cumulative = (1..=n.max(1))
            .map(|r| {
                sum += 1.0 / r as f64;
                sum
            })
            .collect();
        Zipf { cumulative }
    }

    fn rank(&self, rng: &mut Rng) -> usize {
        let total = *self.cumulative.last().unwrap();
        let x = (rng.next() % 1_000_000) as f64 / 1_000_000.0 * total;
        self.cumulative.partition_point(|c| *c < x)
    }

    fn word<'a>(&self, words: &'a [String], rng: &mut Rng) -> &'a str {
        &words[self.rank(rng).min(words.len() - 1)]
    }
}

/// A query of 1–8 words, with the operators people use now and then.
fn text(input: &MixInput, zipf: &Zipf, rng: &mut Rng) -> String {
    let n = [1, 1, 1, 2, 2, 2, 3, 3, 4, 5, 6, 8][rng.below(12)];
    let mut words: Vec<String> = (0..n)
        .map(|_| zipf.word(&input.words, rng).to_string())
        .collect();
    match rng.below(100) {
        0..=14 if n >= 2 => {
            let k = 2.min(n);
            let phrase = words[..k].join(" ");
            words.splice(..k, [format!("\"{phrase}\"")]);
        }
        15..=24 => {
            let w = &mut words[0];
            let keep = (w.chars().count() / 2).max(3);
            *w = format!("{}*", w.chars().take(keep).collect::<String>());
        }
        25..=34 if n >= 2 => words.insert(1, "OR".into()),
        35..=39 if n >= 2 => words.insert(n - 1, "NOT".into()),
        40..=44 => words[0] = format!("title:{}", words[0]),
        _ => {}
    }
    words.join(" ")
}

/// 0–3 filters of any kind.
fn filters(input: &MixInput, rng: &mut Rng) -> String {
    let mut out = String::new();
    for _ in 0..[0, 0, 1, 1, 2, 3][rng.below(6)] {
        let (k, v) = match rng.below(6) {
            0 => ("region", pick(&input.regions, rng).to_string()),
            1 => ("goal", GOALS[rng.below(4)].to_string()),
            2 => ("type", TYPES[rng.below(6)].to_string()),
            3 => {
                let y = 2016 + rng.below(12);
                match rng.chance(50) {
                    true => ("period", y.to_string()),
                    false => ("period", format!("{y}-{}", y + 1 + rng.below(4))),
                }
            }
            4 => ("org", pick(&input.orgs, rng).to_string()),
            _ => ("lang", if rng.chance(85) { "sv" } else { "en" }.to_string()),
        };
        if k == "period" && out.contains("period=") {
            continue;
        }
        out.push_str(&format!("&{k}={}", encode(&v)));
    }
    out
}

fn search_query(input: &MixInput, zipf: &Zipf, rng: &mut Rng) -> String {
    let mut q = format!(
        "q={}{}",
        encode(&text(input, zipf, rng)),
        filters(input, rng)
    );
    if rng.chance(15) {
        q.push_str("&sort=date");
    }
    if rng.chance(20) {
        q.push_str(&format!("&offset={}", 10 * rng.below(51)));
    }
    if rng.chance(25) {
        q.push_str(&format!("&limit={}", [10, 20, 50, 100][rng.below(4)]));
    }
    q
}

fn browse_query(input: &MixInput, rng: &mut Rng) -> String {
    let mut f = filters(input, rng);
    if f.is_empty() {
        f = format!("&region={}", encode(pick(&input.regions, rng)));
    }
    let sort = if rng.chance(50) { "&sort=date" } else { "" };
    format!("limit=20{f}{sort}")
}

fn measures_query(input: &MixInput, zipf: &Zipf, rng: &mut Rng) -> String {
    let n = 1 + rng.below(3);
    let words: Vec<&str> = (0..n).map(|_| zipf.word(&input.words, rng)).collect();
    format!("q={}{}", encode(&words.join(" ")), filters(input, rng))
}

fn facets_query(input: &MixInput, zipf: &Zipf, rng: &mut Rng) -> String {
    format!(
        "q={}{}",
        encode(&text(input, zipf, rng)),
        filters(input, rng)
    )
}

fn suggest_query(input: &MixInput, zipf: &Zipf, rng: &mut Rng) -> String {
    let w = zipf.word(&input.words, rng);
    let keep = 2 + rng.below(w.chars().count().saturating_sub(1).max(1));
    let prefix: String = w.chars().take(keep).collect();
    format!("/api/suggest?q={}", encode(&prefix))
}
