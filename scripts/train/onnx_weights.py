"""Reads a PyTorch state dict back out of an exported hushscribe ONNX file (fp32 or the int8 `weights` recipe),
so that training can continue from a shipped model when its checkpoint is lost.

The exporter keeps parameter names for tensors it uses as they are (norms, convolutions, biases), but stores each
nn.Linear weight transposed under a generated name (onnx::MatMul_N) feeding a MatMul whose output goes to an Add
with the layer's bias. So a Linear's weight is found through its bias: MatMul(x, W) -> Add(., NAME.bias) gives
NAME.weight = W^T. In int8 files W is Cast(W.int8) * W.scale (quantize.py), dequantised here: the rounding error
(<= half a step of a per-column scale) is what the continued training starts from.
"""
import json

import numpy as np
import onnx
from onnx import numpy_helper

EXPORT_PREFIX = "model."


def _constants(proto):
    """Initializers plus the weights that the int8 recipe's Cast+Mul nodes restore, by tensor name."""
    values = {i.name: numpy_helper.to_array(i) for i in proto.graph.initializer}
    for node in proto.graph.node:
        if node.op_type == "Constant":
            for attr in node.attribute:
                if attr.name == "value":
                    values[node.output[0]] = numpy_helper.to_array(attr.t)
    for node in proto.graph.node:
        if node.op_type == "Cast" and node.input[0] in values:
            values[node.output[0]] = values[node.input[0]].astype(np.float32)
    for node in proto.graph.node:
        if node.op_type == "Mul" and all(i in values for i in node.input):
            values[node.output[0]] = (values[node.input[0]] * values[node.input[1]]).astype(np.float32)
    return values


def config_from_onnx(proto):
    """The ModelConfig fields that the file's shapes and metadata pin down."""
    meta = {p.key: p.value for p in proto.metadata_props}
    shapes = {i.name: list(i.dims) for i in proto.graph.initializer}
    heads = json.loads(meta["heads"])
    ff_dims = [shapes[f"{EXPORT_PREFIX}layers.{n}.ff1.up.bias"][0] for n in range(len(heads))]
    return {"num_layers": len(heads), "heads": heads, "ff_dims": ff_dims}


def state_dict_from_onnx(path, expected_keys):
    """{parameter name: float32 array} for every name in expected_keys, or a ValueError naming what is missing."""
    proto = onnx.load(path)
    # export.py wraps the model (Exported.model), so its parameter names start with "model.".
    values = {k[len(EXPORT_PREFIX):] if k.startswith(EXPORT_PREFIX) else k: v for k, v in _constants(proto).items()}
    consumers = {}
    for node in proto.graph.node:
        for i in node.input:
            consumers.setdefault(i, []).append(node)
    unprefixed = lambda name: name[len(EXPORT_PREFIX):] if name.startswith(EXPORT_PREFIX) else name  # noqa: E731
    state = {k: values[k] for k in expected_keys if k in values}
    for node in proto.graph.node:
        if node.op_type != "MatMul" or unprefixed(node.input[1]) not in values:
            continue
        bias = [unprefixed(i) for add in consumers.get(node.output[0], []) if add.op_type == "Add"
                for i in add.input if i.endswith(".bias") and unprefixed(i) in values]
        if len(bias) == 1:
            state[bias[0][: -len(".bias")] + ".weight"] = values[unprefixed(node.input[1])].T.copy()
    missing = [k for k in expected_keys if k not in state]
    if missing:
        raise ValueError(f"{path}: no tensor for {len(missing)} parameters, e.g. {missing[:3]}")
    return {k: state[k] for k in expected_keys}
