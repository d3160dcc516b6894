"""Packs what a GPU run needs into one tar cut into chunks that each fit beside the tree in a device call
(64 MiB in all, the tree ~40 MB): the TTS/Opus tools, speech.tsv, the noise and the TRAINING part of the real
speech (held-out recordings stay here: evaluation runs on this machine). `recipe.sh stage` joins them there.

  python3 scripts/train/stage_bundle.py --data ../shared/data --tools TTS_ROOT.tar.xz --out .device/stage \
      [--chunk-mib 23] [--skip-corpus NAME ...]
"""
import argparse
import io
import os
import sys
import tarfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "data"))
from split import is_held_out, read_speech_tsv  # noqa: E402


class ChunkWriter(io.RawIOBase):
    """A write-only stream that cuts what it is given into files OUT/stageN/chunk.NNN of at most `size` bytes."""

    def __init__(self, out, size):
        self.out, self.size, self.index, self.used, self.file = out, size, 0, 0, None

    def writable(self):
        return True

    def write(self, data):
        data = memoryview(data)
        written = 0
        while written < len(data):
            if self.file is None or self.used == self.size:
                if self.file:
                    self.file.close()
                self.index += 1
                folder = f"{self.out}{self.index}"
                os.makedirs(folder, exist_ok=True)
                self.file = open(os.path.join(folder, f"chunk.{self.index:03d}"), "wb")
                self.used = 0
            take = min(self.size - self.used, len(data) - written)
            self.file.write(data[written:written + take])
            self.used += take
            written += take
        return written

    def close(self):
        if self.file:
            self.file.close()
        super().close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--tools", required=True, help="tar.xz of the unpacked opus-tools/espeak-ng/flite .debs")
    ap.add_argument("--out", required=True, help="prefix: OUT1, OUT2, ... one folder per device call")
    ap.add_argument("--chunk-mib", type=float, default=23)
    ap.add_argument("--skip-corpus", action="append", default=[])
    args = ap.parse_args()
    tsv = os.path.join(args.data, "speech.tsv")
    files = ["speech.tsv"] + [os.path.join("noise", f) for f in sorted(os.listdir(os.path.join(args.data, "noise")))]
    held = 0
    for corpus, utt_id, rel, text in read_speech_tsv(tsv):
        if corpus in args.skip_corpus:
            continue
        if is_held_out(corpus, utt_id, text):
            held += 1
            continue
        files.append(rel)
    writer = ChunkWriter(args.out, int(args.chunk_mib * 1024 * 1024))
    with tarfile.open(fileobj=writer, mode="w|") as tar:
        tar.add(args.tools, arcname="tts-root.tar.xz")
        for rel in files:
            tar.add(os.path.join(args.data, rel), arcname=os.path.join("data", rel))
    writer.close()
    print(f"{len(files)} files ({held} held-out recordings left out) in {writer.index} chunks under {args.out}N")


if __name__ == "__main__":
    main()
