# kill -9 of a run at any moment, then 'folio run' again, ends with exactly the
# data a clean run leaves: the same manifest (the views and every
# manifests/<candidate>.sqlite), no duplicate rows, every recorded store,
# media and poster path present with its recorded SHA-256, nothing left in
# tmp/, no file in store/ or media/ that no row refers to.
#
# The kill points are chosen by watching the run: a stage's process appearing,
# a temporary file being written (tmp/obj-* while scan or unpack streams,
# tmp/norm-* while normalize encodes), a first output renamed into media/, and
# plain delays; the whole process group, or only the stage (the run sees it
# die and stops).  Where a kill lands in time varies from run to run; what is
# asserted holds wherever it lands (a point the run finished before reaching
# is logged, and the run is compared all the same).
. "$(dirname "$0")/lib.sh"
I="$T/inbox"
CHECK="python3 $(dirname "$0")/data_check.py"

# c1: a video and a PDF; c2: a zip holding a video, a PDF and 16 MiB of noise
# (streamed twice: scan stores the zip, unpack its members); c3: a video.
fx_video "$I/c1/E1/V1/clip.mp4" 40
fx_video "$I/c3/E1/V1/a.mp4" 36 -vf vflip
fx_video "$T/member.mp4" 38 -vf negate
python3 - "$I" "$T/member.mp4" <<'PY'
import os, random, sys, zipfile
inbox, member = sys.argv[1:3]
pdf = (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
       b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
os.makedirs(f"{inbox}/c1/E1/W1")
open(f"{inbox}/c1/E1/W1/essay.pdf", "wb").write(pdf)
os.makedirs(f"{inbox}/c2/E1")
with zipfile.ZipFile(f"{inbox}/c2/E1/pack.zip", "w") as z:
    z.write(member, "V1/clip.mp4", zipfile.ZIP_STORED)
    z.writestr("W1/statement.pdf", pdf, zipfile.ZIP_DEFLATED)
    z.writestr("extras/noise.bin", random.Random(7).randbytes(16 << 20), zipfile.ZIP_STORED)
PY
find "$I" -type f -exec touch -d @1780000000 {} +

# The references: clean runs without normalize and with it.
run_v "$BIN/folio" run -q --inbox "$I" --data "$T/ref-skip"
FOLIO_SKIP_STAGES= run_v "$BIN/folio" run -q --inbox "$I" --data "$T/ref-full"
for r in ref-skip ref-full; do
    $CHECK check "$T/$r" || fail "$r: a clean run leaves an inconsistent data directory"
    $CHECK dump "$T/$r" > "$T/$r.txt"
done
expect_eq "$(grep -c '^manifest_files|.*|accepted||media/' "$T/ref-full.txt")" 3 "normalized videos in the clean run"
expect_eq "$(grep -c '^manifest_files|' "$T/ref-full.txt")" 7 "manifest rows of the clean run"

# One kill point: tests/e2e/killer.py starts 'folio run' on data directory $2
# in a process group of its own and kills the whole group with SIGKILL when
# point $1 is reached (see killer.py); then the run is started again and let
# finish, and compared with reference $3.  $4 = double: the second run is
# killed at the same point too, and a third one finishes.
killed=0 missed=0
kill_at() {
    point=$1 d=$2 ref=$3 times=1
    [ "${4:-}" = double ] && times=2
    k=0
    while [ $k -lt $times ]; do
        k=$((k + 1))
        what=$(python3 "$(dirname "$0")/killer.py" "$point" "$d" \
               "$BIN/folio" run -q --inbox "$I" --data "$d") || fail "$point: killer.py failed"
        case $what in
        killed) killed=$((killed + 1)) ;;
        ended) missed=$((missed + 1)) ;;
        *) fail "$point: killer.py said '$what'" ;;
        esac
        echo "kill point $point ($k/$times): $what"
    done
    run_v "$BIN/folio" run -q --inbox "$I" --data "$d" ||
        fail "$point: the run after the kill failed"
    $CHECK check "$d" || fail "$point: after kill -9 and a new run the data directory is not consistent"
    $CHECK dump "$d" > "$d.txt"
    diff "$T/$ref.txt" "$d.txt" >&2 || fail "$point: the manifest after kill -9 and a new run differs from a clean run's"
    expect_eq "$(sql "$d/folio.db" "SELECT COUNT(*) FROM files WHERE state <> 'done' OR attempts <> 0")" 0 \
        "$point: files not done, or counted as failed, after the new run"
}

# Without normalize: each stage as it starts, scan and unpack mid-stream, a
# delay.  (Under the sanitizers, FOLIO_SAN, every stage is several times
# slower: the stages whose start is only a transaction are left to the normal
# build's run of this test.)
points="stage:scan tmp:obj-* stage:unpack stage:unpack+15 stage:manifest ms:40"
[ -n "${FOLIO_SAN:-}" ] || points="$points stage:identify stage:probe stage:validate stage:report"
n=0
set -f    # the points are words, not file names
for point in $points; do
    n=$((n + 1))
    kill_at "$point" "$T/s$n" ref-skip
done
set +f
kill_at tmp:obj-* "$T/s-double" ref-skip double
# the stage alone, mid-unpack: the run notices and stops
n=$((n + 1))
kill_at only:unpack+15 "$T/s$n" ref-skip

# With normalize, from the clean run's state without it (the slow stage is
# the one being killed): mid-encode, after a first output was renamed into
# media/ (it may not be recorded yet), the stage alone half a second in, and
# mid-encode twice.
export FOLIO_SKIP_STAGES=
for point in tmp:norm-*.mp4 media; do
    n=$((n + 1))
    cp -a "$T/ref-skip" "$T/n$n"
    kill_at "$point" "$T/n$n" ref-full
done
n=$((n + 1))
cp -a "$T/ref-skip" "$T/n$n"
kill_at only:normalize+500 "$T/n$n" ref-full
cp -a "$T/ref-skip" "$T/n-double"
kill_at tmp:norm-*.mp4 "$T/n-double" ref-full double
echo "crash-kill: ok ($killed kills landed, $missed points the run ended before)"
