# folio-normalize and change: a rule outside [profile] re-normalizes nothing,
# a [profile] change re-normalizes what it made, --force redoes all, and a
# re-upload of the same bytes into the same slot takes over the output.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/normalize.lib"
D="$T/data" F="$T/fx"
nz_init "$D"
fx_video "$F/a.mp4" 3
nz_gen "$F/ok.mp4" -f lavfi -i testsrc2=size=320x180:rate=10:duration=4 \
    -f lavfi -i sine=frequency=440:sample_rate=48000:duration=4 -af loudnorm=I=-16 -ar 48000 -ac 2 \
    -c:v libx264 -profile:v high -pix_fmt yuv420p -c:a aac -b:a 128k \
    -metadata location=+40.7128-074.0060/
nz_add "$D" "$F/a.mp4" c2026-0002 E1 V1
nz_add "$D" "$F/ok.mp4" c2026-0002 E1 V2
db="$D/folio.db"
count() { grep -c ": normalized:" "$1" || true; }

run_v "$BIN/folio-normalize" --data "$D" 2> "$T/e1" || fail "first run"
expect_eq "$(count "$T/e1")" 2 "first run"
v1=$(sql "$db" "SELECT DISTINCT normalized_profile FROM files")
sha1=$(sql "$db" "SELECT normalized_sha256 FROM files WHERE slot_id = 'V1'")

# Another section of the config changes: verdicts may be redone, outputs not.
sed 's/^max_attempts = 3$/max_attempts = 4/' "$FOLIO_CONFIG" > "$T/general.conf"
! cmp -s "$FOLIO_CONFIG" "$T/general.conf" || fail "sed did not change [general]"
run_v "$BIN/folio-normalize" --data "$D" --config "$T/general.conf" 2> "$T/e2" || fail "general run"
expect_eq "$(cat "$T/e2")" "" "run after a [general] change"
expect_eq "$(sql "$db" "SELECT DISTINCT normalized_profile FROM files")" "$v1" "profile after [general] change"

# The profile changes: both outputs are made again and record the new version.
sed 's/^crf = 23$/crf = 35/' "$FOLIO_CONFIG" > "$T/profile.conf"
! cmp -s "$FOLIO_CONFIG" "$T/profile.conf" || fail "sed did not change [profile]"
run_v "$BIN/folio-normalize" --data "$D" --config "$T/profile.conf" 2> "$T/e3" || fail "profile run"
expect_eq "$(count "$T/e3")" 2 "run after a [profile] change"
v2=$(sql "$db" "SELECT DISTINCT normalized_profile FROM files")
[ "$v2" != "$v1" ] && [ "$(echo "$v2" | wc -l)" -eq 1 ] || fail "profile versions: '$v1' then '$v2'"
sha2=$(sql "$db" "SELECT normalized_sha256 FROM files WHERE slot_id = 'V1'")
[ "$sha2" != "$sha1" ] || fail "crf 35 made the same bytes as crf 23"
expect_eq "$sha2" "$(sha256sum "$D/media/c2026-0002/E1/V1.mp4" | cut -c1-64)" "V1 sha256 after"
# ... and once is enough.
run_v "$BIN/folio-normalize" --data "$D" --config "$T/profile.conf" 2> "$T/e4" || fail "profile rerun"
expect_eq "$(cat "$T/e4")" "" "second run under the new profile"

# --force redoes every accepted video.
run_v "$BIN/folio-normalize" --data "$D" --config "$T/profile.conf" --force 2> "$T/e5" ||
    fail "forced run"
expect_eq "$(count "$T/e5")" 2 "forced run"

# The same bytes uploaded again into V2 (a new row replaces the old one):
# the output already made for them is kept, not made again.
python3 - "$db" <<'PY'
import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
cur = con.cursor()
old = cur.execute("SELECT * FROM files WHERE slot_id = 'V2'").fetchone()
cols = [d[0] for d in cur.description]
row = dict(zip(cols, old))
cur.execute("UPDATE files SET active = 0 WHERE id = ?", (row["id"],))
for k in ("id", "normalized_path", "normalized_sha256", "normalized_profile", "poster_path"):
    row.pop(k)
row["source_path"] = "V2/ok-again.mp4"
cur.execute(f"INSERT INTO files({', '.join(row)}) VALUES({', '.join('?' * len(row))})",
            list(row.values()))
con.commit()
PY
before=$(stat -c %Y.%s "$D/media/c2026-0002/E1/V2.mp4")
run_v "$BIN/folio-normalize" --data "$D" --config "$T/profile.conf" 2> "$T/e6" || fail "reupload run"
cat "$T/e6"
grep -q "c2026-0002/E1/V2: normalized: same content" "$T/e6" || fail "re-upload was normalized again"
expect_eq "$(stat -c %Y.%s "$D/media/c2026-0002/E1/V2.mp4")" "$before" "V2 output untouched"
expect_eq "$(sql "$db" "SELECT normalized_path, normalized_profile FROM files WHERE active = 1 AND slot_id = 'V2'")" \
    "media/c2026-0002/E1/V2.mp4|$v2" "re-upload's row"
echo "normalize-profile: ok"
