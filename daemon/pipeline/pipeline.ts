/**
 * The main-thread side of transcription: takes queued recordings from the store one at a time, hands each to the
 * worker thread, and stores the redacted segments it sends back. The store is the queue, so nothing is lost
 * when the process dies; a crashed worker fails only the recording it was on and is restarted.
 */
import { basename } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Hotword } from '../asr/context-graph.js';
import type { Logger } from '../log/logger.js';
import type { ModelInfo } from '../asr/types.js';
import { isRetryableStoreError, type Recording, type Store } from '../store/store.js';
import type { PowerVariant } from '../power/governor.js';
import { isAudioFault, type FromWorker, type ToWorker, type WorkerSettings } from './messages.js';
import { endWorker } from './worker-shutdown.js';

export interface PipelineHealth {
  /** blocked: the database refuses writes (locked by another process, disk full); retried until it accepts them. */
  state: 'starting' | 'idle' | 'busy' | 'blocked' | 'down' | 'stopped';
  recordingId: string | null;
  /** ms since the worker last reported progress on the current recording (or since it went idle). */
  sinceActivityMs: number;
  /**
   * False when busy without progress, or blocked by the database, for longer than watchdog.maxStallSec
   * (systemd's watchdog then restarts us).
   */
  healthy: boolean;
  /** Why the database refuses writes and since how many ms, while it does; null otherwise. */
  database: { error: string; sinceMs: number } | null;
  /** Paused: the recording in progress finishes, nothing new is taken from the queue until resume(). */
  paused: boolean;
  model: ModelInfo | null;
  /** The variant loaded alongside for the power governor's sparse mode, or null. */
  sparseModel: ModelInfo | null;
  error: string | null;
}

/**
 * aborted: cut short by us (a stop); refused: the database refused a write for it (locked, disk full); crashed: the
 * worker died on it. All go back to the queue; only a crash counts as an attempt.
 */
type Outcome = 'done' | 'failed' | 'aborted' | 'refused' | 'crashed';

interface Job {
  recording: Recording;
  /** Ends the job once (later calls do nothing). */
  settle: (outcome: Outcome) => void;
  /** Set when we dropped the job (a store write refused): its outcome once the worker lets go of it. */
  dropped: Outcome | null;
}

/** Back-off between retries of a refused database write: doubling from the first to the last. */
const STORE_RETRY_FIRST_MS = 250;
const STORE_RETRY_MAX_MS = 30_000;
/** How long stop() waits for the worker to finish its native call in hand before terminating it (see worker-shutdown.ts). */
const STOP_GRACE_MS = 15_000;

/**
 * V8's young generation of the worker's heap. By default it grows to 16 MB semi-spaces during model loading and
 * stays committed: ~30 MB resident for nothing, since the worker's big data (audio, tensors) lives outside the
 * JS heap. 3 MB (1 MB semi-spaces) costs a few more scavenges (npm run bench -- memory).
 */
const WORKER_YOUNG_GENERATION_MB = 3;

// Worker file next to this one: .ts when run from source (tests), .js when built.
const WORKER_URL = new URL(import.meta.url.endsWith('.ts') ? './worker.ts' : './worker.js', import.meta.url);

/**
 * Where a recording's audio comes from (the watch folder): asked right before the worker reads it, and told
 * once its outcome is stored, so a file that changed since it was queued is never transcribed or disposed of
 * under the id (the content hash) of what was queued.
 */
export interface SourceGuard {
  /**
   * The path the worker reads (the queued file, held open), the recording's own path for one the guard does not
   * watch, or null when the file is no longer the one queued (the guard has taken the recording off the queue).
   */
  hold(recording: Recording): Promise<string | null>;
  /** The outcome is stored; `committed`: its result is, so the source may be disposed of. Lets go of the file. */
  release(recording: Recording, committed: boolean): Promise<void>;
}

const UNGUARDED: SourceGuard = {
  hold: async (recording) => recording.path,
  release: async () => undefined,
};

export class Pipeline {
  private worker: Worker | null = null;
  private job: Job | null = null;
  private state: PipelineHealth['state'] = 'stopped';
  private lastActivity = Date.now();
  private model: ModelInfo | null = null;
  private sparseModel: ModelInfo | null = null;
  private error: string | null = null;
  private wakeUp: (() => void) | null = null;
  private loop: Promise<void> | null = null;
  private stopping = false;
  private paused = false;
  /** Wait before taking the next recording after one was refused by the database; doubles while refused. */
  private refusedDelayMs = STORE_RETRY_FIRST_MS;
  /** The worker's model load in progress: stop() waits for it, since terminating a worker inside onnxruntime's native session set-up aborts the process. */
  private loading: Promise<void> | null = null;

  constructor(
    private readonly store: Store,
    private readonly settings: WorkerSettings,
    private readonly log: Logger,
    private readonly maxStallMs: number,
    /** Asked as each recording is handed to the worker: the whole recording runs on that variant. */
    private readonly chooseVariant: () => PowerVariant = () => 'dense',
    /** Asked as the worker starts: the variant it loads first (the other loads when first chosen). */
    private readonly startVariant: () => PowerVariant = () => 'dense',
  ) {}

  /** Starts the worker and the queue loop; rejects if the model cannot be loaded. */
  async start(): Promise<void> {
    this.stopping = false;
    this.state = 'starting';
    await this.startWorker();
    this.loop = this.run();
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.wake();
  }

  /** Per-request hotwords, kept in RAM until the recording is done (they may hold names: never stored). */
  private readonly requestHotwords = new Map<string, Hotword[]>();
  private sourceGuard: SourceGuard = UNGUARDED;

  /** The watch folder, once created (it is created after the pipeline). */
  guardSources(guard: SourceGuard): void {
    this.sourceGuard = guard;
  }

  setRecordingHotwords(recordingId: string, hotwords: readonly Hotword[]): void {
    this.requestHotwords.set(recordingId, [...hotwords]);
  }

  /** Something was queued: look at the queue now rather than on the next poll. */
  wake(): void {
    this.wakeUp?.();
  }

  /**
   * Stops taking work. A recording in progress is abandoned and put back in the queue, so the next start
   * transcribes it again from the beginning (its stored segments are replaced).
   */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake();
    await this.loading?.catch(() => undefined);
    const job = this.job;
    const worker = this.worker;
    this.worker = null;
    // The worker drops the recording in hand after its native call (or finishes it, if it was nearly done).
    if (worker) await endWorker(worker, STOP_GRACE_MS);
    job?.settle('aborted');
    await this.loop;
    this.state = 'stopped';
  }

  health(): PipelineHealth {
    const since = Date.now() - this.lastActivity;
    // Any refused write counts, the watch folder's too: the queue cannot move until the database accepts them.
    const problem = this.store.writeHealth.problem;
    const blocked = problem && { error: problem.error, sinceMs: Date.now() - problem.since };
    return {
      state: blocked && this.state !== 'stopped' ? 'blocked' : this.state,
      recordingId: this.job?.recording.id ?? null,
      sinceActivityMs: since,
      // Only a stall is unhealthy: a pipeline that is down (no model) is reported, not restarted in a loop.
      healthy: (this.state !== 'busy' || since < this.maxStallMs) && (!blocked || blocked.sinceMs < this.maxStallMs),
      database: blocked || null,
      paused: this.paused,
      model: this.model,
      sparseModel: this.sparseModel,
      error: this.error,
    };
  }

  private startWorker(): Promise<void> {
    this.loading = this.loadWorker();
    return this.loading;
  }

  private loadWorker(): Promise<void> {
    return new Promise((resolve, reject) => {
      const worker = new Worker(WORKER_URL, {
        workerData: { ...this.settings, startVariant: this.startVariant() } satisfies WorkerSettings,
        resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
      });
      this.worker = worker;
      let ready = false;
      worker.on('message', (msg: FromWorker) => {
        if (msg.type === 'ready') {
          ready = true;
          this.model = msg.model;
          this.sparseModel = msg.sparseModel;
          this.error = null;
          this.touch('idle');
          this.log.info('model loaded', { model: msg.model.name, variant: msg.model.variant, sparseVariant: msg.sparseModel?.variant ?? null });
          // A damaged LM is not fatal: the worker decodes greedily, less accurately, and we say why.
          if (msg.lmError) this.log.warn('language model not loaded; decoding greedily', { reason: msg.lmError });
          resolve();
        } else if (msg.type === 'fatal') {
          this.state = 'down';
          this.error = `${msg.code}: ${msg.message}`;
          reject(Object.assign(new Error(msg.message), { code: msg.code }));
        } else {
          this.handle(msg);
        }
      });
      worker.on('error', (err) => {
        this.log.error('transcription worker crashed', { err });
        if (!ready) reject(err);
      });
      worker.on('exit', (code) => {
        if (this.worker !== worker) return; // replaced or stopped on purpose
        this.worker = null;
        if (!ready) {
          this.state = 'down';
          reject(new Error(`transcription worker exited with code ${code} while loading`));
          return;
        }
        this.onWorkerLost(code);
      });
    });
  }

  private onWorkerLost(code: number): void {
    const job = this.job;
    this.log.error('transcription worker exited', { code, recordingId: job?.recording.id });
    // Back to the queue, the attempt counted: a recording that keeps crashing the worker ends in TOO_MANY_ATTEMPTS.
    job?.settle(job.dropped ?? 'crashed');
    this.state = 'starting';
    this.startWorker().then(
      () => this.wake(),
      (err: Error) => {
        this.state = 'down';
        this.error = err.message;
        this.log.error('transcription worker could not be restarted', { err });
      },
    );
  }

  private touch(state: PipelineHealth['state']): void {
    this.state = state;
    this.lastActivity = Date.now();
  }

  /**
   * Runs a store write until the database accepts it, backing off while it refuses (locked by another process,
   * disk full), so the queue resumes by itself once space returns or the lock is released. Null if stopped first;
   * errors that are not the database's (bugs) are thrown.
   */
  private async storeRetry<T>(what: string, write: () => T): Promise<T | null> {
    let delay = STORE_RETRY_FIRST_MS;
    let reported: string | null = null;
    for (;;) {
      try {
        const result = write();
        if (reported) this.log.info('the database accepts writes again; carrying on', { what });
        return result;
      } catch (err) {
        if (!isRetryableStoreError(err)) throw err;
        this.store.writeHealth.refuse('pipeline', err);
        const code = (err as { code: string }).code;
        if (code !== reported) this.log.error('the database refuses writes; retrying with back-off', { what, code, err });
        reported = code;
      }
      // Tried once even while stopping (a recording cut off by stop() must go back to the queue); retried only while running.
      if (this.stopping) return null;
      await this.idle(delay);
      delay = Math.min(STORE_RETRY_MAX_MS, delay * 2);
    }
  }

  private handle(msg: Exclude<FromWorker, { type: 'ready' | 'fatal' }>): void {
    if (msg.type === 'variant-failed') {
      this.log.error('the power variant cannot be loaded; transcribing dense', { variant: msg.variant, error: msg.message });
      return;
    }
    const job = this.job;
    if (!job || job.recording.id !== msg.recordingId) return;
    this.touch('busy');
    if (job.dropped || msg.type === 'cancelled') {
      // Nothing more of a dropped recording is stored; it ends when the worker lets go of it ('done' included).
      if (msg.type !== 'progress' && msg.type !== 'segment') job.settle(job.dropped ?? 'aborted');
      return;
    }
    try {
      this.apply(job, msg);
    } catch (err) {
      // The recording goes back to the queue. The worker is told to drop it rather than terminated: terminating
      // it mid-inference aborts the process. The next job is sent once the worker has let go ('cancelled').
      if (isRetryableStoreError(err)) this.store.writeHealth.refuse('pipeline', err);
      this.log.error('store write failed; re-queueing the recording', { recordingId: job.recording.id, err });
      job.dropped = isRetryableStoreError(err) ? 'refused' : 'aborted';
      if (msg.type === 'done' || msg.type === 'failed') job.settle(job.dropped);
      else this.worker?.postMessage({ type: 'cancel', recordingId: job.recording.id } satisfies ToWorker);
    }
  }

  private apply(job: Job, msg: Exclude<FromWorker, { type: 'ready' | 'fatal' | 'variant-failed' | 'cancelled' }>): void {
    const id = job.recording.id;
    switch (msg.type) {
      case 'progress':
        this.store.setProgress(id, msg.sec, msg.durationSec);
        break;
      case 'segment':
        this.store.putSegment(id, msg.segment);
        break;
      case 'done':
        this.store.finish(id, { durationSec: msg.durationSec, segmentCount: msg.segmentCount, redactedAudio: msg.redactedAudio });
        this.log.info('recording transcribed', { recordingId: id, durationSec: msg.durationSec, segments: msg.segmentCount });
        this.requestHotwords.delete(id);
        job.settle('done');
        break;
      case 'failed':
        this.store.fail(id, msg.code, msg.message);
        this.log.warn('recording failed', { recordingId: id, code: msg.code, fileName: job.recording.fileName });
        this.requestHotwords.delete(id);
        job.settle('failed');
        break;
    }
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      try {
        await this.step();
      } catch (err) {
        // Never lets the loop die: a queue nobody takes from is silent loss.
        this.log.error('pipeline loop failed; carrying on', { err });
        await this.idle(1000);
      }
    }
  }

  /** A recording's result was committed (or the queue is empty): the database is not holding the pipeline up. */
  private progressed(): void {
    this.store.writeHealth.accept('pipeline');
    this.refusedDelayMs = STORE_RETRY_FIRST_MS;
  }

  /** One turn of the queue loop: take the next recording (if any) and see it through. */
  private async step(): Promise<void> {
    if (!this.worker || this.state === 'down' || this.state === 'starting') {
      await this.idle(1000);
      return;
    }
    if (this.store.writeHealth.isRefused('pipeline')) {
      // The last recording was refused: give the database time (space, a lock released) before trying again.
      await this.idle(this.refusedDelayMs);
      this.refusedDelayMs = Math.min(STORE_RETRY_MAX_MS, this.refusedDelayMs * 2);
    }
    const recording = this.paused ? null : await this.storeRetry('take the next recording', () => this.store.claimNext());
    if (!recording) {
      if (!this.paused) this.progressed(); // nothing queued: nothing is held up
      if (!this.stopping) this.touch('idle');
      await this.idle(5000);
      return;
    }
    const readPath = recording.path && (await this.sourceGuard.hold(recording));
    if (recording.path && !readPath) {
      // Changed since it was queued: its source takes the file again, as new audio, once it has settled.
      this.requestHotwords.delete(recording.id);
      this.touch('idle');
      return;
    }
    let committed = false;
    try {
      const outcome = await this.process(recording, readPath);
      if (outcome === 'aborted' || outcome === 'refused' || outcome === 'crashed') {
        await this.storeRetry('re-queue an interrupted recording', () => this.store.requeueInterrupted(recording.id, outcome !== 'crashed'));
      } else {
        this.progressed();
        const finished = this.store.get(recording.id);
        // Only a committed result lets the source dispose of the file; a failure that is not the audio's keeps it.
        committed = !!finished && (finished.status === 'done' || (finished.status === 'failed' && isAudioFault(finished.errorCode)));
      }
    } finally {
      await this.sourceGuard.release(this.store.get(recording.id) ?? recording, committed);
    }
    this.touch('idle');
  }

  private process(recording: Recording, readPath: string | null): Promise<Outcome> {
    return new Promise((settle) => {
      let settled = false;
      const job: Job = {
        recording,
        dropped: null,
        settle: (outcome) => {
          if (settled) return;
          settled = true;
          if (this.job === job) this.job = null;
          settle(outcome);
        },
      };
      this.job = job;
      this.touch('busy');
      if (this.stopping || !this.worker || this.state === 'starting') {
        // Stopped, or the worker lost, while the source was being checked: back to the queue, not counted.
        this.job.settle('aborted');
        return;
      }
      if (!recording.path || !readPath) {
        this.store.fail(recording.id, 'NOT_FOUND', 'the recording has no audio file to read');
        job.settle('failed');
        return;
      }
      const variant = this.chooseVariant();
      this.log.info('transcribing', { recordingId: recording.id, fileName: recording.fileName, attempt: recording.attempts, variant });
      const hotwords = this.requestHotwords.get(recording.id);
      const msg: ToWorker = {
        type: 'job',
        recordingId: recording.id,
        path: readPath,
        fileName: basename(recording.path),
        variant,
        ...(hotwords ? { hotwords } : {}),
      };
      this.worker!.postMessage(msg);
    });
  }

  private idle(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = () => {
        this.wakeUp = null;
        done();
      };
    });
  }
}
