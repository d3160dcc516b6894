/**
 * A live source (microphone via arecord, or any capture command): a worker thread transcribes it as it is heard;
 * this side stores each session as a recording with its redacted segments. When the capture stops (device
 * unplugged, command exited) it is restarted with back-off; the rest of the daemon is unaffected.
 */
import { Worker } from 'node:worker_threads';
import type { Logger } from '../log/logger.js';
import type { FromLiveWorker, LiveSettings, LiveWorkerData, ToLiveWorker } from '../pipeline/messages.js';
import type { PowerVariant } from '../power/governor.js';
import type { Store } from '../store/store.js';
import { endWorker } from '../pipeline/worker-shutdown.js';

const WORKER_URL = new URL(import.meta.url.endsWith('.ts') ? '../pipeline/live-worker.ts' : '../pipeline/live-worker.js', import.meta.url);
const RESTART_MIN_MS = 2000;
const RESTART_MAX_MS = 60_000;
/** How long stop() waits for the last session to be flushed, and then for the worker to exit, before terminating it. */
const STOP_GRACE_MS = 10_000;

export interface LiveHealth {
  state: 'stopped' | 'capturing' | 'waiting' | 'down';
  recordingId: string | null;
  heardSec: number;
  lastError: string | null;
  /** Partials not decoded because the worker was behind real time (audio and finals are never dropped). */
  partialsDropped: number;
}

/** A redacted partial transcript of the segment being spoken, as it leaves the source (never stored). */
export interface LivePartial {
  source: 'mic' | 'command';
  recordingId: string;
  /** The seq its final segment will be stored under. */
  seq: number;
  /** Counts the partials of this segment from 0. */
  counter: number;
  start: number;
  end: number;
  text: string;
  final: false;
}

/** Partials and the stored finals of live sources, for MQTT and `hushscribe listen`. */
export interface LiveListener {
  partial(partial: LivePartial): void;
  final(segment: { source: 'mic' | 'command'; recordingId: string; seq: number; start: number; end: number; text: string; final: true }): void;
}

/**
 * arecord writing WAV to stdout: the capture command for the microphone source. It writes one ALSA period at a
 * time, a quarter of its 500 ms buffer unless told: 125 ms of audio a live endpoint would wait for. 20 ms periods
 * in the same buffer (as the live bench's feeder writes) cost a few more wakeups, not more overruns.
 */
export function micArgv(mic: { device: string; rate: number; channels: number }): string[] {
  return [
    'arecord',
    '-q',
    '-D',
    mic.device,
    '-f',
    'S16_LE',
    '-r',
    String(mic.rate),
    '-c',
    String(mic.channels),
    '--buffer-time=500000',
    '--period-time=20000',
    '-t',
    'wav',
  ];
}

export class LiveSource {
  private worker: Worker | null = null;
  private session: string | null = null;
  private state: LiveHealth['state'] = 'stopped';
  private heardSec = 0;
  private lastError: string | null = null;
  private restartDelay = RESTART_MIN_MS;
  private restartTimer: NodeJS.Timeout | null = null;
  private stopping = false;
  private loading: Promise<void> | null = null;
  private ended: (() => void) | null = null;
  private lastActivity = Date.now();
  private variant: PowerVariant = 'dense';
  private partialsDropped = 0;
  private readonly listeners = new Set<LiveListener>();

  constructor(
    readonly name: 'mic' | 'command',
    private readonly label: string,
    private readonly settings: LiveSettings,
    private readonly store: Store,
    private readonly log: Logger,
    private readonly maxStallMs: number,
  ) {}

  health(): LiveHealth {
    return { state: this.state, recordingId: this.session, heardSec: this.heardSec, lastError: this.lastError, partialsDropped: this.partialsDropped };
  }

  /** Adds a listener for partials and finals; returns its removal. A throwing listener is logged, never fatal. */
  listen(listener: LiveListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private tell(each: (l: LiveListener) => void): void {
    for (const l of this.listeners) {
      try {
        each(l);
      } catch (err) {
        this.log.error('live listener failed', { source: this.name, err });
      }
    }
  }

  /** False when capturing but nothing has been heard for maxStallMs (a hung capture or transcription). */
  healthy(): boolean {
    return this.state !== 'capturing' || Date.now() - this.lastActivity < this.maxStallMs;
  }

  /** The power governor's choice: the worker uses it from the next speech segment on. */
  setVariant(variant: PowerVariant): void {
    this.variant = variant;
    this.worker?.postMessage({ type: 'variant', variant } satisfies ToLiveWorker);
  }

  /** Loads the model in the worker and starts capturing; rejects when the model cannot be loaded. */
  start(): Promise<void> {
    this.stopping = false;
    const loading = this.loadWorker();
    // stop() waits for the load: terminating a worker inside onnxruntime's native session set-up aborts the process.
    this.loading = loading.catch(() => undefined);
    return loading;
  }

  private loadWorker(): Promise<void> {
    return new Promise((resolve, reject) => {
      const worker = new Worker(WORKER_URL, { workerData: { ...this.settings, source: this.name } satisfies LiveWorkerData });
      this.worker = worker;
      worker.on('message', (msg: FromLiveWorker) => {
        if (msg.type === 'ready') {
          this.log.info('live source ready', { source: this.name, model: msg.model.name, sparseVariant: msg.sparseModel?.variant ?? null });
          worker.postMessage({ type: 'variant', variant: this.variant } satisfies ToLiveWorker);
          this.capture();
          resolve();
        } else if (msg.type === 'fatal') {
          this.state = 'down';
          this.lastError = `${msg.code}: ${msg.message}`;
          reject(new Error(msg.message));
        } else {
          this.handle(msg);
        }
      });
      worker.on('error', (err) => {
        this.log.error('live worker crashed', { source: this.name, err });
        reject(err);
      });
      worker.on('exit', (code) => {
        reject(new Error(`live worker exited with code ${code} while loading`)); // no-op once loaded
        if (this.worker !== worker) return;
        this.worker = null;
        this.state = 'down';
        this.closeSession();
        if (!this.stopping) this.log.error('live worker exited', { source: this.name, code });
        this.ended?.();
      });
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    await this.loading;
    const worker = this.worker;
    if (!worker) return;
    if (this.state === 'capturing') {
      // Let the worker flush the session: capture is stopped, the last segments and session-end arrive.
      const flushed = new Promise<void>((done) => (this.ended = done));
      worker.postMessage({ type: 'stop' } satisfies ToLiveWorker);
      await Promise.race([flushed, new Promise((r) => setTimeout(r, STOP_GRACE_MS))]);
    }
    this.worker = null;
    await endWorker(worker, STOP_GRACE_MS);
    this.closeSession();
    this.state = 'stopped';
  }

  private capture(): void {
    this.restartTimer = null;
    if (this.stopping || !this.worker) return;
    this.state = 'capturing';
    this.lastActivity = Date.now();
    this.worker.postMessage({ type: 'start' } satisfies ToLiveWorker);
  }

  /** Ends the stored session when the worker could not (crash, terminate): what was stored stays. */
  private closeSession(): void {
    if (!this.session) return;
    const id = this.session;
    this.session = null;
    const rec = this.store.get(id);
    if (rec?.status === 'processing') this.store.finish(id, { durationSec: rec.progressSec, segmentCount: rec.segmentCount });
  }

  private handle(msg: Exclude<FromLiveWorker, { type: 'ready' | 'fatal' }>): void {
    this.lastActivity = Date.now();
    switch (msg.type) {
      case 'session': {
        const id = msg.recordingId;
        this.store.startStream({ id, source: this.name, fileName: this.label });
        this.session = id;
        this.log.info('live session started', { source: this.name, recordingId: id });
        break;
      }
      case 'segment':
        if (this.session) {
          const recordingId = this.session;
          this.store.putSegment(recordingId, msg.segment);
          const { seq, start, end, redactedText } = msg.segment;
          this.log.debug('live final', { source: this.name, seq, ...msg.latency, storedAt: Date.now() });
          this.tell((l) => l.final({ source: this.name, recordingId, seq, start, end, text: redactedText, final: true }));
        }
        this.restartDelay = RESTART_MIN_MS;
        break;
      case 'partial':
        this.partialsDropped = msg.partialsDropped;
        if (this.session) {
          const recordingId = this.session;
          this.tell((l) =>
            l.partial({ source: this.name, recordingId, seq: msg.seq, counter: msg.counter, start: msg.start, end: msg.end, text: msg.text, final: false }),
          );
        }
        break;
      case 'heard':
        this.partialsDropped = msg.partialsDropped;
        this.heardSec = msg.sec;
        this.restartDelay = RESTART_MIN_MS;
        if (this.session) this.store.setProgress(this.session, msg.sec, null);
        break;
      case 'session-end':
        if (this.session) {
          this.store.finish(this.session, { durationSec: msg.durationSec, segmentCount: msg.segmentCount, redactedAudio: msg.redactedAudio });
          this.log.info('live session stored', {
            source: this.name,
            recordingId: this.session,
            durationSec: msg.durationSec,
            segments: msg.segmentCount,
            redactedAudioBytes: msg.redactedAudio?.bytes ?? null,
          });
          this.session = null;
        }
        break;
      case 'variant-failed':
        this.log.error('the power variant cannot be loaded; transcribing dense', { source: this.name, variant: msg.variant, error: msg.message });
        break;
      case 'audio-failed':
        this.log.warn('live session redacted audio not saved; transcription goes on', {
          source: this.name,
          recordingId: this.session,
          code: msg.code,
          reason: msg.message,
        });
        break;
      case 'capture-ended':
        if (this.stopping) {
          this.ended?.();
          break;
        }
        this.lastError = `capture stopped (${msg.signal ?? `exit ${msg.code}`})${msg.message ? `: ${msg.message}` : ''}`;
        this.state = 'waiting';
        this.log.warn('live capture stopped; restarting', {
          source: this.name,
          code: msg.code,
          signal: msg.signal,
          reason: msg.message,
          retryMs: this.restartDelay,
        });
        this.restartTimer = setTimeout(() => this.capture(), this.restartDelay);
        this.restartDelay = Math.min(this.restartDelay * 2, RESTART_MAX_MS);
        break;
    }
  }
}
