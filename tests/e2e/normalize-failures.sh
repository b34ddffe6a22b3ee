# folio-normalize when things go wrong: killed mid-file, the disk full, a
# hostile name.  The system's failures are retried then held, never recorded
# as the candidate's; nothing recorded ever points to a partial file.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/normalize.lib"
D="$T/data" F="$T/fx"
nz_init "$D"
db="$D/folio.db"
# Long enough to be caught in the middle (x264 at 640x360, 30 fps).
nz_gen "$F/long.mp4" -f lavfi -i testsrc2=size=640x360:rate=30:duration=30 \
    -f lavfi -i sine=frequency=440:sample_rate=44100:duration=30 -c:v libx264 -preset ultrafast \
    -pix_fmt yuv444p -c:a aac -ac 2
nz_add "$D" "$F/long.mp4" c2026-0003 E1 V1
# Every recorded output is the complete file it says it is.
consistent() {
    sql "$db" "SELECT normalized_path, normalized_sha256 FROM files WHERE normalized_path IS NOT NULL" |
    while IFS='|' read -r p sha; do
        expect_eq "$(sha256sum "$D/$p" | cut -c1-64)" "$sha" "recorded $p"
    done
}

# Killed while writing: nothing recorded, the temporary file swept next time.
"$BIN/folio-normalize" --data "$D" -q &
pid=$!
i=0
until ls "$D"/tmp/norm-*.mp4 >/dev/null 2>&1; do
    i=$((i + 1)); [ $i -lt 200 ] || fail "never saw a temporary output"; sleep 0.05
done
sleep 0.3
kill -9 $pid
wait $pid 2>/dev/null || true
expect_eq "$(sql "$db" "SELECT COUNT(*) FROM files WHERE normalized_path IS NOT NULL")" 0 "recorded after kill"
consistent
[ ! -e "$D/media/c2026-0003/E1/V1.mp4" ] || fail "a partial output under its final name"
# (on a terminal, where it shows per file its percent done and speed)
if command -v script >/dev/null; then
    script -qec "$BIN/folio-normalize --data $D" /dev/null > "$T/tty" ||
        { cat "$T/tty"; fail "run after the kill (on a terminal)"; }
    grep -q "c2026-0003/E1/V1 *[0-9]*% [0-9.]*x" "$T/tty" || fail "no progress line on a terminal"
else
    run_v "$BIN/folio-normalize" --data "$D" -q || fail "run after the kill"
fi
expect_eq "$(sql "$db" "SELECT normalized_path FROM files")" "media/c2026-0003/E1/V1.mp4" "after rerun"
consistent
[ -z "$(ls "$D/tmp")" ] || fail "DATA/tmp not swept: $(ls "$D/tmp")"

# The disk fills (a file size limit: writes fail with EFBIG): a system
# failure, retried, then held after max_attempts (3); never normalize-failed.
nz_add "$D" "$F/long.mp4" c2026-0003 E1 V2
full() { (ulimit -f 300; trap '' XFSZ; exec "$BIN/folio-normalize" --data "$D" -q) 2> "$T/full"; }
rc=0; full || rc=$?
cat "$T/full"
expect_eq "$rc" 1 "exit status on a full disk"
grep -q "E1/V2: .*File too large" "$T/full" || fail "error does not say why"
expect_eq "$(sql "$db" "SELECT state, verdict, attempts, post_reasons, normalize_error IS NULL, normalized_path IS NULL FROM files WHERE slot_id = 'V2'")" \
    "done|accepted|1||1|1" "V2 after one system failure"
expect_eq "$(sql "$db" "SELECT stage FROM system_failures WHERE file_id = (SELECT id FROM files WHERE slot_id = 'V2')")" \
    "folio-normalize" "system_failures row"
rc=0; full || rc=$?; rc=0; full || rc=$?
expect_eq "$(sql "$db" "SELECT state, attempts FROM files WHERE slot_id = 'V2'")" "held|3" "held after 3"
[ -z "$(ls "$D/tmp")" ] || fail "partial outputs left in DATA/tmp"
run_v "$BIN/folio-normalize" --data "$D" 2> "$T/held" || fail "run with a held file"
expect_eq "$(cat "$T/held")" "" "a held file is left for the operator"
consistent

# A name that would leave media/: refused, nothing written outside DATA.
nz_add "$D" "$F/long.mp4" .. .. V3
run_v "$BIN/folio-normalize" --data "$D" 2> "$T/evil" || fail "run with a hostile name"
grep -q "normalize-failed: candidate, entry or slot name not usable" "$T/evil" || fail "hostile name not refused"
[ ! -e "$D/V3.mp4" ] && [ ! -e "$T/V3.mp4" ] || fail "wrote outside media/"
[ -z "$(find "$D" -perm -o=r ! -type l)" ] || fail "something under DATA is world-readable"
echo "normalize-failures: ok"
