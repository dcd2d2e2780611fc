#!/usr/bin/env bash
# Speed and memory of `ferry check` over a large simple-lead CSV.
#
#   bench/check.sh [ROWS] [PROFILE]      (defaults: 1000000 release)
#
# Writes ROWS leads under bench/out/ with awk (reused on later runs; about
# 1 row in 50 carries a planted problem: an over-long first name, an unknown
# market segment, or neither email nor phone), builds ferry (PROFILE `release`
# takes several minutes the first time; `debug` is quicker to build, slower to
# run), checks the file with the bundled simple lead mapping and prints rows
# per second and the peak memory (which should not grow with ROWS).
set -euo pipefail

rows="${1:-1000000}"
profile="${2:-release}"
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
target="${CARGO_TARGET_DIR:-$root/target}"
out="$root/bench/out/check-$rows"
mkdir -p "$out"

if [[ ! -s "$out/leads.csv" ]]; then
    echo "writing $out/leads.csv…" >&2
    awk -v n="$rows" 'BEGIN {
        print "ID,First Name,Last Name,Email Address,Phone,Market Segment,Sales Concept,Company,Position,Zip Code"
        split("Olivia Liam Emma Noah Charlotte William Amelia James Sophia Benjamin", first, " ")
        split("Tremblay Gagnon Roy Cote Bouchard Morin Lee Nguyen Martin Wilson", last, " ")
        split("Starting Out|Pre-Retirement|Retirement", seg, "|")
        split("First-Time Home Buyer|Mortgage Needs|Retirement Income|Survivor Needs|Wealth Transfer Planning", con, "|")
        for (i = 1; i <= n; i++) {
            f = first[i % 10 + 1]; l = last[int(i / 10) % 10 + 1]
            email = tolower(f) "." tolower(l) i "@example.com"; phone = sprintf("416-555-%04d", i % 10000)
            s = seg[i % 3 + 1]
            if (i % 150 == 7) f = f "-Alexandrina-Maximiliana-Josephine"
            if (i % 150 == 77) s = "Gold Members"
            if (i % 150 == 127) { email = ""; phone = "" }
            printf "%d,%s,%s,%s,%s,%s,%s,Company %d,Analyst,M5V %dT6\n", i, f, l, email, phone, s, con[i % 5 + 1], i % 997, i % 10
        }
    }' > "$out/leads.csv"
fi

echo "building ferry ($profile)…" >&2
if [[ "$profile" == release ]]; then
    cargo build --release --quiet --bin ferry
else
    cargo build --quiet --bin ferry
fi
ferry="$target/$profile/ferry"

size=$(du -h "$out/leads.csv" | cut -f1)
start=$(date +%s.%N)
if command -v /usr/bin/time >/dev/null; then
    /usr/bin/time -f "%M" -o "$out/mem" "$ferry" check --quiet --json --data "$out" \
        --mapping templates/mappings/simple-leads.json > "$out/report.json" || true
    mem="$(tail -n 1 "$out/mem") KB"
else
    "$ferry" check --quiet --json --data "$out" --mapping templates/mappings/simple-leads.json > "$out/report.json" || true
    mem="(install GNU time for the peak memory)"
fi
end=$(date +%s.%N)
secs=$(echo "$end - $start" | bc -l)
problems=$(grep -c '"kind"' "$out/report.json" || true)
printf 'ferry check (%s): %s rows (%s) in %.2f s = %.0f rows/s, %s problems, peak memory %s\n' \
    "$profile" "$rows" "$size" "$secs" "$(echo "$rows / $secs" | bc -l)" "$problems" "$mem"
