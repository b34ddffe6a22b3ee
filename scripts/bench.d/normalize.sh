# normalize.sh — folio-normalize against the ffmpeg program doing the same
# work (the same filters, encoders, settings and thread count, plus the
# poster) on the same 1080p clip (60 s; 5 s with --quick), alternating the two
# so that load on the machine falls on both alike.  Also times the remux path
# (a clip that already meets the profile) and records folio's peak RSS.
N=${BENCH_THREADS:-$(nproc)}
[ -x "$BIN/folio-normalize" ] || fail "no $BIN/folio-normalize (run make)"
. "$TOP/tests/e2e/normalize.lib"
LEN=60
[ -n "$QUICK" ] && LEN=5

# The clips, made once: a phone-like 1080p30 H.264 with grain and quiet stereo
# (so every filter has work), and a 720p one that already meets the profile.
SRC="$CACHE/src-1080p-${LEN}s.mp4"
OK720="$CACHE/ok-720p-${LEN}s.mp4"
if [ ! -f "$SRC" ]; then
    echo "bench: making $SRC (once)"
    ffmpeg -nostdin -v error -y -f lavfi -i "testsrc2=size=1920x1080:rate=30:duration=$LEN" \
        -f lavfi -i "sine=frequency=330:sample_rate=48000:duration=$LEN" \
        -vf "noise=alls=8:allf=t" -af "volume=-20dB" -ac 2 \
        -c:v libx264 -preset veryfast -crf 20 -pix_fmt yuv420p -c:a aac -b:a 192k \
        "$SRC.tmp.mp4" && mv "$SRC.tmp.mp4" "$SRC"
fi
if [ ! -f "$OK720" ]; then
    echo "bench: making $OK720 (once)"
    ffmpeg -nostdin -v error -y -f lavfi -i "testsrc2=size=1280x720:rate=30:duration=$LEN" \
        -f lavfi -i "sine=frequency=330:sample_rate=48000:duration=$LEN" \
        -af "loudnorm=I=-16" -ar 48000 -ac 2 \
        -c:v libx264 -preset veryfast -crf 23 -profile:v high -pix_fmt yuv420p \
        -c:a aac -b:a 128k "$OK720.tmp.mp4" && mv "$OK720.tmp.mp4" "$OK720"
fi

nz_init "$T/enc"
nz_add "$T/enc" "$SRC" c2026-9001 E1 V1
nz_init "$T/mux"
nz_add "$T/mux" "$OK720" c2026-9002 E1 V1

# ffmpeg doing what folio-normalize does for this clip (docs/normalize.md):
# the same filter chains, encoders and options, metadata dropped, moov first,
# then the poster at 10%.
cat > "$T/cli.sh" <<CLI
ffmpeg -nostdin -v error -y -threads $N -i "$SRC" -map 0:v:0 -map 0:a:0 \\
    -map_metadata -1 -map_chapters -1 -filter_threads $N \\
    -filter:v "fps=30/1,scale=1280:720:flags=bicubic:out_range=tv,setsar=1,format=yuv420p" \\
    -c:v libx264 -preset veryfast -crf 23 -profile:v high -threads $N \\
    -filter:a "aformat=channel_layouts=stereo,loudnorm=I=-16.0:TP=-1.5:LRA=11.0,asetnsamples=n=19200:p=0" -ar 48000 \\
    -c:a aac -b:a 128k -metadata title=c2026-9001/E1/V1 -fflags +bitexact \\
    -movflags +faststart "$T/cli.mp4" &&
ffmpeg -nostdin -v error -y -ss $(awk -v l=$LEN 'BEGIN { print l / 10 }') -i "$T/cli.mp4" -frames:v 1 -q:v 3 "$T/cli.jpg"
CLI

: > "$T/folio" ; : > "$T/ffmpeg" ; : > "$T/remux"
i=0
while [ $i -lt "$ROUNDS" ]; do
    i=$((i + 1))
    echo "bench: round $i of $ROUNDS"
    timed "$T/folio" "$BIN/folio-normalize" --data "$T/enc" -j 1 --force -q
    timed "$T/ffmpeg" sh "$T/cli.sh"
    timed "$T/remux" "$BIN/folio-normalize" --data "$T/mux" -j 1 --force -q
done
# What was timed was what it claims: folio re-encoded and remuxed.
[ "$(nz_probe "$T/enc/media/c2026-9001/E1/V1.mp4" v:0 codec_name,width,height)" = "h264|1280|720" ] ||
    fail "folio's 1080p output is not h264 1280x720"
[ "$(nz_md5 "$T/mux/media/c2026-9002/E1/V1.mp4" v:0)" = "$(nz_md5 "$OK720" v:0)" ] ||
    fail "the compliant clip was not remuxed"

fw=$(median "$T/folio" 1); fc=$(median "$T/folio" 2); fr=$(sort -n "$T/folio" | awk '$3 > m { m = $3 } END { print m }')
cw=$(median "$T/ffmpeg" 1); cc=$(median "$T/ffmpeg" 2)
rw=$(median "$T/remux" 1); rr=$(awk '$3 > m { m = $3 } END { print m }' "$T/remux")
ratio=$(echo "$fw $cw" | awk '{ printf "%.3f", $1 / $2 }')
cratio=$(echo "$fc $cc" | awk '{ printf "%.3f", $1 / $2 }')
speedup=$(echo "$fw $rw" | awk '{ printf "%.0f", $1 / $2 }')
rss=$(echo "$fr" | awk '{ printf "%.0f", $1 / 1024 }')
rrss=$(echo "$rr" | awk '{ printf "%.0f", $1 / 1024 }')

{
    stamp normalize
    echo "$N threads for both programs, median of $ROUNDS alternating runs."
    echo "FFmpeg $(ffmpeg -version | head -1 | cut -d' ' -f3)."
    echo
    echo "| what (${LEN} s clip) | wall s | CPU s | peak RSS |"
    echo "| --- | ---: | ---: | ---: |"
    echo "| folio-normalize, 1080p30 H.264 → profile (re-encode) | $fw | $fc | $rss MB |"
    echo "| ffmpeg CLI, the same work | $cw | $cc | |"
    echo "| folio-normalize, 720p compliant clip (remux) | $rw | | $rrss MB |"
    echo
    echo "- wall ratio folio / ffmpeg: **$ratio** (goal ≤ 1.05: $(verdict "$ratio" 1.05)); CPU ratio $cratio"
    echo "- remux is **${speedup}x** faster than re-encode (goal ≥ 20x: $(verdict 20 "$speedup"))"
    echo "- peak RSS re-encoding 1080p: **$rss MB** (goal < 300 MB: $(verdict "$rss" 299))"
} > "$T/section"
publish normalize
