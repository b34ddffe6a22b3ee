# A full disk is the machine's failure, never the candidate's: on a small tmpfs
# as the data directory, storing an upload, unpacking an archive and normalizing
# a video each stop short of [limits] min_free (the check) or run into ENOSPC
# (min_free = 0: the check off, the write itself fails).  Each time: a system
# failure on that item (attempts, last_error naming the space, system_failures),
# no verdict on its content, no partial file anywhere, every earlier result
# intact; once there is space again the next run ends with exactly the manifest
# of a clean run.  Needs root to mount the tmpfs (CI runs as root).
. "$(dirname "$0")/lib.sh"
if [ "$(id -u)" -ne 0 ]; then
    echo "needs root to mount a tmpfs as the data directory"; exit 77
fi
M="$T/mnt"
mkdir -p "$M"
if ! mount -t tmpfs -o size=32m,mode=0750 folio-test "$M" 2>"$T/mount.err"; then
    echo "cannot mount a tmpfs: $(cat "$T/mount.err")"; exit 77
fi
trap 'umount "$M" 2>/dev/null || umount -l "$M" 2>/dev/null; rm -rf "$T"' EXIT INT TERM
I="$T/inbox" D="$M/data" R="$T/ref"
CHECK="python3 $(dirname "$0")/data_check.py"

# config: min_free 4 MiB (the check) and 0 (no check: the write meets ENOSPC)
sed 's/^min_free *=.*/min_free = 4 MiB/' "$FOLIO_CONFIG" > "$T/conf-4"
sed 's/^min_free *=.*/min_free = 0/' "$FOLIO_CONFIG" > "$T/conf-0"
grep -q '^min_free = 4 MiB$' "$T/conf-4" || fail "the config has no min_free line to change"

# c1: a video and a PDF (the earlier results); c2: a zip holding a video and
# 12 MiB of text (deflated to a few KiB: unpacking is the big write);
# c3: 10 MiB of noise named like a video (storing it is the big write of scan)
fx_video "$I/c1/E1/V1/clip.mp4" 40
fx_video "$T/member.mp4" 38 -vf negate
python3 - "$I" "$T/member.mp4" <<'PY'
import os, random, sys, zipfile
inbox, member = sys.argv[1:3]
pdf = (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
       b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
os.makedirs(f"{inbox}/c1/E1/W1")
open(f"{inbox}/c1/E1/W1/essay.pdf", "wb").write(pdf)
os.makedirs(f"{inbox}/c2/E1")
line = b"Rehearsal notes, bar 12: breathe before the run; keep the tempo.\n"
with zipfile.ZipFile(f"{inbox}/c2/E1/pack.zip", "w") as z:
    z.write(member, "V1/clip.mp4", zipfile.ZIP_STORED)
    z.writestr("extras/notes.txt", line * ((12 << 20) // len(line)), zipfile.ZIP_DEFLATED)
os.makedirs(f"{inbox}/c3/E1/V2")
open(f"{inbox}/c3/E1/V2/raw.mp4", "wb").write(random.Random(3).randbytes(10 << 20))
PY
find "$I" -type f -exec touch -d @1780000000 {} +

# what a clean run with room to spare makes
FOLIO_SKIP_STAGES= run_v "$BIN/folio" run -q --config "$T/conf-4" --inbox "$I" --data "$R"
$CHECK check "$R" || fail "the reference run's data directory is not consistent"
$CHECK dump "$R" > "$T/ref.txt"
grep -q '^manifest_files|c2|E1|V1|pack.zip/V1/clip.mp4|.*|accepted||media/c2/E1/V1.mp4|' "$T/ref.txt" ||
    fail "reference: the zip's video is not accepted and normalized: $(cat "$T/ref.txt")"
grep '|c1|\|^c1.sqlite:' "$T/ref.txt" > "$T/ref-c1.txt"

# Leaves exactly $1 bytes available on the tmpfs, with a ballast file beside DATA.
set_free() {
    rm -f "$M/ballast"
    avail=$(df -B1 --output=avail "$M" | tail -1)
    [ "$avail" -gt "$1" ] || fail "only $avail bytes free on the tmpfs, wanted $1"
    fallocate -l $((avail - $1)) "$M/ballast" 2>/dev/null ||
        head -c $((avail - $1)) /dev/zero > "$M/ballast"
}
q() { sql "$D/folio.db" "$1"; }
zip_row="SELECT state, attempts, verdict, reasons, unpack_reasons FROM files WHERE source_path = 'pack.zip'"
member_row="SELECT verdict, attempts, normalized_path IS NULL, normalize_error IS NULL FROM files WHERE source_path = 'pack.zip/V1/clip.mp4'"
# After every failed run: nothing partial anywhere, c1's results as a clean run has them.
intact() {
    $CHECK check "$D" --allow-orphans || fail "$1: the data directory is not consistent"
    $CHECK dump "$D" | grep '|c1|\|^c1.sqlite:' > "$T/c1.txt"
    diff "$T/ref-c1.txt" "$T/c1.txt" >&2 || fail "$1: c1's results changed"
}

# 1. min_free refuses: storing c3 (10 MiB into 9 free) and, while it streams,
#    c2's member (12 MiB); c1 goes all the way through normalize.
mkdir -p "$D"
set_free $((9 << 20))
set +e
FOLIO_SKIP_STAGES= run_v "$BIN/folio" run -q --config "$T/conf-4" --inbox "$I" --data "$D" 2> "$T/err1"
rc=$?
set -e
expect_eq "$rc" 1 "exit of the run that found too little space"
expect_eq "$(q "SELECT COUNT(*) FROM files WHERE candidate_id = 'c3'")" 0 "c3 not taken without the space for it"
expect_eq "$(q "SELECT COUNT(*) FROM system_failures WHERE stage = 'folio-scan' AND candidate_id = 'c3' AND error LIKE '%raw.mp4%not enough free space%'")" 1 \
    "scan's refusal recorded as a system failure"
expect_eq "$(q "$zip_row")" "unpack|1|pending||" "the zip after unpacking was refused (no verdict, one attempt)"
q "SELECT last_error FROM files WHERE source_path = 'pack.zip'" | grep -q "not enough free space" ||
    fail "the zip's last_error: $(q "SELECT last_error FROM files WHERE source_path = 'pack.zip'")"
expect_eq "$(q "SELECT COUNT(*) FROM files WHERE candidate_id = 'c2' AND depth > 0")" 0 "no member rows of a refused archive"
expect_eq "$(q "SELECT COUNT(*) FROM system_failures WHERE stage = 'folio-unpack' AND candidate_id = 'c2' AND error LIKE '%not enough free space%'")" 1 \
    "unpack's refusal in system_failures"
grep -q "will retry" "$T/err1" || fail "the run does not say it will retry: $(cat "$T/err1")"
intact "after the min_free refusals"

# 2. no check (min_free = 0): storing c3, then c2's member, meet a real ENOSPC
#    part-way (about 8.5 MiB are left); each partial object is removed.
set +e
FOLIO_SKIP_STAGES= run_v "$BIN/folio" run -q --config "$T/conf-0" --inbox "$I" --data "$D" 2> "$T/err2"
rc=$?
set -e
expect_eq "$rc" 1 "exit of the run that ran out of space"
expect_eq "$(q "$zip_row")" "unpack|2|pending||" "the zip after ENOSPC (no verdict, two attempts)"
q "SELECT last_error FROM files WHERE source_path = 'pack.zip'" | grep -q "No space left on device" ||
    fail "the zip's last_error after ENOSPC: $(q "SELECT last_error FROM files WHERE source_path = 'pack.zip'")"
expect_eq "$(q "SELECT COUNT(*) FROM system_failures WHERE stage = 'folio-unpack' AND error LIKE '%No space left on device%'")" 1 \
    "ENOSPC in system_failures"
expect_eq "$(q "SELECT COUNT(*) FROM files WHERE candidate_id = 'c3'")" 0 "c3 not taken when its copy ran out of space"
expect_eq "$(q "SELECT COUNT(*) FROM system_failures WHERE stage = 'folio-scan' AND candidate_id = 'c3' AND error LIKE '%raw.mp4%No space left on device%'")" 1 \
    "scan's ENOSPC recorded as a system failure"
intact "after ENOSPC in scan and unpack"

# 3. room again: unpacking completes (normalize left out); then ENOSPC while
#    normalizing the zip's video, with 40 KiB left.
rm -f "$M/ballast"
run_v "$BIN/folio" run -q --config "$T/conf-0" --inbox "$I" --data "$D"
expect_eq "$(q "SELECT state, verdict FROM files WHERE source_path = 'pack.zip'")" "done|accepted" "the zip once there was room"
expect_eq "$(q "SELECT COUNT(*) FROM files WHERE candidate_id = 'c3'")" 1 "c3 stored once there was room"
set_free $((40 << 10))
set +e
run_v "$BIN/folio-normalize" -q --config "$T/conf-0" --data "$D" 2> "$T/err3"
rc=$?
set -e
expect_eq "$rc" 1 "exit of normalize running out of space"
expect_eq "$(q "$member_row")" "accepted|1|1|1" "the video after ENOSPC in normalize (still accepted, no normalize_error)"
q "SELECT last_error FROM files WHERE source_path = 'pack.zip/V1/clip.mp4'" | grep -qi "space" ||
    fail "normalize's last_error: $(q "SELECT last_error FROM files WHERE source_path = 'pack.zip/V1/clip.mp4'")"
[ -z "$(ls -A "$D/media/c2/E1" 2>/dev/null)" ] || fail "media/c2/E1 holds files after ENOSPC: $(ls -A "$D/media/c2/E1")"
$CHECK check "$D" --allow-orphans || fail "after ENOSPC in normalize: the data directory is not consistent"

# 4. min_free refuses normalizing (4 MiB + 40 KiB free, the source is 75 KiB)
set_free $(((4 << 20) + (40 << 10)))
set +e
run_v "$BIN/folio-normalize" -q --config "$T/conf-4" --data "$D" 2> "$T/err4"
rc=$?
set -e
expect_eq "$rc" 1 "exit of normalize refused by min_free"
expect_eq "$(q "$member_row")" "accepted|2|1|1" "the video after the min_free refusal"
q "SELECT last_error FROM files WHERE source_path = 'pack.zip/V1/clip.mp4'" | grep -q "not enough free space" ||
    fail "normalize's last_error: $(q "SELECT last_error FROM files WHERE source_path = 'pack.zip/V1/clip.mp4'")"
$CHECK check "$D" --allow-orphans || fail "after normalize's refusal: the data directory is not consistent"

# 5. space back: the next run finishes everything, and the data directory is
#    what a clean run leaves: the same manifest, no orphan, nothing in tmp/.
rm -f "$M/ballast"
FOLIO_SKIP_STAGES= run_v "$BIN/folio" run -q --config "$T/conf-4" --inbox "$I" --data "$D"
$CHECK check "$D" || fail "after space came back: the data directory is not consistent"
$CHECK dump "$D" > "$T/final.txt"
diff "$T/ref.txt" "$T/final.txt" >&2 || fail "the manifest once space came back differs from a clean run's"
expect_eq "$(q "SELECT COUNT(*) FROM files WHERE state = 'held'")" 0 "nothing held: every failure was retried"
echo "diskfull: ok"
