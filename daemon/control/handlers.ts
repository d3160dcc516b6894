/** The methods the control socket offers, each validating its params with a BAD_PARAMS error. */
import { access, constants, stat } from 'node:fs/promises';
import { basename, isAbsolute } from 'node:path';
import type { Controller } from '../controller.js';
import { databasePath } from '../config/load.js';
import { POWER_MODES, type PowerMode } from '../config/schema.js';
import { recordingIdForFile } from '../store/ids.js';
import { RECORDING_STATUSES, StoreError, type RecordingStatus } from '../store/store.js';
import { ControlError } from './protocol.js';
import type { Handler } from './server.js';

function str(params: Record<string, unknown>, key: string, required = true): string | undefined {
  const value = params[key];
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'string' || value === '') throw new ControlError('BAD_PARAMS', `${key} must be a non-empty string`);
  return value;
}

function int(params: Record<string, unknown>, key: string, min: number, max: number): number | undefined {
  const value = params[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) throw new ControlError('BAD_PARAMS', `${key} must be an integer from ${min} to ${max}`);
  return value;
}

function status(params: Record<string, unknown>): RecordingStatus | undefined {
  const value = str(params, 'status', false);
  if (value !== undefined && !(RECORDING_STATUSES as readonly string[]).includes(value)) {
    throw new ControlError('BAD_PARAMS', `status must be one of ${RECORDING_STATUSES.join(', ')}`);
  }
  return value as RecordingStatus | undefined;
}

function storeCall<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof StoreError && err.code === 'BAD_QUERY') throw new ControlError('BAD_PARAMS', err.message);
    throw err;
  }
}

export function controlHandlers(daemon: Controller): Record<string, Handler> {
  return {
    ping: () => ({ pong: true, pid: process.pid }),

    status: () => ({
      pid: process.pid,
      version: daemon.version,
      uptimeSec: Math.round((Date.now() - daemon.startedAt) / 1000),
      dataDir: daemon.currentConfig.dataDir,
      database: databasePath(daemon.currentConfig),
      features: daemon.featureStates(),
      pipeline: daemon.pipeline.health(),
      recordings: daemon.store.countByStatus(),
      watchDir: daemon.watch?.dir ?? null,
      live: Object.fromEntries(daemon.live.map((l) => [l.name, l.health()])),
      power: daemon.powerState(),
    }),

    'power.get': () => daemon.powerState(),

    /** Applies from the next recording (and the next live segment); announced like an MQTT set_power_mode. */
    'power.set': (params) => {
      const mode = str(params, 'mode')!;
      if (!(POWER_MODES as readonly string[]).includes(mode)) throw new ControlError('BAD_PARAMS', `mode must be one of ${POWER_MODES.join(', ')}`);
      const previous = daemon.powerMode;
      daemon.setPowerMode(mode as PowerMode);
      return { previous, power: daemon.powerState() };
    },

    'recordings.list': (params) => daemon.store.list({ status: status(params), limit: int(params, 'limit', 1, 100_000), offset: int(params, 'offset', 0, Number.MAX_SAFE_INTEGER) }),

    'recordings.get': (params) => {
      const id = str(params, 'id')!;
      const recording = daemon.store.get(id);
      if (!recording) throw new ControlError('NOT_FOUND', `no recording ${id}`);
      return { recording, segments: daemon.store.segments(id) };
    },

    search: (params) => storeCall(() => daemon.store.search(str(params, 'query')!, int(params, 'limit', 1, 10_000))),

    /** Queues a file the daemon can read; answers at once with the recording (the CLI polls it for progress). */
    ingest: async (params) => {
      const path = str(params, 'path')!;
      if (!isAbsolute(path)) throw new ControlError('BAD_PARAMS', 'path must be absolute');
      try {
        const info = await stat(path);
        if (!info.isFile()) throw new ControlError('BAD_PARAMS', `${path} is not a regular file`);
        await access(path, constants.R_OK);
      } catch (err) {
        if (err instanceof ControlError) throw err;
        throw new ControlError('BAD_PARAMS', `the daemon cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
      }
      const id = await recordingIdForFile(path);
      const existing = daemon.store.get(id);
      if (!existing && daemon.store.countByStatus().queued >= daemon.currentConfig.pipeline.queueSize) {
        throw new ControlError('QUEUE_FULL', `the queue is full (${daemon.currentConfig.pipeline.queueSize} recordings waiting); try again shortly`);
      }
      const { recording, created } = daemon.store.enqueue({ id, source: 'ingest', fileName: basename(path), path, bytes: (await stat(path)).size });
      if (created) daemon.pipeline.wake();
      return { recording, created };
    },

    'config.reload': () => daemon.reloadConfig(),
  };
}
