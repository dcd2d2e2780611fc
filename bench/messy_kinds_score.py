#!/usr/bin/env python3
"""Scores one kind of bench/messy_kinds.sh: what was staged against expect.json.

    bench/messy_kinds_score.py KIND_DIR

Prints one line: the kind, rows staged of rows expected, rows rejected as
expected, and each value stored wrong (`line N field: stored X, meant Y`),
each row lost without being reported by `check`, and each staged record that
starts on no row of the export (a piece of a row, or a blend).
"""

import json
import os
import sys

d = sys.argv[1]
kind = os.path.basename(d.rstrip("/"))
expect = json.load(open(os.path.join(d, "expect.json"), encoding="utf-8"))
try:
    staged = json.load(open(os.path.join(d, "staged.json"), encoding="utf-8"))
except (OSError, ValueError):
    staged = []
try:
    problems = json.load(open(os.path.join(d, "check.json"), encoding="utf-8")).get("problems", [])
except (OSError, ValueError):
    problems = []
reported = {p.get("line") for p in problems if p.get("severity") == "error"}


def flat(record):
    """The record's values under the expectation's names: its fields (a date's
    `d`), the legacy id (`externalId`, or the user field `map --auto` keeps it
    in), the e-mail (Telcom Email; `second`: its instance 2), the city (any address) and each instance
    as `Subcollection:Type.field`."""
    out = {}
    for k, v in record.get("f", {}).items():
        out[k] = v.get("d", v.get("t", v.get("n", v))) if isinstance(v, dict) else v
    for sub, type_name, _n, values in record.get("i", []):
        for k, v in values.items():
            out.setdefault("%s:%s.%s" % (sub, type_name, k), v)
        if sub == "UserField" and "externalId" not in out and "value" in values:
            out["externalId"] = values["value"]
        if sub == "Telcom" and type_name == "Email":
            out.setdefault("email", values.get("value"))
            if _n == 2:
                out.setdefault("second", values.get("value"))
        if sub == "Address" and "city" in values:
            out.setdefault("city", values["city"])
    return out


by_line = {}
for s in staged:
    by_line.setdefault(int(s["line"]), []).append(json.loads(s["record"]))
wrong = []
ok = rejected = 0
lines = set()
for e in expect:
    line, values = e["line"], e["values"]
    lines.add(line)
    got = by_line.get(line, [])
    if values is None:
        if got:
            wrong.append("line %d: staged, meant to be rejected (%s)" % (line, json.dumps(got[0])[:120]))
        elif line in reported:
            rejected += 1
        else:
            wrong.append("line %d: left out, and check reports no error on it" % line)
        continue
    if not got:
        why = "rejected" if line in reported else "lost without an error"
        wrong.append("line %d: %s" % (line, why))
        continue
    if len(got) > 1:
        wrong.append("line %d: %d records" % (line, len(got)))
    have = flat(got[0])
    bad = []
    for field, meant in values.items():
        stored = have.get(field)
        if meant is None:
            if stored not in (None, ""):
                bad.append("%s stored %r, meant empty" % (field, stored))
        elif str(stored) != str(meant):
            bad.append("%s stored %r, meant %r" % (field, stored, meant))
    if bad:
        wrong.append("line %d: %s" % (line, "; ".join(bad)))
    else:
        ok += 1
for line in sorted(set(by_line) - lines):
    wrong.append("line %d: staged, but no row of the export starts there" % line)
more = ["… and %d more" % (len(wrong) - 8)] if len(wrong) > 8 else []
print("%-18s %d/%d rows right, %d rejected as meant%s" % (
    kind, ok, sum(1 for e in expect if e["values"] is not None), rejected,
    "".join("\n    " + w for w in wrong[:8] + more)))
