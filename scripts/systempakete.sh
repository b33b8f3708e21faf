#!/usr/bin/env bash
# The Debian packages the tests need beside the Python ones: Chromium (browser tests, PDF),
# poppler-utils (reading the PDFs), DejaVu fonts. (Tests that render on another day move the
# clock with the pip package time-machine, no system binary.)
# `make test` (and so `.ci/run`) calls this first, so a bare machine with Python, make and git
# sets itself up; it installs only what is missing. Not root: `sudo -n` (never a password
# prompt, the run may have no terminal); where that is impossible it says in German what to run.
set -euo pipefail

need=()
chromium_da() {
  local exe
  for exe in chromium chromium-browser google-chrome google-chrome-stable; do
    command -v "$exe" >/dev/null 2>&1 && return 0
  done
  return 1
}
dejavu_da() {
  if command -v dpkg >/dev/null 2>&1 && dpkg -s fonts-dejavu-core >/dev/null 2>&1; then
    return 0
  fi
  local d
  for d in /usr/share/fonts /usr/local/share/fonts "${HOME:-/nonexistent}/.local/share/fonts"; do
    [ -n "$(find "$d" -iname 'DejaVuSans.ttf' -print -quit 2>/dev/null)" ] && return 0
  done
  return 1
}
chromium_da || need+=(chromium)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
dejavu_da || need+=(fonts-dejavu-core)
[ ${#need[@]} -eq 0 ] && exit 0

befehl="apt-get install -y ${need[*]}"
fehlt() {
  echo "Für die Tests fehlen Systempakete: ${need[*]}." >&2
  echo "$1" >&2
  echo "Danach erneut: make test" >&2
  exit 1
}

if ! command -v apt-get >/dev/null 2>&1; then
  fehlt "Kein apt-get gefunden (kein Debian/Ubuntu): bitte Chromium, poppler-utils und die Schrift DejaVu Sans mit dem Paketverwalter des Systems installieren."
fi
SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null 2>&1; then
    fehlt "Ohne root-Rechte und ohne sudo lässt sich nichts installieren. Bitte als root ausführen: $befehl"
  fi
  if ! sudo -n true >/dev/null 2>&1; then
    fehlt "sudo verlangt ein Passwort (oder ist nicht erlaubt); ohne Rückfrage geht es nicht. Bitte einmal selbst ausführen: sudo apt-get update && sudo $befehl"
  fi
  SUDO=(sudo -n)
fi
echo "Installiere Debian-Pakete für die Tests: ${need[*]} (einmalig, etwa 1–3 Minuten) …"
export DEBIAN_FRONTEND=noninteractive
if ! "${SUDO[@]}" apt-get update -qq || ! "${SUDO[@]}" apt-get install -y -qq "${need[@]}" >/dev/null; then
  fehlt "Die Installation mit apt-get ist fehlgeschlagen (Meldung oben; Netz? Paketquellen?). Bitte selbst ausführen: ${SUDO[*]:+sudo }apt-get update && ${SUDO[*]:+sudo }$befehl"
fi
