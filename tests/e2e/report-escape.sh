# report-escape.sh — hostile names in the candidate's report: markup, quotes
# and entities, terminal escapes and other control characters, bidi overrides
# and isolates, a 3000-character name, bytes that are not UTF-8, a libmagic
# description with markup, an unknown reason code, and a candidate id that
# would climb out of DATA/reports.  The fixture is a database filled by
# tests/e2e/report_fixture.py on the real schema.
. "$(dirname "$0")/lib.sh"
D=$T/data R=$T/data/reports
run_v "$BIN/folio-report" -q --data "$D" --date 2026-06-01    # creates the schema
python3 "$TOP/tests/e2e/report_fixture.py" "$D/folio.db" hostile
rc=0
FOLIO_RUN_ID=1 run_v "$BIN/folio-report" -q --data "$D" --date 2026-06-01 2>"$T/err" || rc=$?
expect_eq $rc 1 "exit with one candidate's report not written"
# the bad id: recorded for the operator, nothing written for it anywhere
expect_eq "$(sql "$D/folio.db" "SELECT stage, candidate_id FROM system_failures")" \
    "folio-report|../escape" "system failure recorded"
expect_eq "$(cd "$D" && find . -name 'report.*' | sort | tr '\n' ' ')" \
    "./reports/c2026-0901/report.html ./reports/c2026-0901/report.txt " "reports written"
[ ! -e "$D/escape" ] && [ ! -e "$T/escape" ] || fail "a report escaped DATA/reports"
expect_eq "$(cat "$R/notify-2026-06-01.txt")" "c2026-0901" "notify list"
grep -qE '^ *1 +folio-report +\.\./escape +candidate id is not usable' "$R/nightly/2026-06-01.txt" ||
    fail "summary does not list the failure"
grep -qE '^some-new-code +not in docs/reasons.md +1 +1$' "$R/nightly/2026-06-01.txt" ||
    fail "summary does not count the unknown code"

H=$R/c2026-0901/report.html X=$R/c2026-0901/report.txt
# the other results: a take replaced by a newer upload, one held by a system failure
grep -qx 'ENTRY E1: Needs attention' "$X" || fail "status: $(grep '^ENTRY' "$X")"
grep -qx 'V6 - Video: Being checked' "$X" || fail "V6: $(grep '^V6 -' "$X")"
tr '\n' ' ' <"$X" | tr -s ' ' | grep -q "\* V6/old_take.mp4 \[new\] Uploaded: May 27, 2026 at 15:26 CDT Found: MP4 video (H.264) · 3:20 · 391.KiB Result: Replaced by a newer upload - Note: You uploaded a newer file for this slot" ||
    fail "the replaced take"
tr '\n' ' ' <"$X" | tr -s ' ' | grep -q "\* V6/new_take.mp4 \[new\] Uploaded: May 28, 2026 at 15:26 CDT Found: Not yet identified · 391.KiB Result: Still being processed - Note: We could not finish checking this file because of a problem on our side, not with your file. How to fix it: Nothing to do: our staff will deal with it, and you do not need to upload it again." ||
    fail "the held take"
python3 - "$H" "$X" <<'PY'
import re, sys
html_b, txt_b = (open(p, "rb").read() for p in sys.argv[1:3])
html, txt = html_b.decode("utf-8"), txt_b.decode("utf-8")   # both strictly UTF-8
bad = []
def need(cond, what):
    if not cond:
        bad.append(what)
# no markup from names: the only tags are ours
tags = set(re.findall(r"<\s*([a-zA-Z][a-zA-Z0-9]*)", html))
need(tags <= {"html", "head", "meta", "title", "style", "body", "main", "header", "h1", "h2",
              "h3", "dl", "dt", "dd", "time", "p", "section", "span", "table", "caption",
              "colgroup", "col", "thead", "tbody", "tr", "th", "td", "ul", "li", "strong",
              "footer"}, f"unexpected tags {sorted(tags)}")
need(not re.search(r"<[^>]*\son\w+\s*=", html), "an event handler attribute")
for s in ["&lt;script&gt;alert(1)&lt;/script&gt;.mp4", "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;.mp4",
          "a&amp;amp;b &amp;lt;i&amp;gt; &#39;q&#39;.pdf", "ev&lt;b&gt;il&lt;/b&gt;.zip",
          "&lt;i&gt;in&lt;/i&gt;\ufffdside.mp4", "&lt;svg onload=alert(1)&gt; data"]:
    need(s in html, f"html lacks {s!r}")
for s in ["<script>alert(1)</script>.mp4", "a&amp;b &lt;i&gt; 'q'.pdf", "in ev<b>il</b>.zip"]:
    need(s in txt, f"txt lacks {s!r}")
# controls and bidi: replaced, visibly, in both
for doc, name in ((html, "html"), (txt, "txt")):
    need(not re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]", doc),
         f"{name} holds a control or bidi character")
    need("clip\ufffdgpj.exe.mp4" in doc, f"{name}: the RLO is not shown as U+FFFD")
    need("red\ufffd[31mbell\ufffdcr\ufffdnl\ufffdend.mp4" in doc, f"{name}: control characters")
    need("Conversaci\ufffdn.mp4" in doc, f"{name}: the non-UTF-8 byte")
    # the long name: shortened in the middle, start and extension kept
    need("x" * 200 not in doc, f"{name}: the 3000-character name is not shortened")
    need(re.search(r"V5/x{70,}\u2026x{20,}_end\.mp4", doc) is not None, f"{name}: shortened name")
    # an unknown code is explained, never shown alone
    need("This file did not pass one of our checks (reference: some-new-code)." in " ".join(doc.split()),
         f"{name}: the unknown code's sentence")
need("The video runs 12:30; this slot allows at most 10:00." in html, "duration sentence")
# sizes in the unit the config's limit used (max_size = 2 GiB), never "2.1 GB"
need("The file is 2.8\u00a0GiB; this slot allows at most 2\u00a0GiB." in html, "size sentence")
need("2.1\u00a0GB" not in html and "2.1\u00a0GB" not in txt, "a 2 GiB limit shown as 2.1 GB")
need("This slot takes a PDF document, and this file is a" in html, "type sentence")
for b in bad:
    print("FAIL", b)
sys.exit(1 if bad else 0)
PY
