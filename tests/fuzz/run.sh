#!/usr/bin/env bash
# Fuzzes plansok's parsers with cargo-fuzz (libFuzzer), each target for a bounded time.
#
#   bash tests/fuzz/run.sh [SECONDS_PER_TARGET]   (default 60)
#
# Targets (tests/fuzz/fuzz_targets/): pdf and html extraction, classify (period and region
# parsers on arbitrary text), query (query parser and search over a small index). Needs
# nightly Rust (`rustup toolchain install nightly`) and cargo-fuzz (installed when absent).
# Seeds come from corpus/sample and, when present, ../shared (fixtures/pdf, realworld/pdf,
# seeds). The corpus tests/fuzz/corpus/<target>/ is not committed: when it is absent or empty it
# is seeded from them, and the inputs libFuzzer finds interesting are added to it. Crashes go to
# tests/fuzz/artifacts/<target>/. Both folders are ignored by git.
# Limits per input: 10 s, 2 GB of memory; a crash, a timeout or an out-of-memory stops the run
# with a non-zero exit and the input saved.
set -euo pipefail
secs="${1:-60}"
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
seeds="$here/seeds"
rm -rf "$seeds"
mkdir -p "$seeds"/{pdf,html,classify,query}
find "$root/corpus/sample" -name '*.pdf' -exec cp {} "$seeds/pdf/" \;
find "$root/corpus/sample" -name '*.html' -exec cp {} "$seeds/html/" \;
if [ -d "$root/../shared" ]; then
  find "$root/../shared/fixtures/pdf" "$root/../shared/realworld/pdf" -name '*.pdf' -size -2M -exec cp {} "$seeds/pdf/" \; 2>/dev/null || true
  find "$root/../shared/seeds" -name '*.html' -exec cp {} "$seeds/html/" \; 2>/dev/null || true
  find "$root/../shared/seeds" -name '*.txt' -exec cp {} "$seeds/classify/" \; 2>/dev/null || true
fi
printf 'Regional handlingsplan 2022–2026\nJämtlands län\nPlanen gäller 2022-2026 och följs upp 2025.\n' > "$seeds/classify/plan.txt"
printf 'Handlingsplan för år 2025\nKramfors kommun\nNationella strategin 2017–2026.\n' > "$seeds/classify/year.txt"
i=0
for q in 'våld' '"mäns våld" AND NOT title:nyhet' 'kvinno* hrv' 'MVK\x01jamtland\x012022-2026' '((a OR b)' 'title:"x' '+våld -vald~2'; do
  printf "$q" > "$seeds/query/q$i"; i=$((i+1))
done
status=0
for t in pdf html classify query; do
  mkdir -p "$here/corpus/$t" "$here/artifacts/$t"
  if [ -z "$(ls -A "$here/corpus/$t")" ]; then
    echo "== $t: no corpus yet, seeding it from $(ls "$seeds/$t" | wc -l) inputs"
    cp "$seeds/$t"/* "$here/corpus/$t/" 2>/dev/null || true
  fi
  echo "== $t: $secs s"
  if ! cargo +nightly fuzz run --fuzz-dir "$here" "$t" "$here/corpus/$t" "$seeds/$t" -- \
      -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=1048576 \
      -artifact_prefix="$here/artifacts/$t/" -print_final_stats=1 2>&1 | tee "$here/artifacts/$t.log" | grep -E 'Done|stat::number_of_executed_units|stat::new_units_added|SUMMARY|ERROR|panicked'; then
    :
  fi
  if grep -qE 'SUMMARY|ERROR: libFuzzer|panicked' "$here/artifacts/$t.log"; then status=1; fi
done
exit $status
