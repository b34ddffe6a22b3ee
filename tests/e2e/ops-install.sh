# make install PREFIX=...: the installed bin/folio finds its stages, pipeline and
# config beside itself and runs a tiny inbox; docs and scripts are there.
. "$(dirname "$0")/lib.sh"
P="$T/opt"
make -s -C "$TOP" BIN="$(basename "$BIN")" install PREFIX="$P" > "$T/make.out" 2>&1 || fail "make install: $(cat "$T/make.out")"
for f in bin/folio bin/folio-scan bin/folio-normalize bin/folio-report pipeline/nightly config/folio.conf \
         docs/operations.md scripts/folio-nightly scripts/systemd/folio-nightly.timer \
         scripts/systemd/folio-nightly.service scripts/cron/folio-nightly VERSION; do
    [ -e "$P/$f" ] || fail "not installed: $f"
done
[ -x "$P/scripts/folio-nightly" ] || fail "folio-nightly not executable"
fx_video "$T/inbox/c1/E1/V1/clip.mp4" 40
in_window "$T/inbox/c1/E1/V1/clip.mp4"
mkdir "$T/srv"
# the installed copy on its own: no FOLIO_CONFIG, run from elsewhere
(cd / && env -u FOLIO_CONFIG "$P/bin/folio" run -q --inbox "$T/inbox" --data "$T/srv/data") ||
    fail "the installed folio run failed"
expect_eq "$(sql "$T/srv/data/folio.db" "SELECT verdict FROM manifest_files")" accepted "verdict by the installed copy"
expect_eq "$(sql "$T/srv/data/folio.db" "SELECT COUNT(*) FROM run_stages WHERE exit_code = 0")" 7 \
    "stages run by the installed copy (8, normalize left out)"
expect_eq "$("$P/bin/folio" --version)" "folio $(cat "$TOP/VERSION")" "installed --version"
echo "ops-install: ok"
