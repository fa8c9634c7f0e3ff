#!/usr/bin/env bash
# Converts the plan sources of the realistic corpus to PDF with LibreOffice:
# corpus/realistic-src/<host>/<path>.html -> corpus/realistic/<host>/<path>.pdf
# Usage: corpus/tools/realistic_pdfs.sh [SUBFOLDER-OF-realistic-src]   (needs soffice:
#   apt-get install -y libreoffice-writer-nogui)
set -euo pipefail
top="$(cd "$(dirname "$0")/.." && pwd)"
src="$top/realistic-src"
out="$top/realistic"
sub="${1:-}"
profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
find "$src/$sub" -name '*.html' -print0 | while IFS= read -r -d '' f; do
  rel="${f#"$src"/}"
  dest="$out/$(dirname "$rel")"
  mkdir -p "$dest"
  soffice --headless -env:UserInstallation="file://$profile" \
    --convert-to pdf:writer_pdf_Export --outdir "$dest" "$f" >/dev/null
  echo "$rel -> ${dest#"$top"/}/$(basename "${rel%.html}").pdf"
done
