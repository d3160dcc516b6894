#!/usr/bin/env python3
"""Prints the held-out rows of speech.tsv (corpus, id, path, text; TSV, no header), as split.py decides.

  python3 scripts/eval/heldout_speech.py /work/shared/data/speech.tsv
"""
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data"))

from split import is_held_out, read_speech_tsv  # noqa: E402

if len(sys.argv) != 2:
    sys.exit(__doc__.strip())
for corpus, utt_id, rel, text in read_speech_tsv(sys.argv[1]):
    if is_held_out(corpus, utt_id, text):
        print(f"{corpus}\t{utt_id}\t{rel}\t{text}")
