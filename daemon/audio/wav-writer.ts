/** Writes 16-bit PCM mono WAV: the one format hushscribe produces (redacted audio, test and benchmark input). */

/** Float samples in [-1, 1] (clipped beyond) to little-endian 16-bit PCM. */
export function toPcm16(samples: Float32Array): Buffer {
  const out = Buffer.alloc(samples.length * 2);
  for (let i = 0; i < samples.length; i++) {
    const x = Math.max(-1, Math.min(1, samples[i]!));
    out.writeInt16LE(Math.round(x < 0 ? x * 32768 : x * 32767), i * 2);
  }
  return out;
}

/** The canonical 44-byte header; dataBytes 0xffffffff marks a stream of unknown length, as arecord writes it. */
export function pcm16WavHeader(sampleRate: number, dataBytes: number): Buffer {
  const head = Buffer.alloc(44);
  head.write('RIFF', 0, 'latin1');
  head.writeUInt32LE(dataBytes === 0xffffffff ? dataBytes : 36 + dataBytes, 4);
  head.write('WAVEfmt ', 8, 'latin1');
  head.writeUInt32LE(16, 16);
  head.writeUInt16LE(1, 20); // PCM
  head.writeUInt16LE(1, 22); // mono
  head.writeUInt32LE(sampleRate, 24);
  head.writeUInt32LE(sampleRate * 2, 28);
  head.writeUInt16LE(2, 32);
  head.writeUInt16LE(16, 34);
  head.write('data', 36, 'latin1');
  head.writeUInt32LE(dataBytes, 40);
  return head;
}

export function encodeWav16(samples: Float32Array, sampleRate: number): Buffer {
  const data = toPcm16(samples);
  return Buffer.concat([pcm16WavHeader(sampleRate, data.length), data]);
}
