# Every program: --help, usage errors, a bad config, and exit codes as documented.
. "$(dirname "$0")/lib.sh"
for p in folio folio-scan folio-identify folio-unpack folio-probe folio-validate folio-manifest; do
    run_v "$BIN/$p" --help > "$T/help" || fail "$p --help exited $?"
    grep -q "usage: $p" "$T/help" || fail "$p --help has no usage line"
    grep -qi "exit status" "$T/help" || fail "$p --help does not document exit codes"
    set +e
    run_v "$BIN/$p" --no-such-option > /dev/null 2>&1; rc=$?
    set -e
    expect_eq "$rc" 2 "$p with an unknown option"
done
set +e
run_v "$BIN/folio-scan" --data "$T/d" > /dev/null 2>&1; expect_eq $? 2 "scan without --inbox"
run_v "$BIN/folio-validate" > /dev/null 2>&1; expect_eq $? 2 "a stage without --data"
run_v "$BIN/folio" run --data "$T/d" > /dev/null 2>&1; expect_eq $? 2 "run without --inbox"
run_v "$BIN/folio" run --inbox "$T/nope" --data "$T/d" > /dev/null 2>&1; expect_eq $? 2 "run with a missing inbox"
run_v "$BIN/folio" frobnicate > /dev/null 2>&1; expect_eq $? 2 "an unknown command"
printf '[window.x]\nopens = someday\n' > "$T/bad.conf"
run_v "$BIN/folio-validate" --config "$T/bad.conf" --data "$T/d" 2> "$T/err"; expect_eq $? 3 "a bad config"
grep -q "bad.conf:2" "$T/err" || fail "config error does not name the line: $(cat "$T/err")"
mkdir -p "$T/inbox"
run_v "$BIN/folio" show nobody --data "$T/d" > /dev/null; expect_eq $? 1 "show of an unknown candidate"
run_v "$BIN/folio" inspect "$T/missing.mp4" > "$T/j"; expect_eq $? 1 "inspect of a missing file"
set -e
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert 'error' in d, d" "$T/j"
# folio NAME dispatches to folio-NAME as git does
run_v "$BIN/folio" validate --help | grep -q "usage: folio-validate" || fail "folio validate does not dispatch"
# an empty inbox is a run with nothing in it, not an error
run_v "$BIN/folio" run --inbox "$T/inbox" --data "$T/d" > "$T/out"
grep -q "candidates   0" "$T/out" || fail "empty inbox summary: $(cat "$T/out")"
# a second run on the same data directory while one holds the lock is refused
python3 - "$T/d/folio.lock" "$BIN/folio" "$T/inbox" "$T/d" <<'PY'
import fcntl, subprocess, sys
lock, folio, inbox, data = sys.argv[1:]
with open(lock, "w") as f:
    fcntl.flock(f, fcntl.LOCK_EX)
    r = subprocess.run([folio, "run", "--inbox", inbox, "--data", data], capture_output=True, text=True)
    assert r.returncode == 4, (r.returncode, r.stderr)
    assert "another folio program" in r.stderr, r.stderr
PY
# while a run holds the lock: a stage by hand is refused; show and status read on,
# and nothing of the run's tmp/ is touched
touch "$T/d/tmp/obj-of-the-run"
python3 - "$T/d/folio.lock" "$BIN" "$T/d" <<'PY'
import fcntl, subprocess, sys
lock, bin, data = sys.argv[1:]
with open(lock, "w") as f:
    fcntl.flock(f, fcntl.LOCK_EX)
    r = subprocess.run([bin + "/folio-validate", "--data", data], capture_output=True, text=True)
    assert r.returncode == 4, (r.returncode, r.stderr)
    for cmd in (["status"], ["show", "nobody"]):
        r = subprocess.run([bin + "/folio"] + cmd + ["--data", data], capture_output=True, text=True)
        assert r.returncode in (0, 1), (cmd, r.returncode, r.stderr)
PY
[ -f "$T/d/tmp/obj-of-the-run" ] || fail "a read-only command cleared the run's tmp/"
# a mistyped data directory is an error, not a new empty one
set +e
run_v "$BIN/folio" status --data "$T/typo" > /dev/null 2>&1; expect_eq $? 4 "status of a directory that is not folio's"
set -e
[ ! -e "$T/typo" ] || fail "status created a data directory"
# a candidate folder that cannot be a file name is refused, and the refusal recorded
mkdir -p "$T/inbox2/notify-2026-12-03.txt/E1" "$T/inbox2/ok-1/E1"
printf 'x' > "$T/inbox2/notify-2026-12-03.txt/E1/a.pdf"; printf 'x' > "$T/inbox2/ok-1/E1/a.pdf"
set +e
run_v "$BIN/folio" run -q --inbox "$T/inbox2" --data "$T/d2" 2> "$T/err"; expect_eq $? 1 "run with an unusable candidate folder"
set -e
expect_eq "$(sql "$T/d2/folio.db" "SELECT DISTINCT candidate_id FROM files")" "ok-1" "candidates taken"
expect_eq "$(sql "$T/d2/folio.db" "SELECT COUNT(*) FROM system_failures WHERE error LIKE '%not a usable candidate id%'")" 1 "refusal recorded"
echo "cli: ok"
