# The entry rules on generated uploads: supersede, ambiguity, slot from name,
# slot-unknown, the window's edges, re-upload under the same name, size limit,
# unknown entry folder, and the verdict history.
. "$(dirname "$0")/lib.sh"
I="$T/inbox" D="$T/data"
fx_video "$T/fx/a.mp4" 40
fx_video "$T/fx/b.mp4" 45
fx_video "$T/fx/c.mp4" 50
fx_video "$T/fx/d.mp4" 55

# c1: V1 uploaded twice (the later wins); V2 by name prefix, lower case, loose in E1
mkdir -p "$I/c1/E1/V1"
cp "$T/fx/a.mp4" "$I/c1/E1/V1/first.mp4";  touch -d @1780000000 "$I/c1/E1/V1/first.mp4"
cp "$T/fx/b.mp4" "$I/c1/E1/V1/second.mp4"; touch -d @1780003600 "$I/c1/E1/V1/second.mp4"
cp "$T/fx/c.mp4" "$I/c1/E1/v2-rec.mp4";    in_window "$I/c1/E1/v2-rec.mp4"
cp "$T/fx/d.mp4" "$I/c1/E1/clip.mp4";      in_window "$I/c1/E1/clip.mp4"
# c2: two takes of V3 in one zip (same upload time), and an entry folder not in the config
mkdir -p "$I/c2/E1" "$I/c2/E9"
python3 - "$T/fx/a.mp4" "$T/fx/b.mp4" "$I/c2/E1/takes.zip" <<'PY'
import sys, zipfile
a, b, out = sys.argv[1:]
with zipfile.ZipFile(out, "w") as z:
    z.write(a, "V3_take1.mp4")
    z.write(b, "V3_take2.mp4")
PY
in_window "$I/c2/E1/takes.zip"
cp "$T/fx/c.mp4" "$I/c2/E9/V1_x.mp4"; in_window "$I/c2/E9/V1_x.mp4"
# c3: the window's edges: 23:59:59 on June 15 in Chicago is in, a second later is late
mkdir -p "$I/c3/E1/V1" "$I/c3/E1/V2"
cp "$T/fx/a.mp4" "$I/c3/E1/V1/edge.mp4"; touch -d @1781585999 "$I/c3/E1/V1/edge.mp4"
cp "$T/fx/b.mp4" "$I/c3/E1/V2/late.mp4"; touch -d @1781586000 "$I/c3/E1/V2/late.mp4"

run_v "$BIN/folio" run -q --inbox "$I" --data "$D"
q() { sql "$D/folio.db" "SELECT slot_id, verdict, reasons FROM manifest_files WHERE candidate_id = '$1' AND source_path = '$2'"; }
expect_eq "$(q c1 V1/first.mp4)" "V1|superseded|" "older V1 upload"
expect_eq "$(q c1 V1/second.mp4)" "V1|accepted|" "newer V1 upload"
expect_eq "$(q c1 v2-rec.mp4)" "V2|accepted|" "slot from a lower-case name prefix"
expect_eq "$(q c1 clip.mp4)" "|rejected|slot-unknown" "no slot folder, no slot prefix"
expect_eq "$(q c2 takes.zip/V3_take1.mp4)" "V3|rejected|slot-ambiguous" "first take"
expect_eq "$(q c2 takes.zip/V3_take2.mp4)" "V3|rejected|slot-ambiguous" "second take"
expect_eq "$(q c2 V1_x.mp4)" "|rejected|slot-unknown" "unknown entry folder"
grep -A2 "^ENTRY E9: Needs attention" "$D/reports/c2/report.txt" | grep -q "not one of the program's entries" ||
    fail "the report does not explain the unknown entry folder"
expect_eq "$(q c3 V1/edge.mp4)" "V1|accepted|" "last second of the window"
expect_eq "$(q c3 V2/late.mp4)" "V2|rejected|late-upload" "first second after the window"
expect_eq "$(sql "$D/folio.db" "SELECT missing_slots FROM manifest_entries WHERE candidate_id = 'c1'")" \
    "W1,V3,V4,V5,V6" "c1 missing slots"

# A re-upload under the same name replaces that row's file; the old verdict is history.
cp "$T/fx/d.mp4" "$I/c3/E1/V2/late.mp4"; in_window "$I/c3/E1/V2/late.mp4"
run_v "$BIN/folio" run -q --inbox "$I" --data "$D"
expect_eq "$(q c3 V2/late.mp4)" "V2|accepted|" "re-uploaded V2"
expect_eq "$(sql "$D/folio.db" "SELECT COUNT(*) FROM manifest_files WHERE candidate_id = 'c3' AND source_path = 'V2/late.mp4'")" 1 "rows for a re-uploaded name"
expect_eq "$(sql "$D/folio.db" "SELECT h.verdict || ':' || h.reasons FROM verdict_history h JOIN files f ON f.id = h.file_id WHERE f.candidate_id = 'c3' AND f.source_path = 'V2/late.mp4' ORDER BY h.id")" \
    "$(printf 'rejected:late-upload\naccepted:')" "history of V2/late.mp4"
expect_eq "$(sql "$D/folio.db" "SELECT sha256 FROM manifest_files WHERE candidate_id = 'c3' AND source_path = 'V2/late.mp4'")" \
    "$(sha256sum "$T/fx/d.mp4" | cut -c1-64)" "sha256 of the new bytes"

# Same bytes, new time: only lateness is judged again (c1's newer V1 touched late).
touch -d @1781900000 "$I/c1/E1/V1/second.mp4"
run_v "$BIN/folio" run -q --inbox "$I" --data "$D"
expect_eq "$(q c1 V1/second.mp4)" "V1|rejected|late-upload" "V1 re-sent after the close"
expect_eq "$(q c1 V1/first.mp4)" "V1|accepted|" "the earlier V1 stands again"
expect_eq "$(sql "$D/folio.db" "SELECT SUM(items) FROM run_stages WHERE run_id = 3 AND stage = 'folio-probe'")" 0 "probes on a time-only change"

# A changed rule re-judges everyone: a 10 KB limit makes the videos too large.
sed 's/^max_size = 2 GiB/max_size = 10 KB/' "$FOLIO_CONFIG" > "$T/small.conf"
run_v "$BIN/folio" run -q --config "$T/small.conf" --inbox "$I" --data "$D"
expect_eq "$(q c3 V1/edge.mp4)" "V1|rejected|file-too-large" "a clip over the limit"
# Two names equal after NFC in one entry: the first in byte order is taken, every
# run the same one, and the other is recorded for the operator.
mkdir -p "$I/c4/E1/V1"
cp "$T/fx/a.mp4" "$I/c4/E1/V1/$(printf 'caf\303\251.mp4')"
cp "$T/fx/b.mp4" "$I/c4/E1/V1/$(printf 'cafe\314\201.mp4')"
in_window "$I"/c4/E1/V1/*
for n in 1 2; do
    set +e; run_v "$BIN/folio" run -q --config "$T/small.conf" --inbox "$I" --data "$D" 2>/dev/null; set -e
    expect_eq "$(sql "$D/folio.db" "SELECT COUNT(*), COUNT(DISTINCT sha256) FROM files WHERE candidate_id = 'c4'")" "1|1" "rows for NFC-equal names, run $n"
done
expect_eq "$(sql "$D/folio.db" "SELECT sha256 FROM files WHERE candidate_id = 'c4'")" \
    "$(sha256sum "$T/fx/b.mp4" | cut -c1-64)" "the name first in byte order (NFD e + U+0301 < U+00E9)"
[ "$(sql "$D/folio.db" "SELECT COUNT(*) FROM system_failures WHERE error LIKE '%same name after Unicode normalization%'")" -ge 2 ] ||
    fail "the NFC clash is not recorded"
echo "rules: ok"
