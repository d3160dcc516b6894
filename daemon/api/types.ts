import type { Hotword } from '../asr/context-graph.js';
/**
 * The daemon's API, declared once: method name -> params and result (as zigbee2mqtt's lib/types/api.ts). It is
 * implemented once (api/methods.ts) against the narrow ApiDaemon interface below and served by every transport:
 * the control socket (control/server.ts, method names as they are) and the MQTT request topics (mqtt/requests.ts,
 * which maps its action names onto these methods).
 */
import type { HushscribeConfig, PowerMode } from '../config/schema.js';
import type { OriginalsPolicy } from '../config/load.js';
import type { FeatureState } from '../feature.js';
import type { PipelineHealth } from '../pipeline/pipeline.js';
import type { PowerState } from '../power/governor.js';
import type { LiveHealth } from '../sources/live.js';
import type { Recording, RecordingStatus, RetentionShortfall, SearchHit, Store, StoredSegment } from '../store/store.js';

type RecordingCounts = Record<RecordingStatus, number>;

/** `status` over the control socket: everything `hushscribe status` shows. */
export interface DaemonStatus {
  pid: number;
  version: string;
  uptimeSec: number;
  dataDir: string;
  database: string;
  features: Record<string, FeatureState>;
  pipeline: PipelineHealth;
  recordings: RecordingCounts;
  watchDir: string | null;
  /** What happens to a watch-folder recording's original once transcribed (deleted, or kept under retention). */
  originals: OriginalsPolicy;
  live: Record<string, LiveHealth>;
  power: PowerState;
  retention: RetentionStatus;
}

/** store.retention, what it limits now, and the size limit the last pass could not meet (null: met or off). */
export interface RetentionStatus {
  maxAgeDays: number;
  maxBytes: number;
  retainedBytes: number;
  unmet: RetentionShortfall | null;
}

/** The device state MQTT keeps retained (its `state` topic adds outbox and updatedAt). */
export interface DeviceState {
  /** blocked: the database refuses writes (locked by another process, disk full); retried until it takes them. */
  status: 'idle' | 'busy' | 'paused' | 'blocked' | 'starting' | 'down' | 'stopped';
  paused: boolean;
  queueDepth: number;
  powerMode: PowerMode;
  /** The power governor: requested mode, the variant it runs (dense/sparse), why, and switches since start. */
  power: Pick<PowerState, 'mode' | 'variant' | 'reason' | 'sparseAvailable' | 'switches'>;
  model: { name: string; variant: string } | null;
  uptimeSec: number;
  version: string;
  recordings: RecordingCounts;
  /** Live sources: capture state and partials dropped because transcription was behind real time. */
  live?: Record<string, { state: LiveHealth['state']; partialsDropped: number }>;
}

type NoParams = Record<string, never>;

/** Every method: its params (after validation) and its result. */
export interface ApiMethods {
  ping: { params: NoParams; result: { pong: true; pid: number } };
  status: { params: NoParams; result: DaemonStatus };
  state: { params: NoParams; result: DeviceState };
  pause: { params: NoParams; result: { paused: true } };
  resume: { params: NoParams; result: { paused: false } };
  'power.get': { params: NoParams; result: PowerState };
  /** Applies from the next recording (and the next live segment); announced as power_mode_changed. */
  'power.set': { params: { mode: PowerMode }; result: { previous: PowerMode; power: PowerState } };
  'recordings.list': { params: { status?: RecordingStatus; limit?: number; offset?: number }; result: Recording[] };
  'recordings.get': { params: { id: string }; result: { recording: Recording; segments: StoredSegment[] } };
  search: { params: { query: string; limit?: number }; result: SearchHit[] };
  /** Queues a file the daemon can read; answers at once with the recording (the CLI polls it for progress). */
  /** hotwords: phrases to boost for this recording only (kept in RAM, never stored; lost if the daemon restarts
   * before the recording is transcribed); those marked pii are also always redacted in it. */
  ingest: { params: { path: string; hotwords?: Hotword[] }; result: { recording: Recording; created: boolean } };
  'config.reload': { params: NoParams; result: { applied: string[]; restartRequired: string[] } };
  /** Failed recordings back in the queue with fresh attempts: one by id, or every failed one whose audio is still there. */
  'recordings.retry': { params: { id: string } | { failed: true }; result: { requeued: string[] } };
}

export type ApiMethod = keyof ApiMethods;
export type ApiParams<M extends ApiMethod> = ApiMethods[M]['params'];
export type ApiResult<M extends ApiMethod> = ApiMethods[M]['result'];

export type ApiErrorCode = 'BAD_PARAMS' | 'NOT_FOUND' | 'QUEUE_FULL';

/** A request the daemon refuses; transports pass code and message on (never a stack or data). */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly code: ApiErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** What the API needs from the daemon, and no more (the controller implements it). */
export interface ApiDaemon {
  readonly version: string;
  readonly startedAt: number;
  config(): HushscribeConfig;
  features(): Record<string, FeatureState>;
  pipeline(): PipelineHealth;
  live(): Record<string, LiveHealth>;
  watchDir(): string | null;
  power(): PowerState;
  retention(): RetentionStatus;
  setPowerMode(mode: PowerMode): void;
  pause(): void;
  resume(): void;
  /** A new recording is queued: the pipeline looks at the queue now. */
  wake(): void;
  /** Hotwords for one queued recording (RAM only). */
  setRecordingHotwords(recordingId: string, hotwords: readonly Hotword[]): void;
  reloadConfig(): ApiResult<'config.reload'>;
  readonly recordings: Pick<Store, 'list' | 'get' | 'segments' | 'search' | 'countByStatus' | 'enqueue' | 'retry'>;
}
