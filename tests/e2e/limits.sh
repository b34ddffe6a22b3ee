# Per-file limits ([limits] in the config): a step that spins, allocates without
# end or crashes on a candidate's file is stopped in its child process and
# recorded as the file's fault (media-corrupt, the limit named), final: the run
# goes on, the next run does not retry it.  The misbehaving decoder is the test
# hook FOLIO_TEST_HOOK=STEP:ACTION:NAME (src/lib/isolate.h), which makes the real
# step misbehave in its real child process on the named file only.
. "$(dirname "$0")/lib.sh"
I="$T/inbox" D="$T/data" C="$T/folio.conf"
# time 3 s, memory 96 MiB, normalize 3 s + 0.1 s per second of video
sed -e 's/^time = .*/time = 3/' -e 's/^memory = .*/memory = 96 MiB/' \
    -e 's/^normalize_factor = .*/normalize_factor = 0.1/' "$TOP/config/folio.conf" > "$C"
grep -q '^time = 3$' "$C" || fail "the test config did not take the time limit"
export FOLIO_CONFIG="$C"
fx_video "$I/c2026-0201/E1/V1/spin.mp4" 40
fx_video "$I/c2026-0201/E1/V2/alloc.mp4" 41
fx_video "$I/c2026-0201/E1/V3/crash.mp4" 42
fx_video "$I/c2026-0201/E1/V4/fine.mp4" 43
in_window "$I"/c2026-0201/E1/*/*.mp4
db="$D/folio.db"
verdict() {
    sql "$db" "SELECT f.verdict, f.reasons, x.probe_error FROM files f JOIN facts x USING(sha256)
               WHERE f.source_path = '$1'"
}

# probe: one file spins, one allocates, one crashes; the fourth is untouched.
run_hook() {
    FOLIO_TEST_HOOK=$1 run_v "$BIN/folio" run -q --inbox "$I" --data "$D" 2> "$T/err" ||
        { cat "$T/err"; fail "run with hook $1"; }
}
run_v "$BIN/folio-scan" -q --inbox "$I" --data "$D"
run_v "$BIN/folio-identify" -q --data "$D"
FOLIO_TEST_HOOK=probe:spin:spin.mp4,probe:alloc:alloc.mp4,probe:crash:crash.mp4 \
    run_v "$BIN/folio-probe" -q --data "$D" 2> "$T/err" || { cat "$T/err"; fail "probe with hooks"; }
expect_eq "$(verdict V4/fine.mp4)" "pending||" "the file beside them, before validate"
run_v "$BIN/folio" run -q --inbox "$I" --data "$D" || fail "the run after the probes"
expect_eq "$(verdict V1/spin.mp4)" "rejected|media-corrupt|stopped at the time limit (3 s)" "spinning probe"
if [ -n "${FOLIO_SAN:-}" ] || [ -n "${FOLIO_VALGRIND:-}" ]; then
    # no address-space rlimit under ASan or valgrind: the hook stops at the
    # limit's size and crashes, which still reads as the memory limit
    expect_eq "$(verdict V2/alloc.mp4 | cut -d'|' -f1-2)" "rejected|media-corrupt" "allocating probe"
else
    expect_eq "$(verdict V2/alloc.mp4)" "rejected|media-corrupt|stopped at the memory limit (96 MiB)" \
        "allocating probe"
fi
expect_eq "$(verdict V3/crash.mp4 | cut -d'|' -f1-2)" "rejected|media-corrupt" "crashing probe"
verdict V3/crash.mp4 | grep -q "the decoder crashed on it (signal [0-9]*; memory limit 96 MiB)" ||
    fail "crash not described: $(verdict V3/crash.mp4)"
expect_eq "$(verdict V4/fine.mp4)" "accepted||" "the file beside them"
# the candidate's fault: nothing retried, nothing held, no system failure
expect_eq "$(sql "$db" "SELECT COUNT(*) FROM files WHERE attempts > 0 OR state = 'held'")" 0 "retried or held"
expect_eq "$(sql "$db" "SELECT COUNT(*) FROM system_failures")" 0 "system failures"
# the next run does not probe them again (the hook is still set: it would spin)
run_hook probe:spin:spin.mp4
expect_eq "$(sql "$db" "SELECT items FROM run_stages WHERE stage = 'folio-probe' ORDER BY run_id DESC LIMIT 1")" \
    0 "files probed by the next run"
[ -z "$(ls "$D/tmp")" ] || fail "DATA/tmp left: $(ls "$D/tmp")"

# identify: libmagic spinning on a file is stopped the same way.
fx_video "$I/c2026-0202/E1/V1/magic.mp4" 44
in_window "$I/c2026-0202/E1/V1/magic.mp4"
run_hook identify:spin:magic.mp4
expect_eq "$(verdict V1/magic.mp4)" "rejected|media-corrupt|stopped at the time limit (3 s)" "spinning identify"

# unpack: libarchive spinning on an archive after its first member is out
# (and recorded by the stage): the archive is archive-corrupt (the limit
# named), none of its members kept, nothing left in DATA/tmp.
mkdir -p "$I/c2026-0205/E1"
python3 - "$I/c2026-0205/E1/portfolio.zip" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w") as z:
    z.writestr("commentary.pdf", b"%PDF-1.4\n%%EOF\n")
    z.writestr("V1/clip.mp4", b"\0" * 1000)
PY
in_window "$I/c2026-0205/E1/portfolio.zip"
run_hook unpack:spin:V1/clip.mp4
expect_eq "$(sql "$db" "SELECT verdict, reasons, last_error FROM files WHERE candidate_id = 'c2026-0205'")" \
    "rejected|archive-corrupt|unpacking stopped at the time limit (3 s)" "spinning unpack"
[ -z "$(ls "$D/tmp")" ] || fail "DATA/tmp left after unpack: $(ls "$D/tmp")"

# normalize: time 3 + 0.1 x 45 s; the hook spins, the step is stopped, its
# partial output removed, and it is this stage's own failure, not a retry.
fx_video "$I/c2026-0203/E1/V1/norm.mp4" 45
in_window "$I/c2026-0203/E1/V1/norm.mp4"
FOLIO_SKIP_STAGES= run_hook normalize:spin:c2026-0203
expect_eq "$(sql "$db" "SELECT verdict, post_reasons, normalize_error, normalized_path IS NULL FROM files
                        WHERE candidate_id = 'c2026-0203'")" \
    "accepted|normalize-failed|normalizing stopped at the time limit (7.5 s)|1" "spinning normalize"
[ ! -e "$D/media/c2026-0203" ] || [ -z "$(find "$D/media/c2026-0203" -type f)" ] ||
    fail "normalize left output: $(find "$D/media/c2026-0203" -type f)"
[ -z "$(ls "$D/tmp")" ] || fail "DATA/tmp left after normalize: $(ls "$D/tmp")"
expect_eq "$(sql "$db" "SELECT COUNT(*) FROM system_failures")" 0 "system failures after normalize"

# normalize at the memory limit (a real x264 refused its memory, not a hook):
# normalize-failed with the limit named, final, not a system failure.  Not
# under ASan or valgrind, where no address-space limit can apply.
if [ -z "${FOLIO_SAN:-}" ] && [ -z "${FOLIO_VALGRIND:-}" ]; then
    I2="$T/inbox-mem" D2="$T/data-mem"
    sed -e 's/^memory = .*/memory = 32 MiB/' "$TOP/config/folio.conf" > "$T/mem.conf"
    mkdir -p "$I2/c2026-0207/E1/V1"
    ffmpeg -v error -f lavfi -i testsrc=size=640x360:rate=30:duration=40 \
        -f lavfi -i sine=f=440:d=40 -c:v libx264 -preset ultrafast -c:a aac -shortest \
        -y "$I2/c2026-0207/E1/V1/clip.mp4"
    in_window "$I2/c2026-0207/E1/V1/clip.mp4"
    FOLIO_SKIP_STAGES= FOLIO_CONFIG="$T/mem.conf" "$BIN/folio" run -q --inbox "$I2" --data "$D2" \
        2> "$T/mem.err" || { cat "$T/mem.err"; fail "run at the memory limit"; }
    expect_eq "$(sql "$D2/folio.db" "SELECT verdict, post_reasons, normalize_error, attempts FROM files")" \
        "accepted|normalize-failed|normalizing stopped at the memory limit (32 MiB)|0" "normalize at 32 MiB"
    [ -z "$(ls "$D2/tmp")" ] || fail "DATA/tmp left at the memory limit: $(ls "$D2/tmp")"
fi

# A killed run's child does not outlive it: PR_SET_PDEATHSIG.
fx_video "$I/c2026-0204/E1/V1/orphan.mp4" 46
in_window "$I/c2026-0204/E1/V1/orphan.mp4"
FOLIO_TEST_HOOK=probe:spin:orphan.mp4 "$BIN/folio" run -q --inbox "$I" --data "$D" 2>/dev/null &
pid=$!
i=0
until [ "$(sql "$db" "SELECT COUNT(*) FROM run_stages WHERE stage = 'folio-probe' AND finished_at IS NULL")" = 1 ]; do
    i=$((i + 1)); [ $i -lt 200 ] || fail "the probe stage never started"; sleep 0.05
done
stage=$(pgrep -P $pid -f folio-probe) || fail "no folio-probe under the run"
i=0
until child=$(pgrep -P "$stage"); do
    i=$((i + 1)); [ $i -lt 100 ] || fail "no isolated child under folio-probe"; sleep 0.05
done
kill -9 "$stage"
wait $pid 2>/dev/null || true
i=0
while kill -0 "$child" 2>/dev/null; do
    i=$((i + 1)); [ $i -lt 100 ] || fail "the probe's child $child outlived its stage"; sleep 0.05
done
echo "limits: ok"
