#!/usr/bin/env bash
# Profiling speed on a large CSV: how fast `ferry profile` shows samples
# (--no-count reads only the first 1,000 records), and how long the full
# profile (row count and empties over every row) takes.
#
#   bench/profile.sh [SIZE_MB]        (default 1024, i.e. a 1 GB file)
#
# Builds ferry with --release (a first release build takes several minutes)
# and the generator in the dev profile (an example pulls in dev-dependencies,
# whose release build would cost another dependency tree; the dev build writes
# 1 GB in about 15 s), writes the CSV under bench/out/ (reused on later runs),
# then times both runs and prints the figures.
set -euo pipefail

size_mb="${1:-1024}"
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
target="${CARGO_TARGET_DIR:-$root/target}"
out="$root/bench/out"
csv="$out/contacts-${size_mb}MB.csv"
mkdir -p "$out"

echo "building ferry (release) and the generator…" >&2
cargo build --release --quiet --bin ferry
cargo build --quiet -p ferry-mapper --example gen_contacts
ferry="$target/release/ferry"

if [[ ! -s "$csv" ]]; then
    echo "writing $csv…" >&2
    "$target/debug/examples/gen_contacts" "$csv" "$size_mb"
fi
bytes=$(stat -c %s "$csv")

# Seconds (with milliseconds) a command takes; its stdout goes to $2.
timed() {
    local log="$1"; shift
    local start end
    start=$(date +%s.%N)
    "$@" > "$log"
    end=$(date +%s.%N)
    echo "$end - $start" | bc -l
}

samples_s=$(timed "$out/profile-no-count.txt" "$ferry" --quiet profile --no-count "$csv")
samples_warm_s=$(timed "$out/profile-no-count.txt" "$ferry" --quiet profile --no-count "$csv")
# The full run once, with peak memory from GNU time when it is around.
if [[ -x /usr/bin/time ]]; then
    full_s=$(timed "$out/profile-full.txt" /usr/bin/time -f '%M' -o "$out/peak-kib.txt" "$ferry" --quiet profile "$csv")
    full_mib=$(awk '{ printf "%.1f", $1 / 1024 }' "$out/peak-kib.txt")
else
    full_s=$(timed "$out/profile-full.txt" "$ferry" --quiet profile "$csv")
    full_mib="n/a"
fi
rows=$(grep -o '[0-9]* rows' "$out/profile-full.txt" | head -1)

printf 'file                         %s (%.0f MB, %s)\n' "$csv" "$(echo "$bytes / 1048576" | bc -l)" "$rows"
printf 'samples (--no-count), first  %.3f s   (goal: under 0.2 s)\n' "$samples_s"
printf 'samples (--no-count), again  %.3f s\n' "$samples_warm_s"
printf 'full profile                 %.2f s   (%.0f MB/s)\n' "$full_s" "$(echo "$bytes / 1048576 / $full_s" | bc -l)"
printf 'full profile peak memory     %s MiB\n' "$full_mib"
echo
echo "profile output: $out/profile-full.txt"
