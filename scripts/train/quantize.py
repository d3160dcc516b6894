"""int8 recipes for an exported fp32 model (export.py writes the shipped one; quantize_probe.py compares them).

  weights   (shipped) every weight matrix of a MatMul stored as int8 with one symmetric scale per output column,
            restored by Cast + Mul in the graph. onnxruntime folds those two constant nodes into fp32 weights when
            it loads the model, so the file is a quarter of the fp32 size and the arithmetic is fp32's: the same
            words come out whatever the float rounding of the machine or of the feature code.
  dynamic   onnxruntime's quantize_dynamic: int8 weights and activations rounded to uint8 per tensor at run time
            (MatMulInteger). About 1.6x faster on one x86 core, but a rounding step is 1/255 of a tensor's range, so
            noise of 1e-6 in the audio changes ~7% of the words on speech the model hears poorly (model card).
  integer   (PII tagger) the `weights` recipe's int8 matrices fed to MatMulInteger, activations rounded to uint8
            per tensor at run time, as `dynamic` does, but made from a `weights` file with python3-onnx alone
            (Debian packages no Python onnxruntime). onnxruntime fuses each group into DynamicQuantizeMatMul,
            whose int8 products (VNNI) make the tagger about 1.4x faster on one core. Its input is text, so the
            rounding noise that rules `dynamic` out for the speech model does not arise.

  python3 scripts/train/quantize.py --integer tagger.weights.onnx tagger.int8.onnx
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


def integer_matmuls(proto):
    """The `integer` recipe, in place, on a `weights` model: MatMul(x, Cast(W.int8) * W.scale) becomes
    DynamicQuantizeLinear(x) -> MatMulInteger(x.uint8, W.int8, x.zero) -> Cast * (x.scale * W.scale)."""
    producers = {out: n for n in proto.graph.node for out in n.output}
    restored = {}  # weight name -> (int8 matrix, per-column scale), from the weights recipe's Cast + Mul
    for node in proto.graph.node:
        if node.op_type == "Mul" and node.name.endswith(".rescale"):
            restored[node.output[0]] = (producers[node.input[0]].input[0], node.input[1])
    # The fp32 restore of each weight (its Cast and Mul) goes: MatMulInteger reads the int8 matrix itself.
    restore_nodes = {n.name for n in proto.graph.node if n.output[0] in restored}
    restore_nodes |= {producers[n.input[0]].name for n in proto.graph.node if n.name in restore_nodes}
    nodes = []
    for node in proto.graph.node:
        if node.name in restore_nodes:
            continue
        if node.op_type != "MatMul" or node.input[1] not in restored:
            nodes.append(node)
            continue
        weight, scale = restored[node.input[1]]
        x, y, p = node.input[0], node.output[0], node.output[0]
        nodes += [
            helper.make_node("DynamicQuantizeLinear", [x], [f"{p}.xq", f"{p}.xs", f"{p}.xz"], name=f"{p}.quantize"),
            helper.make_node("MatMulInteger", [f"{p}.xq", weight, f"{p}.xz"], [f"{p}.int32"], name=f"{p}.matmul"),
            helper.make_node("Cast", [f"{p}.int32"], [f"{p}.float"], to=TensorProto.FLOAT, name=f"{p}.tofloat"),
            helper.make_node("Mul", [f"{p}.xs", scale], [f"{p}.scale"], name=f"{p}.scales"),
            helper.make_node("Mul", [f"{p}.float", f"{p}.scale"], [y], name=f"{p}.rescale_out"),
        ]
    left = {i for n in nodes for i in n.input}
    if any(name in left for name in restored):
        raise ValueError("a restored weight feeds something other than a MatMul; the integer recipe cannot drop it")
    del proto.graph.node[:]
    proto.graph.node.extend(nodes)


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
    elif recipe == "integer":
        int8_weights(source)
        integer_matmuls(source)
        onnx.save(source, out_path)
    else:
        raise ValueError(f"unknown int8 recipe {recipe!r} (weights, dynamic or integer)")
    copy_metadata(fp32_path, out_path)


def copy_metadata(fp32_path, out_path):
    """Gives the quantised file the fp32 model's metadata (the quantisers drop or rewrite it)."""
    q = onnx.load(out_path)
    del q.metadata_props[:]
    for p in onnx.load(fp32_path).metadata_props:
        q.metadata_props.add(key=p.key, value=p.value)
    onnx.save(q, out_path)


if __name__ == "__main__":
    import argparse

    ap = argparse.ArgumentParser(description="Converts a `weights` int8 file to the `integer` recipe.")
    ap.add_argument("--integer", nargs=2, metavar=("WEIGHTS_ONNX", "OUT_ONNX"), required=True)
    args = ap.parse_args()
    proto = onnx.load(args.integer[0])
    integer_matmuls(proto)
    onnx.checker.check_model(proto)
    onnx.save(proto, args.integer[1])
