# inspect.sh — 'folio inspect FILE...' on files of the public hostile corpus:
# one JSON line per file, in order, with the facts, the content reason codes
# and, for archives, the members (nested archives inside their parent) as
# unpacking alone decides them.  Skipped when the corpus is absent.
. "$(dirname "$0")/lib.sh"
CORPUS=${FOLIO_CORPUS:-/work/shared/corpus}
P=$CORPUS/public
[ -f "$P/EXPECTED.json" ] || { echo "no corpus at $P"; exit 77; }

# a missing file gets its own line with an error, exit 1, the others still told
set +e
run_v "$BIN/folio" inspect \
    "$P/media/small_webm.webm" \
    "$P/media/kb_frogs-01-last-1000-bytes-missing.flac" \
    "$P/media/filetype_fixture-dash.mp4" \
    "$P/media/small_Mpeg4.mp4" \
    "$P/archives/libarchive_zip_nested.zip" \
    "$P/archives/libarchive_zip_encryption_header.zip" \
    "$P/archives/libarchive_gzip_recursive.gz" \
    "$P/archives/libarchive_tar_leading_slash.tar" \
    "$P/archives/libarchive_rar_multivolume_single_file.part2.rar" \
    "$P/documents/filetype_fixture-password-protected.xlsx" \
    "$P/documents/filetype_fixture2.docx" \
    "$T/no-such-file" >"$T/out.jsonl" 2>"$T/err"
rc=$?
set -e
expect_eq "$rc" 1 "exit status with one unreadable file"

python3 - "$T/out.jsonl" <<'PY' || fail "inspect output differs (above)"
import json, sys

lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
rows = [json.loads(l) for l in lines]   # every line parses on its own
bad = []

def want(i, what, got, exp):
    if got != exp:
        bad.append(f"line {i + 1} {what}: got {got!r}, want {exp!r}")

def near(i, what, got, exp, tol):
    if got is None or abs(got - exp) > tol:
        bad.append(f"line {i + 1} {what}: got {got!r}, want {exp} ±{tol}")

want(0, "line count", len(rows), 12)
r = {i: rows[i] for i in range(len(rows))}
# header says 1 s, one complete frame: measured 0 s, a warning, not corrupt
x = r[0]
want(0, "kind", x["kind"], "video")
want(0, "reasons", sorted(x["reasons"]), ["duration-header-mismatch", "no-audio-stream"])
near(0, "duration_s", x["duration_s"], 0, 0.04)
near(0, "header_duration_s", x["header_duration_s"], 1.0, 0.01)
want(0, "duration_method", x["duration_method"], "packets")
want(0, "video_codec", x["video_codec"], "vp8")
want(0, "size", (x["width"], x["height"]), (8, 8))
# the last frame fails to decode
x = r[1]
want(1, "kind", x["kind"], "audio")
want(1, "reasons", sorted(x["reasons"]), ["media-corrupt", "no-video-stream"])
want(1, "verdict", x["verdict"], "rejected")
near(1, "duration_s", x["duration_s"], 11.6, 0.1)
# no moov: never opened, so no stream codes and no duration
x = r[2]
want(2, "kind", x["kind"], "video")
want(2, "reasons", x["reasons"], ["media-corrupt"])
want(2, "duration_s", x["duration_s"], None)
# a moov with no tracks: opened, 0 s, neither stream
x = r[3]
want(3, "reasons", sorted(x["reasons"]), ["no-audio-stream", "no-video-stream"])
near(3, "duration_s", x["duration_s"], 0, 1e-9)
want(3, "verdict", x["verdict"], "rejected")
# two layers: small.zip's member inside it
x = r[4]
want(4, "verdict", x["verdict"], "accepted")
want(4, "members", [m["path"] for m in x["members"]], ["small.zip", "file.txt"])
inner = x["members"][0]
want(4, "small.zip kind", inner["kind"], "archive")
want(4, "small.zip members", [(m["path"], m["verdict"]) for m in inner["members"]],
     [("another_file.txt", "accepted")])
# names under encryption: the archive is rejected, no member shown
x = r[5]
want(5, "reasons", x["reasons"], ["archive-encrypted"])
want(5, "verdict", x["verdict"], "rejected")
want(5, "members", x["members"], [])
# the gzip quine: one layer opened, its trailer fails
x = r[6]
want(6, "reasons", x["reasons"], ["archive-corrupt"])
want(6, "members", x["members"], [])
# members with a leading slash; one is also a hard link
x = r[7]
want(7, "verdict", x["verdict"], "accepted")
want(7, "members", [(m["path"], m["verdict"], sorted(m["reasons"])) for m in x["members"]],
     [("/foo/file", "rejected", ["archive-absolute-path"]),
      ("/foo/hardlink", "rejected", ["archive-absolute-path", "archive-link"])])
# a middle volume alone
x = r[8]
want(8, "reasons", x["reasons"], ["archive-multi-volume"])
want(8, "verdict", x["verdict"], "rejected")
# an encrypted OOXML file is an OLE container: a document, never a zip
x = r[9]
want(9, "kind", x["kind"], "document")
want(9, "reasons", x["reasons"], ["document-encrypted"])
want(9, "members", x.get("members"), None)
# a DOCX is not unpacked, and libavformat is never asked
x = r[10]
want(10, "kind", x["kind"], "document")
want(10, "reasons", x["reasons"], [])
want(10, "members", x.get("members"), None)
want(10, "duration_method", x["duration_method"], None)
# the unreadable file
x = r[11]
want(11, "error present", "error" in x, True)
for b in bad:
    print(b)
sys.exit(1 if bad else 0)
PY
