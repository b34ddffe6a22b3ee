"""Lays out generated cases as an inbox and compares a nightly run's manifest
with what each case expects.  Used by tests/e2e/hostile-*.sh.

A case is a dict:
  name      the uploaded file's name (in cNNNN/E1/<slot>/)
  data      its bytes (or path: a file to copy)
  slot      the slot folder (default V1)
  kind      the file's kind in the manifest
  verdict   the verdict content alone decides (slot codes set aside)
  reasons   the exact set of content codes
  members   None (no member may be accepted), or [(path, verdict, [codes])] in
            archive order; a path of None matches any row (mojibake)
  duration  (seconds, tolerance) or None
  mime      the libmagic type, when the case is about it
  page      run under a config whose legacy_code_page is this
  raw       {member path: raw bytes the files table must keep}
"""
import json, os, shutil, sqlite3, unicodedata

MTIME = 1780000000   # 2026-05-28, inside the 2026 window
SLOT_CODES = {"type-not-allowed", "duration-too-short", "duration-too-long",
              "slot-unknown", "late-upload", "duplicate-file", "normalize-failed"}
WARNINGS = {"name-repaired", "extension-mismatch", "duration-header-mismatch",
            "audio-silent", "normalize-failed"}


def nfc(s):
    return unicodedata.normalize("NFC", s)


def codes(csv):
    return {c for c in (csv or "").split(",") if c}


def content(row, keep=()):
    """(verdict, codes) with the slot's codes set aside unless kept"""
    ignored = SLOT_CODES - set(keep)
    got = codes(row["reasons"]) - ignored
    v = row["verdict"]
    if v == "rejected" and not (got - WARNINGS):
        v = "accepted"
    return v, got


def candidate(i):
    return "c%04d" % (7001 + i)


def layout(cases, inbox):
    for i, c in enumerate(cases):
        d = os.path.join(inbox, candidate(i), "E1", c.get("slot", "V1"))
        os.makedirs(d, exist_ok=True)
        p = os.path.join(d, c["name"])
        if "path" in c:
            shutil.copyfile(c["path"], p)
        else:
            with open(p, "wb") as f:
                f.write(c["data"])
        os.utime(p, (MTIME, MTIME))


def check(cases, db, label):
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    con.row_factory = sqlite3.Row
    bad = 0
    for i, c in enumerate(cases):
        cand = candidate(i)
        top_name = c.get("slot", "V1") + "/" + c["name"]
        rows = con.execute("SELECT * FROM manifest_files WHERE candidate_id = ?",
                           (cand,)).fetchall()    # in files order: archive order
        errs = []
        top = [r for r in rows if r["source_path"] == top_name]
        mem = [r for r in rows if r["source_path"] != top_name]
        keep = set(c.get("reasons", ()))
        if len(top) != 1:
            errs.append(f"{len(top)} rows for the upload, want 1")
        else:
            r = top[0]
            if r["kind"] != c["kind"]:
                errs.append(f"kind {r['kind']!r}, want {c['kind']!r}")
            if c.get("mime") and r["mime_type"] != c["mime"]:
                errs.append(f"mime {r['mime_type']!r}, want {c['mime']!r}")
            v, got = content(r, keep)
            if (v, got) != (c["verdict"], keep):
                errs.append(f"{v} {sorted(got)}, want {c['verdict']} {sorted(keep)}")
            if c.get("duration") is not None:
                want, tol = c["duration"]
                d = r["duration_s"]
                if d is None or abs(float(d) - want) > tol + 1e-9:
                    errs.append(f"duration {d}, want {want} ±{tol}")
        if c.get("members") is None:
            acc = [r["source_path"] for r in mem if content(r)[0] == "accepted"]
            if acc:
                errs.append(f"members accepted from a rejected upload: {acc}")
        else:
            errs += members(top_name, mem, c["members"])
        for p, raw in (c.get("raw") or {}).items():
            got = [bytes(r[0]) for r in con.execute(
                "SELECT raw_name FROM files WHERE candidate_id = ? AND source_path = ?"
                " AND active = 1", (cand, top_name + "/" + p))]
            if got != [raw]:
                errs.append(f"raw name of {p!r}: {got}, want {[raw]}")
        if errs:
            bad += 1
            print(f"FAIL {label}: {c['name']} ({cand}): " + "; ".join(errs))
        else:
            print(f"ok   {label}: {c['name']}")
    print(f"{label}: {len(cases) - bad} of {len(cases)} cases as expected")
    return bad


def members(top_name, rows, want):
    """rows in manifest order; named members match rows of that path in turn,
    unnamed ones (None: mojibake) any row no named member claims"""
    errs = []
    got_paths = [r["source_path"][len(top_name) + 1:] for r in rows]
    if len(rows) != len(want):
        errs.append("members " + json.dumps(got_paths, ensure_ascii=False) +
                    f", want {len(want)}")
    named = {nfc(top_name + "/" + p) for p, _, _ in want if p is not None}
    left = list(rows)
    for p, verdict, cs in want:
        if p is None:
            cand = [r for r in left if nfc(r["source_path"]) not in named]
        else:
            cand = [r for r in left if r["source_path"] == top_name + "/" + p]
        if not cand:
            errs.append(f"no member row {p!r}")
            continue
        r = cand[0]
        left.remove(r)
        name = r["source_path"][len(top_name) + 1:]
        if p is None and (name != nfc(name) or "\ufffd" in name):
            errs.append(f"member {name!r} is not clean NFC")
        v, got = content(r, cs)
        if (v, got) != (verdict, set(cs)):
            errs.append(f"member {name!r}: {v} {sorted(got)}, want {verdict} {sorted(cs)}")
    return errs
