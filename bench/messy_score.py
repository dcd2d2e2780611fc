#!/usr/bin/env python3
"""Scores one run of bench/messy.sh against the generator's truth.

    bench/messy_score.py WORK VARIANT ROWS

Reads WORK/truth.csv and the run's files (VARIANT.check.json: the rows `check`
rejects, which `pack --allow-errors` leaves out; VARIANT.staged.csv: id, package, line and birth date of each staged
record; VARIANT.records.csv: record id and legacy id of each record in the
store; VARIANT.review.csv: the match results) and prints rows kept, birth
dates stored and right, and matching precision and recall.
"""

import csv
import json
import os
import re
import sys

work, variant, rows = sys.argv[1], sys.argv[2], int(sys.argv[3])
path = lambda suffix: os.path.join(work, "%s.%s" % (variant, suffix))

truth = {}
with open(os.path.join(work, "truth.csv"), newline="", encoding="utf-8") as f:
    for r in csv.DictReader(f):
        truth[int(r["line"])] = (r["copy_of"] or None, r["birth_date"] or None)

# Rows `check` rejects are left out of the packages.
try:
    check = json.load(open(path("check.json"), encoding="utf-8"))
    problems = check.get("problems", [])
except (OSError, ValueError):
    problems = []
dropped = {p["line"] for p in problems if p.get("severity") == "error" and p.get("line")}
warnings = sum(1 for p in problems if p.get("severity") == "warning")

staged = {}
with open(path("staged.csv"), newline="", encoding="utf-8") as f:
    listed = list(csv.reader(f))
# Staged records name the physical line of the legacy file, as truth.csv does.
for sid, _seq, line, birth in listed:
    staged[int(sid)] = (int(line) if int(line) in truth else None, birth or None)

def pct(a, b):
    return "%.2f %%" % (100.0 * a / b) if b else "-"

# A staged record whose line starts no row of the export is a piece of a row
# read as a row of its own (blended values): never a row kept.
kept = sum(1 for line, _ in staged.values() if line is not None)
pieces = len(staged) - kept
print("check: %d rows rejected, %d warnings" % (len(dropped), warnings))
print("rows kept: %d of %d (%s; goal >= 99.5 %%); staged records that are no row of the export: %d"
      % (kept, rows, pct(kept, rows), pieces))
given = sum(1 for _, b in truth.values() if b)
stored = right = 0
for line, birth in staged.values():
    if line is None or not truth[line][1]:
        continue
    if birth:
        stored += 1
        right += birth == truth[line][1]
print("birth dates stored: %d of %d rows that give one (%s; goal >= 98 %%), right: %d (%s)"
      % (stored, given, pct(stored, given), right, pct(right, given)))
# A row that gives no birth date (empty, `0/0/00`, a placeholder such as
# `01/01/1900`) must not get one: a shared placeholder would pair strangers.
invented = sum(1 for line, birth in staged.values() if line is not None and birth and not truth[line][1])
print("birth dates stored for rows that give none (placeholders, goal 0): %d" % invented)

# Candidates are records of the store, named in the review by their record id.
legacy_of = {}
with open(path("records.csv"), newline="", encoding="utf-8") as f:
    for rid, legacy in csv.reader(f):
        legacy_of[rid] = legacy

copies = sum(1 for c, _ in truth.values() if c)
m_tp = m_fp = s_tp = s_fp = 0
with open(path("review.csv"), newline="", encoding="utf-8-sig") as f:
    for r in csv.DictReader(f):
        line = staged.get(int(r["staged_id"]), (None, None))[0]
        copy_of = truth[line][0] if line else None
        cls = r["class"]
        legacy = legacy_of.get(r["match_record_id"]) or r["match_legacy_id"] or None
        others = re.findall(r"record (\d+)", r["other_candidates"])
        shown = {legacy} | {legacy_of.get(o) for o in others}
        if cls == "Match":
            if copy_of and legacy == copy_of:
                m_tp += 1
            else:
                m_fp += 1
        if cls in ("Match", "Potential Match"):
            if copy_of and copy_of in shown:
                s_tp += 1
            else:
                s_fp += 1

def prf(tp, fp):
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / copies if copies else 1.0
    return "precision %.4f, recall %.4f (TP %d, FP %d, FN %d)" % (p, r, tp, fp, copies - tp)

print("matching, %d true copies:" % copies)
print("  Match:                   " + prf(m_tp, m_fp))
print("  Match ∪ Potential Match: " + prf(s_tp, s_fp))
