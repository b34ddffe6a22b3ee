# report-perf.sh — a 200-candidate manifest (eight files each) reports in
# well under a second per candidate: the whole stage must take less than
# 0.1 s per candidate (it takes about 5 ms here, most of it fsync).  Not
# timed under valgrind.  Also checks what the 200 reports say.
. "$(dirname "$0")/lib.sh"
N=200 D=$T/data
run_v "$BIN/folio-report" -q --data "$D" --date 2026-06-01
python3 "$TOP/tests/e2e/report_fixture.py" "$D/folio.db" many $N
start=$(date +%s.%N)
FOLIO_RUN_ID=1 run_v "$BIN/folio-report" -q --data "$D" --date 2026-06-01 || fail "folio-report failed"
end=$(date +%s.%N)
ms=$(python3 -c "print(round(($end - $start) * 1000 / $N, 1))")
echo "$N candidates: $ms ms per candidate"
if [ -z "${FOLIO_VALGRIND:-}" ]; then
    python3 -c "import sys; sys.exit(0 if $ms < 100 else 1)" || fail "$ms ms per candidate"
fi
expect_eq "$(ls "$D/reports" | grep -c '^c2026-')" $N "reports written"
expect_eq "$(grep -l '^ENTRY E1: Ready for scoring$' "$D"/reports/c2026-*/report.txt | wc -l)" 133 "ready"
expect_eq "$(grep -l '^ENTRY E1: Needs attention$' "$D"/reports/c2026-*/report.txt | wc -l)" 67 \
    "needs attention"
expect_eq "$(grep -c . "$D/reports/notify-2026-06-01.txt")" $N "notify list"
grep -qE "^Candidate reports written +$N$" "$D/reports/nightly/2026-06-01.txt" || fail "summary"
