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
    assert "another folio run" in r.stderr, r.stderr
PY
echo "cli: ok"
