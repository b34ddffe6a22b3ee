# unpack-hostile.sh — archives built to attack the unpacker, generated here with
# python3 zipfile/tarfile, one candidate each, one nightly run.  Each archive
# and each member must get exactly its verdict and reason codes (slot codes
# aside: everything lands in E1/V1, where a text member is type-not-allowed),
# and nothing may be written outside DATA: no canary appears, no link exists.
# max_members is lowered to 8 in a config copy so the limit is cheap to cross.
. "$(dirname "$0")/lib.sh"

CANARY=$T/canary
sed 's/^max_members *=.*/max_members  = 8/' "$FOLIO_CONFIG" >"$T/folio.conf"
grep -q '^max_members  = 8$' "$T/folio.conf" || fail "config copy lacks max_members"

cat >"$T/hostile.py" <<'PY'
"""make INBOX CANARY: writes the fixtures;  check DB: compares the manifest."""
import io, json, os, sqlite3, sys, tarfile, unicodedata, warnings, zipfile, zlib

warnings.filterwarnings("ignore", "Duplicate name")   # duplicates are the point

MTIME = 1780000000
SLOT_CODES = {"type-not-allowed", "duration-too-short", "duration-too-long",
              "slot-unknown", "late-upload", "duplicate-file", "normalize-failed"}
WARNINGS = {"name-repaired", "extension-mismatch", "duration-header-mismatch",
            "audio-silent", "normalize-failed"}
TXT = b"fictional coaching notes\n"

def zip_bytes(members, compression=zipfile.ZIP_STORED):
    """members: (name, data) or a ZipInfo with data; returns the zip."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as z:
        for name, data in members:
            if isinstance(name, zipfile.ZipInfo):
                z.writestr(name, data)
            else:
                z.writestr(zipfile.ZipInfo(name, (2026, 5, 28, 12, 0, 0)), data,
                           compress_type=compression)
    return buf.getvalue()

def tar_bytes(members):
    """members: TarInfo with data (None for no data)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        for info, data in members:
            info.mtime = MTIME
            if data is not None:
                info.size = len(data)
                t.addfile(info, io.BytesIO(data))
            else:
                t.addfile(info)
    return buf.getvalue()

def ti(name, kind=tarfile.REGTYPE, link=""):
    i = tarfile.TarInfo(name)
    i.type = kind
    i.linkname = link
    if kind in (tarfile.CHRTYPE, tarfile.BLKTYPE):
        i.devmajor, i.devminor = 1, 3
    return i

def encrypted_zip():
    """secret.txt flagged encrypted (bit 0, in its local header and the central
    directory: python cannot encrypt, libarchive only reads the flag), then a
    plain member after it."""
    z = bytearray(zip_bytes([("secret.txt", b"\0" * 12 + TXT), ("plain.txt", TXT)]))
    for sig, off in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = z.find(sig)                      # the first member's header
        z[at + off] |= 0x01
    return bytes(z)

def crc_damaged_zip():
    z = bytearray(zip_bytes([("notes.txt", TXT * 40)]))
    at = z.find(TXT)                          # inside the stored data
    z[at + 5] ^= 0xFF
    return bytes(z)

def fixtures(canary):
    F = {}
    F["slip.zip"] = (zip_bytes([
        ("good.txt", TXT),
        ("../../../../../../.." + canary + "-dotdot", TXT),
        ("..\\..\\..\\..\\..\\..\\.." + canary.replace("/", "\\") + "-backslash", TXT),
        ("sub/../../escape.txt", TXT),
        (canary + "-absolute", TXT),
        ("C:\\Windows\\canary.txt", TXT),
    ]), ("accepted", []), [
        ("good.txt", "accepted", []),
        ("../../../../../../.." + canary + "-dotdot", "rejected", ["archive-path-traversal"]),
        ("../../../../../../.." + canary + "-backslash", "rejected", ["archive-path-traversal"]),
        ("sub/../../escape.txt", "rejected", ["archive-path-traversal"]),
        (canary + "-absolute", "rejected", ["archive-absolute-path"]),
        ("C:/Windows/canary.txt", "rejected", ["archive-absolute-path"]),
    ])
    F["links.tar"] = (tar_bytes([
        (ti("good.txt"), TXT),
        (ti("passwd", tarfile.SYMTYPE, "/etc/passwd"), None),
        (ti("out", tarfile.SYMTYPE, os.path.dirname(canary)), None),
        (ti("out/" + os.path.basename(canary) + "-through-link"), TXT),
        (ti("hard", tarfile.LNKTYPE, "good.txt"), None),
        (ti("escape-hard", tarfile.LNKTYPE, canary + "-hard"), None),
        (ti("fifo", tarfile.FIFOTYPE), None),
        (ti("null", tarfile.CHRTYPE), None),
    ]), ("accepted", []), [
        ("good.txt", "accepted", []),
        ("passwd", "rejected", ["archive-link"]),
        ("out", "rejected", ["archive-link"]),
        # a plain name: its bytes go to the store, never through "out"
        ("out/" + os.path.basename(canary) + "-through-link", "accepted", []),
        ("hard", "rejected", ["archive-link"]),
        ("escape-hard", "rejected", ["archive-link"]),
        ("fifo", "rejected", ["archive-special-file"]),
        ("null", "rejected", ["archive-special-file"]),
    ])
    F["dupes.zip"] = (zip_bytes([
        ("notes.txt", TXT),
        ("notes.txt", TXT + b"again\n"),
        ("caf\u00e9.txt", TXT),            # NFC
        ("cafe\u0301.txt", TXT + b"nfd\n"),  # NFD: the same name
        ("Notes.txt", TXT),                 # case differs: not a duplicate
    ]), ("accepted", []), [
        ("notes.txt", "accepted", []),
        ("notes.txt", "rejected", ["archive-duplicate-member"]),
        ("caf\u00e9.txt", "accepted", []),
        ("caf\u00e9.txt", "rejected", ["archive-duplicate-member"]),
        ("Notes.txt", "accepted", []),
    ])
    F["encrypted.zip"] = (encrypted_zip(), ("accepted", []), [
        ("secret.txt", "rejected", ["archive-encrypted"]),
        ("plain.txt", "accepted", []),
    ])
    big = zip_bytes([("a.txt", TXT), ("b.bin", os.urandom(65536))])
    F["truncated.zip"] = (big[:len(big) // 2], ("rejected", ["archive-corrupt"]), None)
    F["crc.zip"] = (crc_damaged_zip(), ("rejected", ["archive-corrupt"]), None)
    zeros = bytes(20 << 20)                 # 20 MiB: past ratio_after (16 MiB)
    F["bomb.zip"] = (zip_bytes([("zeros.bin", zeros)], zipfile.ZIP_DEFLATED),
                     ("rejected", ["archive-bomb"]), None)
    # a single compressed file (raw below gzip); not zeros, which read as
    # an empty tar
    gz = zlib.compressobj(9, zlib.DEFLATED, 31)
    F["notes.txt.gz"] = (gz.compress(TXT * ((20 << 20) // len(TXT))) + gz.flush(),
                         ("rejected", ["archive-bomb"]), None)
    gz = zlib.compressobj(9, zlib.DEFLATED, 31)
    F["small.txt.gz"] = (gz.compress(TXT) + gz.flush(), ("accepted", []),
                         [("small.txt", "accepted", [])])
    F["eight.zip"] = (zip_bytes([(f"m{i}.txt", TXT) for i in range(8)]), ("accepted", []),
                      [(f"m{i}.txt", "accepted", []) for i in range(8)])
    F["nine.zip"] = (zip_bytes([(f"m{i}.txt", TXT) for i in range(9)]),
                     ("rejected", ["archive-too-many-members"]), None)
    l3 = zip_bytes([("deep.txt", TXT)])
    l2 = zip_bytes([("l3.zip", l3), ("two.txt", TXT)])
    F["nested.zip"] = (zip_bytes([("l2.zip", l2), ("one.txt", TXT)]), ("accepted", []), [
        ("l2.zip", "accepted", []),
        ("l2.zip/l3.zip", "rejected", ["archive-nested-too-deep"]),
        ("l2.zip/two.txt", "accepted", []),
        ("one.txt", "accepted", []),
    ])
    F["empty.zip"] = (zip_bytes([]), ("rejected", ["archive-empty"]), None)
    F["only-dirs.zip"] = (zip_bytes([("folder/", b""), ("folder/inner/", b"")]),
                          ("rejected", ["archive-empty"]), None)
    return F

def make(inbox, canary):
    for i, (name, (data, _, _)) in enumerate(sorted(fixtures(canary).items())):
        d = os.path.join(inbox, "c%04d" % (9101 + i), "E1", "V1")
        os.makedirs(d)
        p = os.path.join(d, name)
        with open(p, "wb") as f:
            f.write(data)
        os.utime(p, (MTIME, MTIME))

def codes(csv):
    return {c for c in (csv or "").split(",") if c}

def content(row):
    """verdict and codes with the slot's codes set aside"""
    got = codes(row["reasons"]) - SLOT_CODES
    v = row["verdict"]
    if v == "rejected" and not (got - WARNINGS):
        v = "accepted"
    return v, sorted(got)

def norm(p):
    return unicodedata.normalize("NFC", p).replace("\\", "/")

def check(db, canary):
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    con.row_factory = sqlite3.Row
    bad = 0
    for i, (name, (_, top, members)) in enumerate(sorted(fixtures(canary).items())):
        cand = "c%04d" % (9101 + i)
        rows = con.execute("SELECT * FROM manifest_files WHERE candidate_id = ?",
                           (cand,)).fetchall()   # files order: archive order per layer
        arch = "V1/" + name
        errs = []
        tops = [r for r in rows if r["source_path"] == arch]
        if len(tops) != 1 or tops[0]["kind"] != "archive":
            errs.append(f"{len(tops)} archive rows of kind archive, want 1")
        elif content(tops[0]) != (top[0], sorted(top[1])):
            errs.append(f"archive {content(tops[0])}, want {top}")
        mem = [r for r in rows if r["source_path"] != arch]
        if members is None:
            acc = [r["source_path"] for r in mem if content(r)[0] == "accepted"]
            if acc:
                errs.append(f"members accepted from a rejected archive: {acc}")
        else:
            got = [(norm(r["source_path"][len(arch) + 1:]),) + content(r) for r in mem]
            # nested members come after their layer: compare per parent, in order
            def by_parent(lst):
                out = {}
                for m in lst:
                    out.setdefault(m[0].rsplit(".zip/", 1)[0] if ".zip/" in m[0] else "",
                                   []).append(m)
                return out
            want = [(norm(p), v, sorted(c)) for p, v, c in members]
            if by_parent(got) != by_parent(want):
                errs.append("members " + json.dumps(got, ensure_ascii=False) +
                            ", want " + json.dumps(want, ensure_ascii=False))
        if errs:
            bad += 1
            print(f"FAIL {name} ({cand}): " + "; ".join(errs))
    n = len(fixtures(canary))
    print(f"hostile archives: {n - bad} of {n} as expected")
    return bad

if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(sys.argv[2], sys.argv[3])
    else:
        sys.exit(1 if check(sys.argv[2], sys.argv[3]) else 0)
PY

python3 "$T/hostile.py" make "$T/inbox" "$CANARY"
run_v "$BIN/folio" run -q --config "$T/folio.conf" --inbox "$T/inbox" --data "$T/data" ||
    fail "folio run exited $?"
python3 "$T/hostile.py" check "$T/data/folio.db" "$CANARY" || fail "manifest differs (above)"

# nothing escaped, no link anywhere, no member written under its own name
for c in "$CANARY"*; do [ ! -e "$c" ] || fail "$c was written"; done
[ ! -e "$T/data/../escape.txt" ] || fail "escape.txt was written"
[ ! -e "/C:" ] && [ ! -e "$T/data/C:" ] || fail "a drive-letter path was written"
[ -z "$(find "$T/data" -type l)" ] || fail "a link exists under DATA"
[ -z "$(find "$T/data" ! -type f ! -type d)" ] || fail "a special file exists under DATA"
[ -z "$(find "$T/data" -name '*canary*' -o -name 'good.txt' -o -name 'fifo')" ] ||
    fail "a member was written under its own name"
# the bomb was stopped early: nothing of it stays, not even a temporary file
[ -z "$(find "$T/data/tmp" -type f 2>/dev/null)" ] || fail "temporary files left in DATA/tmp"
