# check.sh — folio-identify + folio-probe against what an operator would run
# instead: a shell loop of 'file --mime-type' on every file, plus ffprobe on
# every file file(1) calls audio or video, over 2,000 mixed small files (300
# with --quick): clips (MP4, MOV), PDFs, images, text, junk and damaged clips.
# Then holds folio's facts against theirs, file by file.
need file; need ffprobe; need strace
N=2000
[ -n "$QUICK" ] && N=300
IN="$CACHE/check-$N"
[ -d "$IN/inbox" ] || { say "making $IN (once)"; gen check "$IN" "$N"; }
"$BIN/folio-scan" --inbox "$IN/inbox" --data "$T/tmpl" -q || fail "folio-scan"
find "$IN/inbox" -type f | sort > "$T/list"
[ "$(wc -l < "$T/list")" -eq "$N" ] || fail "$IN/inbox does not hold $N files"
# path|mime|video codec|audio codec|width|height|duration, one line a file:
# file(1) on each, and one ffprobe call on each file it calls audio or video
cat > "$T/loop.sh" <<'SH'
while IFS= read -r f; do
    m=$(file -b --mime-type "$f")
    case $m in
    video/*|audio/*)
        ffprobe -v error -show_entries stream=codec_type,codec_name,width,height:format=duration \
            -of flat "$f" | awk -v f="$f" -v m="$m" -F= '
            { gsub(/"/, "", $2) }
            $1 ~ /codec_type$/ { t[substr($1, 1, length($1) - 11)] = $2 }
            $1 ~ /codec_name$/ { c[substr($1, 1, length($1) - 11)] = $2 }
            $1 ~ /\.width$/ { w[substr($1, 1, length($1) - 6)] = $2 }
            $1 ~ /\.height$/ { h[substr($1, 1, length($1) - 7)] = $2 }
            $1 == "format.duration" { d = $2 }
            END {
                for (s in t) {
                    if (t[s] == "video" && v == "") { v = c[s]; vw = w[s]; vh = h[s] }
                    if (t[s] == "audio" && a == "") a = c[s]
                }
                print f "|" m "|" v "|" a "|" vw "|" vh "|" (d == "N/A" ? "" : d)
            }' ;;
    *) echo "$f|$m|||||" ;;
    esac
done
SH
: > "$T/folio"; : > "$T/loop"
i=0
while [ $i -lt "$ROUNDS" ]; do
    i=$((i + 1))
    say "round $i of $ROUNDS"
    clone_data "$T/tmpl" "$T/d"
    timed "$T/folio" sh -c "'$BIN/folio-identify' --data '$T/d' -q && '$BIN/folio-probe' --data '$T/d' -q"
    timed "$T/loop" sh -c "sh '$T/loop.sh' < '$T/list' > '$T/theirs'"
done
# processes folio started for the files (the isolation of each step in a child)
clone_data "$T/tmpl" "$T/d2"
forks=0
for stage in identify probe; do
    strace -f --seccomp-bpf -c -e trace=fork,vfork,clone,clone3 -o "$T/forks" \
        "$BIN/folio-$stage" --data "$T/d2" -q || fail "folio-$stage under strace"
    forks=$((forks + $(awk '$NF ~ /^(fork|vfork|clone|clone3)$/ { n += $4 } END { print n + 0 }' "$T/forks")))
done
# the same facts?  folio's rows against the loop's lines, by path
sqlite3 -separator '|' "$T/d/folio.db" "SELECT u.candidate_id || '/' || u.entry_id || '/' || u.rel_path,
    x.mime_type, x.kind, COALESCE(x.video_codec, ''), COALESCE(x.audio_codec, ''),
    COALESCE(x.width, ''), COALESCE(x.height, ''), COALESCE(x.duration_s, ''), x.content_codes
    FROM uploads u JOIN files f ON f.upload_id = u.id AND f.depth = 0
    LEFT JOIN facts x ON x.sha256 = f.sha256" > "$T/ours"
python3 - "$T/ours" "$T/theirs" "$IN/inbox/" > "$T/compare" <<'PY'
import sys
ours = {}
for line in open(sys.argv[1]):
    p = line.rstrip("\n").split("|")
    ours[p[0]] = p[1:]
agree = {"mime": 0, "media": 0}
media = 0
diff = []
n = 0
for line in open(sys.argv[2]):
    f, mime, v, a, w, h, d = line.rstrip("\n").split("|")
    key = f[len(sys.argv[3]):]
    n += 1
    o = ours.get(key)
    if o is None:
        diff.append(f"{key}: folio has no row")
        continue
    omime, kind, ov, oa, ow, oh, od, codes = o
    if omime == mime:
        agree["mime"] += 1
    else:
        diff.append(f"{key}: MIME folio {omime}, file {mime}")
    if v or kind == "video":
        media += 1
        same = (ov == v and oa == a and ow == w and oh == h and
                (od == d == "" or (od and d and abs(float(od) - float(d)) <= 0.25)))
        if same:
            agree["media"] += 1
        else:
            diff.append(f"{key}: folio {ov} {oa} {ow}x{oh} {od}s [{codes}],"
                        f" ffprobe {v} {a} {w}x{h} {d}s")
print(n, agree["mime"], media, agree["media"])
for x in diff[:8]:
    print("  -", x)
if len(diff) > 8:
    print(f"  - ... and {len(diff) - 8} more")
PY
set -- $(head -1 "$T/compare")
files=$1 mime_ok=$2 media=$3 media_ok=$4
fw=$(median "$T/folio" 1); lw=$(median "$T/loop" 1)
speed=$(awk -v a="$lw" -v b="$fw" 'BEGIN { printf "%.1f", a / b }')
{
    stamp check
    echo "Median of $ROUNDS alternating rounds over $N files ($(grep -c '|video/' "$T/theirs") clips by file(1)'s count)."
    echo "$(file --version | head -1), ffprobe $(ffprobe -version | head -1 | cut -d' ' -f3)."
    echo
    echo "| what | wall s | CPU s | peak RSS | per file |"
    echo "| --- | ---: | ---: | ---: | ---: |"
    echo "| folio-identify + folio-probe | $fw | $(median "$T/folio" 2) | $(mb "$(maxcol "$T/folio" 3)") MB | $(awk -v w="$fw" -v n="$N" 'BEGIN { printf "%.2f ms", 1000 * w / n }') |"
    echo "| shell loop: file --mime-type, ffprobe on each clip | $lw | $(median "$T/loop" 2) | | $(awk -v w="$lw" -v n="$N" 'BEGIN { printf "%.2f ms", 1000 * w / n }') |"
    echo
    echo "- folio is **${speed}x** faster than the loop (goal ≥ 10x: $(verdict 10 "$speed"))"
    echo "- same facts: MIME type $mime_ok of $files files; streams, size and duration (±0.25 s)" \
         "$media_ok of $media media files"
    echo "- processes folio's two stages started: $forks (identify and probe run the files in" \
         "isolated child processes under \`[limits]\`)"
    if [ "$(wc -l < "$T/compare")" -gt 1 ]; then
        echo "- where they differ:"
        sed 1d "$T/compare" | sed 's/^  -/  -/'
    fi
} > "$T/section"
publish check
