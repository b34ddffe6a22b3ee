# The shared acceptance inbox: check-manifest.py must pass with 0 failed, nothing
# escapes, per-candidate manifests match, and a second run changes nothing and
# re-reads no media.
. "$(dirname "$0")/lib.sh"
CORPUS="$TOP/../shared/corpus"
[ -f "$CORPUS/sample-inbox.tar" ] || { echo "no ../shared/corpus here"; exit 77; }
tar -xf "$CORPUS/sample-inbox.tar" -C "$T"
rm -f /tmp/folio-escape.txt /etc/folio-absolute.txt 2>/dev/null || true
run_v "$BIN/folio" run --inbox "$T/sample-inbox" --data "$T/data" > "$T/out1"
cat "$T/out1"
grep -q "candidates   10" "$T/out1" || fail "summary lacks the candidate count"
python3 "$CORPUS/check-manifest.py" "$T/data/folio.db" "$CORPUS/sample-inbox.EXPECTED.json" \
    > "$T/check" || { cat "$T/check"; fail "check-manifest.py failed"; }
tail -1 "$T/check" | grep -q " 0 failed" || fail "check-manifest: $(tail -1 "$T/check")"
[ ! -e /tmp/folio-escape.txt ] || fail "/tmp/folio-escape.txt was written"
[ ! -e /etc/folio-absolute.txt ] || fail "/etc/folio-absolute.txt was written"
[ -z "$(find "$T/data" -type l)" ] || fail "a link exists under DATA"
[ -z "$(find "$T/data" -perm -o=r ! -type l)" ] || fail "something under DATA is world-readable"

# The inbox was only read: nothing in it changed.
[ -z "$(find "$T/sample-inbox" -newer "$T/out1")" ] || fail "the inbox was modified"

# Every candidate's own manifest holds exactly that candidate's rows.
for c in $(sql "$T/data/folio.db" "SELECT DISTINCT candidate_id FROM manifest_files"); do
    m="$T/data/manifests/$c.sqlite"
    [ -f "$m" ] || fail "no manifest for $c"
    a=$(sql "$T/data/folio.db" "SELECT source_path, verdict, reasons, duration_s FROM manifest_files WHERE candidate_id = '$c' ORDER BY 1")
    b=$(sql "$m" "SELECT source_path, verdict, reasons, duration_s FROM manifest_files ORDER BY 1")
    expect_eq "$b" "$a" "$c manifest rows"
    expect_eq "$(sql "$m" "SELECT COUNT(DISTINCT candidate_id) FROM manifest_files")" 1 "$c manifest candidates"
    expect_eq "$(sql "$m" "SELECT status FROM manifest_entries")" \
              "$(sql "$T/data/folio.db" "SELECT status FROM manifest_entries WHERE candidate_id = '$c'")" "$c entry"
done

# Facts that must be right, beyond EXPECTED.json.
expect_eq "$(sql "$T/data/folio.db" "SELECT rotation FROM facts x JOIN files f ON f.sha256 = x.sha256 WHERE f.source_path LIKE '%V1_identify.MOV'")" 90 "iPhone rotation"
expect_eq "$(sql "$T/data/folio.db" "SELECT COUNT(*) FROM files WHERE source_path LIKE '%V1_Conversaci%' AND hex(raw_name) LIKE '%A2%'")" 1 "raw CP437 bytes kept"
expect_eq "$(sql "$T/data/folio.db" "SELECT duration_method FROM facts x JOIN files f ON f.sha256 = x.sha256 WHERE f.source_path LIKE '%V1-recording.webm'")" packets "duration method"
expect_eq "$(sql "$T/data/folio.db" "SELECT kind, verdict, reasons FROM manifest_files WHERE source_path = 'more_clips.zip/inner.zip'")" "archive|accepted|" "inner archive row"

# Second run: nothing new, nothing re-read, no verdict changes.
before=$(sql "$T/data/folio.db" "SELECT * FROM manifest_files ORDER BY candidate_id, source_path")
run_v "$BIN/folio" run -q --inbox "$T/sample-inbox" --data "$T/data"
after=$(sql "$T/data/folio.db" "SELECT * FROM manifest_files ORDER BY candidate_id, source_path")
expect_eq "$after" "$before" "manifest after a second run"
expect_eq "$(sql "$T/data/folio.db" "SELECT COALESCE(SUM(items), 0) + COALESCE(SUM(bytes_read), 0) FROM run_stages WHERE run_id = 2 AND stage IN ('folio-scan', 'folio-identify', 'folio-unpack', 'folio-probe')")" 0 "work done by the second run"
expect_eq "$(sql "$T/data/folio.db" "SELECT COUNT(*) FROM verdict_history WHERE run_id = 2")" 0 "verdicts changed by the second run"
echo "sample inbox: ok"
