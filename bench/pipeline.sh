#!/usr/bin/env bash
# Pipeline benchmark through the store: `ferry match` and `ferry complete` of
# a generated contacts job against as many existing contacts (put there by a
# first `ferry run`), about 30 % of the staged people being the existing ones
# under other ids with a changed first name (so matching has real merges).
# Prints wall time, CPU time and peak memory of each step.
#
#   bench/pipeline.sh                  # 100,000 × 100,000, release build
#   ROWS=20000 bench/pipeline.sh       # smaller
#   PROFILE=debug bench/pipeline.sh    # without a release build (slow, for a smoke run)
#
# Needs: cargo, awk, bc, sqlite3, GNU time (/usr/bin/time).
set -euo pipefail

ROWS=${ROWS:-100000}
# shellcheck source=bench/common.sh
source "$(dirname "$0")/common.sh"
command -v sqlite3 >/dev/null || { echo "sqlite3 is missing: apt-get install -y sqlite3" >&2; exit 2; }

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export FERRY_DB="$WORK/ferry.db"

generate() { # rows dir id-prefix duplicate-share(%)
    mkdir -p "$2"
    awk -v n="$1" -v p="$3" -v dup="$4" 'BEGIN {
        print "ID,First Name,Last Name,Birth Date,Email,Phone,City,Zip"
        srand(7)
        for (i = 0; i < n; i++) {
            if (p == "S" && rand() * 100 >= dup) { j = n + i; first = "Other" j } else { j = i; first = (p == "S" ? "Frist" : "First") j }
            printf "%s%d,%s,Last%d,19%02d-%02d-%02d,p%d@example.com,+1 416 555 %04d,Toronto,M5V %03d\n",
                p, i, first, j % 50021, 50 + j % 50, 1 + j % 12, 1 + j % 28, j, j % 10000, j % 1000
        }
    }' > "$2/contacts.csv"
}

measure() { # label command…
    local label=$1; shift
    /usr/bin/time -f "%e %U %S %M" -o "$WORK/time.txt" "$@" > "$WORK/out.txt"
    read -r secs user sys kb < "$WORK/time.txt"
    printf "%-34s %8.2f s wall %8.2f s cpu %9d KB peak\n" "$label" "$secs" "$(echo "$user + $sys" | bc -l)" "$kb"
}

mapping="$ROOT/test-data/runner/simple-contacts.json"
generate "$ROWS" "$WORK/existing" E 0
generate "$ROWS" "$WORK/staged" S 30
"$BIN" pack --quiet --data "$WORK/existing" --mapping "$mapping" --out "$WORK/existing.zip" > /dev/null
"$BIN" pack --quiet --data "$WORK/staged" --mapping "$mapping" --out "$WORK/staged.zip" > /dev/null

echo "ferry pipeline, $ROWS staged × $ROWS existing contacts ($PROFILE build, $(nproc) cores)"
measure "run (existing: import+match+complete)" "$BIN" run --quiet --description existing "$WORK"/existing*.zip
measure "import" "$BIN" import --quiet --description staged "$WORK"/staged*.zip
"$BIN" staged --quiet staged --submit > /dev/null
measure "match" "$BIN" match --quiet staged
{ grep -E "Match|proposed" "$WORK/out.txt" || true; } | sed 's/^/    /'
measure "complete" "$BIN" complete --quiet staged
sed 's/^/    /' "$WORK/out.txt"
measure "undo" "$BIN" undo --quiet staged
echo "records in the store: $(sqlite3 "$FERRY_DB" 'SELECT count(*) FROM records')"
