"""The one train / held-out split of the real speech in ../shared/data, shared by training and evaluation.

Held out: four whole LibriSpeech speakers (unseen voices), Common Voice sentences whose text hashes into
bucket 0 of 16 (unseen sentences and voices), and the last LJSpeech clips LJ002-0150 onwards.
"""
import hashlib

HELD_OUT_LIBRISPEECH_SPEAKERS = frozenset({"32", "226", "1737", "7312"})
COMMONVOICE_BUCKETS = 16
LJSPEECH_FIRST_HELD_OUT = "LJ002-0150"


def is_held_out(corpus: str, utt_id: str, text: str) -> bool:
    if corpus == "librispeech":
        return utt_id.split("-")[0] in HELD_OUT_LIBRISPEECH_SPEAKERS
    if corpus == "commonvoice":
        digest = hashlib.sha1(text.strip().lower().encode("utf-8")).digest()
        return digest[0] % COMMONVOICE_BUCKETS == 0
    if corpus == "ljspeech":
        return utt_id >= LJSPEECH_FIRST_HELD_OUT
    raise ValueError(f"unknown corpus {corpus!r}")


def read_speech_tsv(path: str):
    """Yields (corpus, id, relative_path, text) rows of speech.tsv."""
    with open(path, encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        if header[:4] != ["corpus", "id", "path", "text"]:
            raise ValueError(f"{path}: unexpected header {header}")
        for line in f:
            corpus, utt_id, rel, text = line.rstrip("\n").split("\t", 3)
            yield corpus, utt_id, rel, text
