"""On-the-fly waveform augmentation on the GPU, vectorised over the batch: every epoch hears each utterance
differently, at a cost of a few dozen kernels per step.

Speed perturbation (one factor per batch), leading/trailing silence, gain, reverberation with synthetic room
impulse responses, additive real noise at a random SNR, 8 kHz telephone band, clipping. SpecAugment masks the
features afterwards.
"""
import random

import torch
import torchaudio.functional as AF

SAMPLE_RATE = 16000
# (orig, new) with new/orig = 1/speed; small integers keep torchaudio's polyphase kernel short.
SPEED_RATIOS = ((9, 10), (19, 20), (21, 20), (11, 10))
MAX_SPEEDUP = max(new / orig for orig, new in SPEED_RATIOS)  # the most an utterance can grow by resampling
MAX_SILENCE_SECONDS = 0.4  # at each end
MAX_SILENCE_SAMPLES = int(2 * MAX_SILENCE_SECONDS * SAMPLE_RATE)


def _fft_convolve(wave, rir):
    """Each row of wave convolved with its row of rir, truncated to wave's length (torchaudio's fftconvolve,
    which torchaudio 0.13 lacks)."""
    n = wave.shape[1] + rir.shape[1] - 1
    size = 1 << (n - 1).bit_length()
    out = torch.fft.irfft(torch.fft.rfft(wave, size) * torch.fft.rfft(rir, size), size)
    return out[:, : wave.shape[1]]


def _rows(p, n, device):
    """Which rows of the batch get an augmentation applied with probability p: [n, 1] bool."""
    return (torch.rand(n, 1, device=device) < p)


class Augmenter:
    def __init__(self, noise: torch.Tensor, device, seed=0,
                 p_speed=0.5, p_silence=0.3, p_noise=0.5, p_reverb=0.3, p_telephone=0.15, p_clip=0.05):
        """noise: one long 1-D float tensor of real noise recordings concatenated (16 kHz)."""
        self.noise = noise.to(device)
        self.device = device
        self.rng = random.Random(seed)
        self.host = torch.Generator().manual_seed(seed)  # draws that change lengths are made on the host
        self.p = dict(speed=p_speed, silence=p_silence, noise=p_noise, reverb=p_reverb,
                      telephone=p_telephone, clip=p_clip)

    def state(self):
        return {"rng": self.rng.getstate(), "host": self.host.get_state()}

    def restore(self, state):
        self.rng.setstate(state["rng"])
        self.host.set_state(state["host"])

    def __call__(self, wave: torch.Tensor, lengths: torch.Tensor):
        """wave [B, L] zero-padded on the device, lengths [B] on the host; returns the augmented batch and its new
        lengths (host), without waiting for the device."""
        if self.rng.random() < self.p["speed"]:
            orig, new = self.rng.choice(SPEED_RATIOS)
            wave = AF.resample(wave, orig, new)
            lengths = torch.div(lengths * new + orig - 1, orig, rounding_mode="floor").clamp(max=wave.shape[1])
        wave, lengths = self._silence(wave, lengths)
        n, length = wave.shape
        dev = wave.device
        lengths_dev = lengths.to(dev, non_blocking=True)
        valid = torch.arange(length, device=dev)[None, :] < lengths_dev[:, None]
        wave = wave * (10 ** (torch.empty(n, 1, device=dev).uniform_(-12, 6) / 20))
        wave = torch.where(_rows(self.p["reverb"], n, dev), self._reverb(wave), wave)
        wave = torch.where(_rows(self.p["noise"], n, dev), self._noisy(wave, lengths_dev, valid), wave)
        wave = torch.where(_rows(self.p["telephone"], n, dev), self._telephone(wave), wave)
        wave = torch.where(_rows(self.p["clip"], n, dev), self._clipped(wave), wave)
        return (wave * valid).clamp(-1, 1), lengths

    def _silence(self, wave, lengths):
        n, length = wave.shape
        dev = wave.device
        on = torch.rand(n, generator=self.host) < self.p["silence"]
        lead = (torch.rand(n, generator=self.host) * MAX_SILENCE_SECONDS * SAMPLE_RATE).long() * on
        trail = (torch.rand(n, generator=self.host) * MAX_SILENCE_SECONDS * SAMPLE_RATE).long() * on
        new_lengths = lengths + lead + trail
        width = max(length, int(new_lengths.max()))  # keeps the caller's padding (a few shapes)
        # The [B, width] index is built on the device from B offsets, not copied from the host.
        pos = torch.arange(width, device=dev)[None, :]
        src = pos - lead.to(dev, non_blocking=True)[:, None]
        keep = (src >= 0) & (src < lengths.to(dev, non_blocking=True)[:, None])
        return wave.gather(1, src.clamp(0, length - 1)) * keep, new_lengths

    def _reverb(self, wave):
        """Exponentially decaying noise as a room impulse response, RT60 0.15-0.8 s, direct path kept."""
        n, dev = wave.shape[0], wave.device
        rt60 = torch.empty(n, 1, device=dev).uniform_(0.15, 0.8)
        size = SAMPLE_RATE // 2
        t = torch.arange(size, device=dev)[None, :] / SAMPLE_RATE
        rir = torch.randn(n, size, device=dev) * torch.exp(-6.9 * t / rt60)
        rir[:, 0] = 1.0 / torch.empty(n, device=dev).uniform_(0.3, 1.0)
        rir = rir / rir.norm(dim=1, keepdim=True)
        wet = _fft_convolve(wave, rir)
        peak_in = wave.abs().amax(dim=1, keepdim=True)
        return wet * (peak_in / wet.abs().amax(dim=1, keepdim=True).clamp(min=1e-6))

    def _noisy(self, wave, lengths, valid):
        n, length = wave.shape
        dev = wave.device
        starts = torch.randint(0, self.noise.numel(), (n, 1), device=dev)
        noise = self.noise[(starts + torch.arange(length, device=dev)[None, :]) % self.noise.numel()] * valid
        count = lengths[:, None].clamp(min=1)
        p_sig = (wave.square().sum(1, keepdim=True) / count).clamp(min=1e-8)
        p_noise = (noise.square().sum(1, keepdim=True) / count).clamp(min=1e-8)
        snr_db = torch.empty(n, 1, device=dev).uniform_(0, 30)
        return wave + torch.sqrt(p_sig / (p_noise * 10 ** (snr_db / 10))) * noise

    def _telephone(self, wave):
        narrow = AF.resample(wave, 2, 1)
        if self.rng.random() < 0.5:
            narrow = torch.round(narrow * 127) / 127  # coarse quantisation, as cheap codecs do
        return AF.resample(narrow, 1, 2)[:, : wave.shape[1]]

    def _clipped(self, wave):
        limit = wave.abs().amax(dim=1, keepdim=True).clamp(min=1e-4) * torch.empty(
            wave.shape[0], 1, device=wave.device).uniform_(0.2, 0.6)
        return torch.maximum(torch.minimum(wave, limit), -limit)


def spec_augment(feats: torch.Tensor, frames: torch.Tensor, freq_masks=2, freq_width=15, time_masks=6,
                 time_ratio=0.04):
    """Masks frequency bands and time spans with the utterance's mean: robustness to channel and dropouts."""
    n, t, f = feats.shape
    dev = feats.device
    valid = (torch.arange(t, device=dev)[None, :] < frames[:, None]).unsqueeze(-1)
    fill = (feats * valid).sum((1, 2)) / (frames.clamp(min=1) * f)
    fw = torch.randint(0, freq_width + 1, (n, freq_masks), device=dev)
    fs = (torch.rand(n, freq_masks, device=dev) * (f - fw + 1)).long()
    bins = torch.arange(f, device=dev)[None, None, :]
    fmask = ((bins >= fs[..., None]) & (bins < (fs + fw)[..., None])).any(1)
    tmax = (time_ratio * frames).long().clamp(min=1)
    tw = (torch.rand(n, time_masks, device=dev) * (tmax[:, None] + 1)).long()
    ts = (torch.rand(n, time_masks, device=dev) * (frames[:, None] - tw + 1).clamp(min=1)).long()
    steps = torch.arange(t, device=dev)[None, None, :]
    tmask = ((steps >= ts[..., None]) & (steps < (ts + tw)[..., None])).any(1)
    mask = fmask[:, None, :] | tmask[:, :, None]
    return torch.where(mask, fill[:, None, None], feats)
