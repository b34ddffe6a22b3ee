# incremental.sh — a nightly run ('folio run', every stage) over a synthetic
# inbox of 1,000 candidates (100 with --quick; small generated files: a PDF
# and a note each, every 10th a short clip that is normalized), then the same
# run again over the unchanged inbox, then once more after 1% of the
# candidates uploaded one new file each.  Goal: the unchanged run under 5% of
# the first and under 2 s.
N=1000
[ -n "$QUICK" ] && N=100
IN="$CACHE/nightly-$N"
[ -d "$IN/inbox" ] || { say "making $IN (once)"; gen nightly "$IN" "$N"; }
: > "$T/first"; : > "$T/again"; : > "$T/new"
timed "$T/first" "$BIN/folio" run --inbox "$IN/inbox" --data "$T/d" -q
# nights are a day apart: the first run's writeback is not the next run's bill
sync
i=0
while [ $i -lt "$ROUNDS" ]; do
    i=$((i + 1))
    say "unchanged run $i of $ROUNDS"
    timed "$T/again" "$BIN/folio" run --inbox "$IN/inbox" --data "$T/d" -q
done
# what each stage of the last unchanged run took (the run's own record)
sqlite3 -separator ' ' "$T/d/folio.db" "SELECT stage, printf('%.3f', finished_at - started_at), items
    FROM run_stages WHERE run_id = (SELECT max(run_id) FROM run_stages) ORDER BY started_at" > "$T/stages"
# 1% of the candidates upload one more file: the cost of what is new
cp -a "$IN/inbox" "$T/inbox"
k=0
for c in $(ls "$T/inbox" | awk -v n="$N" 'NR % 100 == 1'); do
    printf 'late note %s\n' "$c" > "$T/inbox/$c/E1/addendum.txt"
    touch -d @1780100000 "$T/inbox/$c/E1/addendum.txt"
    k=$((k + 1))
done
timed "$T/new" "$BIN/folio" run --inbox "$T/inbox" --data "$T/d" -q
# the runs did what they claim: every candidate has a manifest
nman=$(ls "$T/d/manifests" | grep -c '\.sqlite$' || true)
[ "$nman" -eq "$N" ] || fail "$nman manifests for $N candidates"
fw=$(median "$T/first" 1); aw=$(median "$T/again" 1); nw=$(median "$T/new" 1)
pct=$(awk -v a="$aw" -v b="$fw" 'BEGIN { printf "%.1f", 100 * a / b }')
{
    stamp incremental
    echo "$N candidates ($(find "$IN/inbox" -type f | wc -l) files, $((N / 10)) clips normalized);" \
         "the unchanged run is the median of $ROUNDS."
    echo
    echo "| run | wall s | CPU s | peak RSS | per candidate |"
    echo "| --- | ---: | ---: | ---: | ---: |"
    echo "| first (everything new) | $fw | $(median "$T/first" 2) | $(mb "$(maxcol "$T/first" 3)") MB | $(awk -v w="$fw" -v n="$N" 'BEGIN { printf "%.1f ms", 1000 * w / n }') |"
    echo "| again, inbox unchanged: the first time | $(head -1 "$T/again" | cut -d' ' -f1) | $(head -1 "$T/again" | cut -d' ' -f2) | | |"
    echo "| again, inbox unchanged: median of $ROUNDS | $aw | $(median "$T/again" 2) | $(mb "$(maxcol "$T/again" 3)") MB | $(awk -v w="$aw" -v n="$N" 'BEGIN { printf "%.2f ms", 1000 * w / n }') |"
    echo "| again, $k candidate(s) with one new file | $nw | $(median "$T/new" 2) | $(mb "$(maxcol "$T/new" 3)") MB | |"
    echo
    echo "- unchanged run: **$pct%** of the first (goal < 5%: $(verdict "$pct" 4.99)), **$aw s**" \
         "(goal < 2 s: $(verdict "$aw" 1.99))"
    echo "- stages of the last unchanged run (s, items): $(awk '{ printf "%s%s %s (%s)", (NR > 1 ? ", " : ""), $1, $2, $3 }' "$T/stages")"
} > "$T/section"
publish incremental
