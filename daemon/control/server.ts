/**
 * The daemon's control socket: a unix socket (mode 0660 by default) speaking the line protocol in protocol.ts,
 * one transport of the daemon's API (api/types.ts): the methods in SOCKET_METHODS, under their own names.
 */
import { chmodSync, chownSync, readFileSync, unlinkSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import { callApi, type Api } from '../api/methods.js';
import { ApiError, type ApiMethod } from '../api/types.js';
import type { Logger } from '../log/logger.js';
import { ControlError, MAX_LINE_BYTES, parseRequest, type ControlResponse } from './protocol.js';

/** The API methods the socket serves (MQTT's `state` is not among them). */
export const SOCKET_METHODS = [
  'ping',
  'status',
  'pause',
  'resume',
  'power.get',
  'power.set',
  'recordings.list',
  'recordings.get',
  'search',
  'ingest',
  'config.reload',
  'recordings.retry',
] as const satisfies readonly ApiMethod[];

/**
 * A streaming method (not part of the request/response API): after its ok response the connection receives
 * `{"event": ...}` lines from `send` until the client closes it; the returned function unsubscribes.
 */
export type Subscription = (params: Record<string, unknown>, send: (event: unknown) => void) => () => void;

function isSocketMethod(method: string): method is (typeof SOCKET_METHODS)[number] {
  return (SOCKET_METHODS as readonly string[]).includes(method);
}

export interface ControlServerOptions {
  socketPath: string;
  /** Octal string, e.g. '0660'. */
  mode: string;
  /** Group name or number that may use the socket; null keeps the daemon's group. */
  group: string | null;
  /** A connection that sends nothing for this long is closed, so idle clients cannot pile up. */
  idleTimeoutMs: number;
}

/** Resolves a group name to its id from /etc/group (no native getgrnam in Node). */
export function groupId(group: string): number {
  if (/^\d+$/.test(group)) return Number(group);
  for (const line of readFileSync('/etc/group', 'utf8').split('\n')) {
    const [name, , gid] = line.split(':');
    if (name === group && gid !== undefined) return Number(gid);
  }
  throw new Error(`control.group: no group named '${group}'`);
}

/** True when something is accepting connections on the socket (another daemon). */
function socketAlive(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createConnection(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
}

export class ControlServer {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();

  constructor(
    private readonly options: ControlServerOptions,
    private readonly api: Api,
    private readonly log: Logger,
    private readonly subscriptions: Record<string, Subscription> = {},
  ) {}

  async start(): Promise<void> {
    const { socketPath } = this.options;
    await mkdir(dirname(socketPath), { recursive: true });
    if (await socketAlive(socketPath)) throw new Error(`another hushscribe daemon is already listening on ${socketPath}`);
    try {
      unlinkSync(socketPath); // stale, left by a crash
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    const server = createServer((socket) => this.serve(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(socketPath, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (err) => this.log.error('control socket error', { err }));
    chmodSync(socketPath, parseInt(this.options.mode, 8));
    if (this.options.group) chownSync(socketPath, -1, groupId(this.options.group));
    this.server = server;
    this.log.info('control socket listening', { socketPath, mode: this.options.mode, group: this.options.group });
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private serve(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.setTimeout(this.options.idleTimeoutMs, () => socket.destroy());
    socket.setEncoding('utf8');
    let buffer = '';
    let closed = false;
    // Requests on one connection are answered in order.
    let queue = Promise.resolve();
    const tooLong = () => {
      closed = true;
      buffer = '';
      const response: ControlResponse = { id: null, ok: false, error: { code: 'BAD_REQUEST', message: `request line longer than ${MAX_LINE_BYTES} bytes` } };
      void queue.then(() => socket.end(`${JSON.stringify(response)}\n`));
    };
    socket.on('data', (text: string) => {
      if (closed) return;
      buffer += text;
      for (let newline = buffer.indexOf('\n'); newline >= 0; newline = buffer.indexOf('\n')) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        if (Buffer.byteLength(line) > MAX_LINE_BYTES) return tooLong();
        if (line.trim() === '') continue;
        queue = queue.then(() => this.answer(line, socket)).then((response) => void (socket.writable && socket.write(`${JSON.stringify(response)}\n`)));
      }
      if (Buffer.byteLength(buffer) > MAX_LINE_BYTES) tooLong();
    });
  }

  private async answer(line: string, socket: Socket): Promise<ControlResponse> {
    let id: string | number | null = null;
    try {
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        throw new ControlError('BAD_REQUEST', 'request is not valid JSON');
      }
      const maybeId = (value as { id?: unknown } | null)?.id;
      if (typeof maybeId === 'string' || typeof maybeId === 'number') id = maybeId;
      const request = parseRequest(value);
      const { method } = request;
      if (Object.hasOwn(this.subscriptions, method)) {
        const send = (event: unknown) => void (socket.writable && socket.write(`${JSON.stringify({ event })}\n`));
        socket.once('close', this.subscriptions[method]!(request.params ?? {}, send));
        return { id, ok: true, result: { subscribed: method } };
      }
      if (!isSocketMethod(method))
        throw new ControlError('UNKNOWN_METHOD', `unknown method '${method}' (known: ${[...SOCKET_METHODS, ...Object.keys(this.subscriptions)].join(', ')})`);
      return { id, ok: true, result: (await callApi(this.api, method, request.params ?? {})) ?? null };
    } catch (err) {
      if (err instanceof ControlError || err instanceof ApiError) return { id, ok: false, error: { code: err.code, message: err.message } };
      this.log.error('control request failed', { err });
      return { id, ok: false, error: { code: 'INTERNAL', message: (err as Error)?.message ?? String(err) } };
    }
  }
}
