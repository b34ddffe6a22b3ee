# corpus-file-type.sh — the shared public corpus's files from sindresorhus/file-type
# (file-type's fixtures: odd containers, cut-off and mislabelled media, office files), each as EXPECTED.json says (tests/e2e/corpus.lib).
REPO=sindresorhus/file-type
. "$(dirname "$0")/corpus.lib"
