# A raised limit re-judges what it affects on the next run and re-does no media
# work (no identify, probe or normalize of what was done); a re-upload into a
# slot supersedes the old file, and the manifest, the export and the report show
# the new verdict.  The normalize stage runs in this test.
. "$(dirname "$0")/lib.sh"
export FOLIO_SKIP_STAGES=
I="$T/inbox" D="$T/data"
fx_video "$I/c1/E1/V1/a.mp4" 40
fx_video "$I/c1/E1/V2/b.mp4" 45 -vf hflip
in_window "$I/c1/E1/V1/a.mp4" "$I/c1/E1/V2/b.mp4"
limit() {  # limit M:SS FILE: the config with E1.V2's max_duration set to M:SS
    python3 - "$FOLIO_CONFIG" "$1" "$2" <<'PY'
import re, sys
src, lim, out = sys.argv[1:]
text = open(src).read()
head, rest = text.split("[slot.E1.V2]", 1)
body, tail = rest.split("\n[", 1)
body = re.sub(r"(?m)^max_duration = .*$", "max_duration = " + lim, body)
open(out, "w").write(head + "[slot.E1.V2]" + body + "\n[" + tail)
PY
}
limit 0:40 "$T/a.conf"; limit 0:50 "$T/b.conf"
cmp -s "$T/a.conf" "$T/b.conf" && fail "the two configs are the same"
last_run() { sql "$D/folio.db" "SELECT MAX(id) FROM runs"; }
items() { sql "$D/folio.db" "SELECT COALESCE(items, -1) FROM run_stages WHERE run_id = $(last_run) AND stage = 'folio-$1'"; }
q() { sql "$D/folio.db" "SELECT verdict || ':' || reasons FROM manifest_files WHERE candidate_id = 'c1' AND source_path = '$1'"; }
facts() { sql "$D/folio.db" "SELECT * FROM facts ORDER BY sha256"; }

run_v "$BIN/folio" run -q --config "$T/a.conf" --inbox "$I" --data "$D"
expect_eq "$(q V2/b.mp4)" "rejected:duration-too-long" "V2 over the 0:40 limit"
expect_eq "$(q V1/a.mp4)" "accepted:" "V1"
expect_eq "$(items normalize)" 1 "normalized in the first run"
mp4="$D/media/c1/E1/V1.mp4"
before=$(stat -c '%i %Y %s' "$mp4"); facts > "$T/facts.before"
run_a=$(last_run)

# The limit goes up (as 5:00 to 6:00 would): status shows the re-judging pending.
"$BIN/folio" status --config "$T/b.conf" --data "$D" > "$T/status"
grep -Eq "^  validate +2 " "$T/status" || fail "status with the new config: $(cat "$T/status")"
run_v "$BIN/folio" run -q --config "$T/b.conf" --inbox "$I" --data "$D"
run_b=$(last_run)
expect_eq "$(q V2/b.mp4)" "accepted:" "V2 under the 0:50 limit"
expect_eq "$(items identify)" 0 "identified after the config change"
expect_eq "$(items probe)" 0 "probed after the config change"
expect_eq "$(items unpack)" 0 "unpacked after the config change"
expect_eq "$(items validate)" 2 "judged after the config change"
expect_eq "$(items normalize)" 1 "normalized after the config change (V2 only)"
expect_eq "$(stat -c '%i %Y %s' "$mp4")" "$before" "V1's normalized file"
facts > "$T/facts.after"
cmp -s "$T/facts.before" "$T/facts.after" || fail "the facts changed with the config"
cva=$(sql "$D/folio.db" "SELECT config_version FROM runs WHERE id = $run_a")
cvb=$(sql "$D/folio.db" "SELECT config_version FROM runs WHERE id = $run_b")
[ "$cva" != "$cvb" ] || fail "both configs have version $cva"
expect_eq "$(sql "$D/folio.db" "SELECT group_concat(h.verdict || ':' || h.reasons || '@' || h.config_version || '/' || h.stage || '/' || h.run_id, ' ') FROM verdict_history h JOIN files f ON f.id = h.file_id WHERE f.source_path = 'V2/b.mp4' ORDER BY h.id")" \
    "rejected:duration-too-long@$cva/validate/$run_a accepted:@$cvb/validate/$run_b" "history of V2/b.mp4"
"$BIN/folio" show c1 --history --data "$D" > "$T/show"
grep -q "run $run_a *config $cva  validate  rejected   V2   duration-too-long$" "$T/show" || fail "show --history: $(cat "$T/show")"
grep -q "run $run_b *config $cvb  validate  accepted   V2 *$" "$T/show" || fail "show --history: $(cat "$T/show")"
# nothing new: no judging, no history
h=$(sql "$D/folio.db" "SELECT COUNT(*) FROM verdict_history")
run_v "$BIN/folio" run -q --config "$T/b.conf" --inbox "$I" --data "$D"
expect_eq "$(items validate)" 0 "judged on an unchanged night"
expect_eq "$(sql "$D/folio.db" "SELECT COUNT(*) FROM verdict_history")" "$h" "history on an unchanged night"

# reprocess --stage normalize: the scorers' copy made again, nothing else redone.
rm "$mp4"        # an operator removed it, or it was damaged
runs=$(last_run)
run_v "$BIN/folio" reprocess --candidate c1 --reason duration-too-long --stage normalize --data "$D" 2> "$T/err"
grep -q "no file matches; nothing to reprocess" "$T/err" || fail "reprocess of nothing: $(cat "$T/err")"
expect_eq "$(last_run)" "$runs" "runs started for a selection of nothing"
run_v "$BIN/folio" reprocess -q --candidate c1 --entry E1 --stage normalize --data "$D"
expect_eq "$(items normalize)" 2 "normalized again (V1 and V2)"
expect_eq "$(items probe)" 0 "probed for --stage normalize"
expect_eq "$(items identify)" 0 "identified for --stage normalize"
[ -s "$mp4" ] || fail "V1's normalized file was not made again"
expect_eq "$(sql "$D/folio.db" "SELECT normalized_path FROM manifest_files WHERE source_path = 'V1/a.mp4'")" "media/c1/E1/V1.mp4" "V1's output recorded"
before=$(stat -c '%i %Y %s' "$mp4")

# A re-upload under the same name: new bytes (44 s), the old row kept inactive.
old_sha=$(sql "$D/folio.db" "SELECT sha256 FROM manifest_files WHERE source_path = 'V1/a.mp4'")
fx_video "$I/c1/E1/V1/a.mp4" 44 -vf negate
touch -d @1780100000 "$I/c1/E1/V1/a.mp4"
new_sha=$(sha256sum "$I/c1/E1/V1/a.mp4" | cut -c1-64)
run_v "$BIN/folio" run -q --config "$T/b.conf" --inbox "$I" --data "$D"
expect_eq "$(sql "$D/folio.db" "SELECT sha256, verdict, ROUND(duration_s) FROM manifest_files WHERE source_path = 'V1/a.mp4'")" "$new_sha|accepted|44.0" "manifest after the re-upload"
expect_eq "$(sql "$D/folio.db" "SELECT COUNT(*) FROM files WHERE source_path = 'V1/a.mp4' AND active = 0 AND sha256 = '$old_sha'")" 1 "the old upload's row, kept"
expect_eq "$(sql "$D/manifests/c1.sqlite" "SELECT sha256, verdict FROM manifest_files WHERE source_path = 'V1/a.mp4'")" "$new_sha|accepted" "exported manifest after the re-upload"
expect_eq "$(items normalize)" 1 "normalized after the re-upload"
[ "$(stat -c '%i %Y %s' "$mp4")" != "$before" ] || fail "V1's normalized file was not made again"
grep -A3 "^  \* V1/a.mp4 \[new\]$" "$D/reports/c1/report.txt" | grep -q "· 0:44 ·" || fail "the report does not show the new upload: $(grep -A3 'V1/a.mp4' "$D/reports/c1/report.txt")"

# A re-upload into the slot under another name, later: it supersedes the old one.
fx_video "$I/c1/E1/V2/b-final.mp4" 42 -vf vflip
touch -d @1780200000 "$I/c1/E1/V2/b-final.mp4"
run_v "$BIN/folio" run -q --config "$T/b.conf" --inbox "$I" --data "$D"
expect_eq "$(q V2/b.mp4)" "superseded:" "the earlier V2"
expect_eq "$(q V2/b-final.mp4)" "accepted:" "the later V2"
expect_eq "$(sql "$D/manifests/c1.sqlite" "SELECT group_concat(source_path || '=' || verdict, ' ') FROM (SELECT * FROM manifest_files WHERE slot_id = 'V2' ORDER BY source_path)")" \
    "V2/b-final.mp4=accepted V2/b.mp4=superseded" "exported manifest of V2"
expect_eq "$(sql "$D/folio.db" "SELECT normalized_sha256 IS NOT NULL FROM manifest_files WHERE source_path = 'V2/b-final.mp4'")" 1 "the new V2 normalized"
grep -q "b-final.mp4" "$D/reports/c1/report.txt" || fail "the report does not show the new V2"
echo "ops-config-reupload: ok"
