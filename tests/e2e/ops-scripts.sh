# The shipped nightly setup works as written: the wrapper's dated log and its
# rotation and exit status, the crontab line and the systemd unit's command run
# for real (paths swapped for the test's), the units pass systemd-analyze verify.
. "$(dirname "$0")/lib.sh"
I="$T/inbox" D="$T/data" L="$T/log"
fx_video "$I/c1/E1/V1/a.mp4" 40
in_window "$I/c1/E1/V1/a.mp4"
export FOLIO="$BIN/folio"
today=$(date -u +%Y-%m-%d)

# --- the wrapper ------------------------------------------------------------------
mkdir -p "$L"
echo old > "$L/folio-2020-01-01.log"; touch -d '40 days ago' "$L/folio-2020-01-01.log"
echo recent > "$L/folio-2020-02-01.log"; touch -d '5 days ago' "$L/folio-2020-02-01.log"
echo mine > "$L/notes.log"; touch -d '40 days ago' "$L/notes.log"
"$TOP/scripts/folio-nightly" --inbox "$I" --data "$D" --config "$FOLIO_CONFIG" --log-dir "$L" > "$T/out" 2>&1 ||
    fail "folio-nightly: exit $?: $(cat "$T/out")"
[ -s "$T/out" ] && fail "the wrapper printed (cron would mail it): $(cat "$T/out")"
log="$L/folio-$today.log"
[ -f "$log" ] || fail "no log $log: $(ls "$L")"
head -1 "$log" | grep -q "^$today [0-9:]* UTC folio-nightly: start: inbox $I, data $D$" || fail "start line: $(head -1 "$log")"
grep -q "^folio run 1: ok$" "$log" || fail "no summary in the log: $(cat "$log")"
grep -q "^folio: stage validate: 1 items" "$log" || fail "no stage lines in the log: $(cat "$log")"
tail -1 "$log" | grep -q "folio-nightly: end: exit 0$" || fail "end line: $(tail -1 "$log")"
[ -e "$L/folio-2020-01-01.log" ] && fail "a log older than 30 days was kept"
[ -e "$L/folio-2020-02-01.log" ] || fail "a recent log was removed"
[ -e "$L/notes.log" ] || fail "a file not the wrapper's was removed"
expect_eq "$(sql "$D/folio.db" "SELECT verdict FROM manifest_files")" accepted "the wrapper's run"
# folio's exit status comes through, and is logged
set +e
"$TOP/scripts/folio-nightly" --inbox "$I" --data "$D" --config "$T/missing.conf" --log-dir "$L"; rc=$?
set -e
expect_eq "$rc" 3 "wrapper's exit with a missing config"
tail -1 "$log" | grep -q "end: exit 3$" || fail "end line of the failed run: $(tail -1 "$log")"
set +e
"$TOP/scripts/folio-nightly" --inbox "$I" --log-dir "$L" 2>/dev/null; expect_eq $? 2 "wrapper without --data"
set -e
"$TOP/scripts/folio-nightly" --help | grep -q "^usage: folio-nightly --inbox DIR --data DIR" || fail "wrapper --help"

# --- the crontab line, run as cron would (its command, our paths) -----------------
line=$(grep -v '^#' "$TOP/scripts/cron/folio-nightly" | grep -v '^[A-Z]*=' | grep .)
expect_eq "$(echo "$line" | wc -l)" 1 "crontab lines"
echo "$line" | grep -Eq '^0 2 \* \* \* +folio +' || fail "not a cron.d line for 02:00 as user folio: $line"
cmd=$(echo "$line" | sed -E 's/^([^ ]+ +){6}//' |
    sed "s|/opt/folio/scripts/|$TOP/scripts/|; s|/srv/folio/inbox|$I|; s|/srv/folio/data|$D|; s|/etc/folio/folio.conf|$FOLIO_CONFIG|; s|/var/log/folio|$T/cronlog|")
sh -c "$cmd" || fail "the crontab command failed: $cmd"
grep -q "^folio run [0-9]*: ok$" "$T/cronlog/folio-$today.log" || fail "the crontab command's log: $(cat "$T/cronlog/folio-$today.log")"

# --- the systemd unit's command, and the units themselves ---------------------------
exec_start=$(sed -n 's/^ExecStart=//p' "$TOP/scripts/systemd/folio-nightly.service" |
    sed "s|/opt/folio/bin/folio|$BIN/folio|; s|/srv/folio/inbox|$I|; s|/srv/folio/data|$D|; s|/etc/folio/folio.conf|$FOLIO_CONFIG|")
sh -c "$exec_start" > "$T/unit.out" 2>&1 || fail "the unit's ExecStart failed: $exec_start: $(cat "$T/unit.out")"
grep -q '^OnCalendar=\*-\*-\* 02:00:00 America/Chicago$' "$TOP/scripts/systemd/folio-nightly.timer" || fail "timer not at 02:00 Chicago time"
grep -q '^Persistent=true$' "$TOP/scripts/systemd/folio-nightly.timer" || fail "timer not persistent"
if command -v systemd-analyze > /dev/null; then
    mkdir -p "$T/units"
    sed "s|/opt/folio/bin/folio|$BIN/folio|" "$TOP/scripts/systemd/folio-nightly.service" > "$T/units/folio-nightly.service"
    cp "$TOP/scripts/systemd/folio-nightly.timer" "$T/units/"
    (cd "$T/units" && systemd-analyze verify ./folio-nightly.service ./folio-nightly.timer) > "$T/verify" 2>&1 ||
        fail "systemd-analyze verify: $(cat "$T/verify")"
    [ -s "$T/verify" ] && fail "systemd-analyze verify warns: $(cat "$T/verify")"
else
    echo "ops-scripts: systemd-analyze not installed: the units' syntax is not verified" >&2
fi
echo "ops-scripts: ok"
