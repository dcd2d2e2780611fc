#!/usr/bin/env bash
# Matching quality, time and memory through the `ferry` binary, on generated
# contacts with ground truth (typos, swapped names, day/month swaps, one
# wrong digit, missing values, reformatted zips and phones, people who moved,
# households and namesakes; 30 % of the staged people copy an existing one).
#
#   bench/match.sh [EXISTING] [STAGED] [SEED]     (defaults: 100000 100000 7)
#   PROFILE=debug bench/match.sh 2000 2000        (a quick smoke run)
#   MAPPING=test-data/matching/synth-contacts-no-telcom.json bench/match.sh 5000 5000
#                                                 (the seed's fields only: no e-mail, no phone)
#   SEED_ONLY=1 ANCHOR=/tmp/ferry-old bench/match.sh 1000000 1000000 7
#                                                 (the seed profile only, timed against an older binary)
#
# Generates the data (`synth_csv` example), puts EXISTING contacts in a store
# (`ferry run`), imports STAGED (rows without a last name are rejected, as the
# target requires one), then, for the seed profile and for a profile learned
# by `ferry learn`, runs `ferry match`, `ferry review --export`, and scores
# the export against the truth: precision, recall and F1 of Match (right when
# the proposed merge is the true copy) and of Match ∪ Potential Match (right
# when the true copy is the best candidate shown), counting only copies whose
# staged row was imported. Prints time and peak memory of each step.
#
# Needs: cargo, python3, GNU time (/usr/bin/time).
set -euo pipefail
existing=${1:-100000}
staged=${2:-100000}
seed=${3:-7}
# shellcheck source=bench/common.sh
source "$(dirname "$0")/common.sh"
if [ "$PROFILE" = release ]; then
    cargo build --release --quiet -p ferry-synth --example synth_csv >&2
else
    cargo build --quiet -p ferry-synth --example synth_csv >&2
fi
SYNTH=$(dirname "$BIN")/examples/synth_csv
command -v python3 >/dev/null || { echo "python3 is missing" >&2; exit 2; }

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export FERRY_DB="$WORK/ferry.db"
mapping=${MAPPING:-$ROOT/test-data/matching/synth-contacts.json}

# shellcheck source=bench/match_common.sh
source "$(dirname "$0")/match_common.sh"

"$SYNTH" "$existing" "$staged" "$seed" "$WORK"
"$BIN" pack --quiet --data "$WORK/existing" --mapping "$mapping" --out "$WORK/existing.zip" > /dev/null
"$BIN" pack --quiet --allow-errors --data "$WORK/staged" --mapping "$mapping" --out "$WORK/staged.zip" > /dev/null 2>&1 || [ $? -eq 1 ] # 1: some rows rejected
echo "ferry matching, $staged staged × $existing existing generated contacts (seed $seed, $PROFILE build, $(nproc) cores, mapping $(basename "$mapping"), load: $(cut -d' ' -f1-3 /proc/loadavg))"
measure "run (existing)" "$BIN" run --quiet --description existing "$WORK"/existing*.zip
measure "import (staged)" "$BIN" import --quiet --description staged "$WORK"/staged*.zip
"$BIN" staged --quiet staged --submit > /dev/null

match_both
