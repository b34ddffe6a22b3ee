# report-sample.sh — the reports of the ten sample candidates after one real
# nightly run (folio run, then folio-report for a fixed date): each rejected
# file and each missing slot with its sentences (tests/e2e/report_check.py
# against the corpus's EXPECTED.json), the header's window and days left on
# four dates, the notify list and the operator's summary.
# Skipped when the corpus is absent (FOLIO_CORPUS, default /work/shared/corpus).
# The run leaves out folio-normalize, which takes minutes on the sample: the
# report reads only its columns, which are set here as it sets them.
. "$(dirname "$0")/lib.sh"
CORPUS=${FOLIO_CORPUS:-/work/shared/corpus}
[ -f "$CORPUS/sample-inbox.tar" ] || { echo "no corpus at $CORPUS"; exit 77; }
tar -xf "$CORPUS/sample-inbox.tar" -C "$T"
D=$T/data R=$T/data/reports
grep -vx normalize "$TOP/pipeline/nightly" >"$T/pipeline"
FOLIO_PIPELINE=$T/pipeline run_v "$BIN/folio" run -q --inbox "$T/sample-inbox" --data "$D" \
    >"$T/run.out" || fail "folio run failed: $(cat "$T/run.out")"
run=$(sql "$D/folio.db" "SELECT MAX(id) FROM runs")
python3 - "$D/folio.db" <<'PY'
import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
con.execute("UPDATE files SET normalized_path = 'media/' || candidate_id || '/E1/' || slot_id"
            " || '.mp4' WHERE verdict = 'accepted' AND slot_id LIKE 'V%' AND candidate_id IN"
            " ('c2026-0101', 'c2026-0102')")
con.commit()
PY
FOLIO_RUN_ID=$run run_v "$BIN/folio-report" -q --data "$D" --date 2026-06-01 --print-summary \
    >"$T/summary.out" || fail "folio-report failed"
run_v "$BIN/folio-report" --list-reasons >"$T/reasons.tsv"
python3 "$TOP/tests/e2e/report_check.py" "$D" "$CORPUS/sample-inbox.EXPECTED.json" \
    "$T/reasons.tsv" || fail "reports disagree with EXPECTED.json"

# the header: run date, window close, days left
txt=$R/c2026-0103/report.txt
grep -qx "Report of: June 1, 2026" "$txt" || fail "no run date in $txt"
grep -qx "Submission window: closes on June 15, 2026 at 23:59 (America/Chicago time)" "$txt" ||
    fail "no window close in $txt"
grep -qx "Days left: 14" "$txt" || fail "days left is not 14 on June 1"
grep -q '<dd class="days-left">14</dd>' "$R/c2026-0103/report.html" || fail "html days left"
# the tone: an entry with problems is never called a failure
! grep -qiE "fail|invalid|bad |wrong file|poor" "$R"/c2026-01*/report.txt ||
    fail "a report judges: $(grep -hiE 'fail|invalid|bad |wrong file|poor' "$R"/c2026-01*/report.txt | head -1)"
# automatic fixes and warnings are said: the iPhone clips converted and turned
# upright, the clean MP4s of c2026-0101 simply OK
expect_eq "$(grep -c '^    Result: Converted for scorers$' "$R/c2026-0102/report.txt")" 6 \
    "c2026-0102 clips converted"
expect_eq "$(tr '\n' ' ' <"$R/c2026-0102/report.txt" | tr -s ' ' | grep -o 'Automatic fixes for scorers: converted from HEVC; turned upright; any location data removed.' | wc -l)" 6 \
    "c2026-0102 fixes said"
expect_eq "$(grep -c '^    Result: OK$' "$R/c2026-0101/report.txt")" 7 "c2026-0101 all OK"
grep -q "Note: The file's name was stored in an old character encoding" \
    "$R/c2026-0108/report.txt" || fail "name-repaired not said for c2026-0108"

# the notify list: every candidate's verdicts were new in this first run
expect_eq "$(cat "$R/notify-2026-06-01.txt" | tr '\n' ' ')" \
    "c2026-0101 c2026-0102 c2026-0103 c2026-0104 c2026-0105 c2026-0106 c2026-0107 c2026-0108 c2026-0109 c2026-0110 " \
    "notify list"
# the summary: printed, written twice, and its counts are the manifest's
cmp -s "$T/summary.out" "$R/nightly/2026-06-01.txt" || fail "--print-summary differs from the file"
[ -s "$R/nightly/2026-06-01.html" ] || fail "no nightly html"
s=$T/summary.out
for v in accepted rejected skipped; do
    n=$(sql "$D/folio.db" "SELECT COUNT(*) FROM files WHERE active = 1 AND verdict = '$v'")
    grep -qE "^$v +$n +$n\$" "$s" || fail "summary: $v is not $n (all and tonight)"
done
grep -qE "^Candidates seen tonight +10$" "$s" || fail "summary: candidates seen"
grep -qE "^Entries that became complete tonight +2$" "$s" || fail "summary: entries complete"
grep -qE "^c2026-0101 +E1$" "$s" && grep -qE "^c2026-0102 +E1$" "$s" || fail "summary: complete list"
# junk-file's verdict is skipped: listed as skips, in the summary and the table
grep -qE "^junk-file +skips +7 +7$" "$s" || fail "summary: junk-file count"
grep -qP "^junk-file\tskips\t" "$T/reasons.tsv" || fail "--list-reasons: junk-file is not skips"
grep -qE "^duration-too-long +rejects +2 +2$" "$s" || fail "summary: duration-too-long count"
grep -qE "^folio-scan +[0-9.]+ s +0 " "$s" || fail "summary: no scan stage time"
grep -qE "^Total " "$s" || fail "summary: no total"
grep -q "^None: every failure tonight" "$s" || fail "summary: system failures"
# the report stage's own row is not "running": the summary says who wrote it
# (in the summary folio run's report stage wrote; the one above is a rerun)
today=$(TZ=America/Chicago date +%F)
own=$R/nightly/$today-run$run.txt
[ -s "$own" ] || fail "no summary of run $run of its own ($own)"
for f in "$s" "$own"; do
    ! grep -qi "running" "$f" || fail "summary: $(grep -i running "$f")"
    tr '\n' ' ' <"$f" | tr -s ' ' | grep -q "This summary was written by the report stage of run $run, on " ||
        fail "$f: does not say it was written by the report stage of run $run"
done
grep -qE "^folio-report +[0-9.]+ s +\(this summary\) +10 +0 " "$own" || fail "summary: report stage row"
expect_eq "$(grep -cE '^folio-report +[0-9]' "$own")" 1 "report stage rows in the run's summary"
expect_eq "$(grep -cE '^folio-report +[0-9]' "$s")" 1 "report stage rows in a rerun's summary"
# sizes in the config's units (max_size = 2 GiB, 100 MB); upload times name the zone
grep -q "0:30 to 10:00 long, at most" "$R/c2026-0103/report.txt" &&
    tr '\n' ' ' <"$R/c2026-0103/report.txt" | tr -s ' ' |
    grep -q "0:30 to 10:00 long, at most 2.GiB\." || fail "V1 limit is not 2 GiB"
! grep -rq "2\.1.GB" "$R"/c2026-01*/report.* || fail "a 2 GiB limit shown as 2.1 GB"
grep -q "one PDF document, at most 100.MB" "$R/c2026-0103/report.txt" || fail "W1 limit is not 100 MB"
up=$(grep -h "^    Uploaded: " "$R"/c2026-01*/report.txt | head -1)
echo "$up" | grep -qE "^    Uploaded: [A-Z][a-z]+ [0-9]+, 2026 at [0-9]{2}:[0-9]{2} C[DS]T$" ||
    fail "upload time names no zone: '$up'"
! grep -h "^    Uploaded: " "$R"/c2026-01*/report.txt | grep -vqE " C[DS]T$" || fail "an upload time without its zone"

# every output 0640, and the run again writes the same bytes
for f in "$R"/*/report.* "$R"/notify-* "$R"/nightly/*; do
    expect_eq "$(stat -c %a "$f")" 640 "mode of $f"
done
cp -r "$R" "$T/first"
FOLIO_RUN_ID=$run run_v "$BIN/folio-report" -q --data "$D" --date 2026-06-01
for c in "$R"/c2026-*; do
    cmp -s "$c/report.html" "$T/first/$(basename "$c")/report.html" || fail "$c: not reproducible"
done

# other days: the close itself, after it, before the window opens
run_v "$BIN/folio-report" -q --data "$D" --date 2026-06-15
grep -qx "Days left: 0: the window closes tonight" "$txt" || fail "June 15: $(grep Days "$txt")"
grep -q "closes today, June 15, 2026 at 23:59" "$txt" || fail "June 15: no 'closes today'"
run_v "$BIN/folio-report" -q --data "$D" --date 2026-06-20
grep -qx "Days left: none: the window is closed" "$txt" || fail "June 20: $(grep Days "$txt")"
grep -q "closed on June 15, 2026 at 23:59" "$txt" || fail "June 20: not closed"
# after the close no fix asks for a new upload: each rejected file says it
# cannot be scored (the entry says new uploads can no longer be scored)
python3 - "$R" <<'PY' || fail "June 20: a fix still asks for an upload"
import glob, re, sys
bad, told = [], 0
for p in sorted(glob.glob(sys.argv[1] + "/c2026-01*/report.txt")):
    fixes, cur = [], None
    for line in open(p, encoding="utf-8").read().split("\n"):
        if line.strip().startswith("How to fix it: "):
            cur = [line.strip()[len("How to fix it: "):]]
            fixes.append(cur)
        elif cur is not None and line.startswith("      ") and not line.strip().startswith("- "):
            cur.append(line.strip())     # the wrapped rest of the fix
        else:
            cur = None
    for fix in (" ".join(f) for f in fixes):
        if re.search(r"\bupload", fix, re.I) and "do not need to upload" not in fix:
            bad.append(f"{p}: {fix[:90]}")
        told += fix == ("This file cannot be scored; the submission window closed on"
                        " June 15, 2026 at 23:59 (America/Chicago time).")
print("\n".join(bad))
# 14 rejected files in the sample, each with at least one rejecting reason
sys.exit(1 if bad or told < 14 else 0)
PY
run_v "$BIN/folio-report" -q --data "$D" --date 2026-04-20
grep -q "opens on May 1, 2026 and closes on June 15, 2026" "$txt" || fail "April 20: not before"
[ ! -e "$R/notify-2026-06-20.txt" ] || fail "a notify list without a run named"
# the front door runs the stage
run_v "$BIN/folio" report --data "$D" --date 2026-06-02 -q || fail "folio report failed"
grep -qx "Days left: 13" "$txt" || fail "folio report: $(grep Days "$txt")"
# a malformed date is a usage error
rc=0; run_v "$BIN/folio-report" -q --data "$D" --date 2026-13-01 2>/dev/null || rc=$?
expect_eq $rc 2 "exit for --date 2026-13-01"
# the text an e-mail carries keeps to 76 columns (docs/reports.md)
# (columns are characters: "–" and "·" are one column, three and two bytes)
long=$(python3 -c 'import sys
for p in sys.argv[1:]:
    for n, l in enumerate(open(p, encoding="utf-8").read().split("\n"), 1):
        if len(l) > 76: print(f"{p}:{n}")' "$R"/*/report.txt)
[ -z "$long" ] || fail "text report lines over 76 columns: $long"
# a second run the same day adds to the day's notify list, never empties it
today=$(TZ=America/Chicago date +%F)
run_v "$BIN/folio" run -q --inbox "$T/sample-inbox" --data "$D"
n1=$(wc -l < "$R/notify-$today.txt")
[ "$n1" -gt 0 ] || fail "no notify list for today"
touch -d @1780000100 "$T/sample-inbox/c2026-0110/E1/V1/identify.mp4"
run_v "$BIN/folio" run -q --inbox "$T/sample-inbox" --data "$D"
expect_eq "$(wc -l < "$R/notify-$today.txt")" "$n1" "notify list after a second run"
expect_eq "$(sort "$R/notify-$today.txt" | uniq -d)" "" "ids listed twice"
echo "ok"
