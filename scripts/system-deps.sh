#!/bin/sh
# Install Debian packages letterforge benefits from, when we can: sh scripts/system-deps.sh PKG...
# `make demo` asks for the ones PDFs use (HarfBuzz's subsetter, the Caladea font); `make test`
# also for LibreOffice and poppler, with which the tests check the DOCX and PDF files.
# Without the runtime ones letterforge still works: fonts fall back, font embedding is slower.
packages="$*"

command -v dpkg-query >/dev/null 2>&1 || {
    echo "letterforge: not a Debian system: install these or their equivalents: $packages" >&2
    exit 0
}
missing=""
for package in $packages; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
        missing="$missing $package"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "letterforge: installing$missing" >&2
    { apt-get update -qq &&
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null; } ||
        echo "letterforge: could not install$missing" >&2
else
    echo "letterforge: for better PDFs (and to run the tests) run: sudo apt-get install$missing" >&2
fi
