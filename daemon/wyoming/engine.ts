/**
 * The Wyoming server's side of its transcription worker: starts it (the model loads once), opens one session
 * per request and routes the worker's redacted segments back to it.
 */
import { Worker } from 'node:worker_threads';
import type { Hotword } from '../asr/context-graph.js';
import type { ModelInfo } from '../asr/types.js';
import type { RedactedSegment } from '../redaction/segment.js';
import { endWorker } from '../pipeline/worker-shutdown.js';
import type { FromWyomingWorker, PcmFormat, ToWyomingWorker, WyomingWorkerData } from './messages.js';

const WORKER_URL = new URL(import.meta.url.endsWith('.ts') ? './worker.ts' : './worker.js', import.meta.url);
/** How long stop() waits for the worker to finish the native call in hand before terminating it. */
const STOP_GRACE_MS = 10_000;

export interface SessionListener {
  segment(segment: RedactedSegment): void;
}

export interface SessionResult {
  durationSec: number;
  segmentCount: number;
}

/** One request's audio in the worker: push chunks, then finish() for the last segments, or abort(). */
export interface EngineSession {
  push(pcm: Buffer): void;
  finish(): Promise<SessionResult>;
  abort(): void;
}

interface Open {
  listener: SessionListener;
  done(result: SessionResult): void;
  fail(err: Error): void;
}

export class WyomingEngine {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly open = new Map<number, Open>();
  model: ModelInfo | null = null;

  constructor(private readonly settings: WyomingWorkerData) {}

  /** Loads the model in the worker; rejects when it cannot be loaded. */
  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      const worker = new Worker(WORKER_URL, { workerData: this.settings });
      this.worker = worker;
      worker.on('message', (msg: FromWyomingWorker) => {
        if (msg.type === 'ready') {
          this.model = msg.model;
          resolve();
        } else if (msg.type === 'fatal') {
          reject(new Error(`${msg.code}: ${msg.message}`));
        } else {
          this.route(msg);
        }
      });
      worker.on('error', reject);
      worker.on('exit', () => {
        if (this.worker === worker) this.worker = null;
        for (const o of this.open.values()) o.fail(new Error('the Wyoming transcription worker stopped'));
        this.open.clear();
        reject(new Error('the Wyoming transcription worker exited while loading'));
      });
    });
  }

  async stop(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    if (worker) await endWorker(worker, STOP_GRACE_MS);
  }

  get running(): boolean {
    return this.worker !== null;
  }

  /** hotwords: this request's own list (the configured one otherwise); its pii phrases are redacted in it. */
  session(format: PcmFormat, listener: SessionListener, hotwords?: Hotword[]): EngineSession {
    const worker = this.worker;
    if (!worker) throw new Error('the Wyoming transcription worker is not running');
    const id = this.nextId++;
    const send = (msg: ToWyomingWorker, transfer: ArrayBuffer[] = []) => this.worker?.postMessage(msg, transfer);
    let result: Promise<SessionResult> | null = null;
    const finished = new Promise<SessionResult>((done, fail) => this.open.set(id, { listener, done, fail }));
    finished.catch(() => undefined); // observed by finish(); an aborted session's outcome is nobody's
    send({ type: 'open', id, format, ...(hotwords ? { hotwords } : {}) });
    return {
      push: (pcm) => {
        const copy = new Uint8Array(pcm); // the payload may share a pooled buffer: send our own, transferred
        send({ type: 'audio', id, pcm: copy }, [copy.buffer]);
      },
      finish: () => {
        if (!result) {
          send({ type: 'finish', id });
          result = finished;
        }
        return result;
      },
      abort: () => {
        if (!this.open.delete(id)) return;
        send({ type: 'abort', id });
      },
    };
  }

  private route(msg: Exclude<FromWyomingWorker, { type: 'ready' | 'fatal' }>): void {
    const o = this.open.get(msg.id);
    if (!o) return;
    if (msg.type === 'segment') o.listener.segment(msg.segment);
    else {
      this.open.delete(msg.id);
      if (msg.type === 'done') o.done({ durationSec: msg.durationSec, segmentCount: msg.segmentCount });
      else o.fail(new Error(`transcription failed: ${msg.message}`));
    }
  }
}
