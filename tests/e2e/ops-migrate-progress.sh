# A database made before verdict_history had config_version and stage (schema 1)
# is migrated when opened, its old rows filled in; every command's --help is its
# own; progress is one line per stage in a log (per file with -v) and one
# rewriting line on a terminal.
. "$(dirname "$0")/lib.sh"
I="$T/inbox" D="$T/data"
fx_video "$I/c1/E1/V1/a.mp4" 40
in_window "$I/c1/E1/V1/a.mp4"
run_v "$BIN/folio" run -q --inbox "$I" --data "$D"

# --- schema 1 → 2 ------------------------------------------------------------------
python3 - "$D/folio.db" <<'PY'
import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
con.execute("ALTER TABLE verdict_history DROP COLUMN config_version")
con.execute("ALTER TABLE verdict_history DROP COLUMN stage")
con.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
con.execute("DELETE FROM meta WHERE key = 'schema_hash'")
con.commit()
PY
cols() { sql "$D/folio.db" "SELECT group_concat(name, ',') FROM pragma_table_info('verdict_history')"; }
expect_eq "$(cols)" "id,file_id,run_id,at,slot_id,verdict,reasons" "columns of a schema-1 database"
"$BIN/folio" status --data "$D" > /dev/null || fail "status on a schema-1 database"
expect_eq "$(cols)" "id,file_id,run_id,at,slot_id,verdict,reasons,config_version,stage" "columns after opening"
expect_eq "$(sql "$D/folio.db" "SELECT value FROM meta WHERE key = 'schema_version'")" 2 "schema_version"
expect_eq "$(sql "$D/folio.db" "SELECT h.config_version = r.config_version, h.stage FROM verdict_history h JOIN runs r ON r.id = h.run_id")" "1|validate" "old history rows filled in"
"$BIN/folio" show c1 --history --data "$D" | grep -q "run 1 *config $(sql "$D/folio.db" "SELECT config_version FROM runs WHERE id = 1")  validate  accepted" ||
    fail "show --history after the migration"
run_v "$BIN/folio" run -q --inbox "$I" --data "$D"   # and the programs go on with it

# --- each command's own --help -----------------------------------------------------
for c in run reprocess show status inspect; do
    "$BIN/folio" $c --help > "$T/help" || fail "folio $c --help: exit $?"
    head -1 "$T/help" | grep -q "^usage: folio $c " || fail "folio $c --help is not its own: $(head -1 "$T/help")"
done
"$BIN/folio" reprocess --help | grep -q -- "--reason CODE" || fail "reprocess --help without --reason"
"$BIN/folio" show --help | grep -q -- "--history" || fail "show --help without --history"

# --- progress: a log gets one line per stage, no terminal codes --------------------
touch -d @1780000100 "$I/c1/E1/V1/a.mp4"                 # something to judge again
"$BIN/folio" run --inbox "$I" --data "$D" > /dev/null 2> "$T/log"
grep -c $(printf '\r') "$T/log" | grep -qx 0 || fail "terminal codes in a log"
for s in identify unpack probe validate manifest report; do
    grep -Eq "^folio: stage $s: [0-9]+ items, [0-9]+ system failures, [0-9.]+ s, exit 0$" "$T/log" ||
        fail "no line for stage $s: $(cat "$T/log")"
done
grep -q "^folio: stage validate: 1 items, 0 system failures" "$T/log" || fail "validate's line: $(cat "$T/log")"
grep -q "validate 1/1" "$T/log" && fail "a per-file line without -v: $(cat "$T/log")"
touch -d @1780000200 "$I/c1/E1/V1/a.mp4"
"$BIN/folio" run -v --inbox "$I" --data "$D" > /dev/null 2> "$T/logv"
grep -qx "folio-validate: validate 1/1 c1" "$T/logv" || fail "no per-file line with -v: $(cat "$T/logv")"
# --- and a terminal gets one rewriting line (script(1), of Debian's essential
# bsdutils, gives the run a tty) ---------------------------------------------------
touch -d @1780000300 "$I/c1/E1/V1/a.mp4"
script -qec "'$BIN/folio' run --inbox '$I' --data '$D' > /dev/null" /dev/null > "$T/tty" < /dev/null
grep -q "$(printf '\r\033\\[K')folio-validate: validate 1/1  c1" "$T/tty" || fail "no progress line on a terminal: $(cat -v "$T/tty")"
grep -q "$(printf '\r\033\\[K')folio: stage probe (4 of " "$T/tty" || fail "no stage line on a terminal: $(cat -v "$T/tty")"
grep -q "$(printf '\r\033\\[K')folio-scan: scan 1/1  c1" "$T/tty" || fail "scan's progress line names no candidate: $(cat -v "$T/tty")"
# every log line clears a transient line first, another program's too (the run's
# "stage report (8 of 8)" above folio-report's own lines); the stage line has no
# rate (calls per second mean nothing there)
python3 - "$T/tty" <<'PY' || fail "a log line after an uncleared progress line: $(cat -v "$T/tty")"
import re, sys
raw = open(sys.argv[1], "rb").read().decode("utf-8", "replace")
bad = [m.start() for m in re.finditer(r"folio[a-z-]*: ", raw)
       if m.start() > 0 and raw[m.start() - 1] != "\n" and not raw[:m.start()].endswith("\r\033[K")]
rate = re.findall(r"\([0-9]+ of [0-9]+\) +[0-9.]+/s", raw)
sys.exit(1 if bad or rate else 0)
PY
echo "ops-migrate-progress: ok"
