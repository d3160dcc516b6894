"""Batched Kaldi log-mel filterbank in PyTorch, numerically the same as torchaudio.compliance.kaldi.fbank
(use_energy=False, use_log_fbank=True, use_power=True, round_to_power_of_two=True, dither=0) and therefore
as hushscribe's native fbank. torchaudio's function takes one utterance at a time; this one takes a padded
batch on the GPU, which is what makes on-the-fly augmentation affordable during training.
"""
import math

import torch

# The options hushscribe models are trained with; the same block goes into every manifest.json.
KALDI_OPTIONS = {
    "kind": "kaldi-fbank",
    "sampleRate": 16000,
    "numBins": 80,
    "frameLengthMs": 25.0,
    "frameShiftMs": 10.0,
    "preemphasis": 0.97,
    "removeDcOffset": True,
    "window": "povey",
    "dither": 0.0,
    "snipEdges": False,
    "lowFreq": 20.0,
    "highFreq": -400.0,
    "energyFloor": 0.0,
}

EPSILON = torch.finfo(torch.float32).eps
LOG_FLOOR = float(torch.tensor(EPSILON).log())  # the value of a silent bin, also used to pad batches


def torchaudio_kwargs(opts=KALDI_OPTIONS):
    """The same options in torchaudio.compliance.kaldi.fbank's names."""
    return dict(
        sample_frequency=opts["sampleRate"],
        num_mel_bins=opts["numBins"],
        frame_length=opts["frameLengthMs"],
        frame_shift=opts["frameShiftMs"],
        preemphasis_coefficient=opts["preemphasis"],
        remove_dc_offset=opts["removeDcOffset"],
        window_type={"hann": "hanning"}.get(opts["window"], opts["window"]),
        dither=opts["dither"],
        snip_edges=opts["snipEdges"],
        low_freq=opts["lowFreq"],
        high_freq=opts["highFreq"],
        energy_floor=opts["energyFloor"],
    )


class BatchedKaldiFbank(torch.nn.Module):
    def __init__(self, opts=KALDI_OPTIONS):
        super().__init__()
        if opts["window"] != "povey" or opts["snipEdges"] or opts["dither"] != 0:
            raise ValueError("BatchedKaldiFbank implements the training options only (povey, snipEdges false, no dither)")
        sr = opts["sampleRate"]
        self.shift = int(sr * opts["frameShiftMs"] / 1000)
        self.size = int(sr * opts["frameLengthMs"] / 1000)
        self.nfft = 1 << math.ceil(math.log2(self.size))
        self.preemph = opts["preemphasis"]
        self.remove_dc = opts["removeDcOffset"]
        if self.size // 2 - self.shift // 2 <= 0:
            raise ValueError("frame shift too large for snipEdges=false padding")
        window = torch.hann_window(self.size, periodic=False, dtype=torch.float64).pow(0.85).float()
        import torchaudio  # here, so that export.py (KALDI_OPTIONS only) runs where torchaudio is not installed

        banks, _ = torchaudio.compliance.kaldi.get_mel_banks(
            opts["numBins"], self.nfft, float(sr), opts["lowFreq"], opts["highFreq"], 100.0, -500.0, 1.0)
        banks = torch.nn.functional.pad(banks.float(), (0, 1))  # [bins, nfft/2 + 1]
        self.register_buffer("window", window, persistent=False)
        self.register_buffer("banks_t", banks.t().contiguous(), persistent=False)

    def num_frames(self, lengths: torch.Tensor) -> torch.Tensor:
        return (lengths + self.shift // 2) // self.shift

    def forward(self, wave: torch.Tensor, lengths: torch.Tensor):
        """wave: [B, L] float32 in [-1, 1], zero-padded; lengths: [B] samples (each >= the reflected padding,
        120 samples), best on the host (device lengths cost a wait). Returns ([B, T, bins], frames [B], host)."""
        pad = self.size // 2 - self.shift // 2
        lengths = lengths.cpu()
        frames = self.num_frames(lengths)
        need = (int(frames.max()) - 1) * self.shift + self.size
        # Kaldi's snip_edges=false framing: `pad` samples reflected in front, the reversed signal behind.
        pos = torch.arange(need, device=wave.device)[None, :] - pad
        n = lengths.to(wave.device, non_blocking=True)[:, None]
        src = torch.where(pos < 0, -pos - 1, torch.where(pos < n, pos, 2 * n - 1 - pos))
        padded = wave.gather(1, src.clamp(0, wave.shape[1] - 1)) * (src >= 0)
        strided = padded.unfold(1, self.size, self.shift).float()  # [B, T, size]
        if self.remove_dc:
            strided = strided - strided.mean(dim=2, keepdim=True)
        prev = torch.cat((strided[:, :, :1], strided[:, :, :-1]), dim=2)
        strided = (strided - self.preemph * prev) * self.window
        spectrum = torch.fft.rfft(strided, n=self.nfft, dim=2)
        power = spectrum.real.square() + spectrum.imag.square()
        mel = torch.matmul(power, self.banks_t)
        feats = torch.clamp(mel, min=EPSILON).log()
        return feats, frames
