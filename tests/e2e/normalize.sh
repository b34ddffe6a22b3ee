# folio-normalize: one source of every kind, generated from lavfi, normalized
# with -j 2 and checked with ffprobe as the independent oracle; then the
# second run that must do nothing.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/normalize.lib"
D="$T/data" F="$T/fx"
L="-f lavfi -i"
nz_init "$D"

# HEVC 10-bit HLG from an iPhone: rotation matrix, GPS, make/model, time.
nz_gen "$F/hevc-plain.mov" $L testsrc2=size=320x180:rate=10:duration=3 \
    $L sine=frequency=440:sample_rate=44100:duration=3 -ac 2 \
    -c:v libx265 -pix_fmt yuv420p10le -x265-params log-level=error -tag:v hvc1 \
    -color_primaries bt2020 -color_trc arib-std-b67 -colorspace bt2020nc -c:a aac -b:a 64k
nz_gen "$F/iphone.mov" -i "$F/hevc-plain.mov" -c copy -metadata:s:v:0 rotate=90 \
    -metadata location=+40.7128-074.0060/ -metadata make=Apple -metadata "model=iPhone 13" \
    -metadata creation_time=2026-05-20T14:03:11Z
# VP8/Opus WebM written to a pipe: no duration in its header.
nz_gen "$F/nodur.webm" -pipe $L testsrc=size=160x90:rate=10:duration=3 \
    $L sine=frequency=440:sample_rate=48000:duration=3 -c:v libvpx -b:v 200k -c:a libopus -f webm
# Windows Media.
nz_gen "$F/old.wmv" $L testsrc=size=160x90:rate=10:duration=3 \
    $L sine=frequency=440:sample_rate=22050:duration=3 -c:v wmv2 -c:a wmav2 -f asf
# Variable frame rate H.264 High yuv420p (would be copied if it were constant).
nz_gen "$F/vfr.mp4" $L testsrc=size=320x180:rate=10:duration=3 \
    $L sine=frequency=440:sample_rate=48000:duration=3 -vf "select='lt(mod(n\,4)\,2)'" \
    -vsync vfr -c:v libx264 -profile:v high -pix_fmt yuv420p -c:a aac -ac 2
# Odd dimensions (4:4:4, since 4:2:0 cannot be odd).
nz_gen "$F/odd.mp4" $L testsrc=size=853x480:rate=10:duration=2 \
    $L sine=frequency=440:sample_rate=48000:duration=2 -c:v libx264 -preset ultrafast \
    -pix_fmt yuv444p -c:a aac -ac 2
# Mono 8 kHz audio, and a video without audio (lib.sh's default clip).
fx_video "$F/mono8k.mp4" 3
fx_video "$F/noaudio.mp4" 3 -an
# Already the profile: H.264 High yuv420p 320x180 CFR, AAC-LC 48 kHz stereo at
# -16 LUFS; only its metadata (GPS) and moov-at-the-end are wrong: a remux.
nz_gen "$F/ok.mp4" $L testsrc2=size=320x180:rate=10:duration=4 \
    $L sine=frequency=440:sample_rate=48000:duration=4 -af loudnorm=I=-16 -ar 48000 -ac 2 \
    -c:v libx264 -profile:v high -pix_fmt yuv420p -c:a aac -b:a 128k \
    -metadata location=+40.7128-074.0060/
# The same video with audio 15 LU too quiet: video copied, audio re-encoded.
nz_gen "$F/quiet.mp4" -i "$F/ok.mp4" -af volume=-15dB -c:v copy -c:a aac -b:a 128k
# Digital silence: the warning audio-silent.
nz_gen "$F/silent.mp4" $L testsrc=size=160x90:rate=10:duration=3 \
    $L anullsrc=sample_rate=48000:channel_layout=stereo -t 3 \
    -c:v libx264 -pix_fmt yuv420p -c:a aac -ac 2
# Truncated before its index: the library's error, normalize-failed.
head -c 3000 "$F/ok.mp4" > "$F/cut.mp4"

# The sources are what their names say (the oracle checks the fixtures too).
expect_eq "$(nz_probe "$F/iphone.mov" v:0 codec_name,pix_fmt,width,height,rotation,color_transfer)" \
    "hevc|yuv420p10le|320|180|90|arib-std-b67" "iphone source"
expect_eq "$(nz_probe "$F/iphone.mov" format tag:location)" "+40.7128-074.0060/" "iphone location"
expect_eq "$(nz_probe "$F/nodur.webm" format duration)" "" "webm without duration"
expect_eq "$(nz_probe "$F/nodur.webm" v:0 codec_name)|$(nz_probe "$F/nodur.webm" a:0 codec_name)" \
    "vp8|opus" "webm codecs"
expect_eq "$(nz_probe "$F/old.wmv" v:0 codec_name)|$(nz_probe "$F/old.wmv" a:0 codec_name)" \
    "wmv2|wmav2" "wmv source"
vr=$(nz_probe "$F/vfr.mp4" v:0 r_frame_rate,avg_frame_rate)
[ "${vr%|*}" != "${vr#*|}" ] || fail "vfr source is constant rate ($vr)"
expect_eq "$(nz_probe "$F/ok.mp4" v:0 codec_name,profile,pix_fmt)|$(nz_probe "$F/ok.mp4" a:0 codec_name,profile,sample_rate,channels)" \
    "h264|High|yuv420p|aac|LC|48000|2" "compliant source"
expect_eq "$(nz_probe "$F/mono8k.mp4" a:0 sample_rate,channels)" "8000|1" "mono 8 kHz source"
nz_moov_first "$F/ok.mp4" && fail "compliant source already has moov first"

i=0
for f in iphone.mov nodur.webm old.wmv vfr.mp4 odd.mp4 mono8k.mp4 noaudio.mp4 ok.mp4 \
         quiet.mp4 silent.mp4 cut.mp4; do
    i=$((i + 1))
    nz_add "$D" "$F/$f" c2026-0001 E1 "V$i"
    echo "V$i $f" >> "$T/slots"
done
slot() { awk -v f="$1" '$2 == f { print $1 }' "$T/slots"; }

run_v "$BIN/folio-normalize" --data "$D" -j 2 2> "$T/err" || { cat "$T/err"; fail "exit $?"; }
cat "$T/err"
grep -q "c2026-0001/E1/V[0-9]*: normalized" "$T/err" || fail "no per-file log lines"
[ "$(grep -c "normalized:" "$T/err")" -eq 10 ] || fail "want 10 'normalized:' lines"
! grep -q "$(printf '\r')" "$T/err" || fail "progress line written when not on a terminal"

# Every output against the profile.  check NAME W H CHANNELS(0: no audio)
check() {
    name=$1 w=$2 h=$3 ch=$4
    s=$(slot "$name")
    out="$D/media/c2026-0001/E1/$s.mp4"
    [ -f "$out" ] || fail "$name: no $out"
    expect_eq "$(sql "$D/folio.db" "SELECT normalized_path, poster_path FROM files WHERE slot_id = '$s'")" \
        "media/c2026-0001/E1/$s.mp4|media/c2026-0001/E1/$s.jpg" "$name: recorded paths"
    expect_eq "$(sql "$D/folio.db" "SELECT normalized_sha256 FROM files WHERE slot_id = '$s'")" \
        "$(sha256sum "$out" | cut -c1-64)" "$name: recorded sha256"
    expect_eq "$(nz_probe "$out" v:0 codec_name,profile,pix_fmt,width,height,side_data)" \
        "h264|High|yuv420p|$w|$h|0" "$name: video (no side data: no rotation)"
    rate=$(nz_probe "$out" v:0 r_frame_rate,avg_frame_rate)
    expect_eq "${rate%|*}" "${rate#*|}" "$name: constant frame rate"
    echo "${rate%|*}" | awk -F/ '{ exit !($1 / $2 <= 30) }' || fail "$name: $rate fps"
    if [ "$ch" -eq 0 ]; then
        expect_eq "$(nz_probe "$out" streams x)" "video" "$name: streams"
    else
        expect_eq "$(nz_probe "$out" streams x)" "video audio" "$name: streams"
        expect_eq "$(nz_probe "$out" a:0 codec_name,profile,sample_rate,channels)" \
            "aac|LC|48000|$ch" "$name: audio"
    fi
    tags=$(ffprobe -v error -show_entries format_tags:stream_tags -of flat "$out")
    echo "$tags" | grep -i -E "location|make|model|creation_time|encoder|xyz" && fail "$name: metadata left"
    expect_eq "$(nz_probe "$out" format tag:title)" "c2026-0001/E1/$s" "$name: title"
    nz_moov_first "$out" || fail "$name: moov not before mdat"
    want=$(sql "$D/folio.db" "SELECT duration_s FROM facts x JOIN files f ON f.sha256 = x.sha256 WHERE f.slot_id = '$s'")
    got=$(nz_probe "$out" format duration)
    echo "$want $got" | awk '{ d = $1 - $2; exit !(d <= 0.5 && d >= -0.5) }' ||
        fail "$name: lasts $got s, source $want s"
    expect_eq "$(nz_probe "$D/media/c2026-0001/E1/$s.jpg" v:0 codec_name,width,height)" \
        "mjpeg|$w|$h" "$name: poster"
    expect_eq "$(stat -c %a "$out")" 640 "$name: mode"
}
check iphone.mov 180 320 2
check nodur.webm 160 90 1
check old.wmv 160 90 1
check vfr.mp4 320 180 2
check odd.mp4 852 480 2
check mono8k.mp4 160 90 1
check noaudio.mp4 160 90 0
check ok.mp4 320 180 2
check quiet.mp4 320 180 2
check silent.mp4 160 90 2

# Upright: the picture matches ffmpeg's own rendering of the source (which
# applies the rotation matrix itself) through the same tone mapping, and the
# same turned half round would not (SSIM on luma).
HLG="zscale=tin=arib-std-b67:pin=bt2020:min=bt2020nc:rin=tv:t=linear:npl=100,format=gbrpf32le"
HLG="$HLG,zscale=p=bt709,tonemap=tonemap=hable:desat=0,zscale=t=bt709:m=bt709:r=tv,format=yuv420p"
ssim() {
    ffmpeg -nostdin -v info -i "$1" -i "$F/iphone.mov" -lavfi \
        "[1:v]$HLG,$2scale=180:320,format=gray[r];[0:v]format=gray[o];[o][r]ssim" -f null - 2>&1 |
        sed -n 's/.*All:\([0-9.]*\).*/\1/p'
}
up=$(ssim "$D/media/c2026-0001/E1/$(slot iphone.mov).mp4" "")
wrong=$(ssim "$D/media/c2026-0001/E1/$(slot iphone.mov).mp4" "hflip,vflip,")
echo "iphone ssim upright $up, turned $wrong"
echo "$up $wrong" | awk '{ exit !($1 >= 0.85 && $2 < 0.5) }' || fail "iphone output not upright"
# HDR came out SDR BT.709.
expect_eq "$(nz_probe "$D/media/c2026-0001/E1/$(slot iphone.mov).mp4" v:0 color_transfer)" \
    "bt709" "iphone transfer"

# The compliant file was remuxed: its video and audio packets are untouched.
ok="$D/media/c2026-0001/E1/$(slot ok.mp4).mp4"
expect_eq "$(nz_md5 "$ok" v:0)" "$(nz_md5 "$F/ok.mp4" v:0)" "ok.mp4 video copied"
expect_eq "$(nz_md5 "$ok" a:0)" "$(nz_md5 "$F/ok.mp4" a:0)" "ok.mp4 audio copied"
grep -q "$(slot ok.mp4): normalized: 320x180, video copied, audio copied" "$T/err" || fail "ok.mp4 log line"
# Quiet audio: video copied, audio re-encoded to -16 LUFS (ebur128 as oracle).
q="$D/media/c2026-0001/E1/$(slot quiet.mp4).mp4"
expect_eq "$(nz_md5 "$q" v:0)" "$(nz_md5 "$F/quiet.mp4" v:0)" "quiet.mp4 video copied"
[ "$(nz_md5 "$q" a:0)" != "$(nz_md5 "$F/quiet.mp4" a:0)" ] || fail "quiet.mp4 audio was not re-encoded"
lufs() {
    ffmpeg -nostdin -hide_banner -nostats -i "$1" -map 0:a -af ebur128 -f null - 2>&1 |
        awk '/Integrated loudness/ { getline; print $2 }'
}
echo "loudness: quiet source $(lufs "$F/quiet.mp4"), output $(lufs "$q"), ok $(lufs "$ok")"
lufs "$q" | awk '{ exit !($1 >= -18 && $1 <= -14) }' || fail "quiet.mp4 not at -16 LUFS: $(lufs "$q")"
lufs "$F/quiet.mp4" | awk '{ exit !($1 < -28) }' || fail "quiet.mp4 fixture not quiet"
# Everything else was re-encoded (a lavfi source never meets the profile).
for f in iphone.mov vfr.mp4 mono8k.mp4; do
    grep -q "$(slot $f): normalized: [0-9x]*, video re-encoded" "$T/err" || fail "$f not re-encoded"
done

# Warnings and failures.
expect_eq "$(sql "$D/folio.db" "SELECT slot_id FROM files WHERE post_reasons = 'audio-silent'")" \
    "$(slot silent.mp4)" "audio-silent"
expect_eq "$(sql "$D/folio.db" "SELECT verdict, post_reasons, normalized_path IS NULL FROM files WHERE slot_id = '$(slot cut.mp4)'")" \
    "accepted|normalize-failed|1" "cut.mp4 row"
sql "$D/folio.db" "SELECT normalize_error FROM files WHERE slot_id = '$(slot cut.mp4)'" |
    grep -q "Invalid data found when processing input" || fail "cut.mp4: not the library's error text"
expect_eq "$(sql "$D/folio.db" "SELECT reasons FROM manifest_files WHERE slot_id = '$(slot cut.mp4)'")" \
    "normalize-failed" "manifest reasons"
expect_eq "$(sql "$D/folio.db" "SELECT COUNT(*) FROM candidates WHERE candidate_id = 'c2026-0001' AND manifest_dirty = 1")" \
    1 "candidate's manifest marked stale"
[ -z "$(find "$D" -perm -o=r ! -type l)" ] || fail "something under DATA is world-readable"
[ -z "$(ls "$D/tmp")" ] || fail "temporary files left in DATA/tmp"

# Second run: nothing to do, nothing rewritten.
ls -l --time-style=+%s.%N "$D/media/c2026-0001/E1" > "$T/before"
run_v "$BIN/folio-normalize" --data "$D" -j 2 2> "$T/err2" || fail "second run failed"
expect_eq "$(cat "$T/err2")" "" "second run's output"
ls -l --time-style=+%s.%N "$D/media/c2026-0001/E1" > "$T/after"
cmp -s "$T/before" "$T/after" || fail "second run touched media/"
echo "normalize: ok"
