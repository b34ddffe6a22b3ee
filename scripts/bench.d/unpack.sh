# unpack.sh — folio-unpack (which also hashes every member, checks its name,
# identifies it and records it durably) against bsdtar -xf and unzip, on a
# zip of six large clips (2 GB; 200 MB with --quick) and on 20 zips of 900
# small files each (2 with --quick), alternating the tools round by round.
# Each folio round starts from a fresh data directory holding the scanned,
# identified uploads (the store hard-linked from a template, so no member is
# already stored); each bsdtar/unzip round from an empty directory.
need bsdtar; need unzip; need strace
LARGE_MB=2048 SMALL_N=20
[ -n "$QUICK" ] && LARGE_MB=200 SMALL_N=2
avail=$(df -Pk "$CACHE" | awk 'NR == 2 { print int($4 / 1048576) }')
want=$(( LARGE_MB * 4 / 1024 + 1 ))
[ "$avail" -ge "$want" ] || fail "needs about $want GB free under $CACHE (has $avail GB)"

LARGE="$CACHE/unpack-large-$LARGE_MB" SMALL="$CACHE/unpack-small-$SMALL_N"
[ -d "$LARGE/inbox" ] || { say "making $LARGE (once)"; gen clips-zip "$LARGE" "$LARGE_MB"; }
[ -d "$SMALL/inbox" ] || { say "making $SMALL (once)"; gen small-zips "$SMALL" "$SMALL_N"; }

# template data directories: the uploads scanned and identified, nothing unpacked
for set in large small; do
    inbox=$LARGE/inbox
    [ $set = small ] && inbox=$SMALL/inbox
    "$BIN/folio-scan" --inbox "$inbox" --data "$T/tmpl-$set" -q || fail "folio-scan $set"
    "$BIN/folio-identify" --data "$T/tmpl-$set" -q || fail "folio-identify $set"
done
zips_large=$(find "$LARGE/inbox" -name '*.zip' | sort | tr '\n' ' ')
zips_small=$(find "$SMALL/inbox" -name '*.zip' | sort | tr '\n' ' ')
# what an operator's script would do: each candidate's zip into a folder of its own
for tool in bsdtar unzip; do
    cmd='bsdtar -xf "$z" -C "$d"'
    [ $tool = unzip ] && cmd='unzip -qq -o "$z" -d "$d"'
    cat > "$T/$tool.sh" <<SH
out=\$1; shift
for z in "\$@"; do
    d="\$out/\$(basename "\$(dirname "\$(dirname "\$z")")")"
    mkdir -p "\$d" && $cmd || exit 1
done
SH
done

for set in large small; do
    : > "$T/$set.folio"; : > "$T/$set.bsdtar"; : > "$T/$set.unzip"; : > "$T/$set.bsync"
    zips=$zips_large
    [ $set = small ] && zips=$zips_small
    i=0
    while [ $i -lt "$ROUNDS" ]; do
        i=$((i + 1))
        say "$set: round $i of $ROUNDS"
        clone_data "$T/tmpl-$set" "$T/d"
        sync
        timed "$T/$set.folio" "$BIN/folio-unpack" --data "$T/d" -q
        rm -rf "$T/x"; mkdir -p "$T/x"; sync
        timed "$T/$set.bsdtar" sh "$T/bsdtar.sh" "$T/x" $zips
        rm -rf "$T/x"; mkdir -p "$T/x"; sync
        # the same, made durable as folio's is (one syncfs at the end)
        timed "$T/$set.bsync" sh -c "sh '$T/bsdtar.sh' '$T/x' $zips && sync -f '$T/x'"
        rm -rf "$T/x"; mkdir -p "$T/x"; sync
        timed "$T/$set.unzip" sh "$T/unzip.sh" "$T/x" $zips
        rm -rf "$T/x"
    done
    # what was timed is what it claims: every member stored and recorded
    got=$(sqlite3 "$T/d/folio.db" "SELECT count(*) FROM files WHERE depth = 1 AND sha256 IS NOT NULL AND store_path IS NOT NULL")
    exp=6
    [ $set = small ] && exp=$((SMALL_N * 900))
    [ "$got" = "$exp" ] || fail "$set: folio recorded $got stored members, not $exp"
    # syncs made by one more (untimed) folio run
    clone_data "$T/tmpl-$set" "$T/d"
    strace -f -c -e trace=fsync,fdatasync,syncfs,sync_file_range -o "$T/$set.strace" \
        "$BIN/folio-unpack" --data "$T/d" -q || fail "folio-unpack under strace"
    awk '$NF ~ /^(fsync|fdatasync|syncfs|sync_file_range)$/ { n += $4 } END { print n + 0 }' \
        "$T/$set.strace" > "$T/$set.syncs"
    bytes=$(sqlite3 "$T/d/folio.db" "SELECT sum(size_bytes) FROM files WHERE depth = 1")
    echo "$bytes" > "$T/$set.bytes"
    rm -rf "$T/d"
done

row() {
    w=$(median "$T/$1.$2" 1); c=$(median "$T/$1.$2" 2); r=$(mb "$(maxcol "$T/$1.$2" 3)")
    echo "$w $c $r"
}
{
    stamp unpack
    echo "Median of $ROUNDS alternating rounds; page cache warm for all (the zips are read"
    echo "once before timing).  bsdtar $(bsdtar --version | cut -d' ' -f2), UnZip $(unzip -v | head -1 | cut -d' ' -f2)."
    echo
    echo "| input | tool | wall s | CPU s | peak RSS | syncs |"
    echo "| --- | --- | ---: | ---: | ---: | ---: |"
    for set in large small; do
        if [ $set = large ]; then
            what="1 zip, 6 clips, $(awk -v b="$(cat "$T/large.bytes")" 'BEGIN { printf "%.2f GB", b / 1e9 }')"
        else
            what="$SMALL_N zips × 900 files, $(awk -v b="$(cat "$T/small.bytes")" 'BEGIN { printf "%.0f MB", b / 1e6 }')"
        fi
        set -- $(row $set folio);  echo "| $what | folio-unpack | $1 | $2 | $3 MB | $(cat "$T/$set.syncs") |"
        set -- $(row $set bsdtar); echo "| | bsdtar -xf | $1 | $2 | $3 MB | 0 |"
        set -- $(row $set bsync); echo "| | bsdtar -xf, then sync -f | $1 | $2 | $3 MB | 1 |"
        set -- $(row $set unzip);  echo "| | unzip | $1 | $2 | $3 MB | 0 |"
    done
    echo
    for set in large small; do
        goal=1.25
        [ $set = small ] && goal=2
        r=$(ratio "$(median "$T/$set.folio" 1)" "$(median "$T/$set.bsdtar" 1)")
        rss=$(mb "$(maxcol "$T/$set.folio" 3)")
        rs=$(ratio "$(median "$T/$set.folio" 1)" "$(median "$T/$set.bsync" 1)")
        echo "- $set: wall ratio folio / bsdtar **$r** (goal ≤ $goal: $(verdict "$r" $goal));" \
             "folio / (bsdtar + sync) $rs; peak RSS **$rss MB** (goal < 64 MB: $(verdict "$rss" 63))"
    done
} > "$T/section"
publish unpack
