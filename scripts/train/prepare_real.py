"""Decodes the real speech and noise of ../shared/data (as carried to the GPU machine) to 16 kHz WAV and writes
train / held-out manifests with normalised transcripts, using the one split in scripts/data/split.py.

  python3 scripts/train/prepare_real.py --data DIR --tsv DIR/speech.tsv --work /tmp/work \
      [--decoder /tmp/tts/usr/bin/opusdec | --decoder ffmpeg] [--limit N]

Only utterances whose .opus file is present under DIR are decoded, so the data can arrive over several calls;
rerunning appends what is new.
"""
import argparse
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "data"))
from make_text import normalise  # noqa: E402
from split import is_held_out, read_speech_tsv  # noqa: E402


def decode(decoder, src, dst):
    if os.path.exists(dst):
        return True
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    tmp = dst + ".tmp.wav"
    if os.path.basename(decoder) == "ffmpeg":
        cmd = [decoder, "-nostdin", "-v", "error", "-y", "-i", src, "-ar", "16000", "-ac", "1", "-c:a", "pcm_s16le", tmp]
    else:
        cmd = [decoder, "--quiet", "--rate", "16000", src, tmp]
    result = subprocess.run(cmd, capture_output=True)
    if result.returncode != 0:
        print(f"{os.path.basename(decoder)} failed on {src}: {result.stderr.decode()[-300:]}", file=sys.stderr)
        return False
    os.replace(tmp, dst)
    return True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", action="append", required=True, help="carried copy of shared/data (repeatable)")
    ap.add_argument("--tsv", required=True, help="speech.tsv")
    ap.add_argument("--work", required=True)
    ap.add_argument("--decoder", "--opusdec", default="opusdec", help="opusdec or ffmpeg (path or name)")
    ap.add_argument("--limit", type=int, default=0, help="at most this many utterances per split, spread over the"
                    " list (smoke tests)")
    ap.add_argument("--jobs", type=int, default=16)
    args = ap.parse_args()
    jobs, rows, listed = [], {"train": [], "heldout": []}, {"train": [], "heldout": []}
    for corpus, utt_id, rel, text in read_speech_tsv(args.tsv):
        src = next((os.path.join(d, rel) for d in args.data if os.path.exists(os.path.join(d, rel))), None)
        if src is not None:
            listed["heldout" if is_held_out(corpus, utt_id, text) else "train"].append((corpus, rel, text, src))
    for split, entries in listed.items():
        if args.limit and len(entries) > args.limit:
            entries = entries[:: len(entries) // args.limit][: args.limit]
        for corpus, rel, text, src in entries:
            dst = os.path.join(args.work, "real", rel[: -len(".opus")] + ".wav")
            jobs.append((src, dst))
            rows[split].append(f"{dst}\t{normalise(text)}\t{corpus}\n")
    for d in args.data:
        noise_dir = os.path.join(d, "noise")
        if os.path.isdir(noise_dir):
            for name in sorted(os.listdir(noise_dir)):
                if name.endswith(".opus"):
                    jobs.append((os.path.join(noise_dir, name), os.path.join(args.work, "noise", name[:-5] + ".wav")))
    with ThreadPoolExecutor(args.jobs) as pool:
        ok = list(pool.map(lambda j: decode(args.decoder, *j), jobs))
    failed = {dst for (src, dst), good in zip(jobs, ok) if not good}
    for split, lines in rows.items():
        lines = [l for l in lines if l.split("\t", 1)[0] not in failed]
        with open(os.path.join(args.work, f"real-{split}.tsv"), "w", encoding="utf-8") as f:
            f.writelines(lines)
        print(f"{split}: {len(lines)} utterances")
    print(f"decoded {len(jobs) - len(failed)} files, {len(failed)} failed")


if __name__ == "__main__":
    main()
