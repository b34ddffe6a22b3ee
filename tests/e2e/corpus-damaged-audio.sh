# corpus-damaged-audio.sh — the shared public corpus's files from KBNLresearch/detectDamagedAudio
# (the KB's intact and truncated FLAC and WAV), each as EXPECTED.json says (tests/e2e/corpus.lib).
REPO=KBNLresearch/detectDamagedAudio
. "$(dirname "$0")/corpus.lib"
