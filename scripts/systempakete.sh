#!/usr/bin/env bash
# The Debian packages the tests need beside the Python ones: Chromium (browser tests, PDF),
# poppler-utils (reading the PDFs), DejaVu fonts. (Tests that render on another day move the
# clock with the pip package time-machine, no system binary.)
# `make test` calls this first, so a bare machine sets itself up; installs only what is missing.
set -euo pipefail

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
dpkg -s fonts-dejavu-core >/dev/null 2>&1 || need+=(fonts-dejavu-core)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
[ ${#need[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "Für die Tests fehlen: ${need[*]}. Bitte mit dem Paketverwalter des Systems installieren." >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "Für die Tests fehlen: ${need[*]}. Bitte als root installieren: apt-get install ${need[*]}" >&2
    exit 1
  fi
  SUDO="sudo"
fi
echo "Installiere Debian-Pakete: ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq "${need[@]}" >/dev/null
