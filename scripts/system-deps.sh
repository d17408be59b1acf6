#!/bin/sh
# Install the Debian packages letterforge's PDF rendering benefits from, when we can.
# Without them letterforge still works: fonts fall back and font embedding is slower.
packages="libharfbuzz-subset0 fonts-crosextra-caladea"

command -v dpkg-query >/dev/null 2>&1 || {
    echo "letterforge: not a Debian system: install HarfBuzz's subset library and the Caladea font for the best PDFs" >&2
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
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null; } ||
        echo "letterforge: could not install$missing; PDFs still build, with fallback fonts and slower font embedding" >&2
else
    echo "letterforge: for faster, better-looking PDFs run: sudo apt-get install$missing" >&2
fi
