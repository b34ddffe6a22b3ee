# corpus-coverage.sh — every file of the shared public corpus (EXPECTED.json)
# belongs to a project one of the tests/e2e/corpus-*.sh tests runs, and every
# file EXPECTED.json lists is on disk: no file goes untested.
. "$(dirname "$0")/lib.sh"
CORPUS=${FOLIO_CORPUS:-/work/shared/corpus}
[ -f "$CORPUS/public/EXPECTED.json" ] || { echo "no corpus at $CORPUS/public"; exit 77; }
sed -n 's/^REPO=//p' "$TOP"/tests/e2e/corpus-*.sh | sort -u >"$T/tested"
python3 - "$CORPUS/public" "$T/tested" <<'PY'
import json, os, sys
public, tested = sys.argv[1], set(open(sys.argv[2]).read().split())
files = json.load(open(os.path.join(public, "EXPECTED.json"), encoding="utf-8"))["files"]
repo = {}
for line in open(os.path.join(public, "SOURCES.md"), encoding="utf-8"):
    cols = [c.strip() for c in line.split("|")]
    if len(cols) > 6 and cols[1].startswith("`") and "/" in cols[4]:
        repo[cols[1].strip("`")] = cols[4]
bad = [f["file"] for f in files if repo.get(f["file"]) not in tested]
bad += [f["file"] + " (missing)" for f in files if not os.path.isfile(os.path.join(public, f["file"]))]
on_disk = {os.path.relpath(os.path.join(d, n), public) for d, _, ns in os.walk(public) for n in ns
           if os.path.relpath(d, public) != "."}
bad += [p + " (not in EXPECTED.json)" for p in sorted(on_disk - {f["file"] for f in files})]
for b in bad:
    print("untested:", b)
print(f"{len(files)} files, {len(tested)} projects tested, {len(bad)} untested")
sys.exit(1 if bad else 0)
PY
