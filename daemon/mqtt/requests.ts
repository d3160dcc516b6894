/**
 * `<base>/<device>/request/<action>` handling: the MQTT transport of the daemon's API (api/types.ts). Each action
 * names an API method; every request gets exactly one response on `response/<action>`; bad JSON, an unknown
 * action or bad params are error responses, never exceptions.
 */
import { callApi, type Api, type RawParams } from '../api/methods.js';
import type { ApiMethod, ApiResult } from '../api/types.js';
import { REQUEST_ACTIONS, type RequestAction, type ResponsePayload } from './topics.js';

/** The API method behind each action, and the shape its result is published in. */
const ACTIONS: { [A in RequestAction]: { method: ApiMethod; data?(result: never): unknown } } = {
  status: { method: 'state' },
  pause: { method: 'pause' },
  resume: { method: 'resume' },
  // MQTT's payload names the new mode; the socket's gives the whole power state.
  set_power_mode: { method: 'power.set', data: (result: ApiResult<'power.set'>) => ({ previous: result.previous, powerMode: result.power.mode }) },
  reload_config: { method: 'config.reload' },
  // {"id": "f..."} or {"failed": true}
  retry: { method: 'recordings.retry' },
};

class RequestError extends Error {}

/** Requests are small JSON objects; anything bigger is refused before it is decoded or parsed (an 88 MB one took 3 GB and 50 s). */
export const MAX_REQUEST_BYTES = 64 * 1024;
/**
 * The largest packet the broker may send us, advertised in CONNECT (MQTT 5 Maximum Packet Size): a compliant
 * broker (mosquitto 2) drops a bigger one instead of sending it, so an oversized request is never buffered
 * here. The headroom over MAX_REQUEST_BYTES (topic, properties) keeps a request just over the cap answered.
 */
export const MAX_INCOMING_PACKET_BYTES = MAX_REQUEST_BYTES + 4096;
/** `transaction` is echoed back only when it is a number or a string of at most this many characters. */
export const MAX_TRANSACTION_CHARS = 256;

function parse(raw: Buffer): RawParams {
  if (raw.length > MAX_REQUEST_BYTES) throw new RequestError(`the request is too large (${raw.length} bytes; at most ${MAX_REQUEST_BYTES})`);
  const text = raw.toString('utf8').trim();
  if (text === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new RequestError('the request is not valid JSON');
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new RequestError('the request must be a JSON object');
  return value as RawParams;
}

function echoable(transaction: unknown): string | number | null {
  if (typeof transaction === 'number' && Number.isFinite(transaction)) return transaction;
  if (typeof transaction === 'string' && transaction.length <= MAX_TRANSACTION_CHARS) return transaction;
  return null;
}

function isAction(action: string): action is RequestAction {
  return (REQUEST_ACTIONS as readonly string[]).includes(action);
}

export async function handleRequest(action: string, raw: Buffer, api: Api): Promise<ResponsePayload> {
  let transaction: unknown = null;
  try {
    const params = parse(raw);
    transaction = echoable(params.transaction);
    if (!isAction(action)) throw new RequestError(`unknown action "${action}"; one of ${REQUEST_ACTIONS.join(', ')}`);
    const { method, data } = ACTIONS[action];
    const result = await callApi(api, method, params);
    return { status: 'ok', data: data ? data(result as never) : result, error: null, transaction };
  } catch (err) {
    return { status: 'error', data: null, error: (err as Error).message, transaction };
  }
}
