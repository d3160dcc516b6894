/**
 * The API's one implementation: for each method, the check that turns raw params into its typed params (a
 * BAD_PARAMS ApiError naming the param otherwise) and what it does, against the narrow ApiDaemon interface.
 * Transports call callApi() with whatever params arrived.
 */
import { constants, open, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute } from 'node:path';
import type { Hotword } from '../asr/context-graph.js';
import { HotwordRequestError, parseRequestHotwords } from '../asr/request-hotwords.js';
import { databasePath, originalsPolicy } from '../config/load.js';
import { POWER_MODES, type PowerMode } from '../config/schema.js';
import { recordingIdForFile } from '../store/ids.js';
import { RECORDING_STATUSES, StoreError, type RecordingStatus } from '../store/store.js';
import type { LiveHealth } from '../sources/live.js';
import { ApiError, type ApiDaemon, type ApiMethod, type ApiMethods, type ApiParams, type ApiResult, type DeviceState } from './types.js';

export type RawParams = Record<string, unknown>;

interface MethodImpl<M extends ApiMethod> {
  params(raw: RawParams): ApiParams<M>;
  run(params: ApiParams<M>): ApiResult<M> | Promise<ApiResult<M>>;
}

type ApiTable = { [M in ApiMethod]: MethodImpl<M> };

/** The implemented table (its sync methods stay sync: MQTT's retained state reads `state` directly). */
export type Api = ReturnType<typeof createApi>;

function str(params: RawParams, key: string, required = true): string | undefined {
  const value = params[key];
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'string' || value === '') throw new ApiError('BAD_PARAMS', `${key} must be a non-empty string`);
  return value;
}

function int(params: RawParams, key: string, min: number, max: number): number | undefined {
  const value = params[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
    throw new ApiError('BAD_PARAMS', `${key} must be an integer from ${min} to ${max}`);
  return value;
}

function status(params: RawParams): RecordingStatus | undefined {
  const value = str(params, 'status', false);
  if (value !== undefined && !(RECORDING_STATUSES as readonly string[]).includes(value)) {
    throw new ApiError('BAD_PARAMS', `status must be one of ${RECORDING_STATUSES.join(', ')}`);
  }
  return value as RecordingStatus | undefined;
}

function powerMode(params: RawParams): PowerMode {
  const mode = params.mode;
  if (typeof mode !== 'string' || !(POWER_MODES as readonly string[]).includes(mode))
    throw new ApiError('BAD_PARAMS', `mode must be one of ${POWER_MODES.join(', ')}`);
  return mode as PowerMode;
}

function storeCall<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof StoreError && err.code === 'BAD_QUERY') throw new ApiError('BAD_PARAMS', err.message);
    if (err instanceof StoreError && err.code === 'NOT_FOUND') throw new ApiError('NOT_FOUND', err.message);
    throw err;
  }
}

const none = (): ApiMethods['ping']['params'] => ({});

/** The live sources' part of the device state; left out when there are none. */
function liveState(live: Record<string, LiveHealth>): Pick<DeviceState, 'live'> {
  const entries = Object.entries(live);
  return entries.length === 0 ? {} : { live: Object.fromEntries(entries.map(([name, l]) => [name, { state: l.state, partialsDropped: l.partialsDropped }])) };
}

/** The optional per-request hotword list (daemon/asr/request-hotwords.ts), a BAD_PARAMS error when malformed. */
function requestHotwords(value: unknown): Hotword[] | undefined {
  try {
    return parseRequestHotwords(value);
  } catch (err) {
    if (err instanceof HotwordRequestError) throw new ApiError('BAD_PARAMS', err.message);
    throw err;
  }
}

export function createApi(daemon: ApiDaemon) {
  const uptimeSec = () => Math.round((Date.now() - daemon.startedAt) / 1000);
  return {
    ping: { params: none, run: () => ({ pong: true, pid: process.pid }) },

    status: {
      params: none,
      run: () => ({
        pid: process.pid,
        version: daemon.version,
        uptimeSec: uptimeSec(),
        dataDir: daemon.config().dataDir,
        database: databasePath(daemon.config()),
        features: daemon.features(),
        pipeline: daemon.pipeline(),
        recordings: daemon.recordings.countByStatus(),
        watchDir: daemon.watchDir(),
        originals: originalsPolicy(daemon.config()),
        live: daemon.live(),
        power: daemon.power(),
        retention: daemon.retention(),
      }),
    },

    state: {
      params: none,
      run: () => {
        const health = daemon.pipeline();
        const counts = daemon.recordings.countByStatus();
        const power = daemon.power();
        return {
          status: health.paused && health.state === 'idle' ? 'paused' : health.state,
          paused: health.paused,
          queueDepth: counts.queued,
          powerMode: power.mode,
          power: { mode: power.mode, variant: power.variant, reason: power.reason, sparseAvailable: power.sparseAvailable, switches: power.switches },
          model: health.model
            ? { name: health.model.name, variant: (power.variant === 'sparse' ? health.sparseModel : null)?.variant ?? health.model.variant }
            : null,
          uptimeSec: uptimeSec(),
          version: daemon.version,
          recordings: counts,
          ...liveState(daemon.live()),
        };
      },
    },

    pause: {
      params: none,
      run: () => {
        daemon.pause();
        return { paused: true };
      },
    },

    resume: {
      params: none,
      run: () => {
        daemon.resume();
        return { paused: false };
      },
    },

    'power.get': { params: none, run: () => daemon.power() },

    'power.set': {
      params: (raw) => ({ mode: powerMode(raw) }),
      run: ({ mode }) => {
        const previous = daemon.power().mode;
        daemon.setPowerMode(mode);
        return { previous, power: daemon.power() };
      },
    },

    'recordings.list': {
      params: (raw) => ({ status: status(raw), limit: int(raw, 'limit', 1, 100_000), offset: int(raw, 'offset', 0, Number.MAX_SAFE_INTEGER) }),
      run: (params) => daemon.recordings.list(params),
    },

    'recordings.get': {
      params: (raw) => ({ id: str(raw, 'id')! }),
      run: ({ id }) => {
        const recording = daemon.recordings.get(id);
        if (!recording) throw new ApiError('NOT_FOUND', `no recording ${id}`);
        return { recording, segments: daemon.recordings.segments(id) };
      },
    },

    search: {
      params: (raw) => ({ query: str(raw, 'query')!, limit: int(raw, 'limit', 1, 10_000) }),
      run: ({ query, limit }) => storeCall(() => daemon.recordings.search(query, limit)),
    },

    ingest: {
      params: (raw) => {
        const path = str(raw, 'path')!;
        if (!isAbsolute(path)) throw new ApiError('BAD_PARAMS', 'path must be absolute');
        const hotwords = requestHotwords(raw.hotwords);
        return hotwords ? { path, hotwords } : { path };
      },
      run: async ({ path, hotwords }) => {
        // Only recordings in the watch folder: any other path would let a socket client learn whether files the
        // daemon can read exist, and their hash and size. The answer is the same whether the path exists or not.
        const watchDir = daemon.watchDir();
        if (watchDir === null || dirname(path) !== watchDir) {
          throw new ApiError(
            'BAD_PARAMS',
            `ingest takes files in the watch folder only${watchDir ? ` (${watchDir})` : ' (none is configured: sources.watch.dir)'}; hushscribe ingest copies them there`,
          );
        }
        try {
          // Never through a symlink: a queued name swapped for a link must not make the daemon read its target.
          const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
          const info = await handle.stat();
          await handle.close();
          if (!info.isFile()) throw new ApiError('BAD_PARAMS', `${basename(path)} is not a regular file`);
        } catch (err) {
          if (err instanceof ApiError) throw err;
          throw new ApiError(
            'BAD_PARAMS',
            `the daemon cannot read ${basename(path)} in the watch folder (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
          );
        }
        const id = await recordingIdForFile(path);
        const queueSize = daemon.config().pipeline.queueSize;
        if (!daemon.recordings.get(id) && daemon.recordings.countByStatus().queued >= queueSize) {
          throw new ApiError('QUEUE_FULL', `the queue is full (${queueSize} recordings waiting); try again shortly`);
        }
        const { recording, created } = daemon.recordings.enqueue({ id, source: 'watch', fileName: basename(path), path, bytes: (await stat(path)).size }); // a watch-folder file: disposed of like one
        if (hotwords && recording.status === 'queued') daemon.setRecordingHotwords(recording.id, hotwords);
        if (created) daemon.wake();
        return { recording, created };
      },
    },

    'config.reload': { params: none, run: () => daemon.reloadConfig() },

    'recordings.retry': {
      params: (raw): ApiParams<'recordings.retry'> => {
        if (raw.failed === true && raw.id === undefined) return { failed: true };
        if (raw.failed !== undefined) throw new ApiError('BAD_PARAMS', 'give either id or failed: true');
        return { id: str(raw, 'id')! };
      },
      run: (params) => {
        const ids =
          'id' in params
            ? [params.id]
            : daemon.recordings
                .list({ status: 'failed', limit: 100_000 })
                .filter((r) => r.path !== null && r.errorCode !== 'NOT_A_FILE')
                .map((r) => r.id); // a FIFO or device is never read
        const requeued = ids.map((id) => storeCall(() => daemon.recordings.retry(id)).id);
        if (requeued.length > 0) daemon.wake();
        return { requeued };
      },
    },
  } satisfies ApiTable;
}

/** Runs one method with the params a transport received; throws ApiError for bad params or a refused request. */
export async function callApi<M extends ApiMethod>(api: Api, method: M, raw: RawParams): Promise<ApiResult<M>> {
  const impl = (api as ApiTable)[method] as MethodImpl<M>;
  return impl.run(impl.params(raw));
}
