# System failures are not the candidate's fault: retried, held after max_attempts,
# shown by status, released by reprocess.  A run stopped between stages resumes.
. "$(dirname "$0")/lib.sh"
I="$T/inbox" D="$T/data"
fx_video "$I/c1/E1/V1/clip.mp4" 40
fx_video "$I/c1/E1/V2/other.mp4" 35 -vf hflip
in_window "$I/c1/E1/V1/clip.mp4" "$I/c1/E1/V2/other.mp4"

# Crash between stages: scan alone, then the whole run picks up from there.
run_v "$BIN/folio-scan" -q --inbox "$I" --data "$D"
expect_eq "$(sql "$D/folio.db" "SELECT group_concat(state) FROM files")" "new,new" "states after scan alone"
expect_eq "$(sql "$D/folio.db" "SELECT COUNT(*) FROM manifest_files WHERE verdict = 'pending'")" 2 "pending before judging"
run_v "$BIN/folio" run -q --inbox "$I" --data "$D"
expect_eq "$(sql "$D/folio.db" "SELECT group_concat(verdict) FROM manifest_files ORDER BY source_path")" "accepted,accepted" "after resuming"

# A vanished store object is streamed in again from the inbox by the next run.
obj1=$(sql "$D/folio.db" "SELECT store_path FROM files WHERE source_path = 'V1/clip.mp4' AND candidate_id = 'c1'")
rm "$D/$obj1"
run_v "$BIN/folio" run -q --inbox "$I" --data "$D"
[ -f "$D/$obj1" ] || fail "the vanished store object was not stored again"
expect_eq "$(sql "$D/folio.db" "SELECT group_concat(verdict) FROM manifest_files WHERE candidate_id = 'c1'")" "accepted,accepted" "c1 after its object came back"

# A store object vanishes while its upload is gone from the inbox too (disk
# trouble, a portal clean-up): identify fails on it, a system failure.
fx_video "$I/c2/E1/V1/clip.mp4" 42 -vf vflip
in_window "$I/c2/E1/V1/clip.mp4"
run_v "$BIN/folio-scan" -q --inbox "$I" --data "$D"
obj=$(sql "$D/folio.db" "SELECT store_path FROM files WHERE candidate_id = 'c2'")
mv "$D/$obj" "$T/saved"
mv "$I/c2" "$T/c2-upload"
set +e
for n in 1 2 3; do
    run_v "$BIN/folio" run -q --inbox "$I" --data "$D" 2> "$T/err$n"; rc=$?
    expect_eq "$rc" 1 "exit of run $n with a failing file"
done
set -e
grep -q "c2" "$T/err1" || fail "the failure does not name the candidate: $(cat "$T/err1")"
expect_eq "$(sql "$D/folio.db" "SELECT state, held_state, attempts, verdict FROM files WHERE candidate_id = 'c2'")" \
    "held|new|3|pending" "held after three attempts"
expect_eq "$(sql "$D/folio.db" "SELECT slot_id, verdict FROM manifest_files WHERE candidate_id = 'c2'")" "V1|pending" "manifest of a held file: its slot, pending"
grep -q "Still being processed" "$D/reports/c2/report.txt" || fail "the report does not say the held file is still being processed"
expect_eq "$(sql "$D/folio.db" "SELECT COUNT(*) FROM system_failures WHERE candidate_id = 'c2'")" 3 "system failures recorded"
"$BIN/folio" status --data "$D" > "$T/status"
grep -q "held for an operator" "$T/status" || fail "status does not show the held file"
grep -q "c2/E1/V1/clip.mp4" "$T/status" || fail "status does not name the held file"
# c1 was never disturbed
expect_eq "$(sql "$D/folio.db" "SELECT group_concat(verdict) FROM manifest_files WHERE candidate_id = 'c1'")" "accepted,accepted" "c1 untouched"
# held files are not retried by the nightly run ...
run_v "$BIN/folio" run -q --inbox "$I" --data "$D"
expect_eq "$(sql "$D/folio.db" "SELECT state, attempts FROM files WHERE candidate_id = 'c2'")" "held|3" "held file after another run"
# ... until the operator fixes the cause and reprocesses
mv "$T/saved" "$D/$obj"
run_v "$BIN/folio" reprocess c2 -q --data "$D"
set +e
run_v "$BIN/folio" reprocess nobody -q --data "$D" 2> "$T/err"; expect_eq $? 1 "reprocess of an unknown candidate"
set -e
grep -q "no candidate 'nobody'" "$T/err" || fail "reprocess of an unknown candidate: $(cat "$T/err")"
expect_eq "$(sql "$D/folio.db" "SELECT state, attempts, verdict FROM files WHERE candidate_id = 'c2'")" "done|0|accepted" "after reprocess"
echo "failures: ok"
