# hostile-media.sh — generated media and documents of every broken or tricky
# kind (tests/gen/media.py: moov at the end or missing, a faststart file cut in
# half, fragmented MP4, WebM without duration or cues, variable frame rate,
# edit lists, a 32-bit header duration that overflows, timestamps from 10 h,
# an MPEG-TS PTS wrap, cut and streamed WAV, audio-only video containers, WebM
# named .mp4, DOCX in Word's and LibreOffice's part order, a zip named .docx,
# password-protected PDF and OOXML, empty and one-byte files), one candidate
# each, one nightly run: each must get exactly its kind, verdict, reason codes
# and duration (tests/gen/expect.py).
. "$(dirname "$0")/lib.sh"
cat >"$T/run.py" <<'PY'
import sys
sys.path.insert(0, sys.argv[1])
import media, expect
cs = media.cases()
if sys.argv[2] == "make":
    expect.layout(cs, sys.argv[3])
else:
    sys.exit(1 if expect.check(cs, sys.argv[3], "media") else 0)
PY
python3 "$T/run.py" "$TOP/tests/gen" make "$T/inbox"
run_v "$BIN/folio" run -q --inbox "$T/inbox" --data "$T/data" || fail "folio run exited $?"
python3 "$T/run.py" "$TOP/tests/gen" check "$T/data/folio.db"
