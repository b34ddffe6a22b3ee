#!/usr/bin/env python3
"""data_check.py — what a data directory holds, for the crash and disk-full tests.

    data_check.py dump DATA     the manifest, canonically: every row of the
                                manifest_files and manifest_entries views, then
                                every row of each manifests/<candidate>.sqlite
                                (sorted; the views hold no run ids or times)
    data_check.py check DATA [--allow-orphans]
                                the invariants a finished run leaves, one line
                                per violation on stderr, exit 1 if any:
      - no duplicate rows: one active files row per (candidate, entry,
        source path), one uploads row per inbox path
      - every store_path exists, is named by its SHA-256 and has the sha256
        its row records; every normalized_path and poster_path exists, the
        video with the recorded normalized_sha256
      - DATA/tmp is empty
      - no orphans: every file under store/ and media/ is referenced by a
        files row (--allow-orphans: store objects may be unreferenced, but
        every one must still be whole, named by its content)
      - each candidate's manifests/<id>.sqlite exists and holds exactly its
        rows of the views (no manifest is stale once a run has finished)
Reads with its own sqlite3 (python's), read-only."""
import hashlib
import os
import sqlite3
import sys


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def connect(path):
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True)


def rows(con, sql, *args):
    return sorted(tuple("" if v is None else str(v) for v in r) for r in con.execute(sql, args))


def dump(data):
    con = connect(os.path.join(data, "folio.db"))
    out = []
    for view in ("manifest_files", "manifest_entries"):
        for r in rows(con, f"SELECT * FROM {view}"):
            out.append(view + "|" + "|".join(r))
    mdir = os.path.join(data, "manifests")
    for name in sorted(os.listdir(mdir)) if os.path.isdir(mdir) else []:
        m = connect(os.path.join(mdir, name))
        for view in ("manifest_files", "manifest_entries"):
            for r in rows(m, f"SELECT * FROM {view}"):
                out.append(f"{name}:{view}|" + "|".join(r))
        m.close()
    return out


def files_under(top):
    for d, _, names in os.walk(top):
        for n in names:
            yield os.path.relpath(os.path.join(d, n), os.path.dirname(top))


def check(data, allow_orphans):
    bad = []
    con = connect(os.path.join(data, "folio.db"))
    for r in con.execute("SELECT candidate_id, entry_id, source_path, COUNT(*) FROM files"
                         " WHERE active = 1 GROUP BY 1, 2, 3 HAVING COUNT(*) > 1"):
        bad.append(f"duplicate active files rows: {r}")
    for r in con.execute("SELECT candidate_id, entry_id, rel_path, COUNT(*) FROM uploads"
                         " GROUP BY 1, 2, 3 HAVING COUNT(*) > 1"):
        bad.append(f"duplicate uploads rows: {r}")
    referenced = set()
    for sp, sha in con.execute("SELECT store_path, sha256 FROM files WHERE store_path IS NOT NULL"):
        referenced.add(sp)
        p = os.path.join(data, sp)
        if not os.path.isfile(p):
            bad.append(f"{sp}: recorded, missing")
        elif os.path.basename(sp) != sha or sha256(p) != sha:
            bad.append(f"{sp}: content is not its recorded sha256 {sha}")
    for np, nsha, pp in con.execute("SELECT normalized_path, normalized_sha256, poster_path FROM files"
                                    " WHERE normalized_path IS NOT NULL OR poster_path IS NOT NULL"):
        for rel in (np, pp):
            if rel is None:
                continue
            referenced.add(rel)
            if not os.path.isfile(os.path.join(data, rel)):
                bad.append(f"{rel}: recorded, missing")
        if np and os.path.isfile(os.path.join(data, np)) and sha256(os.path.join(data, np)) != nsha:
            bad.append(f"{np}: content is not its recorded normalized_sha256")
    left = sorted(files_under(os.path.join(data, "tmp"))) if os.path.isdir(os.path.join(data, "tmp")) else []
    if left:
        bad.append(f"tmp/ not empty: {left}")
    for top in ("store", "media"):
        if not os.path.isdir(os.path.join(data, top)):
            continue
        for rel in files_under(os.path.join(data, top)):
            if rel in referenced:
                continue
            if top == "store" and allow_orphans:
                if sha256(os.path.join(data, rel)) != os.path.basename(rel):
                    bad.append(f"{rel}: unreferenced and not whole (content is not its name)")
                continue
            bad.append(f"{rel}: orphan (no row refers to it)")
    for (cand,) in con.execute("SELECT DISTINCT candidate_id FROM files"):
        p = os.path.join(data, "manifests", cand + ".sqlite")
        if not os.path.isfile(p):
            bad.append(f"manifests/{cand}.sqlite: missing")
            continue
        m = connect(p)
        for view in ("manifest_files", "manifest_entries"):
            want = rows(con, f"SELECT * FROM {view} WHERE candidate_id = ?", cand)
            got = rows(m, f"SELECT * FROM {view}")
            if want != got:
                bad.append(f"manifests/{cand}.sqlite: {view} differs from the database")
        m.close()
    for line in bad:
        print(f"{data}: {line}", file=sys.stderr)
    return 1 if bad else 0


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "dump":
        print("\n".join(dump(sys.argv[2])))
        return 0
    if len(sys.argv) >= 3 and sys.argv[1] == "check":
        return check(sys.argv[2], "--allow-orphans" in sys.argv[3:])
    print(__doc__, file=sys.stderr)
    return 2


sys.exit(main())
