#!/usr/bin/env bash
# Installs what baselines.py needs, from Debian's packages: python3-xapian, postgresql (server
# binaries under /usr/lib/postgresql/<ver>/bin) and python3-psycopg2 (the script's client).
# Idempotent: does nothing when all are installed. Uses sudo when not root. Waits for the dpkg
# lock (up to 15 minutes) if another apt-get is running.
set -euo pipefail
pkgs=(python3-xapian postgresql python3-psycopg2)
missing=()
for p in "${pkgs[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ "${#missing[@]}" -eq 0 ]; then
  echo "install_deps.sh: already installed: ${pkgs[*]}"
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install_deps.sh: installing ${missing[*]}"
# apt-get update takes the lists lock, which DPkg::Lock::Timeout may not cover: retry.
for i in $(seq 1 90); do
  if $SUDO apt-get -o DPkg::Lock::Timeout=900 update -qq; then break; fi
  if [ "$i" -eq 90 ]; then echo "install_deps.sh: apt-get update kept failing" >&2; exit 1; fi
  sleep 10
done
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 install -y -qq \
  "${missing[@]}" >/dev/null
/usr/bin/python3 -c 'import xapian, psycopg2' || {
  echo "install_deps.sh: python3-xapian/python3-psycopg2 installed but not importable by /usr/bin/python3" >&2
  exit 1
}
