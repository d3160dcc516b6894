/**
 * The main-thread side of transcription: takes queued recordings from the store one at a time, hands each to the
 * worker thread, and stores the redacted segments it sends back. The store is the queue, so nothing is lost
 * when the process dies; a crashed worker fails only the recording it was on and is restarted.
 */
import { EventEmitter } from 'node:events';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../log/logger.js';
import type { ModelInfo } from '../asr/types.js';
import type { Recording, Store } from '../store/store.js';
import type { PowerVariant } from '../power/governor.js';
import type { FromWorker, ToWorker, WorkerSettings } from './messages.js';

export interface PipelineHealth {
  state: 'starting' | 'idle' | 'busy' | 'down' | 'stopped';
  recordingId: string | null;
  /** ms since the worker last reported progress on the current recording (or since it went idle). */
  sinceActivityMs: number;
  /** False when busy without progress for longer than watchdog.maxStallSec (systemd's watchdog then restarts us). */
  healthy: boolean;
  /** Paused: the recording in progress finishes, nothing new is taken from the queue until resume(). */
  paused: boolean;
  model: ModelInfo | null;
  /** The variant loaded alongside for the power governor's sparse mode, or null. */
  sparseModel: ModelInfo | null;
  error: string | null;
}

interface Job {
  recording: Recording;
  settle: (outcome: 'done' | 'failed' | 'aborted') => void;
}

// Worker file next to this one: .ts when run from source (tests), .js when built.
const WORKER_URL = new URL(import.meta.url.endsWith('.ts') ? './worker.ts' : './worker.js', import.meta.url);

export declare interface Pipeline {
  on(event: 'finished', listener: (recording: Recording) => void): this;
}

export class Pipeline extends EventEmitter {
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

  constructor(
    private readonly store: Store,
    private readonly settings: WorkerSettings,
    private readonly log: Logger,
    private readonly maxStallMs: number,
    /** Asked as each recording is handed to the worker: the whole recording runs on that variant. */
    private readonly chooseVariant: () => PowerVariant = () => 'dense',
  ) {
    super();
  }

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
    const job = this.job;
    const worker = this.worker;
    this.worker = null;
    if (worker) await worker.terminate();
    job?.settle('aborted');
    await this.loop;
    this.state = 'stopped';
  }

  health(): PipelineHealth {
    const since = Date.now() - this.lastActivity;
    return {
      state: this.state,
      recordingId: this.job?.recording.id ?? null,
      sinceActivityMs: since,
      // Only a stall is unhealthy: a pipeline that is down (no model) is reported, not restarted in a loop.
      healthy: this.state !== 'busy' || since < this.maxStallMs,
      paused: this.paused,
      model: this.model,
      sparseModel: this.sparseModel,
      error: this.error,
    };
  }

  private startWorker(): Promise<void> {
    return new Promise((resolve, reject) => {
      const worker = new Worker(WORKER_URL, { workerData: this.settings });
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
    if (job) {
      this.safely(() => this.store.fail(job.recording.id, 'WORKER_CRASHED', `the transcription worker stopped (exit code ${code}) while on this recording`));
      job.settle('failed');
    }
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

  /** A store write that fails (disk full, database locked) is logged; the recording stays for the next start. */
  private safely(write: () => void): void {
    try {
      write();
    } catch (err) {
      this.log.error('store write failed', { err });
    }
  }

  private handle(msg: Exclude<FromWorker, { type: 'ready' | 'fatal' }>): void {
    const job = this.job;
    if (!job || job.recording.id !== msg.recordingId) return;
    this.touch('busy');
    try {
      this.apply(job, msg);
    } catch (err) {
      // Put the recording back in the queue and restart the worker, which is still busy with it.
      this.log.error('store write failed; re-queueing the recording', { recordingId: job.recording.id, err });
      job.settle('aborted');
      void this.worker?.terminate();
    }
  }

  private apply(job: Job, msg: Exclude<FromWorker, { type: 'ready' | 'fatal' }>): void {
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
        job.settle('done');
        break;
      case 'failed':
        this.store.fail(id, msg.code, msg.message);
        this.log.warn('recording failed', { recordingId: id, code: msg.code, fileName: job.recording.fileName });
        job.settle('failed');
        break;
    }
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      if (!this.worker || this.state === 'down' || this.state === 'starting') {
        await this.idle(1000);
        continue;
      }
      const recording = this.paused ? null : this.store.claimNext();
      if (!recording) {
        this.touch('idle');
        await this.idle(5000);
        continue;
      }
      const outcome = await this.process(recording);
      if (outcome === 'aborted') {
        this.safely(() => this.store.requeueInterrupted(recording.id));
      } else {
        const finished = this.store.get(recording.id);
        // Only a committed result lets the source move the file away.
        if (finished && (finished.status === 'done' || finished.status === 'failed')) this.emit('finished', finished);
      }
      this.touch('idle');
    }
  }

  private process(recording: Recording): Promise<'done' | 'failed' | 'aborted'> {
    return new Promise((settle) => {
      this.job = {
        recording,
        settle: (outcome) => {
          this.job = null;
          settle(outcome);
        },
      };
      this.touch('busy');
      if (!recording.path) {
        this.store.fail(recording.id, 'NOT_FOUND', 'the recording has no audio file to read');
        this.job.settle('failed');
        return;
      }
      const variant = this.chooseVariant();
      this.log.info('transcribing', { recordingId: recording.id, fileName: recording.fileName, attempt: recording.attempts, variant });
      const msg: ToWorker = { type: 'job', recordingId: recording.id, path: recording.path, variant };
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
