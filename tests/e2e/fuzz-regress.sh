# Inputs the fuzzers once crashed on (tests/fuzz/regress/): folio inspect and a whole
# run must take each calmly, with a verdict, never a crash.
. "$(dirname "$0")/lib.sh"
for f in "$TOP"/tests/fuzz/regress/*; do
    set +e
    run_v "$BIN/folio" inspect "$f" > "$T/out"; rc=$?
    set -e
    [ $rc -le 1 ] || fail "inspect $(basename "$f") exited $rc"
    python3 -c "import json,sys; json.load(open(sys.argv[1]))" "$T/out" || fail "inspect output of $(basename "$f") is not JSON"
    mkdir -p "$T/inbox/c1/E1"
    cp "$f" "$T/inbox/c1/E1/"
done
in_window "$T"/inbox/c1/E1/*
run_v "$BIN/folio" run -q --inbox "$T/inbox" --data "$T/data"
expect_eq "$(sql "$T/data/folio.db" "SELECT COUNT(*) FROM manifest_files WHERE verdict = 'pending'")" 0 "files left pending"
echo "fuzz regressions: ok"
