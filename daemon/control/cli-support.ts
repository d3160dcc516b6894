/** What the daemon's CLI commands share: --data-dir/--config/--json, config loading, reaching the daemon or its database. */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ExitCode, type CommandIo } from '../cli/command.js';
import { ConfigError, controlSocketPath, databasePath, loadConfig, type LoadedConfig } from '../config/load.js';
import { Store, StoreError } from '../store/store.js';
import { DaemonNotRunningError, request, SocketAccessError } from './client.js';
import { ControlError } from './protocol.js';

export const COMMON_OPTIONS = {
  'data-dir': { type: 'string' },
  config: { type: 'string' },
  json: { type: 'boolean', default: false },
} as const;

export const COMMON_USAGE = `  --data-dir DIR   the daemon's data folder (database, control socket); default from config
  --config PATH    config file (default /etc/hushscribe/config.yaml if present)
  --json           machine-readable output
  -h, --help       show this help`;

export interface CommonValues {
  'data-dir'?: string | undefined;
  config?: string | undefined;
  json?: boolean | undefined;
}

export function cliConfig(values: CommonValues, overrides: Record<string, unknown> = {}): LoadedConfig {
  return loadConfig({
    path: values.config,
    overrides: { ...(values['data-dir'] ? { dataDir: resolve(values['data-dir']) } : {}), ...overrides },
  });
}

/** Calls the running daemon. */
export function daemonRequest<T>(loaded: LoadedConfig, method: string, params: Record<string, unknown> = {}, timeoutMs?: number): Promise<T> {
  return request<T>(controlSocketPath(loaded.config), method, params, timeoutMs);
}

/** The database, read-only, for commands that work whether or not the daemon runs. */
export function openStoreReadonly(loaded: LoadedConfig): Store {
  const file = databasePath(loaded.config);
  if (!existsSync(file)) throw new NoDatabaseError(file);
  return new Store(file, { readonly: true });
}

/** Nothing has been stored yet in this data folder. */
export class NoDatabaseError extends Error {
  override name = 'NoDatabaseError';
  constructor(readonly file: string) {
    super(`no database at ${file} (has the daemon run with this --data-dir?)`);
  }
}

/** Known failures become a message and a documented exit code; anything else goes to the CLI router. */
/** Something the user gave or must fix (an unreadable file, a folder they may not write to): exit 3 with the message. */
export class InputError extends Error {
  override name = 'InputError';
}

export function reportError(err: unknown, io: CommandIo, command: string, json: boolean): number {
  let code: number;
  let kind: string;
  if (err instanceof ConfigError) [code, kind] = [ExitCode.inputError, 'CONFIG'];
  else if (err instanceof DaemonNotRunningError) [code, kind] = [ExitCode.unavailable, 'DAEMON_NOT_RUNNING'];
  else if (err instanceof NoDatabaseError) [code, kind] = [ExitCode.unavailable, 'NO_DATABASE'];
  else if (err instanceof InputError) [code, kind] = [ExitCode.inputError, 'BAD_INPUT'];
  else if (err instanceof SocketAccessError) [code, kind] = [ExitCode.unavailable, 'PERMISSION_DENIED'];
  else if (err instanceof ControlError)
    [code, kind] = [err.code === 'BAD_PARAMS' || err.code === 'NOT_FOUND' ? ExitCode.inputError : ExitCode.unavailable, err.code];
  else if (err instanceof StoreError) [code, kind] = [err.code === 'NOT_FOUND' || err.code === 'BAD_QUERY' ? ExitCode.inputError : ExitCode.failure, err.code];
  else throw err;
  const message = (err as Error).message;
  if (json) io.stdout.write(`${JSON.stringify({ ok: false, error: { code: kind, message } })}\n`);
  else io.stderr.write(`hushscribe ${command}: ${message}\n`);
  return code;
}
