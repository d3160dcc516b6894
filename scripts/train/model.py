"""hushscribe's acoustic model: a Conformer encoder with multi-head self-attention and a character CTC head.

Each attention layer keeps its heads as explicit slices of the Q/K/V/O projections, with a per-layer head
count, so that a pruned variant can drop heads structurally (smaller matrices in the exported graph).
Positions are rotary (RoPE): no learned table, any length, exports cleanly to ONNX.
"""
import math
from dataclasses import asdict, dataclass, field

import torch
from torch import nn
import torch.nn.functional as F

# The model's alphabet. tokens.txt: "<blk> 0", "▁ 1" (word boundary), then these letters.
BLANK = "<blk>"
WORD_BOUNDARY = "\u2581"
LETTERS = list("abcdefghijklmnopqrstuvwxyz'")
TOKENS = [BLANK, WORD_BOUNDARY] + LETTERS
TOKEN_ID = {t: i for i, t in enumerate(TOKENS)}


def encode_text(text: str):
    """Spoken-form text (a-z, apostrophe, single spaces) to token ids."""
    ids = []
    for word in text.split():
        if ids:
            ids.append(TOKEN_ID[WORD_BOUNDARY])
        ids.extend(TOKEN_ID[c] for c in word if c in TOKEN_ID)
    return ids


@dataclass
class ModelConfig:
    num_bins: int = 80
    d_model: int = 256
    num_layers: int = 10
    heads: list = field(default_factory=lambda: [8] * 10)  # per layer
    head_dim: int = 32
    ff_dim: int = 1024
    ff_dims: list = None  # per layer override (pruned FFN), else ff_dim
    conv_kernel: int = 15
    subsampling_channels: int = 128
    dropout: float = 0.1
    vocab: int = len(TOKENS)

    def to_dict(self):
        return asdict(self)


def subsampled_lengths(lengths: torch.Tensor) -> torch.Tensor:
    """Two 3x3 stride-2 convolutions without time padding."""
    t = torch.div(lengths - 3, 2, rounding_mode="floor") + 1
    return torch.div(t - 3, 2, rounding_mode="floor") + 1


class Subsampling(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        c = cfg.subsampling_channels
        self.conv = nn.Sequential(nn.Conv2d(1, c, 3, stride=2), nn.SiLU(), nn.Conv2d(c, c, 3, stride=2), nn.SiLU())
        freq = ((cfg.num_bins - 3) // 2 + 1 - 3) // 2 + 1
        self.out = nn.Linear(c * freq, cfg.d_model)

    def forward(self, x):  # [N, T, F] -> [N, T', d]
        x = self.conv(x.unsqueeze(1))  # [N, C, T', F']
        n, c, t, f = x.shape
        return self.out(x.transpose(1, 2).reshape(n, t, c * f))


def rotary(x, cos, sin):
    """x: [N, H, T, D]; rotates pairs (even, odd) of the head dimension."""
    x1, x2 = x[..., 0::2], x[..., 1::2]
    return torch.stack((x1 * cos - x2 * sin, x1 * sin + x2 * cos), dim=-1).flatten(-2)


def _attention(q, k, v, mask, dropout_p):
    """PyTorch's fused attention where it exists (2.0+); the same arithmetic spelled out for Debian's torch 1.13,
    which runs the CPU smoke test."""
    if hasattr(F, "scaled_dot_product_attention"):
        return F.scaled_dot_product_attention(q, k, v, attn_mask=mask, dropout_p=dropout_p)
    scores = (q @ k.transpose(-2, -1)) / math.sqrt(q.shape[-1])
    weights = F.dropout(scores.masked_fill(~mask, float("-inf")).softmax(-1), dropout_p)
    return weights @ v


class MultiHeadSelfAttention(nn.Module):
    def __init__(self, d_model, heads, head_dim, dropout):
        super().__init__()
        self.heads, self.head_dim = heads, head_dim
        inner = heads * head_dim
        self.q = nn.Linear(d_model, inner)
        self.k = nn.Linear(d_model, inner)
        self.v = nn.Linear(d_model, inner)
        self.o = nn.Linear(inner, d_model)
        self.dropout = dropout
        # Multiplies each head's output; all ones in a trained model, used to score head importance.
        self.register_buffer("head_gate", torch.ones(heads), persistent=False)

    def forward(self, x, cos, sin, key_mask):
        n, t, _ = x.shape
        shape = (n, t, self.heads, self.head_dim)
        q = rotary(self.q(x).view(shape).transpose(1, 2), cos, sin)
        k = rotary(self.k(x).view(shape).transpose(1, 2), cos, sin)
        v = self.v(x).view(shape).transpose(1, 2)
        y = _attention(q, k, v, key_mask, self.dropout if self.training else 0.0)
        y = y * self.head_gate.view(1, -1, 1, 1)
        return self.o(y.transpose(1, 2).reshape(n, t, self.heads * self.head_dim))


class FeedForward(nn.Module):
    def __init__(self, d_model, ff_dim, dropout):
        super().__init__()
        self.norm = nn.LayerNorm(d_model)
        self.up = nn.Linear(d_model, ff_dim)
        self.down = nn.Linear(ff_dim, d_model)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x):
        return self.dropout(self.down(self.dropout(F.silu(self.up(self.norm(x))))))


class ConvModule(nn.Module):
    def __init__(self, d_model, kernel, dropout):
        super().__init__()
        self.norm = nn.LayerNorm(d_model)
        self.pointwise_in = nn.Linear(d_model, 2 * d_model)
        self.depthwise = nn.Conv1d(d_model, d_model, kernel, padding=kernel // 2, groups=d_model)
        self.mid_norm = nn.LayerNorm(d_model)
        self.pointwise_out = nn.Linear(d_model, d_model)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x, pad_mask):  # pad_mask: [N, T, 1], 1 for real frames
        y = F.glu(self.pointwise_in(self.norm(x)), dim=-1) * pad_mask
        y = self.depthwise(y.transpose(1, 2)).transpose(1, 2)
        y = self.pointwise_out(F.silu(self.mid_norm(y)))
        return self.dropout(y)


class ConformerLayer(nn.Module):
    def __init__(self, cfg: ModelConfig, heads: int, ff_dim: int):
        super().__init__()
        self.ff1 = FeedForward(cfg.d_model, ff_dim, cfg.dropout)
        self.attn_norm = nn.LayerNorm(cfg.d_model)
        self.attn = MultiHeadSelfAttention(cfg.d_model, heads, cfg.head_dim, cfg.dropout)
        self.attn_dropout = nn.Dropout(cfg.dropout)
        self.conv = ConvModule(cfg.d_model, cfg.conv_kernel, cfg.dropout)
        self.ff2 = FeedForward(cfg.d_model, ff_dim, cfg.dropout)
        self.out_norm = nn.LayerNorm(cfg.d_model)

    def forward(self, x, cos, sin, key_mask, pad_mask):
        x = x + 0.5 * self.ff1(x)
        if self.attn.heads > 0:
            x = x + self.attn_dropout(self.attn(self.attn_norm(x), cos, sin, key_mask))
        x = x + self.conv(x, pad_mask)
        x = x + 0.5 * self.ff2(x)
        return self.out_norm(x)


class ConformerCtc(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.cfg = cfg
        ff_dims = cfg.ff_dims or [cfg.ff_dim] * cfg.num_layers
        self.subsampling = Subsampling(cfg)
        self.layers = nn.ModuleList(ConformerLayer(cfg, h, f) for h, f in zip(cfg.heads, ff_dims))
        self.head = nn.Linear(cfg.d_model, cfg.vocab)
        inv_freq = 1.0 / (10000 ** (torch.arange(0, cfg.head_dim, 2).float() / cfg.head_dim))
        self.register_buffer("inv_freq", inv_freq, persistent=False)

    def encode(self, x, x_lens):
        """x: [N, T, bins] fbank; returns encoder states [N, T', d] and their lengths."""
        h = self.subsampling(x)
        lens = subsampled_lengths(x_lens)
        t = h.shape[1]
        positions = torch.arange(t, device=h.device, dtype=torch.float32)
        angles = positions[:, None] * self.inv_freq[None, :]
        cos, sin = angles.cos()[None, None], angles.sin()[None, None]
        valid = torch.arange(t, device=h.device)[None, :] < lens[:, None]  # [N, T']
        key_mask = valid[:, None, None, :]  # True = attend
        pad_mask = valid.unsqueeze(-1).to(h.dtype)
        for layer in self.layers:
            h = layer(h, cos, sin, key_mask, pad_mask)
        return h, lens

    def forward(self, x, x_lens):
        h, lens = self.encode(x, x_lens)
        return F.log_softmax(self.head(h), dim=-1), lens


def count_parameters(model):
    return sum(p.numel() for p in model.parameters())
