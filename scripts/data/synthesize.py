#!/usr/bin/env python3
"""Synthesize a text corpus with espeak-ng and flite into 16 kHz mono 16-bit WAVs.

  python3 scripts/data/synthesize.py --text FILE --out DIR --split train|heldout [--jobs 16]
      [--prefix /tmp/tts] [--limit N] [--seed 0]

--prefix is where espeak-ng and flite live: / for system packages, or the directory the .deb files were
unpacked into (see /work/shared/tools/device-debs). Each line of --text becomes DIR/wav/<k>/<index>.wav, with
a voice configuration drawn deterministically from voices.py (held-out configurations only for --split
heldout, never for train). DIR/manifest.tsv lists path (relative to DIR), text and voice, in input order.
WAVs already present are kept, so an interrupted run can simply be repeated.
Needs numpy; uses scipy.signal.resample_poly when available, else a windowed-sinc resampler in numpy.
"""
import argparse
import multiprocessing
import os
import re
import struct
import subprocess
import sys
import time
import wave
from math import gcd

import numpy as np

sys.dont_write_bytecode = True  # keep scripts/data free of __pycache__ in the synced tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from voices import HELD_OUT, VoiceConfig, configurations, draw  # noqa: E402

SAMPLE_RATE = 16000
SYNTH_TIMEOUT_S = 60

try:
    from scipy.signal import resample_poly as _scipy_resample_poly
except ImportError:  # the appliance's build machine may lack scipy; numpy alone is enough
    _scipy_resample_poly = None


class SynthesisError(RuntimeError):
    pass


# Tools -------------------------------------------------------------------------------------------------------

class Tools:
    """Command lines and environment for espeak-ng / flite installed under a prefix."""

    def __init__(self, prefix: str):
        self.prefix = prefix
        self.espeak = os.path.join(prefix, "usr/bin/espeak-ng")
        self.flite = os.path.join(prefix, "usr/bin/flite")
        self.env = dict(os.environ)
        self.espeak_path_args = []
        if os.path.realpath(prefix) != "/":
            libs = [os.path.join(prefix, p) for p in ("usr/lib/x86_64-linux-gnu", "lib/x86_64-linux-gnu",
                                                      "usr/lib/x86_64-linux-gnu/pulseaudio")]
            self.env["LD_LIBRARY_PATH"] = ":".join(libs + [self.env.get("LD_LIBRARY_PATH", "")]).rstrip(":")
            self.espeak_path_args = [f"--path={os.path.join(prefix, 'usr/lib/x86_64-linux-gnu/espeak-ng-data')}"]

    def run(self, cmd, what: str) -> bytes:
        try:
            done = subprocess.run(cmd, env=self.env, capture_output=True, timeout=SYNTH_TIMEOUT_S)
        except FileNotFoundError as e:
            raise SynthesisError(f"{cmd[0]} not found (is --prefix {self.prefix} right?)") from e
        except subprocess.TimeoutExpired as e:
            raise SynthesisError(f"{what}: timed out after {SYNTH_TIMEOUT_S}s") from e
        if done.returncode != 0:
            raise SynthesisError(f"{what}: exit {done.returncode}: {done.stderr.decode(errors='replace')[-500:]}")
        return done.stdout

    def command(self, config: VoiceConfig, text: str):
        if config.engine == "espeak-ng":
            return [self.espeak, *self.espeak_path_args, "-v", f"{config.voice}+{config.variant}",
                    "-s", str(config.rate), "-p", str(config.pitch), "--stdout", text]
        return [self.flite, "-voice", config.voice, "--setf", f"duration_stretch={config.stretch}",
                "--setf", f"int_f0_target_mean={config.f0}", "-t", text, "-o", "/dev/stdout"]

    def check(self, split: str) -> None:
        """Fail before starting the pool if a configured voice is missing from the installed tools."""
        espeak, flite = configurations(split)
        if espeak:
            listed = self.run([self.espeak, *self.espeak_path_args, "--voices=en"], "espeak-ng --voices")
            languages = {line.split()[1] for line in listed.decode().splitlines()[1:] if line.split()}
            variants_out = self.run([self.espeak, *self.espeak_path_args, "--voices=variant"], "espeak-ng --voices")
            variants = {line.split()[-1].split("/")[-1] for line in variants_out.decode().splitlines()[1:]
                        if line.split()}
            for _, voice, variant in espeak:
                if voice not in languages:
                    raise SynthesisError(f"espeak-ng has no voice {voice}")
                if variant not in variants:
                    raise SynthesisError(f"espeak-ng has no variant {variant}")
        if flite:
            available = self.run([self.flite, "-lv"], "flite -lv").decode().split(":")[-1].split()
            for _, voice, _ in flite:
                if voice not in available:
                    raise SynthesisError(f"flite has no voice {voice}")


# Audio -------------------------------------------------------------------------------------------------------

def parse_wav(data: bytes):
    """RIFF bytes -> (int16 samples, rate). Tolerates the streaming sizes espeak-ng writes to a pipe."""
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise SynthesisError("synthesizer did not produce a WAV")
    pos, rate = 12, None
    while pos + 8 <= len(data):
        chunk, size = data[pos:pos + 4], struct.unpack("<I", data[pos + 4:pos + 8])[0]
        body = pos + 8
        if chunk == b"fmt ":
            fmt, channels, rate, _, _, bits = struct.unpack("<HHIIHH", data[body:body + 16])
            if fmt != 1 or channels != 1 or bits != 16:
                raise SynthesisError(f"unexpected WAV format {fmt}/{channels}ch/{bits}bit")
        elif chunk == b"data":
            if rate is None:
                raise SynthesisError("WAV data before fmt")
            end = min(len(data), body + size)
            end -= (end - body) % 2
            return np.frombuffer(data[body:end], dtype="<i2"), rate
        pos = body + size + (size & 1)
    raise SynthesisError("WAV without data")


def _resample_numpy(x: np.ndarray, rate_in: int, rate_out: int, half_width: int = 16) -> np.ndarray:
    """Hann-windowed sinc interpolation, low-passed at the lower Nyquist."""
    ratio = rate_out / rate_in
    cutoff = min(1.0, ratio)
    n_out = int(np.ceil(len(x) * ratio))
    taps = np.arange(-half_width + 1, half_width + 1)
    out = np.empty(n_out, dtype=np.float64)
    for start in range(0, n_out, 32768):
        t = np.arange(start, min(n_out, start + 32768)) / ratio
        base = np.floor(t).astype(np.int64)
        idx = base[:, None] + taps[None, :]
        dist = t[:, None] - idx
        weights = cutoff * np.sinc(cutoff * dist) * (0.5 + 0.5 * np.cos(np.pi * dist / half_width))
        valid = (idx >= 0) & (idx < len(x))
        out[start:start + len(t)] = (np.where(valid, x[np.clip(idx, 0, len(x) - 1)], 0.0) * weights).sum(axis=1)
    return out


def resample(x: np.ndarray, rate_in: int, rate_out: int = SAMPLE_RATE) -> np.ndarray:
    if rate_in == rate_out:
        return x
    if _scipy_resample_poly is not None:
        g = gcd(rate_in, rate_out)
        return _scipy_resample_poly(x, rate_out // g, rate_in // g)
    return _resample_numpy(x, rate_in, rate_out)


def to_pcm16(samples: np.ndarray, rate: int, peak_dbfs: float) -> np.ndarray:
    x = resample(samples.astype(np.float64) / 32768.0, rate)
    peak = float(np.max(np.abs(x))) if len(x) else 0.0
    if peak == 0.0:
        raise SynthesisError("synthesizer produced silence")
    x *= (10 ** (peak_dbfs / 20)) / peak
    return np.clip(np.round(x * 32767), -32768, 32767).astype("<i2")


def write_wav(path: str, pcm: np.ndarray) -> None:
    tmp = path + ".part"
    with wave.open(tmp, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SAMPLE_RATE)
        w.writeframes(pcm.tobytes())
    os.replace(tmp, path)


# Work --------------------------------------------------------------------------------------------------------

_tools = None


def _init_worker(prefix: str) -> None:
    global _tools
    _tools = Tools(prefix)


def wav_relpath(index: int) -> str:
    return f"wav/{index // 1000:04d}/{index:07d}.wav"


def synthesize_one(task):
    out_dir, split, seed, index, text = task
    config = draw(split, seed, index, text)
    rel = wav_relpath(index)
    path = os.path.join(out_dir, rel)
    if not (os.path.exists(path) and os.path.getsize(path) > 44):
        samples, rate = parse_wav(_tools.run(_tools.command(config, text), f"line {index + 1}: {config.describe()}"))
        write_wav(path, to_pcm16(samples, rate, config.peak_dbfs))
    return rel, text, config.describe()


SPOKEN_LINE = re.compile(r"[a-z']+( [a-z']+)*")


def read_lines(path: str, limit):
    """Non-empty lines of a make_text.py corpus; each is the exact transcript, so it must be in the alphabet."""
    with open(path, encoding="utf-8") as f:
        lines = [(n, line.strip()) for n, line in enumerate(f, 1)]
    lines = [(n, line) for n, line in lines if line]
    if limit is not None:
        lines = lines[:limit]
    for n, line in lines:
        if not SPOKEN_LINE.fullmatch(line):
            raise SynthesisError(f"{path}:{n}: not normalised spoken text (a-z, space, apostrophe): {line[:80]!r}")
    return [line for _, line in lines]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--text", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--split", choices=("train", "heldout"), required=True)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--prefix", default="/tmp/tts", help="where espeak-ng/flite are installed (/ = system)")
    parser.add_argument("--limit", type=int, help="only the first N lines")
    parser.add_argument("--seed", type=int, default=0, help="voice draw seed")
    args = parser.parse_args(argv)
    if args.jobs < 1:
        parser.error("--jobs must be >= 1")

    tools = Tools(args.prefix)
    try:
        lines = read_lines(args.text, args.limit)
        tools.check(args.split)
    except SynthesisError as e:
        print(f"synthesize: {e}", file=sys.stderr)
        return 2
    for i in range(0, len(lines), 1000):
        os.makedirs(os.path.join(args.out, os.path.dirname(wav_relpath(i))), exist_ok=True)

    tasks = [(args.out, args.split, args.seed, i, text) for i, text in enumerate(lines)]
    started = time.monotonic()
    rows = []
    try:
        with multiprocessing.Pool(args.jobs, initializer=_init_worker, initargs=(args.prefix,)) as pool:
            for n, row in enumerate(pool.imap(synthesize_one, tasks, chunksize=8), 1):
                rows.append(row)
                if n % 2000 == 0:
                    print(f"{n}/{len(tasks)} in {time.monotonic() - started:.0f}s", file=sys.stderr)
    except SynthesisError as e:
        print(f"synthesize: {e}", file=sys.stderr)
        return 1
    elapsed = time.monotonic() - started

    manifest = os.path.join(args.out, "manifest.tsv")
    with open(manifest + ".part", "w", encoding="utf-8") as f:
        f.write("path\ttext\tvoice\n")
        f.writelines(f"{rel}\t{text}\t{voice}\n" for rel, text, voice in rows)
    os.replace(manifest + ".part", manifest)
    held_out = ", ".join("+".join(p for p in c[1:] if p) for c in HELD_OUT)
    print(f"synthesized {len(rows)} utterances ({args.split}; held-out voices: {held_out}) in {elapsed:.1f}s "
          f"with {args.jobs} jobs ({len(rows) / max(elapsed, 1e-9):.1f}/s) -> {manifest}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
