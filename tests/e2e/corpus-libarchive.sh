# corpus-libarchive.sh — the shared public corpus's files from libarchive/libarchive
# (libarchive's own test archives: encodings, encryption, links, size lies, bombs, volumes), each as EXPECTED.json says (tests/e2e/corpus.lib).
REPO=libarchive/libarchive
. "$(dirname "$0")/corpus.lib"
