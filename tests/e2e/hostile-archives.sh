# hostile-archives.sh — generated archives of every hostile or broken kind folio
# must handle (tests/gen/archives.py: path tricks, links and devices, bombs and
# size lies, ZipCrypto, WinZip AES and 7z header encryption, split sets,
# truncation and CRC damage, nesting, empty archives, self-extracting
# executables, trailing junk, legacy and Unicode-path names, NFD, backslashes,
# control characters, long names), one candidate each, in one nightly run per
# legacy code page.  Each upload and member must get exactly its verdict and
# reason codes (tests/gen/expect.py), and nothing may be written outside DATA.
. "$(dirname "$0")/lib.sh"
CANARY=$T/canary
cat >"$T/run.py" <<'PY'
import sys
sys.path.insert(0, sys.argv[1])
import archives, expect
verb, canary, page, where = sys.argv[2:6]
page = None if page == "-" else page
cs = [c for c in archives.cases(canary) if c.get("page") == page]
if verb == "make":
    expect.layout(cs, where)
else:
    sys.exit(1 if expect.check(cs, where, "archives " + (page or "default")) else 0)
PY
rc=0
for page in - CP866 CP932; do
    conf=$FOLIO_CONFIG
    if [ "$page" != - ]; then
        conf=$T/$page.conf
        sed "s/^legacy_code_page *=.*/legacy_code_page = $page/" "$FOLIO_CONFIG" >"$conf"
        grep -q "^legacy_code_page = $page\$" "$conf" || fail "config copy lacks $page"
    fi
    python3 "$T/run.py" "$TOP/tests/gen" make "$CANARY" "$page" "$T/inbox$page"
    run_v "$BIN/folio" run -q --config "$conf" --inbox "$T/inbox$page" --data "$T/data$page" ||
        fail "folio run ($page) exited $?"
    python3 "$T/run.py" "$TOP/tests/gen" check "$CANARY" "$page" "$T/data$page/folio.db" || rc=1
    [ -z "$(find "$T/data$page" -type l)" ] || fail "a link exists under DATA ($page)"
    [ -z "$(find "$T/data$page" ! -type f ! -type d)" ] || fail "a special file exists under DATA"
    [ -z "$(find "$T/data$page/tmp" -type f 2>/dev/null)" ] || fail "temporary files left in DATA/tmp"
done
for c in "$CANARY"* "$(dirname "$T")/$(basename "$T")-sibling"; do
    [ ! -e "$c" ] || fail "$c was written"
done
[ ! -e "$T/up.txt" ] && [ ! -e "$TOP/up.txt" ] || fail "up.txt was written"
exit $rc
