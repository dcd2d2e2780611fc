# Sourced by bench/match.sh and bench/febrl.sh after bench/common.sh, with
# WORK (a scratch directory holding truth.csv: `staged,existing` legacy ids)
# and FERRY_DB set and the job `staged` submitted for matching.
#
# match_both: `ferry match` with the seed profile, `review --export`, then
# `ferry learn`, `match --profile` the learned one, `review --export`; after
# each export the precision, recall and F1 of Match (right when the proposed
# merge is the true copy) and of Match ∪ Potential Match (right when the
# true copy is the best candidate shown), counting only copies whose staged
# row was imported. Prints time and peak memory of each step. KEEP=DIR copies
# the learned profile, both exports, the truth and the data there.
# SEED_ONLY=1 stops after the seed profile; ANCHOR=BINARY first times the
# same seed-profile match by that binary (an older build) on a copy of the
# store, for a comparison in one run.

measure() { # label command…
    local label=$1; shift
    /usr/bin/time -f "%e %M" -o "$WORK/time.txt" "$@" > "$WORK/out.txt"
    read -r secs kb < "$WORK/time.txt"
    printf "%-28s %8.2f s %9d KB peak   (load %s)\n" "$label" "$secs" "$kb" "$(cut -d' ' -f1 /proc/loadavg)"
}

score() { # label export.csv
    python3 - "$1" "$2" "$WORK/truth.csv" <<'PY'
import csv, sys
label, export, truth_file = sys.argv[1:4]
truth = {r["staged"]: r["existing"] for r in csv.DictReader(open(truth_file, encoding="utf-8"))}
rows = list(csv.DictReader(open(export, encoding="utf-8-sig")))
imported = {r["legacy_id"] for r in rows}
dups = sum(1 for s in truth if s in imported)
def prf(tp, fp):
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / dups if dups else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f, tp, fp, dups - tp
m_tp = m_fp = s_tp = s_fp = 0
for r in rows:
    right = truth.get(r["legacy_id"]) is not None and r["match_legacy_id"] == truth[r["legacy_id"]]
    if r["class"] == "Match":
        if right: m_tp += 1
        else: m_fp += 1
    if r["class"] in ("Match", "Potential Match"):
        if right: s_tp += 1
        else: s_fp += 1
for name, (p, rc, f, tp, fp, fn) in (("Match", prf(m_tp, m_fp)), ("Match ∪ Potential", prf(s_tp, s_fp))):
    print(f"    {label:<8} {name:<18} precision {p:.4f}  recall {rc:.4f}  F1 {f:.4f}  (TP {tp}, FP {fp}, FN {fn})")
PY
}

match_both() {
    if [ -n "${ANCHOR:-}" ]; then
        # The same match by another binary first, on a copy of the store.
        cp "$FERRY_DB" "$WORK/before-match.db"
        measure "match (seed, ANCHOR)" "$ANCHOR" match --quiet staged
        cp "$WORK/before-match.db" "$FERRY_DB"
    fi
    measure "match (seed profile)" "$BIN" match --quiet staged
    measure "review --export" "$BIN" review --quiet staged --export "$WORK/seed.csv"
    score seed "$WORK/seed.csv"
    [ -z "${SEED_ONLY:-}" ] || return 0
    measure "learn" "$BIN" learn --quiet staged --out "$WORK/learned.json"
    grep -E "session|prior|thresholds" "$WORK/out.txt" | sed 's/^/    /'
    measure "match (learned profile)" "$BIN" match --quiet staged --profile "$WORK/learned.json"
    measure "review --export" "$BIN" review --quiet staged --export "$WORK/learned.csv"
    score learned "$WORK/learned.csv"
    if [ -n "${KEEP:-}" ]; then
        cp "$WORK/learned.json" "$WORK/seed.csv" "$WORK/learned.csv" "$WORK/truth.csv" "$KEEP"/
        cp "$WORK/existing/contacts.csv" "$KEEP/existing.csv"
        cp "$WORK/staged/contacts.csv" "$KEEP/staged.csv"
    fi
}
