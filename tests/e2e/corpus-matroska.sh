# corpus-matroska.sh — the shared public corpus's files from ietf-wg-cellar/matroska-test-files
# (the IETF CELLAR group's valid and invalid EBML), each as EXPECTED.json says (tests/e2e/corpus.lib).
REPO=ietf-wg-cellar/matroska-test-files
. "$(dirname "$0")/corpus.lib"
