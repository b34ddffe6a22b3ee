# One program writes a data directory at a time: a second 'folio run' says who
# holds DATA/folio.lock and changes nothing; 'folio status' reads while a run
# holds it, naming the pids that have the lock file open; a lock left by a
# process that died is free; a stage dies with its killed run.
. "$(dirname "$0")/lib.sh"
I="$T/inbox" D="$T/data"
fx_video "$I/c1/E1/V1/clip.mp4" 40
in_window "$I/c1/E1/V1/clip.mp4"
run_v "$BIN/folio" run -q --inbox "$I" --data "$D"
expect_eq "$(sql "$D/folio.db" "SELECT verdict FROM manifest_files")" accepted "first run"

# A real run is held in the middle: a writer (python, another connection) takes
# SQLite's write lock once the run is inside its stages, so the run waits at its
# next write while holding folio.lock.  WAL readers (sql, status) still read.
cat > "$T/hold.py" <<'PY'
import os, sqlite3, sys, time
db, base, mode, ready, release = sys.argv[1:]
con = sqlite3.connect(db, timeout=60, isolation_level=None)
deadline = time.time() + 50
open(ready + ".polling", "w").close()
while mode == "in-stage":           # wait for the run to be inside a stage
    r = con.execute("SELECT COUNT(*) FROM run_stages WHERE run_id > ? AND finished_at IS NULL",
                    (int(base),)).fetchone()[0]
    if r or time.time() > deadline:
        break
    time.sleep(0.001)
con.execute("BEGIN IMMEDIATE")
st = con.execute("SELECT COALESCE(MAX(id), 0), COALESCE((SELECT status FROM runs ORDER BY id DESC LIMIT 1), '') FROM runs").fetchone()
open(ready, "w").write("%d %s\n" % st)
while not os.path.exists(release) and time.time() < deadline:
    time.sleep(0.01)
con.execute("COMMIT")
PY
wait_for() {  # wait_for FILE PATTERN: until FILE holds PATTERN (at most 30 s)
    n=0
    until grep -q "$2" "$1" 2>/dev/null; do
        n=$((n + 1)); [ $n -lt 3000 ] || fail "waited in vain for '$2' in $1: $(cat "$1" 2>&1)"
        sleep 0.01
    done
}
children() {  # children PID: the pids whose parent it is (from /proc: no procps needed)
    for st in /proc/[0-9]*/stat; do
        { read -r pid comm state ppid rest < "$st"; } 2>/dev/null || continue
        [ "$ppid" = "$1" ] && echo "$pid"
    done
    return 0
}
hold() {  # hold MODE: starts the writer, returns once it holds the write lock
    rm -f "$T/ready" "$T/release"
    base=$(sql "$D/folio.db" "SELECT MAX(id) FROM runs")
    rm -f "$T/ready.polling"
    python3 "$T/hold.py" "$D/folio.db" "$base" "$1" "$T/ready" "$T/release" &
    holder=$!
    until [ -f "$T/ready.polling" ]; do sleep 0.01; done
}
release() { touch "$T/release"; wait $holder; }

# 1. A run waits inside its stages; a second run is refused and touches nothing.
for try in 1 2 3; do
    hold in-stage
    "$BIN/folio" run -q --inbox "$I" --data "$D" > "$T/run1.out" 2> "$T/run1.err" &
    run1=$!
    wait_for "$T/ready" .
    # the writer may, rarely, have come after the whole run: then try again
    grep -q " running$" "$T/ready" && break
    release; wait $run1
    [ $try -lt 3 ] || fail "could not catch a run in the middle three times"
done
wait_for "$D/folio.lock" "^pid $run1\$"
grep -q "^host $(hostname)\$" "$D/folio.lock" || fail "lock file without the host: $(cat "$D/folio.lock")"
grep -q "^command .*folio run -q --inbox $I --data $D\$" "$D/folio.lock" || fail "lock file without the command: $(cat "$D/folio.lock")"
grep -q "^started [0-9][0-9]*\$" "$D/folio.lock" || fail "lock file without the start time: $(cat "$D/folio.lock")"
runs_before=$(sql "$D/folio.db" "SELECT COUNT(*) FROM runs")
mkdir -p "$D/tmp"; echo keep > "$D/tmp/left-by-run1"
set +e
"$BIN/folio" run -q --inbox "$I" --data "$D" 2> "$T/run2.err"; rc=$?
set -e
expect_eq "$rc" 4 "exit of a second run"
grep -q "in use by pid $run1 on $(hostname) since [0-9-]* [0-9:]* UTC (.*folio run -q --inbox $I --data $D); nothing was changed" "$T/run2.err" ||
    fail "the second run does not say who holds the lock: $(cat "$T/run2.err")"
expect_eq "$(sql "$D/folio.db" "SELECT COUNT(*) FROM runs")" "$runs_before" "runs after the refused run"
[ -f "$D/tmp/left-by-run1" ] || fail "the refused run emptied DATA/tmp/"
grep -q "^pid $run1\$" "$D/folio.lock" || fail "the refused run rewrote the lock file"
# a stage by hand and a reprocess are refused the same way
set +e
"$BIN/folio-probe" -q --data "$D" 2> "$T/probe.err"; rc=$?
set -e
expect_eq "$rc" 4 "exit of a stage run by hand during a run"
grep -q "in use by pid $run1 " "$T/probe.err" || fail "folio-probe: $(cat "$T/probe.err")"
# status reads while the run holds everything
"$BIN/folio" status --data "$D" > "$T/status" || fail "status during a run failed"
grep -q "^lock: held by pid $run1 on $(hostname) since " "$T/status" || fail "status does not name the holder: $(cat "$T/status")"
run_id=$(cut -d' ' -f1 "$T/ready")
grep -q "^run $run_id going since .* UTC: stage [a-z]* since " "$T/status" || fail "status does not show the run going: $(cat "$T/status")"
stage=$(sed -n "s/^run $run_id going since .* UTC: stage \([a-z]*\) since .*/\1/p" "$T/status")
case $stage in identify|unpack|probe|validate|normalize)
    grep -Eq "^  $stage +[0-9]+ +now " "$T/status" || fail "status does not mark $stage running: $(cat "$T/status")" ;;
esac
release
wait $run1 || fail "the held run failed: $(cat "$T/run1.err")"

# 2. Killed mid-run (kill -9 of 'folio run' only, while a stage program runs): the
# stage dies with it (PR_SET_PDEATHSIG), so the lock is free at once although the
# file still names the dead run, and status calls the run interrupted.
for try in 1 2 3; do
    hold in-stage
    "$BIN/folio" run -q --inbox "$I" --data "$D" 2> "$T/run3.err" &
    run3=$!
    wait_for "$T/ready" .
    # caught inside a stage program (not in 'folio run' between two stages)?
    child=$(children $run3)
    grep -q " running$" "$T/ready" && [ -n "$child" ] && break
    release; wait $run3
    [ $try -lt 3 ] || fail "could not catch a stage of a run three times"
done
wait_for "$D/folio.lock" "^pid $run3\$"
"$BIN/folio" status --data "$D" > "$T/status1"
grep -q "^  lock file open in pid $child: folio-[a-z]* --data " "$T/status1" ||
    fail "status does not name the stage's pid and command: $(cat "$T/status1")"
kill -9 $run3; wait $run3 2>/dev/null || true
n=0  # the stage goes too (gone, or a zombie no one has reaped yet)
while [ -d /proc/$child ] && [ "$(cut -d' ' -f3 /proc/$child/stat 2>/dev/null)" != Z ]; do
    n=$((n + 1)); [ $n -lt 3000 ] || fail "the stage $child outlived its killed run"; sleep 0.01
done
"$BIN/folio" status --data "$D" | grep -q "^lock: free" || fail "the lock is still held once the run and its stage are dead"
release
grep -q "^pid $run3\$" "$D/folio.lock" || fail "the lock file should still name the killed run: $(cat "$D/folio.lock")"
"$BIN/folio" status --data "$D" > "$T/status2"
grep -q "^lock: free (no folio program is writing this data directory; the last holder was pid $run3 on $(hostname) since " "$T/status2" || fail "status after the kill: $(cat "$T/status2")"
grep -q "^run [0-9]* (started .* UTC) was interrupted" "$T/status2" || fail "status does not show the interrupted run: $(cat "$T/status2")"
killed=$(sql "$D/folio.db" "SELECT MAX(id) FROM runs")
expect_eq "$(sql "$D/folio.db" "SELECT status || '|' || (finished_at IS NULL) FROM runs WHERE id = $killed")" "running|1" "the killed run's row (nothing recorded)"
grep -Eq "^  run $killed +[0-9-]+ [0-9:]+ UTC +- +interrupted\$" "$T/status2" || fail "latest runs should call the killed run interrupted: $(cat "$T/status2")"
"$BIN/folio" run -q --inbox "$I" --data "$D" &
run5=$!; wait $run5 || fail "a run after a killed one failed"
grep -q "^pid $run5\$" "$D/folio.lock" || fail "the new run did not write itself into the lock file"

# 3. A lock file naming a process long gone (written by hand: a crash, another
# host's copy) does not stop a run.
printf 'pid 999999\nhost %s\nstarted 1780000000\ncommand folio run --inbox X --data Y\n' "$(hostname)" > "$D/folio.lock"
"$BIN/folio" run -q --inbox "$I" --data "$D" || fail "a stale lock file stopped the run"
expect_eq "$(sql "$D/folio.db" "SELECT status FROM runs ORDER BY id DESC LIMIT 1")" ok "status of the run after a stale lock"
expect_eq "$(sql "$D/folio.db" "SELECT verdict FROM manifest_files")" accepted "manifest at the end"

# 4. SIGTERM (and SIGINT, SIGHUP) to 'folio run' in the middle of a stage: passed
# on to the stage, whose end is recorded (143), the run recorded as interrupted;
# the run says so and exits 128 + the signal.
for sig in TERM INT HUP; do
    for try in 1 2 3; do
        hold in-stage
        "$BIN/folio" run -q --inbox "$I" --data "$D" > "$T/run6.out" 2> "$T/run6.err" &
        run6=$!
        wait_for "$T/ready" .
        child=$(children $run6)
        grep -q " running$" "$T/ready" && [ -n "$child" ] && break
        release; wait $run6
        [ $try -lt 3 ] || fail "could not catch a stage of a run three times"
    done
    stage=$(tr '\0' ' ' < /proc/$child/cmdline | cut -d' ' -f1 | sed 's/^folio-//')
    kill -$sig $run6
    n=0
    while [ -d /proc/$child ] && [ "$(cut -d' ' -f3 /proc/$child/stat 2>/dev/null)" != Z ]; do
        n=$((n + 1)); [ $n -lt 3000 ] || fail "SIG$sig was not passed on to the stage"; sleep 0.01
    done
    release
    set +e; wait $run6; rc=$?; set -e
    code=$(case $sig in TERM) echo 143 ;; INT) echo 130 ;; HUP) echo 129 ;; esac)
    expect_eq "$rc" "$code" "exit of a run stopped by SIG$sig"
    expect_eq "$(cat "$T/run6.err")" "folio: interrupted by SIG$sig in stage $stage; the next run resumes where this one left off" "what the run says on SIG$sig"
    r=$(sql "$D/folio.db" "SELECT MAX(id) FROM runs")
    expect_eq "$(sql "$D/folio.db" "SELECT status, finished_at IS NOT NULL FROM runs WHERE id = $r")" "interrupted|1" "the run's row after SIG$sig"
    expect_eq "$(sql "$D/folio.db" "SELECT exit_code, finished_at IS NOT NULL FROM run_stages WHERE run_id = $r AND stage = 'folio-$stage'")" "$code|1" "the stopped stage's row"
    expect_eq "$(sql "$D/folio.db" "SELECT COUNT(*) FROM run_stages WHERE run_id = $r AND started_at > (SELECT started_at FROM run_stages WHERE run_id = $r AND stage = 'folio-$stage')")" 0 "stages started after SIG$sig"
    "$BIN/folio" status --data "$D" | grep -Eq "^  run $r +[0-9-]+ [0-9:]+ UTC +[0-9.]+s +interrupted\$" || fail "status after SIG$sig: $("$BIN/folio" status --data "$D")"
done
"$BIN/folio" run -q --inbox "$I" --data "$D" || fail "a run after an interrupted one failed"
expect_eq "$(sql "$D/folio.db" "SELECT status FROM runs ORDER BY id DESC LIMIT 1")" ok "the run after the interrupted ones"
echo "ops-lock: ok"
