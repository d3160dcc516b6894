"""Writes the PII tagger's text-only graph from its exported file (quantize.py `weights` recipe), for onnxruntime's
int8 arithmetic (`integer` recipe).

Why: without audio the memory is the learned "no audio" slot alone (the posterior frames are masked), so each
layer's cross-attention puts all its weight on that one slot and adds the same vector to every character:
o(v(no_audio)). The full graph still computes the queries, the scores and the softmax for it, about a sixth of the
tagger's arithmetic. Here that output is computed once, stored as a constant, and everything that only fed it
(the memory inputs, the cross-attention queries, the memory projection) is dropped. The logits are those of the
full graph given no audio, up to float rounding (checked below on random text).

  python3 scripts/train/tagger_text_only.py models/hushscribe-pii-tagger-v1/tagger.int8.onnx OUT.onnx
"""
import argparse
import re

import numpy as np
import onnx
from onnx import numpy_helper

from quantize import integer_matmuls

CROSS_OUT = re.compile(r"^/layers\.(\d+)/cross_attn/o/Add_output_0$")


def constants(proto):
    """Initializers plus the fp32 weights that the `weights` recipe restores with Cast + Mul."""
    values = {i.name: numpy_helper.to_array(i) for i in proto.graph.initializer}
    for node in proto.graph.node:
        if node.op_type == "Cast" and node.input[0] in values:
            values[node.output[0]] = values[node.input[0]].astype(np.float32)
    for node in proto.graph.node:
        if node.op_type == "Mul" and all(i in values for i in node.input):
            values[node.output[0]] = values[node.input[0]] * values[node.input[1]]
    return values


def cross_linear(proto, values, layer, projection, x):
    """x @ W + b for layer `layer`'s cross-attention Linear `projection` (v or o), as the export names them."""
    matmul = next(n for n in proto.graph.node if n.name == f"/layers.{layer}/cross_attn/{projection}/MatMul")
    return x @ values[matmul.input[1]] + values[f"layers.{layer}.cross_attn.{projection}.bias"]


def fold_cross_attention(proto):
    """Replaces each layer's cross-attention output by its no-audio constant, drops what only fed it."""
    values = constants(proto)
    slot = values["no_audio"].reshape(-1)
    folded = {}
    for node in proto.graph.node:
        for name in node.output:
            match = CROSS_OUT.match(name)
            if match:
                layer = match.group(1)
                v = cross_linear(proto, values, layer, "v", slot)
                folded[name] = cross_linear(proto, values, layer, "o", v).astype(np.float32)
    if len(folded) == 0:
        raise ValueError("no cross-attention outputs found: not a hushscribe PII tagger export")
    for name, value in folded.items():
        proto.graph.initializer.append(numpy_helper.from_array(value, f"{name}.no_audio"))
        for node in proto.graph.node:
            for k, used in enumerate(node.input):
                if used == name:
                    node.input[k] = f"{name}.no_audio"
    # Keep only the nodes that the output still needs, then the initializers and inputs they read.
    needed = {o.name for o in proto.graph.output}
    kept = []
    for node in reversed(proto.graph.node):
        if any(o in needed for o in node.output):
            kept.append(node)
            needed.update(i for i in node.input if i)
    del proto.graph.node[:]
    proto.graph.node.extend(reversed(kept))
    live = [i for i in proto.graph.initializer if i.name in needed]
    del proto.graph.initializer[:]
    proto.graph.initializer.extend(live)
    inputs = [i for i in proto.graph.input if i.name in needed]
    del proto.graph.input[:]
    proto.graph.input.extend(inputs)
    if [i.name for i in inputs] != ["chars"]:
        raise ValueError(f"the folded graph still reads {[i.name for i in inputs]}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("weights_onnx")
    ap.add_argument("out_onnx")
    args = ap.parse_args()
    proto = onnx.load(args.weights_onnx)
    fold_cross_attention(proto)
    integer_matmuls(proto)
    onnx.checker.check_model(proto)
    onnx.save(proto, args.out_onnx)
    print(f"wrote {args.out_onnx}: {len(proto.graph.node)} nodes, input chars only")


if __name__ == "__main__":
    main()
