# corpus-small.sh — the shared public corpus's files from mathiasbynens/small
# (the smallest valid files of each format), each as EXPECTED.json says (tests/e2e/corpus.lib).
REPO=mathiasbynens/small
. "$(dirname "$0")/corpus.lib"
