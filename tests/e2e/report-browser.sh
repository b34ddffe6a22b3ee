# report-browser.sh — every sample report rendered in headless Chromium
# (Debian's chromium) and read back through the DOM (tests/browser/): the
# statuses, one row per file with its verdict and sentences, real table
# headers, status in words, no sideways scrolling at phone width, and no
# markup from hostile names — an eleventh candidate uploads a zip holding
# "<script>alert(1)</script>.mp4" and a PDF named with an <img onerror>.
# Skipped when chromium or the corpus is absent.
. "$(dirname "$0")/lib.sh"
CORPUS=${FOLIO_CORPUS:-/work/shared/corpus}
CHROMIUM=${FOLIO_CHROMIUM:-$(command -v chromium || true)}
[ -n "$CHROMIUM" ] && [ -x "$CHROMIUM" ] || { echo "no chromium (scripts/install-deps installs it)"; exit 77; }
[ -f "$CORPUS/sample-inbox.tar" ] || { echo "no corpus at $CORPUS"; exit 77; }
tar -xf "$CORPUS/sample-inbox.tar" -C "$T"
IN=$T/sample-inbox D=$T/data
H=$IN/c2026-0111/E1
mkdir -p "$H/W1"
cp "$IN/c2026-0101/E1/W1/entry1_written.pdf" "$H/W1/\"><img src=x onerror=alert(1)>.pdf"
python3 - "$IN/c2026-0101/E1/V1/v1_clip.mp4" "$H/evil.zip" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[2], "w") as z:
    z.write(sys.argv[1], "<script>alert(1)</script>.mp4")
PY
in_window "$H/evil.zip" "$H/W1/"*
# without folio-normalize, which takes minutes (report-sample.sh says why)
grep -vx normalize "$TOP/pipeline/nightly" >"$T/pipeline"
FOLIO_PIPELINE=$T/pipeline run_v "$BIN/folio" run -q --inbox "$IN" --data "$D" >"$T/run.out" ||
    fail "folio run: $(cat "$T/run.out")"
FOLIO_RUN_ID=$(sql "$D/folio.db" "SELECT MAX(id) FROM runs") \
    run_v "$BIN/folio-report" -q --data "$D" --date 2026-06-01 || fail "folio-report failed"
grep -q '&lt;script&gt;alert(1)&lt;/script&gt;.mp4' "$D/reports/c2026-0111/report.html" ||
    fail "the script name is not in the report, escaped"

{
    echo '<!DOCTYPE html><html><head><meta charset="utf-8"></head><body><pre id="out">pending</pre><script>'
    printf 'window.REPORTS = ['
    for f in "$D"/reports/c2026-*/report.html "$D"/reports/nightly/2026-06-01.html; do
        printf '"file://%s",' "$f"
    done
    echo '];</script>'
    echo "<script src=\"file://$TOP/tests/browser/dom-check.js\"></script></body></html>"
} >"$T/check.html"
"$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --disable-sync --no-first-run --user-data-dir="$T/profile" \
    --allow-file-access-from-files --virtual-time-budget=20000 \
    --dump-dom "file://$T/check.html" >"$T/dom.html" 2>"$T/chromium.log" ||
    fail "chromium failed: $(tail -3 "$T/chromium.log")"
python3 - "$T/dom.html" "$T/dom.json" <<'PY'
import html, re, sys
m = re.search(r'<pre id="out">(.*?)</pre>', open(sys.argv[1], encoding="utf-8").read(), re.S)
open(sys.argv[2], "w", encoding="utf-8").write(html.unescape(m.group(1)) if m else "pending")
PY
[ "$(head -c 7 "$T/dom.json")" != pending ] || fail "the DOM check did not finish"
python3 "$TOP/tests/browser/dom_check.py" "$D" "$T/dom.json" \
    '<script>alert(1)</script>.mp4' 'W1/"><img src=x onerror=alert(1)>.pdf' ||
    fail "the reports' DOM disagrees with the manifest"
