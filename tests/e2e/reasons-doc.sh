# reasons-doc.sh — docs/reasons.md lists every code of the reason table
# (src/lib/reasons.c) with its candidate sentence and its fix, word for word,
# and the real-world case that motivates it, and names no code the table lacks.  Regenerate with scripts/gen-reasons-doc.
. "$(dirname "$0")/lib.sh"
run_v "$BIN/folio-report" --list-reasons >"$T/table.tsv"
[ "$(wc -l <"$T/table.tsv")" -ge 30 ] || fail "the reason table has fewer than 30 codes"
python3 - "$T/table.tsv" "$TOP/docs/reasons.md" <<'PY'
import re, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
doc = open(sys.argv[2], encoding="utf-8").read()
sections = dict(re.findall(r"^### (\S+)\n(.*?)(?=^### |\Z)", doc, re.M | re.S))
bad = []
codes = set()
for code, kind, what, fix in rows:
    codes.add(code)
    assert what and fix, f"{code}: empty sentence in the table"
    body = sections.get(code)
    if body is None:
        bad.append(f"{code}: no section")
        continue
    if f"- What is wrong: {what}\n" not in body:
        bad.append(f"{code}: the candidate sentence differs from the table")
    if f"- How to fix it: {fix}\n" not in body:
        bad.append(f"{code}: the fix differs from the table")
    if f"*{kind}*" not in body:
        bad.append(f"{code}: kind is not {kind}")
    case = re.search(r"^- Real-world case: (.+)$", body, re.M)
    if case is None or len(case.group(1)) < 20:
        bad.append(f"{code}: no real-world case that motivates it")
for code in sections:
    if code not in codes:
        bad.append(f"{code}: documented but not in the table")
for b in bad:
    print("FAIL", b)
print(f"{len(rows)} codes, {len(bad)} problems")
sys.exit(1 if bad else 0)
PY
