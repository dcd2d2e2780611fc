#!/usr/bin/env bash
# Matching quality and speed on generated contacts with ground truth.
#
#   bench/match.sh [EXISTING] [STAGED] [SEED]      (defaults: 100000 100000 7)
#
# Builds the `match_eval` example in release, generates EXISTING contacts and
# STAGED ones (30 % of them corrupted copies of existing people), matches them
# with the bundled contact profile (or FERRY_MATCH_PROFILE=path.json), and
# prints precision, recall and F1 for Match and for Match ∪ Potential Match,
# the time of each step, and the peak memory of the whole run.
set -euo pipefail
cd "$(dirname "$0")/.."
existing=${1:-100000}
staged=${2:-100000}
seed=${3:-7}
cargo build --release --quiet -p ferry-runner --example match_eval
bin="${CARGO_TARGET_DIR:-target}/release/examples/match_eval"
if command -v /usr/bin/time >/dev/null; then
    /usr/bin/time -f "peak memory: %M KB, wall: %e s" "$bin" "$existing" "$staged" "$seed"
else
    "$bin" "$existing" "$staged" "$seed"
fi
