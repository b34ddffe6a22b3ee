# hostile-inbox.sh — what may sit in the inbox besides uploads: a hard link
# to a file outside it (the secret must never reach the store), a symbolic
# link, a FIFO (must not block the scan), a socket-free special file set.
# None is taken; each is recorded for the operator (system_failures) with
# what it is; the real upload beside them is taken as usual.
. "$(dirname "$0")/lib.sh"
I=$T/inbox D=$T/data
mkdir -p "$I/c1/E1/V1"
printf 'fictional secret of this machine\n' >"$T/secret.txt"
ln "$T/secret.txt" "$I/c1/E1/V1/linked.mp4"
ln -s /etc/passwd "$I/c1/E1/V1/passwd.mp4"
mkfifo "$I/c1/E1/V1/pipe.mp4"
fx_video "$I/c1/E1/V1/real.mp4" 31
in_window "$I/c1/E1/V1/real.mp4" "$T/secret.txt"
set +e
run_v "$BIN/folio" run -q --inbox "$I" --data "$D" 2>"$T/err"; rc=$?
set -e
[ $rc -ne 0 ] || fail "the run exited 0 with unusable inbox entries (the operator must hear of them)"
expect_eq "$(sql "$D/folio.db" "SELECT source_path || ':' || verdict FROM manifest_files WHERE candidate_id = 'c1'")" \
    "V1/real.mp4:accepted" "rows of c1"
for what in "linked.mp4: has 2 hard links; not taken" "passwd.mp4: not a regular file (a symbolic link)" \
            "pipe.mp4: not a regular file (a FIFO)"; do
    [ "$(sql "$D/folio.db" "SELECT COUNT(*) FROM system_failures WHERE candidate_id = 'c1' AND instr(error, '$what') > 0")" -ge 1 ] ||
        fail "no failure recorded: $what"
done
secret=$(sha256sum "$T/secret.txt" | cut -c1-64)
[ -z "$(grep -rl "fictional secret" "$D" 2>/dev/null)" ] || fail "the linked secret reached DATA"
expect_eq "$(sql "$D/folio.db" "SELECT COUNT(*) FROM files WHERE sha256 = '$secret'")" 0 "rows with the secret's hash"
echo "inbox: ok"
