# duration.sh — what measuring a clip's duration costs folio-probe: the bytes
# it reads of the file (strace -y: every read of a descriptor on the file,
# through any process folio starts) and the packets it hands to a decoder
# (an LD_PRELOAD shim counting avcodec_send_packet and avcodec_open2 calls),
# for a 60 s 720p MP4 with its index first, and for the same clip fragmented
# (empty_moov: no duration in its header).  ffprobe asked for the same is the
# reference.  The same with --quick (it takes seconds).
need strace; need ffprobe; need cc
IN="$CACHE/duration"
[ -f "$IN/front.mp4" ] && [ -f "$IN/nodur.mp4" ] || { say "making $IN (once)"; gen duration "$IN"; }
cat > "$T/shim.c" <<'C'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
/* One line per call, appended (children leave through _exit: no destructor). */
static void note(const char *what)
{
	const char *log = getenv("BENCH_DECODE_LOG");
	int fd;
	if (log == NULL || (fd = open(log, O_WRONLY | O_APPEND | O_CREAT, 0600)) < 0)
		return;
	if (write(fd, what, strlen(what)) < 0) { }
	close(fd);
}
int avcodec_open2(void *c, const void *codec, void **opt)
{
	int (*real)(void *, const void *, void **) =
		(int (*)(void *, const void *, void **))dlsym(RTLD_NEXT, "avcodec_open2");
	note("open\n");
	return real(c, codec, opt);
}
int avcodec_send_packet(void *c, const void *pkt)
{
	int (*real)(void *, const void *) =
		(int (*)(void *, const void *))dlsym(RTLD_NEXT, "avcodec_send_packet");
	if (pkt != NULL)
		note("packet\n");
	return real(c, pkt);
}
C
cc -O2 -shared -fPIC -o "$T/shim.so" "$T/shim.c" -ldl || fail "cannot build the counting shim"
# bytes read from FILE by CMD...: sums what read/pread64/readv/preadv returned
# on descriptors strace -y shows open on FILE
bytes_read() {
    f=$1; shift
    strace -f --seccomp-bpf -y -qq -e trace=read,pread64,readv,preadv,preadv2 -o "$T/strace" "$@" \
        > /dev/null 2>&1 || return 1
    awk -v f="$f" 'index($0, "<" f ">") { n = $NF; if (n ~ /^[0-9]+$/) s += n } END { print s + 0 }' "$T/strace"
}
decodes() {
    rm -f "$T/dec"
    BENCH_DECODE_LOG="$T/dec" LD_PRELOAD="$T/shim.so" "$@" > /dev/null 2>&1 || return 1
    echo "$(grep -c '^open' "$T/dec" 2>/dev/null || true) $(grep -c '^packet' "$T/dec" 2>/dev/null || true)"
}
: > "$T/rows"
for clip in front nodur; do
    src="$IN/$clip.mp4"
    mkdir -p "$T/in-$clip/c2026-0001/E1/V1"
    cp "$src" "$T/in-$clip/c2026-0001/E1/V1/session.mp4"
    touch -d @1780000000 "$T/in-$clip/c2026-0001/E1/V1/session.mp4"
    "$BIN/folio-scan" --inbox "$T/in-$clip" --data "$T/d-$clip" -q || fail "folio-scan"
    "$BIN/folio-identify" --data "$T/d-$clip" -q || fail "folio-identify"
    obj=$(sqlite3 "$T/d-$clip/folio.db" "SELECT store_path FROM files")
    size=$(stat -c %s "$src")
    cp -a "$T/d-$clip" "$T/e-$clip"
    fb=$(bytes_read "$T/d-$clip/$obj" "$BIN/folio-probe" --data "$T/d-$clip" -q) || fail "folio-probe"
    set -- $(decodes "$BIN/folio-probe" --data "$T/e-$clip" -q) || fail "folio-probe (shim)"
    fo=$1 fp=$2
    dur=$(sqlite3 "$T/d-$clip/folio.db" "SELECT printf('%.3f', duration_s) || ' (' || duration_method || ')' FROM facts WHERE kind = 'video'")
    pk=$(ffprobe -v error -count_packets -show_entries stream=nb_read_packets -of csv=p=0 "$src" | paste -sd+ | bc)
    pb=$(bytes_read "$src" ffprobe -v error -show_entries format=duration "$src")
    pd=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$src")
    set -- $(decodes ffprobe -v error -show_entries format=duration "$src")
    po=$1 pp=$2
    cb=$(bytes_read "$src" ffprobe -v error -count_packets -show_entries stream=nb_read_packets "$src")
    echo "$clip $size $fb $fo $fp $pk $pb $po $pp $cb $dur|$pd" >> "$T/rows"
done
pct() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f%%", 100 * a / b }'; }
{
    stamp duration
    echo "60 s 1280×720 H.264 + AAC; bytes read counted by strace -y, decoder use by an"
    echo "LD_PRELOAD shim (avcodec_open2, avcodec_send_packet)."
    echo
    echo "| clip | size | folio reads | decoders opened | packets sent to decoders | folio's duration | ffprobe (header) reads | ffprobe's duration | ffprobe -count_packets reads |"
    echo "| --- | ---: | ---: | ---: | ---: | --- | ---: | --- | ---: |"
    while read -r clip size fb fo fp pk pb po pp cb rest; do
        name="index first (faststart)"
        [ "$clip" = nodur ] && name="fragmented, no duration in header"
        echo "| $name | $(mb $((size / 1024))) MB | $fb B ($(pct "$fb" "$size")) | $fo | $fp of $pk | ${rest%%|*} | $pb B ($(pct "$pb" "$size")) | ${rest#*|} | $cb B ($(pct "$cb" "$size")) |"
    done < "$T/rows"
    echo
    set -- $(sed -n 1p "$T/rows")
    p1=$(awk -v a="$3" -v b="$2" 'BEGIN { printf "%.2f", 100 * a / b }')
    echo "- index first: folio reads **$(pct "$3" "$2")** of the file (goal < 1%: $(verdict "$p1" 0.99))"
    set -- $(sed -n 2p "$T/rows")
    echo "- no duration in the header: folio hands **$5** packets to decoders (audio decoded, video key frames only; goal: none, packets read" \
         "not decoded: $( [ "$5" -eq 0 ] && echo met || echo '**NOT met**'))"
} > "$T/section"
publish duration
