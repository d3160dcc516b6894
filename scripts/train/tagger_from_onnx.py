"""Recovers a tagger's torch weights from its exported ONNX file (fp32, or int8 from quantize_dynamic), so a CPU
run (tagger_cpu.py --init) can fine-tune the shipped model instead of starting from random weights.

Biases, norms and embeddings keep their torch names in the export. Each Linear's weight is the constant second
input of a MatMul / MatMulInteger whose output reaches an Add with that Linear's bias: it is dequantised
((q - zero_point) * scale) and transposed back to torch's [out, in].
"""
import numpy as np
import torch
from onnx import load, numpy_helper


def state_dict_from_onnx(path):
    proto = load(path)
    inits = {i.name: numpy_helper.to_array(i) for i in proto.graph.initializer}
    consumers = {}
    for node in proto.graph.node:
        for name in node.input:
            consumers.setdefault(name, []).append(node)
    state = {name: torch.from_numpy(np.array(value, dtype=np.float32)) for name, value in inits.items()
             if not name.startswith("onnx::") and value.dtype == np.float32 and not name.endswith("_scale")}
    for name, value in inits.items():  # quantized tables read by Gather (the character embedding)
        if name.endswith("_quantized") and not name.startswith("onnx::"):
            stem = name[: -len("_quantized")]
            table = (value.astype(np.float32) - inits[f"{stem}_zero_point"].astype(np.float32)) * inits[f"{stem}_scale"]
            state[stem] = torch.from_numpy(table)
    for node in proto.graph.node:
        if node.op_type not in ("MatMul", "MatMulInteger") or node.input[1] not in inits:
            continue
        weight = inits[node.input[1]].astype(np.float32)
        if node.op_type == "MatMulInteger":
            stem = node.input[1][: -len("_quantized")]
            weight = (weight - inits[f"{stem}_zero_point"].astype(np.float32)) * inits[f"{stem}_scale"]
        frontier, bias = list(node.output), None
        for _ in range(6):
            nxt = []
            for out in frontier:
                for user in consumers.get(out, []):
                    named = [i for i in user.input if i.endswith(".bias") and i in inits]
                    if user.op_type == "Add" and named:
                        bias = named[0]
                    nxt += list(user.output)
            if bias:
                break
            frontier = nxt
        if bias is None:
            raise ValueError(f"{path}: no bias found after {node.name}")
        state[bias[: -len(".bias")] + ".weight"] = torch.from_numpy(np.ascontiguousarray(weight.T))
    return state
