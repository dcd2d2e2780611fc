#!/usr/bin/env bash
# Import benchmark: `ferry import` of a generated contacts package (1,000,000
# rows by default, split into several ≤10 MB packages imported as one job)
# against `sqlite3 DB '.import --csv …'` of the same CSV, in the same run.
# sqlite3 converts and validates nothing; the goal is ferry within 2× its time,
# with peak memory flat as the input grows (so it also runs at a tenth of the
# size and prints both peaks).
#
#   bench/import.sh                 # 1,000,000 rows, release build
#   ROWS=200000 bench/import.sh     # smaller
#   PROFILE=debug bench/import.sh   # without a release build (slow, for a smoke run)
#   FERRY_BIN=/tmp/ferry-old bench/import.sh   # another binary (before/after in one session)
#
# Needs: cargo, python3 or awk, sqlite3 (apt-get install -y sqlite3), GNU time (/usr/bin/time).
set -euo pipefail

ROWS=${ROWS:-1000000}
# shellcheck source=bench/common.sh
source "$(dirname "$0")/common.sh"
# FERRY_BIN=path runs another build (an earlier one, to compare in the same session).
BIN=${FERRY_BIN:-$BIN}
command -v sqlite3 >/dev/null || { echo "sqlite3 is missing: apt-get install -y sqlite3" >&2; exit 2; }

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT


# wall seconds, CPU seconds (user + system) and peak KB of a command, from
# GNU time; CPU time is printed too because wall time is noisy on a shared machine
measure() { # label command…
    local label=$1; shift
    /usr/bin/time -f "%e %U %S %M" -o "$WORK/time.txt" "$@" > /dev/null
    read -r secs user sys kb < "$WORK/time.txt"
    echo "$label $secs $(echo "$user + $sys" | bc -l) $kb"
}

run_size() { # rows
    local rows=$1 dir="$WORK/$1"
    flat_contacts "$rows" "$dir/data"
    mkdir -p "$dir/pkg"
    "$BIN" pack --quiet --data "$dir/data" --mapping "$ROOT/test-data/runner/simple-contacts.json" \
        --out "$dir/pkg/contacts.zip" > /dev/null
    local packages
    packages=$(ls "$dir"/pkg/*.zip | wc -l)
    read -r _ f_secs f_cpu f_kb < <(measure ferry "$BIN" import --quiet --db "$dir/ferry.db" "$dir"/pkg/*.zip)
    read -r _ s_secs s_cpu s_kb < <(measure sqlite3 sqlite3 "$dir/plain.db" ".import --csv $dir/data/contacts.csv contacts")
    local staged
    staged=$(sqlite3 "$dir/ferry.db" "SELECT count(*) FROM staged")
    local csv_mb
    csv_mb=$(du -m "$dir/data/contacts.csv" | cut -f1)
    local db_mb
    db_mb=$(du -m "$dir/ferry.db" | cut -f1)
    printf "%9d rows (%4d MB CSV, %2d packages): ferry import %7.2f s (cpu %6.2f s) %7d KB peak (%d staged, %d MB store) | sqlite3 .import %7.2f s (cpu %6.2f s) %7d KB peak | ratio %.2f (cpu %.2f)\n" \
        "$rows" "$csv_mb" "$packages" "$f_secs" "$f_cpu" "$f_kb" "$staged" "$db_mb" "$s_secs" "$s_cpu" "$s_kb" \
        "$(echo "$f_secs / $s_secs" | bc -l)" "$(echo "$f_cpu / $s_cpu" | bc -l)"
    rm -rf "$dir"
}

echo "ferry import vs sqlite3 .import ($PROFILE build, $(nproc) cores)"
run_size $((ROWS / 10))
run_size "$ROWS"
