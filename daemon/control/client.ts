/** Client side of the control socket, for the CLI. */
import { createConnection } from 'node:net';
import { ControlError, type ControlResponse } from './protocol.js';

/** No daemon is listening on the socket (not started, or stopped). */
/** The socket is there but this user may not use it (mode 0660, group hushscribe): say how to fix it. */
export class SocketAccessError extends Error {
  override name = 'SocketAccessError';
  constructor(readonly socketPath: string) {
    super(`permission denied on ${socketPath} (EACCES): add yourself to the daemon's group with \`sudo usermod -aG hushscribe $USER\` and log in again`);
  }
}

export class DaemonNotRunningError extends Error {
  override name = 'DaemonNotRunningError';
  constructor(readonly socketPath: string) {
    super(`the hushscribe daemon is not running (nothing listening on ${socketPath})`);
  }
}

let nextId = 1;

/** Sends one request and waits for its response; throws ControlError for an error response. */
export function request<T = unknown>(socketPath: string, method: string, params: Record<string, unknown> = {}, timeoutMs = 30_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const id = nextId++;
    const socket = createConnection(socketPath);
    let buffer = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new ControlError('UNAVAILABLE', `the daemon did not answer '${method}' within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(`${JSON.stringify({ id, method, params })}\n`));
    socket.on('data', (text: string) => {
      buffer += text;
      const newline = buffer.indexOf('\n');
      if (newline < 0) return;
      clearTimeout(timer);
      socket.end();
      const response = JSON.parse(buffer.slice(0, newline)) as ControlResponse;
      if (response.ok) resolve(response.result as T);
      else reject(new ControlError(response.error.code, response.error.message));
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (err.code === 'ENOENT' || err.code === 'ECONNREFUSED') reject(new DaemonNotRunningError(socketPath));
      else if (err.code === 'EACCES') reject(new SocketAccessError(socketPath));
      else reject(err);
    });
  });
}
