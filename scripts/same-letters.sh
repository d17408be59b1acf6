#!/bin/sh
# Do two revisions write the same letters? sh scripts/same-letters.sh OLD [NEW]
# Builds this checkout's example workspace (its rosters, campaigns and templates) once with the
# letterforge package of each revision (NEW: the working tree when left out), and compares the
# SHA-256 of every file in build/ except manifest.json, which records the tool's own version.
# For a change that must not change any letter, such as a reorganization of the code.
set -e
old="$1"
new="${2:-}"
[ -n "$old" ] || { echo "usage: sh scripts/same-letters.sh OLD [NEW]" >&2; exit 2; }
python="$(pwd)/.venv/bin/python"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for side in old new; do
    revision=$([ "$side" = old ] && echo "$old" || echo "$new")
    mkdir -p "$work/$side/package" "$work/$side/workspace"
    if [ -n "$revision" ]; then
        git archive "$revision" letterforge | tar -x -C "$work/$side/package"
    else
        cp -r letterforge "$work/$side/package/"
    fi
    git archive HEAD letterforge.yaml recipients templates campaigns | tar -x -C "$work/$side/workspace"
    (cd "$work/$side/workspace" && PYTHONPATH="$work/$side/package" "$python" -m letterforge build -q)
    (cd "$work/$side/workspace/build" && find . -type f ! -name manifest.json | sort | xargs sha256sum) \
        > "$work/$side.sums"
done
if diff "$work/old.sums" "$work/new.sums"; then
    echo "the same $(wc -l < "$work/old.sums") files from $old and ${new:-the working tree}"
else
    echo "the files differ (above: < $old, > ${new:-the working tree})" >&2
    exit 1
fi
