#!/usr/bin/env python3
"""Holds the candidate reports of a data directory against the sample
inbox's EXPECTED.json and the manifest (tests/e2e/report-sample.sh).

Usage: report_check.py DATA EXPECTED.json REASONS.tsv

For every candidate of EXPECTED: report.txt and report.html exist (0640);
each entry's status is the one its slots call for; every rejected file has
its own block in report.txt, with its name, the archive it came in, the
result "Action needed" and, for every reason code the manifest gives it, the
candidate sentence and the fix (composed sentences for the five codes that
quote facts); every missing slot is listed with "Nothing received yet" and
what it needs; no reason code shows as a raw code.  Prints one line per
mismatch and ends with 'N passed, M failed'.
"""
import json
import os
import re
import sqlite3
import stat
import sys
import unicodedata

ARCHIVE = re.compile(r"\.(zip|tar|tar\.gz|tgz|tar\.bz2|tar\.xz|7z|rar)$", re.I)
LIMIT = {"V1": 600}  # the sample rules (corpus README): V1 10:00, V2-V6 5:00


def mmss(s):
    s = int(round(s))
    return f"{s // 60}:{s % 60:02d}"


def collapse(text):
    return " ".join(text.split())


def split_member(path):
    """(name inside its archive, [innermost archive, ..., outermost])"""
    segs = path.split("/")
    last = max((i for i, s in enumerate(segs) if ARCHIVE.search(s)), default=-1)
    if last < 0 or last == len(segs) - 1:
        return path, []
    chain, start = [], 0
    for i in range(last + 1):
        if ARCHIVE.search(segs[i]):
            chain.append("/".join(segs[start:i + 1]))
            start = i + 1
    return "/".join(segs[last + 1:]), list(reversed(chain))


def blocks(txt):
    """File blocks of report.txt: from a '  * ' line to the next such line or rule."""
    out, cur = [], None
    for line in txt.split("\n"):
        if line.startswith("  * "):
            cur = [line]
            out.append(cur)
        elif cur is not None and (line.startswith("---") or line.startswith("===")):
            cur = None
        elif cur is not None:
            cur.append(line)
    return [collapse("\n".join(b)) for b in out]


def slot_section(txt, slot):
    m = re.search(rf"^{slot} - [^\n]*\n(.*?)(?=^-{{10}}|^={{10}}|\Z)", txt, re.M | re.S)
    return (m.group(0) if m else ""), collapse(m.group(0)) if m else ""


def entry_status(status, missing_slots, slots_with_files):
    """The report's status for an entry: (data-status key, label)."""
    if status == "complete":
        return "ready", "Ready for scoring"
    if any(s not in slots_with_files for s in missing_slots):
        return "missing-items", "Missing items"
    return "needs-attention", "Needs attention"


def main():
    data, expected, table = sys.argv[1:4]
    want = json.load(open(expected, encoding="utf-8"))
    reasons = {}
    for line in open(table, encoding="utf-8"):
        code, kind, what, fix = line.rstrip("\n").split("\t")
        reasons[code] = (what, fix)
    con = sqlite3.connect(f"file:{data}/folio.db?mode=ro", uri=True)
    got_reasons, got_dur = {}, {}
    for cand, entry, path, r, d in con.execute(
            "SELECT candidate_id, entry_id, source_path, reasons, duration_s FROM manifest_files"):
        key = (cand, entry, unicodedata.normalize("NFC", path))
        got_reasons[key] = [c for c in r.split(",") if c]
        got_dur[key] = d
    passed = failed = 0

    def check(ok, what):
        nonlocal passed, failed
        if ok:
            passed += 1
        else:
            failed += 1
            print("FAIL", what)

    cands = sorted({f["candidate"] for f in want["files"]})
    texts = {}
    for c in cands:
        for ext in ("txt", "html"):
            p = f"{data}/reports/{c}/report.{ext}"
            check(os.path.isfile(p), f"{c}: no report.{ext}")
            if os.path.isfile(p):
                check(stat.S_IMODE(os.stat(p).st_mode) == 0o640, f"{c}: report.{ext} not 0640")
        p = f"{data}/reports/{c}/report.txt"
        texts[c] = open(p, encoding="utf-8").read() if os.path.isfile(p) else ""
        for code in reasons:
            check(code not in texts[c], f"{c}: the raw code {code} shows in report.txt")

    # entries: status, and every missing slot with its sentence
    for e in want["entries"]:
        c, txt = e["candidate"], texts[e["candidate"]]
        with_files = {f.get("slot") for f in want["files"]
                      if f["candidate"] == c and f["entry"] == e["entry"] and f.get("slot")}
        empty = [s for s in e["missing_slots"] if s not in with_files]
        status = entry_status(e["status"], e["missing_slots"], with_files)[1]
        check(f"ENTRY {e['entry']}: {status}\n" in txt, f"{c}/{e['entry']}: status is not {status}")
        for s in e["missing_slots"]:
            raw, sec = slot_section(txt, s)
            if s in empty:
                check(raw.split("\n")[0].endswith(": Missing"), f"{c}/{s}: not marked Missing")
                check("Nothing received yet. Needed: one " in sec, f"{c}/{s}: no 'nothing received' sentence")
                if s.startswith("V"):
                    lim = mmss(LIMIT.get(s, 300))
                    check(f"0:30 to {lim} long" in sec, f"{c}/{s}: does not say it needs 0:30 to {lim}")
                else:
                    check("one PDF document" in sec, f"{c}/{s}: does not say it needs a PDF")
            else:
                check(raw.split("\n")[0].endswith(": Needs a new file"), f"{c}/{s}: not 'Needs a new file'")

    # files: every rejected one with every sentence; warnings on the others too
    for f in want["files"]:
        c, path = f["candidate"], unicodedata.normalize("NFC", f["source_path"])
        codes = got_reasons.get((c, f["entry"], path), [])
        dur = got_dur.get((c, f["entry"], path))
        if f["verdict"] != "rejected" and not any(k for k in codes if k != "junk-file"):
            continue
        name, chain = split_member(path)
        label = f"{c}/{path}"
        mine = [b for b in blocks(texts[c]) if b.startswith("* " + collapse(name) + " [new]")
                or b == "* " + collapse(name) or b.startswith("* " + collapse(name) + " Received:")
                or b.startswith("* " + collapse(name) + " Uploaded:")]
        check(len(mine) == 1, f"{label}: {len(mine)} blocks in report.txt, want 1")
        if len(mine) != 1:
            continue
        b = mine[0]
        if chain:
            want_in = "Received: in " + ", inside ".join(chain)
            check(want_in in b, f"{label}: does not say '{want_in}'")
        if f["verdict"] == "rejected":
            check("Result: Action needed" in b, f"{label}: result is not 'Action needed'")
        check(set(f.get("reasons", [])) <= set(codes), f"{label}: manifest lacks {f.get('reasons')}")
        for code in codes:
            what, fix = reasons[code]
            check(collapse("How to fix it: " + fix) in b, f"{label}: {code}: fix sentence missing")
            if code == "duration-too-long":
                s = f"The video runs {mmss(dur or 0)}; this slot allows at most {mmss(LIMIT.get(f['slot'], 300))}."
            elif code == "duration-too-short":
                s = f"The video runs {mmss(dur or 0)}; this slot needs at least 0:30."
            elif code == "type-not-allowed":
                s = "This slot takes a PDF document, and this file is a"
            elif code == "late-upload":
                # the sample's late clip came after the close (June 19)
                s = ("outside the submission window (May 1 \u2013 June 15, 2026 at 23:59,"
                     " America/Chicago time): after the window closed.")
            elif code == "duplicate-file":
                s = "This file is identical to \""
            else:
                s = what
            check(collapse(s) in b, f"{label}: {code}: sentence '{s}' missing")
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
