# lib.sh — sourced by every end-to-end test.
#   T       a fresh scratch directory, removed on exit
#   BIN     the programs under test ($FOLIO_BIN)
#   run_v   runs a program, under valgrind when FOLIO_VALGRIND is set
#   fail    prints a message and exits 1;  expect_eq GOT WANT WHAT
#   sql DB QUERY   one query through python3's sqlite3 (an independent reader)
#   fixtures: fx_video PATH SECONDS [extra ffmpeg args...] makes a lavfi clip
set -eu
BIN=${FOLIO_BIN:?run through scripts/run-tests}
TOP=${FOLIO_TOP:?}
# Normalizing is the slow part of a run: the tests that are not about it leave it
# out (FOLIO_SKIP_STAGES); the normalize tests run it.
export FOLIO_SKIP_STAGES="${FOLIO_SKIP_STAGES-normalize}"
T=$(mktemp -d "${TMPDIR:-/tmp}/folio-test.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM
fail() { echo "FAIL: $*" >&2; exit 1; }
expect_eq() { [ "$1" = "$2" ] || fail "$3: got '$1', want '$2'"; }
run_v() {
    if [ -n "${FOLIO_VALGRIND:-}" ]; then
        valgrind -q --error-exitcode=99 --leak-check=full "$@"
    else
        "$@"
    fi
}
sql() {
    python3 - "$1" "$2" <<'PY'
import sqlite3, sys
con = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
for row in con.execute(sys.argv[2]):
    print("|".join("" if v is None else str(v) for v in row))
PY
}
# A clip from lavfi sources: fx_video OUT SECONDS [ffmpeg output args].
# Cached by its arguments in $FOLIO_FIXTURES, since encoding is the slow part.
fx_video() {
    out=$1 secs=$2; shift 2
    key=$(printf '%s\n' "$secs" "$@" "$(basename "$out")" | sha256sum | cut -c1-16)
    cache="$FOLIO_FIXTURES/$key-$(basename "$out")"
    if [ ! -f "$cache" ]; then
        ffmpeg -hide_banner -loglevel error -y \
            -f lavfi -i "testsrc=size=160x90:rate=5:duration=$secs" \
            -f lavfi -i "sine=frequency=440:sample_rate=8000:duration=$secs" \
            -c:v libx264 -preset veryfast -crf 40 -c:a aac -b:a 8k -ac 1 \
            -map_metadata -1 "$@" "$cache.tmp.$(basename "$out")" &&
        mv "$cache.tmp.$(basename "$out")" "$cache"
    fi
    mkdir -p "$(dirname "$out")"
    cp "$cache" "$out"
}
# Sets a file's upload time inside the 2026 window (2026-05-28).
in_window() { touch -d @1780000000 "$@"; }
