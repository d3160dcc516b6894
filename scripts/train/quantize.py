"""int8 recipes for an exported fp32 model (export.py writes the shipped one; quantize_probe.py compares them).

  weights   (shipped) every weight matrix of a MatMul stored as int8 with one symmetric scale per output column,
            restored by Cast + Mul in the graph. onnxruntime folds those two constant nodes into fp32 weights when
            it loads the model, so the file is a quarter of the fp32 size and the arithmetic is fp32's: the same
            words come out whatever the float rounding of the machine or of the feature code.
  dynamic   onnxruntime's quantize_dynamic: int8 weights and activations rounded to uint8 per tensor at run time
            (MatMulInteger). About 1.6x faster on one x86 core, but a rounding step is 1/255 of a tensor's range, so
            noise of 1e-6 in the audio changes ~7% of the words on speech the model hears poorly (model card).
"""
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

INT8_MAX = 127


def weight_matmuls(proto):
    """(node, weight initializer) for every MatMul whose second input is a constant matrix."""
    weights = {i.name: i for i in proto.graph.initializer}
    return [(n, weights[n.input[1]]) for n in proto.graph.node if n.op_type == "MatMul" and n.input[1] in weights]


def int8_weights(proto):
    """The `weights` recipe, in place: W [K, N] -> Cast(W_int8) * scale[N]."""
    restore = {}
    for node, weight in weight_matmuls(proto):
        if weight.name in restore:
            continue
        w = numpy_helper.to_array(weight).astype(np.float32)
        scale = (np.maximum(np.abs(w).max(axis=0), 1e-12) / INT8_MAX).astype(np.float32)
        q = np.clip(np.round(w / scale), -INT8_MAX, INT8_MAX).astype(np.int8)
        name = weight.name
        proto.graph.initializer.remove(weight)
        proto.graph.initializer.extend([numpy_helper.from_array(q, f"{name}.int8"),
                                        numpy_helper.from_array(scale, f"{name}.scale")])
        restore[name] = [helper.make_node("Cast", [f"{name}.int8"], [f"{name}.float"], to=TensorProto.FLOAT,
                                          name=f"{name}.cast"),
                         helper.make_node("Mul", [f"{name}.float", f"{name}.scale"], [name], name=f"{name}.rescale")]
    nodes = [n for pair in restore.values() for n in pair] + list(proto.graph.node)
    del proto.graph.node[:]
    proto.graph.node.extend(nodes)  # restoring nodes first keeps the graph topologically sorted


def quantize(recipe, fp32_path, out_path, nodes_to_exclude=(), per_channel=False):
    """Writes the int8 model of `recipe` with the fp32 model's metadata."""
    source = onnx.load(fp32_path)
    if recipe == "weights":
        int8_weights(source)
        onnx.save(source, out_path)
    elif recipe == "dynamic":
        from onnxruntime.quantization import QuantType, quantize_dynamic  # only this recipe needs onnxruntime

        quantize_dynamic(fp32_path, out_path, weight_type=QuantType.QInt8, op_types_to_quantize=["MatMul", "Gemm"],
                         per_channel=per_channel, nodes_to_exclude=list(nodes_to_exclude))
    else:
        raise ValueError(f"unknown int8 recipe {recipe!r} (weights or dynamic)")
    copy_metadata(fp32_path, out_path)


def copy_metadata(fp32_path, out_path):
    """Gives the quantised file the fp32 model's metadata (the quantisers drop or rewrite it)."""
    q = onnx.load(out_path)
    del q.metadata_props[:]
    for p in onnx.load(fp32_path).metadata_props:
        q.metadata_props.add(key=p.key, value=p.value)
    onnx.save(q, out_path)
