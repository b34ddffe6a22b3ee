# scale.sh — the nightly run ('folio run', every stage, a fresh data
# directory) over 1, 10, 100 and 1,000 candidates of the incremental bench's
# shape (--quick: 1, 10, 50): the time per candidate should stay flat.  Then
# normalization-heavy work: 6 candidates (--quick: 2, 360p60) each with a 31 s
# 1080p clip to re-encode; a run should keep at least 1.8 of 2
# cores busy on average (user + sys CPU time over wall time).
SIZES="1 10 100 1000"
HEAVY=6 HKIND=heavy HSIZE=1080p
[ -n "$QUICK" ] && SIZES="1 10 50" HEAVY=2 HKIND=heavy-360 HSIZE=360p60
: > "$T/curve"
for n in $SIZES; do
    IN="$CACHE/nightly-$n"
    [ -d "$IN/inbox" ] || { say "making $IN (once)"; gen nightly "$IN" "$n"; }
    r=$ROUNDS
    [ "$n" -ge 1000 ] && r=1
    : > "$T/n$n"
    i=0
    while [ $i -lt "$r" ]; do
        i=$((i + 1))
        say "$n candidates: run $i of $r"
        rm -rf "$T/d"
        timed "$T/n$n" "$BIN/folio" run --inbox "$IN/inbox" --data "$T/d" -q
    done
    [ "$(ls "$T/d/manifests" | grep -c '\.sqlite$')" -eq "$n" ] || fail "$n candidates: manifests missing"
    echo "$n $r $(median "$T/n$n" 1) $(median "$T/n$n" 2) $(mb "$(maxcol "$T/n$n" 3)")" >> "$T/curve"
done
IN="$CACHE/$HKIND-$HEAVY"
[ -d "$IN/inbox" ] || { say "making $IN (once)"; gen $HKIND "$IN" "$HEAVY"; }
: > "$T/heavy"
rm -rf "$T/d"
say "normalization-heavy run: $HEAVY clips"
timed "$T/heavy" "$BIN/folio" run --inbox "$IN/inbox" --data "$T/d" -q
nz=$(sqlite3 "$T/d/folio.db" "SELECT count(*) FROM files WHERE normalized_path IS NOT NULL")
[ "$nz" -eq "$HEAVY" ] || fail "heavy: $nz of $HEAVY clips normalized"
out=$(sqlite3 "$T/d/folio.db" "SELECT normalized_path FROM files WHERE normalized_path IS NOT NULL LIMIT 1")
[ "$(ffprobe -v error -select_streams v:0 -show_entries stream=r_frame_rate -of csv=p=0 "$T/d/$out")" = "30/1" ] ||
    fail "heavy: the clips were not re-encoded (30 fps)"
sqlite3 -separator ' ' "$T/d/folio.db" "SELECT stage, printf('%.1f', finished_at - started_at)
    FROM run_stages WHERE run_id = (SELECT max(run_id) FROM run_stages) ORDER BY started_at" > "$T/hstages"
set -- $(cat "$T/heavy")
hw=$1 hc=$2
busy=$(awk -v c="$hc" -v w="$hw" 'BEGIN { printf "%.2f", c / w }')
# how flat: the largest time per candidate over the smallest, from 10 up
flat=$(awk '$1 >= 10 { p = $3 / $1; if (lo == "" || p < lo) lo = p; if (p > hi) hi = p }
    END { printf "%.2f", hi / lo }' "$T/curve")
{
    stamp scale
    echo "Fresh data directory each run; every 10th candidate has a clip to normalize (so the"
    echo "single candidate has one).  Median of $ROUNDS runs, 1 for 1,000 candidates."
    echo
    echo "| candidates | runs | wall s | CPU s | peak RSS | wall per candidate |"
    echo "| ---: | ---: | ---: | ---: | ---: | ---: |"
    while read -r n r w c m; do
        echo "| $n | $r | $w | $c | $m MB | $(awk -v w="$w" -v n="$n" 'BEGIN { printf "%.1f ms", 1000 * w / n }') |"
    done < "$T/curve"
    echo
    echo "- time per candidate, largest over smallest from 10 candidates up: **$flat** (flat: 1.00)"
    echo "- normalization-heavy ($HEAVY × 31 s $HSIZE, \`-j $(nproc)\`): wall $hw s, CPU $hc s:" \
         "**$busy of $(nproc) cores** busy (goal ≥ 1.8: $(verdict 1.8 "$busy"))"
    echo "- its stages (s): $(awk '{ printf "%s%s %s", (NR > 1 ? ", " : ""), $1, $2 }' "$T/hstages")"
} > "$T/section"
publish scale
