/**
 * `<base>/<device>/request/<action>` handling. Every request gets exactly one response on
 * `response/<action>`; bad JSON, an unknown action or bad params are error responses, never exceptions.
 */
import { POWER_MODES, type PowerMode } from '../config/schema.js';
import { REQUEST_ACTIONS, type RequestAction, type ResponsePayload, type StatePayload } from './topics.js';

/** What the MQTT feature needs from the daemon (the controller implements it). */
export interface MqttHost {
  readonly version: string;
  readonly powerMode: PowerMode;
  snapshot(): Omit<StatePayload, 'outbox' | 'updatedAt'>;
  pause(): void;
  resume(): void;
  setPowerMode(mode: PowerMode): void;
  reloadConfig(): { applied: string[]; restartRequired: string[] };
  /** Current problems (failed features, a pipeline that is down), each announced once as an error event. */
  problems(): string[];
}

class RequestError extends Error {}

function parse(raw: Buffer): Record<string, unknown> {
  const text = raw.toString('utf8').trim();
  if (text === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new RequestError('the request is not valid JSON');
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new RequestError('the request must be a JSON object');
  return value as Record<string, unknown>;
}

function run(action: RequestAction, params: Record<string, unknown>, host: MqttHost): unknown {
  switch (action) {
    case 'status':
      return host.snapshot();
    case 'pause':
      host.pause();
      return { paused: true };
    case 'resume':
      host.resume();
      return { paused: false };
    case 'set_power_mode': {
      const mode = params.mode;
      if (typeof mode !== 'string' || !(POWER_MODES as readonly string[]).includes(mode)) throw new RequestError(`mode must be one of ${POWER_MODES.join(', ')}`);
      const previous = host.powerMode;
      host.setPowerMode(mode as PowerMode);
      return { previous, powerMode: mode };
    }
    case 'reload_config':
      return host.reloadConfig();
  }
}

export function handleRequest(action: string, raw: Buffer, host: MqttHost): ResponsePayload {
  let transaction: unknown = null;
  try {
    const params = parse(raw);
    transaction = params.transaction ?? null;
    if (!(REQUEST_ACTIONS as readonly string[]).includes(action)) throw new RequestError(`unknown action "${action}"; one of ${REQUEST_ACTIONS.join(', ')}`);
    return { status: 'ok', data: run(action as RequestAction, params, host), error: null, transaction };
  } catch (err) {
    return { status: 'error', data: null, error: (err as Error).message, transaction };
  }
}
