# property-unpack.sh — a property test: 30 archives (zip and tar) built from
# random member names (every hostile form: "..", "\", absolute, drive letters,
# control characters, NFD, long and deep names, junk), kinds (files, folders,
# links, FIFOs, devices) and sizes, one nightly run.  Nothing may appear
# outside the extraction root (no canary, no link or special file), and every
# member must end up accepted, skipped or rejected with a code, or its archive
# rejected with an archive-level code: never lost (tests/gen/property.py).
# FOLIO_SEED=N repeats a run; the seed is printed either way.
. "$(dirname "$0")/lib.sh"
SEED=${FOLIO_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
echo "property-unpack: seed $SEED (FOLIO_SEED=$SEED repeats it)"
CANARY=$T/canary-property
python3 "$TOP/tests/gen/property.py" make "$SEED" "$T/inbox" "$CANARY"
run_v "$BIN/folio" run -q --inbox "$T/inbox" --data "$T/data" || fail "folio run exited $?"
python3 "$TOP/tests/gen/property.py" check "$T/key.json" "$T/data/folio.db" "$T" "$CANARY" ||
    fail "seed $SEED: a property does not hold (above)"
for c in "$CANARY"* /canary-property* "$(dirname "$T")"/canary-property*; do
    [ ! -e "$c" ] || fail "seed $SEED: $c was written"
done
