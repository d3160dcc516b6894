/**
 * Wyoming protocol framing (https://github.com/OHF-Voice/wyoming): one JSON header line, then `data_length`
 * bytes of JSON merged into the header's `data`, then `payload_length` bytes of binary payload. The reader
 * accepts inline `data` too. Every length is checked against its limit before anything is buffered for it, so
 * a peer claiming a 100 MB payload is refused at once instead of being waited for.
 */

export interface WyomingEvent {
  type: string;
  data: Record<string, unknown>;
  payload: Buffer | null;
}

export interface FramingLimits {
  /** Longest header line, newline excluded. */
  maxHeaderBytes: number;
  maxDataBytes: number;
  maxPayloadBytes: number;
}

export const DEFAULT_FRAMING_LIMITS: Readonly<FramingLimits> = Object.freeze({
  maxHeaderBytes: 64 * 1024,
  maxDataBytes: 256 * 1024,
  maxPayloadBytes: 1024 * 1024,
});

/** The protocol version this server writes into its headers (the Python library's own writes its version too). */
export const WYOMING_VERSION = '1.8.0';

export class WyomingFrameError extends Error {
  override name = 'WyomingFrameError';
  constructor(
    readonly code: 'HEADER_TOO_LONG' | 'BAD_HEADER' | 'DATA_TOO_LONG' | 'PAYLOAD_TOO_LONG' | 'BAD_DATA',
    message: string,
  ) {
    super(message);
  }
}

type Pending = { header: { type: string; data: Record<string, unknown> }; dataLength: number; payloadLength: number; stage: 'data' | 'payload' };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Incremental reader: feed socket chunks, get whole events; throws WyomingFrameError on a malformed frame. */
export class EventReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private pending: Pending | null = null;

  constructor(private readonly limits: FramingLimits = DEFAULT_FRAMING_LIMITS) {}

  push(chunk: Buffer): WyomingEvent[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const events: WyomingEvent[] = [];
    for (let event = this.next(); event; event = this.next()) events.push(event);
    return events;
  }

  /** Bytes held for an incomplete event (bounded by the limits). */
  get bufferedBytes(): number {
    return this.buffered;
  }

  private next(): WyomingEvent | null {
    if (!this.pending) {
      const line = this.takeLine();
      if (line === null) return null;
      this.pending = this.parseHeader(line);
    }
    const p = this.pending;
    if (p.stage === 'data') {
      if (p.dataLength > 0) {
        if (this.buffered < p.dataLength) return null;
        Object.assign(p.header.data, this.parseData(this.take(p.dataLength)));
      }
      p.stage = 'payload';
    }
    if (this.buffered < p.payloadLength) return null;
    const payload = p.payloadLength > 0 ? this.take(p.payloadLength) : null;
    this.pending = null;
    return { type: p.header.type, data: p.header.data, payload };
  }

  private parseHeader(line: Buffer): Pending {
    let header: unknown;
    try {
      header = JSON.parse(line.toString('utf8'));
    } catch {
      throw new WyomingFrameError('BAD_HEADER', `Expected a JSON object as event header but received ${line.length} bytes that are not JSON`);
    }
    if (!isObject(header) || typeof header.type !== 'string' || header.type === '')
      throw new WyomingFrameError('BAD_HEADER', 'Expected an event header with a string "type"');
    if (header.data !== undefined && header.data !== null && !isObject(header.data))
      throw new WyomingFrameError('BAD_HEADER', 'Expected an object for "data" in the event header');
    const dataLength = this.length(header.data_length, 'data_length', this.limits.maxDataBytes, 'DATA_TOO_LONG');
    const payloadLength = this.length(header.payload_length, 'payload_length', this.limits.maxPayloadBytes, 'PAYLOAD_TOO_LONG');
    return {
      header: { type: header.type, data: { ...((header.data as Record<string, unknown> | undefined) ?? {}) } },
      dataLength,
      payloadLength,
      stage: 'data',
    };
  }

  private length(value: unknown, name: string, max: number, code: 'DATA_TOO_LONG' | 'PAYLOAD_TOO_LONG'): number {
    if (value === undefined || value === null) return 0;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0)
      throw new WyomingFrameError('BAD_HEADER', `Expected non-negative integer for ${name} but received ${JSON.stringify(value)}`);
    if (value > max) throw new WyomingFrameError(code, `Expected ${name} <= ${max} bytes but received ${value}`);
    return value;
  }

  private parseData(bytes: Buffer): Record<string, unknown> {
    let data: unknown;
    try {
      data = JSON.parse(bytes.toString('utf8'));
    } catch {
      throw new WyomingFrameError('BAD_DATA', `Expected ${bytes.length} bytes of JSON event data but they are not JSON`);
    }
    if (!isObject(data)) throw new WyomingFrameError('BAD_DATA', 'Expected a JSON object as event data');
    return data;
  }

  private takeLine(): Buffer | null {
    let seen = 0;
    for (const chunk of this.chunks) {
      const at = chunk.indexOf(0x0a);
      if (at >= 0) {
        const line = this.take(seen + at + 1);
        return line.subarray(0, line.length - 1);
      }
      seen += chunk.length;
    }
    if (seen > this.limits.maxHeaderBytes)
      throw new WyomingFrameError(
        'HEADER_TOO_LONG',
        `Expected an event header line of at most ${this.limits.maxHeaderBytes} bytes but received ${seen} bytes without a newline`,
      );
    return null;
  }

  private take(n: number): Buffer {
    const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.buffered);
    const out = all.subarray(0, n);
    const rest = all.subarray(n);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.buffered = rest.length;
    return out;
  }
}

/** Frames an event exactly as the Python `wyoming` library writes it: `data` moved into a data block, `version` added. */
export function encodeEvent(type: string, data: Record<string, unknown> = {}, payload: Buffer | null = null): Buffer {
  const header: Record<string, unknown> = { type, version: WYOMING_VERSION };
  const dataBytes = Object.keys(data).length > 0 ? Buffer.from(JSON.stringify(data), 'utf8') : null;
  if (dataBytes) header.data_length = dataBytes.length;
  if (payload && payload.length > 0) header.payload_length = payload.length;
  return Buffer.concat([
    Buffer.from(`${JSON.stringify(header)}\n`, 'utf8'),
    ...(dataBytes ? [dataBytes] : []),
    ...(payload && payload.length > 0 ? [payload] : []),
  ]);
}
