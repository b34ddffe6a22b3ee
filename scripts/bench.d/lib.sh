# lib.sh — sourced by scripts/bench.d/*.sh (set by scripts/bench: TOP, BIN,
# QUICK, ROUNDS, CACHE, T, FOLIO_CONFIG).
fail() { echo "bench: $*" >&2; exit 1; }
say() { echo "bench: $*" >&2; }
need() { command -v "$1" >/dev/null 2>&1 || fail "needs $1 (scripts/install-deps)"; }
gen() { python3 "$TOP/scripts/bench.d/gen.py" "$@" || fail "generating $2 failed"; }
# Wall seconds, CPU (user+sys) seconds and peak RSS (KiB) of a command,
# appended as one line to FILE; its output goes to $T/out.
timed() {
    file=$1; shift
    /usr/bin/time -f "%e %U %S %M" -o "$T/time" "$@" > "$T/out" 2>&1 ||
        { cat "$T/out" >&2; fail "$* failed"; }
    awk '{ printf "%s %.2f %s\n", $1, $2 + $3, $4 }' "$T/time" >> "$file"
}
# The median of column COL of FILE; max: the largest.
median() { sort -g -k"$2" "$1" | awk -v c="$2" '{ v[NR] = $c } END { print v[int((NR + 1) / 2)] }'; }
maxcol() { awk -v c="$2" '$c > m { m = $c } END { print m + 0 }' "$1"; }
mb() { awk -v k="$1" 'BEGIN { printf "%.0f", k / 1024 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b > 0) ? a / b : 0 }'; }
# verdict A B: "met" when A <= B.
verdict() { awk -v a="$1" -v b="$2" 'BEGIN { print (a <= b) ? "met" : "**NOT met**" }'; }
# A fresh data directory DST from the template SRC: the store hard-linked
# (it is only read; new objects get new names), everything else copied.
clone_data() {
    rm -rf "$2"
    mkdir -p "$2"
    cp -al "$1/store" "$2/store"
    for f in "$1"/*; do
        case "${f##*/}" in store) ;; *) cp -a "$f" "$2/" ;; esac
    done
}
machine() {
    cpu=$(grep -m1 "model name" /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
    echo "$(nproc) cores ($cpu), $(awk '/MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo) RAM,"
    echo "$(df -PT "$CACHE" | awk 'NR == 2 { print $2 }') file system"
}
stamp() {
    echo "Last run: $(date -u '+%Y-%m-%d %H:%M UTC') by \`scripts/bench $QUICKARG$1\`, $(machine);"
    echo "load average when it started $LOAD0 (other work on the machine), when it ended $(cut -d' ' -f1 /proc/loadavg)."
}
LOAD0=$(cut -d' ' -f1 /proc/loadavg)
# publish NAME: the table in $T/section goes between NAME's bench markers of
# docs/performance.md (full runs only; --quick runs print it and stop there).
publish() {
    {
        echo "<!-- bench:$1 (written by scripts/bench $1; do not edit by hand) -->"
        cat "$T/section"
        echo "<!-- /bench:$1 -->"
    } > "$T/marked"
    echo
    cat "$T/section"
    echo
    if [ -n "$QUICK" ] && [ -z "${BENCH_PUBLISH:-}" ]; then
        return 0
    fi
    python3 - "$TOP/docs/performance.md" "$T/marked" "$1" <<'PY'
import os, re, sys
doc, sec, name = sys.argv[1], open(sys.argv[2]).read().rstrip("\n"), sys.argv[3]
text = open(doc).read() if os.path.exists(doc) else "# Performance\n"
pat = re.compile(r"<!-- bench:%s .*?<!-- /bench:%s -->" % (name, name), re.S)
text = pat.sub(lambda m: sec, text) if pat.search(text) else text.rstrip("\n") + "\n\n" + sec + "\n"
open(doc + ".tmp", "w").write(text)
os.replace(doc + ".tmp", doc)
PY
    say "wrote the $1 figures into docs/performance.md"
}
