#!/usr/bin/env bash
# Packing speed and memory: `ferry pack` of a generated contacts CSV of about
# 1,000,000 rows (~100 MB) without splitting (--max-size 3GB) and with the
# default 10 MB cap, against `zip -6` of the same CSV in the same run; peak
# memory (GNU time) at two input sizes to show it stays flat. Then the 30 MB
# three-table split check of the issue, as a release-mode test.
#
#   bench/pack.sh [SIZE_MB]        (default 100)
#
# Needs `zip` (apt-get install -y zip) and GNU time (apt-get install -y time).
# Builds ferry and the generator with --release (a first release build takes
# several minutes) and writes its files under bench/out/.
set -euo pipefail

size_mb="${1:-100}"
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
target="${CARGO_TARGET_DIR:-$root/target}"
out="$root/bench/out"
mkdir -p "$out/data" "$out/data-small"

command -v zip >/dev/null || { echo "zip is missing: apt-get install -y zip" >&2; exit 2; }
[[ -x /usr/bin/time ]] || { echo "GNU time is missing: apt-get install -y time" >&2; exit 2; }

echo "building ferry and the generator (release)…" >&2
cargo build --release --quiet --bin ferry
cargo build --release --quiet -p ferry-mapper --example gen_contacts
ferry="$target/release/ferry"

csv="$out/data/contacts.csv"
small="$out/data-small/contacts.csv"
[[ -s "$csv" ]] || "$target/release/examples/gen_contacts" "$csv" "$size_mb"
[[ -s "$small" ]] || "$target/release/examples/gen_contacts" "$small" "$((size_mb / 4))"
lines=$(wc -l < "$csv")

# Every column mapped as text, so the package carries the whole CSV.
cat > "$out/mapping.json" <<'JSON'
{
  "formatVersion": 1,
  "target": "contacts",
  "encoding": "UTF-8",
  "files": [
    {
      "name": "contacts.csv",
      "mappings": [
        { "column": "ID", "field": "externalId" },
        { "column": "First Name", "field": "firstName" },
        { "column": "Last Name", "field": "lastName" },
        { "column": "Email", "field": "value", "subcollection": "Telcom", "typeName": "Email" },
        { "column": "Phone", "field": "value", "subcollection": "Telcom", "typeName": "Business" },
        { "column": "Birth Date", "field": "value", "subcollection": "UserField", "typeName": "Born" },
        { "column": "City", "field": "city", "subcollection": "Address", "typeName": "Home" },
        { "column": "Zip Code", "field": "zip", "subcollection": "Address", "typeName": "Home" },
        { "column": "Active", "field": "value", "subcollection": "UserField", "typeName": "Active" },
        { "column": "Notes", "field": "notes" }
      ]
    }
  ]
}
JSON

# Runs a command under GNU time; prints "seconds peak_MiB".
measure() {
    /usr/bin/time -f '%e %M' -o "$out/time.txt" "$@" > /dev/null
    awk '{ printf "%s %.1f", $1, $2 / 1024 }' "$out/time.txt"
}

rm -f "$out"/pkg*.zip "$out/contacts.zip"
read -r zip_s zip_mib <<< "$(cd "$out/data" && measure zip -6 -q "$out/contacts.zip" contacts.csv)"
read -r one_s one_mib <<< "$(measure "$ferry" --quiet pack --data "$out/data" --mapping "$out/mapping.json" --out "$out/pkg-whole.zip" --max-size 3GB)"
read -r split_s split_mib <<< "$(measure "$ferry" --quiet pack --data "$out/data" --mapping "$out/mapping.json" --out "$out/pkg.zip")"
read -r small_s small_mib <<< "$(measure "$ferry" --quiet pack --data "$out/data-small" --mapping "$out/mapping.json" --out "$out/pkg-small.zip")"
parts=$(ls "$out"/pkg-[0-9]*.zip | wc -l)

echo
echo "input: $lines lines (multi-line notes make lines exceed rows), $(($(stat -c %s "$csv") / 1048576)) MiB ($csv)"
printf '%-44s %8s s %8s MiB peak\n' "zip -6" "$zip_s" "$zip_mib"
printf '%-44s %8s s %8s MiB peak   (%.2f x zip)\n' "ferry pack, one package" "$one_s" "$one_mib" "$(echo "$one_s / $zip_s" | bc -l)"
printf '%-44s %8s s %8s MiB peak   (%.2f x zip)\n' "ferry pack, 10 MB cap ($parts packages)" "$split_s" "$split_mib" "$(echo "$split_s / $zip_s" | bc -l)"
printf '%-44s %8s s %8s MiB peak\n' "ferry pack, 10 MB cap, a quarter of the input" "$small_s" "$small_mib"
echo "sizes: zip $(stat -c %s "$out/contacts.zip") bytes; one package $(stat -c %s "$out/pkg-whole.zip") bytes"
echo "(ferry pack includes the check of every row, run beside the packing on a second thread, and the read-back verification of every package)"

echo
echo "30 MB of three linked tables under the default cap (release test):" >&2
cargo test --release --quiet -p ferry-packager --test pack -- --ignored 2>&1 | grep -E "test result|panicked|thirty"
