#!/usr/bin/python3
# The shebang is Debian's system Python on purpose: python3-xapian and python3-psycopg2 are
# Debian packages built for /usr/bin/python3, and the `python3` on PATH may be another one
# (e.g. a pyenv build) that cannot import them.
"""Run two stock external search baselines (Xapian BM25, PostgreSQL full-text search) over
the same units and queries as `plansok eval`, and print their rankings as one JSON object.

Usage:
    /usr/bin/python3 baselines.py --units UNITS.jsonl --queries QUERIES.jsonl \
        [--k 20] [--engines xapian,postgres]

See README.md beside this file for the input/output formats and the exact settings.
Only Debian packages are needed at run time: python3-xapian, postgresql, python3-psycopg2
(install_deps.sh installs them).
"""

import argparse
import csv
import glob
import hashlib
import io
import json
import os
import pwd
import re
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

ENGINES = ("xapian", "postgres")

EXIT_ENGINE = 1  # an engine failed while running
EXIT_INPUT = 2  # bad arguments or input files
EXIT_DEPS = 3  # a required package is missing


class BaselineError(Exception):
    """An error with a message meant for the user; exits with `code`."""

    def __init__(self, message, code=EXIT_ENGINE):
        super().__init__(message)
        self.code = code


def warn(message):
    print("baselines.py: warning: " + message, file=sys.stderr)


# --------------------------------------------------------------------------------------------
# Input


def read_jsonl(path, what):
    try:
        f = open(path, encoding="utf-8")
    except OSError as e:
        raise BaselineError("cannot read %s file %s: %s" % (what, path, e.strerror), EXIT_INPUT)
    rows = []
    with f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except ValueError as e:
                raise BaselineError(
                    "%s:%d: invalid JSON in %s file: %s" % (path, lineno, what, e), EXIT_INPUT
                )
            if not isinstance(obj, dict):
                raise BaselineError(
                    "%s:%d: each line of the %s file must be a JSON object" % (path, lineno, what),
                    EXIT_INPUT,
                )
            rows.append((lineno, obj))
    return rows


def text_field(obj, key, path, lineno, required=False):
    """A string field; a missing or null field is "" unless required."""
    value = obj.get(key)
    if value is None:
        if required:
            raise BaselineError("%s:%d: missing field %r" % (path, lineno, key), EXIT_INPUT)
        return ""
    if not isinstance(value, str):
        raise BaselineError(
            "%s:%d: field %r must be a string, got %s" % (path, lineno, key, type(value).__name__),
            EXIT_INPUT,
        )
    # PostgreSQL text cannot hold NUL; drop it for both engines so they see the same text.
    return value.replace("\x00", "")


def load_units(path):
    units = []
    seen = set()
    for lineno, obj in read_jsonl(path, "units"):
        uid = text_field(obj, "id", path, lineno, required=True)
        if uid in seen:
            raise BaselineError("%s:%d: duplicate unit id %r" % (path, lineno, uid), EXIT_INPUT)
        seen.add(uid)
        units.append(
            {
                "id": uid,
                "title": text_field(obj, "title", path, lineno),
                "text": text_field(obj, "text", path, lineno),
                "county": text_field(obj, "county", path, lineno),
            }
        )
    # Index in id order (code point order, as Python compares str): Xapian then breaks ties in
    # weight by document number, which is this order.
    units.sort(key=lambda u: u["id"])
    return units


def load_queries(path):
    queries = []
    seen = set()
    for lineno, obj in read_jsonl(path, "queries"):
        qid = text_field(obj, "id", path, lineno, required=True)
        if qid in seen:
            raise BaselineError("%s:%d: duplicate query id %r" % (path, lineno, qid), EXIT_INPUT)
        seen.add(qid)
        county = text_field(obj, "county", path, lineno)
        queries.append(
            {
                "id": qid,
                "q": text_field(obj, "q", path, lineno),
                # null and "" both mean: no county filter.
                "county": county or None,
            }
        )
    return queries


def median_ms(seconds):
    return round(statistics.median(seconds) * 1000.0, 3) if seconds else 0.0


# --------------------------------------------------------------------------------------------
# Xapian

XAPIAN_TITLE_WDF = 5
XAPIAN_COUNTY_PREFIX = "XC"
XAPIAN_MAX_TERM_BYTES = 245  # Xapian's limit on the length of a term


def import_xapian():
    try:
        import xapian  # noqa: F401
    except ImportError:
        hint = ""
        if os.path.realpath(sys.executable) != os.path.realpath("/usr/bin/python3"):
            hint = (
                " (it is built for /usr/bin/python3; this is %s: run the script as "
                "/usr/bin/python3 baselines.py ...)" % sys.executable
            )
        raise BaselineError(
            "python3-xapian is not installed: apt-get install python3-xapian" + hint, EXIT_DEPS
        )
    return xapian


def xapian_county_term(county):
    term = XAPIAN_COUNTY_PREFIX + county
    if len(term.encode("utf-8")) > XAPIAN_MAX_TERM_BYTES:
        term = XAPIAN_COUNTY_PREFIX + "#" + hashlib.sha1(county.encode("utf-8")).hexdigest()
    return term


def run_xapian(units, queries, k):
    xapian = import_xapian()
    stem = xapian.Stem("swedish")

    t0 = time.perf_counter()
    db = xapian.WritableDatabase("", xapian.DB_BACKEND_INMEMORY)
    tg = xapian.TermGenerator()
    tg.set_stemmer(stem)
    tg.set_stemming_strategy(xapian.TermGenerator.STEM_SOME)
    for unit in units:
        doc = xapian.Document()
        doc.set_data(unit["id"])
        tg.set_document(doc)
        # The title is indexed as plain, unprefixed text with every term's wdf counted 5 times,
        # then the body as plain text after a position gap (so no phrase spans the two).
        tg.index_text(unit["title"], XAPIAN_TITLE_WDF)
        tg.increase_termpos()
        tg.index_text(unit["text"])
        if unit["county"]:
            doc.add_boolean_term(xapian_county_term(unit["county"]))
        db.add_document(doc)
    db.commit()
    index_seconds = time.perf_counter() - t0

    qp = xapian.QueryParser()
    qp.set_stemmer(stem)
    qp.set_stemming_strategy(xapian.QueryParser.STEM_SOME)
    qp.set_default_op(xapian.Query.OP_OR)
    qp.set_database(db)

    enquire = xapian.Enquire(db)
    enquire.set_weighting_scheme(xapian.BM25Weight())
    enquire.set_docid_order(xapian.Enquire.ASCENDING)

    results = {}
    times = []
    for query in queries:
        t = time.perf_counter()
        ranked = []
        if query["q"].strip():
            try:
                parsed = qp.parse_query(query["q"], xapian.QueryParser.FLAG_DEFAULT)
            except xapian.QueryParserError:
                # Lenient: retry as plain words, with no operators, phrases or +/-.
                try:
                    parsed = qp.parse_query(query["q"], 0)
                except xapian.QueryParserError as e:
                    warn("xapian: query %r could not be parsed (%s); no results" % (query["id"], e))
                    parsed = xapian.Query()
            if not parsed.empty():
                if query["county"] is not None:
                    parsed = xapian.Query(
                        xapian.Query.OP_FILTER,
                        parsed,
                        xapian.Query(xapian_county_term(query["county"])),
                    )
                enquire.set_query(parsed)
                mset = enquire.get_mset(0, k)
                hits = [(m.weight, m.document.get_data().decode("utf-8")) for m in mset]
                # Already in this order (weight, then docid = id order); sorted again so the
                # tie rule does not rest on that alone.
                hits.sort(key=lambda h: (-h[0], h[1]))
                ranked = [uid for _, uid in hits]
        times.append(time.perf_counter() - t)
        results[query["id"]] = ranked

    info = (
        "Xapian %s (python3-xapian); in-memory database; TermGenerator with Stem('swedish'), "
        "STEM_SOME, no stopper; title indexed unprefixed with wdf_inc=%d, body with wdf_inc=1; "
        "BM25Weight() defaults (k1=1, k2=0, k3=1, b=0.5, min_normlen=0.5); QueryParser with "
        "Stem('swedish'), STEM_SOME, default op OR, FLAG_DEFAULT, retried with no flags on "
        "QueryParserError; county as boolean term %s<county> with OP_FILTER; ties by unit id"
        % (xapian.version_string(), XAPIAN_TITLE_WDF, XAPIAN_COUNTY_PREFIX)
    )
    return results, info, index_seconds, median_ms(times)


# --------------------------------------------------------------------------------------------
# PostgreSQL

PG_PORT = 5432  # only names the socket file inside our own temp dir; no TCP listener
PG_SETTINGS = {
    # Durability is irrelevant for a throwaway cluster; none of these change ranking.
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
}


def import_psycopg2():
    try:
        import psycopg2  # noqa: F401
    except ImportError:
        hint = ""
        if os.path.realpath(sys.executable) != os.path.realpath("/usr/bin/python3"):
            hint = (
                " (it is built for /usr/bin/python3; this is %s: run the script as "
                "/usr/bin/python3 baselines.py ...)" % sys.executable
            )
        raise BaselineError(
            "python3-psycopg2 is not installed: apt-get install python3-psycopg2" + hint, EXIT_DEPS
        )
    return psycopg2


def version_key(path):
    name = os.path.basename(os.path.dirname(path))
    return [int(x) if x.isdigit() else x for x in re.split(r"(\d+)", name)]


def find_pg_bin():
    explicit = os.environ.get("PLANSOK_PG_BIN")
    candidates = [explicit] if explicit else sorted(
        glob.glob("/usr/lib/postgresql/*/bin"), key=version_key, reverse=True
    )
    for d in candidates:
        if d and all(os.access(os.path.join(d, b), os.X_OK) for b in ("initdb", "pg_ctl")):
            return d
    raise BaselineError(
        "PostgreSQL server binaries (initdb, pg_ctl) not found under /usr/lib/postgresql/*/bin"
        + (" nor in PLANSOK_PG_BIN=%s" % explicit if explicit else "")
        + ": apt-get install postgresql",
        EXIT_DEPS,
    )


class PgCluster:
    """A throwaway cluster in a temp dir, reachable only through a Unix socket in that dir."""

    def __init__(self, bindir):
        self.bindir = bindir
        self.tmp = None
        self.data = None
        self.started = False
        self.run_as = None
        if os.geteuid() == 0:
            # The server refuses to run as root: run it as an unprivileged user.
            user = os.environ.get("PLANSOK_PG_USER", "postgres")
            try:
                self.run_as = pwd.getpwnam(user)
            except KeyError:
                raise BaselineError(
                    "running as root, and there is no user %r to run the PostgreSQL server as "
                    "(the postgresql package creates 'postgres'; or set PLANSOK_PG_USER)" % user,
                    EXIT_DEPS,
                )

    def _run(self, args, what):
        kwargs = {}
        if self.run_as is not None:
            kwargs = dict(user=self.run_as.pw_uid, group=self.run_as.pw_gid, extra_groups=[])
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env["LC_ALL"] = "C.UTF-8"
        if self.run_as is not None:
            env["HOME"] = self.tmp
            env["USER"] = env["LOGNAME"] = self.run_as.pw_name
        proc = subprocess.run(
            [os.path.join(self.bindir, args[0])] + args[1:],
            cwd=self.tmp,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            **kwargs,
        )
        if proc.returncode != 0:
            out = proc.stdout.decode("utf-8", "replace").strip()
            log = self._log_tail()
            raise BaselineError(
                "postgres: %s failed (exit %d):\n%s%s"
                % (what, proc.returncode, out, ("\nserver log:\n" + log) if log else "")
            )
        return proc

    def _log_tail(self):
        try:
            with open(os.path.join(self.tmp, "server.log"), encoding="utf-8", errors="replace") as f:
                return "".join(f.readlines()[-20:]).strip()
        except (OSError, TypeError):
            return ""

    def _temp_base(self):
        """Where to make the cluster's dir: $TMPDIR as usual, but /tmp when the server user
        could not reach $TMPDIR (e.g. TMPDIR under /root while running as root)."""
        base = tempfile.gettempdir()
        if self.run_as is None:
            return base
        path = os.path.realpath(base)
        while True:
            if not os.stat(path).st_mode & 0o001:
                warn("%s is not reachable by user %s; using /tmp" % (base, self.run_as.pw_name))
                return "/tmp"
            parent = os.path.dirname(path)
            if parent == path:
                return base
            path = parent

    def start(self):
        self.tmp = tempfile.mkdtemp(prefix="plansok-pg-", dir=self._temp_base())
        os.chmod(self.tmp, 0o700)
        if self.run_as is not None:
            os.chown(self.tmp, self.run_as.pw_uid, self.run_as.pw_gid)
        self.data = os.path.join(self.tmp, "data")
        self._run(
            ["initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "--encoding=UTF8",
             "--locale=C.UTF-8", "--no-sync"],
            "initdb",
        )
        opts = "-k %s -p %d -c listen_addresses=''" % (shlex.quote(self.tmp), PG_PORT)
        opts += "".join(" -c %s=%s" % kv for kv in PG_SETTINGS.items())
        # Mark as started before pg_ctl returns, so a failed or interrupted start still stops.
        self.started = True
        self._run(
            ["pg_ctl", "start", "-D", self.data, "-w", "-t", "120",
             "-l", os.path.join(self.tmp, "server.log"), "-o", opts],
            "pg_ctl start",
        )

    def connect(self, psycopg2):
        return psycopg2.connect(host=self.tmp, port=PG_PORT, user="postgres", dbname="postgres")

    def stop(self):
        if self.tmp is None:
            return
        # A second signal must not cut the clean-up short.
        saved = {sig: signal.signal(sig, signal.SIG_IGN)
                 for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)}
        try:
            if self.started and os.path.exists(os.path.join(self.data, "postmaster.pid")):
                try:
                    self._run(["pg_ctl", "stop", "-D", self.data, "-m", "fast", "-w", "-t", "60"],
                              "pg_ctl stop")
                except BaselineError:
                    try:
                        self._run(["pg_ctl", "stop", "-D", self.data, "-m", "immediate", "-w"],
                                  "pg_ctl stop -m immediate")
                    except BaselineError as e:
                        warn("could not stop the temporary PostgreSQL server: %s" % e)
            self.started = False
        finally:
            shutil.rmtree(self.tmp, ignore_errors=True)
            self.tmp = None
            for sig, handler in saved.items():
                signal.signal(sig, handler)


PG_SCHEMA = """
CREATE TABLE units (
    id text PRIMARY KEY,
    title text NOT NULL,
    body text NOT NULL,
    county text,
    tsv tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('swedish', title), 'A') ||
        setweight(to_tsvector('swedish', body), 'B')
    ) STORED
)
"""

PG_QUERY = """
SELECT id
FROM units, websearch_to_tsquery('swedish', %(q)s) AS query
WHERE tsv @@ query {county}
ORDER BY ts_rank_cd(tsv, query) DESC, id COLLATE "C"
LIMIT %(k)s
"""


def pg_copy_stream(units):
    buf = io.StringIO()
    w = csv.writer(buf, quoting=csv.QUOTE_ALL, lineterminator="\n")
    for u in units:
        w.writerow([u["id"], u["title"], u["text"], u["county"]])
    buf.seek(0)
    return buf


def run_postgres(units, queries, k):
    psycopg2 = import_psycopg2()
    cluster = PgCluster(find_pg_bin())
    try:
        cluster.start()
        conn = cluster.connect(psycopg2)
        try:
            conn.autocommit = True
            cur = conn.cursor()
            cur.execute("SET client_min_messages = warning")
            cur.execute("SHOW server_version")
            version = cur.fetchone()[0]

            t0 = time.perf_counter()
            cur.execute(PG_SCHEMA)
            # CSV with every field quoted: "" is an empty string; NULLIF turns an empty county
            # into NULL afterwards.
            cur.copy_expert(
                "COPY units (id, title, body, county) FROM STDIN WITH (FORMAT csv)",
                pg_copy_stream(units),
            )
            cur.execute("UPDATE units SET county = NULL WHERE county = ''")
            cur.execute("CREATE INDEX units_tsv ON units USING gin (tsv)")
            cur.execute("VACUUM ANALYZE units")
            index_seconds = time.perf_counter() - t0

            plain = PG_QUERY.format(county="")
            filtered = PG_QUERY.format(county="AND county = %(county)s")
            results = {}
            times = []
            for query in queries:
                t = time.perf_counter()
                ranked = []
                if query["q"].strip():
                    params = {"q": query["q"], "k": k, "county": query["county"]}
                    cur.execute(filtered if query["county"] is not None else plain, params)
                    ranked = [row[0] for row in cur.fetchall()]
                times.append(time.perf_counter() - t)
                results[query["id"]] = ranked
        finally:
            conn.close()
    except psycopg2.Error as e:
        raise BaselineError("postgres: %s" % str(e).strip())
    finally:
        cluster.stop()

    info = (
        "PostgreSQL %s (Debian postgresql, throwaway cluster, UTF8, locale C.UTF-8); "
        "tsv = setweight(to_tsvector('swedish', title), 'A') || "
        "setweight(to_tsvector('swedish', body), 'B'), GIN index; "
        "websearch_to_tsquery('swedish', q) (AND of the words by default), tsv @@ query, "
        "ORDER BY ts_rank_cd(tsv, query) DESC (default weights {D,C,B,A} = {0.1,0.2,0.4,1.0}, "
        "normalization 0), then id; county as WHERE county = $county" % version
    )
    return results, info, index_seconds, median_ms(times)


# --------------------------------------------------------------------------------------------
# Main


def parse_args(argv):
    p = argparse.ArgumentParser(
        description="Run stock Xapian and PostgreSQL full-text baselines; print JSON rankings."
    )
    p.add_argument("--units", required=True, help="JSONL: {id, title, text, county}")
    p.add_argument("--queries", required=True, help="JSONL: {id, q, county or null}")
    p.add_argument("--k", type=int, default=20, help="results per query (default 20)")
    p.add_argument("--engines", default=",".join(ENGINES),
                   help="comma-separated subset of: %s (default: both)" % ",".join(ENGINES))
    args = p.parse_args(argv)
    if args.k < 1:
        p.error("--k must be at least 1")
    engines = []
    for name in args.engines.split(","):
        name = name.strip()
        if not name:
            continue
        if name not in ENGINES:
            p.error("unknown engine %r (known: %s)" % (name, ", ".join(ENGINES)))
        if name not in engines:
            engines.append(name)
    if not engines:
        p.error("--engines names no engine")
    args.engines = engines
    return args


def _terminate(signum, _frame):
    # Turn SIGTERM/SIGHUP into an exception so `finally` blocks stop the PostgreSQL cluster.
    raise BaselineError("interrupted by signal %d" % signum, 128 + signum)


def main(argv):
    args = parse_args(argv)
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _terminate)
    try:
        # Check every requested engine's packages before doing any work.
        if "xapian" in args.engines:
            import_xapian()
        if "postgres" in args.engines:
            import_psycopg2()
            find_pg_bin()
        units = load_units(args.units)
        queries = load_queries(args.queries)

        runners = {"xapian": run_xapian, "postgres": run_postgres}
        out = {}
        info = {"index_seconds": {}, "query_ms_median": {}}
        for name in args.engines:
            results, desc, index_seconds, q_ms = runners[name](units, queries, args.k)
            out[name] = results
            info[name] = desc
            info["index_seconds"][name] = round(index_seconds, 3)
            info["query_ms_median"][name] = q_ms
        out["info"] = info
    except BaselineError as e:
        print("baselines.py: error: %s" % e, file=sys.stderr)
        return e.code
    except KeyboardInterrupt:
        print("baselines.py: error: interrupted", file=sys.stderr)
        return 130
    except Exception as e:  # an engine's own error (e.g. xapian.Error): say which, exit non-zero
        import traceback

        traceback.print_exc()
        print("baselines.py: error: unexpected %s: %s" % (type(e).__name__, e), file=sys.stderr)
        return EXIT_ENGINE

    data = json.dumps(out, ensure_ascii=False, indent=None, separators=(",", ":"))
    sys.stdout.buffer.write(data.encode("utf-8") + b"\n")
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
