# report-notify.sh — the mailer's lists and the summaries across runs: a run
# stopped before its report stage (the report left out, a pipeline without
# it, 'folio run' killed with SIGKILL in normalize) loses no
# verdict, since the next run notifies every candidate whose verdicts changed
# since the last run whose report was written, and its summary counts them;
# each run of a day has its own notify list and summary, beside the day's
# union list and latest summary; an upload made before the window opened is
# told so, and asked again within the window.
. "$(dirname "$0")/lib.sh"
I=$T/inbox D=$T/data R=$T/data/reports
fx_video "$I/c1/E1/V1/a.mp4" 40
fx_video "$I/c2/E1/V1/b.mp4" 41
in_window "$I/c1/E1/V1/a.mp4"
touch -d '2026-04-20 12:00 CDT' "$I/c2/E1/V1/b.mp4"     # before the window opened
today() { TZ=America/Chicago date +%F; }
lines() { if [ -f "$1" ]; then tr '\n' ' ' <"$1"; else echo "(none)"; fi; }
count() {  # count SUMMARY LABEL: the number on the summary's row LABEL
    sed -n "s/^$2  *\([0-9][0-9]*\)\$/\1/p" "$1"
}

# run 1 judges both candidates but stops before its report stage
FOLIO_SKIP_STAGES="normalize report" run_v "$BIN/folio" run -q --inbox "$I" --data "$D"
expect_eq "$(sql "$D/folio.db" "SELECT COUNT(DISTINCT file_id) FROM verdict_history WHERE run_id = 1")" 2 \
    "files judged by run 1"
[ ! -e "$R/notify-$(today)-run1.txt" ] || fail "run 1 wrote a notify list without its report"

# run 2 has nothing new to judge, yet notifies what run 1 decided
run_v "$BIN/folio" run -q --inbox "$I" --data "$D"
d=$(today)
expect_eq "$(sql "$D/folio.db" "SELECT COUNT(*) FROM verdict_history WHERE run_id = 2")" 0 \
    "files judged by run 2 itself"
expect_eq "$(lines "$R/notify-$d-run2.txt")" "c1 c2 " "run 2's notify list"
expect_eq "$(lines "$R/notify-$d.txt")" "c1 c2 " "the day's notify list after run 2"
s2=$R/nightly/$d-run2.txt
[ -s "$s2" ] || fail "no summary of run 2"
expect_eq "$(count "$s2" "New uploads")" 2 "run 2's summary: new uploads (runs 1-2)"
expect_eq "$(count "$s2" "Files judged tonight")" 2 "run 2's summary: files judged (runs 1-2)"
expect_eq "$(count "$s2" "Candidates to notify (this run's list)")" 2 "run 2's summary: to notify"
grep -qE "^rejected +1 +1$" "$s2" || fail "run 2's summary: c2's rejection not counted tonight"
grep -qE "^late-upload +rejects +1 +1$" "$s2" || fail "run 2's summary: late-upload tonight"
tr '\n' ' ' <"$s2" | tr -s ' ' | grep -q '"Tonight" is runs 1 to 2: every run so far' ||
    fail "run 2's summary: does not say it covers runs 1 and 2"
grep -q '\[new\]' "$R/c1/report.txt" || fail "c1's file judged by run 1 is not marked new in run 2"

# run 3, the same day, changes nothing: its own list is empty, the day's is kept,
# and run 2's summary stays beside run 3's
run_v "$BIN/folio" run -q --inbox "$I" --data "$D"
d3=$(today)
if [ "$d3" = "$d" ]; then
    expect_eq "$(lines "$R/notify-$d-run3.txt")" "" "run 3's notify list"
    expect_eq "$(lines "$R/notify-$d.txt")" "c1 c2 " "the day's notify list after run 3"
    s3=$R/nightly/$d-run3.txt
    expect_eq "$(count "$s3" "Candidates to notify (this run's list)")" 0 "run 3's summary: to notify"
    expect_eq "$(count "$s3" "Candidates on the day's notify list")" 2 "run 3's summary: the day's list"
    expect_eq "$(count "$s3" "New uploads")" 0 "run 3's summary: new uploads"
    tr '\n' ' ' <"$s3" | tr -s ' ' | grep -q '"Tonight" is run 3: every run since run 2, the last whose report was written' ||
        fail "run 3's summary: what tonight covers"
    head -1 "$s2" | grep -qx "folio nightly summary: run 2 of $d" || fail "run 2's summary was replaced"
    head -1 "$R/nightly/$d.txt" | grep -qx "folio nightly summary: run 3 of $d" ||
        fail "the day's latest summary is not run 3's"
    ! grep -q '\[new\]' "$R/c1/report.txt" || fail "c1's file still marked new in run 3"

    # run 4: c1 uploads a new take; only c1 is on run 4's list, and the count says so
    rm "$I/c1/E1/V1/a.mp4"
    fx_video "$I/c1/E1/V1/a.mp4" 42 -vf hflip
    in_window "$I/c1/E1/V1/a.mp4"
    run_v "$BIN/folio" run -q --inbox "$I" --data "$D"
    expect_eq "$(lines "$R/notify-$d-run4.txt")" "c1 " "run 4's notify list"
    expect_eq "$(count "$R/nightly/$d-run4.txt" "Candidates to notify (this run's list)")" \
        "$(wc -l <"$R/notify-$d-run4.txt")" "run 4's summary count against its file"
    expect_eq "$(lines "$R/notify-$d.txt")" "c1 c2 " "the day's notify list after run 4"
    for n in 2 3 4; do
        [ -s "$R/nightly/$d-run$n.txt" ] && [ -s "$R/nightly/$d-run$n.html" ] ||
            fail "no summary of run $n"
    done
fi

# a run stopped by a failing stage: the next run notifies its verdicts too
mkdir -p "$I/c3/E1/V1"
fx_video "$I/c3/E1/V1/c.mp4" 43
in_window "$I/c3/E1/V1/c.mp4"
grep -vx report "$TOP/pipeline/nightly" >"$T/pipeline"     # as if killed before the report
FOLIO_PIPELINE=$T/pipeline run_v "$BIN/folio" run -q --inbox "$I" --data "$D"
r=$(sql "$D/folio.db" "SELECT MAX(id) FROM runs")
run_v "$BIN/folio" run -q --inbox "$I" --data "$D"
d=$(today)
expect_eq "$(lines "$R/notify-$d-run$((r + 1)).txt")" "c3 " "the list after a run without a report"

# kill -9 of 'folio run' (its whole process group) in the normalize stage: the
# next run notifies what the killed run judged.  normalize runs here.
fx_video "$I/c4/E1/V1/d.mp4" 44 -vf transpose=1     # a clip normalize converts
in_window "$I/c4/E1/V1/d.mp4"
what=$(FOLIO_SKIP_STAGES= python3 "$TOP/tests/e2e/killer.py" stage:normalize "$D" \
       "$BIN/folio" run -q --inbox "$I" --data "$D") || fail "killer.py failed"
k=$(sql "$D/folio.db" "SELECT MAX(id) FROM runs")
if [ "$what" = killed ]; then
    expect_eq "$(sql "$D/folio.db" "SELECT COUNT(*) FROM run_stages WHERE run_id = $k AND stage = 'folio-report'")" 0 \
        "the killed run reached its report stage"
    expect_eq "$(sql "$D/folio.db" "SELECT DISTINCT f.candidate_id FROM verdict_history h JOIN files f ON f.id = h.file_id WHERE h.run_id = $k")" \
        c4 "what the killed run judged"
    run_v "$BIN/folio" run -q --inbox "$I" --data "$D"
    d=$(today)
    expect_eq "$(lines "$R/notify-$d-run$((k + 1)).txt")" "c4 " "the list after a killed run"
    expect_eq "$(count "$R/nightly/$d-run$((k + 1)).txt" "New uploads")" 1 \
        "new uploads after a killed run"
else
    # the stage ended before the poll saw it: nothing to kill, said, not hidden
    echo "report-notify: normalize ended before it could be killed ($what)"
fi

# the early upload: outside the window, before it opened; asked again within it
run_v "$BIN/folio-report" -q --data "$D" --date 2026-05-20
X=$(tr '\n' ' ' <"$R/c2/report.txt" | tr -s ' ')
echo "$X" | grep -q "The file arrived on April 20, 2026 at 12:00 CDT, outside the submission window (May 1 – June 15, 2026 at 23:59, America/Chicago time): before the window opened." ||
    fail "early upload: $(grep -A3 'What is wrong' "$R/c2/report.txt")"
echo "$X" | grep -q "How to fix it: A file uploaded before the window opened cannot be scored: upload it again within the window, by June 15, 2026 at 23:59 (America/Chicago time)." ||
    fail "early upload: the fix"
! echo "$X" | grep -qi "after the submission window closed\|after the deadline" ||
    fail "early upload reported as late"
# after the close the same file cannot be scored, and no new upload is asked for
run_v "$BIN/folio-report" -q --data "$D" --date 2026-06-20
X=$(tr '\n' ' ' <"$R/c2/report.txt" | tr -s ' ')
echo "$X" | grep -q "How to fix it: This file cannot be scored; the submission window closed on June 15, 2026 at 23:59 (America/Chicago time)." ||
    fail "after the close: the fix"
echo "ok"
