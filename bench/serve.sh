#!/usr/bin/env bash
# Page times of `ferry serve` on a large job: ROWS generated contacts (100,000
# by default) imported, a copy of them completed first so that matching finds
# candidates, then each page and API read timed with curl (first byte to last,
# three runs each, the best kept).
#
#   bench/serve.sh                 # 100,000 staged records, release build
#   ROWS=10000 PROFILE=debug bench/serve.sh
#
# Needs: cargo, awk, curl, GNU time (/usr/bin/time).
set -euo pipefail

ROWS=${ROWS:-100000}
# shellcheck source=bench/common.sh
source "$(dirname "$0")/common.sh"
command -v curl >/dev/null || { echo "curl is missing: apt-get install -y curl" >&2; exit 2; }

WORK=$(mktemp -d)
trap 'kill "$SERVER" 2>/dev/null || true; rm -rf "$WORK"' EXIT
export FERRY_DB="$WORK/ferry.db"

generate() { # rows dir shift
    mkdir -p "$2"
    awk -v n="$1" -v s="$3" 'BEGIN {
        print "ID,First Name,Last Name,Birth Date,Email,Phone,City,Zip"
        for (i = 0; i < n; i++)
            printf "C%d,First%d,Last%d,19%02d-%02d-%02d,p%d@example.com,+1 416 555 %04d,Toronto,M5V %03d\n",
                i, (i + s) % 997, i % 1999, 50 + i % 50, 1 + i % 12, 1 + i % 28, i, i % 10000, i % 1000
    }' > "$2/contacts.csv"
}

step() { # label command…
    local label=$1; shift
    /usr/bin/time -f "$label: %e s, %M KB peak" "$@" > /dev/null
}

generate "$ROWS" "$WORK/old" 0
generate "$ROWS" "$WORK/new" 1
for d in old new; do
    "$BIN" pack --quiet --data "$WORK/$d" --mapping "$ROOT/test-data/runner/simple-contacts.json" --out "$WORK/$d.zip" > /dev/null
done
step "import (existing)" "$BIN" import --quiet "$WORK"/old*.zip --description existing
"$BIN" staged existing --submit --quiet > /dev/null
step "match (existing)" "$BIN" match existing --quiet
step "complete (existing)" "$BIN" complete existing --quiet
step "import (job)" "$BIN" import --quiet "$WORK"/new*.zip --description job
"$BIN" staged job --submit --quiet > /dev/null
step "match (job)" "$BIN" match job --quiet
printf 'long-enough-password\n' | "$BIN" users add bench --role manage --password-stdin > /dev/null

"$BIN" serve --bind 127.0.0.1:0 > "$WORK/serve.out" 2> /dev/null &
SERVER=$!
for _ in $(seq 50); do grep -q http "$WORK/serve.out" 2>/dev/null && break; sleep 0.1; done
BASE=$(grep -o 'http://[^/]*' "$WORK/serve.out")
curl -s -c "$WORK/cookies" -d 'user=bench&password=long-enough-password' -H 'Accept: application/json' "$BASE/login" > /dev/null
JOB=2
STAGED=$(sqlite3 "$FERRY_DB" "SELECT min(id) FROM staged WHERE job_id = $JOB" 2>/dev/null || echo $((ROWS + 1)))

time_page() { # label path
    local best=""
    for _ in 1 2 3; do
        t=$(curl -s -o /dev/null -b "$WORK/cookies" -w '%{time_total}' "$BASE$2")
        best=$(printf '%s\n%s\n' "$t" "${best:-$t}" | sort -n | head -1)
    done
    printf '%-44s %8.3f s\n' "$1" "$best"
}

echo "$ROWS staged records in job $JOB (and $ROWS existing records):"
time_page "jobs table  /" "/"
time_page "job page    /jobs/$JOB (50 staged rows)" "/jobs/$JOB"
time_page "job page, sorted by last name, page 1000" "/jobs/$JOB?sort=-lastName&offset=50000"
time_page "match results /jobs/$JOB/matches" "/jobs/$JOB/matches"
time_page "match results, Potential Match, page 100" "/jobs/$JOB/matches?class=Potential%20Match&offset=5000"
time_page "one record's review" "/jobs/$JOB/matches/$STAGED"
time_page "API staged, 100 rows" "/api/jobs/$JOB/staged?limit=100&offset=90000"
time_page "API match results (whole job)" "/api/jobs/$JOB/matches"
