# corpus-zip-slip.sh — the shared public corpus's files from snyk/zip-slip-vulnerability
# (Snyk's Zip Slip samples, / and \ forms, zip and tar), each as EXPECTED.json says (tests/e2e/corpus.lib).
REPO=snyk/zip-slip-vulnerability
. "$(dirname "$0")/corpus.lib"
