"""Random archives for tests/e2e/property-unpack.sh: members with names, kinds
and sizes drawn at random (seeded) from pools that include every hostile form
folio knows of.  make SEED INBOX CANARY writes them and a key (key.json);
check KEY DB ROOT asserts the two properties:
  - nothing exists outside the extraction root that was not there before
    (no canary, no link or special file anywhere under ROOT but the inbox);
  - every member ends up accepted, skipped or rejected with a code, or its
    archive is rejected with an archive-level code: never lost."""
import io, json, os, random, sqlite3, stat, sys, tarfile, zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import archives as A

ARCHIVE_CODES = {"archive-corrupt", "archive-bomb", "archive-too-many-members",
                 "archive-encrypted", "archive-empty", "archive-multi-volume",
                 "archive-nested-too-deep"}


def names(rng, canary):
    pools = [
        lambda: rng.choice(["notes", "V1_clip", "Entry 1/V2", "résumé", "Résumé", "RESUME"]) +
        rng.choice([".txt", ".mp4", ".pdf", ""]),
        lambda: "../" * rng.randint(1, 9) + os.path.basename(canary) + "-dotdot",
        lambda: "..\\" * rng.randint(1, 9) + os.path.basename(canary) + "-bs",
        lambda: canary + "-abs",
        lambda: "C:\\" + os.path.basename(canary) + "-drive",
        lambda: "sub/" * rng.randint(1, 60) + "deep.txt",
        lambda: "".join(rng.choice("ab\x01\n\x1b\x7f\u0085é\u0301/.") for _ in range(rng.randint(1, 12))),
        lambda: "x" * rng.randint(200, 300),
        lambda: "cafe\u0301.txt",
        lambda: "café.txt",
        lambda: "__MACOSX/._" + rng.choice(["a", "b"]),
        lambda: "dir/",
    ]
    return rng.choice(pools)()


def data(rng):
    n = rng.choice([0, 1, 100, 5000, 70000])
    return bytes(n) if rng.random() < 0.3 else rng.randbytes(n)


def one_tar(rng, canary):
    buf = io.BytesIO()
    count = 0
    with tarfile.open(fileobj=buf, mode="w", format=rng.choice([tarfile.PAX_FORMAT, tarfile.GNU_FORMAT])) as t:
        for _ in range(rng.randint(0, 12)):
            name = names(rng, canary)
            kind = rng.choice([tarfile.REGTYPE] * 5 + [tarfile.DIRTYPE, tarfile.SYMTYPE,
                               tarfile.LNKTYPE, tarfile.FIFOTYPE, tarfile.CHRTYPE])
            i = tarfile.TarInfo(name)
            i.type, i.mtime = kind, A.MTIME
            if kind in (tarfile.SYMTYPE, tarfile.LNKTYPE):
                i.linkname = rng.choice(["/etc/passwd", "../../..", canary, "notes.txt"])
            d = data(rng) if kind == tarfile.REGTYPE else b""
            i.size = len(d)
            t.addfile(i, io.BytesIO(d))
            # libarchive takes a regular file whose name ends in "/" for a
            # folder, as old tar did; a FIFO or link of that name stays one
            count += kind != tarfile.DIRTYPE and not (kind == tarfile.REGTYPE and
                                                      name.endswith("/"))
    return buf.getvalue(), count


def one_zip(rng, canary):
    ms = []
    for _ in range(rng.randint(0, 12)):
        name = names(rng, canary)
        m = A.M(name, data(rng), method=rng.choice([0, 8]))
        if rng.random() < 0.1:
            m.attr = 0o120777 << 16
            m.payload = m.data = canary.encode()
            m.method, m.crc, m.usize = 0, A.zlib.crc32(m.data), len(m.data)
        ms.append(m)
    count = sum(1 for m in ms if not m.name.endswith(b"/"))
    return A.mkzip(ms), count


def make(seed, inbox, canary):
    rng = random.Random(seed)
    key = []
    for i in range(30):
        blob, count = (one_tar if rng.random() < 0.5 else one_zip)(rng, canary)
        name = "random-%02d.%s" % (i, "tar" if blob[257:262] == b"ustar" else "zip")
        cand = "c%04d" % (8001 + i)
        d = os.path.join(inbox, cand, "E1", "V1")
        os.makedirs(d)
        with open(os.path.join(d, name), "wb") as f:
            f.write(blob)
        os.utime(os.path.join(d, name), (A.MTIME, A.MTIME))
        key.append({"candidate": cand, "name": name, "members": count})
    with open(os.path.join(inbox, "..", "key.json"), "w") as f:
        json.dump(key, f)


def check(keyfile, db, root, canary):
    key = json.load(open(keyfile))
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    con.row_factory = sqlite3.Row
    bad = []
    for k in key:
        rows = con.execute("SELECT * FROM manifest_files WHERE candidate_id = ?",
                           (k["candidate"],)).fetchall()
        top = [r for r in rows if r["source_path"] == "V1/" + k["name"]]
        mem = [r for r in rows if r["source_path"] != "V1/" + k["name"]]
        for r in rows:
            if r["verdict"] not in ("accepted", "rejected", "skipped"):
                bad.append(f"{r['source_path']}: verdict {r['verdict']}")
            elif r["verdict"] != "accepted" and not r["reasons"]:
                bad.append(f"{r['source_path']}: {r['verdict']} without a code")
        if len(top) != 1:
            bad.append(f"{k['name']}: {len(top)} rows")
            continue
        codes = set((top[0]["reasons"] or "").split(","))
        if top[0]["kind"] == "archive" and codes & ARCHIVE_CODES:
            continue           # the whole archive refused, with its reason
        if len(mem) != k["members"]:
            bad.append(f"{k['name']}: {len(mem)} member rows for {k['members']} members")
    for d, dirs, files in os.walk(root):
        if os.path.abspath(d).startswith(os.path.join(root, "inbox")):
            continue
        for n in dirs + files:
            p = os.path.join(d, n)
            st = os.lstat(p)
            if not (stat.S_ISREG(st.st_mode) or stat.S_ISDIR(st.st_mode)):
                bad.append(f"{p}: neither a file nor a folder")
            if os.path.basename(canary) in n:
                bad.append(f"{p}: a member's own name")
    for b in bad:
        print("FAIL", b)
    print(f"property: {len(key)} random archives, {sum(k['members'] for k in key)} members,"
          f" {len(bad)} violations")
    return 1 if bad else 0


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(int(sys.argv[2]), sys.argv[3], sys.argv[4])
    else:
        sys.exit(check(*sys.argv[2:6]))
