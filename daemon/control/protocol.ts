/**
 * The control protocol: one JSON object per line over a unix socket.
 *   request:  {"id": 1, "method": "status", "params": {}}
 *   response: {"id": 1, "ok": true, "result": ...} or {"id": 1, "ok": false, "error": {"code": "...", "message": "..."}}
 * A line that is not a valid request gets an error response (id null when none could be read); the
 * connection stays usable.
 */
import type { ApiErrorCode } from '../api/types.js';

export interface ControlRequest {
  id: string | number;
  method: string;
  params?: Record<string, unknown>;
}

/** The API's own codes (ApiError), and the protocol's. */
export type ControlErrorCode = ApiErrorCode | 'BAD_REQUEST' | 'UNKNOWN_METHOD' | 'UNAVAILABLE' | 'INTERNAL';

export type ControlResponse =
  | { id: string | number | null; ok: true; result: unknown }
  | { id: string | number | null; ok: false; error: { code: ControlErrorCode; message: string } };

export class ControlError extends Error {
  override name = 'ControlError';
  constructor(
    readonly code: ControlErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Longest request line accepted; anything longer is answered with BAD_REQUEST and the connection closed. */
export const MAX_LINE_BYTES = 1 << 20;

/** Checks a parsed line is a request; throws ControlError('BAD_REQUEST') naming what is wrong. */
export function parseRequest(value: unknown): ControlRequest {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ControlError('BAD_REQUEST', 'a request must be a JSON object');
  const { id, method, params } = value as Record<string, unknown>;
  if (typeof id !== 'string' && typeof id !== 'number') throw new ControlError('BAD_REQUEST', 'id must be a string or number');
  if (typeof method !== 'string' || method === '') throw new ControlError('BAD_REQUEST', 'method must be a non-empty string');
  if (params !== undefined && (typeof params !== 'object' || params === null || Array.isArray(params)))
    throw new ControlError('BAD_REQUEST', 'params must be an object');
  return { id, method, ...(params ? { params: params as Record<string, unknown> } : {}) };
}
