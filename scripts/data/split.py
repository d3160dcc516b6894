"""The one train / held-out split of the real speech in ../shared/data, shared by training and evaluation.

Held out: four whole LibriSpeech speakers (unseen voices), Common Voice sentences whose text hashes into
bucket 0 of 16 (unseen sentences and voices), the last LJSpeech clips LJ002-0150 onwards, and whole
speechocean762 speakers whose id hashes into bucket 0 of 10 (about 25 of 250; unseen voices, but the corpus
reuses its prompts across speakers, so most of their sentences were read by training speakers too).
"""
import hashlib

HELD_OUT_LIBRISPEECH_SPEAKERS = frozenset({"32", "226", "1737", "7312"})
COMMONVOICE_BUCKETS = 16
LJSPEECH_FIRST_HELD_OUT = "LJ002-0150"
SPEECHOCEAN_BUCKETS = 10


def _bucket(key: str, buckets: int) -> int:
    return hashlib.sha1(key.encode("utf-8")).digest()[0] % buckets


def is_held_out(corpus: str, utt_id: str, text: str) -> bool:
    if corpus == "librispeech":
        return utt_id.split("-")[0] in HELD_OUT_LIBRISPEECH_SPEAKERS
    if corpus == "commonvoice":
        return _bucket(text.strip().lower(), COMMONVOICE_BUCKETS) == 0
    if corpus == "ljspeech":
        return utt_id >= LJSPEECH_FIRST_HELD_OUT
    if corpus == "speechocean762":
        return _bucket(speechocean_speaker(utt_id), SPEECHOCEAN_BUCKETS) == 0
    raise ValueError(f"unknown corpus {corpus!r}")


def speechocean_speaker(utt_id: str) -> str:
    """speechocean762 ids are SSSS + utterance number (000010011: speaker 0001)."""
    return utt_id[1:5] if len(utt_id) == 9 else utt_id[:4]


def read_speech_tsv(path: str):
    """Yields (corpus, id, relative_path, text) rows of speech.tsv."""
    with open(path, encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        if header[:4] != ["corpus", "id", "path", "text"]:
            raise ValueError(f"{path}: unexpected header {header}")
        for line in f:
            corpus, utt_id, rel, text = line.rstrip("\n").split("\t", 3)
            yield corpus, utt_id, rel, text
