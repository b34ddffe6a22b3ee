# folio reprocess: each selector (--failed, --candidate, --entry, --reason,
# --stage), their combination, --dry-run changing nothing, and that the named
# stage really redoes its work (judged by the database: facts, run_stages,
# member rows), while no verdict history is lost.
. "$(dirname "$0")/lib.sh"
I="$T/inbox" D="$T/data"
fx_video "$T/fx/a.mp4" 40
fx_video "$T/fx/b.mp4" 42 -vf hflip
fx_video "$T/fx/c.mp4" 44 -vf vflip
fx_video "$T/fx/m.mp4" 46 -vf negate
mkdir -p "$I/c1/E1/V1" "$I/c1/E1/V2" "$I/c1/E1/V3" "$I/c2/E1/V1" "$I/c2/E1/V2" "$I/c2/E2/V1"
cp "$T/fx/a.mp4" "$I/c1/E1/V1/a.mp4"
head -c 6000 "$T/fx/b.mp4" > "$I/c1/E1/V2/cut.mp4"          # media-corrupt
python3 - "$T/fx/m.mp4" "$I/c1/E1/V3/takes.zip" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[2], "w") as z:
    z.write(sys.argv[1], "V3_take.mp4")
PY
cp "$T/fx/b.mp4" "$I/c2/E1/V1/b.mp4"
head -c 7000 "$T/fx/c.mp4" > "$I/c2/E1/V2/cut2.mp4"        # media-corrupt
cp "$T/fx/c.mp4" "$I/c2/E2/V1/c.mp4"
in_window "$I"/*/*/*/*
run_v "$BIN/folio" run -q --inbox "$I" --data "$D"
q() { sql "$D/folio.db" "SELECT verdict || ':' || reasons FROM manifest_files WHERE candidate_id = '$1' AND source_path = '$2'"; }
expect_eq "$(q c1 V2/cut.mp4)" "rejected:media-corrupt" "c1's cut file"
expect_eq "$(q c2 V2/cut2.mp4)" "rejected:media-corrupt" "c2's cut file"
expect_eq "$(q c1 V3/takes.zip/V3_take.mp4)" "accepted:" "c1's member"

# c3's only file fails three runs (its store object and its upload vanish after
# scan took it: disk trouble): held.
mkdir -p "$I/c3/E1/V1"
cp "$T/fx/a.mp4" "$I/c3/E1/V1/a2.mp4"; printf 'x' >> "$I/c3/E1/V1/a2.mp4"  # bytes of its own
in_window "$I/c3/E1/V1/a2.mp4"
run_v "$BIN/folio-scan" -q --inbox "$I" --data "$D"
obj=$(sql "$D/folio.db" "SELECT store_path FROM files WHERE candidate_id = 'c3'")
mv "$D/$obj" "$T/saved"; mv "$I/c3" "$T/c3-upload"
set +e
for n in 1 2 3; do
    run_v "$BIN/folio" run -q --inbox "$I" --data "$D" 2>/dev/null
    "$BIN/folio" status --data "$D" > "$T/status$n"
done
set -e
# status: failing after one run (retried), held after three, in the identify row
grep -Eq "^  identify +0 +- +1 +0$" "$T/status1" || fail "status after one failure: $(cat "$T/status1")"
grep -A1 "^failing, tried again on the next run" "$T/status1" | grep -q "^  c3/E1/V1/a2.mp4: at new, attempt 1: " ||
    fail "status does not list the failing file: $(cat "$T/status1")"
grep -Eq "^  identify +0 +- +0 +1$" "$T/status3" || fail "status after three failures: $(cat "$T/status3")"
grep -A1 "^held for an operator" "$T/status3" | grep -q "^  c3/E1/V1/a2.mp4: at new after 3 attempts: " ||
    fail "status does not list the held file: $(cat "$T/status3")"
grep -q "^failing" "$T/status3" && fail "a held file is listed as failing: $(cat "$T/status3")"
expect_eq "$(sql "$D/folio.db" "SELECT state, held_state, attempts FROM files WHERE candidate_id = 'c3'")" "held|new|3" "c3 held"

dump() { python3 -c 'import sqlite3,sys; c=sqlite3.connect("file:"+sys.argv[1]+"?mode=ro",uri=True); print("\n".join(c.iterdump()))' "$D/folio.db"; }
dry() {  # dry ARGS...: the list, and the database unchanged
    dump > "$T/before"
    run_v "$BIN/folio" reprocess --dry-run --data "$D" "$@" > "$T/dry" || fail "reprocess --dry-run $*: exit $?"
    dump > "$T/after"
    cmp -s "$T/before" "$T/after" || fail "reprocess --dry-run $* changed the database"
    grep -v "would be reprocessed" "$T/dry" || true
}
lines() { printf '%s\n' "$@"; }

# --- each selector, dry ---------------------------------------------------------
expect_eq "$(dry --reason media-corrupt)" "$(lines \
    "c1/E1/V2/cut.mp4: done -> probe" \
    "c2/E1/V2/cut2.mp4: done -> probe")" "--reason media-corrupt"
grep -qx "2 files would be reprocessed (dry run: nothing was changed)" "$T/dry" || fail "dry-run count: $(cat "$T/dry")"
expect_eq "$(dry --reason media-corrupt --candidate c2)" "c2/E1/V2/cut2.mp4: done -> probe" "--reason and --candidate"
expect_eq "$(dry --candidate c2)" "$(lines \
    "c2/E1/V1/b.mp4: done -> validate" \
    "c2/E1/V2/cut2.mp4: done -> validate" \
    "c2/E2/V1/c.mp4: done -> validate")" "--candidate"
expect_eq "$(dry --candidate c1 --candidate c3 --entry E1 --stage unpack)" "$(lines \
    "c1/E1/V3/takes.zip: done -> unpack (an archive: unpacked again; its 1 member replaced, the old ones kept as history)" \
    "c3/E1/V1/a2.mp4: held at new, 3 attempts -> new (has not reached unpack yet)")" \
    "--stage unpack: archives, and files not identified yet (released where they are)"
expect_eq "$(dry --entry e2)" "c2/E2/V1/c.mp4: done -> validate" "--entry (any case)"
expect_eq "$(dry --failed)" "c3/E1/V1/a2.mp4: held at new, 3 attempts -> identify" "--failed"
expect_eq "$(dry --failed --stage probe)" "c3/E1/V1/a2.mp4: held at new, 3 attempts -> new (has not reached probe yet)" \
    "--failed --stage probe: a held file before probe is released where it was"
expect_eq "$(dry --candidate c1 --stage normalize)" "$(lines \
    "c1/E1/V1/a.mp4: done -> normalize" \
    "c1/E1/V3/takes.zip/V3_take.mp4: done -> normalize")" "--stage normalize: accepted videos"
expect_eq "$(dry --stage probe --candidate c2 --entry E1)" "$(lines \
    "c2/E1/V1/b.mp4: done -> probe" \
    "c2/E1/V2/cut2.mp4: done -> probe")" "--stage probe --candidate --entry"

# --- mistakes: nothing changes --------------------------------------------------
dump > "$T/before"
set +e
"$BIN/folio" reprocess --data "$D" 2> "$T/err"; expect_eq $? 2 "no selector"
grep -q "say what to reprocess" "$T/err" || fail "no selector: $(cat "$T/err")"
"$BIN/folio" reprocess --reason no-such-code --data "$D" 2> "$T/err"; expect_eq $? 2 "unknown reason"
grep -q "no-such-code: not a reason code" "$T/err" || fail "unknown reason: $(cat "$T/err")"
"$BIN/folio" reprocess --stage scan --data "$D" 2> "$T/err"; expect_eq $? 2 "a stage that cannot be redone"
"$BIN/folio" reprocess --candidate nobody --data "$D" 2> "$T/err"; expect_eq $? 1 "unknown candidate"
grep -q "no candidate 'nobody'" "$T/err" || fail "unknown candidate: $(cat "$T/err")"
"$BIN/folio" reprocess --entry E7 --data "$D" 2> "$T/err"; expect_eq $? 1 "unknown entry"
"$BIN/folio" reprocess --candidate 2> "$T/err"; expect_eq $? 2 "--candidate without a value"
set -e
dump > "$T/after"
cmp -s "$T/before" "$T/after" || fail "a refused reprocess changed the database"

history_rows() { sql "$D/folio.db" "SELECT COUNT(*) FROM verdict_history"; }
last_run() { sql "$D/folio.db" "SELECT MAX(id) FROM runs"; }
items() { sql "$D/folio.db" "SELECT COALESCE(items, -1) FROM run_stages WHERE run_id = $(last_run) AND stage = 'folio-$1'"; }

# --- --reason media-corrupt --stage probe: an old library's wrong verdict -------
# c1's good clip is taken for corrupt (as a buggy decoder would have it), and
# judged so; the upgrade's reprocess re-measures it and it is accepted again.
sha_a=$(sql "$D/folio.db" "SELECT sha256 FROM files WHERE candidate_id = 'c1' AND source_path = 'V1/a.mp4'")
python3 - "$D/folio.db" "$sha_a" <<'PY'
import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
con.execute("UPDATE facts SET content_codes = 'media-corrupt', duration_s = NULL WHERE sha256 = ?", (sys.argv[2],))
con.commit()
PY
run_v "$BIN/folio" reprocess -q --candidate c1 --stage validate --data "$D"
expect_eq "$(items probe)" 0 "probes when only re-validating"
expect_eq "$(q c1 V1/a.mp4)" "rejected:media-corrupt" "c1's clip judged on the wrong facts"
h0=$(history_rows)
run_v "$BIN/folio" reprocess -q --reason media-corrupt --stage probe --candidate c1 --data "$D"
expect_eq "$(items probe)" 2 "files probed again (c1's two media-corrupt ones)"
expect_eq "$(sql "$D/folio.db" "SELECT probed, content_codes, ROUND(duration_s) FROM facts WHERE sha256 = '$sha_a'")" "1||40.0" "re-measured facts"
expect_eq "$(q c1 V1/a.mp4)" "accepted:" "c1's clip after the re-probe"
expect_eq "$(q c1 V2/cut.mp4)" "rejected:media-corrupt" "a really cut file stays rejected"
expect_eq "$(q c2 V2/cut2.mp4)" "rejected:media-corrupt" "c2 untouched"
expect_eq "$(history_rows)" $((h0 + 1)) "history rows after the re-probe (one verdict changed)"
expect_eq "$(sql "$D/folio.db" "SELECT group_concat(h.verdict || '@' || h.stage, ' ') FROM verdict_history h JOIN files f ON f.id = h.file_id WHERE f.candidate_id = 'c1' AND f.source_path = 'V1/a.mp4' ORDER BY h.id")" \
    "accepted@validate rejected@validate accepted@validate" "history of c1's clip"
"$BIN/folio" show c1 --history --data "$D" > "$T/show"
grep -A4 "^  E1/V1/a.mp4$" "$T/show" | grep -c " validate  *\(accepted\|rejected\) " | grep -qx 3 ||
    fail "show --history does not list the three verdicts: $(cat "$T/show")"

# --- --entry E2 --stage probe: only that entry's content is measured again -------
run_v "$BIN/folio" reprocess -q --entry E2 --stage probe --data "$D"
expect_eq "$(items probe)" 1 "probes for --entry E2"

# --- --stage identify: the content's facts are made again ------------------------
sha_b=$(sql "$D/folio.db" "SELECT sha256 FROM files WHERE candidate_id = 'c2' AND source_path = 'V1/b.mp4'")
python3 - "$D/folio.db" "$sha_b" <<'PY'
import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
con.execute("UPDATE facts SET description = 'stale' WHERE sha256 = ?", (sys.argv[2],))
con.commit()
PY
run_v "$BIN/folio" reprocess -q --candidate c2 --entry E1 --stage identify --data "$D"
expect_eq "$(items identify)" 2 "files identified again"
expect_eq "$(items probe)" 2 "and probed again"
[ "$(sql "$D/folio.db" "SELECT description FROM facts WHERE sha256 = '$sha_b'")" != stale ] || fail "identify did not redo the facts"
expect_eq "$(q c2 V1/b.mp4)" "accepted:" "c2's clip after identify"

# --- --stage unpack: members are made again; the old rows stay as history ---------
old_member=$(sql "$D/folio.db" "SELECT id FROM files WHERE candidate_id = 'c1' AND source_path = 'V3/takes.zip/V3_take.mp4' AND active = 1")
run_v "$BIN/folio" reprocess -q --candidate c1 --stage unpack --data "$D"
# the same unpacking work as the first run did (c1's zip is the only archive)
expect_eq "$(items unpack)" "$(sql "$D/folio.db" "SELECT items FROM run_stages WHERE run_id = 1 AND stage = 'folio-unpack'")" "archives unpacked again"
[ "$(items unpack)" -gt 0 ] || fail "nothing unpacked"
expect_eq "$(sql "$D/folio.db" "SELECT active FROM files WHERE id = $old_member")" 0 "the old member row"
expect_eq "$(sql "$D/folio.db" "SELECT COUNT(*) FROM files WHERE candidate_id = 'c1' AND source_path = 'V3/takes.zip/V3_take.mp4' AND active = 1 AND id > $old_member")" 1 "new member rows"
expect_eq "$(q c1 V3/takes.zip/V3_take.mp4)" "accepted:" "the member after unpacking again"
expect_eq "$(sql "$D/folio.db" "SELECT COUNT(*) FROM verdict_history WHERE file_id = $old_member")" 1 "the old member's history"
"$BIN/folio" show c1 --history --data "$D" | grep -q "^  E1/V3/takes.zip/V3_take.mp4  \[no longer current" ||
    fail "show --history does not show the replaced member"

# --- --failed: the held file, after the operator fixed the cause -----------------
mv "$T/saved" "$D/$obj"
run_v "$BIN/folio" reprocess -q --failed --data "$D"
expect_eq "$(sql "$D/folio.db" "SELECT state, attempts, verdict FROM files WHERE candidate_id = 'c3'")" "done|0|accepted" "c3 after --failed"
expect_eq "$(dry --failed)" "" "--failed once nothing fails"

# (--stage normalize is run for real in ops-config-reupload.sh, where the
# normalize stage runs)
echo "reprocess-selectors: ok"
