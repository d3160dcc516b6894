import { readFile } from 'node:fs/promises';
import { AudioInputError } from './errors.js';
import { checkInputFile } from './input-file.js';

/** A decoded recording: always mono (channels are averaged), samples in [-1, 1] at the file's own rate. */
export interface AudioClip {
  sampleRate: number;
  /** Channel count of the source; `samples` is their mono downmix. */
  channels: number;
  durationSec: number;
  samples: Float32Array;
  /** The file ends before the length its header declares; `samples` holds everything that is there. */
  truncated: boolean;
}

const FORMAT_PCM = 0x0001;
const FORMAT_IEEE_FLOAT = 0x0003;
const FORMAT_EXTENSIBLE = 0xfffe;
/** Bytes 2..15 of every KSDATAFORMAT_SUBTYPE GUID (the first two bytes carry the plain format tag). */
const SUBFORMAT_GUID_TAIL = Buffer.from([0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71]);

export interface WavFormat {
  encoding: 'int' | 'float';
  bitsPerSample: number;
  channels: number;
  sampleRate: number;
}

/** Reads a RIFF/WAVE file (PCM 8/16/24/32-bit, float 32/64-bit, plain or WAVE_FORMAT_EXTENSIBLE). */
export async function readWavFile(file: string): Promise<AudioClip> {
  await checkInputFile(file);
  return decodeWav(await readFile(file), file);
}

/** Decodes a whole WAV file held in memory; `file` only names it in errors. */
export function decodeWav(bytes: Buffer, file: string): AudioClip {
  if (bytes.length === 0) throw new AudioInputError('EMPTY_FILE', file, 'is empty (0 bytes)');
  if (bytes.length < 12) {
    if (Buffer.from('RIFF').subarray(0, bytes.length).equals(bytes.subarray(0, 4))) {
      throw new AudioInputError('TRUNCATED', file, `ends inside the WAV header (${bytes.length} bytes)`);
    }
    throw new AudioInputError('NOT_AUDIO', file, 'is not a WAV file (no RIFF/WAVE header)');
  }
  const magic = bytes.toString('latin1', 0, 4);
  if (bytes.toString('latin1', 8, 12) !== 'WAVE' || (magic !== 'RIFF' && magic !== 'RIFX' && magic !== 'RF64')) {
    throw new AudioInputError('NOT_AUDIO', file, 'is not a WAV file (no RIFF/WAVE header)');
  }
  if (magic !== 'RIFF') throw new AudioInputError('UNSUPPORTED_WAV', file, `is a ${magic} file; only little-endian RIFF WAV is read directly`);

  let format: WavFormat | undefined;
  let offset = 12;
  while (offset + 8 <= bytes.length) {
    const id = bytes.toString('latin1', offset, offset + 4);
    const size = bytes.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === 'data') {
      if (!format) throw new AudioInputError('UNSUPPORTED_WAV', file, 'has its data chunk before the fmt chunk');
      // Streaming writers leave 0xFFFFFFFF, a guess, or 0 when they never finished the header: read what the file
      // actually holds, and flag it.
      const available = bytes.length - body;
      const unfinished = size === 0 && available > 0;
      const length = unfinished ? available : Math.min(size, available);
      return decodeSamples(bytes.subarray(body, body + length), format, unfinished || size > available, file);
    }
    if (body + size > bytes.length) {
      throw new AudioInputError('TRUNCATED', file, `ends inside its '${id.trim()}' chunk, before any audio data`);
    }
    if (id === 'fmt ') format = parseWavFormat(bytes.subarray(body, body + size), file);
    offset = nextChunk(bytes, body + size, size);
  }
  throw new AudioInputError('TRUNCATED', file, `has no data chunk (the file ends after ${bytes.length} bytes)`);
}

/** Chunks of odd size are followed by a pad byte; some writers forget it, so only skip it when a chunk id does not already start there. */
function nextChunk(bytes: Buffer, end: number, size: number): number {
  if (size % 2 === 0) return end;
  return looksLikeChunkId(bytes, end) && !looksLikeChunkId(bytes, end + 1) ? end : end + 1;
}

function looksLikeChunkId(bytes: Buffer, at: number): boolean {
  if (at + 4 > bytes.length) return false;
  for (let i = at; i < at + 4; i++) if (bytes[i]! < 0x20 || bytes[i]! > 0x7e) return false;
  return true;
}

/** The fmt chunk's body, checked: AudioInputError UNSUPPORTED_WAV for formats read through ffmpeg instead, UNSUPPORTED_ENCODING for bit depths nothing reads right. */
export function parseWavFormat(fmt: Buffer, file: string): WavFormat {
  if (fmt.length < 16) throw new AudioInputError('UNSUPPORTED_WAV', file, `has a ${fmt.length}-byte fmt chunk (16 at least expected)`);
  let tag = fmt.readUInt16LE(0);
  const channels = fmt.readUInt16LE(2);
  const sampleRate = fmt.readUInt32LE(4);
  const bitsPerSample = fmt.readUInt16LE(14);
  if (tag === FORMAT_EXTENSIBLE) {
    if (fmt.length < 40 || !fmt.subarray(26, 40).equals(SUBFORMAT_GUID_TAIL)) {
      throw new AudioInputError('UNSUPPORTED_WAV', file, 'has a WAVE_FORMAT_EXTENSIBLE header with an unknown sub-format');
    }
    tag = fmt.readUInt16LE(24);
  }
  if (channels === 0 || sampleRate === 0) {
    throw new AudioInputError('UNSUPPORTED_WAV', file, `declares ${channels} channels at ${sampleRate} Hz`);
  }
  if (tag === FORMAT_PCM && [8, 16, 24, 32].includes(bitsPerSample)) return { encoding: 'int', bitsPerSample, channels, sampleRate };
  if (tag === FORMAT_IEEE_FLOAT && (bitsPerSample === 32 || bitsPerSample === 64)) return { encoding: 'float', bitsPerSample, channels, sampleRate };
  const kind = tag === FORMAT_PCM ? 'PCM' : tag === FORMAT_IEEE_FLOAT ? 'float' : `format 0x${tag.toString(16).padStart(4, '0')}`;
  // ffmpeg would guess at PCM or float of an odd depth (7-bit PCM as 8-bit: twice the duration): refuse it outright.
  const code = tag === FORMAT_PCM || tag === FORMAT_IEEE_FLOAT ? 'UNSUPPORTED_ENCODING' : 'UNSUPPORTED_WAV';
  throw new AudioInputError(code, file, `uses ${bitsPerSample}-bit ${kind} samples (supported: 8/16/24/32-bit PCM, 32/64-bit float)`);
}

type SampleReader = (bytes: Buffer, at: number) => number;

const readers: Record<string, SampleReader> = {
  int8: (b, at) => (b[at]! - 128) / 128, // 8-bit WAV is unsigned
  int16: (b, at) => b.readInt16LE(at) / 32768,
  int24: (b, at) => (((b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16)) << 8) >> 8) / 8388608,
  int32: (b, at) => b.readInt32LE(at) / 2147483648,
  float32: (b, at) => clamp(b.readFloatLE(at)),
  float64: (b, at) => clamp(b.readDoubleLE(at)),
};

function clamp(x: number): number {
  if (Number.isNaN(x)) return 0;
  return Math.min(1, Math.max(-1, x));
}

function decodeSamples(data: Buffer, format: WavFormat, declaredMore: boolean, file: string): AudioClip {
  const { channels, sampleRate, bitsPerSample } = format;
  const sampleBytes = bitsPerSample / 8;
  const frameBytes = sampleBytes * channels;
  const frames = Math.floor(data.length / frameBytes);
  // A partial last frame also means the writer stopped mid-sample.
  const truncated = declaredMore || data.length % frameBytes !== 0;
  if (frames === 0) {
    if (truncated) throw new AudioInputError('TRUNCATED', file, 'has no complete audio frame (cut off or damaged)');
    throw new AudioInputError('EMPTY_FILE', file, 'holds no audio samples (empty data chunk)');
  }
  return { sampleRate, channels, durationSec: frames / sampleRate, samples: monoSamples(data, format), truncated };
}

/** The whole frames in `data` (a partial last one is left out), channels averaged. */
export function monoSamples(data: Buffer, format: WavFormat): Float32Array {
  const sampleBytes = format.bitsPerSample / 8;
  const read = readers[`${format.encoding}${format.bitsPerSample}`]!;
  const samples = new Float32Array(Math.floor(data.length / (sampleBytes * format.channels)));
  for (let frame = 0, at = 0; frame < samples.length; frame++) {
    let sum = 0;
    for (let c = 0; c < format.channels; c++, at += sampleBytes) sum += read(data, at);
    samples[frame] = sum / format.channels;
  }
  return samples;
}
