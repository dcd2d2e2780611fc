#!/usr/bin/env bash
# Kinds of mess of real exports, one small export each, end to end.
#
#   bench/messy_kinds.sh [KIND…]      (PROFILE=release WORK=dir KEEP=1)
#
# bench/messy_kinds.py writes each kind's export (encodings, delimiters,
# quoting, headers, values, ids, a long-format child table; see its header)
# and what must be stored for each of its rows. Each goes through `ferry
# profile`, `map --auto`, `check`, `pack --allow-errors` and `import`;
# bench/messy_kinds_score.py then compares the staged records with the
# expectation and prints one line per kind: rows staged, rows rejected
# (with a reason on record), and every value stored wrong, missing or blended.
set -euo pipefail
source "$(dirname "$0")/common.sh"
WORK=${WORK:-$(mktemp -d)}
mkdir -p "$WORK"
[ -n "${KEEP:-}" ] || trap 'rm -rf "$WORK"' EXIT
echo "work directory: $WORK (KEEP=1 keeps it)"

python3 bench/messy_kinds.py "$WORK" "$@"
for dir in "$WORK"/*/; do
    d=${dir%/}
    kind=$(basename "$d")
    rm -f "$d/ferry.db" "$d/auto.json"
    "$BIN" profile "$d/data" >"$d/profile.txt" 2>&1 || true
    "$BIN" map --data "$d/data" --target contacts --out "$d/auto.json" --auto >"$d/map.txt" 2>&1 || true
    "$BIN" --json check --data "$d/data" --mapping "$d/auto.json" >"$d/check.json" 2>"$d/check.err" || true
    "$BIN" check --data "$d/data" --mapping "$d/auto.json" >"$d/check.txt" 2>&1 || true
    rm -f "$d"/pkg*.zip "$d"/pkg*.csv
    "$BIN" --quiet pack --data "$d/data" --mapping "$d/auto.json" --out "$d/pkg.zip" --allow-errors \
        >"$d/pkgs.txt" 2>"$d/pack.err" || true
    mapfile -t pkgs <"$d/pkgs.txt"
    if [ "${#pkgs[@]}" -gt 0 ]; then
        "$BIN" --json import --db "$d/ferry.db" "${pkgs[@]}" --description "$kind" >"$d/import.json" \
            2>"$d/import.err" || true
    fi
    if [ -f "$d/ferry.db" ]; then
        sqlite3 -json "$d/ferry.db" "SELECT line, record FROM staged ORDER BY line" >"$d/staged.json"
    else
        echo "[]" >"$d/staged.json"
    fi
    python3 bench/messy_kinds_score.py "$d"
done
