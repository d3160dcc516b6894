"""On-the-fly waveform augmentation on the GPU: every epoch hears each utterance differently.

Per utterance (before batching): speed perturbation, leading/trailing silence. Per batch: gain, additive real
noise at a random SNR, reverberation with synthetic room impulse responses, 8 kHz telephone band, clipping.
SpecAugment masks the features afterwards (train.py).
"""
import math
import random

import torch
import torchaudio.functional as AF

SAMPLE_RATE = 16000


class Augmenter:
    def __init__(self, noise: torch.Tensor, device, seed=0,
                 p_speed=0.5, p_silence=0.3, p_noise=0.5, p_reverb=0.3, p_telephone=0.15, p_clip=0.05):
        """noise: one long 1-D float tensor of real noise recordings concatenated (16 kHz)."""
        self.noise = noise.to(device)
        self.device = device
        self.rng = random.Random(seed)
        self.p = dict(speed=p_speed, silence=p_silence, noise=p_noise, reverb=p_reverb,
                      telephone=p_telephone, clip=p_clip)

    def utterance(self, x: torch.Tensor) -> torch.Tensor:
        r = self.rng
        if r.random() < self.p["speed"]:
            # (orig, new) with new/orig = 1/speed: resampling then playing at 16 kHz changes speed and pitch
            # together. Small integer ratios keep torchaudio's polyphase kernel short.
            orig, new = r.choice(((9, 10), (19, 20), (21, 20), (11, 10)))
            x = AF.resample(x, orig, new)
        if r.random() < self.p["silence"]:
            lead, trail = int(r.uniform(0, 0.4) * SAMPLE_RATE), int(r.uniform(0, 0.4) * SAMPLE_RATE)
            x = torch.nn.functional.pad(x, (lead, trail))
        return x

    def batch(self, wave: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        r = self.rng
        n, length = wave.shape
        valid = (torch.arange(length, device=wave.device)[None, :] < lengths[:, None]).float()
        gain_db = torch.empty(n, 1, device=wave.device).uniform_(-12, 6)
        wave = wave * (10 ** (gain_db / 20))
        for b in range(n):
            if r.random() < self.p["reverb"]:
                wave[b] = self._reverb(wave[b])
            if r.random() < self.p["noise"]:
                wave[b] = self._add_noise(wave[b], int(lengths[b]), snr_db=r.uniform(0, 30))
            if r.random() < self.p["telephone"]:
                narrow = AF.resample(wave[b], SAMPLE_RATE, 8000)
                narrow = torch.round(narrow * 127) / 127 if r.random() < 0.5 else narrow
                wave[b] = AF.resample(narrow, 8000, SAMPLE_RATE)[:length]
            if r.random() < self.p["clip"]:
                peak = wave[b].abs().max().clamp(min=1e-4)
                limit = float(peak) * r.uniform(0.2, 0.6)
                wave[b] = wave[b].clamp(-limit, limit)
        return (wave * valid).clamp(-1, 1)

    def _add_noise(self, x, n, snr_db):
        start = self.rng.randrange(0, max(1, self.noise.numel() - n))
        noise = self.noise[start:start + n]
        if noise.numel() < n:
            noise = noise.repeat(n // max(1, noise.numel()) + 1)[:n]
        p_sig = x[:n].square().mean().clamp(min=1e-8)
        p_noise = noise.square().mean().clamp(min=1e-8)
        scale = torch.sqrt(p_sig / (p_noise * 10 ** (snr_db / 10)))
        y = x.clone()
        y[:n] = x[:n] + scale * noise
        return y

    def _reverb(self, x):
        """Exponentially decaying noise as a room impulse response, RT60 0.15-0.8 s, direct path kept."""
        rt60 = self.rng.uniform(0.15, 0.8)
        size = int(min(rt60, 0.5) * SAMPLE_RATE)
        t = torch.arange(size, device=x.device) / SAMPLE_RATE
        rir = torch.randn(size, device=x.device) * torch.exp(-6.9 * t / rt60)
        rir[0] = 1.0 / self.rng.uniform(0.3, 1.0)
        rir = rir / rir.norm()
        wet = AF.fftconvolve(x, rir)[: x.numel()]
        return wet * (x.abs().max() / wet.abs().max().clamp(min=1e-6))


def spec_augment(feats: torch.Tensor, frames: torch.Tensor, rng: random.Random,
                 freq_masks=2, freq_width=15, time_masks=6, time_ratio=0.04):
    """Masks bands and spans with the utterance's mean (in place): robustness to channel and missing bits."""
    n, t, f = feats.shape
    for b in range(n):
        fill = feats[b, : int(frames[b])].mean()
        for _ in range(freq_masks):
            w = rng.randint(0, freq_width)
            s = rng.randint(0, f - w)
            feats[b, :, s:s + w] = fill
        width = max(1, int(time_ratio * int(frames[b])))
        for _ in range(time_masks):
            w = rng.randint(0, width)
            s = rng.randint(0, max(0, int(frames[b]) - w))
            feats[b, s:s + w, :] = fill
    return feats
