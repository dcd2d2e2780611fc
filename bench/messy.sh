#!/usr/bin/env bash
# A messy legacy contacts export, end to end, against ground truth.
#
#   bench/messy.sh            (ROWS=100000 SEED=7 PROFILE=release WORK=dir KEEP=1)
#
# bench/messy_gen.py writes ROWS clean existing contacts and a messy export of
# as many rows (30 % corrupted copies of existing contacts, mixed birth-date
# formats, `0/0/00`, N/A, stray quotes, bad bytes, missing and duplicated ids,
# short rows …; see its header). The existing contacts are loaded into a store
# with `ferry run`; then the export goes through profile, check, pack
# (`--allow-errors`), import, submit and match twice:
#   - auto:  with the template `ferry map --auto` suggests for the export;
#   - reuse: with the template made on the clean existing file (`contacts.csv`),
#            applied to the export (`export_2024.csv`), as a consultant reuses one.
# For each it prints rows kept (goal ≥ 99.5 %), birth dates stored (goal ≥ 98 %
# of the rows that give one) and how many of them are right, and matching
# precision and recall against the truth (Match, and Match ∪ Potential Match).
set -euo pipefail
source "$(dirname "$0")/common.sh"
ROWS=${ROWS:-100000}
SEED=${SEED:-7}
WORK=${WORK:-$(mktemp -d)}
mkdir -p "$WORK"
[ -n "${KEEP:-}" ] || trap 'rm -rf "$WORK"' EXIT
echo "work directory: $WORK (KEEP=1 keeps it)"
F="$BIN --quiet"

python3 bench/messy_gen.py "$WORK" "$ROWS" "$SEED"

# The CRM's records before the import: the clean file, mapped by --auto.
$F map --data "$WORK/existing" --target contacts --out "$WORK/clean.json" --auto
$F pack --data "$WORK/existing" --mapping "$WORK/clean.json" --out "$WORK/existing.zip" >"$WORK/existing.pkgs"
mapfile -t existing_pkgs <"$WORK/existing.pkgs"
$F run --db "$WORK/base.db" "${existing_pkgs[@]}" --description existing >/dev/null
echo "loaded $ROWS existing contacts"

echo
echo "== profile of the export (birth dates)"
$F profile "$WORK/messy" 2>&1 | grep -iE "export_2024|BIRTH_DATE" | head -5 || true

echo
echo "== map --auto on the export"
$BIN map --data "$WORK/messy" --target contacts --out "$WORK/auto.json" --auto 2>/dev/null

for variant in auto reuse; do
    echo
    echo "== $variant template"
    db="$WORK/$variant.db"
    cp "$WORK/base.db" "$db"
    # The reuse run takes the clean file's template as it is: check and pack
    # take `export_2024.csv` for its `contacts.csv` (the same columns).
    mapping="$WORK/$variant.json"
    [ "$variant" = reuse ] && mapping="$WORK/clean.json"
    t0=$(date +%s%N)
    $BIN --json check --data "$WORK/messy" --mapping "$mapping" >"$WORK/$variant.check.json" 2>/dev/null || true
    t1=$(date +%s%N)
    rm -f "$WORK/$variant"*.zip
    if ! $F pack --data "$WORK/messy" --mapping "$mapping" --out "$WORK/$variant.zip" --allow-errors \
        >"$WORK/$variant.pkgs" 2>"$WORK/$variant.pack.err"; then
        # Exit 1 means rows were rejected (and written aside); anything else stops here.
        grep -q . "$WORK/$variant.pkgs" || { cat "$WORK/$variant.pack.err"; continue; }
    fi
    t2=$(date +%s%N)
    mapfile -t pkgs <"$WORK/$variant.pkgs"
    $BIN --json import --db "$db" "${pkgs[@]}" --description messy >"$WORK/$variant.import.json" 2>/dev/null || true
    t3=$(date +%s%N)
    job=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["job"]["id"])' "$WORK/$variant.import.json")
    $F staged --db "$db" "$job" --submit >/dev/null
    $F match --db "$db" "$job" >/dev/null
    t4=$(date +%s%N)
    $F review --db "$db" "$job" --export "$WORK/$variant.review.csv"
    sqlite3 -csv "$db" "SELECT s.id, f.package_seq, s.line, coalesce(s.birth_date, '') FROM staged s
        JOIN job_files f ON f.id = s.file_id WHERE s.job_id = $job" >"$WORK/$variant.staged.csv"
    sqlite3 -csv "$db" "SELECT package_seq, rows FROM job_files WHERE job_id = $job ORDER BY package_seq" \
        >"$WORK/$variant.files.csv"
    # The existing records' legacy ids are data (a user field), not keys: the
    # scorer names a candidate record by the id its row had in the clean file.
    sqlite3 -csv "$db" "SELECT record_id, json_extract(attributes, '$.value.value') FROM record_instances
        WHERE subcollection = 'UserField' AND type_name = 'CONTACT_ID'" >"$WORK/$variant.records.csv"
    python3 bench/messy_score.py "$WORK" "$variant" "$ROWS"
    ms() { echo "$((($2 - $1) / 1000000)) ms"; }
    echo "time: check $(ms "$t0" "$t1"), pack $(ms "$t1" "$t2"), import $(ms "$t2" "$t3"), submit and match $(ms "$t3" "$t4")"
done
