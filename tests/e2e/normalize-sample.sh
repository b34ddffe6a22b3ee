# The shared sample inbox through the whole pipeline, then folio-normalize:
# every accepted video has an output meeting the profile, with ffprobe as the
# oracle (codec, pix fmt, size, portrait iPhone clips portrait, no rotation,
# no location, audio rate, duration within 0.5 s, moov before mdat).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/normalize.lib"
CORPUS="$TOP/../shared/corpus"
[ -f "$CORPUS/sample-inbox.tar" ] || { echo "no ../shared/corpus here"; exit 77; }
tar -xf "$CORPUS/sample-inbox.tar" -C "$T"
D="$T/data"
# the nightly run itself normalizes (pipeline/nightly); the stage run after it
# then has nothing left to do
FOLIO_SKIP_STAGES="" run_v "$BIN/folio" run -q --inbox "$T/sample-inbox" --data "$D" || fail "folio run"
# Whether or not pipeline/nightly runs it already, this finishes the work.
run_v "$BIN/folio-normalize" --data "$D" 2> "$T/err" || { cat "$T/err"; fail "folio-normalize"; }
cat "$T/err"
expect_eq "$(sql "$D/folio.db" "SELECT COUNT(*) FROM files f JOIN facts x ON x.sha256 = f.sha256 WHERE f.active = 1 AND f.verdict = 'accepted' AND x.kind = 'video'")" \
    26 "accepted videos in the sample inbox"
python3 - "$D" <<'PY' || fail "outputs do not meet the profile"
import hashlib, json, os, sqlite3, struct, subprocess, sys
data = sys.argv[1]
con = sqlite3.connect(f"file:{data}/folio.db?mode=ro", uri=True)
rows = con.execute(
    "SELECT f.candidate_id, f.entry_id, f.slot_id, f.source_path, f.normalized_path,"
    " f.normalized_sha256, f.poster_path, x.width, x.height, x.rotation, x.duration_s,"
    " x.audio_codec FROM files f JOIN facts x ON x.sha256 = f.sha256"
    " WHERE f.active = 1 AND f.verdict = 'accepted' AND x.kind = 'video' ORDER BY 1, 2, 3").fetchall()
bad = 0
def moov_first(path):
    with open(path, "rb") as f:
        while True:
            h = f.read(8)
            if len(h) < 8:
                return False
            size, kind = struct.unpack(">I4s", h)
            if kind == b"moov":
                return True
            if kind == b"mdat" or size < 8:
                return False
            f.seek(size - 8, 1)
for c, e, s, src, out, sha, poster, w, h, rot, dur, acodec in rows:
    name = f"{c}/{e}/{s} ({src})"
    problems = []
    if out != f"media/{c}/{e}/{s}.mp4" or poster != f"media/{c}/{e}/{s}.jpg":
        print(f"{name}: recorded {out}, {poster}")
        bad += 1
        continue
    path = os.path.join(data, out)
    if hashlib.sha256(open(path, "rb").read()).hexdigest() != sha:
        problems.append("sha256 differs from the record")
    j = json.loads(subprocess.run(["ffprobe", "-v", "error", "-of", "json", "-show_streams",
                                   "-show_format", path], capture_output=True, text=True,
                                  check=True).stdout)
    vs = [x for x in j["streams"] if x["codec_type"] == "video"]
    aus = [x for x in j["streams"] if x["codec_type"] == "audio"]
    # what the profile makes of the source: turned upright, fitted, even
    dw, dh = (h, w) if rot in (90, 270, -90) else (w, h)
    bw, bh = (720, 1280) if dh > dw else (1280, 720)
    k = min(1, bw / dw, bh / dh)
    ew, eh = int(dw * k / 2 + 1e-3) * 2, int(dh * k / 2 + 1e-3) * 2
    if len(vs) != 1:
        problems.append(f"{len(vs)} video streams")
    else:
        v = vs[0]
        got = (v["codec_name"], v.get("profile"), v.get("pix_fmt"), v["width"], v["height"])
        if got != ("h264", "High", "yuv420p", ew, eh):
            problems.append(f"video {got}, want h264 High yuv420p {ew}x{eh}")
        if v.get("side_data_list"):
            problems.append("side data (rotation) in the output")
        if v.get("r_frame_rate") != v.get("avg_frame_rate"):
            problems.append(f"not constant rate: {v.get('r_frame_rate')} {v.get('avg_frame_rate')}")
    if acodec:
        if len(aus) != 1 or aus[0]["codec_name"] != "aac" or aus[0]["sample_rate"] != "48000" \
           or aus[0]["channels"] not in (1, 2):
            problems.append(f"audio {[(a['codec_name'], a['sample_rate'], a['channels']) for a in aus]}")
    elif aus:
        problems.append("audio in the output of a video-only source")
    tags = dict(j["format"].get("tags", {}))
    for st in j["streams"]:
        tags.update({"stream:" + k: v for k, v in st.get("tags", {}).items()})
    leaked = [k for k in tags if any(x in k.lower() for x in ("location", "make", "model",
                                                              "creation_time", "xyz"))]
    if leaked:
        problems.append(f"metadata left: {leaked}")
    if tags.get("title") != f"{c}/{e}/{s}":
        problems.append(f"title {tags.get('title')!r}")
    if abs(float(j["format"]["duration"]) - dur) > 0.5:
        problems.append(f"lasts {j['format']['duration']} s, source {dur} s")
    if not moov_first(path):
        problems.append("moov not before mdat")
    if os.stat(path).st_mode & 0o004 or not os.path.isfile(os.path.join(data, poster)):
        problems.append("world-readable, or no poster")
    print(f"{name}: {ew}x{eh} {'ok' if not problems else '; '.join(problems)}")
    bad += bool(problems)
print(f"{len(rows)} outputs, {bad} bad")
sys.exit(1 if bad or not rows else 0)
PY
# The iPhone clips (rotation 90) came out portrait.
expect_eq "$(sql "$D/folio.db" "SELECT COUNT(*) FROM files WHERE candidate_id = 'c2026-0102' AND normalized_path IS NOT NULL")" \
    6 "c2026-0102 outputs"
for f in "$D"/media/c2026-0102/E1/V*.mp4; do
    expect_eq "$(nz_probe "$f" v:0 width,height)" "90|160" "$(basename "$f") portrait"
done
# Run again: nothing to do.
run_v "$BIN/folio-normalize" --data "$D" 2> "$T/err2" || fail "second run"
expect_eq "$(cat "$T/err2")" "" "second run"
echo "normalize-sample: ok"
