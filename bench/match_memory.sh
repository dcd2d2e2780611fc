#!/usr/bin/env bash
# Peak memory of `ferry match` and `ferry learn` on low-variety contacts:
# every name comes from 14 first and 12 last names, so blocks on names hold
# thousands of records (a benchmark, not a timed test; goal ≤ 1 GiB at
# 100,000 × 100,000).
#
#   bench/match_memory.sh [EXISTING] [STAGED] [MEMORY]   (defaults: 100000 100000, no --memory)
#   SKIP_SEED=1 bench/match_memory.sh                     (learn and the learned profile only:
#                                                          the seed profile's match takes half an hour)
#
# Prints, for match (seed profile), learn and match (learned profile), the
# time, the peak resident memory (GNU time's maximum RSS) and what match
# reports about blocks too large to compare in full.
set -euo pipefail
existing=${1:-100000}
staged=${2:-100000}
memory=${3:-}
# shellcheck source=bench/common.sh
source "$(dirname "$0")/common.sh"
command -v python3 >/dev/null || { echo "python3 is missing" >&2; exit 2; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export FERRY_DB="$WORK/ferry.db"
mapping="$ROOT/test-data/matching/synth-contacts.json"

python3 - "$WORK" "$existing" "$staged" <<'PY'
import csv, os, random, sys
work, n_existing, n_staged = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = random.Random(7)
FIRST = "Anna Ben Carl Dora Emil Frida Georg Hanna Ivan Julia Karl Lena Max Nora".split()
LAST = "Smith Jones Brown Miller Davis Garcia Wilson Moore Taylor Clark Lewis Young".split()
def person(i, prefix):
    first, last = rng.choice(FIRST), rng.choice(LAST)
    gender = "Female" if FIRST.index(first) % 2 else "Male"
    return [f"{prefix}{i}", first, last,
            f"{rng.randint(1940, 2005)}-{rng.randint(1, 12):02}-{rng.randint(1, 28):02}", gender,
            f"{first.lower()}.{last.lower()}{rng.randint(1, 999)}@example.com",
            f"+1 416 555 {rng.randint(0, 9999):04}", f"{rng.randint(10000, 10200)}"]
header = ["ID", "First Name", "Last Name", "Birth Date", "Gender", "Email", "Phone", "Zip"]
existing = [person(i, "E") for i in range(n_existing)]
staged = []
for i in range(n_staged):
    if rng.random() < 0.3:
        row = list(rng.choice(existing)); row[0] = f"S{i}"
        if rng.random() < 0.3: row[3] = ""
        staged.append(row)
    else:
        staged.append(person(i, "S"))
for name, rows in (("existing", existing), ("staged", staged)):
    os.makedirs(f"{work}/{name}", exist_ok=True)
    with open(f"{work}/{name}/contacts.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f); w.writerow(header); w.writerows(rows)
PY
"$BIN" pack --quiet --data "$WORK/existing" --mapping "$mapping" --out "$WORK/existing.zip" > /dev/null
"$BIN" pack --quiet --data "$WORK/staged" --mapping "$mapping" --out "$WORK/staged.zip" > /dev/null
"$BIN" run --quiet --description existing "$WORK"/existing*.zip > /dev/null
"$BIN" import --quiet --description staged "$WORK"/staged*.zip > /dev/null
"$BIN" staged --quiet staged --submit > /dev/null
echo "ferry match memory, $staged staged × $existing existing low-variety contacts (14 first × 12 last names; $PROFILE build, $(nproc) cores)"
limit=()
[ -z "$memory" ] || limit=(--memory "$memory")

measure() { # label command…
    local label=$1; shift
    local rc=0
    /usr/bin/time -f "%e %M" -o "$WORK/time.txt" "$@" > "$WORK/out.txt" 2> "$WORK/err.txt" || rc=$?
    read -r secs kb < <(tail -n 1 "$WORK/time.txt")
    printf "%-26s %8.2f s %8.0f MiB peak RSS  (exit %d)\n" "$label" "$secs" "$((kb / 1024))" "$rc"
    grep -hiE "not compared|too large|memory" "$WORK/out.txt" "$WORK/err.txt" | sed 's/^/    /' || true
}
[ -n "${SKIP_SEED:-}" ] || measure "match (seed profile)" "$BIN" match staged "${limit[@]}"
measure "learn" "$BIN" learn staged --out "$WORK/learned.json" "${limit[@]}"
measure "match (learned profile)" "$BIN" match staged --profile "$WORK/learned.json" "${limit[@]}"
