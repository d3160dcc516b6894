"""hushscribe's PII tagger: a small transformer that labels each word of a spoken-form transcript with a BIO entity
tag. Its character queries self-attend (the words around) and cross-attend to the speech model's CTC posteriors
(what was heard, frame by frame), so a misrecognised digit or name still sounds like one. With no audio the memory
is a single learned "no audio" slot, which makes the same model a text-only tagger.

Inputs  chars  [N, L] int64  character ids (0 = padding), see CHARS
        memory [N, M, V] float32  CTC log-posteriors of the speech model (V = its vocabulary, 29 for ours)
        memory_valid [N, M] bool  False for padding (and for the one dummy frame of a text-only call)
Output  logits [N, L, len(LABELS)]  read at the first character of each word
"""
import math

import torch
from torch import nn
import torch.nn.functional as F

ENTITY_TYPES = ["PERSON", "PHONE_NUMBER", "EMAIL_ADDRESS", "CREDIT_CARD", "US_SSN", "IBAN_CODE", "BANK_ACCOUNT",
                "STREET_ADDRESS", "ZIP_CODE", "LOCATION", "DATE_OF_BIRTH", "AGE", "IP_ADDRESS", "US_DRIVER_LICENSE",
                "PASSPORT", "URL"]
LABELS = ["O"] + [f"{p}-{t}" for t in ENTITY_TYPES for p in ("B", "I")]
LABEL_ID = {l: i for i, l in enumerate(LABELS)}
# 0 padding, 1 unknown, 2 space; then what transcripts (and typed text for `hushscribe redact`) hold.
CHARS = ["<pad>", "<unk>", " "] + list("abcdefghijklmnopqrstuvwxyz'0123456789")
CHAR_ID = {c: i for i, c in enumerate(CHARS)}


def encode_chars(text: str):
    return [CHAR_ID.get(c, 1) for c in text.lower()]


def word_starts(text: str):
    return [i for i, c in enumerate(text) if c != " " and (i == 0 or text[i - 1] == " ")]


def fraction_encoding(fraction, dim):
    """Sinusoids of a position as a fraction of its sequence (0..1): text and audio line up roughly linearly."""
    k = torch.arange(1, dim // 2 + 1, device=fraction.device, dtype=torch.float32)
    angles = fraction.unsqueeze(-1) * k * math.pi
    return torch.cat((angles.sin(), angles.cos()), dim=-1)


def absolute_encoding(length, dim, device):
    pos = torch.arange(length, device=device, dtype=torch.float32)[:, None]
    inv = torch.exp(torch.arange(0, dim, 2, device=device, dtype=torch.float32) * (-math.log(10000.0) / dim))
    return torch.cat(((pos * inv).sin(), (pos * inv).cos()), dim=-1)


class Attention(nn.Module):
    def __init__(self, d, heads, dropout):
        super().__init__()
        self.heads, self.dropout = heads, dropout
        self.q, self.k, self.v, self.o = (nn.Linear(d, d) for _ in range(4))

    def forward(self, query, keys, key_bias):
        """key_bias: [N, 1, 1, M] additive (0 or -1e4)."""
        n, l, d = query.shape
        m = keys.shape[1]
        h = self.heads
        q = self.q(query).view(n, l, h, d // h).transpose(1, 2)
        k = self.k(keys).view(n, m, h, d // h).transpose(1, 2)
        v = self.v(keys).view(n, m, h, d // h).transpose(1, 2)
        scores = q @ k.transpose(-1, -2) / math.sqrt(d // h) + key_bias
        weights = F.dropout(scores.softmax(-1), self.dropout, self.training)
        return self.o((weights @ v).transpose(1, 2).reshape(n, l, d))


class TaggerLayer(nn.Module):
    def __init__(self, d, heads, ff, dropout):
        super().__init__()
        self.self_norm, self.cross_norm, self.ff_norm = nn.LayerNorm(d), nn.LayerNorm(d), nn.LayerNorm(d)
        self.self_attn = Attention(d, heads, dropout)
        self.cross_attn = Attention(d, heads, dropout)
        self.ff = nn.Sequential(nn.Linear(d, ff), nn.GELU(), nn.Dropout(dropout), nn.Linear(ff, d))
        self.drop = nn.Dropout(dropout)

    def forward(self, x, text_bias, text_fraction, memory, memory_bias):
        x = x + self.drop(self.self_attn(self.self_norm(x), self.self_norm(x), text_bias))
        q = self.cross_norm(x) + text_fraction
        x = x + self.drop(self.cross_attn(q, memory, memory_bias))
        return x + self.drop(self.ff(self.ff_norm(x)))


class Tagger(nn.Module):
    def __init__(self, memory_dim=29, d=128, layers=4, heads=4, ff=512, dropout=0.1):
        super().__init__()
        self.config = {"memory_dim": memory_dim, "d": d, "layers": layers, "heads": heads, "ff": ff}
        self.d = d
        self.embed = nn.Embedding(len(CHARS), d, padding_idx=0)
        self.memory_in = nn.Sequential(nn.Linear(memory_dim, d), nn.GELU(), nn.Linear(d, d))
        self.no_audio = nn.Parameter(torch.randn(1, 1, d) * 0.02)
        self.layers = nn.ModuleList(TaggerLayer(d, heads, ff, dropout) for _ in range(layers))
        self.norm = nn.LayerNorm(d)
        self.out = nn.Linear(d, len(LABELS))

    def forward(self, chars, memory, memory_valid):
        n, l = chars.shape
        m = memory.shape[1]
        text_valid = chars != 0
        text_len = text_valid.sum(1, keepdim=True).clamp(min=1).float()
        x = self.embed(chars) + absolute_encoding(l, self.d, chars.device)[None]
        text_fraction = fraction_encoding((torch.arange(l, device=chars.device)[None].float() + 0.5) / text_len, self.d)
        memory_len = memory_valid.sum(1, keepdim=True).clamp(min=1).float()
        memory_fraction = fraction_encoding((torch.arange(m, device=chars.device)[None].float() + 0.5) / memory_len,
                                            self.d)
        mem = self.memory_in(memory) + memory_fraction
        mem = torch.cat((self.no_audio.expand(n, 1, self.d), mem), dim=1)
        mem_valid = torch.cat((torch.ones(n, 1, dtype=torch.bool, device=chars.device), memory_valid), dim=1)
        text_bias = (~text_valid).float()[:, None, None, :] * -1e4
        memory_bias = (~mem_valid).float()[:, None, None, :] * -1e4
        for layer in self.layers:
            x = layer(x, text_bias, text_fraction, mem, memory_bias)
        return self.out(self.norm(x))
