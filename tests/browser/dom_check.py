#!/usr/bin/env python3
"""Holds what headless Chromium read from the reports' DOM (dom-check.js)
against the manifest in DATA/folio.db (tests/browser/run.sh).

Usage: dom_check.py DATA DOM.json HOSTILE_NAME...

Per candidate report: no script, active content, handler or external load;
lang and viewport set; no sideways scrolling at phone width; every table with
real column and row headers; every status in words; each entry's status and
each slot's state as the manifest implies; one row per file received (an
archive is shown through its members), with its verdict, its result in words
and, when rejected, each problem's sentence and fix.  Each HOSTILE_NAME must
be shown, as text, exactly.  Ends with 'N passed, M failed'.
"""
import json
import os
import re
import sqlite3
import sys
from collections import Counter

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "e2e"))
from report_check import entry_status, split_member  # noqa: E402

RESULT = {"accepted": ("OK", "Converted for scorers"), "rejected": ("Action needed",),
          "skipped": ("Skipped",), "superseded": ("Replaced by a newer upload",),
          "pending": ("Still being processed",)}


def main():
    data, dom = sys.argv[1:3]
    hostile = sys.argv[3:]
    reports = json.load(open(dom, encoding="utf-8"))
    con = sqlite3.connect(f"file:{data}/folio.db?mode=ro", uri=True)
    passed = failed = 0

    def check(ok, what):
        nonlocal passed, failed
        if ok:
            passed += 1
        else:
            failed += 1
            print("FAIL", what)

    parents = {pid for (pid,) in con.execute(
        "SELECT DISTINCT parent_id FROM files WHERE active = 1 AND parent_id IS NOT NULL")}
    seen_hostile = Counter()
    ncand = 0
    for r in reports:
        url = r["url"]
        check("error" not in r, f"{url}: {r.get('error')}")
        if "error" in r:
            continue
        for k in ("scripts", "active", "handlers", "external"):
            check(r[k] == 0, f"{url}: {r[k]} {k}")
        check(not r["css_loads"], f"{url}: the CSS loads something")
        check(r["lang"] == "en" and r["viewport"], f"{url}: no lang or viewport")
        check(not r["overflow"], f"{url}: scrolls sideways at {r['width']} px")
        m = re.search(r"/reports/([^/]+)/report\.html$", url)
        if not m:
            continue
        cand = m.group(1)
        ncand += 1
        check(r["candidate"] == cand, f"{url}: candidate shown is {r['candidate']!r}")
        check(bool(r["days_left"]) and bool(r["window"]), f"{url}: no window or days left")
        for t in r["tables"]:
            check(t["col_headers"] == ["File received", "What folio found", "Result"],
                  f"{url}: column headers {t['col_headers']}")
            check(t["row_headers"] == t["rows"] and t["rows"] > 0, f"{url}: row headers")
            check(bool(t["caption"]), f"{url}: a table without caption")
        for lab in r["labels"]:
            check(re.search(r"[A-Za-z]{2,}", lab or "") is not None, f"{url}: status {lab!r} has no words")

        files = con.execute(
            "SELECT f.id, f.entry_id, COALESCE(f.slot_id, ''), f.source_path, f.verdict,"
            " COALESCE(x.kind, ''), f.reasons || f.post_reasons FROM files f"
            " LEFT JOIN facts x ON x.sha256 = f.sha256 WHERE f.active = 1 AND f.candidate_id = ?",
            (cand,)).fetchall()
        want_rows = Counter()
        slots = {}
        for fid, entry, slot, path, verdict, kind, reasons in files:
            if slot:
                slots.setdefault(entry, set()).add(slot)
            if (kind == "archive" or fid in parents) and not reasons and verdict != "rejected":
                continue
            want_rows[(split_member(path)[0], verdict)] += 1
        got_rows = Counter((row["name"], row["verdict"]) for row in r["rows"])
        check(got_rows == want_rows, f"{cand}: rows {sorted(got_rows - want_rows)} extra,"
              f" {sorted(want_rows - got_rows)} missing")
        for row in r["rows"]:
            label = f"{cand}/{row['name']}"
            check(any(row["result"].endswith(w) for w in RESULT.get(row["verdict"], ())),
                  f"{label}: result {row['result']!r} for {row['verdict']}")
            if row["verdict"] == "rejected":
                check(len(row["problems"]) > 0, f"{label}: rejected with no problem shown")
            for p in row["problems"]:
                check(p["what"].startswith("What is wrong: ") and len(p["what"]) > 30 and
                      p["fix"].startswith("How to fix it: ") and len(p["fix"]) > 25,
                      f"{label}: problem without both sentences: {p}")
            seen_hostile[row["name"]] += 1

        entries = con.execute("SELECT entry_id, status, missing_slots FROM manifest_entries"
                              " WHERE candidate_id = ?", (cand,)).fetchall()
        check(len(r["entries"]) == len(entries), f"{cand}: {len(r['entries'])} entries shown")
        by_id = {e["id"]: e for e in r["entries"]}
        for entry, status, missing in entries:
            got = by_id.get(f"entry-{entry}")
            check(got is not None, f"{cand}/{entry}: not shown")
            if got is None:
                continue
            missing = [s for s in missing.split(",") if s]
            key, label = entry_status(status, missing, slots.get(entry, set()))
            check(got["status"] == key and got["label"].endswith(label),
                  f"{cand}/{entry}: status {got['status']}/{got['label']!r}, want {key}/{label}")
            for s in got["slots"]:
                if not s["slot"]:
                    continue
                want = ("ok" if s["slot"] not in missing else
                        "action" if s["slot"] in slots.get(entry, set()) else "missing")
                check(s["state"] == want, f"{cand}/{entry}/{s['slot']}: state {s['state']}, want {want}")
                check(s["needs"].startswith(("Needed: ", "Nothing received yet. Needed: ")),
                      f"{cand}/{s['slot']}: no 'Needed' line")
    check(ncand > 0, "no candidate report inspected")
    for h in hostile:
        check(seen_hostile[h] == 1, f"the hostile name {h!r} is shown {seen_hostile[h]} times as text")
    print(f"{ncand} reports, {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
