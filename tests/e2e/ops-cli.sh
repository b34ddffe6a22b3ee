# The operator's front door: where a data directory is created, the config
# checked before any stage, exit codes and hints, --version; what 'folio show'
# and 'reprocess --dry-run' list; attempts reset once a failing file gets past
# its stage; show/status for a reader without write access.
. "$(dirname "$0")/lib.sh"
I="$T/inbox"
fx_video "$I/c1/E1/V2/clip.mp4" 40
fx_video "$I/c1/E1/V3/quiet.mp4" 40 -an
mkdir -p "$I/c1/E1/V1" "$I/c1/E1/W1"; : > "$I/c1/E1/V1/empty.mp4"
echo "plain text, not a PDF" > "$I/c1/E1/W1/essay.pdf"
python3 - "$I/c1/E1/bundle.zip" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w") as z:
    z.writestr("V4/a.txt", "not a video")
    z.writestr(".DS_Store", "x" * 12)
    z.writestr("__MACOSX/._a.txt", "y" * 15)
PY
in_window "$I"/c1/E1/*/* "$I/c1/E1/bundle.zip"

# 8. usage and version
set +e
"$BIN/folio" run --bogus --inbox "$I" --data "$T/d0" 2> "$T/err"; rc=$?
set -e
expect_eq "$rc" 2 "exit of 'folio run --bogus'"
grep -q "^usage: see 'folio run --help'\$" "$T/err" || fail "run --bogus hint: $(cat "$T/err")"
expect_eq "$("$BIN/folio" --version)" "folio $(cat "$TOP/VERSION")" "folio --version"
"$BIN/folio" --help | head -1 | grep -q "(folio $(cat "$TOP/VERSION"))\$" || fail "--help's first line has no version"
for c in status "show c1"; do
    set +e; "$BIN/folio" $c --data "$T/missing" > /dev/null 2> "$T/err"; rc=$?; set -e
    expect_eq "$rc" 4 "folio $c on a missing data directory"
done

# 3. a data directory is created only where its parent exists
set +e
"$BIN/folio" run -q --inbox "$I" --data "$T/no/such/data" 2> "$T/err"; rc=$?
set -e
expect_eq "$rc" 4 "run with a data directory whose parent is missing"
grep -q "no data directory $T/no/such/data, and its parent $T/no/such does not exist" "$T/err" || fail "message: $(cat "$T/err")"
[ ! -e "$T/no" ] || fail "a mistyped --data created directories"
set +e
"$BIN/folio-probe" -q --data "$T/no2/data" 2> "$T/err"; rc=$?
set -e
expect_eq "$rc" 4 "a stage by hand with a data directory whose parent is missing"
[ ! -e "$T/no2" ] || fail "a stage by hand created directories"

# 5, 13. the whole config is checked before any stage
sed 's/^crf = 23$/crf = 99/' "$FOLIO_CONFIG" > "$T/crf.conf"
grep -q "^crf = 99" "$T/crf.conf" || fail "fixture: no crf line"
mkdir "$T/d1"
set +e
"$BIN/folio" run -q --config "$T/crf.conf" --inbox "$I" --data "$T/d1/data" 2> "$T/err"; rc=$?
set -e
expect_eq "$rc" 3 "a run with crf = 99"
grep -q "crf" "$T/err" || fail "the crf error: $(cat "$T/err")"
expect_eq "$(sql "$T/d1/data/folio.db" "SELECT COUNT(*) FROM runs")" 0 "runs started with a bad [profile]"
sed 's/^opens  = 2026-05-01 00:00$/opens  = 2026-06-20 00:00/' "$FOLIO_CONFIG" > "$T/win.conf"
set +e
"$BIN/folio" run -q --config "$T/win.conf" --inbox "$I" --data "$T/d1/data" 2> "$T/err"; rc=$?
set -e
expect_eq "$rc" 3 "a window that closes before it opens"
grep -q "\[window.2026\] closes is before opens (closes '2026-06-15 23:59', opens '2026-06-20 00:00')" "$T/err" || fail "window error: $(cat "$T/err")"

# 3. a new data directory says so
D="$T/data"
"$BIN/folio" run --inbox "$I" --data "$D" > /dev/null 2> "$T/err"
grep -q "^folio: new data directory $D (created)\$" "$T/err" || fail "no word of the new data directory: $(cat "$T/err")"
"$BIN/folio" run --inbox "$I" --data "$D" > /dev/null 2> "$T/err"
! grep -q "new data directory" "$T/err" || fail "an existing data directory called new"

# 10. show: config order of slots, missing vs rejected, unknown sizes as '-'
"$BIN/folio" show c1 --data "$D" > "$T/show"
grep -q "^  entry E1: incomplete, missing V5,V6, rejected W1,V1,V3,V4\$" "$T/show" || fail "entry line: $(cat "$T/show")"
expect_eq "$(awk '$1 == "E1" && $2 ~ /^[WV][0-9]$/ { printf "%s ", $2 }' "$T/show")" "W1 V1 V2 V3 V4 " "slots in config order (W1 first)"
grep -Eq "^  E1 +- +skipped +- +12 +bundle.zip/.DS_Store\$" "$T/show" || fail "a junk member's size (12 bytes, as the archive states it): $(cat "$T/show")"
grep -Eq "^  E1 +- +skipped +- +15 +bundle.zip/__MACOSX/._a.txt\$" "$T/show" || fail "the other junk member's size: $(cat "$T/show")"
! grep -Eq " 0  bundle.zip/(.DS_Store|__MACOSX)" "$T/show" || fail "junk shown as 0 bytes"

# 9. a reason found by probe goes back to probe; the help lists the codes
"$BIN/folio" reprocess --reason no-audio-stream -n --data "$D" > "$T/rp"
grep -q "^c1/E1/V3/quiet.mp4: done -> probe\$" "$T/rp" || fail "no-audio-stream: $(cat "$T/rp")"
"$BIN/folio" reprocess --help | tr -s ' \n' ' ' | grep -q "no-audio-stream" || fail "reprocess --help does not list probe's codes"

# 11. an archive redone at unpack or identify: the archive, its members replaced
for st in unpack identify; do
    "$BIN/folio" reprocess --candidate c1 --stage $st -n --data "$D" | grep bundle > "$T/rp"
    expect_eq "$(cat "$T/rp")" "c1/E1/bundle.zip: done -> $st (an archive: unpacked again; its 3 members replaced, the old ones kept as history)" "reprocess --stage $st -n"
done

# 5. reprocess checks the config before it sends anything back
before=$(sql "$D/folio.db" "SELECT group_concat(state || attempts, ',') FROM files")
set +e
"$BIN/folio" reprocess -q --config "$T/crf.conf" --candidate c1 --stage validate --data "$D" 2> "$T/err"; rc=$?
set -e
expect_eq "$rc" 3 "reprocess with crf = 99"
expect_eq "$(sql "$D/folio.db" "SELECT group_concat(state || attempts, ',') FROM files")" "$before" "files after a refused reprocess"
expect_eq "$(sql "$D/folio.db" "SELECT COUNT(*) FROM files WHERE judged_version IS NULL")" 0 "files unjudged by a refused reprocess"

# 14. a file that failed once and then got past the stage is not failing
store=$(sql "$D/folio.db" "SELECT store_path FROM files WHERE source_path = 'V2/clip.mp4'")
sql "$D/folio.db" "SELECT 1" > /dev/null
python3 - "$D/folio.db" <<'PY'
import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
con.execute("UPDATE files SET state = 'probe', attempts = 2, last_error = 'disk hiccup'"
            " WHERE source_path = 'V2/clip.mp4'")
con.execute("UPDATE facts SET probed = 0 WHERE sha256 = (SELECT sha256 FROM files WHERE source_path = 'V2/clip.mp4')")
con.commit()
PY
[ -n "$store" ] || fail "fixture: no store path"
"$BIN/folio" reprocess --failed -n --data "$D" > "$T/rp"
grep -q "^c1/E1/V2/clip.mp4: probe, 2 attempts -> probe\$" "$T/rp" || fail "the failing file is not listed: $(cat "$T/rp")"
"$BIN/folio" run -q --inbox "$I" --data "$D"
expect_eq "$(sql "$D/folio.db" "SELECT state, attempts, last_error IS NULL, verdict FROM files WHERE source_path = 'V2/clip.mp4'")" "done|0|1|accepted" "the recovered file"
expect_eq "$("$BIN/folio" reprocess --failed -n --data "$D" | tail -1)" "0 files would be reprocessed (dry run: nothing was changed)" "--failed after the recovery"

# 4. show and status for a reader without write access (group member).  With
# no writer, the last to close folio.db removes its -wal and -shm: a reader
# that cannot create the -shm reads the file alone.
python3 -c "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute('PRAGMA wal_checkpoint(TRUNCATE)').fetchall(); c.close()" "$D/folio.db"
[ ! -e "$D/folio.db-shm" ] || fail "fixture: folio.db-shm is still there"
if [ "$(id -u)" = 0 ] && command -v setpriv > /dev/null; then
    chgrp -R nogroup "$D"; chmod 0755 "$T"
    ro() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
else
    chmod -R a-w "$D"
    ro() { "$@"; }
fi
ro "$BIN/folio" status --data "$D" > "$T/st" 2> "$T/err" || fail "read-only status: $(cat "$T/err")"
grep -q "^latest runs:" "$T/st" || fail "read-only status output: $(cat "$T/st")"
! grep -q "read-only view" "$T/st" || fail "a note of a run in progress with none going"
ro "$BIN/folio" show c1 --data "$D" > "$T/sh" 2> "$T/err" || fail "read-only show: $(cat "$T/err")"
cmp "$T/sh" "$T/show" || fail "read-only show differs"
# while a run holds the lock: the view may be stale, and says so
python3 - "$D/folio.lock" "$T/locked" "$T/unlock" <<'PY' &
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDONLY)
fcntl.flock(fd, fcntl.LOCK_EX)
open(sys.argv[2], "w").close()
while not os.path.exists(sys.argv[3]):
    time.sleep(0.01)
PY
locker=$!
until [ -f "$T/locked" ]; do sleep 0.01; done
ro "$BIN/folio" status --data "$D" > "$T/st" 2> "$T/err" || fail "read-only status during a run: $(cat "$T/err")"
expect_eq "$(head -1 "$T/st")" "(read-only view; a run is in progress, figures may be stale)" "status's first line during a run"
touch "$T/unlock"; wait $locker
[ "$(id -u)" = 0 ] || chmod -R u+w "$D"
echo "ops-cli: ok"
