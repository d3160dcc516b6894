"""Structural pruning of a trained Conformer-CTC: whole attention heads and feed-forward channels are removed
(smaller Q/K/V/O and FF matrices), not masked, so the exported graph really computes less.

Importance is first-order (Taylor) on a few batches of training data, as in Michel et al., "Are Sixteen Heads
Really Better than One?" (2019): a head's score is |dL/dgate| for a gate multiplying its output, normalised per
layer; a feed-forward channel's score is |sum(w * dL/dw)| over its input row and bias.
"""
import copy

import torch

from model import ConformerCtc, ModelConfig


def _ff_modules(layer):
    return (layer.ff1, layer.ff2)


def importance(model: ConformerCtc, loss_batches):
    """loss_batches: iterable of zero-argument callables returning a scalar loss of `model` on one batch."""
    gates = []
    for layer in model.layers:
        gate = torch.ones(layer.attn.heads, device=layer.attn.q.weight.device, requires_grad=True)
        layer.attn.head_gate = gate  # replaces the all-ones buffer for the scoring passes
        gates.append(gate)
    head_scores = [torch.zeros_like(g) for g in gates]
    ff_scores = [[torch.zeros(ff.up.out_features, device=ff.up.weight.device) for ff in _ff_modules(layer)]
                 for layer in model.layers]
    model.eval()  # no dropout while scoring
    for loss_fn in loss_batches:
        model.zero_grad(set_to_none=True)
        for g in gates:
            g.grad = None
        loss_fn().backward()
        for i, layer in enumerate(model.layers):
            head_scores[i] += gates[i].grad.abs()
            for j, ff in enumerate(_ff_modules(layer)):
                taylor = (ff.up.weight * ff.up.weight.grad).sum(dim=1) + ff.up.bias * ff.up.bias.grad
                ff_scores[i][j] += taylor.abs()
    for layer in model.layers:
        layer.attn.head_gate = torch.ones(layer.attn.heads, device=layer.attn.q.weight.device)
    model.zero_grad(set_to_none=True)
    model.train()
    # Per-layer L2 normalisation of head scores (Michel et al.), so layers compete on a common scale.
    head_scores = [s / (s.norm() + 1e-12) for s in head_scores]
    # One ranking per layer for its two FF modules: they are pruned to the same width.
    ff_scores = [torch.stack(pair) for pair in ff_scores]
    return head_scores, ff_scores


def plan(head_scores, remove_fraction: float, min_heads: int = 1):
    """Heads to keep per layer: the globally lowest-scoring `remove_fraction` go, leaving >= min_heads a layer."""
    flat = sorted(((float(s), i, h) for i, scores in enumerate(head_scores) for h, s in enumerate(scores)))
    total = len(flat)
    to_remove = int(round(total * remove_fraction))
    keep = [set(range(len(s))) for s in head_scores]
    removed = 0
    for _score, i, h in flat:
        if removed == to_remove:
            break
        if len(keep[i]) > min_heads:
            keep[i].discard(h)
            removed += 1
    return [sorted(k) for k in keep]


def _rows(linear, index, dim):
    new = torch.nn.Linear(linear.in_features if dim == 0 else len(index),
                          len(index) if dim == 0 else linear.out_features, device=linear.weight.device)
    with torch.no_grad():
        if dim == 0:  # keep output rows
            new.weight.copy_(linear.weight[index])
            new.bias.copy_(linear.bias[index])
        else:  # keep input columns
            new.weight.copy_(linear.weight[:, index])
            new.bias.copy_(linear.bias)
    return new


def prune(model: ConformerCtc, keep_heads, ff_scores, ff_dim: int):
    """A new, smaller model: heads in keep_heads per layer and the ff_dim best channels of each FF module."""
    cfg = copy.deepcopy(model.cfg)
    cfg.heads = [len(k) for k in keep_heads]
    cfg.ff_dims = [ff_dim] * cfg.num_layers
    pruned = ConformerCtc(ModelConfig(**cfg.to_dict())).to(next(model.parameters()).device)
    hd = cfg.head_dim
    with torch.no_grad():
        # Everything that keeps its shape is copied as is.
        target_state = pruned.state_dict()
        for name, tensor in model.state_dict().items():
            if name in target_state and target_state[name].shape == tensor.shape:
                target_state[name].copy_(tensor)
        pruned.load_state_dict(target_state)
        for i, (layer, new_layer) in enumerate(zip(model.layers, pruned.layers)):
            cols = torch.tensor([h * hd + d for h in keep_heads[i] for d in range(hd)], device=layer.attn.q.weight.device)
            for proj in ("q", "k", "v"):
                setattr(new_layer.attn, proj, _rows(getattr(layer.attn, proj), cols, 0))
            new_layer.attn.o = _rows(layer.attn.o, cols, 1)
            order = ff_scores[i].sum(dim=0).argsort(descending=True)[:ff_dim].sort().values
            for ff, new_ff in zip(_ff_modules(layer), _ff_modules(new_layer)):
                new_ff.up = _rows(ff.up, order, 0)
                new_ff.down = _rows(ff.down, order, 1)
    return pruned
