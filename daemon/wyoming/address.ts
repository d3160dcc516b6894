/** The Wyoming server's listen address: `tcp://HOST:PORT` (port 10300 when left out) or `unix://PATH`. */

export const DEFAULT_WYOMING_PORT = 10300;

export type WyomingAddress = { kind: 'tcp'; host: string; port: number } | { kind: 'unix'; path: string };

export function parseWyomingUri(uri: string): WyomingAddress {
  const unix = /^unix:\/\/(.+)$/.exec(uri);
  if (unix) return { kind: 'unix', path: unix[1]! };
  const tcp = /^tcp:\/\/(\[[0-9a-fA-F:.]+\]|[^:/[\]]+)(?::(\d+))?\/?$/.exec(uri);
  if (!tcp) throw new RangeError(`Expected tcp://HOST:PORT or unix://PATH for wyoming.uri but received ${JSON.stringify(uri)}`);
  const port = tcp[2] === undefined ? DEFAULT_WYOMING_PORT : Number(tcp[2]);
  if (port > 65535) throw new RangeError(`Expected a port 0..65535 in wyoming.uri but received ${port}`);
  return { kind: 'tcp', host: tcp[1]!.replace(/^\[|\]$/g, ''), port };
}
