#!/usr/bin/env bash
# Self-test for baselines.py: a 6-unit Swedish example, run through both engines, checked with
# /usr/bin/python3. Needs python3-xapian, postgresql and python3-psycopg2 (install_deps.sh).
# Prints "N passed, 0 failed" and exits 0 when all checks hold; exits 1 otherwise.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
PY=/usr/bin/python3
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Units are written out of id order on purpose (u6 before u5), to check the tie rule.
cat >"$work/units.jsonl" <<'EOF'
{"id": "u1", "title": "Kvinnojourer i länet", "text": "Kommunen samarbetar med kvinnojouren och ger stöd till kvinnor som utsatts för våld.", "county": "Stockholms län"}
{"id": "u2", "title": "Handlingsplan mot mäns våld mot kvinnor", "text": "Handlingsplanen beskriver hur våldsutsatta kvinnor får skyddat boende.", "county": "Skåne län"}
{"id": "u3", "title": "Förebyggande arbete", "text": "Skolan arbetar förebyggande. Handlingsplanen följs upp varje år.", "county": "Skåne län"}
{"id": "u4", "title": "Regional strategi", "text": "Länsstyrelsens handlingsplan för jämställdhet och våld i nära relationer.", "county": "Västra Götalands län"}
{"id": "u6", "title": "Socialtjänstens rutiner", "text": "Socialtjänsten gör en riskbedömning vid hedersrelaterat förtryck.", "county": ""}
{"id": "u5", "title": "Socialtjänstens rutiner", "text": "Socialtjänsten gör en riskbedömning vid hedersrelaterat förtryck.", "county": "Skåne län"}
EOF

cat >"$work/queries.jsonl" <<'EOF'
{"id": "stem", "q": "kvinnojour", "county": null}
{"id": "stem2", "q": "våldsutsatt kvinna", "county": null}
{"id": "county", "q": "handlingsplan", "county": "Skåne län"}
{"id": "nocounty", "q": "handlingsplan", "county": null}
{"id": "title", "q": "handlingsplan", "county": "Skåne län"}
{"id": "tie", "q": "riskbedömning", "county": null}
{"id": "empty", "q": "", "county": null}
{"id": "blank", "q": "   ", "county": null}
{"id": "punct", "q": "\"våld i nära AND (kvinnor OR -) ' ; DROP TABLE units; -- ? !!! \\", "county": null}
{"id": "punct2", "q": "kvinnojourer?! ((\"", "county": null}
{"id": "ops", "q": "AND OR NOT ( ) \" + - * :", "county": "Skåne län"}
{"id": "upper", "q": "KVINNOJOURER", "county": ""}
{"id": "nomatch", "q": "kvinnojour", "county": "Norrbottens län"}
EOF

before="$(ls -d "${TMPDIR:-/tmp}"/plansok-pg-* 2>/dev/null | sort || true)"
"$PY" "$here/baselines.py" --units "$work/units.jsonl" --queries "$work/queries.jsonl" --k 5 \
  >"$work/out.json" 2>"$work/err.txt" || {
  echo "baselines.py failed:" >&2
  cat "$work/err.txt" >&2
  exit 1
}
after="$(ls -d "${TMPDIR:-/tmp}"/plansok-pg-* 2>/dev/null | sort || true)"

# Checks on the command line itself; their results go into the summary below.
: >"$work/cli.txt"
cli() { echo "$1 $2" >>"$work/cli.txt"; }
if "$PY" "$here/baselines.py" --units "$work/units.jsonl" --queries "$work/queries.jsonl" \
  --engines lucene >/dev/null 2>"$work/e1"; then
  cli FAIL "unknown engine accepted"
else
  cli ok "unknown engine rejected: $(tail -n1 "$work/e1")"
fi
if "$PY" "$here/baselines.py" --units "$work/nope.jsonl" --queries "$work/queries.jsonl" \
  >/dev/null 2>"$work/e2"; then
  cli FAIL "missing units file accepted"
elif grep -q "cannot read units file" "$work/e2"; then
  cli ok "missing units file: $(cat "$work/e2")"
else
  cli FAIL "missing units file, unclear message: $(cat "$work/e2")"
fi
if [ "$before" = "$after" ]; then
  cli ok "temporary PostgreSQL cluster removed"
else
  cli FAIL "a plansok-pg-* temp dir was left behind"
fi

"$PY" - "$work/out.json" "$work/cli.txt" <<'EOF'
import json
import sys

out = json.load(open(sys.argv[1], encoding="utf-8"))
passed = failed = 0


def check(name, ok, detail):
    global passed, failed
    if ok:
        passed += 1
        print("ok   %s" % name)
    else:
        failed += 1
        print("FAIL %s: %s" % (name, detail))


county_of = {"u1": "Stockholms län", "u2": "Skåne län", "u3": "Skåne län",
             "u4": "Västra Götalands län", "u5": "Skåne län", "u6": ""}
check("output has both engines and info",
      set(out) == {"xapian", "postgres", "info"}, sorted(out))
for engine in ("xapian", "postgres"):
    r = out[engine]
    check("%s: one list per query" % engine, len(r) == 13, sorted(r))
    check("%s: at most k=5" % engine, all(len(v) <= 5 for v in r.values()), r)
    check("%s: stemmed 'kvinnojour' finds u1 first" % engine,
          r["stem"][:1] == ["u1"], r["stem"])
    check("%s: stemmed 'våldsutsatt kvinna' finds u2" % engine,
          "u2" in r["stem2"], r["stem2"])
    check("%s: county filter holds" % engine,
          r["county"] and all(county_of[u] == "Skåne län" for u in r["county"]), r["county"])
    check("%s: county filter finds u2 and u3" % engine,
          set(r["county"]) == {"u2", "u3"}, r["county"])
    check("%s: no filter also finds u4" % engine, "u4" in r["nocounty"], r["nocounty"])
    check("%s: title match ranks first" % engine, r["title"][:1] == ["u2"], r["title"])
    check("%s: ties ordered by id" % engine, r["tie"] == ["u5", "u6"], r["tie"])
    check("%s: empty query gives []" % engine, r["empty"] == [] and r["blank"] == [],
          (r["empty"], r["blank"]))
    check("%s: punctuation does not crash" % engine, isinstance(r["punct"], list), r["punct"])
    check("%s: punctuation around a word still finds it" % engine,
          r["punct2"][:1] == ["u1"], r["punct2"])
    check("%s: operators only does not crash" % engine,
          isinstance(r["ops"], list) and all(county_of[u] == "Skåne län" for u in r["ops"]),
          r["ops"])
    check("%s: upper case query, county '' = no filter" % engine,
          r["upper"][:1] == ["u1"], r["upper"])
    check("%s: county with no units gives []" % engine, r["nomatch"] == [], r["nomatch"])
info = out["info"]
for engine in ("xapian", "postgres"):
    check("info.%s names a version" % engine,
          isinstance(info.get(engine), str) and any(c.isdigit() for c in info[engine]),
          info.get(engine))
    check("info timings for %s" % engine,
          isinstance(info["index_seconds"].get(engine), (int, float))
          and isinstance(info["query_ms_median"].get(engine), (int, float)), info)
for line in open(sys.argv[2], encoding="utf-8"):
    verdict, _, detail = line.rstrip("\n").partition(" ")
    check("cli: " + detail, verdict == "ok", detail)
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
EOF
