/**
 * Reads an ONNX file's custom metadata (ModelProto.metadata_props) straight from the protobuf bytes: onnxruntime-node
 * does not expose it, and the layouts we load (NeMo's model_type, vocab_size, normalize_type, ...) are described there.
 * Only the top level of ModelProto is walked; the graph is skipped by its length prefix.
 */
const METADATA_PROPS_FIELD = 14;
const KEY_FIELD = 1;
const VALUE_FIELD = 2;

export function readOnnxMetadata(bytes: Uint8Array): Record<string, string> {
  const out: Record<string, string> = {};
  const decoder = new TextDecoder();
  forEachField(bytes, 0, bytes.length, (field, start, end) => {
    if (field !== METADATA_PROPS_FIELD) return;
    let key = '';
    let value = '';
    forEachField(bytes, start, end, (inner, s, e) => {
      if (inner === KEY_FIELD) key = decoder.decode(bytes.subarray(s, e));
      else if (inner === VALUE_FIELD) value = decoder.decode(bytes.subarray(s, e));
    });
    out[key] = value;
  });
  return out;
}

/** Calls visit(field, start, end) for every length-delimited field in bytes[from, to); skips the others. */
function forEachField(bytes: Uint8Array, from: number, to: number, visit: (field: number, start: number, end: number) => void): void {
  let pos = from;
  const varint = (): number => {
    let result = 0;
    let scale = 1;
    for (;;) {
      if (pos >= to) throw new Error('truncated protobuf varint');
      const b = bytes[pos++]!;
      result += (b & 0x7f) * scale;
      if (b < 0x80) return result;
      scale *= 128;
    }
  };
  while (pos < to) {
    const tag = varint();
    const field = Math.floor(tag / 8);
    const wire = tag & 7;
    if (wire === 0) varint();
    else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else if (wire === 2) {
      const len = varint();
      if (pos + len > to) throw new Error('truncated protobuf field');
      visit(field, pos, pos + len);
      pos += len;
    } else throw new Error(`unsupported protobuf wire type ${wire}`);
  }
}
