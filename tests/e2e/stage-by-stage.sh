# Each stage on its own, in pipeline order, asserting the states and rows it leaves:
# scan → new, identify → facts and next state, unpack → members, probe → durations,
# validate → verdicts, manifest → per-candidate files.  Each stage run twice does nothing new.
. "$(dirname "$0")/lib.sh"
I="$T/inbox" D="$T/data"
fx_video "$T/fx/v1.mp4" 35
fx_video "$T/fx/v2.webm" 31 -c:v libvpx -b:v 40k -c:a libopus -f webm
mkdir -p "$I/c9/E1/V1"
cp "$T/fx/v1.mp4" "$I/c9/E1/V1/session.MOV"          # a MOV name on MP4 bytes
printf 'not a pdf, just text\n' > "$I/c9/E1/W1_commentary.pdf"
python3 - "$T/fx/v2.webm" "$I/c9/E1/clips.tar.gz" <<'PY'
import sys, tarfile
with tarfile.open(sys.argv[2], "w:gz") as t:
    t.add(sys.argv[1], arcname="V2-browser.webm")
PY
in_window "$I/c9/E1/V1/session.MOV" "$I/c9/E1/W1_commentary.pdf" "$I/c9/E1/clips.tar.gz"
st() { sql "$D/folio.db" "SELECT source_path || ':' || state FROM files ORDER BY source_path"; }
stage() { run_v "$BIN/folio-$1" -q --data "$D" "$@"; }

run_v "$BIN/folio-scan" -q --inbox "$I" --data "$D"
expect_eq "$(st)" "$(printf 'V1/session.MOV:new\nW1_commentary.pdf:new\nclips.tar.gz:new')" "after scan"
expect_eq "$(sql "$D/folio.db" "SELECT slot_folder FROM files WHERE source_path = 'V1/session.MOV'")" V1 "slot folder"
[ -f "$D/store/$(sha256sum "$T/fx/v1.mp4" | cut -c1-2)/$(sha256sum "$T/fx/v1.mp4" | cut -c1-64)" ] ||
    fail "the original is not in the store under its SHA-256"

run_v "$BIN/folio-identify" -q --data "$D"
expect_eq "$(st)" "$(printf 'V1/session.MOV:probe\nW1_commentary.pdf:validate\nclips.tar.gz:unpack')" "after identify"
expect_eq "$(sql "$D/folio.db" "SELECT x.mime_type, x.kind FROM files f JOIN facts x USING (sha256) WHERE source_path = 'W1_commentary.pdf'")" \
    "text/plain|document" "type from content, not from the name"
expect_eq "$(sql "$D/folio.db" "SELECT unpack_reasons FROM files WHERE source_path = 'W1_commentary.pdf'")" \
    "extension-mismatch" "a .pdf that is text"

run_v "$BIN/folio-unpack" -q --data "$D"
expect_eq "$(st)" "$(printf 'V1/session.MOV:probe\nW1_commentary.pdf:validate\nclips.tar.gz:validate\nclips.tar.gz/V2-browser.webm:probe')" "after unpack"
expect_eq "$(sql "$D/folio.db" "SELECT depth, parent_id = (SELECT id FROM files WHERE source_path = 'clips.tar.gz') FROM files WHERE source_path LIKE '%.webm'")" "1|1" "member row"

run_v "$BIN/folio-probe" -q --data "$D"
expect_eq "$(sql "$D/folio.db" "SELECT state FROM files WHERE state <> 'validate'")" "" "after probe"
d=$(sql "$D/folio.db" "SELECT x.duration_s FROM files f JOIN facts x USING (sha256) WHERE source_path LIKE '%.webm'")
python3 -c "import sys; assert abs(float(sys.argv[1]) - 31) <= 0.5, sys.argv[1]" "$d" || fail "webm duration $d"
# ffprobe is the independent oracle for the MP4's facts
ff=$(ffprobe -v error -select_streams v:0 -show_entries stream=codec_name,width,height -of csv=p=0 "$T/fx/v1.mp4")
expect_eq "$(sql "$D/folio.db" "SELECT video_codec || ',' || width || ',' || height FROM facts x JOIN files f USING (sha256) WHERE source_path = 'V1/session.MOV'")" "$ff" "codec and size against ffprobe"

run_v "$BIN/folio-validate" -q --data "$D"
expect_eq "$(sql "$D/folio.db" "SELECT source_path, slot_id, verdict, reasons FROM manifest_files ORDER BY source_path")" \
"$(printf 'V1/session.MOV|V1|accepted|\nW1_commentary.pdf|W1|rejected|extension-mismatch,type-not-allowed\nclips.tar.gz||accepted|\nclips.tar.gz/V2-browser.webm|V2|accepted|')" "verdicts"
expect_eq "$(sql "$D/folio.db" "SELECT status, missing_slots FROM manifest_entries")" "incomplete|W1,V3,V4,V5,V6" "entry"

[ ! -e "$D/manifests/c9.sqlite" ] || fail "manifest written before its stage"
run_v "$BIN/folio-manifest" -q --data "$D"
expect_eq "$(sql "$D/manifests/c9.sqlite" "SELECT COUNT(*) FROM manifest_files")" 4 "exported rows"
expect_eq "$(sql "$D/folio.db" "SELECT manifest_dirty FROM candidates")" 0 "manifest no longer stale"
m1=$(stat -c %Y.%i "$D/manifests/c9.sqlite")

# idempotent: every stage again, nothing changes
before=$(sql "$D/folio.db" "SELECT * FROM files ORDER BY id")
for s in identify unpack probe validate manifest; do run_v "$BIN/folio-$s" -q --data "$D"; done
run_v "$BIN/folio-scan" -q --inbox "$I" --data "$D"
expect_eq "$(sql "$D/folio.db" "SELECT * FROM files ORDER BY id")" "$before" "files after running every stage again"
expect_eq "$(stat -c %Y.%i "$D/manifests/c9.sqlite")" "$m1" "manifest untouched when nothing changed"
echo "stage by stage: ok"
