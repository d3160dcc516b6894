/**
 * A Wyoming protocol speech-to-text server (Home Assistant Assist): `describe` -> `info`; `transcribe`,
 * `audio-start`, `audio-chunk`*, `audio-stop` -> `transcript-start`, `transcript-chunk`* (redacted deltas that
 * concatenate to the final text, one per speech segment as the VAD closes it), `transcript` (always) and
 * `transcript-stop`. A `transcribe` event's `context.hotwords` (the control socket's per-request list: phrases, or
 * {phrase, boost, pii}) bias the next request's decoding; a malformed list is answered with an `error` event and
 * not used. Unknown events are ignored. A malformed frame, a length over its limit, audio out of order or
 * a silent client gets the connection closed; nothing else is affected. Transcripts are redacted in the worker;
 * a request is stored only when `store` is on.
 */
import { chmodSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from '../log/logger.js';
import type { RedactedSegment } from '../redaction/segment.js';
import type { WyomingAddress } from './address.js';
import type { Hotword } from '../asr/context-graph.js';
import { HotwordRequestError, parseRequestHotwords } from '../asr/request-hotwords.js';
import type { EngineSession, SessionResult, WyomingEngine } from './engine.js';
import { EventReader, encodeEvent, WyomingFrameError, type FramingLimits, type WyomingEvent } from './framing.js';
import type { PcmFormat } from './messages.js';
import { pcmFormatProblem } from './pcm.js';

/** Where a Wyoming request's redacted segments go when wyoming.store is on (the daemon's Store behind it). */
export interface WyomingRecorder {
  begin(): string;
  segment(recordingId: string, segment: RedactedSegment): void;
  end(recordingId: string, result: { durationSec: number; segmentCount: number } | null): void;
}

export interface WyomingServerOptions {
  address: WyomingAddress;
  idleTimeoutMs: number;
  maxClients: number;
  /** Audio beyond this per request is ignored (the transcript covers the first maxAudioSec). */
  maxAudioSec: number;
  limits: FramingLimits;
  /** The `info` answer to `describe`. */
  info: Record<string, unknown>;
  language: string;
}

export interface WyomingCounters {
  connections: number;
  requests: number;
  rejectedFrames: number;
}

/** Closes the connection with a reason for the log (never the client's data). */
class ProtocolError extends Error {}

export class WyomingServer {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  readonly counters: WyomingCounters = { connections: 0, requests: 0, rejectedFrames: 0 };

  constructor(
    private readonly options: WyomingServerOptions,
    private readonly engine: WyomingEngine,
    private readonly recorder: WyomingRecorder | null,
    private readonly log: Logger,
  ) {}

  /** The bound TCP port (useful with port 0), or null for a Unix socket. */
  get port(): number | null {
    const a = this.server?.address();
    return a && typeof a === 'object' ? a.port : null;
  }

  async start(): Promise<void> {
    const server = createServer((socket) => this.connection(socket));
    server.maxConnections = this.options.maxClients;
    const address = this.options.address;
    if (address.kind === 'unix') rmSync(address.path, { force: true }); // a socket left by a killed daemon
    await new Promise<void>((done, fail) => {
      server.once('error', fail);
      if (address.kind === 'unix') server.listen(address.path, done);
      else server.listen(address.port, address.host, done);
    });
    server.on('error', (err) => this.log.error('wyoming server error', { err }));
    if (address.kind === 'unix') chmodSync(address.path, 0o660);
    this.server = server;
    this.log.info('wyoming server listening', address.kind === 'unix' ? { path: address.path } : { host: address.host, port: this.port });
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const socket of this.sockets) socket.destroy();
    if (server) await new Promise<void>((done) => server.close(() => done()));
    if (this.options.address.kind === 'unix') rmSync(this.options.address.path, { force: true });
  }

  private connection(socket: Socket): void {
    this.sockets.add(socket);
    this.counters.connections++;
    const reader = new EventReader(this.options.limits);
    const conn = new Connection(socket, this.options, this.engine, this.recorder, this.counters, this.log);
    socket.setTimeout(this.options.idleTimeoutMs, () => conn.close('idle timeout'));
    socket.on('data', (chunk: Buffer) => {
      let events: WyomingEvent[];
      try {
        events = reader.push(chunk);
      } catch (err) {
        this.counters.rejectedFrames++;
        conn.close(err instanceof WyomingFrameError ? `${err.code}: ${err.message}` : 'unreadable frame');
        return;
      }
      for (const event of events) conn.receive(event);
    });
    socket.on('error', () => undefined); // a reset by the peer; 'close' follows
    socket.on('close', () => {
      this.sockets.delete(socket);
      conn.closed();
    });
  }
}

/** One client connection: its events are handled in order, one at a time. */
class Connection {
  private queue: Promise<void> = Promise.resolve();
  private request: {
    session: EngineSession;
    format: PcmFormat;
    bytes: number;
    maxBytes: number;
    texts: string[];
    recordingId: string | null;
    segments: number;
  } | null = null;
  private language: string;
  /** The hotwords of the last transcribe event, for the request that follows it (RAM only: they may hold names). */
  private hotwords: Hotword[] | undefined;
  private gone = false;

  constructor(
    private readonly socket: Socket,
    private readonly options: WyomingServerOptions,
    private readonly engine: WyomingEngine,
    private readonly recorder: WyomingRecorder | null,
    private readonly counters: WyomingCounters,
    private readonly log: Logger,
  ) {
    this.language = options.language;
  }

  receive(event: WyomingEvent): void {
    this.queue = this.queue
      .then(() => (this.gone ? undefined : this.handle(event)))
      .catch((err: unknown) => this.close(err instanceof ProtocolError ? err.message : `request failed: ${(err as Error).message}`));
  }

  close(reason: string): void {
    if (this.gone) return;
    this.log.warn('wyoming connection closed', { reason });
    this.socket.destroy();
    this.closed();
  }

  /** The peer went away (or we closed): an open request is dropped, costing nothing further. */
  closed(): void {
    this.gone = true;
    const req = this.request;
    this.request = null;
    if (!req) return;
    req.session.abort();
    if (req.recordingId) this.recorder?.end(req.recordingId, null);
  }

  private send(type: string, data: Record<string, unknown> = {}): void {
    if (!this.gone) this.socket.write(encodeEvent(type, data));
  }

  private async handle(event: WyomingEvent): Promise<void> {
    switch (event.type) {
      case 'describe':
        this.send('info', this.options.info);
        return;
      case 'transcribe':
        if (typeof event.data.language === 'string' && event.data.language !== '') this.language = event.data.language;
        this.hotwords = this.contextHotwords(event.data.context);
        return;
      case 'audio-start':
        return this.audioStart(event);
      case 'audio-chunk':
        return this.audioChunk(event);
      case 'audio-stop':
        return this.audioStop();
      default:
        return; // other programs' events (wake, tts, ...) are not ours to answer
    }
  }

  /** context.hotwords of a transcribe event; a malformed list gets an `error` event (the phrases are not echoed). */
  private contextHotwords(context: unknown): Hotword[] | undefined {
    if (typeof context !== 'object' || context === null) return undefined;
    try {
      return parseRequestHotwords((context as Record<string, unknown>).hotwords, 'context.hotwords');
    } catch (err) {
      if (!(err instanceof HotwordRequestError)) throw err;
      this.send('error', { text: `${err.message}; transcribing without it`, code: 'bad-hotwords' });
      return undefined;
    }
  }

  private audioStart(event: WyomingEvent): void {
    if (this.request) throw new ProtocolError('audio-start while a request is open');
    const problem = pcmFormatProblem(event.data);
    if (problem) throw new ProtocolError(`audio-start: ${problem}`);
    const format = { rate: event.data.rate, width: event.data.width, channels: event.data.channels } as PcmFormat;
    this.counters.requests++;
    const recordingId = this.recorder?.begin() ?? null;
    const hotwords = this.hotwords;
    this.hotwords = undefined; // a transcribe event's context is for the one request after it
    const req = {
      format,
      bytes: 0,
      maxBytes: Math.floor(this.options.maxAudioSec * format.rate) * format.width * format.channels,
      texts: [] as string[],
      recordingId,
      segments: 0,
      session: this.engine.session(
        format,
        {
          segment: (segment) => {
            if (recordingId) this.recorder?.segment(recordingId, segment);
            if (segment.redactedText === '') return;
            // Deltas: each segment's text, space-separated from the one before, so they concatenate to the transcript.
            this.send('transcript-chunk', { text: req.texts.length > 0 ? ` ${segment.redactedText}` : segment.redactedText });
            req.texts.push(segment.redactedText);
          },
        },
        hotwords,
      ),
    };
    this.request = req;
    this.send('transcript-start', { language: this.language });
  }

  private audioChunk(event: WyomingEvent): void {
    const req = this.request;
    if (!req) throw new ProtocolError('audio-chunk before audio-start');
    const payload = event.payload;
    if (!payload) return;
    const { rate, width, channels } = event.data;
    if (
      (rate !== undefined && rate !== req.format.rate) ||
      (width !== undefined && width !== req.format.width) ||
      (channels !== undefined && channels !== req.format.channels)
    ) {
      throw new ProtocolError('audio-chunk: its format differs from audio-start');
    }
    const room = req.maxBytes - req.bytes;
    if (room <= 0) return;
    const take = payload.length <= room ? payload : payload.subarray(0, room);
    req.bytes += take.length;
    req.session.push(take);
  }

  private async audioStop(): Promise<void> {
    const req = this.request;
    if (!req) throw new ProtocolError('audio-stop before audio-start');
    // The wait for the last segment's transcription is the server's, not the client's silence: no idle timeout.
    this.socket.setTimeout(0);
    let result: SessionResult;
    try {
      result = await req.session.finish();
    } finally {
      if (!this.gone) this.socket.setTimeout(this.options.idleTimeoutMs);
    }
    if (this.request !== req) return; // the client left while the last segment was transcribed
    this.request = null;
    if (req.recordingId) this.recorder?.end(req.recordingId, result);
    this.send('transcript', { text: req.texts.join(' '), language: this.language });
    this.send('transcript-stop');
  }
}
