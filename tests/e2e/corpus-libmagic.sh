# corpus-libmagic.sh — the shared public corpus's files from file/file
# (libmagic's own OOXML regression samples), each as EXPECTED.json says (tests/e2e/corpus.lib).
REPO=file/file
. "$(dirname "$0")/corpus.lib"
