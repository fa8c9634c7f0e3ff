//! PostgreSQL full-text search as the scale bench's baseline: a server of its own on loopback
//! with the bench's documents, a `swedish` tsvector and a GIN index, loaded with pgbench; and
//! the SQL of each search of a request mix, so that both systems answer the same requests.
//!
//! A search in SQL is what plansok's answer holds, as far as SQL has it: the wanted page of hits
//! (ranked by `ts_rank`, or newest first for `sort=date`) with a `ts_headline`, the total and
//! the counts per county, under the request's filters.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use plansok_model::Taxonomy;

use super::percentile_sorted;

/// The columns of the CSV the bench writes and PostgreSQL loads, in order.
pub const COLUMNS: &str = "id text PRIMARY KEY, title text, region text, municipality text, \
     organisation text, lang text, doc_type text, period_start int, period_end int, goals text, body text";

/// A free TCP port on loopback.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `s` as an SQL string literal.
fn lit(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// The query text of the API (`"phrase"`, `OR`, `NOT w`, `w*`, `title:w`) as a tsquery
/// expression: `websearch_to_tsquery` for words, phrases, OR and NOT, and `to_tsquery`'s `:*`
/// for prefixes. `title:` is dropped: the table has one text column. `None` for an empty text.
pub fn tsquery(q: &str) -> Option<String> {
    let mut words: Vec<String> = Vec::new();
    let mut prefixes: Vec<String> = Vec::new();
    let mut negate = false;
    let mut rest = q.trim();
    while !rest.is_empty() {
        let (token, after) = if let Some(quoted) = rest.strip_prefix('"') {
            let end = quoted.find('"').unwrap_or(quoted.len());
            (
                format!("\"{}\"", &quoted[..end]),
                quoted.get(end + 1..).unwrap_or(""),
            )
        } else {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            (rest[..end].to_string(), &rest[end..])
        };
        rest = after.trim_start();
        let token = token.strip_prefix("title:").unwrap_or(&token).to_string();
        match token.as_str() {
            "NOT" => negate = true,
            "OR" => words.push("or".into()),
            t if t.ends_with('*') => {
                let stem = t.trim_end_matches('*');
                let p = format!("to_tsquery('swedish', {})", lit(&format!("{stem}:*")));
                prefixes.push(if negate { format!("!!{p}") } else { p });
                negate = false;
            }
            t => {
                words.push(if negate {
                    format!("-{t}")
                } else {
                    t.to_string()
                });
                negate = false;
            }
        }
    }
    let ws = words.join(" ");
    let mut parts = prefixes;
    if !ws.trim().is_empty() {
        parts.insert(0, format!("websearch_to_tsquery('swedish', {})", lit(&ws)));
    }
    (!parts.is_empty()).then(|| format!("({})", parts.join(" && ")))
}

/// The WHERE conditions of a request's filters (every kind the API takes; several values of one
/// kind are alternatives, as in the API).
fn filters(pairs: &[(String, String)], tax: &Taxonomy) -> Vec<String> {
    let mut out = Vec::new();
    let mut places = Vec::new();
    for (k, v) in pairs {
        match k.as_str() {
            "region" => {
                if let Some(c) = tax.counties().iter().find(|c| c.slug == *v) {
                    places.push(format!("region = {}", lit(&c.name)));
                } else if let Some((_, m)) = tax.municipalities().find(|(_, m)| m.name == *v) {
                    places.push(format!("municipality = {}", lit(&m.display_name())));
                } else {
                    places.push("false".into());
                }
            }
            "goal" => out.push(format!("goals LIKE {}", lit(&format!("%{v}%")))),
            "type" => out.push(format!("doc_type = {}", lit(v))),
            "org" => out.push(format!("organisation = {}", lit(v))),
            "lang" => out.push(format!("lang = {}", lit(v))),
            "period" => {
                let (a, b) = v.split_once('-').unwrap_or((v, v));
                let (a, b) = (a.parse::<u16>().unwrap_or(0), b.parse::<u16>().unwrap_or(0));
                out.push(format!("period_start <= {b} AND period_end >= {a}"));
            }
            _ => {}
        }
    }
    if !places.is_empty() {
        out.push(format!("({})", places.join(" OR ")));
    }
    out
}

/// The SQL of an `/api/search` request of a mix (see the module doc); `None` for other
/// endpoints.
pub fn sql_of(path: &str, tax: &Taxonomy) -> Option<String> {
    let query = path.strip_prefix("/api/search?")?;
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let get = |key: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    };
    let limit = get("limit").and_then(|v| v.parse().ok()).unwrap_or(10usize);
    let offset = get("offset").and_then(|v| v.parse().ok()).unwrap_or(0usize);
    let by_date = get("sort") == Some("date");
    let ts = get("q").and_then(tsquery);
    let mut conds = filters(&pairs, tax);
    if let Some(ts) = &ts {
        conds.insert(0, format!("tsv @@ {ts}"));
    }
    let cond = if conds.is_empty() {
        "true".to_string()
    } else {
        conds.join(" AND ")
    };
    let order = match (&ts, by_date) {
        (Some(ts), false) => format!("ts_rank(tsv, {ts}) DESC"),
        _ => "period_end DESC, period_start DESC, id".to_string(),
    };
    let shown = match &ts {
        Some(ts) => format!("ts_headline('swedish', body, {ts}, 'MaxWords=35')"),
        None => "left(body, 240)".to_string(),
    };
    Some(format!(
        "SELECT id, title, {shown} FROM (SELECT id, title, body FROM docs WHERE {cond} \
         ORDER BY {order} LIMIT {limit} OFFSET {offset}) top;\n\
         SELECT count(*) FROM docs WHERE {cond};\n\
         SELECT region, count(*) FROM docs WHERE {cond} GROUP BY region;\n"
    ))
}

/// A PostgreSQL server of its own on loopback, with the documents and a GIN index.
pub struct Postgres {
    dir: PathBuf,
    port: u16,
    bin: PathBuf,
    as_postgres: bool,
}

impl Postgres {
    fn bin_dir() -> Option<PathBuf> {
        let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
            .ok()?
            .filter_map(Result::ok)
            .map(|e| e.path().join("bin"))
            .filter(|p| p.join("postgres").exists() && p.join("pgbench").exists())
            .collect();
        dirs.sort();
        dirs.pop()
    }

    fn cmd(&self, prog: &str) -> Command {
        let path = self.bin.join(prog);
        if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(path);
            c
        } else {
            Command::new(path)
        }
    }

    /// Starts a new cluster in `work/pgdata`; `None` without server binaries or when initdb
    /// fails.
    pub fn start(work: &Path) -> Option<Postgres> {
        let bin = Self::bin_dir()?;
        let as_postgres = Command::new("id")
            .arg("-u")
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
            .unwrap_or(false);
        let dir = work.join("pgdata");
        std::fs::create_dir_all(&dir).ok()?;
        if as_postgres {
            Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(work)
                .status()
                .ok()?;
        }
        let pg = Postgres {
            dir,
            port: free_port(),
            bin,
            as_postgres,
        };
        let ok = pg
            .cmd("initdb")
            .args([
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "-D",
            ])
            .arg(&pg.dir)
            .stdout(Stdio::null())
            .status()
            .ok()?
            .success();
        if !ok {
            return None;
        }
        let opts = format!(
            "-p {} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c shared_buffers=512MB -c max_connections=100",
            pg.port
        );
        let ok = pg
            .cmd("pg_ctl")
            .args(["-w", "-D"])
            .arg(&pg.dir)
            .args(["-o", &opts, "-l"])
            .arg(pg.dir.join("log"))
            .arg("start")
            .stdout(Stdio::null())
            .status()
            .ok()?
            .success();
        ok.then_some(pg)
    }

    /// `psql` connected to this server.
    fn psql_cmd(&self) -> Command {
        let mut c = Command::new(self.bin.join("psql"));
        c.args([
            "-h",
            "127.0.0.1",
            "-p",
            &self.port.to_string(),
            "-U",
            "postgres",
        ]);
        c
    }

    fn psql(&self, sql: &str) -> bool {
        let mut child = self
            .psql_cmd()
            .args(["-q", "-v", "ON_ERROR_STOP=1"])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(sql.as_bytes())
            .unwrap();
        child.wait().map(|s| s.success()).unwrap_or(false)
    }

    /// Ends the queries pgbench left running (a client that stops does not stop its backend's
    /// query, which can run for seconds more) and writes the dirty buffers out, so that the
    /// next phase does not share the cores with them.
    pub fn quiesce(&self) {
        self.psql(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE backend_type = 'client backend' AND pid <> pg_backend_pid();\nCHECKPOINT;\n",
        );
    }

    /// The bytes of the table with its indexes and TOAST data.
    pub fn table_bytes(&self) -> u64 {
        let out = self
            .psql_cmd()
            .args(["-At", "-c", "SELECT pg_total_relation_size('docs')"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout)
            .trim()
            .parse()
            .unwrap_or(0)
    }

    /// Loads the CSV (columns [`COLUMNS`]) and builds the GIN index; returns the seconds it
    /// took.
    pub fn load(&self, csv: &Path) -> f64 {
        let t = Instant::now();
        let sql = format!(
            "SET client_min_messages = warning;\nDROP TABLE IF EXISTS docs;\n\
             CREATE TABLE docs ({COLUMNS});\n\
             \\copy docs FROM '{}' WITH (FORMAT csv)\n\
             ALTER TABLE docs ADD COLUMN tsv tsvector GENERATED ALWAYS AS \
             (setweight(to_tsvector('swedish', title), 'A') || to_tsvector('swedish', body)) STORED;\n\
             CREATE INDEX docs_tsv ON docs USING gin (tsv);\n\
             CREATE INDEX docs_region ON docs (region);\n\
             VACUUM ANALYZE docs;\n",
            csv.display()
        );
        assert!(self.psql(&sql), "loading PostgreSQL failed");
        t.elapsed().as_secs_f64()
    }

    /// pgbench with `scripts` (each an SQL transaction, drawn uniformly): requests/s, p50 and
    /// p99 (ms).
    pub fn bench(
        &self,
        work: &Path,
        name: &str,
        scripts: &[String],
        clients: usize,
        secs: u64,
    ) -> (f64, f64, f64) {
        let dir = work.join(format!("pgbench-{name}"));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        // One script that picks a transaction at random: pgbench takes at most 128 scripts.
        let mut script = format!("\\set r random(0, {})\n", scripts.len() - 1);
        for (i, sql) in scripts.iter().enumerate() {
            let kw = if i == 0 { "\\if" } else { "\\elif" };
            script.push_str(&format!("{kw} :r = {i}\n{sql}"));
        }
        script.push_str("\\endif\n");
        let file = dir.join("mix.sql");
        std::fs::write(&file, script).unwrap();
        let args = [
            "-h".to_string(),
            "127.0.0.1".into(),
            "-p".into(),
            self.port.to_string(),
            "-U".into(),
            "postgres".into(),
            "-n".into(),
            "-c".into(),
            clients.to_string(),
            "-j".into(),
            "2".into(),
            "-T".into(),
            secs.to_string(),
            "-l".into(),
            format!("--log-prefix={}", dir.join("log").display()),
            "-f".into(),
            file.display().to_string(),
            "postgres".into(),
        ];
        let out = Command::new(self.bin.join("pgbench"))
            .args(&args)
            .current_dir(&dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut lat: Vec<f64> = Vec::new();
        for e in std::fs::read_dir(&dir).unwrap().filter_map(Result::ok) {
            if !e.file_name().to_string_lossy().starts_with("log") {
                continue;
            }
            for line in std::fs::read_to_string(e.path()).unwrap().lines() {
                if let Some(us) = line
                    .split_whitespace()
                    .nth(2)
                    .and_then(|v| v.parse::<f64>().ok())
                {
                    lat.push(us / 1000.0);
                }
            }
        }
        lat.sort_by(|a, b| a.total_cmp(b));
        if lat.is_empty() {
            return (0.0, f64::NAN, f64::NAN);
        }
        (
            lat.len() as f64 / secs as f64,
            percentile_sorted(&lat, 0.5),
            percentile_sorted(&lat, 0.99),
        )
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let _ = self
            .cmd("pg_ctl")
            .args(["-m", "immediate", "-D"])
            .arg(&self.dir)
            .arg("stop")
            .stdout(Stdio::null())
            .status();
    }
}
